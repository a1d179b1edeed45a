//! Care plans: patronage, antenatal and observation visits by the seed's schedules, regenerated, due and overdue, closed, made by an attended booking.

use super::*;

#[test]
fn a_newborn_gets_the_nine_child_visits_four_of_them_also_the_universal_ones() {
    let rules = PlanRules::seed_default();
    let born = date(2026, 1, 10);
    let event = PlanEvent::Newborn {
        born,
        discharged: date(2026, 1, 13),
        risk: false,
    };
    let visits = expand(&event, &rules, date(2026, 1, 14)).unwrap();
    let windows: Vec<(NaiveDate, NaiveDate)> = visits.iter().map(|v| (v.due_from, v.due_to)).collect();
    assert_eq!(
        windows,
        vec![
            (date(2026, 1, 13), date(2026, 1, 16)), // first 3 days after discharge
            (date(2026, 1, 17), date(2026, 1, 19)), // day 7 of life
            (date(2026, 2, 10), date(2026, 3, 10)), // 1–2 months
            (date(2026, 4, 10), date(2026, 4, 24)), // 3 months
            (date(2026, 7, 10), date(2026, 7, 24)), // 6 months
            (date(2027, 1, 10), date(2027, 2, 9)),  // 12 months
            (date(2027, 7, 10), date(2027, 8, 9)),  // 18 months
            (date(2028, 1, 10), date(2028, 2, 9)),  // 24 months
            (date(2029, 1, 10), date(2029, 2, 9)),  // 36 months
        ]
    );
    assert!(visits.iter().all(|v| v.who == VisitWho::Nurse));
    let universal = visits
        .iter()
        .filter(|v| v.purpose == VisitPurpose::NewbornPatronage)
        .count();
    assert_eq!(
        universal, 4,
        "1, 3, 6 and 12 months serve the universal newborn patronage too"
    );
}

#[test]
fn a_recorded_risk_adds_progressive_visits() {
    let rules = PlanRules::seed_default();
    let event = |risk| PlanEvent::Newborn {
        born: date(2026, 1, 10),
        discharged: date(2026, 1, 13),
        risk,
    };
    let plain = expand(&event(false), &rules, date(2026, 1, 14)).unwrap();
    let at_risk = expand(&event(true), &rules, date(2026, 1, 14)).unwrap();
    let progressive = at_risk
        .iter()
        .filter(|v| v.purpose == VisitPurpose::ProgressivePatronage)
        .count();
    assert_eq!(at_risk.len(), plain.len() + progressive);
    assert_eq!(progressive, 9);
    // every month of the first year has a visit
    for month in 1..12 {
        let start = date(2026, 1, 10)
            .checked_add_months(chrono::Months::new(month))
            .unwrap();
        let end = start.checked_add_months(chrono::Months::new(1)).unwrap();
        assert!(
            at_risk
                .iter()
                .any(|v| v.due_from >= start - chrono::TimeDelta::days(31) && v.due_from < end),
            "month {month}"
        );
    }
}

