//! A doctor's schedule (график приема): weekly templates, exceptions and the
//! working-day calendar, and the appointment slots they make (DOMAIN.md §3).
//!
//! Times are Kazakhstan wall-clock times (UTC+5, no daylight saving): what the
//! registrar says on the phone and prints on the slip.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::WorkCalendar;

text_enum!(
    /// What part of a working day a session is.
    SessionKind {
        /// Appointments at the clinic, cut into slots.
        Reception => "reception",
        /// Hours kept for home visits: no appointments.
        HomeVisits => "home_visits",
        /// A break inside or between sessions: no slot overlaps it.
        Break => "break",
    }
);

text_enum!(
    /// Why a staff member's days differ from the weekly template.
    ExceptionKind {
        Leave => "leave",
        SickLeave => "sick_leave",
        Training => "training",
        /// Different hours on those days: the exception's sessions replace the template's.
        ChangedHours => "changed_hours",
    }
);

/// One stretch of a working day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Session {
    /// The weekday it recurs on; ignored in an exception's sessions.
    pub weekday: Weekday,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub kind: SessionKind,
    /// The length of one appointment, for reception sessions.
    pub slot_minutes: u16,
    /// Where the doctor receives ("214"); `None` when not said.
    pub room: Option<String>,
}

impl Session {
    /// The same stretch of day on each of `weekdays` (a template is mostly
    /// "Monday to Friday, 08:00–12:00, reception").
    pub fn on_each(weekdays: &[Weekday], template: &Session) -> Vec<Session> {
        weekdays
            .iter()
            .map(|&weekday| Session {
                weekday,
                ..template.clone()
            })
            .collect()
    }
}

/// Monday to Friday.
pub const WORKING_WEEK: [Weekday; 5] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
];

/// A staff member's week, in force from `valid_from` until the next template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WeeklyTemplate {
    pub valid_from: NaiveDate,
    pub sessions: Vec<Session>,
}

/// Days that differ from the template: leave, sick days, one-off hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ScheduleException {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub kind: ExceptionKind,
    /// For [`ExceptionKind::ChangedHours`]: the day's sessions instead.
    #[serde(default)]
    pub sessions: Vec<Session>,
}

impl ScheduleException {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }
}

/// Everything that decides one staff member's slots.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StaffSchedule {
    /// Any order; the latest `valid_from` on or before a date is in force.
    pub templates: Vec<WeeklyTemplate>,
    pub exceptions: Vec<ScheduleException>,
}

/// Why a staff member does not work a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DayClosed {
    /// A holiday or day off in the calendar.
    Calendar,
    /// An exception: leave, sick leave, training.
    Exception { kind: ExceptionKind },
    /// No template in force yet, or no sessions that weekday.
    NotScheduled,
}

/// An appointment slot: one doctor's time from `starts` to `ends`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Slot {
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub room: Option<String>,
}

/// A template or exception that cannot be kept, with what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ScheduleError {
    #[error("a session on {weekday} ends ({ends}) before it starts ({starts})")]
    EndsBeforeStart {
        weekday: Weekday,
        starts: NaiveTime,
        ends: NaiveTime,
    },
    #[error("a reception session needs a slot length of 5 to 120 minutes, not {minutes}")]
    SlotLength { minutes: u16 },
    #[error("sessions on {weekday} overlap at {at}")]
    Overlap { weekday: Weekday, at: NaiveTime },
    #[error("the exception's last day {last_day} is before its first day {first_day}")]
    ExceptionBackwards {
        first_day: NaiveDate,
        last_day: NaiveDate,
    },
}

/// Checks a day's or a week's sessions: each ends after it starts, reception
/// slots are 5–120 minutes, and reception and home-visit sessions of one
/// weekday do not overlap (a break may lie inside a reception session).
pub fn check_sessions(sessions: &[Session]) -> Result<(), ScheduleError> {
    for session in sessions {
        if session.ends <= session.starts {
            return Err(ScheduleError::EndsBeforeStart {
                weekday: session.weekday,
                starts: session.starts,
                ends: session.ends,
            });
        }
        if session.kind == SessionKind::Reception && !(5..=120).contains(&session.slot_minutes) {
            return Err(ScheduleError::SlotLength {
                minutes: session.slot_minutes,
            });
        }
    }
    let mut working: Vec<&Session> = sessions.iter().filter(|s| s.kind != SessionKind::Break).collect();
    working.sort_by_key(|s| (s.weekday.num_days_from_monday(), s.starts));
    for pair in working.windows(2) {
        if let [a, b] = pair
            && a.weekday == b.weekday
            && b.starts < a.ends
        {
            return Err(ScheduleError::Overlap {
                weekday: b.weekday,
                at: b.starts,
            });
        }
    }
    Ok(())
}

