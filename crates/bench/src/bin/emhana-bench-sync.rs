//! Sync speed, end to end over HTTP on loopback: a first full sync of a
//! clinic's population into an empty workstation, and incremental syncs of
//! 100 changes (persons moved to the clinic, or with `--records` home calls
//! taken at another PC of it). Runs beside a throwaway PostgreSQL:
//!
//! ```sh
//! EMHANA_PG_DURABLE=1 scripts/throwaway-postgres.sh \
//!   cargo run --release -p emhana-bench --bin emhana-bench-sync -- --persons 1000000
//! ```

use emhana_bench::stats::summary;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use chrono::{NaiveDate, Utc};
use clap::Parser;
use emhana_domain::attachment::AttachmentGround;
use emhana_protocol::{
    ApplicationKey, AttachOp, Hlc, Op, OpBody, PullQuery, PullResponse, PushRequest, PushResponse,
};
use emhana_sync::{HttpTransport, SyncEngine, SyncSettings, Transport, TransportError};
use emhana_synth::{Synth, SynthConfig};
use emhana_workstation::Workstation;

#[derive(Debug, Parser)]
struct Args {
    /// Persons in the region (most attached to the first clinic).
    #[arg(long, default_value_t = 100_000)]
    persons: usize,
    /// First syncs to time (each into a new, empty workstation).
    #[arg(long, default_value_t = 3)]
    first_runs: usize,
    /// Incremental syncs of 100 changes to time.
    #[arg(long, default_value_t = 40)]
    incremental_runs: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Changes per pull page (default: the engine's).
    #[arg(long)]
    page: Option<u32>,
    /// Changes per transaction during the first sync (default: the engine's).
    #[arg(long)]
    group: Option<usize>,
    /// The incremental changes are the clinic's records (100 home calls
    /// taken at another PC of the clinic) rather than 100 persons moved to it.
    #[arg(long)]
    records: bool,
    /// First syncs from the clinic's snapshot: a builder workstation syncs
    /// and exports it first (timed apart), then each first sync downloads,
    /// checks and installs it and reads the feed after its cursor.
    #[arg(long)]
    snapshot: bool,
    /// The workstations' files encrypted, as the app keeps them (a new key each).
    #[arg(long)]
    encrypted: bool,
}

/// The region's persons, every one attached to the first clinic (a city
/// polyclinic's whole population is what a first sync brings), except the
/// neighbour practice's, kept there for the incremental runs to move.
async fn seed_one_clinic(pool: &sqlx::PgPool, config: SynthConfig) -> Result<()> {
    use emhana_registry::seed::{PopulationRecord, SeedAttachment, load_population};
    let mut synth = Synth::new(config)?;
    let clinics = synth.clinics().to_vec();
    emhana_synth::seed_registry_clinics(pool, &clinics).await?;
    let home = &clinics[0];
    let neighbour = clinics[1].bin;
    loop {
        let batch = synth.next_batch(10_000)?;
        if batch.is_empty() {
            return Ok(());
        }
        let mut records = Vec::new();
        for household in batch {
            for (index, person) in household.members.into_iter().enumerate() {
                let attachment = household.attachments.get(index).cloned().flatten();
                let seeded = match attachment {
                    Some(a) if a.clinic_bin == neighbour => emhana_synth::seed_attachment(&a),
                    _ => SeedAttachment {
                        clinic_bin: home.bin.as_string(),
                        district_number: home.districts[records.len() % home.districts.len()].number,
                        ground: AttachmentGround::FirstAttachment,
                        decided_on: person
                            .birth_date
                            .max(NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default()),
                    },
                };
                records.push(PopulationRecord {
                    person,
                    attachment: Some(seeded),
                });
            }
        }
        load_population(pool, &records).await?;
    }
}

/// Counts the time spent waiting for the registry's pages (the rest is the workstation's).
struct Timed<T> {
    inner: T,
    waiting: AtomicU64,
}

impl<T: Transport> Transport for Timed<T> {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.inner.push(request).await
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        let started = Instant::now();
        let page = self.inner.pull(query).await;
        self.waiting.fetch_add(
            u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        page
    }

    async fn reference(&self) -> Result<emhana_protocol::ReferenceData, TransportError> {
        self.inner.reference().await
    }

    async fn organization(
        &self,
        known: Option<i64>,
    ) -> Result<emhana_protocol::OrganizationAnswer, TransportError> {
        self.inner.organization(known).await
    }

    async fn audit_head(
        &self,
        report: &emhana_protocol::AuditHeadReport,
    ) -> Result<emhana_protocol::AuditHeadAnswer, TransportError> {
        self.inner.audit_head(report).await
    }

    async fn snapshot_info(&self) -> Result<Option<emhana_protocol::SnapshotInfo>, TransportError> {
        self.inner.snapshot_info().await
    }

