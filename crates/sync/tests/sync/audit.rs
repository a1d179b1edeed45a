//! The audit log's head at the registry (issue 19: "an append-only,
//! hash-chained log whose head is sent to the registry at every sync, so a
//! rewritten local log is detected"). A log cut back to hide its last rows
//! still verifies on the PC — every hash of what is left is right — and is
//! found out by the registry, which held a later head.

use sqlx::{ConnectOptions, Connection};

use super::*;

/// Removes the log's rows from `from` on, as someone holding the file can:
/// the app's own triggers are no lock against the file's holder.
async fn cut_log(path: &std::path::Path, from: i64) -> Result<()> {
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await?;
    sqlx::query("DROP TRIGGER audit_event_no_delete")
        .execute(&mut conn)
        .await?;
    sqlx::query("DELETE FROM audit_event WHERE id >= ?1")
        .bind(from)
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    Ok(())
}

#[tokio::test]
async fn a_log_cut_back_after_a_sync_verifies_on_the_pc_and_is_found_out_by_the_registry() -> Result<()> {
    let region = Region::start(300, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    let first = engine.sync_once(|_| {}).await?;
    assert_eq!(
        first.audit_matches,
        Some(true),
        "the sign-in is the log's first row"
    );
    workstation.search("Ахмет", 5).await?;
    workstation.search("Сұлтан", 5).await?;
    let second = engine.sync_once(|_| {}).await?;
    assert_eq!(second.audit_matches, Some(true));
    let path = dir.path().join("emhana.sqlite");
    let held = local_count(&path, "SELECT audit_held_seq FROM sync_state").await?;
    assert!(
        held >= 3,
        "the registry holds the head after both searches: {held}"
    );
    assert_eq!(
        region
            .count("SELECT count(*) FROM audit_head WHERE seq > 0")
            .await?,
        1
    );

    // Someone with the file removes the searches.
    cut_log(&path, held - 1).await?;
    let check = workstation.verify_audit().await?;
    assert_eq!(
        check.broken, None,
        "what is left chains: only the registry can tell"
    );

    workstation.search("Омар", 5).await?;
    let third = engine.sync_once(|_| {}).await?;
    assert_eq!(third.audit_matches, Some(false));
    let overview = workstation.sync_overview().await?;
    assert!(overview.audit_mismatch_at.is_some(), "the sync screen says so");
    let alarms = region
        .count(&format!(
            "SELECT count(*) FROM audit_alarm WHERE held_seq = {held} AND told_hash IS NULL"
        ))
        .await?;
    assert_eq!(alarms, 1, "one alarm for the administrator");
    let listed = emhana_registry::audit::alarms(&region.pool, None).await?;
    assert_eq!(listed.len(), 1, "emhana-registry audit-alarms lists it");
    assert_eq!(
        (listed[0].held_seq, listed[0].held_row_changed),
        (held, false),
        "the held row is missing from the log"
    );
    let other_clinic = region
        .clinic_bins()?
        .into_iter()
        .find(|bin| *bin != listed[0].clinic_bin)
        .ok_or_else(|| anyhow::anyhow!("a second clinic"))?;
    assert!(
        emhana_registry::audit::alarms(&region.pool, Some(&other_clinic))
            .await?
            .is_empty()
    );
    // the registry keeps the head it held; told again, it raises no second alarm
    assert_eq!(
        region
            .count(&format!("SELECT count(*) FROM audit_head WHERE seq = {held}"))
            .await?,
        1
    );
    assert_eq!(engine.sync_once(|_| {}).await?.audit_matches, Some(false));
    assert_eq!(region.count("SELECT count(*) FROM audit_alarm").await?, 1);
    Ok(())
}

#[tokio::test]
async fn a_post_syncing_by_files_sends_its_head_in_them_and_a_file_older_than_the_head_held_raises_nothing()
-> Result<()> {
    use emhana_sync::bundle::{export_ops, import_answers};

    let region = Region::start(300, kz(2026, 11, 23, 9)).await?;
    let registry_key = emhana_registry::bundle::make_key(&region.pool, false, kz(2026, 11, 23, 9)).await?;
    let dir = tempfile::tempdir()?;
    let (post, credential) = region.workstation(dir.path(), 1).await?;
    let engine = region.engine(&post, &credential, small_pages())?;
    assert_eq!(engine.sync_once(|_| {}).await?.audit_matches, Some(true));
    let held_seq = || region.count("SELECT seq FROM audit_head");

    // A file made on the 24th, then the link comes back on the 25th and the
    // registry takes a later head; the file, brought on the 26th, is older.
    post.search("Ахмет", 5).await?;
    let older = export_ops(&post, kz(2026, 11, 24, 9)).await?;
    post.search("Сұлтан", 5).await?;
    region.set_now(kz(2026, 11, 25, 9));
    assert_eq!(engine.sync_once(|_| {}).await?.audit_matches, Some(true));
    let after_link = held_seq().await?;
    let (answers, _) =
        emhana_registry::bundle::import(&region.pool, &registry_key, &older.bytes, kz(2026, 11, 26, 9))
            .await?;
    assert_eq!(held_seq().await?, after_link, "an older file moves no head");
    assert_eq!(region.count("SELECT count(*) FROM audit_alarm").await?, 0);
    import_answers(&post, &answers, kz(2026, 11, 26, 10)).await?;
    assert!(post.sync_overview().await?.audit_mismatch_at.is_none());

    // A file made after: its head is taken, as a sync's would be.
    post.search("Омар", 5).await?;
    let newer = export_ops(&post, kz(2026, 11, 27, 9)).await?;
    let (answers, _) =
        emhana_registry::bundle::import(&region.pool, &registry_key, &newer.bytes, kz(2026, 11, 27, 10))
            .await?;
    let carried = held_seq().await?;
    assert!(carried > after_link, "{carried} after {after_link}");
    import_answers(&post, &answers, kz(2026, 11, 27, 11)).await?;
    let path = dir.path().join("emhana.sqlite");

    // The log cut back before that head: the next file tells the registry so.
    cut_log(&path, carried - 1).await?;
    let cut = export_ops(&post, kz(2026, 11, 28, 9)).await?;
    let (answers, _) =
        emhana_registry::bundle::import(&region.pool, &registry_key, &cut.bytes, kz(2026, 11, 28, 10))
            .await?;
    assert_eq!(held_seq().await?, carried, "the registry keeps the head it held");
    assert_eq!(region.count("SELECT count(*) FROM audit_alarm").await?, 1);
    import_answers(&post, &answers, kz(2026, 11, 28, 11)).await?;
    assert!(
        post.sync_overview().await?.audit_mismatch_at.is_some(),
        "the post's sync screen says so"
    );
    Ok(())
}
