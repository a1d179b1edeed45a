//! A region for sync tests: a registry on its own database of the throwaway
//! PostgreSQL (scripts/throwaway-postgres.sh), seeded from `synth`, served on
//! a local port; and workstations, each on its own SQLite file, enrolled.
#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Result, anyhow};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use emhana_domain::attachment::{AttachmentGround, Channel};
use emhana_domain::registration::{DocumentKind, RegistrationForm};
use emhana_domain::{Address, Citizenship, Iin, Sex};
use emhana_sync::{Clock, HttpTransport, RoundReport, SyncEngine, SyncSettings, Transport};
use emhana_synth::{Synth, SynthConfig};
use emhana_workstation::{ApplicationForm, BookingOptions, ConsentForm, PersonHit, Workstation};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

pub const SEED: u64 = 2026;

/// An instant in Kazakhstan time (UTC+5).
pub fn kz(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap_or_default()
        - chrono::TimeDelta::hours(5)
}

pub fn config(persons: usize) -> SynthConfig {
    SynthConfig {
        seed: SEED,
        persons,
        as_of: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
    }
}

pub struct Region {
    pub pool: PgPool,
    pub options: PgConnectOptions,
    pub base: String,
    pub now: Arc<Mutex<DateTime<Utc>>>,
    pub config: SynthConfig,
    /// The registry's snapshots folder (empty until a test builds one).
    pub snapshots: tempfile::TempDir,
    /// Stops serving when the test ends.
    _server: emhana_registry::testing::Served,
}

impl Region {
    /// A registry holding a synthetic region of `persons` persons.
    pub async fn start(persons: usize, now: DateTime<Utc>) -> Result<Region> {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::WARN)
            .with_test_writer()
            .try_init();
        let (pool, options) = emhana_registry::testing::fresh_database("sync", 40).await?;
        let config = config(persons);
        emhana_synth::seed_registry(&pool, config, |_| {}).await?;
        let now = Arc::new(Mutex::new(now));
        let read = now.clone();
        let snapshots = tempfile::tempdir()?;
        let state = emhana_registry::AppState {
            pool: pool.clone(),
            clock: Arc::new(move || read.lock().map(|now| *now).unwrap_or_default()),
            snapshots: Some(snapshots.path().to_path_buf()),
        };
        let server = emhana_registry::testing::serve(state).await?;
        Ok(Region {
            pool,
            options,
            base: server.base.clone(),
            now,
            config,
            snapshots,
            _server: server,
        })
    }

    pub fn clock(&self) -> Clock {
        let now = self.now.clone();
        Arc::new(move || now.lock().map(|now| *now).unwrap_or_default())
    }

    pub fn set_now(&self, at: DateTime<Utc>) {
        if let Ok(mut now) = self.now.lock() {
            *now = at;
        }
    }

    /// The BINs of the region's clinics; the first is the demo polyclinic.
    pub fn clinic_bins(&self) -> Result<Vec<String>> {
        Ok(Synth::new(self.config)?
            .clinics()
            .iter()
            .map(|clinic| clinic.bin.as_string())
            .collect())
    }

    /// A workstation of clinic `home` (index into the region's clinics) on a
    /// new SQLite file in `dir`, with the region's clinics and staff but no
    /// persons yet, enrolled with the registry.
    pub async fn workstation(&self, dir: &Path, home: usize) -> Result<(Workstation, String)> {
        let (workstation, _) = Workstation::open(&dir.join("emhana.sqlite")).await?;
        let mut clinics = Synth::new(self.config)?.clinics().to_vec();
        for (index, clinic) in clinics.iter_mut().enumerate() {
            clinic.is_home = index == home;
        }
        workstation.import_clinics(&clinics).await?;
        let now = *self.now.lock().map_err(|_| anyhow!("clock"))?;
        // the head, who may do all the tests do
        emhana_synth::load_demo_accounts(&workstation).await?;
        let workstation = emhana_synth::sign_in_as(&workstation, emhana_domain::StaffRole::Head, now).await?;
        let (_, code) = emhana_registry::auth::add_workstation(
            &self.pool,
            &clinics[home].bin.as_string(),
            "Тіркеу орны",
            now,
        )
        .await?;
        let enrolment = emhana_sync::enrol(&self.base, &code).await?;
        workstation.save_enrolment(&self.base, &enrolment, now).await?;
        Ok((workstation, enrolment.credential))
    }

    pub fn engine(
        &self,
        workstation: &Workstation,
        credential: &str,
        settings: SyncSettings,
    ) -> Result<SyncEngine<HttpTransport>> {
        Ok(SyncEngine::new(
            workstation.clone(),
            HttpTransport::new(&self.base, credential)?,
            self.clock(),
            settings,
        ))
    }

    pub async fn text(&self, sql: &str) -> Result<String> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn count(&self, sql: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.pool)
            .await?)
    }
}

