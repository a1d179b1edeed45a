//! Registration and attachment against a real SQLite file: decisions written
//! whole, bad input written not at all.

use chrono::{DateTime, TimeZone, Utc};
use emhana_domain::attachment::{
    AttachmentGround, Campaign, CampaignEffect, Channel, Decision, ListNorms, RefusalGround,
};
use emhana_domain::documents::DocumentOutcome;
use emhana_domain::registration::{DocumentKind, Field, FieldProblem, NewResidence, RegistrationForm};
use emhana_domain::{Address, Citizenship, Sex, StaffRole};
use emhana_workstation::{
    ApplicationForm, AttachmentRecord, ConsentForm, DetachmentReason, FormError, HouseholdRecord, StoreError,
    Workstation,
};
use tempfile::TempDir;

use crate::fixture::{self, date, person};

mod applications;
mod register;
mod registration;

/// An instant given in Kazakhstan time (UTC+5).
fn kz(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - chrono::TimeDelta::hours(5)
}

const IN_CAMPAIGN: (i32, u32, u32) = (2026, 10, 1);

fn in_campaign() -> DateTime<Utc> {
    kz(IN_CAMPAIGN.0, IN_CAMPAIGN.1, IN_CAMPAIGN.2, 10, 30)
}

fn after_campaign() -> DateTime<Utc> {
    kz(2026, 11, 23, 9, 15)
}

/// The fixture plus a second clinic and a man at Абай 7 attached there by a
/// free choice in 2024.
async fn loaded() -> (TempDir, Workstation, i64) {
    let (dir, workstation) = fixture::loaded().await;
    let other = fixture::other_clinic();
    workstation
        .import_clinics(std::slice::from_ref(&other))
        .await
        .unwrap();
    let mut serik = person(
        "Серікбаев",
        "Бауыржан",
        Some("Асқарұлы"),
        date(1986, 8, 30),
        Sex::Male,
    );
    let address = Address {
        settlement: "Астана".into(),
        street: "Абай даңғылы".into(),
        house: "7".into(),
        apartment: None,
    };
    serik.address = Some(address.clone());
    workstation
        .import_households(&[HouseholdRecord {
            address,
            members: vec![serik],
            attachments: vec![Some(AttachmentRecord {
                clinic_bin: other.bin,
                district_number: 1,
                ground: AttachmentGround::FreeChoice,
                decided_on: date(2024, 10, 1),
            })],
        }])
        .await
        .unwrap();
    let found = workstation.search("Серікбаев Бауыржан", 5).await.unwrap();
    (dir, workstation, found.hits[0].id)
}

fn application(person_id: i64, ground: AttachmentGround) -> ApplicationForm {
    ApplicationForm {
        person_id,
        channel: Channel::InPerson,
        ground,
        district_id: None,
        document_kind: Some(DocumentKind::IdCard),
        document_number: "041234567".into(),
        consent: ConsentForm {
            given: Some(true),
            ..ConsentForm::default()
        },
        new_residence: None,
    }
}

/// The application of a person who moved to Абай даңғылы `house` (district 1 covers 1–20).
fn moved(form: ApplicationForm, house: &str) -> ApplicationForm {
    ApplicationForm {
        new_residence: Some(NewResidence {
            address: Address {
                settlement: "Астана".into(),
                street: "Абай даңғылы".into(),
                house: house.into(),
                apartment: Some("12".into()),
            },
            temporary: false,
        }),
        ..form
    }
}

/// Counts rows through a connection of its own, as another process would see them.
async fn count(workstation: &Workstation, table: &str) -> i64 {
    let url = format!("sqlite://{}?mode=ro", workstation.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let sql = format!("SELECT count(*) FROM {table}");
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}

fn field_problems(error: FormError) -> Vec<(Field, FieldProblem)> {
    match error {
        FormError::Fields { errors } => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
        FormError::Store(error) => panic!("store error: {error}"),
    }
}

fn registration() -> RegistrationForm {
    RegistrationForm {
        iin: fixture::iin(date(1995, 4, 12), Sex::Female).to_string(),
        surname: "Нұрланова".into(),
        first_name: "Әйгерім".into(),
        patronymic: "Ержанқызы".into(),
        birth_date: Some(date(1995, 4, 12)),
        sex: Some(Sex::Female),
        citizenship: Some(Citizenship::Citizen),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "051234567".into(),
        document_issued_on: Some(date(2020, 1, 15)),
        registered_address: Some(Address {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house: "15".into(),
            apartment: Some("3".into()),
        }),
        temporary_address: None,
        workplace: "Назарбаев Университеті".into(),
        phone: "+7 707 555 44 33".into(),
        mother_iin: String::new(),
    }
}
