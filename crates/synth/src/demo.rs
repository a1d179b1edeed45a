//! Writing the population into a workstation, and the demo clinic a first
//! start offers: its persons, its doctors' weeks and its care plans.

use super::*;

/// What [`load_into`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct LoadSummary {
    pub clinics: usize,
    pub persons: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Synth(#[from] SynthError),
    #[error(transparent)]
    Store(#[from] emhana_workstation::StoreError),
    #[error(transparent)]
    Schedule(#[from] emhana_workstation::BookingError),
    #[error(transparent)]
    Plan(#[from] emhana_workstation::HomeVisitError),
    #[error(transparent)]
    SignIn(#[from] emhana_workstation::SignInError),
    #[error("the demo password could not be hashed: {0}")]
    Password(#[from] emhana_protocol::PasswordHashError),
    #[error("the demo clinic has no {0:?} to sign in as")]
    NoSuchStaff(emhana_domain::StaffRole),
}

/// The password of every account of the demo clinic's staff (its sign-in
/// screen says so; a real clinic's accounts come from its registry).
pub const DEMO_PASSWORD: &str = "emhana-demo";

/// Gives every member of the home clinic's staff an account with
/// [`DEMO_PASSWORD`]; returns how many.
pub async fn load_demo_accounts(workstation: &Workstation) -> Result<usize, LoadError> {
    // one hash for all: the demo's accounts share their password anyway
    let hash = emhana_protocol::PasswordHash::new(DEMO_PASSWORD)?;
    let staff = workstation.organization().await?.staff;
    let accounts: Vec<_> = staff
        .into_iter()
        .map(|member| emhana_protocol::Account {
            iin: member.iin,
            password_hash: hash.clone(),
            disabled: false,
            changed_at: chrono::Utc::now(),
        })
        .collect();
    Ok(workstation.import_accounts(&accounts).await?)
}

/// The workstation acting as the home clinic's first member of staff with
/// `role` (by surname), signed in with the demo password: how benchmarks
/// and tests act as a registrar, a nurse or the head.
pub async fn sign_in_as(
    workstation: &Workstation,
    role: emhana_domain::StaffRole,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Workstation, LoadError> {
    let staff = workstation.organization().await?.staff;
    let member = staff
        .iter()
        .find(|member| member.roles.contains(&role) && member.works_to.is_none())
        .ok_or(LoadError::NoSuchStaff(role))?;
    let session = workstation.sign_in(&member.iin, DEMO_PASSWORD, now).await?;
    Ok(workstation.acting_as(session))
}

/// Generates the population of `config` into `workstation`, a batch of
/// households per transaction; `progress` hears the persons written so far.
pub async fn load_into(
    workstation: &Workstation,
    config: SynthConfig,
    mut progress: impl FnMut(usize),
) -> Result<LoadSummary, LoadError> {
    let valid_from = NaiveDate::from_ymd_opt(config.as_of.year(), 1, 1).unwrap_or(config.as_of);
    let mut synth = Synth::new(config)?;
    workstation.import_clinics(synth.clinics()).await?;
    let mut persons = 0;
    loop {
        let batch = synth.next_batch(HOUSEHOLDS_PER_BATCH)?;
        if batch.is_empty() {
            break;
        }
        persons += workstation.import_households(&batch).await?;
        progress(persons);
    }
    for (index, doctor) in workstation.doctors().await?.iter().enumerate() {
        workstation
            // the clinic as it stands, not a change made on this PC: no op
            .load_schedule_template(doctor.id, &doctor_week(index, valid_from), chrono::Utc::now())
            .await?;
    }
    load_demo_accounts(workstation).await?;
    Ok(LoadSummary {
        clinics: synth.clinics().len(),
        persons,
    })
}

/// The home clinic a benchmark builds by hand: its districts and staff as given.
pub fn bench_clinic(bin: Bin, districts: Vec<DistrictRecord>, staff: Vec<StaffRecord>) -> ClinicRecord {
    ClinicRecord {
        bin,
        name_kk: "Бенчмарк емханасы".into(),
        name_ru: "Поликлиника бенчмарка".into(),
        kind: ClinicKind::Polyclinic,
        settlement: "Астана".into(),
        address: "Астана, Абай даңғылы, 1".into(),
        phone: "+7 7172 00 00 00".into(),
        hours: "08:00–20:00".into(),
        is_home: true,
        districts,
        staff,
    }
}

/// The care plan a demo person is on, if any, chosen from the IIN so the
/// same person always gets the same plan: every child under 3 is on
/// patronage (one in ten with a recorded risk); of women 20–40 one in fifty
/// has a registered pregnancy; of adults from 40 about 14% are observed for
/// hypertension, from 45 5% for type 2 diabetes, from 55 2% for heart failure,
/// enrolled over the past year so that visits fall due every day.
pub fn demo_plan(person: &Person, as_of: NaiveDate) -> Option<emhana_workstation::PlanRequest> {
    use emhana_domain::care_plan::{BasisDocument, Condition, EnrolmentBasis, RiskLevel};
    use emhana_workstation::PlanRequest;
    let digits = person.iin.as_string();
    let h: u64 = digits
        .bytes()
        .fold(7u64, |acc, b| acc.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 10_007;
    let age = emhana_domain::age_on(person.birth_date, as_of)?;
    let days_ago = |days: u64| as_of - TimeDelta::days(i64::try_from(days).unwrap_or(0));
    if age < 3 {
        let discharged = (person.birth_date + TimeDelta::days(3)).min(as_of);
        return Some(PlanRequest::Newborn {
            discharged,
            risk: h.is_multiple_of(10),
        });
    }
    let share = h % 100;
    if person.sex == Sex::Female && (20..=40).contains(&age) && h.is_multiple_of(50) {
        return Some(PlanRequest::Pregnancy {
            reported: days_ago(h % 120),
            weeks_at_report: 8 + u32::try_from(h % 5).unwrap_or(0),
        });
    }
    let enrolled = days_ago(20 + h % 340);
    // the seed's three documents in turn, each dated a few days before the enrolment
    let basis = EnrolmentBasis {
        document: BasisDocument::ALL[usize::try_from(h % 3).unwrap_or(0)],
        dated: enrolled - chrono::TimeDelta::days(i64::try_from(h % 7).unwrap_or(0)),
    };
    if age >= 40 && share < 14 {
        let risk = if h.is_multiple_of(3) {
            RiskLevel::High
        } else {
            RiskLevel::Medium
        };
        return Some(PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk,
            enrolled,
            basis,
        });
    }
    if age >= 45 && (14..19).contains(&share) {
        return Some(PlanRequest::Observation {
            condition: Condition::Diabetes2,
            risk: RiskLevel::Low,
            enrolled,
            basis,
        });
    }
    if age >= 55 && (19..21).contains(&share) {
        return Some(PlanRequest::Observation {
            condition: Condition::ChronicHeartFailure,
            risk: RiskLevel::Medium,
            enrolled,
            basis,
        });
    }
    None
}

/// Opens the demo plans ([`demo_plan`]) of the home clinic's attached
/// persons of `config`, a transaction per batch of households; returns how many.
pub async fn load_demo_plans(workstation: &Workstation, config: SynthConfig) -> Result<usize, LoadError> {
    let as_of = config.as_of;
    // 09:00 in Astana on the demo's day
    let now = as_of.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc();
    let Some(mut batches) = HomeBatches::new(config)? else {
        return Ok(0);
    };
    let mut opened = 0;
    while let Some(members) = batches.next(workstation).await? {
        let requests: Vec<(i64, emhana_workstation::PlanRequest)> = members
            .iter()
            .filter_map(|(id, member)| demo_plan(member, as_of).map(|request| (*id, request)))
            .collect();
        opened += workstation.open_plans(&requests, None, now).await?;
    }
    // The clinic kept these plans on paper until today: what fell due more
    // than three days ago was done; the rest is the nurses' work now.
    workstation
        .record_past_visits_done(as_of - TimeDelta::days(3))
        .await?;
    Ok(opened)
}

/// The persons of the population attached to its home clinic, a batch of
/// households at a time, each with their id in the workstation that holds them.
struct HomeBatches {
    synth: Synth,
    home: Bin,
}

impl HomeBatches {
    /// `None`: the population has no home clinic.
    fn new(config: SynthConfig) -> Result<Option<HomeBatches>, LoadError> {
        let synth = Synth::new(config)?;
        let home = synth
            .clinics()
            .iter()
            .find(|clinic| clinic.is_home)
            .map(|clinic| clinic.bin);
        Ok(home.map(|home| HomeBatches { synth, home }))
    }

    /// The next batch's attached members the workstation holds; `None` at the end.
    async fn next(&mut self, workstation: &Workstation) -> Result<Option<Vec<(i64, Person)>>, LoadError> {
        let batch = self.synth.next_batch(HOUSEHOLDS_PER_BATCH)?;
        if batch.is_empty() {
            return Ok(None);
        }
        let home = self.home;
        let members: Vec<Person> = batch
            .into_iter()
            .flat_map(|household| {
                household
                    .members
                    .into_iter()
                    .zip(household.attachments)
                    .filter(move |(_, attachment)| attachment.as_ref().is_some_and(|a| a.clinic_bin == home))
                    .map(|(member, _)| member)
            })
            .collect();
        let iins: Vec<String> = members.iter().map(|member| member.iin.as_string()).collect();
        let ids = workstation.person_ids(&iins).await?;
        Ok(Some(
            members
                .into_iter()
                .filter_map(|member| ids.get(&member.iin.as_string()).map(|id| (*id, member)))
                .collect(),
        ))
    }
}

/// The demo clinic as a first start loads it: the population, the doctors'
/// weeks, the care plans and the OSMS statuses.
pub async fn load_demo(workstation: &Workstation, config: SynthConfig) -> Result<LoadSummary, LoadError> {
    let summary = load_into(workstation, config, |_| {}).await?;
    load_demo_plans(workstation, config).await?;
    load_demo_osms(workstation, config).await?;
    Ok(summary)
}

/// The OSMS status of every person attached to the home clinic, as if the
/// registry had answered it at 09:00 on the demo's day ([`demo_osms`]),
/// with the digital policy of those who hold one ([`demo_policy`]), and
/// the demo's minimum wages ([`demo_minimum_wages`]): the demo has no
/// registry, so the cards show these as the last known status, not current.
/// Returns how many statuses were written.
pub async fn load_demo_osms(workstation: &Workstation, config: SynthConfig) -> Result<usize, LoadError> {
    let as_of = config.as_of;
    let known_at = as_of.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc();
    workstation
        .apply_reference(&emhana_protocol::ReferenceData {
            minimum_wages: demo_minimum_wages(),
            ..Default::default()
        })
        .await?;
    let Some(mut batches) = HomeBatches::new(config)? else {
        return Ok(0);
    };
    let provider = batches
        .synth
        .clinics()
        .iter()
        .find(|clinic| clinic.is_home)
        .map(|clinic| emhana_protocol::PolicyProvider {
            bin: clinic.bin.as_string(),
            name_kk: clinic.name_kk.clone(),
            name_ru: clinic.name_ru.clone(),
        });
    let mut written = 0;
    while let Some(members) = batches.next(workstation).await? {
        let answers: Vec<(i64, emhana_protocol::OsmsAnswer)> = members
            .iter()
            .map(|(id, member)| {
                let facts = demo_osms(member, as_of);
                let status = emhana_domain::osms::status(&facts, member.birth_date, as_of);
                let policy = crate::demo_policy(member, as_of).map(|policy| emhana_protocol::PolicyView {
                    policy,
                    // every member here is attached to the home clinic
                    provider: provider.clone(),
                });
                let answer = emhana_protocol::OsmsAnswer {
                    known_at,
                    facts,
                    status,
                    policy,
                };
                (*id, answer)
            })
            .collect();
        workstation.record_osms_answers(&answers).await?;
        written += answers.len();
    }
    Ok(written)
}

/// A district doctor's week as polyclinics run it: doctors take turns at
/// morning and afternoon reception (15-minute slots, a tea break, the other
/// half of the day on home visits), every other one receives on Saturday
/// morning; each has a room of their own.
pub fn doctor_week(index: usize, valid_from: NaiveDate) -> WeeklyTemplate {
    use chrono::{NaiveTime, Weekday};
    use emhana_domain::schedule::{Session, SessionKind, WORKING_WEEK};
    let stretch = |(h1, m1), (h2, m2), kind| Session {
        weekday: Weekday::Mon,
        starts: NaiveTime::from_hms_opt(h1, m1, 0).unwrap_or(NaiveTime::MIN),
        ends: NaiveTime::from_hms_opt(h2, m2, 0).unwrap_or(NaiveTime::MIN),
        kind,
        slot_minutes: 15,
        room: Some(format!("{}", 101 + index)),
    };
    let day = if index.is_multiple_of(2) {
        [
            stretch((8, 0), (12, 0), SessionKind::Reception),
            stretch((10, 0), (10, 15), SessionKind::Break),
            stretch((13, 0), (16, 0), SessionKind::HomeVisits),
        ]
    } else {
        [
            stretch((9, 0), (13, 0), SessionKind::HomeVisits),
            stretch((14, 0), (18, 0), SessionKind::Reception),
            stretch((16, 0), (16, 15), SessionKind::Break),
        ]
    };
    let mut sessions: Vec<Session> = day
        .iter()
        .flat_map(|s| Session::on_each(&WORKING_WEEK, s))
        .collect();
    if index % 4 < 2 {
        sessions.extend(Session::on_each(
            &[Weekday::Sat],
            &stretch((9, 0), (13, 0), SessionKind::Reception),
        ));
    }
    WeeklyTemplate { valid_from, sessions }
}

/// The demo clinic a first start offers: [`DEMO_PERSONS`] persons from [`DEMO_SEED`].
pub fn demo_config(as_of: NaiveDate) -> SynthConfig {
    SynthConfig {
        seed: DEMO_SEED,
        persons: DEMO_PERSONS,
        as_of,
    }
}
