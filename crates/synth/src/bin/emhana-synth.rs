//! Writes a synthetic population into a workstation database, or into a
//! central registry's (for a demo registry to sync with).
//!
//! `emhana-synth --persons 1000000 --db /tmp/city.sqlite`
//! `emhana-synth --registry-database postgres://… --enrol`

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;
use emhana_synth::{SynthConfig, load_into};
use emhana_workstation::Workstation;

#[derive(Parser, Debug)]
#[command(about = "Write a deterministic synthetic population into a workstation database")]
struct Args {
    /// Persons to generate.
    #[arg(long, default_value_t = emhana_synth::DEMO_PERSONS)]
    persons: usize,
    /// Seed; the same seed, size and date give the same population.
    #[arg(long, default_value_t = emhana_synth::DEMO_SEED)]
    seed: u64,
    /// The date ages are counted from (YYYY-MM-DD); default: today in Kazakhstan.
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// The workstation database file (created when absent; must hold no clinic yet).
    #[arg(
        long,
        required_unless_present = "registry_database",
        conflicts_with = "registry_database"
    )]
    db: Option<PathBuf>,
    /// A registry's PostgreSQL database to seed with the region instead.
    #[arg(long)]
    registry_database: Option<String>,
    /// With --registry-database: also add a workstation of the first clinic
    /// and print its one-time enrolment code.
    #[arg(long, requires = "registry_database")]
    enrol: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .init();
    let args = Args::parse();
    let as_of = args
        .as_of
        .unwrap_or_else(|| emhana_domain::kazakhstan_date(chrono::Utc::now()));
    let config = SynthConfig {
        seed: args.seed,
        persons: args.persons,
        as_of,
    };
    let Some(db) = args.db else {
        let url = args.registry_database.context("--db or --registry-database")?;
        #[cfg(feature = "registry")]
        return seed_registry(&url, config, args.enrol).await;
        #[cfg(not(feature = "registry"))]
        {
            let _ = (url, args.enrol);
            anyhow::bail!("built without the registry: cargo build -p emhana-synth --features registry");
        }
    };
    let (workstation, _) = Workstation::open(&db)
        .await
        .with_context(|| format!("opening {}", db.display()))?;
    if !workstation.is_empty().await? {
        anyhow::bail!(
            "{} already holds a clinic; give an empty or new file",
            db.display()
        );
    }
    let started = Instant::now();
    let mut last_report = Instant::now();
    let summary = load_into(&workstation, config, |written| {
        if last_report.elapsed().as_secs() >= 5 {
            eprintln!(
                "{written} persons written ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
            last_report = Instant::now();
        }
    })
    .await?;
    let plans = emhana_synth::load_demo_plans(&workstation, config).await?;
    eprintln!("{plans} care plans opened");
    let osms_started = Instant::now();
    let statuses = emhana_synth::load_demo_osms(&workstation, config).await?;
    eprintln!(
        "{statuses} OSMS statuses kept ({:.1} s)",
        osms_started.elapsed().as_secs_f64()
    );
    workstation.close().await;
    println!(
        "{} persons in {} clinics written to {} in {:.1} s",
        summary.persons,
        summary.clinics,
        db.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

#[cfg(feature = "registry")]
async fn seed_registry(url: &str, config: SynthConfig, enrol: bool) -> anyhow::Result<()> {
    let pool = emhana_registry::connect(url, 8)
        .await
        .context("connecting to the registry's database")?;
    let started = Instant::now();
    let summary = emhana_synth::seed_registry(&pool, config, |_| {}).await?;
    println!(
        "registry seeded: {} persons in {} clinics in {:.1} s",
        summary.persons,
        summary.clinics,
        started.elapsed().as_secs_f64()
    );
    let fund = emhana_synth::seed_registry_osms(&pool, config, chrono::Utc::now()).await?;
    println!(
        "the Fund's side: {} payments, {} persons the state pays for, {} digital policies",
        fund.payments, fund.state_paid, fund.policies
    );
    if enrol {
        let clinic = emhana_synth::Synth::new(config)?
            .clinics()
            .first()
            .cloned()
            .context("the region has no clinic")?;
        let (_, code) = emhana_registry::auth::add_workstation(
            &pool,
            &clinic.bin.as_string(),
            "Демо",
            chrono::Utc::now(),
        )
        .await?;
        println!(
            "enrolment code for {} (BIN {}): {code}",
            clinic.name_ru, clinic.bin
        );
    }
    Ok(())
}
