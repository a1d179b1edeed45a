//! Pushes decided again: attachments from two clinics, concurrent pushes, repeats, slots, a death and a move.

use super::*;

#[tokio::test]
async fn an_attachment_pushed_is_decided_again_and_reaches_the_clinics_feed_and_look_ups() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let here = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    let op = here.attach(
        at(2026, 11, 20),
        person(1),
        2,
        AttachmentGround::FirstAttachment,
        1,
    );
    let response = here.push(std::slice::from_ref(&op)).await?;
    assert_eq!(response.results.len(), 1);
    let result = &response.results[0];
    assert_eq!(result.op, op.id);
    assert!(applied(&result.outcome), "{result:?}");
    let Some(AttachmentState::Here(attachment)) = &result.attachment else {
        anyhow::bail!("the answer shows the attachment here: {result:?}");
    };
    assert_eq!(attachment.district_number, Some(2));
    assert_eq!(attachment.op, Some(op.id));

    let feed = here.pull(None, 100, true).await?;
    assert_eq!(feed.changes.len(), 1);
    assert_eq!(feed.remaining, Some(0));
    assert!(!feed.more);
    assert!(
        matches!(&feed.changes[0], Change::Person { person: p, attachment, .. }
        if p.iin == person(1).iin && attachment.district_number == Some(2))
    );
    assert!(
        other.pull(None, 100, false).await?.changes.is_empty(),
        "another clinic's feed stays empty"
    );

    // the other clinic sees only that the person is attached elsewhere
    let lookup = |client: &support::Client| {
        let url = format!(
            "{}/v1/persons/{}?actor={}",
            client.base,
            person(1).iin.as_string(),
            support::author()
        );
        client
            .http
            .get(url)
            .bearer_auth(&client.enrolment.credential)
            .send()
    };
    let seen: PersonLookup = lookup(&other).await?.json().await?;
    assert_eq!(seen.attachment, AttachmentState::Elsewhere);
    assert_eq!(seen.person.surname, person(1).surname);
    let own: PersonLookup = lookup(&here).await?.json().await?;
    assert!(matches!(own.attachment, AttachmentState::Here(_)));
    let unknown = here
        .http
        .get(format!(
            "{}/v1/persons/{}?actor={}",
            here.base,
            person(2).iin.as_string(),
            support::author()
        ))
        .bearer_auth(&here.enrolment.credential)
        .send()
        .await?;
    assert_eq!(unknown.status(), 404);
    let bad = here
        .http
        .get(format!(
            "{}/v1/persons/123456789012?actor={}",
            here.base,
            support::author()
        ))
        .bearer_auth(&here.enrolment.credential)
        .send()
        .await?;
    assert_eq!(bad.status(), 400);
    Ok(())
}

#[tokio::test]
async fn two_clinics_attach_the_same_person_offline_one_is_applied_the_other_rejected() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let first = registry.enrolled(0).await?;
    let second = registry.enrolled(1).await?;
    let third = registry.enrolled(2).await?;
    // A newborn registered at two clinics while both were offline: whoever
    // reaches the registry first attaches; the other is refused.
    let a = first.attach(
        at(2026, 11, 2),
        person(7),
        1,
        AttachmentGround::FirstAttachment,
        1,
    );
    let b = second.attach(
        at(2026, 11, 3),
        person(7),
        3,
        AttachmentGround::FirstAttachment,
        1,
    );
    assert!(applied(&second.push(&[b]).await?.results[0].outcome));
    let refused = &first.push(&[a]).await?.results[0];
    assert_eq!(
        refused.outcome,
        OpOutcome::Rejected {
            ground: RejectGround::AttachmentRefused {
                refusal: RefusalGround::NotFirstAttachment
            }
        }
    );
    assert_eq!(
        refused.attachment,
        Some(AttachmentState::Elsewhere),
        "the loser learns where the person is: elsewhere"
    );

    // In the campaign: two free choices of one person in one year; the second is over the limit.
    let c = first.attach(at(2026, 10, 1), person(7), 1, AttachmentGround::FreeChoice, 2);
    let d = third.attach(at(2026, 10, 2), person(7), 2, AttachmentGround::FreeChoice, 1);
    assert!(applied(&third.push(&[d]).await?.results[0].outcome));
    assert_eq!(
        first.push(&[c]).await?.results[0].outcome,
        OpOutcome::Rejected {
            ground: RejectGround::AttachmentRefused {
                refusal: RefusalGround::FreeChoiceLimitReached
            }
        }
    );
    assert_eq!(
        registry
            .count("SELECT count(*) FROM attachment a JOIN person p ON p.id = a.person_id WHERE a.ended_on IS NULL")
            .await?,
        1
    );
    // the clinic the person left is told so, explicitly
    let feed = second.pull(None, 100, false).await?;
    assert!(
        matches!(feed.changes.as_slice(), [Change::Left { reason: LeftReason::AttachedElsewhere, iin, .. }] if *iin == person(7).iin.as_string()),
        "{feed:?}"
    );
    Ok(())
}

