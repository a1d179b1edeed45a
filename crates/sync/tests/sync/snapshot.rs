//! A first sync from the clinic's snapshot (issue 18): a builder
//! workstation exports the clinic into the registry's snapshots folder; a
//! new PC downloads it, checks it, installs it, and follows the feed from
//! its cursor — ending with what a PC that read the whole feed holds. A
//! download broken half-way resumes where it stopped; a file that fails its
//! check is downloaded again; a snapshot past its age is refused and the PC
//! reads the feed.

use std::path::Path;

use emhana_workstation::{DatabaseKey, Workstation};
use sqlx::{ConnectOptions, Connection};

use super::*;

/// The key the PCs of these tests keep their files encrypted with, as the
/// app does (the snapshot builder's stays in clear: it serves its export).
fn key() -> &'static DatabaseKey {
    static KEY: std::sync::OnceLock<DatabaseKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| DatabaseKey::from_hex(&"5e".repeat(32)).unwrap_or_else(|_| unreachable!()))
}

/// An enrolled PC with nothing of its own; encrypted unless it is the builder.
async fn empty_pc(region: &Region, dir: &Path, bin: &str) -> Result<(Workstation, String)> {
    empty_pc_at_rest(region, dir, bin, Some(key())).await
}

async fn empty_pc_at_rest(
    region: &Region,
    dir: &Path,
    bin: &str,
    key: Option<&DatabaseKey>,
) -> Result<(Workstation, String)> {
    let path = dir.join("emhana.sqlite");
    let (workstation, _) = match key {
        Some(key) => Workstation::open_encrypted(&path, key).await?,
        None => Workstation::open(&path).await?,
    };
    let now = *region.now.lock().map_err(|_| anyhow::anyhow!("clock"))?;
    let (_, code) = emhana_registry::auth::add_workstation(&region.pool, bin, "Тіркеу орны", now).await?;
    let enrolment = emhana_sync::enrol(&region.base, &code).await?;
    workstation.save_enrolment(&region.base, &enrolment, now).await?;
    Ok((workstation, enrolment.credential))
}

/// A count in a PC's file (with the key) or the snapshot (in clear).
async fn count(path: &Path, sql: &str) -> Result<i64> {
    let key = emhana_workstation::is_encrypted_file(path).then(key);
    let mut conn = emhana_workstation::reader_options(path, key)
        .read_only(true)
        .connect()
        .await?;
    Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&mut conn)
        .await?)
}

