//! A post and its parent clinic (issue 17): the parent's PCs read the post's
//! calls and plans in their feed and may send someone else to a post's call,
//! nothing more; another clinic's PCs see none of it; a clinic that becomes
//! a post brings its records to its new parent's PCs.

use chrono::NaiveDate;
use emhana_domain::home_call::{CallAcceptance, CallStatus, Responder};
use emhana_domain::organization::ClinicProfile;
use emhana_domain::{Bin, ClinicKind};
use emhana_protocol::{
    CallAssignment, CallChange, CallOutcome, CallRecord, ChangeCallOp, PushRequest, Record,
};
use emhana_registry::organization::set_clinic;
use uuid::Uuid;

use super::*;
use support::{bin, iin};

fn profile(bin: &str, kind: ClinicKind, parent: Option<&str>) -> Result<ClinicProfile> {
    let parse = |text: &str| Bin::parse(text).map_err(|e| anyhow::anyhow!("BIN {text}: {e}"));
    let serial = bin.get(8..).unwrap_or_default();
    Ok(ClinicProfile {
        bin: parse(bin)?,
        name_kk: format!("Емхана {serial}"),
        name_ru: format!("Поликлиника {serial}"),
        kind,
        region: "Астана".into(),
        parent_bin: parent.map(parse).transpose()?,
        settlement: "Қоянды".into(),
        address: String::new(),
        phone: String::new(),
        hours: String::new(),
    })
}

/// The clinic as the administrator sets it (`set-clinic`), its parent named or not.
async fn set_up(registry: &TestRegistry, bin: &str, kind: ClinicKind, parent: Option<&str>) -> Result<()> {
    set_clinic(&registry.pool, &profile(bin, kind, parent)?)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(())
}

fn call(clinic_bin: &str, number: u32, n: u32) -> CallRecord {
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
    CallRecord {
        id: Uuid::now_v7(),
        clinic_bin: clinic_bin.into(),
        year: 2026,
        number,
        person: person(n),
        received_at: at(2026, 11, 23),
        caller: "өзі".into(),
        caller_phone: None,
        complaint: "температура".into(),
        temperature_tenths: Some(378),
        pregnant: false,
        age_years: 40,
        registrar_wants_doctor: false,
        indications: vec![],
        suggested: Responder::Nurse,
        reasons: vec![],
        rules_valid_from: day,
        goes: Responder::Nurse,
        acceptance: CallAcceptance::Taken,
        planned_on: day,
        assigned_staff_iin: Some(iin(501).as_string()),
        doctor_level: false,
        status: CallStatus::Registered,
        outcome: None,
        registrar_iin: None,
    }
}

fn change(call: &CallRecord, change: CallChange) -> OpBody {
    OpBody::ChangeCall(ChangeCallOp {
        call: call.id,
        change,
        clinic_bin: call.clinic_bin.clone(),
        person_iin: call.person.iin.as_string(),
    })
}

fn reassign(call: &CallRecord, to: u32) -> CallChange {
    CallChange::Reassign {
        to: CallAssignment {
            goes: Responder::Nurse,
            staff_iin: Some(iin(to).as_string()),
            doctor_level: false,
            planned_on: call.planned_on,
            status: CallStatus::Registered,
        },
    }
}