/// Seed 000: "первый - в течение 8-10 дней после получения информации из
/// женской консультации" and "второй – до 30-32 недели беременности".
#[test]
fn a_registered_pregnancy_gets_two_antenatal_visits() {
    let rules = PlanRules::seed_default();
    // Reported on 2 March 2026 at 10 weeks: pregnancy began on 22 December 2025.
    let event = PlanEvent::PregnancyRegistered {
        reported: date(2026, 3, 2),
        weeks_at_report: 10,
    };
    let visits = expand(&event, &rules, date(2026, 3, 2)).unwrap();
    let windows: Vec<(NaiveDate, NaiveDate)> = visits.iter().map(|v| (v.due_from, v.due_to)).collect();
    assert_eq!(
        windows,
        vec![
            (date(2026, 3, 2), date(2026, 3, 12)), // within 8–10 days of the report: due at once
            (date(2026, 7, 20), date(2026, 8, 3)), // weeks 30–32
        ]
    );
    assert!(
        visits
            .iter()
            .all(|v| v.purpose == VisitPurpose::AntenatalPatronage)
    );
    // due from the report, overdue after day 10; the second due from week 30, overdue after week 32
    let state = |i: usize, day| visit_state(visits[i].due_from, visits[i].due_to, false, day);
    assert_eq!(
        state(0, date(2026, 3, 2)),
        VisitState::Due,
        "not planned until day 8"
    );
    assert_eq!(state(0, date(2026, 3, 13)), VisitState::Overdue);
    assert_eq!(state(1, date(2026, 7, 19)), VisitState::Planned);
    assert_eq!(state(1, date(2026, 8, 4)), VisitState::Overdue);
    // the table says how the seed's words were read, for whoever edits it
    let readings: Vec<_> = rules
        .antenatal
        .iter()
        .chain(&rules.child[..2])
        .map(|rule| rule.reading.as_deref().unwrap_or(""))
        .collect();
    for (reading, words) in
        readings
            .iter()
            .zip(["8-10 дней", "30-32 недели", "3 дня после выписки", "7 дней жизни"])
    {
        assert!(reading.contains(words), "{reading:?}");
    }
}

#[test]
fn observation_cadences_by_condition_and_risk() {
    let rules = PlanRules::seed_default();
    let enrolled = date(2026, 1, 15);
    let count = |condition, risk, who| {
        expand(
            &PlanEvent::Observation {
                condition,
                risk,
                enrolled,
                basis: None,
            },
            &rules,
            enrolled,
        )
        .unwrap()
        .iter()
        .filter(|v| v.who == who)
        .count()
    };
    use Condition::*;
    use VisitWho::*;
    // a year ahead: every 3 months is 4 visits, every 6 months 2, yearly 1, monthly 12
    let cases = [
        (ArterialHypertension, RiskLevel::Medium, Nurse, 4),
        (ArterialHypertension, RiskLevel::Medium, DistrictDoctor, 2),
        (ArterialHypertension, RiskLevel::Medium, Tests, 1),
        (ArterialHypertension, RiskLevel::High, Nurse, 12),
        (ArterialHypertension, RiskLevel::VeryHigh, DistrictDoctor, 4),
        (ArterialHypertension, RiskLevel::High, Specialist, 0),
        (ChronicHeartFailure, RiskLevel::Medium, Nurse, 4),
        (ChronicHeartFailure, RiskLevel::Medium, DistrictDoctor, 2),
        (ChronicHeartFailure, RiskLevel::Medium, Specialist, 1),
        // ЛПНП и ЭхоКГ every 6 months (2), Holter & co yearly (1), HbA1c every 3 months (4)
        (ChronicHeartFailure, RiskLevel::Medium, Tests, 7),
        (Diabetes2, RiskLevel::Low, Nurse, 4),
        (Diabetes2, RiskLevel::Low, DistrictDoctor, 2),
        (Diabetes2, RiskLevel::Low, Specialist, 1),
        // HbA1c, creatinine, lipids every 3 months (4); ophthalmoscopy and EMG yearly (1)
        (Diabetes2, RiskLevel::Low, Tests, 5),
    ];
    for (condition, risk, who, expected) in cases {
        assert_eq!(
            count(condition, risk, who),
            expected,
            "{condition:?} {risk:?} {who:?}"
        );
    }
    let first = expand(
        &PlanEvent::Observation {
            condition: Diabetes2,
            risk: RiskLevel::Low,
            enrolled,
            basis: None,
        },
        &rules,
        enrolled,
    )
    .unwrap();
    assert_eq!(
        (first[0].due_from, first[0].due_to),
        (date(2026, 4, 15), date(2026, 4, 29))
    );
}

