//! Registering persons: found at once, never twice, a child in the mother's household.

use super::*;

#[tokio::test]
async fn a_new_person_is_registered_found_and_never_twice() {
    let (_dir, workstation, _) = loaded().await;
    let before = count(&workstation, "person").await;
    let id = workstation
        .register_person(&registration(), in_campaign())
        .await
        .unwrap();
    assert_eq!(count(&workstation, "person").await, before + 1);
    let found = workstation.search("нурланова айгерим", 5).await.unwrap();
    assert_eq!(
        found.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![id],
        "folded name search finds her"
    );

    let audit = count(&workstation, "audit_event").await;
    let again = workstation
        .register_person(&registration(), in_campaign())
        .await
        .unwrap_err();
    assert_eq!(
        field_problems(again),
        vec![(Field::Iin, FieldProblem::AlreadyRegistered { person_id: id })]
    );
    assert_eq!(count(&workstation, "person").await, before + 1, "nothing written");
    assert_eq!(
        count(&workstation, "audit_event").await,
        audit,
        "no audit event either"
    );
}

#[tokio::test]
async fn a_child_joins_the_mothers_household() {
    let (_dir, workstation, _) = loaded().await;
    let mother_iin = fixture::iin(date(1981, 7, 9), Sex::Female).to_string(); // Әлібекова Айгерім
    let child_iin = fixture::iin(date(2026, 8, 1), Sex::Female).to_string();
    let form = RegistrationForm {
        iin: child_iin,
        surname: "Әлібекова".into(),
        first_name: "Аружан".into(),
        patronymic: "Қайратқызы".into(),
        birth_date: None,
        sex: None,
        document_kind: Some(DocumentKind::BirthCertificate),
        document_issued_on: Some(date(2026, 8, 10)),
        mother_iin: mother_iin.clone(),
        ..registration()
    };
    let id = workstation.register_person(&form, in_campaign()).await.unwrap();
    let card = workstation.person_card(id, date(2026, 10, 1)).await.unwrap();
    assert!(
        card.household.iter().any(|m| m.iin == mother_iin),
        "{:?}",
        card.household
    );

    let orphan = RegistrationForm {
        iin: fixture::iin(date(2026, 8, 2), Sex::Male).to_string(),
        first_name: "Алмас".into(),
        mother_iin: fixture::iin(date(1970, 1, 1), Sex::Female).to_string(),
        ..form
    };
    let error = workstation
        .register_person(&orphan, in_campaign())
        .await
        .unwrap_err();
    assert_eq!(
        field_problems(error),
        vec![(Field::MotherIin, FieldProblem::NotRegistered)]
    );
}
