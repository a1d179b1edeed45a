use emhana_workstation::{OpenError, Workstation};
use sqlx::{ConnectOptions, Connection, sqlite::SqliteConnectOptions};

#[tokio::test]
async fn a_missing_database_is_created_with_its_folder_and_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app-data").join("emhana.sqlite");
    let (workstation, report) = Workstation::open(&path).await.unwrap();
    assert!(report.created, "the file did not exist, so it was created");
    assert!(report.applied_migrations >= 1);
    assert!(path.exists());
    assert!(
        workstation.is_empty().await.unwrap(),
        "a new database holds no clinic"
    );
    let journal: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(
            &mut SqliteConnectOptions::new()
                .filename(&path)
                .connect()
                .await
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(journal, "wal");
}

#[tokio::test]
async fn reopening_a_current_database_applies_nothing_and_makes_no_backup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let (first, _) = Workstation::open(&path).await.unwrap();
    first.close().await;
    let (_, report) = Workstation::open(&path).await.unwrap();
    assert!(!report.created);
    assert_eq!(report.applied_migrations, 0);
    assert!(report.backup.is_none());
}

#[tokio::test]
async fn a_file_that_is_not_a_database_stops_with_its_path_and_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let garbage = b"this is a spreadsheet, not a database ".repeat(200);
    std::fs::write(&path, &garbage).unwrap();
    let error = Workstation::open(&path).await.unwrap_err();
    assert!(
        matches!(error, OpenError::Unreadable { path: ref p, .. } if p == &path),
        "got {error:?}"
    );
    assert!(
        error.to_string().contains(&path.display().to_string()),
        "the message names the file"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        garbage,
        "the file must be left exactly as it was"
    );
}

#[tokio::test]
async fn a_database_from_a_newer_emhana_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let (workstation, _) = Workstation::open(&path).await.unwrap();
    workstation.close().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99990101000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    let before = std::fs::read(&path).unwrap();

    let error = Workstation::open(&path).await.unwrap_err();
    assert!(
        matches!(
            error,
            OpenError::NewerSchema {
                found: 99990101000000,
                ..
            }
        ),
        "got {error:?}"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a newer database must not be touched"
    );
    // nor encrypted: opened with a key, it is refused before
    let key = emhana_workstation::DatabaseKey::generate().unwrap();
    let error = Workstation::open_encrypted(&path, &key).await.unwrap_err();
    assert!(matches!(error, OpenError::NewerSchema { .. }), "got {error:?}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a newer database must not be touched"
    );
}

#[tokio::test]
async fn a_database_with_pending_migrations_is_backed_up_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    // An older file: data, but none of this build's migrations yet.
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .connect()
        .await
        .unwrap();
    sqlx::query("CREATE TABLE legacy_note (text TEXT); INSERT INTO legacy_note VALUES ('keep me')")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let (_, report) = Workstation::open(&path).await.unwrap();
    let backup = report
        .backup
        .expect("a backup is made before migrating a file that holds data");
    let mut copy = SqliteConnectOptions::new()
        .filename(&backup)
        .read_only(true)
        .connect()
        .await
        .unwrap();
    let note: String = sqlx::query_scalar("SELECT text FROM legacy_note")
        .fetch_one(&mut copy)
        .await
        .unwrap();
    assert_eq!(note, "keep me");
    let migrated: i64 = sqlx::query_scalar("SELECT count(*) FROM sqlite_master WHERE name = 'person'")
        .fetch_one(&mut copy)
        .await
        .unwrap();
    assert_eq!(
        migrated, 0,
        "the backup is the file as it was before the migration"
    );
}

#[tokio::test]
async fn the_language_choice_is_remembered_across_restarts() {
    use emhana_workstation::Language;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("emhana.sqlite");
    let (workstation, _) = Workstation::open(&path).await.unwrap();
    assert_eq!(workstation.language().await.unwrap(), None);
    workstation.set_language(Language::Ru).await.unwrap();
    workstation.set_language(Language::Kk).await.unwrap();
    workstation.close().await;
    let (reopened, _) = Workstation::open(&path).await.unwrap();
    assert_eq!(reopened.language().await.unwrap(), Some(Language::Kk));
}

/// A database whose search keys an older build folded ("Элибеков" then
/// folded to "елибеков") gets them rebuilt on open, in one go, and then finds
/// the Russian spellings registrars type for Kazakh names.
#[tokio::test]
async fn search_keys_folded_by_an_older_build_are_rebuilt_on_open() {
    let (dir, workstation) = crate::fixture::loaded().await;
    let path = dir.path().join("emhana.sqlite");
    let family = |ws: &Workstation| {
        let ws = ws.clone();
        async move { ws.search("Элибеков", 10).await.unwrap().hits.len() }
    };
    assert_eq!(family(&workstation).await, 3, "Әлібеков, Әлібекова, Әлібеков");
    workstation.close().await;

    // what a build before the э→а folding left behind
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    sqlx::query("UPDATE setting SET value = '1' WHERE name = 'search_fold'")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("UPDATE person_name_word SET word = 'елибеков' WHERE word = 'алибеков'")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();

    let (reopened, report) = Workstation::open(&path).await.unwrap();
    assert_eq!(report.refolded_persons, 6, "every person of the fixture");
    assert_eq!(family(&reopened).await, 3);
    let (_, again) = Workstation::open(&path).await.unwrap();
    assert_eq!(again.refolded_persons, 0, "current keys are left alone");
}

/// Migration 0007 on a database from before it: an observation plan, then
/// planned 12 months from its enrolment, resumes planning from there.
#[tokio::test]
async fn observation_plans_from_before_the_rolling_horizon_resume_where_they_were_planned_to() {
    let (dir, workstation) = crate::fixture::loaded().await;
    let path = dir.path().join("emhana.sqlite");
    let ivanov = workstation.search("Иванов Пётр", 1).await.unwrap().hits[0].id;
    workstation.close().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    // a plan as an older build wrote it, enrolled on 28 February 2025
    sqlx::query(
        "INSERT INTO care_plan (person_id, kind, condition, event, rules_valid_from, opened_at) \
         VALUES (?1, 'observation', 'arterial_hypertension', \
                 '{\"event\":\"observation\",\"condition\":\"arterial_hypertension\",\"risk\":\"low\",\"enrolled\":\"2025-02-28\"}', \
                 '2015-04-28', '2025-02-28T05:00:00Z')",
    )
    .bind(ivanov)
    .execute(&mut conn)
    .await
    .unwrap();
    // and the file as that build left it: without 0007
    for statement in [
        "DROP INDEX care_plan_to_plan_ahead",
        "ALTER TABLE care_plan DROP COLUMN planned_through",
        "DELETE FROM _sqlx_migrations WHERE version = 7",
    ] {
        sqlx::query(statement).execute(&mut conn).await.unwrap();
    }
    conn.close().await.unwrap();

    let (reopened, report) = Workstation::open(&path).await.unwrap();
    assert_eq!(report.applied_migrations, 1);
    reopened.close().await;
    let mut conn = SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    let through: Vec<Option<String>> = sqlx::query_scalar("SELECT planned_through FROM care_plan")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(through, [Some("2026-02-28".to_owned())]);
}
