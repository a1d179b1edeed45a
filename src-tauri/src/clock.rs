//! The app's clock. A registrar's "today" comes from here, never straight
//! from the system, so an end-to-end test or a training build can set the
//! day: `EMHANA_NOW=2026-10-01T10:30:00+05:00` fixes the instant. A release
//! build ignores it: a clinic's PC dating its ops and documents by whatever
//! a variable says would undo every rule that depends on the day (a
//! campaign's dates, an application's ten days, a call's planned day).

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

/// Whether this build takes a fixed clock from `EMHANA_NOW`: debug builds
/// (tests, training) only.
const FIXED_CLOCK_ALLOWED: bool = cfg!(debug_assertions);

impl Clock {
    /// `EMHANA_NOW` when set, valid (RFC 3339) and this build allows it, else the system clock.
    pub fn from_env() -> Clock {
        Clock::from_setting(std::env::var("EMHANA_NOW").ok().as_deref(), FIXED_CLOCK_ALLOWED)
    }

    fn from_setting(setting: Option<&str>, allowed: bool) -> Clock {
        let Some(text) = setting else {
            return Clock::System;
        };
        if !allowed {
            tracing::error!("EMHANA_NOW is ignored by a release build; using the system clock");
            return Clock::System;
        }
        match DateTime::parse_from_rfc3339(text.trim()) {
            Ok(instant) => {
                tracing::warn!(%instant, "the clock is fixed by EMHANA_NOW");
                Clock::Fixed(instant.with_timezone(&Utc))
            }
            Err(error) => {
                tracing::error!(%text, %error, "EMHANA_NOW is not an RFC 3339 instant; using the system clock");
                Clock::System
            }
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(instant) => *instant,
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        emhana_domain::kazakhstan_date(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_is_taken_only_where_the_build_allows_it_and_only_when_it_reads() {
        let fixed = DateTime::parse_from_rfc3339("2026-10-01T10:30:00+05:00")
            .map(|instant| instant.with_timezone(&Utc))
            .ok();
        let cases = [
            (Some("2026-10-01T10:30:00+05:00"), true, fixed.map(Clock::Fixed)),
            (Some(" 2026-10-01T10:30:00+05:00 "), true, fixed.map(Clock::Fixed)),
            // a release build: the system's, whatever the variable says
            (Some("2026-10-01T10:30:00+05:00"), false, Some(Clock::System)),
            (Some("01.10.2026"), true, Some(Clock::System)),
            (None, true, Some(Clock::System)),
            (None, false, Some(Clock::System)),
        ];
        for (setting, allowed, expected) in cases {
            assert_eq!(
                Some(Clock::from_setting(setting, allowed)),
                expected,
                "{setting:?}, allowed {allowed}"
            );
        }
    }
}