#[tokio::test]
async fn concurrent_attachments_of_one_person_leave_one_attachment() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let mut clients = Vec::new();
    for clinic in 0..3 {
        for _ in 0..3 {
            clients.push(registry.enrolled(clinic).await?);
        }
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (index, client) in clients.into_iter().enumerate() {
        tasks.spawn(async move {
            let op = client.attach(
                at(2026, 11, 20),
                person(11),
                1 + (index % 3) as u32,
                AttachmentGround::ChangeOfResidence,
                1,
            );
            client.push(&[op]).await
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = tasks.join_next().await {
        outcomes.push(done??.results.remove(0).outcome);
    }
    // Each change of residence to another clinic is allowed at any time, so
    // several may apply one after another; none may leave two open attachments.
    assert!(outcomes.iter().any(applied));
    assert_eq!(
        registry
            .count("SELECT count(*) FROM attachment WHERE ended_on IS NULL")
            .await?,
        1
    );
    // a move to another district of the clinic holding the person that day
    // changes its attachment rather than adding one
    let applied_count = outcomes.iter().filter(|o| applied(o)).count() as i64;
    let rows = registry.count("SELECT count(*) FROM attachment").await?;
    assert!(
        (1..=applied_count).contains(&rows),
        "{rows} rows for {applied_count} applied"
    );
    Ok(())
}

#[tokio::test]
async fn pushes_naming_the_same_persons_in_opposite_orders_all_complete() -> Result<()> {
    // A push locks its persons as it goes; two pushes taking the same persons
    // in opposite orders would deadlock, unless the registry takes the locks in
    // one order (it does: by IIN, before the first op) or runs one again.
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..6u32 {
        for clinic in 0..2 {
            let client = registry.enrolled(clinic).await?;
            tasks.spawn(async move {
                let mut ops: Vec<_> = (0..12u32)
                    .map(|n| {
                        client.attach(
                            at(2026, 11, 20),
                            person(40 + n),
                            1 + (n % 2),
                            AttachmentGround::ChangeOfResidence,
                            round * 12 + n + 1,
                        )
                    })
                    .collect();
                if (round + clinic as u32) % 2 == 1 {
                    ops.reverse();
                }
                client.push(&ops).await
            });
        }
    }
    let mut answered = 0;
    while let Some(done) = tasks.join_next().await {
        let response = done??;
        // each op decided on the rules: applied, or already attached there by the other push
        assert!(
            response.results.iter().all(|r| applied(&r.outcome)
                || matches!(
                    &r.outcome,
                    OpOutcome::Rejected {
                        ground: emhana_protocol::RejectGround::AlreadyAttachedHere { .. }
                    }
                )),
            "{response:?}"
        );
        answered += response.results.len();
    }
    assert_eq!(answered, 144);
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 144);
    assert_eq!(
        registry
            .count("SELECT count(*) FROM attachment WHERE ended_on IS NULL")
            .await?,
        12,
        "one open attachment per person"
    );
    Ok(())
}

#[tokio::test]
async fn the_same_op_pushed_three_times_and_out_of_order_has_one_effect() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let client = registry.enrolled(0).await?;
    let first = client.attach(
        at(2026, 11, 20),
        person(21),
        1,
        AttachmentGround::FirstAttachment,
        1,
    );
    let second = client.attach(
        at(2026, 11, 20),
        person(22),
        2,
        AttachmentGround::FirstAttachment,
        2,
    );
    let once = client.push(&[first.clone(), second.clone()]).await?;
    // a retry after a lost response, then the ops again in the other order, one of them twice in one push
    let twice = client.push(&[first.clone(), second.clone()]).await?;
    let thrice = client
        .push(&[second.clone(), first.clone(), second.clone()])
        .await?;
    assert_eq!(once.results, twice.results);
    assert_eq!(thrice.results[0], once.results[1]);
    assert_eq!(thrice.results[1], once.results[0]);
    assert_eq!(thrice.results[2], once.results[1]);
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 2);
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 2);
    // concurrent repeats of a new op: one effect
    let third = client.attach(
        at(2026, 11, 21),
        person(23),
        1,
        AttachmentGround::FirstAttachment,
        3,
    );
    let (x, y) = tokio::join!(
        client.push(std::slice::from_ref(&third)),
        client.push(std::slice::from_ref(&third))
    );
    assert_eq!(x?.results, y?.results);
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 3);
    Ok(())
}

