//! What a new attachment ends, and who is refused before any rule.

use super::*;

fn base_case(history: &[PastAttachment], district_id: i64) -> AttachmentCase<'_> {
    AttachmentCase {
        ground: G::FreeChoice,
        consent_given: true,
        decided_at: kz(2026, 10, 1, 10, 0),
        person_died_on: None,
        history,
        clinic_bin: HERE,
        district_id,
    }
}

#[test]
fn an_attachment_ends_the_one_open_elsewhere() {
    let history = vec![
        past(
            ELSEWHERE,
            G::FirstAttachment,
            date(2010, 1, 1),
            Some(date(2015, 1, 1)),
        ),
        past("000240000011", G::ChangeOfResidence, date(2015, 1, 1), None),
    ];
    let decision = decide(&base_case(&history, 3), &AttachmentRules::default()).unwrap();
    assert_eq!(
        decision,
        Decision::Attach {
            decided_on: date(2026, 10, 1),
            effective_on: date(2026, 10, 1),
            ends: Some(1)
        }
    );
}

#[test]
fn the_attachment_a_new_one_ends_ends_as_a_district_change_here_or_as_attached_elsewhere() {
    let here = past(HERE, G::FirstAttachment, date(2010, 1, 1), None);
    let elsewhere = past(ELSEWHERE, G::FirstAttachment, date(2010, 1, 1), None);
    assert_eq!(ended_by_new_attachment(&here, HERE), EndReason::ChangedDistrict);
    assert_eq!(
        ended_by_new_attachment(&elsewhere, HERE),
        EndReason::AttachedElsewhere
    );
    assert_eq!(EndReason::ChangedDistrict.as_str(), "changed_district");
}

#[test]
fn already_attached_here_to_the_same_district_is_not_an_application() {
    let history = vec![past(HERE, G::FirstAttachment, date(2020, 1, 1), None)];
    assert_eq!(
        decide(&base_case(&history, 1), &AttachmentRules::default()),
        Err(AttachmentCaseError::AlreadyAttachedHere { district_id: Some(1) })
    );
    // choosing another doctor of this clinic in the campaign is a free choice
    let decision = decide(&base_case(&history, 2), &AttachmentRules::default()).unwrap();
    assert!(
        matches!(decision, Decision::Attach { ends: Some(0), .. }),
        "{decision:?}"
    );
}

#[test]
fn a_deceased_person_is_refused() {
    let history = attached_elsewhere();
    let case = AttachmentCase {
        person_died_on: Some(date(2026, 9, 30)),
        ..base_case(&history, 3)
    };
    assert!(matches!(
        decide(&case, &AttachmentRules::default()),
        Ok(Decision::Refuse {
            ground: R::PersonDeceased,
            ..
        })
    ));
}

#[test]
fn a_second_application_ends_the_pending_attachment_not_the_one_already_ending() {
    // chosen in a campaign effective 1 January: the old attachment ends then, the new one waits
    let history = vec![
        past(
            ELSEWHERE,
            G::FirstAttachment,
            date(2020, 1, 1),
            Some(date(2027, 1, 1)),
        ),
        PastAttachment {
            started_on: date(2027, 1, 1),
            ..past("000240000011", G::FreeChoice, date(2026, 9, 20), None)
        },
    ];
    let case = AttachmentCase {
        ground: G::ChangeOfResidence,
        decided_at: kz(2026, 12, 1, 10, 0),
        ..base_case(&history, 3)
    };
    let decision = decide(&case, &AttachmentRules::default()).unwrap();
    assert!(
        matches!(decision, Decision::Attach { ends: Some(1), .. }),
        "{decision:?}"
    );
}
