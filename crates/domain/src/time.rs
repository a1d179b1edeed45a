//! Dates as a Kazakhstan clinic sees them.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// Kazakhstan has kept one time zone, UTC+5, since 1 March 2024: the one
/// offset every conversion here uses (the UI's too, through `bindings.ts`).
pub const KAZAKHSTAN_UTC_OFFSET_HOURS: i64 = 5;

/// A registrar's "today" is the date in Kazakhstan, whatever the PC's own
/// zone is set to.
pub fn kazakhstan_date(instant: DateTime<Utc>) -> NaiveDate {
    kazakhstan_time(instant).date()
}

/// The wall-clock time in Kazakhstan at `instant`.
pub fn kazakhstan_time(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.naive_utc() + TimeDelta::hours(KAZAKHSTAN_UTC_OFFSET_HOURS)
}

/// The instant a Kazakhstan wall-clock time names (the slot of an op).
pub fn kazakhstan_instant(local: NaiveDateTime) -> DateTime<Utc> {
    (local - TimeDelta::hours(KAZAKHSTAN_UTC_OFFSET_HOURS)).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn an_evening_in_utc_is_already_tomorrow_in_kazakhstan() {
        let instant = Utc.with_ymd_and_hms(2026, 11, 15, 19, 0, 0).unwrap();
        assert_eq!(
            kazakhstan_date(instant),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
        let earlier = Utc.with_ymd_and_hms(2026, 11, 15, 18, 59, 59).unwrap();
        assert_eq!(
            kazakhstan_date(earlier),
            NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
        );
    }
}
