//! Schedules, slots and the booking decision, case by case (DOMAIN.md §3, §9;
//! seed 002 "Запись на прием к врачу").
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use emhana_domain::booking::{
    BookingFacts, BookingRefusal as R, BookingStatus as S, OtherClinic, PersonStanding, StatusRefusal,
    VisitCategory, VisitReason, change_status, check_booking, masked_iin,
};
use emhana_domain::calendar::{CalendarDay, DayKind, WorkCalendar};
use emhana_domain::schedule::{
    DayClosed, ExceptionKind, ScheduleException, Session, SessionKind, Slot, StaffSchedule, WORKING_WEEK,
    WeeklyTemplate,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn at(d: NaiveDate, h: u32, m: u32) -> NaiveDateTime {
    d.and_time(time(h, m))
}

fn session(weekday: Weekday, from: (u32, u32), to: (u32, u32), kind: SessionKind) -> Session {
    Session {
        weekday,
        starts: time(from.0, from.1),
        ends: time(to.0, to.1),
        kind,
        slot_minutes: 15,
        room: Some("214".into()),
    }
}

/// A district therapist's usual week: mornings at the clinic with a tea
/// break, afternoons on home visits; Saturday a short reception.
fn therapist() -> StaffSchedule {
    let mut sessions = Vec::new();
    for (from, to, kind) in [
        ((8, 0), (12, 0), SessionKind::Reception),
        ((10, 0), (10, 15), SessionKind::Break),
        ((13, 0), (16, 0), SessionKind::HomeVisits),
    ] {
        sessions.extend(Session::on_each(
            &WORKING_WEEK,
            &session(Weekday::Mon, from, to, kind),
        ));
    }
    sessions.push(session(Weekday::Sat, (9, 0), (11, 0), SessionKind::Reception));
    StaffSchedule {
        templates: vec![WeeklyTemplate {
            valid_from: date(2026, 1, 1),
            sessions,
        }],
        exceptions: vec![],
    }
}

fn calendar() -> WorkCalendar {
    let mut days = WorkCalendar::law_defaults(2026);
    // A decree's transfer: Saturday 19 December worked as a Monday.
    days.push(CalendarDay {
        date: date(2026, 12, 19),
        kind: DayKind::WorkingDay,
        works_as: Some(Weekday::Mon),
        name: String::new(),
    });
    WorkCalendar::new(days)
}

fn starts(slots: &[Slot]) -> Vec<NaiveDateTime> {
    slots.iter().map(|slot| slot.starts).collect()
}

#[test]
fn a_weekday_morning_is_cut_into_slots_around_the_break() {
    let slots = therapist().slots_on(&calendar(), date(2026, 11, 24));
    // 08:00–12:00 by 15 minutes is 16 slots; the 10:00 slot is the break.
    assert_eq!(slots.len(), 15);
    assert_eq!(slots[0].starts, at(date(2026, 11, 24), 8, 0));
    assert_eq!(slots[0].ends, at(date(2026, 11, 24), 8, 15));
    assert!(!starts(&slots).contains(&at(date(2026, 11, 24), 10, 0)));
    assert_eq!(slots[8].starts, at(date(2026, 11, 24), 10, 15));
    assert_eq!(slots.last().unwrap().ends, at(date(2026, 11, 24), 12, 0));
    assert_eq!(slots[0].room.as_deref(), Some("214"));
}

#[test]
fn a_break_cuts_every_slot_it_touches_and_a_slot_never_runs_past_the_session() {
    let mut schedule = therapist();
    let sessions = &mut schedule.templates[0].sessions;
    sessions.retain(|s| s.weekday != Weekday::Tue);
    let mut odd = session(Weekday::Tue, (8, 0), (9, 10), SessionKind::Reception);
    odd.slot_minutes = 20;
    sessions.push(odd);
    sessions.push(session(Weekday::Tue, (8, 30), (8, 45), SessionKind::Break));
    let slots = schedule.slots_on(&calendar(), date(2026, 11, 24));
    // 08:00–08:20 fits, 08:20–08:40 and 08:40–09:00 touch the break, 09:00–09:20 runs past 09:10.
    assert_eq!(starts(&slots), vec![at(date(2026, 11, 24), 8, 0)]);
}

#[test]
fn days_closed_say_why() {
    let mut schedule = therapist();
    schedule.exceptions.push(ScheduleException {
        first_day: date(2026, 12, 1),
        last_day: date(2026, 12, 14),
        kind: ExceptionKind::Leave,
        sessions: vec![],
    });
    let calendar = calendar();
    let cases = [
        // Independence Day
        (date(2026, 12, 16), Err(DayClosed::Calendar)),
        (
            date(2026, 12, 2),
            Err(DayClosed::Exception {
                kind: ExceptionKind::Leave,
            }),
        ),
        (date(2026, 11, 29), Err(DayClosed::NotScheduled)),
        // before the first template
        (date(2025, 12, 30), Err(DayClosed::NotScheduled)),
    ];
    for (day, expected) in cases {
        assert_eq!(schedule.day(&calendar, day).map(|s| s.len()), expected, "{day}");
    }
    assert!(schedule.slots_on(&calendar, date(2026, 12, 16)).is_empty());
}

#[test]
fn a_worked_saturday_has_the_monday_schedule() {
    let slots = therapist().slots_on(&calendar(), date(2026, 12, 19));
    assert_eq!(slots.len(), 15);
    assert_eq!(slots[0].starts, at(date(2026, 12, 19), 8, 0));
    // an ordinary Saturday keeps its own short reception
    assert_eq!(therapist().slots_on(&calendar(), date(2026, 12, 12)).len(), 8);
}

#[test]
fn changed_hours_replace_the_day_and_the_last_exception_entered_wins() {
    let mut schedule = therapist();
    schedule.exceptions.push(ScheduleException {
        first_day: date(2026, 11, 25),
        last_day: date(2026, 11, 26),
        kind: ExceptionKind::SickLeave,
        sessions: vec![],
    });
    schedule.exceptions.push(ScheduleException {
        first_day: date(2026, 11, 26),
        last_day: date(2026, 11, 26),
        kind: ExceptionKind::ChangedHours,
        sessions: vec![session(Weekday::Mon, (14, 0), (15, 0), SessionKind::Reception)],
    });
    let calendar = calendar();
    assert!(schedule.slots_on(&calendar, date(2026, 11, 25)).is_empty());
    assert_eq!(
        starts(&schedule.slots_on(&calendar, date(2026, 11, 26))),
        vec![
            at(date(2026, 11, 26), 14, 0),
            at(date(2026, 11, 26), 14, 15),
            at(date(2026, 11, 26), 14, 30),
            at(date(2026, 11, 26), 14, 45)
        ]
    );
}

#[test]
fn a_new_template_takes_over_from_its_first_day() {
    let mut schedule = therapist();
    schedule.templates.push(WeeklyTemplate {
        valid_from: date(2026, 12, 1),
        sessions: vec![session(Weekday::Tue, (14, 0), (18, 0), SessionKind::Reception)],
    });
    let calendar = calendar();
    assert_eq!(
        schedule.slots_on(&calendar, date(2026, 11, 24))[0].starts,
        at(date(2026, 11, 24), 8, 0)
    );
    assert_eq!(
        schedule.slots_on(&calendar, date(2026, 12, 1))[0].starts,
        at(date(2026, 12, 1), 14, 0)
    );
    assert!(schedule.slots_on(&calendar, date(2026, 12, 2)).is_empty());
}

#[test]
fn slots_between_cover_both_ends_in_time_order() {
    let slots = therapist().slots_between(&calendar(), date(2026, 11, 23), date(2026, 11, 29));
    // five weekdays of 15 and a Saturday of 8
    assert_eq!(slots.len(), 5 * 15 + 8);
    assert!(slots.windows(2).all(|pair| pair[0].starts < pair[1].starts));
}

#[test]
fn next_free_slots_skip_the_taken_the_past_and_closed_days() {
    let schedule = therapist();
    let calendar = calendar();
    let now = at(date(2026, 11, 24), 11, 20);
    let taken = [at(date(2026, 11, 24), 11, 30)];
    let free = schedule.next_free_slots(&calendar, now, 4, 28, |starts| taken.contains(&starts));
    assert_eq!(
        starts(&free),
        vec![
            at(date(2026, 11, 24), 11, 45),
            at(date(2026, 11, 25), 8, 0),
            at(date(2026, 11, 25), 8, 15),
            at(date(2026, 11, 25), 8, 30)
        ]
    );
    // On the eve of Independence Day the next slot is the day after it.
    let free = schedule.next_free_slots(&calendar, at(date(2026, 12, 15), 12, 0), 1, 28, |_| false);
    assert_eq!(starts(&free), vec![at(date(2026, 12, 17), 8, 0)]);
    // Nothing within the horizon: an empty answer, not an endless search.
    let on_leave = StaffSchedule {
        templates: vec![],
        exceptions: vec![],
    };
    assert!(
        on_leave
            .next_free_slots(&calendar, now, 5, 28, |_| false)
            .is_empty()
    );
}

#[test]
fn the_booking_decision_case_by_case() {
    let day = date(2026, 11, 25);
    let slots = therapist().slots_on(&calendar(), day);
    let now = at(date(2026, 11, 24), 15, 0);
    let facts = |standing: PersonStanding, slot_taken: bool, same_day: Option<NaiveDateTime>| BookingFacts {
        now,
        standing,
        day_slots: &slots,
        slot_taken,
        same_day_booking: same_day,
    };
    let here = || PersonStanding::AttachedHere;
    let other = OtherClinic {
        bin: "000140000014".into(),
        name_kk: "№2 емхана".into(),
        name_ru: "Поликлиника №2".into(),
    };
    let cases: Vec<(&str, NaiveDateTime, BookingFacts, Result<NaiveDateTime, R>)> = vec![
        (
            "a free slot tomorrow",
            at(day, 9, 0),
            facts(here(), false, None),
            Ok(at(day, 9, 0)),
        ),
        (
            "attached elsewhere, named",
            at(day, 9, 0),
            facts(
                PersonStanding::AttachedElsewhere {
                    clinic: Some(other.clone()),
                },
                false,
                None,
            ),
            Err(R::AttachedElsewhere {
                clinic: Some(other.clone()),
            }),
        ),
        (
            "not attached",
            at(day, 9, 0),
            facts(PersonStanding::NotAttached, false, None),
            Err(R::NotAttached),
        ),
        (
            "died",
            at(day, 9, 0),
            facts(PersonStanding::Deceased, false, None),
            Err(R::PersonDeceased),
        ),
        (
            "a slot already begun",
            at(date(2026, 11, 24), 14, 45),
            facts(here(), false, None),
            Err(R::SlotInPast {
                starts: at(date(2026, 11, 24), 14, 45),
            }),
        ),
        (
            "the break",
            at(day, 10, 0),
            facts(here(), false, None),
            Err(R::OutsideSchedule {
                starts: at(day, 10, 0),
            }),
        ),
        (
            "home-visit hours",
            at(day, 14, 0),
            facts(here(), false, None),
            Err(R::OutsideSchedule {
                starts: at(day, 14, 0),
            }),
        ),
        (
            "between slots",
            at(day, 9, 5),
            facts(here(), false, None),
            Err(R::OutsideSchedule {
                starts: at(day, 9, 5),
            }),
        ),
        (
            "taken",
            at(day, 9, 0),
            facts(here(), true, None),
            Err(R::SlotTaken {
                starts: at(day, 9, 0),
            }),
        ),
        (
            "second booking that day",
            at(day, 9, 0),
            facts(here(), false, Some(at(day, 11, 0))),
            Err(R::AlreadyBookedThatDay {
                existing: at(day, 11, 0),
            }),
        ),
    ];
    for (name, starts, facts, expected) in cases {
        assert_eq!(
            check_booking(starts, &facts).map(|slot| slot.starts),
            expected,
            "{name}"
        );
    }
    assert_eq!(R::NotAttached.field(), "person");
    assert_eq!(R::SlotTaken { starts: now }.field(), "slot");
}

#[test]
fn status_changes_case_by_case() {
    let visit = date(2026, 11, 25);
    let cases = [
        (S::Booked, S::Arrived, visit, Ok(())),
        (S::Booked, S::NoShow, date(2026, 11, 26), Ok(())),
        (
            S::Booked,
            S::Arrived,
            date(2026, 11, 24),
            Err(StatusRefusal::NotYetTheDay { day: visit }),
        ),
        (S::Booked, S::Cancelled, date(2026, 11, 20), Ok(())),
        (S::NoShow, S::Arrived, visit, Ok(())),
        (S::Arrived, S::NoShow, visit, Ok(())),
        (
            S::Cancelled,
            S::Booked,
            visit,
            Err(StatusRefusal::NotFrom {
                from: S::Cancelled,
                to: S::Booked,
            }),
        ),
        (
            S::Moved,
            S::Arrived,
            visit,
            Err(StatusRefusal::NotFrom {
                from: S::Moved,
                to: S::Arrived,
            }),
        ),
        (
            S::Arrived,
            S::Cancelled,
            visit,
            Err(StatusRefusal::NotFrom {
                from: S::Arrived,
                to: S::Cancelled,
            }),
        ),
    ];
    for (from, to, today, expected) in cases {
        assert_eq!(
            change_status(from, to, visit, today),
            expected,
            "{from} → {to} on {today}"
        );
    }
    assert!(S::Booked.is_active() && S::Arrived.is_active());
    assert!(!S::NoShow.is_active() && !S::Cancelled.is_active() && !S::Moved.is_active());
}

#[test]
fn every_reason_of_seed_000_has_its_category() {
    let count = |category| {
        VisitReason::ALL
            .iter()
            .filter(|r| r.category() == category)
            .count()
    };
    assert_eq!(count(VisitCategory::Disease), 6);
    assert_eq!(count(VisitCategory::Injury), 2);
    assert_eq!(count(VisitCategory::DynamicObservation), 1);
    assert_eq!(count(VisitCategory::MedicoSocial), 2);
    assert_eq!(count(VisitCategory::Administrative), 2);
    assert_eq!(count(VisitCategory::Prevention), 10);
}

#[test]
fn a_slip_shows_only_the_last_four_digits() {
    assert_eq!(masked_iin("780322300458"), "********0458");
}
