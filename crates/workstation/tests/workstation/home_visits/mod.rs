//! Home calls, care plans and the nurse's round against a real SQLite file:
//! calls triaged and refused by the rules, plans expanded and regenerated,
//! a round ordered, reordered and its outcomes recorded by its own nurse.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::care_plan::{
    BasisDocument, Condition, EnrolmentBasis, PlanKind, RiskLevel, VisitOutcome, VisitPurpose, VisitState,
    VisitWho,
};
use emhana_domain::home_call::{CallAcceptance, CallRefusal, CallStatus, Indication, Responder, TriageError};
use emhana_domain::round::RoundPace;
use emhana_domain::{Address, DistrictKind, Sex, StaffRole};
use emhana_workstation::{
    AttachmentRecord, CallForm, CoverageRecord, DistrictRecord, HomeVisitError, HouseholdRecord, PlanRequest,
    StaffRecord, StopRef, Workstation,
};
use tempfile::TempDir;

use crate::fixture::{self, date, iin, person};

mod access;
mod calls;
mod plans;
mod rounds;

/// Tuesday 24 November 2026, 10:00 in Astana.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap()
}

fn today() -> NaiveDate {
    date(2026, 11, 24)
}

struct Clinic {
    _dir: TempDir,
    ws: Workstation,
    nurse: i64,
    other_nurse: i64,
    doctor: i64,
    /// born 20 November 2026, district 1
    baby: i64,
    /// 29, district 1
    mother: i64,
    /// 61, district 1, hypertension
    grandfather: i64,
    /// district 2
    neighbour: i64,
    /// attached to clinic №2
    stranger: i64,
}

async fn id_of(ws: &Workstation, name: &str) -> i64 {
    ws.search(name, 1).await.unwrap().hits[0].id
}

