//! Search benchmark over a synthetic population: generation and load time, then
//! latency of search by IIN, name prefix, surname + name, and phone prefix
//! (p50, p99, max over many queries), through `Workstation::search` as the app calls it.
//!
//! `cargo run --release -p emhana-bench --bin emhana-bench -- --persons 1000000`

use emhana_bench::stats::percentile;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;
use emhana_synth::{SynthConfig, load_into};
use emhana_workstation::Workstation;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 1_000_000)]
    persons: usize,
    /// Queries of each kind.
    #[arg(long, default_value_t = 2_000)]
    queries: usize,
    /// Results asked per search, as the registry desk asks.
    #[arg(long, default_value_t = 30)]
    limit: usize,
    /// Reuse this database when it already holds the population; else make it here.
    #[arg(long)]
    db: Option<PathBuf>,
    /// Encrypt the database (as the app keeps it) with the key in this file,
    /// made there when absent; a database in clear is encrypted at opening.
    /// Synthetic data only: the app keeps its key in the OS keyring.
    #[arg(long)]
    key_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile_dir()?;
    let path = args.db.clone().unwrap_or_else(|| dir.join("bench.sqlite"));
    let key = args
        .key_file
        .as_deref()
        .map(emhana_bench::key_from_file)
        .transpose()?;
    let started = Instant::now();
    let (workstation, report) = match &key {
        Some(key) => Workstation::open_encrypted(&path, key).await,
        None => Workstation::open(&path).await,
    }
    .context("opening the bench database")?;
    if report.encrypted_now {
        println!(
            "the database was in clear: encrypted in place in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    if workstation.is_empty().await? {
        let started = Instant::now();
        let config = SynthConfig {
            seed: 1,
            persons: args.persons,
            as_of: NaiveDate::from_ymd_opt(2026, 11, 23).context("date")?,
        };
        let summary = load_into(&workstation, config, |_| {}).await?;
        println!(
            "generate+load: {} persons, {} clinics in {:.1} s",
            summary.persons,
            summary.clinics,
            started.elapsed().as_secs_f64()
        );
    }
    let persons = workstation.status().await?.persons;
    let at_rest = if workstation.is_encrypted() {
        "encrypted"
    } else {
        "in clear"
    };
    println!("database: {} ({persons} persons, {at_rest})", path.display());

    // Sample real persons to make the queries from.
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let sample = sample_persons(&path, key.as_ref(), 5_000).await?;
    let mut kinds: Vec<(&str, Vec<String>)> = vec![
        ("IIN (exact)", Vec::new()),
        ("name prefix (3–6 letters)", Vec::new()),
        ("surname + name prefix", Vec::new()),
        ("phone prefix (7 digits)", Vec::new()),
    ];
    for _ in 0..args.queries {
        let (iin, surname, first_name, phone) = sample.choose(&mut rng).context("sample")?.clone();
        kinds[0].1.push(iin);
        let word = if rng.random_bool(0.5) {
            &surname
        } else {
            &first_name
        };
        let letters: Vec<char> = word.chars().collect();
        let take = rng.random_range(3..=6).min(letters.len());
        kinds[1].1.push(letters[..take].iter().collect());
        let name_letters: Vec<char> = first_name.chars().collect();
        let take = rng.random_range(1..=name_letters.len());
        kinds[2].1.push(format!(
            "{surname} {}",
            name_letters[..take].iter().collect::<String>()
        ));
        kinds[3].1.push(
            phone
                .map(|p| p[..7].to_owned())
                .unwrap_or_else(|| "7011234".into()),
        );
    }

    println!("| search | queries | p50 | p99 | max | mean hits |");
    println!("|---|---|---|---|---|---|");
    for (name, queries) in &kinds {
        // one warm-up pass, as a registrar's PC has the file in its cache after the first searches
        for query in queries.iter().take(200) {
            workstation.search(query, args.limit).await?;
        }
        let mut times = Vec::with_capacity(queries.len());
        let mut hits = 0usize;
        for query in queries {
            let started = Instant::now();
            let outcome = workstation.search(query, args.limit).await?;
            times.push(started.elapsed());
            hits += outcome.hits.len();
        }
        times.sort();
        println!(
            "| {name} | {} | {:.3} ms | {:.3} ms | {:.3} ms | {:.1} |",
            times.len(),
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
            hits as f64 / queries.len() as f64
        );
    }
    workstation.close().await;
    if args.db.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(())
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("emhana-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

type Sampled = (String, String, String, Option<String>);

async fn sample_persons(
    path: &std::path::Path,
    key: Option<&emhana_workstation::DatabaseKey>,
    count: i64,
) -> anyhow::Result<Vec<Sampled>> {
    use sqlx::ConnectOptions;
    let mut conn = emhana_workstation::reader_options(path, key)
        .read_only(true)
        .connect()
        .await?;
    let rows: Vec<Sampled> = sqlx::query_as(
        "SELECT iin, surname, first_name, phone FROM person WHERE id IN \
         (SELECT abs(random()) % (SELECT max(id) FROM person) + 1 FROM person LIMIT ?1)",
    )
    .bind(count)
    .fetch_all(&mut conn)
    .await?;
    Ok(rows)
}
