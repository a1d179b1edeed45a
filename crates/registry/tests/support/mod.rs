//! A registry for one test: its own database on the throwaway PostgreSQL
//! (scripts/throwaway-postgres.sh), served on a free local port, with two
//! clinics and a workstation enrolled in each.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::{Address, Bin, Citizenship, ClinicKind, DistrictKind, Iin, Person, Sex};
use emhana_protocol::{
    ApplicationKey, AttachOp, Enrolment, Hlc, Op, OpBody, PullResponse, PushRequest, PushResponse,
};
use emhana_registry::clinics::{ClinicRecord, upsert_clinic};
use emhana_registry::{AppState, auth};
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;

pub fn bin(serial: u8) -> String {
    // 0704 (registered April 2007), 4 = legal entity, 0 = head office, then a serial.
    let mut digits = [0, 7, 0, 4, 4, 0, 0, 0, 0, 0, serial];
    loop {
        if let Some(bin) = Bin::complete(digits) {
            return bin.as_string();
        }
        digits[9] += 1;
    }
}

pub fn iin(n: u32) -> Iin {
    let birth =
        NaiveDate::from_ymd_opt(1960 + (n % 40) as i32, 1 + (n % 12), 1 + (n % 28)).unwrap_or_default();
    let mut serial = (n % 9000) as u16;
    loop {
        if let Some(iin) = Iin::compose(
            birth,
            if n.is_multiple_of(2) {
                Sex::Male
            } else {
                Sex::Female
            },
            serial,
        ) {
            return iin;
        }
        serial += 1;
    }
}

/// The IIN every test op is made by: the head of each clinic a test enrols at.
pub fn author() -> String {
    iin(999).as_string()
}

pub fn person(n: u32) -> Person {
    let iin = iin(n);
    let birth = iin.birth().map(|b| b.birth_date).unwrap_or_default();
    Person {
        iin,
        surname: format!("Сұлтанова{n}"),
        first_name: "Әсел".to_owned(),
        patronymic: Some("Қайратқызы".to_owned()),
        birth_date: birth,
        sex: if n.is_multiple_of(2) {
            Sex::Male
        } else {
            Sex::Female
        },
        citizenship: Citizenship::Citizen,
        address: Some(Address {
            settlement: "Астана".to_owned(),
            street: "Абай даңғылы".to_owned(),
            house: format!("{}", 1 + n % 90),
            apartment: None,
        }),
        phone: None,
    }
}

pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    // 10:00 in Astana
    Utc.with_ymd_and_hms(y, m, d, 5, 0, 0)
        .single()
        .unwrap_or_default()
}

pub struct TestRegistry {
    pub pool: PgPool,
    pub base: String,
    pub options: PgConnectOptions,
    pub now: Arc<Mutex<DateTime<Utc>>>,
    pub clinics: Vec<(i64, String)>,
    /// Stops serving when the test ends.
    _server: emhana_registry::testing::Served,
}

impl TestRegistry {
    /// A registry on a new database with three clinics (two polyclinics and a
    /// GP practice), three districts each, its clock at `now`.
    pub async fn start(now: DateTime<Utc>) -> Result<TestRegistry> {
        let (pool, options) = emhana_registry::testing::fresh_database("test", 40).await?;
        let mut clinics = Vec::new();
        for (serial, name) in [(1u8, "№ 1"), (2, "№ 2"), (3, "№ 3")] {
            let record = ClinicRecord {
                bin: bin(serial),
                name_kk: format!("Қалалық емхана {name}"),
                name_ru: format!("Городская поликлиника {name}"),
                kind: ClinicKind::Polyclinic,
                districts: vec![
                    (1, DistrictKind::Therapeutic),
                    (2, DistrictKind::Therapeutic),
                    (3, DistrictKind::Pediatric),
                ],
            };
            let id = upsert_clinic(&pool, &record).await?;
            clinics.push((id, record.bin));
        }
        let clock = Arc::new(Mutex::new(now));
        let read = clock.clone();
        let state = AppState {
            pool: pool.clone(),
            clock: Arc::new(move || read.lock().map(|now| *now).unwrap_or_default()),
            snapshots: None,
        };
        let server = emhana_registry::testing::serve(state).await?;
        Ok(TestRegistry {
            pool,
            base: server.base.clone(),
            options,
            now: clock,
            clinics,
            _server: server,
        })
    }

    pub fn set_now(&self, now: DateTime<Utc>) {
        if let Ok(mut clock) = self.now.lock() {
            *clock = now;
        }
    }

    /// Adds a workstation to clinic `index` and enrols it over HTTP.
    pub async fn enrolled(&self, index: usize) -> Result<Client> {
        self.enrolled_at(&self.clinics[index].1).await
    }