#[tokio::test]
async fn a_slot_is_booked_once_whoever_asks_first() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let a = registry.enrolled(0).await?;
    let b = registry.enrolled(0).await?;
    for n in [31, 32] {
        let op = a.attach(
            at(2026, 11, 20),
            person(n),
            1,
            AttachmentGround::FirstAttachment,
            n,
        );
        assert!(applied(&a.push(&[op]).await?.results[0].outcome));
    }
    let slot = SlotKey {
        clinic_bin: a.bin().to_owned(),
        staff_iin: support::iin(500).as_string(),
        starts_at: at(2026, 11, 25),
    };
    let book = |client: &support::Client, n: u32| {
        client.op(
            at(2026, 11, 23),
            OpBody::Book(BookOp {
                slot: slot.clone(),
                iin: person(n).iin.as_string(),
                booking: None,
            }),
        )
    };
    let (first, second) = ([book(&a, 31)], [book(&b, 32)]);
    let (x, y) = tokio::join!(a.push(&first), b.push(&second));
    let outcomes = [x?.results.remove(0).outcome, y?.results.remove(0).outcome];
    assert_eq!(outcomes.iter().filter(|o| applied(o)).count(), 1, "{outcomes:?}");
    assert!(outcomes.contains(&OpOutcome::Rejected {
        ground: RejectGround::SlotTaken
    }));
    let holder = if applied(&outcomes[0]) { (&a, 31) } else { (&b, 32) };
    let loser = if applied(&outcomes[0]) { (&b, 32) } else { (&a, 31) };
    let cancel = holder.0.op(
        at(2026, 11, 23),
        OpBody::CancelBooking(CancelBookingOp {
            slot: slot.clone(),
            iin: person(holder.1).iin.as_string(),
            change: None,
        }),
    );
    assert!(applied(
        &holder.0.push(std::slice::from_ref(&cancel)).await?.results[0].outcome
    ));
    assert!(
        applied(&loser.0.push(&[book(loser.0, loser.1)]).await?.results[0].outcome),
        "a freed slot can be booked again"
    );
    assert_eq!(
        registry
            .count("SELECT count(*) FROM booking WHERE cancelled_at IS NULL")
            .await?,
        1
    );
    Ok(())
}

#[tokio::test]
async fn a_death_and_a_move_leave_the_clinics_scope_explicitly() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let here = registry.enrolled(0).await?;
    let there = registry.enrolled(1).await?;
    for n in [51, 52] {
        let op = here.attach(
            at(2026, 11, 2),
            person(n),
            1,
            AttachmentGround::FirstAttachment,
            n,
        );
        assert!(applied(&here.push(&[op]).await?.results[0].outcome));
    }
    let start = here.pull(None, 100, false).await?;
    assert_eq!(start.changes.len(), 2);
    let died = here.op(
        at(2026, 11, 10),
        OpBody::Detach(DetachOp {
            iin: person(51).iin.as_string(),
            clinic_bin: here.bin().to_owned(),
            on: at(2026, 11, 9).date_naive(),
            reason: DetachReason::Died,
        }),
    );
    assert!(applied(
        &here.push(std::slice::from_ref(&died)).await?.results[0].outcome
    ));
    let moved = there.attach(
        at(2026, 11, 12),
        person(52),
        2,
        AttachmentGround::ChangeOfResidence,
        1,
    );
    assert!(applied(&there.push(&[moved]).await?.results[0].outcome));
    let next = here.pull(Some(&start.cursor), 100, false).await?;
    assert_eq!(next.changes.len(), 2, "{next:?}");
    assert!(next.changes.contains(&Change::Left {
        iin: person(51).iin.as_string(),
        on: at(2026, 11, 9).date_naive(),
        reason: LeftReason::Died
    }));
    assert!(next.changes.contains(&Change::Left {
        iin: person(52).iin.as_string(),
        on: at(2026, 11, 12).date_naive(),
        reason: LeftReason::AttachedElsewhere
    }));
    // a second death notice finds nobody attached here
    let again = here.op(
        at(2026, 11, 11),
        OpBody::Detach(DetachOp {
            iin: person(51).iin.as_string(),
            clinic_bin: here.bin().to_owned(),
            on: at(2026, 11, 9).date_naive(),
            reason: DetachReason::Died,
        }),
    );
    assert_eq!(
        here.push(&[again]).await?.results[0].outcome,
        OpOutcome::Rejected {
            ground: RejectGround::NotAttachedHere
        }
    );
    // a death notice for someone attached elsewhere is refused and changes nothing
    let elsewhere = here.op(
        at(2026, 11, 13),
        OpBody::Detach(DetachOp {
            iin: person(52).iin.as_string(),
            clinic_bin: here.bin().to_owned(),
            on: at(2026, 11, 13).date_naive(),
            reason: DetachReason::Died,
        }),
    );
    assert_eq!(
        here.push(&[elsewhere]).await?.results[0].outcome,
        OpOutcome::Rejected {
            ground: RejectGround::NotAttachedHere
        }
    );
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM person WHERE iin = '{}' AND died_on IS NOT NULL",
                person(52).iin.as_string()
            ))
            .await?,
        0
    );
    // the dead are not attached again
    let late = there.attach(
        at(2026, 11, 20),
        person(51),
        1,
        AttachmentGround::ChangeOfResidence,
        2,
    );
    assert_eq!(
        there.push(&[late]).await?.results[0].outcome,
        OpOutcome::Rejected {
            ground: RejectGround::AttachmentRefused {
                refusal: RefusalGround::PersonDeceased
            }
        }
    );
    Ok(())
}
