//! The registry read as an attacker would (issue 20): each test is a class of
//! attack or fault a PC can bring, run against the real registry on
//! PostgreSQL, and each failed on the code before the fix. The registry
//! decides with what it can check; one bad op is answered alone.

#[path = "../support/mod.rs"]
mod support;

use anyhow::Result;
use emhana_domain::attachment::{AttachmentGround, RefusalGround};
use emhana_protocol::{BookOp, DetachOp, DetachReason, Op, OpBody, OpOutcome, RejectGround, SlotKey};
use support::{Client, TestRegistry, at, person};

mod credentials;
mod facts;
mod limits;
mod personal;
mod stuck;

fn applied(outcome: &OpOutcome) -> bool {
    matches!(outcome, OpOutcome::Applied)
}

fn rejected(ground: RejectGround) -> OpOutcome {
    OpOutcome::Rejected { ground }
}

/// Attaches person `n` to district 1 of the client's clinic, on the first attachment, and checks it applied.
async fn attached(client: &Client, n: u32, made_at: chrono::DateTime<chrono::Utc>) -> Result<()> {
    let op = client.attach(made_at, person(n), 1, AttachmentGround::FirstAttachment, n);
    let outcome = client.push(&[op]).await?.results.remove(0).outcome;
    anyhow::ensure!(applied(&outcome), "attaching {n}: {outcome:?}");
    Ok(())
}

fn death(client: &Client, n: u32, made_at: chrono::DateTime<chrono::Utc>, on: chrono::NaiveDate) -> Op {
    client.op(
        made_at,
        OpBody::Detach(DetachOp {
            iin: person(n).iin.as_string(),
            clinic_bin: client.bin().to_owned(),
            on,
            reason: DetachReason::Died,
        }),
    )
}

fn booking(client: &Client, n: u32, made_at: chrono::DateTime<chrono::Utc>, staff_iin: String) -> Op {
    client.op(
        made_at,
        OpBody::Book(BookOp {
            slot: SlotKey {
                clinic_bin: client.bin().to_owned(),
                staff_iin,
                starts_at: made_at + chrono::Duration::days(2),
            },
            iin: person(n).iin.as_string(),
            booking: None,
        }),
    )
}
