//! Home-call triage over the indications table, escalation, acceptance, repeat calls, the feldsher at a post.

use super::*;

#[test]
fn every_rule_of_the_triage_table() {
    let rules = TriageRules::seed_default();
    let cases: Vec<(&str, CallFacts, R, Vec<Why>, bool)> = vec![
        (
            "37.8 °C: the nurse",
            call(Some(37.8), &[], 40, false, false),
            R::Nurse,
            vec![Why::NonUrgent],
            false,
        ),
        (
            "exactly 38 °C: still the nurse",
            call(Some(38.0), &[], 40, false, false),
            R::Nurse,
            vec![Why::NonUrgent],
            false,
        ),
        (
            "38.5 °C: the doctor",
            call(Some(38.5), &[], 40, false, false),
            R::DistrictDoctor,
            vec![Why::HighTemperature],
            false,
        ),
        (
            "raised BP: the nurse",
            call(None, &[I::RaisedBloodPressure], 60, false, false),
            R::Nurse,
            vec![Why::NonUrgent],
            false,
        ),
        (
            "contact with infection: the doctor",
            call(None, &[I::InfectiousContact], 30, false, false),
            R::DistrictDoctor,
            vec![Why::DangerToOthers],
            false,
        ),
        (
            "a rash: the doctor",
            call(Some(37.2), &[I::Rash], 30, false, false),
            R::DistrictDoctor,
            vec![Why::DangerToOthers, Why::NonUrgent],
            false,
        ),
        (
            "after vaccination: the doctor",
            call(None, &[I::PostVaccinationDeterioration], 8, false, false),
            R::DistrictDoctor,
            vec![Why::PostVaccinationDeterioration],
            false,
        ),
        (
            "loss of consciousness: ambulance",
            call(None, &[I::LossOfConsciousness], 70, false, false),
            R::Ambulance,
            vec![Why::EmergencySign],
            false,
        ),
        (
            "bleeding: ambulance",
            call(None, &[I::Bleeding, I::RaisedBloodPressure], 50, false, false),
            R::Ambulance,
            vec![Why::EmergencySign, Why::NonUrgent],
            false,
        ),
        (
            "sudden sharp deterioration: ambulance",
            call(None, &[I::SuddenSharpDeterioration], 50, false, false),
            R::Ambulance,
            vec![Why::EmergencySign],
            false,
        ),
        (
            "the registrar's judgement: the doctor",
            call(Some(37.0), &[], 45, false, true),
            R::DistrictDoctor,
            vec![Why::RegistrarJudgement, Why::NonUrgent],
            false,
        ),
        (
            "a child of 4: at home, the nurse",
            call(Some(37.5), &[], 4, false, false),
            R::Nurse,
            vec![Why::NonUrgent, Why::YoungChild],
            true,
        ),
        (
            "a child of 5: no longer the age rule",
            call(Some(37.5), &[], 5, false, false),
            R::Nurse,
            vec![Why::NonUrgent],
            false,
        ),
        (
            "a child of 2 with 39 °C: the doctor, at home",
            call(Some(39.0), &[], 2, false, false),
            R::DistrictDoctor,
            vec![Why::HighTemperature, Why::YoungChild],
            true,
        ),
        (
            "pregnant, any deterioration: at home",
            call(None, &[], 28, true, false),
            R::Nurse,
            vec![Why::Pregnancy],
            true,
        ),
        (
            "pregnant and bleeding: ambulance",
            call(None, &[I::Bleeding], 28, true, false),
            R::Ambulance,
            vec![Why::EmergencySign, Why::Pregnancy],
            true,
        ),
        (
            "nothing ticked: the nurse",
            call(None, &[], 40, false, false),
            R::Nurse,
            vec![Why::NonUrgent],
            false,
        ),
    ];
    for (name, facts, goes, reasons, at_home) in cases {
        let answer = triage(&facts, &rules).unwrap();
        assert_eq!(answer.goes, goes, "{name}");
        assert_eq!(answer.reasons, reasons, "{name}");
        assert_eq!(answer.always_at_home, at_home, "{name}");
    }
}

#[test]
fn a_new_order_is_new_data() {
    // Suppose an order sends raised blood pressure to the doctor and keeps children at home until 6.
    let mut rules = TriageRules::seed_default();
    rules
        .indications
        .retain(|(indication, _)| *indication != I::RaisedBloodPressure);
    rules
        .indications
        .push((I::RaisedBloodPressure, R::DistrictDoctor));
    rules.home_for_children_under = 6;
    let answer = triage(&call(None, &[I::RaisedBloodPressure], 5, false, false), &rules).unwrap();
    assert_eq!(answer.goes, R::DistrictDoctor);
    assert!(answer.always_at_home);
}

#[test]
fn impossible_temperatures_are_refused() {
    let rules = TriageRules::seed_default();
    for celsius in [60.0, 25.0, 0.0] {
        assert_eq!(
            triage(&call(Some(celsius), &[], 30, false, false), &rules),
            Err(TriageError::ImplausibleTemperature { celsius })
        );
    }
}

#[test]
fn the_registrar_may_escalate_but_never_go_below_the_rule() {
    assert_eq!(escalate(R::Nurse, R::DistrictDoctor), Ok(R::DistrictDoctor));
    assert_eq!(
        escalate(R::DistrictDoctor, R::DistrictDoctor),
        Ok(R::DistrictDoctor)
    );
    assert_eq!(escalate(R::Nurse, R::Ambulance), Ok(R::Ambulance));
    assert_eq!(
        escalate(R::DistrictDoctor, R::Nurse),
        Err(TriageError::BelowRule {
            suggested: R::DistrictDoctor,
            chosen: R::Nurse
        })
    );
    assert!(escalate(R::Ambulance, R::DistrictDoctor).is_err());
}