/// Seed 000 gives every line of its observation tables as a cadence with no
/// end: the plan keeps planning for as long as the person is observed.
#[test]
fn every_line_of_the_seed_s_observation_tables_is_a_cadence() {
    let rules = PlanRules::seed_default();
    let every = |condition, what: &str| {
        rules
            .observation
            .iter()
            .filter(|c| c.condition == condition && c.what.contains(what))
            .map(|c| c.every_months)
            .collect::<Vec<_>>()
    };
    use Condition::*;
    // "1 раз в два года проводится суточное мониторирование артериального давления (24 часа) и эхокардиография"
    assert_eq!(every(ArterialHypertension, "СМАД (24 часа), ЭхоКГ"), [24]);
    // "1 раз в год ... общий анализ мочи, ... липопротеидов низкой плотности и электрокардиография"
    assert_eq!(every(ArterialHypertension, "Моча, ЛПНП, ЭКГ"), [12]);
    // "1 раз в год проводится холтеровское мониторирование ... и тредмил тест, а также
    // электрокардиограмма, эхокардиография, офтальмоскопия с широким зрачком, электромиография, ... креатинин"
    assert_eq!(
        every(
            ChronicHeartFailure,
            "Холтер, тредмил-тест, ЭКГ, ЭхоКГ, офтальмоскопия, ЭМГ, креатинин"
        ),
        [12]
    );
    // "1 раз в 3 месяца определение гликированного гемоглобина в крови (СН)"
    assert_eq!(every(ChronicHeartFailure, "гликированный гемоглобин"), [3]);
    // "1 раз в год офтальмоскопия с широким зрачком и электромиография"
    assert_eq!(every(Diabetes2, "Офтальмоскопия с широким зрачком, ЭМГ"), [12]);
}

