//! "Asserted facts are taken as true": the registry decides with what it
//! can check — its own clock, its own register — not with what a PC claims.

use super::*;

#[tokio::test]
async fn an_op_dated_further_back_than_a_pc_may_be_offline_is_refused() -> Result<()> {
    let now = at(2026, 11, 23);
    let registry = TestRegistry::start(now).await?;
    let pc = registry.enrolled(0).await?;
    let period = chrono::Duration::days(emhana_protocol::MAX_OFFLINE_DAYS);
    let old = pc.attach(
        now - period - chrono::Duration::hours(1),
        person(10),
        1,
        AttachmentGround::FirstAttachment,
        10,
    );
    let recent = pc.attach(
        now - period + chrono::Duration::hours(1),
        person(11),
        1,
        AttachmentGround::FirstAttachment,
        11,
    );
    let answer = pc.push(&[old.clone(), recent]).await?;
    assert_eq!(answer.results[0].outcome, rejected(RejectGround::MadeTooLongAgo));
    assert!(applied(&answer.results[1].outcome), "{:?}", answer.results[1]);

    // Carried in a sealed file made 30 days ago, an op made 31 days before
    // the file is within the post's offline period: taken.
    let secret = emhana_registry::bundle::make_key(&registry.pool, false, now).await?;
    let post = registry.enrolled(0).await?;
    let key = post
        .enrolment
        .bundle_secret
        .as_ref()
        .ok_or_else(|| anyhow::anyhow!("the post's bundle key"))?
        .key_with(&secret.public_hex()?, post.enrolment.workstation)?;
    let file_made = now - chrono::Duration::days(30);
    let carried = post.attach(
        file_made - chrono::Duration::days(31),
        person(12),
        1,
        AttachmentGround::FirstAttachment,
        12,
    );
    let sealed = emhana_protocol::bundle::seal(
        emhana_protocol::bundle::BundleKind::Ops,
        post.enrolment.workstation,
        file_made,
        &emhana_protocol::bundle::OpsBundle {
            ops: vec![carried],
            cursor: None,
            audit: None,
        },
        &key,
    )?;
    let (_, report) = emhana_registry::bundle::import(&registry.pool, &secret, &sealed, now).await?;
    assert_eq!((report.applied, report.rejected), (1, 0));
    Ok(())
}