#[test]
fn calls_from_persons_not_attached_are_taken_only_in_an_emergency() {
    let rules = TriageRules::seed_default();
    let emergency = triage(&call(None, &[I::LossOfConsciousness], 60, false, false), &rules).unwrap();
    let ordinary = triage(&call(Some(37.5), &[], 60, false, false), &rules).unwrap();
    let elsewhere = PersonStanding::AttachedElsewhere {
        clinic: Some(OtherClinic {
            bin: "000140000014".into(),
            name_kk: "№2".into(),
            name_ru: "№2".into(),
        }),
    };
    assert_eq!(
        accept_call(&PersonStanding::AttachedHere, &ordinary),
        Ok(CallAcceptance::Taken)
    );
    assert_eq!(
        accept_call(&PersonStanding::NotAttached, &emergency),
        Ok(CallAcceptance::EmergencyOnly)
    );
    assert_eq!(
        accept_call(&elsewhere, &emergency),
        Ok(CallAcceptance::EmergencyOnly)
    );
    assert_eq!(
        accept_call(&PersonStanding::NotAttached, &ordinary),
        Err(CallRefusal::NotAttached)
    );
    assert!(matches!(
        accept_call(&elsewhere, &ordinary),
        Err(CallRefusal::AttachedElsewhere { clinic: Some(_) })
    ));
}

#[test]
fn a_call_within_a_day_of_the_last_one_is_a_repeat() {
    use chrono::{TimeDelta, TimeZone, Utc};
    use emhana_domain::home_call::is_repeat_call;
    let at = |h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, 24, h, m, 0).unwrap();
    assert!(is_repeat_call(at(4, 0), at(4, 7)), "minutes apart");
    assert!(is_repeat_call(at(4, 0), at(4, 0) + TimeDelta::hours(24)));
    assert!(!is_repeat_call(at(4, 0), at(4, 1) + TimeDelta::hours(24)));
    assert!(
        !is_repeat_call(at(5, 0), at(4, 0)),
        "a call is not repeated by a later one"
    );
}

/// Whoever is sent to a call goes as what their role is, never below the rule.
#[test]
fn a_member_of_staff_sent_to_a_call_goes_as_their_role_allows() {
    use emhana_domain::clinic::StaffRole as Role;
    use emhana_domain::home_call::goes_as;
    let cases = [
        (Role::DistrictDoctor, R::Nurse, Some((R::DistrictDoctor, false))),
        (
            Role::DistrictDoctor,
            R::DistrictDoctor,
            Some((R::DistrictDoctor, false)),
        ),
        (Role::DistrictNurse, R::Nurse, Some((R::Nurse, false))),
        // below the rule: escalate refuses it afterwards
        (Role::DistrictNurse, R::DistrictDoctor, Some((R::Nurse, false))),
        (Role::Feldsher, R::Nurse, Some((R::Nurse, false))),
        // the post's feldsher takes a doctor's call, marked as one
        (Role::Feldsher, R::DistrictDoctor, Some((R::DistrictDoctor, true))),
        (Role::Registrar, R::Nurse, None),
        (Role::Head, R::Nurse, None),
    ];
    for (role, suggested, expected) in cases {
        assert_eq!(
            goes_as(role, suggested),
            expected,
            "{role:?} to a call for {suggested:?}"
        );
    }
    assert!(
        escalate(
            R::DistrictDoctor,
            goes_as(Role::DistrictNurse, R::DistrictDoctor).unwrap().0
        )
        .is_err()
    );
}

/// Issue 15: at a feldsher post a call the triage sends to the doctor went to
/// nobody. It goes to the feldsher, marked as a doctor's call.
#[test]
fn a_doctor_s_call_at_a_post_with_no_doctor_goes_to_the_feldsher_marked() {
    use emhana_domain::home_call::{Assignment, Responder, assign};
    let (feldsher, doctor) = (Some(7), Some(3));
    let cases = [
        (
            Responder::Nurse,
            feldsher,
            doctor,
            Assignment {
                staff: Some(7),
                doctor_level: false,
            },
        ),
        (
            Responder::DistrictDoctor,
            feldsher,
            doctor,
            Assignment {
                staff: Some(3),
                doctor_level: false,
            },
        ),
        // the post: no doctor on the district
        (
            Responder::DistrictDoctor,
            feldsher,
            None,
            Assignment {
                staff: Some(7),
                doctor_level: true,
            },
        ),
        (
            Responder::Nurse,
            feldsher,
            None,
            Assignment {
                staff: Some(7),
                doctor_level: false,
            },
        ),
        // a district with nobody: unassigned, and the journal says so
        (
            Responder::DistrictDoctor,
            None,
            None,
            Assignment {
                staff: None,
                doctor_level: false,
            },
        ),
        (
            Responder::Ambulance,
            feldsher,
            doctor,
            Assignment {
                staff: None,
                doctor_level: false,
            },
        ),
    ];
    for (goes, nurse, doctor, expected) in cases {
        assert_eq!(
            assign(goes, nurse, doctor),
            expected,
            "{goes:?} {nurse:?} {doctor:?}"
        );
    }
}
