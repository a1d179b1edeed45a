//! Kazakhstan's working-day calendar: which days a clinic receives by its
//! weekly schedule, which are public holidays or transferred days off, and
//! which weekend days are worked in their place (DOMAIN.md §9).
//!
//! The calendar is reference data: each year the government moves days off by
//! decree, so the days are rows the registry hands out and a clinic may edit.
//! [`WorkCalendar::law_defaults`] gives the days the Law on holidays fixes,
//! as a starting point for a year nobody has entered yet.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

text_enum!(
    /// What a calendar entry makes of its day.
    DayKind {
        /// A public holiday: no reception.
        Holiday => "holiday",
        /// A day off moved here from a holiday on a weekend, or by decree.
        DayOff => "day_off",
        /// A weekend day worked in place of a day off, with the schedule of
        /// the weekday it stands for.
        WorkingDay => "working_day",
    }
);

/// One day the calendar says differs from an ordinary week.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CalendarDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    /// For a [`DayKind::WorkingDay`]: whose weekday's schedule is kept.
    #[serde(default)]
    pub works_as: Option<Weekday>,
    /// The holiday's name, as printed ("Наурыз мейрамы").
    #[serde(default)]
    pub name: String,
}

/// A year's calendar that cannot be kept, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CalendarError {
    #[error("{date} is not a day of {year}")]
    NotInYear { date: NaiveDate, year: i32 },
    #[error("{date}: only a worked weekend day stands for another weekday")]
    WorksAsOnlyForWorkingDay { date: NaiveDate },
    #[error("{date} is listed twice")]
    Duplicate { date: NaiveDate },
}

/// Checks the days entered for `year`: each in the year, once, and a
/// weekday to stand for only on a worked day.
pub fn check_year(year: i32, days: &[CalendarDay]) -> Result<(), CalendarError> {
    let mut seen = std::collections::BTreeSet::new();
    for day in days {
        if day.date.year() != year {
            return Err(CalendarError::NotInYear { date: day.date, year });
        }
        if day.works_as.is_some() && day.kind != DayKind::WorkingDay {
            return Err(CalendarError::WorksAsOnlyForWorkingDay { date: day.date });
        }
        if !seen.insert(day.date) {
            return Err(CalendarError::Duplicate { date: day.date });
        }
    }
    Ok(())
}

/// The days that differ from an ordinary week, by date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    days: BTreeMap<NaiveDate, CalendarDay>,
}

impl WorkCalendar {
    pub fn new(days: impl IntoIterator<Item = CalendarDay>) -> WorkCalendar {
        WorkCalendar {
            days: days.into_iter().map(|day| (day.date, day)).collect(),
        }
    }

    pub fn days(&self) -> impl Iterator<Item = &CalendarDay> {
        self.days.values()
    }

    pub fn day(&self, date: NaiveDate) -> Option<&CalendarDay> {
        self.days.get(&date)
    }

    /// The weekday whose schedule a clinic keeps on `date`, or `None` when the
    /// date is a holiday or a day off. An ordinary Saturday or Sunday is its
    /// own weekday: whether anyone receives then is the schedule's business.
    pub fn works_as(&self, date: NaiveDate) -> Option<Weekday> {
        match self.days.get(&date) {
            None => Some(date.weekday()),
            Some(day) => match day.kind {
                DayKind::Holiday | DayKind::DayOff => None,
                DayKind::WorkingDay => Some(day.works_as.unwrap_or(date.weekday())),
            },
        }
    }

    /// A working day in the state-service sense (seed 004): Monday to Friday
    /// unless a holiday or day off, and a weekend day worked by decree.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.days.get(&date).map(|day| day.kind) {
            Some(DayKind::Holiday | DayKind::DayOff) => false,
            Some(DayKind::WorkingDay) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The first working day on or after `date`.
    pub fn next_working_day(&self, date: NaiveDate) -> NaiveDate {
        let mut day = date;
        // Two weeks without a working day would be a calendar typed wrong;
        // stop rather than run on.
        for _ in 0..14 {
            if self.is_working_day(day) {
                return day;
            }
            day += TimeDelta::days(1);
        }
        day
    }