#[tokio::test]
async fn a_person_is_added_only_by_an_accepted_op_and_only_as_the_form_would_take_them() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let a = registry.enrolled(0).await?;
    let b = registry.enrolled(1).await?;
    let persons = |n: u32| {
        let iin = person(n).iin.as_string();
        let registry = &registry;
        async move {
            registry
                .count(&format!("SELECT count(*) FROM person WHERE iin = '{iin}'"))
                .await
        }
    };
    // refused (no consent): the person is not created from what the PC sent
    let mut refused = a.attach(
        at(2026, 11, 20),
        person(20),
        1,
        AttachmentGround::FirstAttachment,
        20,
    );
    if let OpBody::Attach(attach) = &mut refused.body {
        attach.consent_given = false;
    }
    assert_eq!(
        a.push(&[refused]).await?.results[0].outcome,
        rejected(RejectGround::AttachmentRefused {
            refusal: RefusalGround::NoConsent
        })
    );
    assert_eq!(persons(20).await?, 0);
    // a birth date the IIN does not say, a name of spaces: refused with the ground
    let mut wrong_birth = person(21);
    wrong_birth.birth_date = wrong_birth.birth_date.succ_opt().unwrap_or_default();
    let mut blank = person(22);
    blank.surname = "  ".into();
    for (p, problem) in [
        (
            wrong_birth,
            emhana_domain::PersonProblem::BirthDateDisagreesWithIin,
        ),
        (blank, emhana_domain::PersonProblem::NameMissing),
    ] {
        let op = a.attach(at(2026, 11, 20), p, 1, AttachmentGround::FirstAttachment, 21);
        assert_eq!(
            a.push(&[op]).await?.results[0].outcome,
            rejected(RejectGround::PersonInvalid { problem })
        );
    }
    assert_eq!(persons(21).await? + persons(22).await?, 0);
    // the first accepted op names the person; another clinic's spelling does not rename them
    attached(&a, 23, at(2026, 11, 20)).await?;
    let mut respelled = person(23);
    respelled.surname = "Басқаша".into();
    let moved = b.attach(
        at(2026, 11, 21),
        respelled,
        1,
        AttachmentGround::ChangeOfResidence,
        23,
    );
    b.push(&[moved]).await?;
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM person WHERE iin = '{}' AND surname = '{}'",
                person(23).iin.as_string(),
                person(23).surname
            ))
            .await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_death_is_recorded_by_the_clinic_on_a_day_of_its_attachment_and_ends_every_attachment() -> Result<()>
{
    let today = at(2026, 11, 23);
    let registry = TestRegistry::start(today).await?;
    let home = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    let third = registry.enrolled(2).await?;
    attached(&home, 30, at(2026, 10, 1)).await?;
    // another clinic takes the person for a moment and dates a death a year back
    let taken = other.attach(today, person(30), 1, AttachmentGround::ChangeOfResidence, 30);
    assert!(applied(&other.push(&[taken]).await?.results[0].outcome));
    let backdated = death(
        &other,
        30,
        today,
        chrono::NaiveDate::from_ymd_opt(2025, 11, 1).unwrap_or_default(),
    );
    let tomorrow = death(
        &other,
        30,
        today,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap_or_default(),
    );
    let answer = other.push(&[backdated, tomorrow]).await?;
    for result in &answer.results {
        assert_eq!(result.outcome, rejected(RejectGround::DeathDateInvalid));
    }
    assert_eq!(
        registry
            .count("SELECT count(*) FROM person WHERE died_on IS NOT NULL")
            .await?,
        0
    );
    // the clinic of another person records a true death; a late attachment
    // made offline before it came does not leave the dead attached
    attached(&home, 31, at(2026, 10, 1)).await?;
    let died_on = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
    assert!(applied(
        &home.push(&[death(&home, 31, today, died_on)]).await?.results[0].outcome
    ));
    let late = third.attach(
        at(2026, 11, 19),
        person(31),
        1,
        AttachmentGround::ChangeOfResidence,
        31,
    );
    assert_eq!(
        third.push(&[late]).await?.results[0].outcome,
        rejected(RejectGround::AttachmentRefused {
            refusal: RefusalGround::PersonDeceased
        })
    );
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM attachment a JOIN person p ON p.id = a.person_id \
                 WHERE p.iin = '{}' AND (a.ended_on IS NULL OR a.ended_on > '{died_on}')",
                person(31).iin.as_string()
            ))
            .await?,
        0,
        "no attachment of the dead after their death"
    );
    Ok(())
}

#[tokio::test]
async fn a_booking_for_a_person_attached_elsewhere_is_refused_at_the_registry() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let home = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    attached(&home, 40, at(2026, 11, 20)).await?;
    let doctor = support::iin(500).as_string();
    let theirs = booking(&other, 40, at(2026, 11, 23), doctor.clone());
    assert_eq!(
        other.push(&[theirs]).await?.results[0].outcome,
        rejected(RejectGround::AttachedElsewhere)
    );
    let ours = booking(&home, 40, at(2026, 11, 23), doctor);
    assert!(applied(&home.push(&[ours]).await?.results[0].outcome));
    Ok(())
}

#[tokio::test]
async fn ops_are_forgotten_after_their_retention_and_a_copy_sent_later_is_not_applied_twice() -> Result<()> {
    let now = at(2026, 11, 23);
    let registry = TestRegistry::start(now).await?;
    let pc = registry.enrolled(0).await?;
    let op = pc.attach(now, person(70), 1, AttachmentGround::FirstAttachment, 70);
    assert!(applied(
        &pc.push(std::slice::from_ref(&op)).await?.results[0].outcome
    ));
    let later = now + chrono::Duration::days(30);
    registry.set_now(later);
    attached(&pc, 71, later).await?;
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 2);
    // a day past the first op's retention: it alone is forgotten, body and all
    let past = now + chrono::Duration::days(emhana_protocol::OP_ID_RETENTION_DAYS + 1);
    assert_eq!(
        emhana_registry::push::forget_old_ops(&registry.pool, past).await?,
        1
    );
    assert_eq!(
        registry
            .count(&format!("SELECT count(*) FROM op_log WHERE id = '{}'", op.id))
            .await?,
        0
    );
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 1);
    // its copy, sent again then, is refused on its date, not applied again
    registry.set_now(past);
    assert_eq!(
        pc.push(&[op]).await?.results[0].outcome,
        rejected(RejectGround::MadeTooLongAgo)
    );
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 2);
    Ok(())
}

