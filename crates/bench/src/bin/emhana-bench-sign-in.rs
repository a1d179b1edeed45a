//! Sign-in and switching user at a shared window: the time from the IIN and
//! password to a workstation acting as that member of staff, over the demo
//! clinic's accounts in a real SQLite file (argon2id, m=19 MiB, t=2). A
//! switch of user is a sign-in of the next one; a wrong password takes as
//! long (the hash is checked either way).
//!
//! `cargo run --release -p emhana-bench --bin emhana-bench-sign-in -- --runs 200`

use std::time::Instant;

use chrono::Utc;
use clap::Parser;
use emhana_bench::stats::summary;
use emhana_synth::{DEMO_PASSWORD, SynthConfig, load_into};
use emhana_workstation::Workstation;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 200)]
    runs: usize,
    /// Persons in the demo clinic (the register's size does not enter sign-in).
    #[arg(long, default_value_t = 2_000)]
    persons: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (workstation, _) = Workstation::open(&dir.path().join("bench.sqlite")).await?;
    let as_of = emhana_domain::kazakhstan_date(Utc::now());
    load_into(
        &workstation,
        SynthConfig {
            seed: 1,
            persons: args.persons,
            as_of,
        },
        |_| {},
    )
    .await?;
    let staff: Vec<String> = workstation
        .organization()
        .await?
        .staff
        .into_iter()
        .map(|member| member.iin)
        .collect();
    anyhow::ensure!(staff.len() >= 2, "the demo clinic has staff");
    let (mut switches, mut wrong) = (Vec::new(), Vec::new());
    for run in 0..args.runs {
        // the next member of staff takes the window
        let iin = &staff[run % staff.len()];
        let started = Instant::now();
        let session = workstation.sign_in(iin, DEMO_PASSWORD, Utc::now()).await?;
        let acting = workstation.acting_as(session);
        switches.push(started.elapsed());
        anyhow::ensure!(acting.session().is_some(), "signed in");
        // a mistyped password, on another IIN each time so no wait is asked
        let other = &staff[(run + 1) % staff.len()];
        let started = Instant::now();
        let refused = workstation.sign_in(other, "mistyped", Utc::now()).await;
        wrong.push(started.elapsed());
        anyhow::ensure!(refused.is_err(), "a wrong password is refused");
        // forgotten by her next good sign-in, as at the window
        workstation.sign_in(other, DEMO_PASSWORD, Utc::now()).await?;
    }
    println!("{} staff accounts, {} runs", staff.len(), args.runs);
    summary("switch user (sign-in to acting)", switches);
    summary("wrong password refused", wrong);
    Ok(())
}
