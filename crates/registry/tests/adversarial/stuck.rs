//! "One bad op stops a clinic for good": an op id another PC claimed, a
//! value the database refuses. Each is answered alone; the push stands.

use super::*;

#[tokio::test]
async fn an_op_id_another_clinics_pc_sent_is_refused_alone_and_the_rest_of_the_push_applies() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let a = registry.enrolled(0).await?;
    let b = registry.enrolled(1).await?;
    let first = a.attach(
        at(2026, 11, 20),
        person(1),
        1,
        AttachmentGround::FirstAttachment,
        1,
    );
    assert!(applied(
        &a.push(std::slice::from_ref(&first)).await?.results[0].outcome
    ));
    // B's file carries an op with A's id (copied), beside one of its own
    let mut copied = b.attach(
        at(2026, 11, 21),
        person(2),
        1,
        AttachmentGround::FirstAttachment,
        2,
    );
    copied.id = first.id;
    let own = b.attach(
        at(2026, 11, 21),
        person(3),
        1,
        AttachmentGround::FirstAttachment,
        3,
    );
    let answer = b.push(&[copied, own]).await?;
    assert_eq!(answer.results[0].outcome, rejected(RejectGround::OpIdTaken));
    assert!(applied(&answer.results[1].outcome), "{:?}", answer.results[1]);
    // and again: the same answers, the push never stuck
    let again = b.push(&[answer_op(&b, first.id), own_again(&b)]).await?;
    assert_eq!(again.results[0].outcome, rejected(RejectGround::OpIdTaken));
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM person WHERE iin = '{}'",
                person(2).iin.as_string()
            ))
            .await?,
        0,
        "nothing of the refused op was written"
    );
    Ok(())
}

fn answer_op(client: &Client, id: uuid::Uuid) -> Op {
    let mut op = client.attach(
        at(2026, 11, 21),
        person(2),
        1,
        AttachmentGround::FirstAttachment,
        2,
    );
    op.id = id;
    op
}

fn own_again(client: &Client) -> Op {
    client.attach(
        at(2026, 11, 21),
        person(4),
        1,
        AttachmentGround::FirstAttachment,
        4,
    )
}

#[tokio::test]
async fn a_pc_enrolled_again_is_given_the_answers_its_ops_had() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let before = registry.enrolled(0).await?;
    let op = before.attach(
        at(2026, 11, 20),
        person(5),
        1,
        AttachmentGround::FirstAttachment,
        5,
    );
    assert!(applied(
        &before.push(std::slice::from_ref(&op)).await?.results[0].outcome
    ));
    // the answer was lost; the PC is enrolled again (a new workstation of
    // the clinic) and sends the op once more, as its outbox has it
    let after = registry.enrolled(0).await?;
    let mut resent = op.clone();
    resent.workstation = after.enrolment.workstation;
    let answer = after.push(&[resent]).await?;
    assert!(applied(&answer.results[0].outcome), "{:?}", answer.results[0]);
    assert_eq!(
        registry.count("SELECT count(*) FROM attachment").await?,
        1,
        "once"
    );
    Ok(())
}

#[tokio::test]
async fn a_value_the_database_refuses_is_refused_alone_and_the_rest_of_the_push_applies() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let pc = registry.enrolled(0).await?;
    attached(&pc, 6, at(2026, 11, 20)).await?;
    // a doctor's IIN the booking table's CHECK refuses: a 500 for every push before
    let bad = booking(&pc, 6, at(2026, 11, 22), "12345".into());
    let good = pc.attach(
        at(2026, 11, 22),
        person(7),
        1,
        AttachmentGround::FirstAttachment,
        7,
    );
    let answer = pc.push(&[bad.clone(), good]).await?;
    match &answer.results[0].outcome {
        OpOutcome::Rejected {
            ground: RejectGround::Malformed { detail },
        } => assert!(detail.contains("booking_staff_iin_check"), "{detail}"),
        other => anyhow::bail!("the bad booking: {other:?}"),
    }
    assert!(applied(&answer.results[1].outcome), "{:?}", answer.results[1]);
    // its answer is kept: sent again, the same refusal, and the next push is whole
    let again = pc.push(&[bad]).await?;
    assert!(matches!(
        again.results[0].outcome,
        OpOutcome::Rejected {
            ground: RejectGround::Malformed { .. }
        }
    ));
    assert_eq!(registry.count("SELECT count(*) FROM booking").await?, 0);
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 2);
    Ok(())
}
