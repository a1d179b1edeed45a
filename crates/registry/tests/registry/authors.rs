//! Every op's author checked by the registry against the clinic's staff list
//! and accounts (issue 19: "the registry checks that the author is staff of
//! that clinic with a role that may do it"), each op answered alone.

use emhana_domain::access::Action;
use emhana_domain::care_plan::PlanClosure;
use emhana_protocol::{ChangePlanOp, Op, PlanChange, PlanClosing};
use support::iin;
use uuid::Uuid;

use super::*;

fn by(mut op: Op, author: Option<u32>) -> Op {
    op.actor_iin = author.map(|n| iin(n).as_string());
    op
}

fn rejected(ground: RejectGround) -> OpOutcome {
    OpOutcome::Rejected { ground }
}

#[tokio::test]
async fn an_op_is_taken_only_from_the_clinics_staff_on_the_day_with_a_good_account_and_a_role_that_allows_it()
-> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let here = registry.enrolled(0).await?;
    registry.enrolled(1).await?;
    let (this, other) = (registry.clinics[0].1.clone(), registry.clinics[1].1.clone());
    let staff = format!(
        "clinic_bin,iin,surname,first_name,roles,works_from,works_to\n\
         {this},{nurse},Жұмабаева,Айгүл,district_nurse,2026-01-01,\n\
         {this},{leaver},Омарова,Сәуле,registrar,2020-01-01,2026-10-31\n\
         {this},{disabled},Қасымова,Дана,registrar,2020-01-01,\n\
         {other},{elsewhere},Ахметова,Жанар,registrar,2020-01-01,\n",
        nurse = iin(901).as_string(),
        leaver = iin(902).as_string(),
        disabled = iin(903).as_string(),
        elsewhere = iin(904).as_string(),
    );
    emhana_registry::organization::import_staff(&registry.pool, staff.as_bytes()).await?;
    let clinic = emhana_domain::Bin::parse(&this)?;
    let disabled_at = at(2026, 11, 15);
    emhana_registry::organization::set_password(
        &registry.pool,
        &clinic,
        &iin(903).as_string(),
        "лист-ожидания-7",
        at(2026, 11, 1),
    )
    .await?;
    emhana_registry::organization::set_disabled(
        &registry.pool,
        &clinic,
        &iin(903).as_string(),
        true,
        disabled_at,
    )
    .await?;

    let attach = |n: u32, made_at| here.attach(made_at, person(n), 1, AttachmentGround::FirstAttachment, n);
    let death = here.op(
        at(2026, 11, 20),
        OpBody::Detach(DetachOp {
            iin: person(1).iin.as_string(),
            clinic_bin: this.clone(),
            on: at(2026, 11, 19).date_naive(),
            reason: DetachReason::Died,
        }),
    );
    // a plan's closure is the one op a PC makes on its own: it passes the
    // author check and is answered on the record (unknown here)
    let closure = here.op(
        at(2026, 11, 20),
        OpBody::ChangePlan(Box::new(ChangePlanOp {
            plan: Uuid::now_v7(),
            clinic_bin: this.clone(),
            person_iin: person(1).iin.as_string(),
            change: PlanChange::Close {
                closed: PlanClosing {
                    on: at(2026, 11, 19).date_naive(),
                    reason: PlanClosure::Died,
                    pregnancy_outcome: None,
                },
            },
        })),
    );
    let cases: Vec<(Op, OpOutcome)> = vec![
        (attach(1, at(2026, 11, 20)), OpOutcome::Applied),
        // a nurse plans and visits; she neither attaches nor records a death
        (
            by(attach(2, at(2026, 11, 20)), Some(901)),
            rejected(RejectGround::AuthorNotAllowed {
                action: Action::Attach,
            }),
        ),
        (
            by(death, Some(901)),
            rejected(RejectGround::AuthorNotAllowed {
                action: Action::RecordDeath,
            }),
        ),
        // a leaver: what she did while she worked here stands, not after
        (by(attach(3, at(2026, 10, 30)), Some(902)), OpOutcome::Applied),
        (
            by(attach(4, at(2026, 11, 20)), Some(902)),
            rejected(RejectGround::AuthorNotStaff),
        ),
        // a disabled account: what was made before it was disabled stands
        (by(attach(5, at(2026, 11, 14)), Some(903)), OpOutcome::Applied),
        (
            by(attach(6, at(2026, 11, 16)), Some(903)),
            rejected(RejectGround::AuthorDisabled),
        ),
        // another clinic's staff, and someone on no staff list
        (
            by(attach(7, at(2026, 11, 20)), Some(904)),
            rejected(RejectGround::AuthorNotStaff),
        ),
        (
            by(attach(8, at(2026, 11, 20)), Some(905)),
            rejected(RejectGround::AuthorNotStaff),
        ),
        // a PC naming no one
        (
            by(attach(9, at(2026, 11, 20)), None),
            rejected(RejectGround::NoAuthor),
        ),
        (by(closure, None), rejected(RejectGround::RecordNotFound)),
    ];
    let ops: Vec<Op> = cases.iter().map(|(op, _)| op.clone()).collect();
    let response = here.push(&ops).await?;
    for ((op, expected), result) in cases.iter().zip(&response.results) {
        assert_eq!(result.op, op.id);
        assert_eq!(
            &result.outcome,
            expected,
            "{} by {:?}",
            op.body.kind(),
            op.actor_iin
        );
    }
    // each refusal was answered alone: the three good attachments stand
    let attached = registry
        .count("SELECT count(*) FROM attachment WHERE ended_on IS NULL")
        .await?;
    assert_eq!(attached, 3);
    Ok(())
}
