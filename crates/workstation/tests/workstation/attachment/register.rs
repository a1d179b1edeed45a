//! Detachment by death, and the attached-population register.

use super::*;

#[tokio::test]
async fn death_ends_the_attachment_and_later_applications_are_refused() {
    let (_dir, workstation, _) = loaded().await;
    let person_id = workstation
        .register_person(&registration(), in_campaign())
        .await
        .unwrap();
    workstation
        .apply_for_attachment(
            &application(person_id, AttachmentGround::FirstAttachment),
            in_campaign(),
        )
        .await
        .unwrap();
    let on = date(2026, 10, 5);
    let too_early = workstation
        .detach(person_id, DetachmentReason::Died, on, in_campaign())
        .await;
    assert!(
        matches!(
            too_early,
            Err(emhana_workstation::StoreError::DateInFuture { .. })
        ),
        "a death recorded before its day"
    );
    let evening_of_the_5th = kz(2026, 10, 5, 18, 0);
    assert!(
        workstation
            .detach(person_id, DetachmentReason::Died, on, evening_of_the_5th)
            .await
            .unwrap()
    );
    let history = workstation.attachment_history(person_id).await.unwrap();
    assert_eq!(
        (history[0].ended_on, history[0].end_reason.as_deref()),
        (Some(date(2026, 10, 5)), Some("died"))
    );
    let outcome = workstation
        .apply_for_attachment(
            &moved(application(person_id, AttachmentGround::ChangeOfResidence), "7"),
            kz(2026, 10, 6, 9, 0),
        )
        .await
        .unwrap();
    assert!(matches!(
        outcome.decision,
        Decision::Refuse {
            ground: RefusalGround::PersonDeceased,
            ..
        }
    ));
}

#[tokio::test]
async fn the_register_lists_counts_filters_and_exports_the_attached_population() {
    let (_dir, workstation, serik) = loaded().await;
    let child = workstation
        .register_person(
            &RegistrationForm {
                iin: fixture::iin(date(2026, 8, 1), Sex::Female).to_string(),
                surname: "Әлібекова".into(),
                first_name: "Аружан".into(),
                patronymic: "Қайратқызы".into(),
                birth_date: None,
                sex: None,
                document_kind: Some(DocumentKind::BirthCertificate),
                document_issued_on: Some(date(2026, 8, 10)),
                ..registration()
            },
            in_campaign(),
        )
        .await
        .unwrap();
    for (person, ground) in [
        (serik, AttachmentGround::FreeChoice),
        (child, AttachmentGround::FirstAttachment),
    ] {
        workstation
            .apply_for_attachment(&application(person, ground), in_campaign())
            .await
            .unwrap();
    }
    let today = date(2026, 10, 2);
    let all = workstation
        .attached_register(&emhana_workstation::RegisterFilter::default(), today, 0)
        .await
        .unwrap();
    assert_eq!(all.total, 2);
    assert_eq!(all.inflow, 2, "both decided in the campaign");
    assert_eq!(all.districts[0].attached, 2);
    assert_eq!(
        all.rows[0].full_name, "Әлібекова Аружан Қайратқызы",
        "by surname within the district"
    );

    let babies = emhana_workstation::RegisterFilter {
        age_group: Some(emhana_domain::AgeGroup::Under1),
        ..Default::default()
    };
    let page = workstation.attached_register(&babies, today, 0).await.unwrap();
    assert_eq!(
        page.rows.iter().map(|r| r.person_id).collect::<Vec<_>>(),
        vec![child]
    );
    let men = emhana_workstation::RegisterFilter {
        sex: Some(Sex::Male),
        ..Default::default()
    };
    assert_eq!(
        workstation.attached_register(&men, today, 0).await.unwrap().rows[0].person_id,
        serik
    );
    let later = emhana_workstation::RegisterFilter {
        attached_since: Some(date(2026, 10, 2)),
        ..Default::default()
    };
    assert_eq!(
        workstation
            .attached_register(&later, today, 0)
            .await
            .unwrap()
            .total,
        0
    );

    let csv = workstation
        .attached_register_csv(&emhana_workstation::RegisterFilter::default(), today)
        .await
        .unwrap();
    let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].starts_with("\u{feff}учаске / участок;ЖСН / ИИН;аты-жөні / ФИО"),
        "a bilingual header: {}",
        lines[0]
    );
    // 08…: a leading zero a spreadsheet would drop from a number
    let iin = format!(
        ";=\"{}\";",
        lines[1].split(';').nth(1).unwrap().trim_matches(['=', '"'])
    );
    assert!(lines[1].contains(&iin), "the IIN kept as text: {}", lines[1]);
    assert!(
        lines[1].contains(";Әлібекова Аружан Қайратқызы;01.08.2026;ж;Астана, Абай даңғылы, 15-3;01.10.2026"),
        "{}",
        lines[1]
    );
}
