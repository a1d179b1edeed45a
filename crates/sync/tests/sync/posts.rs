//! A feldsher post and its parent polyclinic (issue 17), set up at the
//! registry as an administrator would: the post's call and care plan reach
//! the parent's PC, which sends the post's other feldsher and the post's PC
//! learns of it; a call the post closed while the parent sent someone else
//! stays closed and the parent's change lands in needs attention once; a
//! parent's PC enrolled later gets the post's records on its first sync,
//! and every parent's PC holds them exactly as the registry does.

use emhana_domain::care_plan::RiskLevel;
use emhana_domain::home_call::CallStatus;
use emhana_domain::organization::ClinicProfile;
use emhana_domain::{Address, Bin, ClinicKind, DistrictKind};
use emhana_registry::organization::{import_coverage, import_staff, set_clinic, set_district, set_password};

use super::calls::form;
use super::organization::{PASSWORD, adult, empty_pc, signed_in, staff_iin};
use super::plans::hypertension;
use super::*;

fn bins() -> Result<(Bin, Bin)> {
    let complete = |serial: u8| {
        (0u8..10)
            .find_map(|n| Bin::complete([1, 5, 0, 3, 4, 0, 0, 0, serial, 7, n]))
            .ok_or_else(|| anyhow::anyhow!("a BIN"))
    };
    Ok((complete(8)?, complete(9)?))
}

fn profile(bin: Bin, kind: ClinicKind, parent: Option<Bin>, name: &str, settlement: &str) -> ClinicProfile {
    ClinicProfile {
        bin,
        name_kk: format!("{name} (kk)"),
        name_ru: name.into(),
        kind,
        region: "Ақмола облысы".into(),
        parent_bin: parent,
        settlement: settlement.into(),
        address: String::new(),
        phone: String::new(),
        hours: String::new(),
    }
}

/// The polyclinic of the district centre and the post of the village of
/// Қоянды under it, with their staff and what each district covers.
async fn set_up(region: &Region) -> Result<(Bin, Bin)> {
    let (parent, post) = bins()?;
    let refused = |e| anyhow::anyhow!("{e:?}");
    set_clinic(
        &region.pool,
        &profile(parent, ClinicKind::Polyclinic, None, "Аудандық емхана", "Қосшы"),
    )
    .await
    .map_err(refused)?;
    set_clinic(
        &region.pool,
        &profile(
            post,
            ClinicKind::FeldsherPost,
            Some(parent),
            "ФАП села Қоянды",
            "Қоянды",
        ),
    )
    .await
    .map_err(refused)?;
    set_district(&region.pool, &parent, 1, DistrictKind::Therapeutic, None)
        .await
        .map_err(refused)?;
    set_district(&region.pool, &post, 1, DistrictKind::GeneralPractice, None)
        .await
        .map_err(refused)?;
    let staff = format!(
        "clinic_bin,iin,surname,first_name,roles,specialty,districts,room\n\
         {parent},{},Ахметова,Айгерім,district_nurse,,1,203\n\
         {parent},{},Жұмабаева,Сәуле,registrar,,,101\n\
         {post},{},Серікова,Мәдина,feldsher,,1,\n\
         {post},{},Оспанов,Ерлан,feldsher,,1,\n",
        staff_iin(11)?,
        staff_iin(12)?,
        staff_iin(13)?,
        staff_iin(14)?,
    );
    import_staff(&region.pool, staff.as_bytes())
        .await
        .map_err(refused)?;
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n\
         {parent},1,Қосшы,Абай көшесі,1,99,all\n\
         {post},1,Қоянды,,,,\n"
    );
    import_coverage(&region.pool, coverage.as_bytes())
        .await
        .map_err(refused)?;
    // the parent's registrar and the post's first feldsher sign in
    let now = *region.now.lock().map_err(|_| anyhow::anyhow!("clock"))?;
    for (clinic, n) in [(&parent, 12), (&post, 13)] {
        set_password(&region.pool, clinic, &staff_iin(n)?.to_string(), PASSWORD, now)
            .await
            .map_err(refused)?;
    }
    Ok((parent, post))
}

