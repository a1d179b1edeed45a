//! Snapshots of a clinic (docs/sync.md "Snapshots"): built beside the
//! registry by a workstation of the clinic that syncs as any other and
//! exports its database ([`build`], the `emhana-snapshot` command), and taken
//! by a new workstation at its first sync instead of reading the whole feed
//! (`SyncEngine::sync_once`: download, resume, check, install).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use emhana_protocol::SnapshotInfo;
use sha2::{Digest, Sha256};

use crate::{SyncEngine, SyncError, Transport};

/// The SHA-256 of a file, in hex.
pub fn sha256_of(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(format!("{:x}", hasher.finalize()))
}

/// Where a workstation keeps a snapshot while it downloads it: beside its
/// database, the file and the description of what it is downloading.
pub(crate) fn partial_paths(database: &Path) -> (PathBuf, PathBuf) {
    (
        database.with_extension("snapshot.partial"),
        database.with_extension("snapshot.json"),
    )
}

/// Brings the builder's database up to the feed's end, then writes its
/// snapshot into `<out>/<clinic BIN>/` for the registry to hand out:
/// `snapshot.sqlite` first, then `snapshot.json`, each written aside and
/// renamed, so a reader sees the old pair or the new one.
pub async fn build<T: Transport>(
    engine: &SyncEngine<T>,
    out: &Path,
    now: DateTime<Utc>,
) -> Result<SnapshotInfo, SyncError> {
    // the feed read to its end (a held-back feed is read again)
    for _ in 0..120 {
        if !engine.sync_once(|_| {}).await?.held_back {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let enrolment = engine
        .store()
        .enrolment()
        .await?
        .ok_or(emhana_workstation::StoreError::NotEnrolled)?;
    let folder = out.join(&enrolment.clinic_bin);
    let io = |error: std::io::Error| {
        SyncError::Store(emhana_workstation::StoreError::Corrupt {
            detail: format!("{}: {error}", folder.display()),
        })
    };
    std::fs::create_dir_all(&folder).map_err(io)?;
    let building = folder.join("snapshot.sqlite.building");
    let _ = std::fs::remove_file(&building);
    let (cursor, schema_version, persons) = engine.store().export_snapshot(&building).await?;
    let size = std::fs::metadata(&building).map_err(io)?.len();
    let sha256 = sha256_of(&building).map_err(io)?;
    let info = SnapshotInfo {
        clinic_bin: enrolment.clinic_bin.clone(),
        cursor,
        built_at: now,
        schema_version,
        size,
        sha256,
        persons,
    };
    std::fs::rename(&building, folder.join("snapshot.sqlite")).map_err(io)?;
    let json = serde_json::to_vec_pretty(&info).map_err(|error| io(std::io::Error::other(error)))?;
    let described = folder.join("snapshot.json.building");
    std::fs::write(&described, json).map_err(io)?;
    std::fs::rename(&described, folder.join("snapshot.json")).map_err(io)?;
    Ok(info)
}