pub fn check_exception(exception: &ScheduleException) -> Result<(), ScheduleError> {
    if exception.last_day < exception.first_day {
        return Err(ScheduleError::ExceptionBackwards {
            first_day: exception.first_day,
            last_day: exception.last_day,
        });
    }
    check_sessions(&exception.sessions)
}

impl StaffSchedule {
    /// The sessions worked on `date`, or why none are.
    pub fn day(&self, calendar: &WorkCalendar, date: NaiveDate) -> Result<Vec<&Session>, DayClosed> {
        let Some(weekday) = calendar.works_as(date) else {
            return Err(DayClosed::Calendar);
        };
        // The last exception entered wins where two cover the same day.
        if let Some(exception) = self.exceptions.iter().rev().find(|e| e.covers(date)) {
            return match exception.kind {
                ExceptionKind::ChangedHours => Ok(exception.sessions.iter().collect()),
                kind => Err(DayClosed::Exception { kind }),
            };
        }
        let template = self
            .templates
            .iter()
            .filter(|t| t.valid_from <= date)
            .max_by_key(|t| t.valid_from)
            .ok_or(DayClosed::NotScheduled)?;
        let mut sessions: Vec<&Session> = template
            .sessions
            .iter()
            .filter(|s| s.weekday == weekday)
            .collect();
        if sessions.is_empty() {
            return Err(DayClosed::NotScheduled);
        }
        sessions.sort_by_key(|s| s.starts);
        Ok(sessions)
    }

    /// The appointment slots of `date`, in time order. A slot that would run
    /// past its session's end or into a break is not made.
    pub fn slots_on(&self, calendar: &WorkCalendar, date: NaiveDate) -> Vec<Slot> {
        let mut slots = Vec::new();
        self.push_slots(calendar, date, &mut slots);
        slots
    }

    fn push_slots(&self, calendar: &WorkCalendar, date: NaiveDate, slots: &mut Vec<Slot>) {
        let Ok(sessions) = self.day(calendar, date) else {
            return;
        };
        for session in sessions.iter().filter(|s| s.kind == SessionKind::Reception) {
            let length = TimeDelta::minutes(i64::from(session.slot_minutes.max(1)));
            let mut starts = session.starts;
            loop {
                let (ends, wrapped) = starts.overflowing_add_signed(length);
                if wrapped != 0 || ends > session.ends {
                    break;
                }
                let in_break = sessions
                    .iter()
                    .any(|s| s.kind == SessionKind::Break && s.starts < ends && starts < s.ends);
                if !in_break {
                    slots.push(Slot {
                        starts: date.and_time(starts),
                        ends: date.and_time(ends),
                        room: session.room.clone(),
                    });
                }
                starts = ends;
            }
        }
        slots.sort_by_key(|slot| slot.starts);
    }

    /// The slots from `first_day` to `last_day`, both included, in time order.
    pub fn slots_between(
        &self,
        calendar: &WorkCalendar,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Vec<Slot> {
        let mut slots = Vec::new();
        for date in first_day.iter_days().take_while(|d| *d <= last_day) {
            self.push_slots(calendar, date, &mut slots);
        }
        slots
    }

    /// Up to `limit` slots starting at or after `after` that `is_taken` does
    /// not claim, looking no further than `horizon_days` days ahead.
    pub fn next_free_slots(
        &self,
        calendar: &WorkCalendar,
        after: NaiveDateTime,
        limit: usize,
        horizon_days: u32,
        mut is_taken: impl FnMut(NaiveDateTime) -> bool,
    ) -> Vec<Slot> {
        let mut free = Vec::with_capacity(limit);
        let mut day_slots = Vec::new();
        for date in after.date().iter_days().take(horizon_days as usize + 1) {
            day_slots.clear();
            self.push_slots(calendar, date, &mut day_slots);
            for slot in day_slots.drain(..) {
                if slot.starts >= after && !is_taken(slot.starts) {
                    free.push(slot);
                    if free.len() == limit {
                        return free;
                    }
                }
            }
        }
        free
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
    }

    #[test]
    fn overlapping_sessions_are_refused_but_a_break_inside_reception_is_not() {
        let session = |starts, ends, kind| Session {
            weekday: Weekday::Mon,
            starts,
            ends,
            kind,
            slot_minutes: 15,
            room: None,
        };
        assert_eq!(
            check_sessions(&[
                session(time(8, 0), time(12, 0), SessionKind::Reception),
                session(time(11, 0), time(13, 0), SessionKind::HomeVisits)
            ]),
            Err(ScheduleError::Overlap {
                weekday: Weekday::Mon,
                at: time(11, 0)
            })
        );
        assert_eq!(
            check_sessions(&[
                session(time(8, 0), time(12, 0), SessionKind::Reception),
                session(time(10, 0), time(10, 20), SessionKind::Break)
            ]),
            Ok(())
        );
    }
}