/// Every post's record the PC holds, as JSON, against the registry's.
async fn post_records_agree(region: &Region, pc: &std::path::Path, post: Bin) -> Result<usize> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", pc.display())).await?;
    let at_pc: Vec<(String, String)> = sqlx::query_as("SELECT uid, body FROM post_record ORDER BY uid")
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    let at_registry: Vec<(uuid::Uuid, serde_json::Value)> = sqlx::query_as(
        "SELECT r.id, r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
         WHERE c.bin = $1 AND r.kind IN ('call', 'plan') ORDER BY r.id::text",
    )
    .bind(post.as_string())
    .fetch_all(&region.pool)
    .await?;
    anyhow::ensure!(
        at_pc.len() == at_registry.len(),
        "{} records at the PC, {} at the registry",
        at_pc.len(),
        at_registry.len()
    );
    for ((uid, body), (id, kept)) in at_pc.iter().zip(&at_registry) {
        anyhow::ensure!(*uid == id.to_string(), "record {uid} against {id}");
        let held: serde_json::Value = serde_json::from_str(body)?;
        anyhow::ensure!(held == *kept, "record {uid} differs from the registry's");
    }
    Ok(at_pc.len())
}

#[tokio::test]
async fn a_posts_call_and_plan_reach_its_parent_which_sends_someone_else_and_a_late_change_is_told()
-> Result<()> {
    let now = kz(2026, 12, 2, 10);
    let today = now.date_naive();
    let region = Region::start(60, now).await?;
    let (parent_bin, post_bin) = set_up(&region).await?;
    let dirs = (tempfile::tempdir()?, tempfile::tempdir()?, tempfile::tempdir()?);
    let (parent_pc, parent_credential) = empty_pc(&region, dirs.0.path(), parent_bin).await?;
    let (post_pc, post_credential) = empty_pc(&region, dirs.1.path(), post_bin).await?;
    let parent_engine = region.engine(&parent_pc, &parent_credential, small_pages())?;
    let post_engine = region.engine(&post_pc, &post_credential, small_pages())?;
    sync_round(&parent_engine).await?;
    sync_round(&post_engine).await?;
    let parent_pc = signed_in(&parent_pc, staff_iin(12)?, now).await?;
    let post_pc = signed_in(&post_pc, staff_iin(13)?, now).await?;

    // at the post: a villager attached by her address, then a call and a plan for her
    let mut villager = adult(3, "7");
    villager.registered_address = Some(Address {
        settlement: "Қоянды".into(),
        street: "Бірлік".into(),
        house: "7".into(),
        apartment: None,
    });
    let person = post_pc
        .register_person(&villager, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    attach(&post_pc, person, now).await?;
    sync_round(&post_engine).await?;
    let call = post_pc
        .register_call(&form(person, "қызуы көтерілді"), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(call.assigned_staff.as_deref(), Some("Серікова Мәдина"));
    post_pc
        .open_plan(person, &hypertension(today, RiskLevel::Low), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    sync_round(&post_engine).await?;

    // at the parent: the post's call and plan, apart from its own journal
    sync_round(&parent_engine).await?;
    assert!(
        parent_pc.calls_on(today).await?.is_empty(),
        "the post's call is not the parent's own"
    );
    let calls = parent_pc.post_calls(today).await?;
    let [seen] = calls.as_slice() else {
        anyhow::bail!("the post's call at the parent: {calls:?}");
    };
    assert_eq!(
        (
            seen.post_name_ru.as_str(),
            seen.number.as_str(),
            seen.status,
            seen.waiting
        ),
        (
            "ФАП села Қоянды",
            call.number.as_str(),
            CallStatus::Registered,
            false
        )
    );
    assert_eq!(seen.assigned_staff.as_deref(), Some("Серікова Мәдина"));
    let plans = parent_pc.post_plans().await?;
    let [plan] = plans.as_slice() else {
        anyhow::bail!("the post's plan at the parent: {plans:?}");
    };
    assert_eq!(plan.person_name, seen.person_name);
    assert!(
        plan.visits_planned > 0 && plan.next_due_from.is_some(),
        "{plan:?}"
    );

    // the parent sends the post's other feldsher: shown at once, confirmed, and at the post
    let staff = parent_pc.post_call_staff(seen.id).await?;
    let names: Vec<&str> = staff.iter().map(|s| s.full_name.as_str()).collect();
    assert_eq!(
        names,
        ["Оспанов Ерлан", "Серікова Мәдина", "Ахметова Айгерім"],
        "the post's own first"
    );
    let sent = parent_pc
        .reassign_post_call(seen.id, staff[0].id, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(
        (sent.assigned_staff.as_deref(), sent.waiting),
        (Some("Оспанов Ерлан"), true)
    );
    let report = sync_round(&parent_engine).await?;
    assert_eq!((report.confirmed, report.rejected), (1, 0));
    let after = parent_pc.post_calls(today).await?;
    assert_eq!(
        (after[0].assigned_staff.as_deref(), after[0].waiting),
        (Some("Оспанов Ерлан"), false)
    );
    sync_round(&post_engine).await?;
    let at_post = post_pc.calls_on(today).await?;
    assert_eq!(at_post[0].assigned_staff.as_deref(), Some("Оспанов Ерлан"));

    // offline, both: the post's feldsher serves the call, the parent sends someone else
    post_pc
        .set_call_status(at_post[0].id, CallStatus::Served, Some("ҚҚ 130/85"), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    parent_pc
        .reassign_post_call(seen.id, staff[1].id, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    sync_round(&post_engine).await?;
    let report = sync_round(&parent_engine).await?;
    assert_eq!((report.confirmed, report.rejected), (0, 1));
    let attention = parent_pc.needs_attention().await?;
    let [lost] = attention.as_slice() else {
        anyhow::bail!("the lost change, once: {attention:?}");
    };
    assert_eq!(
        lost.ground,
        RejectGround::CallClosed {
            status: CallStatus::Served
        }
    );
    assert_eq!(lost.action, AttentionAction::CheckCall);
    assert_eq!(
        (lost.call_number.as_deref(), lost.person_name.as_deref()),
        (Some(call.number.as_str()), Some(seen.person_name.as_str()))
    );
    // the call as the post left it: served, by the feldsher it was sent to
    let closed = parent_pc.post_calls(today).await?;
    assert_eq!(
        (
            closed[0].status,
            closed[0].assigned_staff.as_deref(),
            closed[0].outcome_note.as_deref()
        ),
        (CallStatus::Served, Some("Оспанов Ерлан"), Some("ҚҚ 130/85"))
    );
    // and a closed call is sent nowhere
    assert!(
        parent_pc
            .reassign_post_call(seen.id, staff[1].id, now)
            .await
            .is_err(),
        "a closed call stays closed"
    );

    // a parent's PC enrolled now gets the post's records on its first sync
    let (late_pc, late_credential) = empty_pc(&region, dirs.2.path(), parent_bin).await?;
    sync_round(&region.engine(&late_pc, &late_credential, small_pages())?).await?;
    assert_eq!(late_pc.post_calls(today).await?, closed);
    assert_eq!(late_pc.post_plans().await?, parent_pc.post_plans().await?);
    // and each parent's PC holds them as the registry does, field by field
    assert_eq!(
        post_records_agree(&region, &dirs.0.path().join("emhana.sqlite"), post_bin).await?,
        2
    );
    assert_eq!(
        post_records_agree(&region, &dirs.2.path().join("emhana.sqlite"), post_bin).await?,
        2
    );
    // the post's PC keeps its own in its journal, never as a post's
    assert!(post_pc.post_calls(today).await?.is_empty());
    Ok(())
}
