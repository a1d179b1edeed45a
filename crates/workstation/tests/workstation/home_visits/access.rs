//! Signing in and what each role may do, against the clinic of two districts
//! and their nurses: seed 002's "the provider signs in by IIN and password",
//! and its p.18's "personal data seen only by those whose work needs it".

use emhana_domain::access::Action;
use emhana_workstation::{DetachmentReason, SignInError, StoreError};

use super::*;

/// The IIN of the member of staff `staff_id`.
async fn iin_of(ws: &Workstation, staff_id: i64) -> String {
    let staff = ws.organization().await.unwrap().staff;
    staff.into_iter().find(|m| m.id == staff_id).unwrap().iin
}

#[tokio::test]
async fn a_wrong_password_or_an_unknown_iin_reads_alike_and_tries_after_the_third_wait() {
    let c = clinic().await;
    let nurse = iin_of(&c.ws, c.nurse).await;
    let wrong = |ws: &Workstation, iin: String, at| {
        let ws = ws.clone();
        async move { ws.sign_in(&iin, "not her password", at).await }
    };
    // an IIN nobody signs in with is told as a wrong password: a guesser learns no names
    assert!(matches!(
        wrong(&c.ws, "000000000000".into(), now()).await,
        Err(SignInError::WrongPassword { free_tries_left: 2 })
    ));
    for left in [2, 1, 0] {
        assert!(matches!(
            wrong(&c.ws, nurse.clone(), now()).await,
            Err(SignInError::WrongPassword { free_tries_left }) if free_tries_left == left
        ));
    }
    // the fourth try, even with her password, waits 5 seconds after the third failure
    assert!(matches!(
        c.ws.sign_in(&nurse, fixture::PASSWORD, now()).await,
        Err(SignInError::TryLater { seconds: 5 })
    ));
    let later = now() + chrono::TimeDelta::seconds(5);
    let session = c.ws.sign_in(&nurse, fixture::PASSWORD, later).await.unwrap();
    assert_eq!(session.staff_id, c.nurse);
    assert_eq!(session.districts, [1]);
    // signed in: her failures are forgotten
    assert!(matches!(
        wrong(&c.ws, nurse.clone(), later).await,
        Err(SignInError::WrongPassword { free_tries_left: 2 })
    ));
}

#[tokio::test]
async fn a_disabled_account_is_refused_even_with_its_password() {
    let c = clinic().await;
    let nurse = iin_of(&c.ws, c.nurse).await;
    let hash = emhana_protocol::PasswordHash::new(fixture::PASSWORD).unwrap();
    c.ws.import_accounts(&[emhana_protocol::Account {
        iin: nurse.clone(),
        password_hash: hash,
        disabled: true,
        changed_at: now(),
    }])
    .await
    .unwrap();
    assert!(matches!(
        c.ws.sign_in(&nurse, fixture::PASSWORD, now()).await,
        Err(SignInError::Disabled)
    ));
}

#[tokio::test]
async fn a_pc_with_no_accounts_says_so_and_nobody_signed_in_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    ws.import_clinics(&[fixture::clinic()]).await.unwrap();
    assert!(matches!(
        ws.sign_in("800101400001", "whatever it is", now()).await,
        Err(SignInError::NoAccounts)
    ));
    assert!(matches!(
        ws.set_lock_after_minutes(5, now()).await,
        Err(StoreError::NotSignedIn)
    ));
}

#[tokio::test]
async fn a_nurse_opens_her_districts_people_and_not_another_districts() {
    let c = clinic().await;
    let nurse = fixture::acting_staff(&c.ws, c.nurse).await;
    assert!(
        nurse.person_card(c.mother, today()).await.is_ok(),
        "district 1: hers"
    );
    assert!(
        nurse.person_card(c.stranger, today()).await.is_ok(),
        "attached elsewhere: anyone serving may see them"
    );
    assert!(matches!(
        nurse.person_card(c.neighbour, today()).await,
        Err(StoreError::NotYourDistrict { district: 2 })
    ));
    // the registrar at the window serves every district
    let registrar = fixture::acting(&c.ws, StaffRole::Registrar).await;
    assert!(registrar.person_card(c.neighbour, today()).await.is_ok());
}

#[tokio::test]
async fn a_death_is_recorded_by_a_doctor_not_by_a_registrar_and_each_change_names_its_author() {
    let c = clinic().await;
    let registrar = fixture::acting(&c.ws, StaffRole::Registrar).await;
    // the window is told what her roles allow, so it offers no death to record
    let allowed = &registrar.session().unwrap().allowed;
    assert!(
        allowed.contains(&Action::Attach) && !allowed.contains(&Action::RecordDeath),
        "{allowed:?}"
    );
    assert!(matches!(
        registrar
            .detach(c.grandfather, DetachmentReason::Died, today(), now())
            .await,
        Err(StoreError::NotAllowed {
            action: Action::RecordDeath
        })
    ));
    let doctor = fixture::acting_staff(&c.ws, c.doctor).await;
    let allowed = &doctor.session().unwrap().allowed;
    assert!(
        allowed.contains(&Action::RecordDeath) && !allowed.contains(&Action::Attach),
        "{allowed:?}"
    );
    assert!(
        doctor
            .detach(c.grandfather, DetachmentReason::Died, today(), now())
            .await
            .unwrap()
    );
    // the ops waiting for the registry name who made them
    let taken = registrar
        .register_call(&call(c.mother, Some(37.6), &[]), now())
        .await
        .unwrap();
    assert!(taken.id > 0);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", c.ws.path().display()))
        .await
        .unwrap();
    let authors: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT kind, actor_iin FROM outbox ORDER BY made_at, id")
            .fetch_all(&pool)
            .await
            .unwrap();
    pool.close().await;
    assert_eq!(
        authors,
        [
            ("detach".to_owned(), Some(iin_of(&c.ws, c.doctor).await)),
            (
                "register_call".to_owned(),
                registrar.session().map(|s| s.iin.clone())
            ),
        ]
    );
}