#[tokio::test]
async fn a_move_on_a_change_of_residence_rests_on_a_new_address_the_clinic_serves() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let home = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    // the other clinic serves one street of Astana
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n{},1,Астана,Сарыарқа даңғылы,,,\n",
        other.bin()
    );
    emhana_registry::organization::import_coverage(&registry.pool, coverage.as_bytes())
        .await
        .map_err(|error| anyhow::anyhow!("{error:?}"))?;
    attached(&home, 80, at(2026, 11, 1)).await?;
    // it claims the person moved, naming no new address: the person still
    // lives on Абай даңғылы, which it does not serve
    let claimed = other.attach(
        at(2026, 11, 22),
        person(80),
        1,
        AttachmentGround::ChangeOfResidence,
        80,
    );
    assert_eq!(
        other.push(&[claimed]).await?.results[0].outcome,
        rejected(RejectGround::ResidenceOutsideCoverage)
    );
    // a new address outside its coverage: refused too
    let mut elsewhere = other.attach(
        at(2026, 11, 22),
        person(80),
        1,
        AttachmentGround::ChangeOfResidence,
        81,
    );
    let mut inside = other.attach(
        at(2026, 11, 22),
        person(80),
        1,
        AttachmentGround::ChangeOfResidence,
        82,
    );
    for (op, street) in [
        (&mut elsewhere, "Тұран даңғылы"),
        (&mut inside, "Сарыарқа даңғылы"),
    ] {
        if let OpBody::Attach(attach) = &mut op.body {
            attach.new_residence = Some(emhana_domain::Address {
                settlement: "Астана".into(),
                street: street.into(),
                house: "7".into(),
                apartment: None,
            });
        }
    }
    assert_eq!(
        other.push(&[elsewhere]).await?.results[0].outcome,
        rejected(RejectGround::ResidenceOutsideCoverage)
    );
    assert_eq!(
        registry
            .count("SELECT count(*) FROM attachment WHERE ended_on IS NULL AND clinic_id = (SELECT id FROM clinic WHERE bin = '{}')".replace("{}", home.bin()).as_str())
            .await?,
        1,
        "the person stays where they were"
    );
    // a new address it serves: the move stands
    assert!(applied(&other.push(&[inside]).await?.results[0].outcome));
    Ok(())
}

#[tokio::test]
async fn an_attachment_moved_between_districts_on_its_first_day_stays_one_attachment() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let pc = registry.enrolled(0).await?;
    attached(&pc, 90, at(2026, 11, 23)).await?;
    // the registrar corrects the district, back and forth, the same day
    for (n, district) in [2, 1, 2, 1, 2].into_iter().enumerate() {
        let op = pc.attach(
            at(2026, 11, 23),
            person(90),
            district,
            AttachmentGround::ChangeOfResidence,
            91 + n as u32,
        );
        let answer = pc.push(&[op]).await?.results.remove(0);
        assert!(applied(&answer.outcome), "{answer:?}");
        match answer.attachment {
            Some(emhana_protocol::AttachmentState::Here(attachment)) => {
                assert_eq!(attachment.district_number, Some(district));
                assert_eq!(
                    attachment.ground,
                    AttachmentGround::FirstAttachment,
                    "why they are attached here"
                );
            }
            other => anyhow::bail!("{other:?}"),
        }
    }
    assert_eq!(
        registry.count("SELECT count(*) FROM attachment").await?,
        1,
        "one attachment, on district 2, no rows that end the day they begin"
    );
    // a move on a later day is history, as before
    let later = pc.attach(
        at(2026, 11, 24),
        person(90),
        1,
        AttachmentGround::ChangeOfResidence,
        99,
    );
    registry.set_now(at(2026, 11, 24));
    assert!(applied(&pc.push(&[later]).await?.results[0].outcome));
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 2);
    Ok(())
}