    async fn snapshot_download(
        &self,
        from: u64,
        to: &std::path::Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), TransportError> {
        self.inner.snapshot_download(from, to, progress).await
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // RUST_LOG=emhana_workstation::sync=debug shows where each page's time goes.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let (pool, _) = emhana_registry::testing::fresh_database("bench_sync", 32).await?;
    let config = SynthConfig {
        seed: args.seed,
        persons: args.persons,
        as_of: NaiveDate::from_ymd_opt(2026, 9, 1).context("date")?,
    };
    let started = Instant::now();
    seed_one_clinic(&pool, config).await?;
    println!(
        "registry seeded with {} persons, all attached to one clinic, in {:.1} s",
        args.persons,
        started.elapsed().as_secs_f64()
    );
    sqlx::query("VACUUM ANALYZE").execute(&pool).await?;

    let snapshots = tempfile::tempdir()?;
    let served = emhana_registry::testing::serve(emhana_registry::AppState {
        pool: pool.clone(),
        clock: Arc::new(Utc::now),
        snapshots: args.snapshot.then(|| snapshots.path().to_path_buf()),
    })
    .await?;
    let base = served.base.clone();
    let clinics = Synth::new(config)?.clinics().to_vec();
    let home_bin = clinics[0].bin.as_string();
    let now = Utc::now();

    // the snapshot builder keeps its file in clear (it serves it, as
    // emhana-snapshot does); the PCs as --encrypted says
    let workstation_of = |home: usize, dir: std::path::PathBuf, encrypted: bool| {
        let clinics = clinics.clone();
        let pool = pool.clone();
        let base = base.clone();
        async move {
            let path = dir.join("emhana.sqlite");
            let (workstation, _) = if encrypted {
                Workstation::open_encrypted(&path, &emhana_workstation::DatabaseKey::generate()?).await?
            } else {
                Workstation::open(&path).await?
            };
            let mut clinics = clinics;
            for (index, clinic) in clinics.iter_mut().enumerate() {
                clinic.is_home = index == home;
            }
            workstation.import_clinics(&clinics).await?;
            let (_, code) =
                emhana_registry::auth::add_workstation(&pool, &clinics[home].bin.as_string(), "bench", now)
                    .await?;
            let enrolment = emhana_sync::enrol(&base, &code).await?;
            workstation.save_enrolment(&base, &enrolment, now).await?;
            anyhow::Ok((workstation, enrolment))
        }
    };

    let defaults = SyncSettings::default();
    let _builder_dir = tempfile::tempdir()?;
    if args.snapshot {
        let (builder, enrolment) = workstation_of(0, _builder_dir.path().to_path_buf(), false).await?;
        let engine = SyncEngine::new(
            builder,
            HttpTransport::new(&base, &enrolment.credential)?,
            Arc::new(Utc::now),
            defaults,
        );
        let started = Instant::now();
        let info = emhana_sync::snapshot::build(&engine, snapshots.path(), Utc::now()).await?;
        println!(
            "snapshot built (a builder's first sync and its export) in {:.1} s: {} persons, {:.0} MiB",
            started.elapsed().as_secs_f64(),
            info.persons,
            info.size as f64 / 1048576.0
        );
    }
    // First full sync into an empty workstation.
    let mut firsts = Vec::new();
    let mut kept = None;
    for run in 0..args.first_runs {
        let dir = tempfile::tempdir()?;
        let (workstation, enrolment) = workstation_of(0, dir.path().to_path_buf(), args.encrypted).await?;
        let engine = SyncEngine::new(
            workstation.clone(),
            Timed {
                inner: HttpTransport::new(&base, &enrolment.credential)?,
                waiting: AtomicU64::new(0),
            },
            Arc::new(Utc::now),
            SyncSettings {
                pull_page: args.page.unwrap_or(defaults.pull_page),
                first_sync_group: args.group.unwrap_or(defaults.first_sync_group),
                ..defaults
            },
        );
        let started = Instant::now();
        let report = engine.sync_once(|_| {}).await?;
        let elapsed = started.elapsed();
        let waiting = Duration::from_nanos(engine.transport().waiting.load(Ordering::Relaxed));
        if let Some(persons) = report.snapshot_persons {
            println!("first sync {run}: {persons} persons from the snapshot, then the feed:");
        }
        println!(
            "first sync {run}: {} persons in {:.2} s = {:.0} persons/s ({} pages; {:.2} s waiting for the registry)",
            report.snapshot_persons.unwrap_or(0) + report.pulled,
            elapsed.as_secs_f64(),
            (report.snapshot_persons.unwrap_or(0) + report.pulled) as f64 / elapsed.as_secs_f64(),
            report.pages,
            waiting.as_secs_f64()
        );
        firsts.push(elapsed);
        kept = Some((dir, engine));
    }
    summary("first sync", firsts);

    // Incremental: another workstation moves 100 persons from the neighbour
    // practice to the clinic; the clinic's workstation syncs them.
    let (_dir, engine) = kept.context("at least one first sync")?;
    let mover_dir = tempfile::tempdir()?;
    let (_, mover) = workstation_of(0, mover_dir.path().to_path_buf(), args.encrypted).await?;
    let mover_transport = HttpTransport::new(&base, &mover.credential)?;
    let neighbour_bin = clinics[1].bin.as_string();
    let iins: Vec<String> = sqlx::query_scalar(
        "SELECT p.iin FROM attachment a JOIN clinic c ON c.id = a.clinic_id JOIN person p ON p.id = a.person_id \
         WHERE c.bin = $1 AND a.ended_on IS NULL ORDER BY p.id LIMIT $2",
    )
    // calls are taken for the clinic's own people; persons moved come from the neighbour's
    .bind(if args.records { &home_bin } else { &neighbour_bin })
    .bind(i64::try_from(args.incremental_runs * 100)?)
    .fetch_all(&pool)
    .await?;
    // without address and phone, as the figures in docs/benchmarks.md were measured
    let people: Vec<emhana_domain::Person> = emhana_registry::testing::persons_by_iin(&pool, &iins)
        .await?
        .into_iter()
        .map(|person| emhana_domain::Person {
            address: None,
            phone: None,
            ..person
        })
        .collect();
    anyhow::ensure!(
        people.len() == args.incremental_runs * 100,
        "only {} persons to move",
        people.len()
    );
    // an hour ago: the registry takes no op older than a PC's offline period
    let made_at = Utc::now() - chrono::TimeDelta::hours(1);
    // the registry takes an op only from the clinic's staff whose role allows it
    let author = clinics[0]
        .staff
        .iter()
        .find(|member| member.role == emhana_domain::StaffRole::Registrar)
        .map(|member| member.iin.as_string())
        .context("a registrar of the clinic")?;
    let mut incrementals = Vec::new();
    let mut hlc = None;
    for (run, batch) in people.chunks(100).enumerate() {
        let ops: Vec<Op> = batch
            .iter()
            .enumerate()
            .map(|(i, person)| {
                let stamp = Hlc::next(hlc, made_at.timestamp_millis());
                hlc = Some(stamp);
                let number = u32::try_from(run * 100 + i + 1).unwrap_or(u32::MAX);
                let body = if args.records {
                    OpBody::RegisterCall(Box::new(call(&home_bin, person, number, made_at)))
                } else {
                    OpBody::Attach(AttachOp {
                        person: person.clone(),
                        clinic_bin: home_bin.clone(),
                        district_number: 1,
                        ground: AttachmentGround::ChangeOfResidence,
                        consent_given: true,
                        application: ApplicationKey { year: 2026, number },
                        new_residence: None,
                        details: Vec::new(),
                    })
                };
                Op {
                    id: uuid::Uuid::now_v7(),
                    workstation: mover.workstation,
                    actor_iin: Some(author.clone()),
                    made_at,
                    hlc: stamp,
                    body,
                }
            })
            .collect();
        let request = PushRequest {
            ops: ops.iter().map(serde_json::to_value).collect::<Result<_, _>>()?,
        };
        let answer = mover_transport.push(&request).await?;
        anyhow::ensure!(
            answer
                .results
                .iter()
                .all(|r| r.outcome == emhana_protocol::OpOutcome::Applied)
        );
        let started = Instant::now();
        let report = engine.sync_once(|_| {}).await?;
        incrementals.push(started.elapsed());
        anyhow::ensure!(report.pulled == 100, "run {run}: pulled {}", report.pulled);
    }
    summary(
        if args.records {
            "incremental sync of 100 changes (home calls)"
        } else {
            "incremental sync of 100 changes (persons moved)"
        },
        incrementals,
    );
    Ok(())
}

/// A home call taken for `person` at another PC of the clinic, whole.
fn call(
    clinic_bin: &str,
    person: &emhana_domain::Person,
    number: u32,
    made_at: chrono::DateTime<Utc>,
) -> emhana_protocol::CallRecord {
    use emhana_domain::home_call::{CallAcceptance, CallStatus, Responder};
    emhana_protocol::CallRecord {
        id: uuid::Uuid::now_v7(),
        clinic_bin: clinic_bin.to_owned(),
        year: 2026,
        number,
        person: person.clone(),
        received_at: made_at,
        caller: "сама".into(),
        caller_phone: None,
        complaint: "температура".into(),
        temperature_tenths: Some(378),
        pregnant: false,
        age_years: 40,
        registrar_wants_doctor: false,
        indications: vec![],
        suggested: Responder::Nurse,
        reasons: vec![],
        rules_valid_from: NaiveDate::from_ymd_opt(2015, 4, 28).unwrap_or_default(),
        goes: Responder::Nurse,
        acceptance: CallAcceptance::Taken,
        planned_on: emhana_domain::kazakhstan_date(made_at),
        assigned_staff_iin: None,
        doctor_level: false,
        status: CallStatus::Registered,
        outcome: None,
        registrar_iin: None,
    }
}