#[tokio::test]
async fn a_new_pc_starts_from_the_clinic_s_snapshot_and_follows_the_feed_from_it() -> Result<()> {
    let now = kz(2026, 12, 2, 9);
    let region = Region::start(800, now).await?;
    let bin = region.clinic_bins()?[0].clone();
    let dirs: Vec<tempfile::TempDir> = (0..6).map(|_| tempfile::tempdir()).collect::<Result<_, _>>()?;

    // before the build, a newborn registered at the desk with no state
    // database to ask: her data is as typed, not confirmed
    let (desk, desk_credential) = region.workstation(dirs[1].path(), 0).await?;
    let desk_engine = region.engine(&desk, &desk_credential, small_pages())?;
    sync_round(&desk_engine).await?;
    let typed = register_newborn(&desk, 2, now).await?;
    attach(&desk, typed, now).await?;
    sync_round(&desk_engine).await?;
    let typed_iin = support::newborn(2).iin;

    // the builder beside the registry: a workstation of the clinic, exported
    let (builder, credential) = empty_pc_at_rest(&region, dirs[0].path(), &bin, None).await?;
    let engine = region.engine(&builder, &credential, small_pages())?;
    let info = emhana_sync::snapshot::build(&engine, region.snapshots.path(), now).await?;
    assert!(info.persons > 100, "{} persons in the snapshot", info.persons);
    let file = region.snapshots.path().join(&bin).join("snapshot.sqlite");
    assert_eq!(std::fs::metadata(&file)?.len(), info.size);
    // the builder's own enrolment and ops stay behind
    assert_eq!(count(&file, "SELECT count(*) FROM sync_enrolment").await?, 0);

    // after the build, a newborn is attached at the desk: the feed carries her
    let newborn = register_newborn(&desk, 1, now).await?;
    attach(&desk, newborn, now).await?;
    sync_round(&desk_engine).await?;
    let newborn_iin = support::newborn(1).iin;

    // a new PC: the snapshot, then the feed after its cursor
    let (pc, pc_credential) = empty_pc(&region, dirs[2].path(), &bin).await?;
    let pc_engine = region.engine(&pc, &pc_credential, small_pages())?;
    let progress = Mutex::new(Vec::new());
    let report = pc_engine
        .sync_once(|p| {
            if let Progress::Downloading { received, total } = p
                && let Ok(mut seen) = progress.lock()
            {
                seen.push((received, total));
            }
        })
        .await?;
    assert_eq!(report.snapshot_persons, Some(info.persons));
    let seen = progress.lock().map_err(|_| anyhow::anyhow!("progress"))?.clone();
    assert_eq!(
        seen.last(),
        Some(&(info.size, info.size)),
        "the progress bar reached its end"
    );
    let found = pc.search(&newborn_iin, 5).await?;
    assert_eq!(
        found.hits.len(),
        1,
        "the newborn came with the feed after the snapshot"
    );
    // the name keys came built: a search by name finds persons
    assert!(!pc.search("Ах", 20).await?.hits.is_empty());
    let pc_file = dirs[2].path().join("emhana.sqlite");
    // the snapshot carries the mark of data nobody confirmed
    assert_eq!(
        count(
            &pc_file,
            &format!("SELECT unconfirmed FROM person WHERE iin = '{typed_iin}'")
        )
        .await?,
        1
    );
    // copied record by record with foreign keys off: the file is whole and every reference holds
    let checked = sqlx::SqlitePool::connect_with(
        emhana_workstation::reader_options(&pc_file, Some(key())).read_only(true),
    )
    .await?;
    let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&checked)
        .await?;
    assert_eq!(integrity, "ok");
    let dangling: Vec<(String, Option<i64>, String, i64)> = sqlx::query_as("PRAGMA foreign_key_check")
        .fetch_all(&checked)
        .await?;
    assert!(dangling.is_empty(), "{dangling:?}");
    checked.close().await;
    assert!(
        !dirs[2].path().join("emhana.snapshot.partial").exists(),
        "the download is cleaned up"
    );

    // a PC that reads the whole feed ends with the same
    region.set_now(now);
    let (feed_pc, feed_credential) = empty_pc(&region, dirs[3].path(), &bin).await?;
    let _ = std::fs::rename(
        region.snapshots.path().join(&bin).join("snapshot.json"),
        region.snapshots.path().join("aside.json"),
    );
    let feed_engine = region.engine(&feed_pc, &feed_credential, small_pages())?;
    let feed_report = sync_round(&feed_engine).await?;
    assert_eq!(feed_report.snapshot_persons, None);
    let feed_file = dirs[3].path().join("emhana.sqlite");
    for sql in [
        "SELECT count(*) FROM person",
        "SELECT count(*) FROM attachment WHERE ended_on IS NULL",
        "SELECT count(*) FROM person_name_word",
        "SELECT count(*) FROM district",
        "SELECT count(*) FROM staff",
    ] {
        assert_eq!(
            count(&pc_file, sql).await?,
            count(&feed_file, sql).await?,
            "{sql}"
        );
    }
    std::fs::rename(
        region.snapshots.path().join("aside.json"),
        region.snapshots.path().join(&bin).join("snapshot.json"),
    )?;

    // a download broken half-way resumes; a file that fails its check is fetched again
    let whole = std::fs::read(&file)?;
    for (dir, partial) in [
        (dirs[4].path(), whole[..whole.len() / 2].to_vec()),
        (dirs[5].path(), vec![0u8; whole.len()]),
    ] {
        let (other, other_credential) = empty_pc(&region, dir, &bin).await?;
        std::fs::write(dir.join("emhana.snapshot.partial"), &partial)?;
        std::fs::write(dir.join("emhana.snapshot.json"), serde_json::to_vec(&info)?)?;
        let other_engine = region.engine(&other, &other_credential, small_pages())?;
        let downloaded = Mutex::new(0u64);
        let report = other_engine
            .sync_once(|p| {
                if let Progress::Downloading { received, .. } = p
                    && let Ok(mut first) = downloaded.lock()
                    && *first == 0
                {
                    *first = received;
                }
            })
            .await?;
        assert_eq!(report.snapshot_persons, Some(info.persons));
        let first = *downloaded.lock().map_err(|_| anyhow::anyhow!("progress"))?;
        if partial.iter().any(|b| *b != 0) {
            assert!(
                first > partial.len() as u64,
                "resumed after the {} bytes held",
                partial.len()
            );
        }
        assert_eq!(
            count(&dir.join("emhana.sqlite"), "SELECT count(*) FROM person").await?,
            count(&pc_file, "SELECT count(*) FROM person").await?
        );
    }

    // a snapshot whose rows refer to rows it lacks is refused whole: nothing of it stays
    let broken_dir = tempfile::tempdir()?;
    let broken = broken_dir.path().join("broken.sqlite");
    std::fs::copy(&file, &broken)?;
    {
        let mut tamper = sqlx::SqliteConnection::connect(&format!("sqlite://{}", broken.display())).await?;
        sqlx::query("PRAGMA foreign_keys = OFF")
            .execute(&mut tamper)
            .await?;
        let gone = sqlx::query(
            "DELETE FROM person WHERE id = (SELECT person_id FROM attachment ORDER BY id LIMIT 1)",
        )
        .execute(&mut tamper)
        .await?;
        assert_eq!(gone.rows_affected(), 1);
        tamper.close().await?;
    }
    let (refusing, _) = empty_pc(&region, broken_dir.path(), &bin).await?;
    let refused = refusing.install_snapshot(&broken, &info).await?;
    assert!(
        matches!(&refused, Err(emhana_workstation::SnapshotRefusal::Unreadable(why)) if why.ends_with("refers to no row of person")),
        "{refused:?}"
    );
    let refusing_file = broken_dir.path().join("emhana.sqlite");
    assert_eq!(count(&refusing_file, "SELECT count(*) FROM person").await?, 0);
    assert_eq!(
        count(&refusing_file, "SELECT count(*) FROM person_name_word").await?,
        0
    );

    // past its age the snapshot is not offered: a PC reads the feed
    region.set_now(now + chrono::Duration::days(emhana_protocol::SNAPSHOT_MAX_AGE_DAYS + 1));
    let late_dir = tempfile::tempdir()?;
    let (late, late_credential) = empty_pc(&region, late_dir.path(), &bin).await?;
    let late_engine = region.engine(&late, &late_credential, small_pages())?;
    let late_report = sync_round(&late_engine).await?;
    assert_eq!(late_report.snapshot_persons, None);
    assert_eq!(
        count(
            &late_dir.path().join("emhana.sqlite"),
            "SELECT count(*) FROM person"
        )
        .await?,
        count(&pc_file, "SELECT count(*) FROM person").await?
    );
    Ok(())
}
