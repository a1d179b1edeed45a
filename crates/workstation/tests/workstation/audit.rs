//! The audit log (issue 19): every change, opening of a card, search, export
//! and refused attempt, by whom, in a hash-chained log that names its first
//! broken link; the card lists who opened it.

use emhana_domain::StaffRole;
use emhana_domain::access::Action;
use emhana_workstation::{BrokenLink, DetachmentReason, LinkProblem, StoreError, Workstation};
use sqlx::{ConnectOptions, Connection};

use crate::fixture::{self, acting, audit_after, date, loaded};

async fn last_row(ws: &Workstation) -> i64 {
    let url = format!("sqlite://{}?mode=ro", ws.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let last: i64 = sqlx::query_scalar("SELECT coalesce(max(id), 0) FROM audit_event")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    last
}

#[tokio::test]
async fn searches_openings_exports_changes_and_refusals_are_chained_with_their_author() {
    let (_dir, head) = loaded().await;
    let before = last_row(&head).await;
    let registrar = acting(&head, StaffRole::Registrar).await;
    let hits = registrar.search("Әлібеков", 10).await.unwrap().hits;
    let kairat = hits.iter().find(|hit| hit.iin == "780322300458").unwrap().id;
    registrar.person_card(kairat, date(2026, 11, 23)).await.unwrap();
    // a registrar does not record a death: refused, and the attempt audited
    assert!(matches!(
        registrar
            .detach(
                kairat,
                DetachmentReason::Died,
                date(2026, 11, 20),
                chrono::Utc::now()
            )
            .await,
        Err(StoreError::NotAllowed {
            action: Action::RecordDeath
        })
    ));
    head.attached_register_csv(&Default::default(), date(2026, 11, 23))
        .await
        .unwrap();
    head.detach(
        kairat,
        DetachmentReason::Died,
        date(2026, 11, 20),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    // a wrong password: audited with the IIN typed, no author
    assert!(
        head.sign_in("780322300458", "not a password", chrono::Utc::now())
            .await
            .is_err()
    );

    let actions: Vec<String> = audit_after(&head, before)
        .await
        .into_iter()
        .map(|(action, _)| action)
        .collect();
    assert_eq!(
        actions,
        [
            "signed_in",
            "searched",
            "card_opened",
            "refused",
            "register_exported",
            "person_died",
            "sign_in_refused",
        ],
        "a death at a PC holding no registry link makes no op"
    );
    let rows = audit_after(&head, before).await;
    assert_eq!(
        rows[1].1,
        format!(r#"{{"hits":{},"text":"Әлібеков"}}"#, hits.len())
    );
    assert_eq!(rows[3].1, r#"{"action":"record_death"}"#);
    assert!(
        rows[6].1.contains(r#""reason":"wrong_password""#),
        "{}",
        rows[6].1
    );

    let check = head.verify_audit().await.unwrap();
    assert_eq!(check.broken, None);
    assert_eq!(check.rows, u64::try_from(last_row(&head).await).unwrap());
}

#[tokio::test]
async fn the_card_lists_who_opened_it_newest_first() {
    let (_dir, head) = loaded().await;
    let registrar = acting(&head, StaffRole::Registrar).await;
    let kairat = registrar.search("780322300458", 1).await.unwrap().hits[0].id;
    registrar.person_card(kairat, date(2026, 11, 23)).await.unwrap();
    let card = head.person_card(kairat, date(2026, 11, 23)).await.unwrap();
    let openers: Vec<(Option<String>, Option<StaffRole>)> = card
        .opened_by
        .iter()
        .map(|opening| (opening.full_name.clone(), opening.role))
        .collect();
    assert_eq!(
        openers,
        [
            (Some("Бекмұратова Сәуле".to_owned()), Some(StaffRole::Head)),
            (Some("Оспанова Дана".to_owned()), Some(StaffRole::Registrar)),
        ]
    );
    assert!(card.opened_by[0].at >= card.opened_by[1].at);
}

/// A copy of the fixture's file with a few rows in its log, altered by
/// `tamper` through a connection of its own, as someone with the file could.
async fn tampered(statements: &[&str]) -> emhana_workstation::AuditCheck {
    let (dir, head) = loaded().await;
    for text in ["Әлібеков", "Айгерім", "7012345678", "Абай"] {
        head.search(text, 5).await.unwrap();
    }
    let path = dir.path().join("emhana.sqlite");
    head.clone().close().await;
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .connect()
        .await
        .unwrap();
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.to_string()))
            .execute(&mut conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
    let (reopened, _) = Workstation::open(&path).await.unwrap();
    let check = reopened.verify_audit().await.unwrap();
    drop(dir);
    check
}

const UNLOCKED: [&str; 2] = [
    "DROP TRIGGER audit_event_no_update",
    "DROP TRIGGER audit_event_no_delete",
];

#[tokio::test]
async fn a_changed_removed_or_reordered_row_breaks_the_chain_at_that_row() {
    let broken = |seq, problem| Some(BrokenLink { seq, problem });
    // untouched: the sign-in and four searches hold
    let check = tampered(&[]).await;
    assert_eq!((check.rows, check.broken), (5, None));
    assert_eq!(check.head.as_ref().map(|(seq, _)| *seq), Some(5));

    let changed = [
        UNLOCKED[0],
        "UPDATE audit_event SET detail = '{\"text\":\"Абай\"}' WHERE id = 3",
    ];
    assert_eq!(tampered(&changed).await.broken, broken(3, LinkProblem::Changed));
    // the author changed, the hash left: the same
    let author = [
        UNLOCKED[0],
        "UPDATE audit_event SET staff_id = NULL, actor_iin = NULL WHERE id = 2",
    ];
    assert_eq!(tampered(&author).await.broken, broken(2, LinkProblem::Changed));
    let removed = [UNLOCKED[1], "DELETE FROM audit_event WHERE id = 3"];
    assert_eq!(tampered(&removed).await.broken, broken(3, LinkProblem::Missing));
    // rows 3 and 4 swapped, numbers and all
    let reordered = [
        UNLOCKED[0],
        "UPDATE audit_event SET id = -4 WHERE id = 4",
        "UPDATE audit_event SET id = 4 WHERE id = 3",
        "UPDATE audit_event SET id = 3 WHERE id = -4",
    ];
    assert_eq!(tampered(&reordered).await.broken, broken(3, LinkProblem::Changed));
    let unhashed = [UNLOCKED[0], "UPDATE audit_event SET hash = NULL WHERE id = 4"];
    assert_eq!(
        tampered(&unhashed).await.broken,
        broken(4, LinkProblem::Unchained)
    );
}

#[tokio::test]
async fn the_app_cannot_change_or_remove_a_row_of_its_log() {
    let (_dir, head) = loaded().await;
    let mut conn = fixture::connection(&head).await;
    for statement in ["UPDATE audit_event SET detail = '{}'", "DELETE FROM audit_event"] {
        let error = sqlx::query(statement).execute(&mut conn).await.unwrap_err();
        assert!(error.to_string().contains("append-only"), "{error}");
    }
}