    /// The days the Law "On holidays in the Republic of Kazakhstan" fixes for
    /// `year`: the public holidays, and for a holiday falling on a Saturday or
    /// Sunday the next working day off (not for the religious holidays —
    /// Orthodox Christmas and Kurban Ait's first day — which the law does not
    /// move). Kurban Ait follows the lunar calendar: its first day is known
    /// for the years in [`KURBAN_AIT_FIRST_DAYS`] and entered as data for the
    /// others, as the government's yearly transfers are.
    pub fn law_defaults(year: i32) -> Vec<CalendarDay> {
        const HOLIDAYS: [(u32, u32, &str, bool); 13] = [
            (1, 1, "Жаңа жыл / Новый год", true),
            (1, 2, "Жаңа жыл / Новый год", true),
            (1, 7, "Православиелік Рождество / Православное Рождество", false),
            (
                3,
                8,
                "Халықаралық әйелдер күні / Международный женский день",
                true,
            ),
            (3, 21, "Наурыз мейрамы", true),
            (3, 22, "Наурыз мейрамы", true),
            (3, 23, "Наурыз мейрамы", true),
            (
                5,
                1,
                "Қазақстан халқының бірлігі мерекесі / Праздник единства народа Казахстана",
                true,
            ),
            (5, 7, "Отан қорғаушы күні / День защитника Отечества", true),
            (5, 9, "Жеңіс күні / День Победы", true),
            (7, 6, "Астана күні / День Столицы", true),
            (8, 30, "Конституция күні / День Конституции", true),
            (10, 25, "Республика күні / День Республики", true),
        ];
        let mut days: BTreeMap<NaiveDate, CalendarDay> = BTreeMap::new();
        let mut moved = Vec::new();
        let independence = (12, 16, "Тәуелсіздік күні / День Независимости", true);
        let kurban_ait = KURBAN_AIT_FIRST_DAYS
            .iter()
            .find(|(y, ..)| *y == year)
            .map(|(_, month, day)| (*month, *day, "Құрбан айт / Курбан айт", false));
        for (month, day, name, moves) in HOLIDAYS.into_iter().chain([independence]).chain(kurban_ait) {
            let Some(date) = NaiveDate::from_ymd_opt(year, month, day) else {
                continue;
            };
            days.insert(
                date,
                CalendarDay {
                    date,
                    kind: DayKind::Holiday,
                    works_as: None,
                    name: name.to_owned(),
                },
            );
            if moves && matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                moved.push((date, name));
            }
        }
        for (from, name) in moved {
            let mut date = from + TimeDelta::days(1);
            while matches!(date.weekday(), Weekday::Sat | Weekday::Sun) || days.contains_key(&date) {
                date += TimeDelta::days(1);
            }
            days.insert(
                date,
                CalendarDay {
                    date,
                    kind: DayKind::DayOff,
                    works_as: None,
                    name: name.to_owned(),
                },
            );
        }
        days.into_values().collect()
    }
}