/// Counts rows of a workstation's file through a connection of its own.
pub async fn local_count(path: &Path, sql: &str) -> Result<i64> {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display())).await?;
    let n = sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok(n)
}

pub fn newborn(n: u16) -> RegistrationForm {
    let birth = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let iin = (9000 + 16 * n..)
        .find_map(|serial| Iin::compose(birth, Sex::Female, serial))
        .map(|iin| iin.to_string())
        .unwrap_or_default();
    RegistrationForm {
        iin,
        surname: "Серікова".into(),
        first_name: "Айлин".into(),
        patronymic: "Асқарқызы".into(),
        birth_date: Some(birth),
        sex: Some(Sex::Female),
        citizenship: Some(Citizenship::Citizen),
        document_kind: Some(DocumentKind::BirthCertificate),
        document_number: "0012345".into(),
        document_issued_on: Some(birth),
        registered_address: Some(Address {
            settlement: "Астана".into(),
            street: "Бейбітшілік көшесі".into(),
            house: "4".into(),
            apartment: None,
        }),
        temporary_address: None,
        workplace: String::new(),
        phone: String::new(),
        mother_iin: String::new(),
    }
}

/// Registers newborn `n` at the workstation (as at the window) and returns her id.
pub async fn register_newborn(workstation: &Workstation, n: u16, at: DateTime<Utc>) -> Result<i64> {
    workstation
        .register_person(&newborn(n), at)
        .await
        .map_err(|e| anyhow!("{e:?}"))
}

pub async fn attach(
    workstation: &Workstation,
    person_id: i64,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<i64> {
    let options = workstation.attachment_options(person_id, at).await?;
    let district = options
        .districts
        .iter()
        .find(|d| d.kind == emhana_domain::DistrictKind::Pediatric)
        .or(options.districts.first())
        .map(|d| d.id);
    let outcome = workstation
        .apply_for_attachment(
            &ApplicationForm {
                person_id,
                channel: Channel::InPerson,
                ground: AttachmentGround::FirstAttachment,
                district_id: district,
                document_kind: Some(DocumentKind::BirthCertificate),
                document_number: "0012345".into(),
                consent: ConsentForm {
                    given: Some(true),
                    ..ConsentForm::default()
                },
                new_residence: None,
            },
            at,
        )
        .await
        .map_err(|error| anyhow::anyhow!("{error:?}"))?;
    Ok(outcome.application_id)
}

/// Persons among the first hits for "а" whom the workstation's clinic serves
/// on `now` (no booking refusal), with their booking options.
pub async fn attached_here(
    workstation: &Workstation,
    now: DateTime<Utc>,
) -> Result<Vec<(PersonHit, BookingOptions)>> {
    let mut found = Vec::new();
    for hit in workstation.search("а", 50).await?.hits {
        let options = workstation.booking_options(hit.id, now).await?;
        if options.refusal.is_none() {
            found.push((hit, options));
        }
    }
    Ok(found)
}

/// The first of [`attached_here`].
pub async fn one_attached_here(workstation: &Workstation, now: DateTime<Utc>) -> Result<i64> {
    attached_here(workstation, now)
        .await?
        .first()
        .map(|(hit, _)| hit.id)
        .ok_or_else(|| anyhow!("a person attached here"))
}

/// One sync round as the registrar waits for it: a feed held back by a
/// long transaction of another test's registry (the watermark is the whole
/// server's, and a test seeding its registry holds it for seconds) is
/// pulled again until it is read to its end; the reports add up.
pub async fn sync_round<T: Transport>(engine: &SyncEngine<T>) -> Result<RoundReport> {
    let mut report = engine.sync_once(|_| {}).await?;
    for _ in 0..60 {
        if !report.held_back {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let next = engine.sync_once(|_| {}).await?;
        report.pushed += next.pushed;
        report.confirmed += next.confirmed;
        report.rejected += next.rejected;
        report.pulled += next.pulled;
        report.pages += next.pages;
        report.reference_changed |= next.reference_changed;
        report.organization_changed |= next.organization_changed;
        report.snapshot_persons = report.snapshot_persons.or(next.snapshot_persons);
        report.held_back = next.held_back;
    }
    Ok(report)
}