/// Issue 21, keeping a person's data current: the registry checks a
/// change of a person's data again — a mother it knows to be a man, a father
/// it knows to be a woman, a workplace with a control character, a clinic that does not serve the
/// person — and keeps each refusal to its op; an attachment's details are
/// kept once it stands, and a detail it cannot keep does not undo it.
#[tokio::test]
async fn a_change_of_a_persons_data_is_checked_again_and_refused_alone() -> Result<()> {
    use emhana_domain::registration::{PersonChange, Relation};
    use emhana_protocol::ChangePersonOp;
    let now = at(2026, 11, 23);
    let registry = TestRegistry::start(now).await?;
    let pc = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    // 91 a woman, 92 a man (support::person), both attached at the first clinic
    attached(&pc, 91, now).await?;
    attached(&pc, 92, now).await?;
    let change = |client: &Client, n: u32, change: PersonChange| {
        client.op(
            now,
            OpBody::ChangePerson(ChangePersonOp {
                clinic_bin: client.bin().to_owned(),
                iin: person(n).iin.as_string(),
                change,
            }),
        )
    };
    let man_as_mother = change(
        &pc,
        91,
        PersonChange::Relative {
            relation: Relation::Mother,
            iin: Some(person(92).iin.as_string()),
        },
    );
    let unreadable = change(
        &pc,
        91,
        PersonChange::Workplace {
            workplace: Some("ТОО \u{7}Береке".into()),
        },
    );
    let woman_as_father = change(
        &pc,
        92,
        PersonChange::Relative {
            relation: Relation::Father,
            iin: Some(person(91).iin.as_string()),
        },
    );
    let father = change(
        &pc,
        91,
        PersonChange::Relative {
            relation: Relation::Father,
            iin: Some(person(92).iin.as_string()),
        },
    );
    let not_served = change(
        &other,
        91,
        PersonChange::Workplace {
            workplace: Some("Школа №7".into()),
        },
    );
    let answer = pc
        .push(&[man_as_mother, unreadable, woman_as_father, father])
        .await?;
    let detail_unreadable = rejected(RejectGround::PersonInvalid {
        problem: emhana_domain::PersonProblem::DetailUnreadable,
    });
    assert_eq!(answer.results[0].outcome, detail_unreadable);
    assert_eq!(answer.results[1].outcome, detail_unreadable);
    assert_eq!(answer.results[2].outcome, detail_unreadable);
    assert!(applied(&answer.results[3].outcome), "{:?}", answer.results[3]);
    assert_eq!(
        other.push(&[not_served]).await?.results[0].outcome,
        rejected(RejectGround::NotAttachedHere)
    );
    let held = |n: u32| {
        format!(
            "SELECT jsonb_array_length(details)::bigint FROM person WHERE iin = '{}'",
            person(n).iin.as_string()
        )
    };
    assert_eq!(registry.count(&held(91)).await?, 1, "the father only");
    assert_eq!(
        registry.count("SELECT count(*) FROM person_change").await?,
        1,
        "a refused change leaves nothing"
    );

    // an attachment with its details: the good ones kept, the bad one not,
    // and the attachment stands
    let mut attach = pc.attach(now, person(93), 1, AttachmentGround::FirstAttachment, 93);
    if let OpBody::Attach(body) = &mut attach.body {
        body.details = vec![
            PersonChange::Workplace {
                workplace: Some("ТОО «Береке»".into()),
            },
            PersonChange::Relative {
                relation: Relation::Mother,
                iin: Some(person(92).iin.as_string()),
            },
        ];
    }
    assert!(applied(&pc.push(&[attach]).await?.results[0].outcome));
    assert_eq!(registry.count(&held(93)).await?, 1, "the workplace only");
    Ok(())
}