/// A hypertensive patient enrolled two years ago is still observed: as days
/// pass the plan is planned ahead, and today a nurse visit and the biennial
/// monitoring are due.
#[test]
fn observation_goes_on_for_as_long_as_the_person_is_observed() {
    let rules = PlanRules::seed_default();
    let enrolled = date(2024, 11, 24);
    let event = PlanEvent::Observation {
        condition: Condition::ArterialHypertension,
        risk: RiskLevel::Medium,
        enrolled,
        basis: None,
    };
    let opened = expand(&event, &rules, enrolled).unwrap();
    let planned_through = rules.observation_planned_through(enrolled);
    assert!(opened.iter().all(|v| v.due_from <= planned_through));
    let today = date(2026, 11, 24);
    let next = plan_ahead(&event, &rules, planned_through, today).unwrap();
    assert!(
        next.iter()
            .all(|v| v.due_from > planned_through && v.due_from <= date(2027, 11, 24))
    );
    let due_today: Vec<_> = next
        .iter()
        .filter(|v| visit_state(v.due_from, v.due_to, false, today) == VisitState::Due)
        .map(|v| (v.who, v.what.as_deref().unwrap_or("")))
        .collect();
    assert!(
        due_today.contains(&(VisitWho::Nurse, "АҚ, ЖСЖ / АД, ЧСС")),
        "{due_today:?}"
    );
    assert!(
        due_today
            .iter()
            .any(|(who, what)| *who == VisitWho::Tests && what.contains("СМАД")),
        "{due_today:?}"
    );
    // nothing is planned twice, and a plan of another kind is planned whole when opened
    let again = plan_ahead(&event, &rules, rules.observation_planned_through(today), today).unwrap();
    assert!(again.is_empty());
    let newborn = PlanEvent::Newborn {
        born: date(2026, 11, 1),
        discharged: date(2026, 11, 4),
        risk: false,
    };
    assert!(
        plan_ahead(&newborn, &rules, date(2026, 11, 4), today)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn events_that_cannot_be_planned_are_refused() {
    let rules = PlanRules::seed_default();
    let today = date(2026, 3, 1);
    // seed 000: taken on "на основании одного из трех документов" — the document comes first
    let basis = |dated| {
        Some(emhana_domain::care_plan::EnrolmentBasis {
            document: emhana_domain::care_plan::BasisDocument::DischargeSummary,
            dated,
        })
    };
    let enrolled_on = |basis| PlanEvent::Observation {
        condition: Condition::ArterialHypertension,
        risk: RiskLevel::Low,
        enrolled: date(2026, 2, 10),
        basis,
    };
    assert!(expand(&enrolled_on(basis(date(2026, 2, 3))), &rules, today).is_ok());
    assert_eq!(
        expand(&enrolled_on(basis(date(2026, 2, 11))), &rules, today),
        Err(PlanError::BasisAfterEnrolment {
            dated: date(2026, 2, 11),
            enrolled: date(2026, 2, 10)
        })
    );
    assert_eq!(
        expand(
            &PlanEvent::Newborn {
                born: date(2026, 2, 10),
                discharged: date(2026, 2, 1),
                risk: false
            },
            &rules,
            today
        ),
        Err(PlanError::DischargeBeforeBirth {
            born: date(2026, 2, 10),
            discharged: date(2026, 2, 1)
        })
    );
    assert_eq!(
        expand(
            &PlanEvent::PregnancyRegistered {
                reported: date(2026, 2, 1),
                weeks_at_report: 50
            },
            &rules,
            today
        ),
        Err(PlanError::PregnancyWeeks { weeks: 50 })
    );
    assert!(matches!(
        expand(
            &PlanEvent::Observation {
                condition: Condition::Diabetes2,
                risk: RiskLevel::Low,
                enrolled: date(2026, 5, 1),
                basis: None,
            },
            &rules,
            today
        ),
        Err(PlanError::InFuture { .. })
    ));
}

#[test]
fn a_changed_risk_regenerates_the_future_and_keeps_the_past() {
    let rules = PlanRules::seed_default();
    let enrolled = date(2026, 1, 15);
    let event = |risk| PlanEvent::Observation {
        condition: Condition::ArterialHypertension,
        risk,
        enrolled,
        basis: None,
    };
    let medium = expand(&event(RiskLevel::Medium), &rules, enrolled).unwrap();
    // By 1 May the April nurse visit was done; the risk is found high.
    let kept: Vec<KeptVisit> = medium
        .iter()
        .map(|visit| KeptVisit {
            closed: visit.due_from < date(2026, 5, 1),
            visit: visit.clone(),
        })
        .collect();
    let high = expand(&event(RiskLevel::High), &rules, enrolled).unwrap();
    let plan = regenerate(&kept, &high, date(2026, 5, 1));
    let past: Vec<_> = plan
        .iter()
        .filter(|v| v.visit.due_from < date(2026, 5, 1))
        .collect();
    assert_eq!(past.len(), 1, "the April nurse visit kept as it was");
    assert!(past[0].closed);
    let future_nurse = plan
        .iter()
        .filter(|v| v.visit.due_from >= date(2026, 5, 1) && v.visit.who == VisitWho::Nurse)
        .count();
    assert_eq!(future_nurse, 9, "monthly from May 15 to January 15");
}

#[test]
fn one_definition_of_due_and_overdue() {
    let (from, to) = (date(2026, 4, 15), date(2026, 4, 29));
    let cases = [
        (date(2026, 4, 14), false, VisitState::Planned),
        (date(2026, 4, 15), false, VisitState::Due),
        (date(2026, 4, 29), false, VisitState::Due),
        (date(2026, 4, 30), false, VisitState::Overdue),
        (date(2026, 4, 30), true, VisitState::Closed),
    ];
    for (today, closed, state) in cases {
        assert_eq!(visit_state(from, to, closed, today), state, "{today}");
    }
    assert!(VisitOutcome::Done.closes() && VisitOutcome::Refused.closes());
    assert!(!VisitOutcome::NotAtHome.closes() && !VisitOutcome::Moved.closes());
}

/// Seed 000: patronage "всех новорожденных и детей до 3-лет"; a plan of a
/// person who dies or leaves the clinic closes with that reason.
#[test]
fn plans_close_at_three_years_on_a_death_or_on_leaving_the_clinic() {
    use emhana_domain::care_plan::{PlanClosure, PlanKind, PlanStanding, plan_closure};
    let today = date(2026, 11, 24);
    let child = |born, every_visit_closed| PlanStanding {
        kind: PlanKind::ChildPatronage,
        born,
        died_on: None,
        left_on: None,
        every_visit_closed,
    };
    let cases = [
        (child(date(2024, 1, 10), false), None),
        (
            child(date(2023, 11, 24), false),
            Some((PlanClosure::Completed, date(2026, 11, 24))),
        ),
        (
            child(date(2023, 5, 2), false),
            Some((PlanClosure::Completed, date(2026, 5, 2))),
        ),
        (
            child(date(2024, 1, 10), true),
            Some((PlanClosure::Completed, today)),
        ),
        (
            PlanStanding {
                died_on: Some(date(2026, 10, 5)),
                ..child(date(2024, 1, 10), false)
            },
            Some((PlanClosure::Died, date(2026, 10, 5))),
        ),
        (
            PlanStanding {
                kind: PlanKind::Observation,
                left_on: Some(date(2026, 11, 1)),
                ..child(date(1960, 1, 1), false)
            },
            Some((PlanClosure::LeftClinic, date(2026, 11, 1))),
        ),
        // observation goes on while the person is observed; a pregnancy ends only when recorded
        (
            PlanStanding {
                kind: PlanKind::Observation,
                ..child(date(1960, 1, 1), true)
            },
            None,
        ),
        (
            PlanStanding {
                kind: PlanKind::Antenatal,
                ..child(date(1995, 1, 1), true)
            },
            None,
        ),
        // a death recorded for a later day (never happens) does not close it yet
        (
            PlanStanding {
                died_on: Some(date(2026, 12, 1)),
                ..child(date(2024, 1, 10), false)
            },
            None,
        ),
    ];
    for (standing, expected) in cases {
        assert_eq!(plan_closure(&standing, today), expected, "{standing:?}");
    }
}

/// Seed 000: "осмотр участковым врачом 1 раз в 6 месяцев", "1 раз в год
/// кардиологом" — made at reception: an attended booking closes them.
#[test]
fn a_booking_the_person_came_to_makes_the_doctor_s_or_specialist_s_visit() {
    use emhana_domain::care_plan::{Attendance, closed_by_attendance};
    let due_from = date(2026, 11, 20);
    let with = |day, district_doctor, specialty| Attendance {
        day,
        district_doctor,
        specialty,
    };
    let cases = [
        (
            VisitWho::DistrictDoctor,
            None,
            with(date(2026, 11, 24), true, Some("therapist")),
            true,
        ),
        (
            VisitWho::DistrictDoctor,
            None,
            with(date(2026, 11, 19), true, Some("therapist")),
            false,
        ),
        (
            VisitWho::DistrictDoctor,
            None,
            with(date(2026, 11, 24), false, Some("cardiologist")),
            false,
        ),
        (
            VisitWho::Specialist,
            Some("cardiologist"),
            with(date(2026, 12, 1), false, Some("cardiologist")),
            true,
        ),
        (
            VisitWho::Specialist,
            Some("cardiologist"),
            with(date(2026, 12, 1), false, Some("endocrinologist")),
            false,
        ),
        (
            VisitWho::Specialist,
            None,
            with(date(2026, 12, 1), false, Some("cardiologist")),
            false,
        ),
        (VisitWho::Nurse, None, with(date(2026, 11, 24), true, None), false),
        (VisitWho::Tests, None, with(date(2026, 11, 24), true, None), false),
    ];
    for (who, specialty, attended, closes) in cases {
        assert_eq!(
            closed_by_attendance(who, specialty, due_from, &attended),
            closes,
            "{who:?} {specialty:?} {attended:?}"
        );
    }
    // the seed's specialists are named by their specialty
    let rules = PlanRules::seed_default();
    let specialties: Vec<_> = rules
        .observation
        .iter()
        .filter(|c| c.who == VisitWho::Specialist)
        .map(|c| (c.condition, c.specialty.as_deref()))
        .collect();
    assert_eq!(
        specialties,
        [
            (Condition::ChronicHeartFailure, Some("cardiologist")),
            (Condition::Diabetes2, Some("endocrinologist"))
        ]
    );
}
