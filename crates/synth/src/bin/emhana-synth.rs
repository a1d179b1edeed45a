//! Writes a synthetic population into a workstation database.
//!
//! `emhana-synth --persons 1000000 --db /tmp/city.sqlite`

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
    #[arg(long)]
    db: PathBuf,
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
    let (workstation, _) = Workstation::open(&args.db)
        .await
        .with_context(|| format!("opening {}", args.db.display()))?;
    if !workstation.is_empty().await? {
        anyhow::bail!(
            "{} already holds a clinic; give an empty or new file",
            args.db.display()
        );
    }
    let started = Instant::now();
    let mut last_report = Instant::now();
    let summary = load_into(
        &workstation,
        SynthConfig {
            seed: args.seed,
            persons: args.persons,
            as_of,
        },
        |written| {
            if last_report.elapsed().as_secs() >= 5 {
                eprintln!(
                    "{written} persons written ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
                last_report = Instant::now();
            }
        },
    )
    .await?;
    workstation.close().await;
    println!(
        "{} persons in {} clinics written to {} in {:.1} s",
        summary.persons,
        summary.clinics,
        args.db.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