fn records_in(feed: &emhana_protocol::PullResponse) -> Vec<Record> {
    feed.changes
        .iter()
        .filter_map(|change| match change {
            Change::Record { record } => Some(record.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_parent_reads_its_posts_calls_and_plans_and_may_only_send_someone_else() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let parent_bin = registry.clinics[0].1.clone();
    set_up(&registry, &parent_bin, ClinicKind::Polyclinic, None).await?;
    let post_bin = bin(7);
    set_up(&registry, &post_bin, ClinicKind::FeldsherPost, Some(&parent_bin)).await?;
    let parent = registry.enrolled(0).await?;
    let post = registry.enrolled_at(&post_bin).await?;
    let other = registry.enrolled(1).await?;
    let made_at = at(2026, 11, 23);

    // the post takes a call; its own number may be the parent's too
    let post_call = call(&post_bin, 1, 7);
    let parents_own = call(&parent_bin, 1, 8);
    let taken = post.op(made_at, OpBody::RegisterCall(Box::new(post_call.clone())));
    assert!(applied(&post.push(&[taken]).await?.results[0].outcome));
    let own = parent.op(made_at, OpBody::RegisterCall(Box::new(parents_own.clone())));
    assert!(applied(&parent.push(&[own]).await?.results[0].outcome));

    // and opens a care plan
    let post_plan = super::plans::plan(&post_bin, 7, "АҚ / АД");
    let opened = post.op(made_at, OpBody::OpenPlan(Box::new(post_plan.clone())));
    assert!(applied(&post.push(&[opened]).await?.results[0].outcome));

    // the parent's feed has them all; the post's its own only; another clinic's none
    let ids = |records: Vec<Record>| records.iter().map(Record::id).collect::<Vec<_>>();
    let parents = ids(records_in(&parent.pull(None, 100, true).await?));
    assert_eq!(parents.len(), 3, "{parents:?}");
    assert!(
        [post_call.id, parents_own.id, post_plan.id]
            .iter()
            .all(|id| parents.contains(id)),
        "{parents:?}"
    );
    assert_eq!(
        ids(records_in(&post.pull(None, 100, false).await?)),
        [post_call.id, post_plan.id]
    );
    assert!(ids(records_in(&other.pull(None, 100, false).await?)).is_empty());

    // the parent may not record a visit of the post's plan
    let visit = parent.op(made_at, super::plans::outcome(&post_bin, &post_plan));
    let refused = parent
        .push_raw(&serde_json::to_value(PushRequest {
            ops: vec![serde_json::to_value(&visit)?],
        })?)
        .await?;
    assert_eq!(
        refused.status(),
        reqwest::StatusCode::FORBIDDEN,
        "a change to a post's plan is not the parent's to send"
    );

    // the parent may not record how the post's call went
    let served = CallChange::Status {
        status: CallStatus::Served,
        outcome: CallOutcome {
            at: made_at,
            staff_iin: None,
            note: None,
        },
        handed_to: None,
    };
    let closing = parent.op(made_at, change(&post_call, served.clone()));
    let answer = &parent.push(&[closing]).await?.results[0];
    assert_eq!(
        answer.outcome,
        OpOutcome::Rejected {
            ground: RejectGround::PostRecordReadOnly
        }
    );
    assert_eq!(
        answer.record.as_ref().map(Record::id),
        Some(post_call.id),
        "the answer carries the call as it stands"
    );
    // nor can another clinic send anyone to it: the whole push is refused
    let reaching = other.op(made_at, change(&post_call, reassign(&post_call, 502)));
    let refused = other
        .push_raw(&serde_json::to_value(PushRequest {
            ops: vec![serde_json::to_value(&reaching)?],
        })?)
        .await?;
    assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);

    // the parent sends the post's other feldsher: the post's feed brings it
    let cursor = post.pull(None, 100, false).await?.cursor;
    let sending = parent.op(made_at, change(&post_call, reassign(&post_call, 502)));
    let answer = &parent.push(&[sending]).await?.results[0];
    assert!(applied(&answer.outcome), "{answer:?}");
    let at_post = records_in(&post.pull(Some(&cursor), 100, false).await?);
    let [Record::Call(sent)] = at_post.as_slice() else {
        anyhow::bail!("the post's feed brings its call: {at_post:?}");
    };
    assert_eq!(sent.assigned_staff_iin, Some(iin(502).as_string()));

    // the post closes it; the parent's later change loses, and is told why
    let closing = post.op(made_at, change(&post_call, served));
    assert!(applied(&post.push(&[closing]).await?.results[0].outcome));
    let late = parent.op(made_at, change(&post_call, reassign(&post_call, 501)));
    let answer = &parent.push(&[late]).await?.results[0];
    assert_eq!(
        answer.outcome,
        OpOutcome::Rejected {
            ground: RejectGround::CallClosed {
                status: CallStatus::Served
            }
        }
    );
    Ok(())
}

#[tokio::test]
async fn a_clinic_that_becomes_a_post_brings_its_calls_to_its_new_parents_pcs() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let parent_bin = registry.clinics[0].1.clone();
    set_up(&registry, &parent_bin, ClinicKind::Polyclinic, None).await?;
    let post_bin = bin(8);
    set_up(&registry, &post_bin, ClinicKind::FeldsherPost, None).await?;
    let parent = registry.enrolled(0).await?;
    let post = registry.enrolled_at(&post_bin).await?;
    let made_at = at(2026, 11, 23);
    let post_call = call(&post_bin, 3, 9);
    let taken = post.op(made_at, OpBody::RegisterCall(Box::new(post_call.clone())));
    assert!(applied(&post.push(&[taken]).await?.results[0].outcome));

    // the parent's PC has read its feed to the end: nothing of the post's
    let read = parent.pull(None, 100, false).await?;
    assert!(records_in(&read).is_empty());
    // the administrator puts the post under the parent
    set_up(&registry, &post_bin, ClinicKind::FeldsherPost, Some(&parent_bin)).await?;
    let after = records_in(&parent.pull(Some(&read.cursor), 100, false).await?);
    assert_eq!(after.iter().map(Record::id).collect::<Vec<_>>(), [post_call.id]);
    Ok(())
}
