//! The file at rest (issue 19): encrypted with the PC's key, so a copy of
//! the database, its WAL or its backups shows nothing of a patient, and
//! opens nowhere without the key.

use std::path::Path;

use emhana_workstation::{BACKUPS_KEPT, DatabaseKey, OpenError, Workstation};
use sqlx::{ConnectOptions, sqlite::SqliteConnectOptions};

use emhana_domain::StaffRole;

use super::fixture::{acting, clinic, households};

/// What a copied file must not show: a patient's surname, IIN and phone
/// (from the fixture's household).
const KNOWN: [&str; 3] = ["Әлібеков", "780322300458", "7012345678"];

/// The files of `dir` that hold any of [`KNOWN`], as `grep -r` would find them.
fn files_showing_a_patient(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for text in KNOWN {
            if bytes.windows(text.len()).any(|w| w == text.as_bytes()) {
                found.push(format!("{} shows {text}", path.display()));
            }
        }
    }
    found
}

/// The fixture's clinic and households loaded; the head acting.
async fn clinic_with_households(workstation: &Workstation) -> Workstation {
    workstation.import_clinics(&[clinic()]).await.unwrap();
    workstation.import_households(&households()).await.unwrap();
    acting(workstation, StaffRole::Head).await
}

#[tokio::test]
async fn an_encrypted_database_shows_no_patient_and_opens_only_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let key = DatabaseKey::generate().unwrap();
    let (workstation, report) = Workstation::open_encrypted(&path, &key).await.unwrap();
    assert!(report.created && !report.encrypted_now);
    assert!(workstation.is_encrypted());
    let head = clinic_with_households(&workstation).await;
    // the name is in the database, found by search, while the file is open
    // (its WAL too holds what was written)
    let found = head.search("Әлібеков", 10).await.unwrap();
    assert!(!found.hits.is_empty(), "the household is in the database");
    assert!(
        files_showing_a_patient(dir.path()).is_empty(),
        "{:?}",
        files_showing_a_patient(dir.path())
    );
    drop(head);
    workstation.close().await;
    assert!(files_showing_a_patient(dir.path()).is_empty());

    // the file copied to another PC, opened with that PC's key
    let elsewhere = DatabaseKey::generate().unwrap();
    let error = Workstation::open_encrypted(&path, &elsewhere).await.unwrap_err();
    assert!(
        matches!(error, OpenError::WrongKey { path: ref p } if p == &path),
        "got {error:?}"
    );
    // or by any SQLite program, without a key
    let error = Workstation::open(&path).await.unwrap_err();
    assert!(matches!(error, OpenError::Unreadable { .. }), "got {error:?}");
    let mut plain = SqliteConnectOptions::new()
        .filename(&path)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let read: Result<i64, _> = sqlx::query_scalar("SELECT count(*) FROM person")
        .fetch_one(&mut plain)
        .await;
    assert!(read.is_err(), "without the key SQLite reads nothing: {read:?}");

    // with its key it opens as it was
    let (again, report) = Workstation::open_encrypted(&path, &key).await.unwrap();
    assert!(!report.created && report.applied_migrations == 0);
    let again = acting(&again, StaffRole::Head).await;
    assert!(!again.search("Әлібеков", 10).await.unwrap().hits.is_empty());
}

#[tokio::test]
async fn a_database_in_clear_is_encrypted_in_place_with_its_backups_at_its_first_keyed_opening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    // a database of a build before encryption, and a backup it made
    let (plain, _) = Workstation::open(&path).await.unwrap();
    drop(clinic_with_households(&plain).await);
    plain.close().await;
    let backup = dir.path().join("emhana.sqlite.v19-20261101T080000Z.bak");
    std::fs::copy(&path, &backup).unwrap();
    assert_eq!(
        files_showing_a_patient(dir.path()).len(),
        2 * KNOWN.len(),
        "both in clear"
    );

    let key = DatabaseKey::generate().unwrap();
    let (workstation, report) = Workstation::open_encrypted(&path, &key).await.unwrap();
    assert!(report.encrypted_now && !report.created);
    assert!(
        files_showing_a_patient(dir.path()).is_empty(),
        "{:?}",
        files_showing_a_patient(dir.path())
    );
    assert!(
        !dir.path().join("emhana.sqlite.encrypting").exists(),
        "no half-made copy is left"
    );
    // nothing lost: the persons, and the audit chain still verifies
    let head = acting(&workstation, StaffRole::Head).await;
    assert!(!head.search("Әлібеков", 10).await.unwrap().hits.is_empty());
    let check = head.verify_audit().await.unwrap();
    assert!(check.broken.is_none(), "{check:?}");
    drop(head);
    workstation.close().await;

    // the backup is the same database, under the same key
    let mut copy = emhana_workstation::reader_options(&backup, Some(&key))
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM person")
        .fetch_one(&mut copy)
        .await
        .unwrap();
    assert!(persons > 0);
}

#[tokio::test]
async fn a_crash_while_encrypting_leaves_the_file_in_clear_whole_and_the_next_opening_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let (plain, _) = Workstation::open(&path).await.unwrap();
    drop(clinic_with_households(&plain).await);
    plain.close().await;
    // what a power cut during the export leaves: a half-written copy beside
    std::fs::write(dir.path().join("emhana.sqlite.encrypting"), b"half a file").unwrap();

    let key = DatabaseKey::generate().unwrap();
    let (workstation, report) = Workstation::open_encrypted(&path, &key).await.unwrap();
    assert!(report.encrypted_now);
    let head = acting(&workstation, StaffRole::Head).await;
    assert!(!head.search("Әлібеков", 10).await.unwrap().hits.is_empty());
    assert!(files_showing_a_patient(dir.path()).is_empty());
}

#[tokio::test]
async fn only_the_newest_backups_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let key = DatabaseKey::generate().unwrap();
    let (workstation, _) = Workstation::open_encrypted(&path, &key).await.unwrap();
    workstation.close().await;
    let stamps = ["20260101", "20260201", "20260301", "20260401", "20260501"];
    for (n, stamp) in stamps.iter().enumerate() {
        let backup = dir.path().join(format!("emhana.sqlite.v{n}-{stamp}T000000Z.bak"));
        std::fs::copy(&path, &backup).unwrap();
        let file = std::fs::File::options().write(true).open(&backup).unwrap();
        let modified =
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600 + n as u64 * 86_400 * 31);
        file.set_modified(modified).unwrap();
    }
    let (_, report) = Workstation::open_encrypted(&path, &key).await.unwrap();
    assert_eq!(report.pruned_backups, stamps.len() - BACKUPS_KEPT);
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".bak"))
        .collect();
    left.sort();
    assert_eq!(
        left,
        [
            "emhana.sqlite.v2-20260301T000000Z.bak",
            "emhana.sqlite.v3-20260401T000000Z.bak",
            "emhana.sqlite.v4-20260501T000000Z.bak"
        ]
    );
}