async fn clinic() -> Clinic {
    let dir = tempfile::tempdir().unwrap();
    let (ws, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let mut here = fixture::clinic();
    here.districts.push(DistrictRecord {
        number: 2,
        kind: DistrictKind::Therapeutic,
        coverage: vec![CoverageRecord {
            settlement: "Астана".into(),
            street: "Кенесары көшесі".into(),
            house_from: 1,
            house_to: 50,
        }],
    });
    here.staff.push(StaffRecord {
        iin: iin(date(1985, 3, 3), Sex::Female),
        surname: "Жақыпова".into(),
        first_name: "Жанар".into(),
        patronymic: None,
        role: StaffRole::DistrictNurse,
        specialty: None,
        district_number: Some(2),
        phone: None,
    });
    let other = fixture::other_clinic();
    ws.import_clinics(&[here.clone(), other.clone()]).await.unwrap();
    let ws = fixture::acting(&ws, StaffRole::Head).await;
    let attached = |bin, district| {
        Some(AttachmentRecord {
            clinic_bin: bin,
            district_number: district,
            ground: AttachmentGround::FirstAttachment,
            decided_on: date(2020, 1, 10),
        })
    };
    let address = |street: &str, house: &str| Address {
        settlement: "Астана".into(),
        street: street.into(),
        house: house.into(),
        apartment: None,
    };
    let family_address = address("Абай даңғылы", "9");
    let mut baby = person("Нұрланова", "Әйгерім", None, date(2026, 11, 20), Sex::Female);
    let mut mother = person("Нұрланова", "Гүлнар", None, date(1997, 6, 1), Sex::Female);
    let mut grandfather = person("Нұрланов", "Серік", None, date(1965, 2, 2), Sex::Male);
    for member in [&mut baby, &mut mother, &mut grandfather] {
        member.address = Some(family_address.clone());
    }
    mother.phone = Some("7012223344".into());
    let mut neighbour = person("Омаров", "Бекзат", None, date(1970, 1, 1), Sex::Male);
    neighbour.address = Some(address("Кенесары көшесі", "3"));
    let stranger = person("Серікбаев", "Бауыржан", None, date(1986, 8, 30), Sex::Male);
    ws.import_households(&[
        HouseholdRecord {
            address: family_address,
            members: vec![mother, baby, grandfather],
            attachments: vec![
                attached(here.bin, 1),
                attached(here.bin, 1),
                attached(here.bin, 1),
            ],
        },
        HouseholdRecord {
            address: address("Кенесары көшесі", "3"),
            members: vec![neighbour],
            attachments: vec![attached(here.bin, 2)],
        },
        HouseholdRecord {
            address: address("Сарыарқа даңғылы", "5"),
            members: vec![stranger],
            attachments: vec![attached(other.bin, 1)],
        },
    ])
    .await
    .unwrap();
    let nurses = ws.nurses().await.unwrap();
    let nurse = nurses.iter().find(|n| n.district_number == Some(1)).unwrap().id;
    let other_nurse = nurses.iter().find(|n| n.district_number == Some(2)).unwrap().id;
    Clinic {
        doctor: ws.doctors().await.unwrap()[0].id,
        baby: id_of(&ws, "Нұрланова Әйгерім").await,
        mother: id_of(&ws, "Нұрланова Гүлнар").await,
        grandfather: id_of(&ws, "Нұрланов Серік").await,
        neighbour: id_of(&ws, "Омаров Бекзат").await,
        stranger: id_of(&ws, "Серікбаев Бауыржан").await,
        nurse,
        other_nurse,
        ws,
        _dir: dir,
    }
}

fn call(person_id: i64, temperature: Option<f32>, indications: &[Indication]) -> CallForm {
    CallForm {
        person_id,
        caller: "Нұрланова Гүлнар".into(),
        caller_phone: Some("+7 701 222 33 44".into()),
        complaint: "Қызуы көтерілді / температура".into(),
        temperature,
        indications: indications.to_vec(),
        pregnant: false,
        registrar_wants_doctor: false,
        goes: None,
    }
}

/// What migration 16 added (plan, visit and outcome ids), undone to make a
/// file as an older version left it.
const PLAN_IDS_OF_MIGRATION_16: [&str; 13] = [
    "DROP INDEX care_plan_by_uid",
    "DROP INDEX care_plan_unsent",
    "ALTER TABLE care_plan DROP COLUMN uid",
    "ALTER TABLE care_plan DROP COLUMN unsent",
    "ALTER TABLE care_plan DROP COLUMN version",
    "ALTER TABLE care_plan DROP COLUMN opened_by_iin",
    "DROP INDEX plan_visit_by_uid",
    "ALTER TABLE plan_visit DROP COLUMN uid",
    "DROP INDEX visit_event_by_uid",
    "ALTER TABLE visit_event DROP COLUMN uid",
    "ALTER TABLE visit_event DROP COLUMN staff_iin",
    "ALTER TABLE visit_event DROP COLUMN undone_by_iin",
    "ALTER TABLE visit_event DROP COLUMN refused_at",
];

/// What migrations 18 to 26 added, taken away again: the file as 17 left it.
const POST_RECORDS_OF_MIGRATION_18: [&str; 22] = [
    "DROP TABLE post_record",
    "DROP TABLE account",
    "DROP TABLE sign_in_failure",
    "DROP TRIGGER audit_event_no_update",
    "DROP TRIGGER audit_event_no_delete",
    "DROP INDEX audit_event_by_person",
    "CREATE INDEX audit_event_by_person ON audit_event (person_id)",
    "ALTER TABLE audit_event DROP COLUMN actor_iin",
    "ALTER TABLE audit_event DROP COLUMN workstation",
    "ALTER TABLE audit_event DROP COLUMN hash",
    "ALTER TABLE sync_state DROP COLUMN audit_held_seq",
    "ALTER TABLE sync_state DROP COLUMN audit_mismatch_at",
    "ALTER TABLE sync_enrolment DROP COLUMN bundle_secret",
    "ALTER TABLE sync_enrolment DROP COLUMN registry_bundle_key",
    "DROP TABLE minimum_wage",
    "DROP TABLE osms_known",
    "DROP TABLE state_person_answer",
    "DROP TABLE person_correction",
    "ALTER TABLE person DROP COLUMN unconfirmed",
    "DROP TABLE person_contact_history",
    "DROP TABLE state_person_absence",
    "DROP TABLE person_link_pending",
];

/// What migration 17 added, taken away again: the file as 16 left it.
const ORGANIZATION_OF_MIGRATION_17: [&str; 10] = [
    "ALTER TABLE clinic DROP COLUMN region",
    "ALTER TABLE district DROP COLUMN list_norm",
    "ALTER TABLE district_coverage DROP COLUMN parity",
    "ALTER TABLE staff DROP COLUMN room",
    "ALTER TABLE staff DROP COLUMN works_from",
    "ALTER TABLE staff DROP COLUMN works_to",
    "DROP TABLE staff_role",
    "DROP TABLE staff_district",
    "ALTER TABLE sync_state DROP COLUMN organization_version",
    "DELETE FROM _sqlx_migrations WHERE version >= 17",
];

async fn count(ws: &Workstation, table: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", ws.path().display()))
        .await
        .unwrap();
    let n = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}