    /// Adds a workstation to the clinic of `bin` (one set up in the test) and enrols it.
    pub async fn enrolled_at(&self, bin: &str) -> Result<Client> {
        let now = *self.now.lock().map_err(|_| anyhow!("clock poisoned"))?;
        self.head_of(bin).await?;
        let (_, code) = auth::add_workstation(&self.pool, bin, "Тіркеу орны", now).await?;
        let http = reqwest::Client::new();
        // a bundle key pair, as a PC makes one to enrol
        let bundle_secret = emhana_protocol::bundle::BundleSecret::generate()?;
        let response = http
            .post(format!("{}/v1/enrol", self.base))
            .json(&serde_json::json!({ "code": code, "bundle_public_key": bundle_secret.public_hex()? }))
            .send()
            .await?;
        anyhow::ensure!(response.status().is_success(), "enrol: {}", response.status());
        let mut enrolment: Enrolment = response.json().await?;
        enrolment.bundle_secret = Some(bundle_secret);
        Ok(Client {
            http,
            base: self.base.clone(),
            enrolment,
            hlc: Mutex::new(None),
        })
    }

    /// Puts [`AUTHOR`] on the clinic's staff as its head, who may make every
    /// op: the registry takes an op only from the clinic's staff.
    pub async fn head_of(&self, bin: &str) -> Result<()> {
        let csv = format!(
            "clinic_bin,iin,surname,first_name,roles\n{bin},{},Бекмұратова,Гүлнар,head\n",
            author()
        );
        emhana_registry::organization::import_staff(&self.pool, csv.as_bytes())
            .await
            .map_err(|error| anyhow!("the head of {bin}: {error}"))?;
        Ok(())
    }

    pub async fn count(&self, sql: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&self.pool)
            .await?)
    }
}

/// An enrolled workstation talking to the registry over HTTP.
pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub enrolment: Enrolment,
    hlc: Mutex<Option<Hlc>>,
}

impl Client {
    pub fn bin(&self) -> &str {
        &self.enrolment.clinic_bin
    }

    pub fn op(&self, made_at: DateTime<Utc>, body: OpBody) -> Op {
        let hlc = {
            let mut last = self.hlc.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let next = Hlc::next(*last, made_at.timestamp_millis());
            *last = Some(next);
            next
        };
        Op {
            id: Uuid::now_v7(),
            workstation: self.enrolment.workstation,
            actor_iin: Some(author()),
            made_at,
            hlc,
            body,
        }
    }

    pub fn attach(
        &self,
        made_at: DateTime<Utc>,
        person: Person,
        district: u32,
        ground: AttachmentGround,
        number: u32,
    ) -> Op {
        self.op(
            made_at,
            OpBody::Attach(AttachOp {
                person,
                clinic_bin: self.bin().to_owned(),
                district_number: district,
                ground,
                consent_given: true,
                application: ApplicationKey {
                    year: made_at
                        .date_naive()
                        .format("%Y")
                        .to_string()
                        .parse()
                        .unwrap_or(2026),
                    number,
                },
                new_residence: None,
                details: Vec::new(),
            }),
        )
    }

    /// Looks a person up as `actor` (a member of the clinic's staff) would at this PC.
    pub async fn lookup(&self, iin: &str, actor: &str) -> Result<reqwest::Response> {
        Ok(self
            .http
            .get(format!("{}/v1/persons/{iin}?actor={actor}", self.base))
            .bearer_auth(&self.enrolment.credential)
            .send()
            .await?)
    }

    /// Asks a person's OSMS status as `actor` would at this PC.
    pub async fn osms(&self, iin: &str, actor: &str) -> Result<reqwest::Response> {
        Ok(self
            .http
            .get(format!("{}/v1/persons/{iin}/osms?actor={actor}", self.base))
            .bearer_auth(&self.enrolment.credential)
            .send()
            .await?)
    }

    pub async fn push_raw(&self, body: &serde_json::Value) -> Result<reqwest::Response> {
        Ok(self
            .http
            .post(format!("{}/v1/push", self.base))
            .bearer_auth(&self.enrolment.credential)
            .json(body)
            .send()
            .await?)
    }

    pub async fn push(&self, ops: &[Op]) -> Result<PushResponse> {
        let request = PushRequest {
            ops: ops.iter().map(serde_json::to_value).collect::<Result<_, _>>()?,
        };
        let response = self.push_raw(&serde_json::to_value(&request)?).await?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "push: {status}: {}", response.text().await?);
        response.json().await.context("push response")
    }

    pub async fn pull(&self, after: Option<&str>, limit: u32, count: bool) -> Result<PullResponse> {
        let mut url = format!("{}/v1/changes?limit={limit}&count={count}", self.base);
        if let Some(after) = after {
            url.push_str(&format!("&after={after}"));
        }
        let response = self
            .http
            .get(url)
            .bearer_auth(&self.enrolment.credential)
            .send()
            .await?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "pull: {status}: {}", response.text().await?);
        response.json().await.context("pull response")
    }
}