/// Kurban Ait's first day (a day off by the Law on holidays, art. 1), as the
/// Spiritual Administration of Muslims of Kazakhstan set it: (year, month, day).
pub const KURBAN_AIT_FIRST_DAYS: [(i32, u32, u32); 4] =
    [(2023, 6, 28), (2024, 6, 16), (2025, 6, 6), (2026, 5, 27)];

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn holidays_on_a_weekend_move_to_the_next_free_weekday() {
        let days = WorkCalendar::law_defaults(2026);
        let offs: Vec<NaiveDate> = days
            .iter()
            .filter(|d| d.kind == DayKind::DayOff)
            .map(|d| d.date)
            .collect();
        // 2026: 8 March Sunday → Monday 9; Nauryz 21 (Sat) and 22 (Sun), with
        // 23 March itself a holiday → 24 and 25; 9 May Saturday → Monday 11;
        // 30 August Sunday → 31; 25 October Sunday → 26.
        assert_eq!(
            offs,
            vec![
                date(2026, 3, 9),
                date(2026, 3, 24),
                date(2026, 3, 25),
                date(2026, 5, 11),
                date(2026, 8, 31),
                date(2026, 10, 26)
            ]
        );
    }

    #[test]
    fn kurban_ait_s_first_day_is_a_holiday_and_not_moved_from_a_weekend() {
        let in_2026 = WorkCalendar::new(WorkCalendar::law_defaults(2026));
        assert!(
            !in_2026.is_working_day(date(2026, 5, 27)),
            "Wednesday 27 May 2026"
        );
        assert_eq!(
            in_2026.day(date(2026, 5, 27)).map(|d| (d.kind, d.name.as_str())),
            Some((DayKind::Holiday, "Құрбан айт / Курбан айт"))
        );
        // 16 June 2024 was a Sunday: Monday 17 June stayed a working day
        let in_2024 = WorkCalendar::new(WorkCalendar::law_defaults(2024));
        assert!(in_2024.day(date(2024, 6, 16)).is_some());
        assert!(in_2024.is_working_day(date(2024, 6, 17)));
    }

    #[test]
    fn orthodox_christmas_on_a_weekend_is_not_moved() {
        // 7 January 2029 is a Sunday.
        let days = WorkCalendar::law_defaults(2029);
        assert!(
            days.iter()
                .any(|d| d.date == date(2029, 1, 7) && d.kind == DayKind::Holiday)
        );
        assert!(!days.iter().any(|d| d.date == date(2029, 1, 8)));
    }

    #[test]
    fn a_year_is_checked_before_it_is_kept() {
        let day = |date, kind, works_as| CalendarDay {
            date,
            kind,
            works_as,
            name: String::new(),
        };
        assert_eq!(check_year(2026, &WorkCalendar::law_defaults(2026)), Ok(()));
        assert_eq!(
            check_year(2027, &WorkCalendar::law_defaults(2026)),
            Err(CalendarError::NotInYear {
                date: date(2026, 1, 1),
                year: 2027
            })
        );
        assert_eq!(
            check_year(
                2026,
                &[day(date(2026, 12, 4), DayKind::DayOff, Some(Weekday::Mon))]
            ),
            Err(CalendarError::WorksAsOnlyForWorkingDay {
                date: date(2026, 12, 4)
            })
        );
        let twice = day(date(2026, 12, 4), DayKind::DayOff, None);
        assert_eq!(
            check_year(2026, &[twice.clone(), twice]),
            Err(CalendarError::Duplicate {
                date: date(2026, 12, 4)
            })
        );
    }

    #[test]
    fn a_worked_saturday_keeps_the_schedule_it_stands_for() {
        let calendar = WorkCalendar::new([
            CalendarDay {
                date: date(2026, 12, 19),
                kind: DayKind::WorkingDay,
                works_as: Some(Weekday::Mon),
                name: String::new(),
            },
            CalendarDay {
                date: date(2026, 12, 16),
                kind: DayKind::Holiday,
                works_as: None,
                name: String::new(),
            },
        ]);
        assert_eq!(calendar.works_as(date(2026, 12, 19)), Some(Weekday::Mon));
        assert!(calendar.is_working_day(date(2026, 12, 19)));
        assert_eq!(calendar.works_as(date(2026, 12, 16)), None);
        assert_eq!(calendar.works_as(date(2026, 12, 20)), Some(Weekday::Sun));
        assert!(!calendar.is_working_day(date(2026, 12, 20)));
        assert_eq!(calendar.next_working_day(date(2026, 12, 16)), date(2026, 12, 17));
        assert_eq!(calendar.next_working_day(date(2026, 12, 20)), date(2026, 12, 21));
    }
}
