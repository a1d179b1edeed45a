//! Attachment ops pushed by many workstations at once, over HTTP on loopback
//! to a registry on PostgreSQL: 50 workstations of the region's clinics push
//! batches back to back; 20% of them contend for 1% of the persons (free
//! choices in the campaign: the first wins, the rest are refused), the others
//! re-attach persons of their own. Reports ops/s, each push's latency, and
//! checks that no person ended with two open attachments. Runs beside a
//! throwaway PostgreSQL:
//!
//! ```sh
//! EMHANA_PG_DURABLE=1 scripts/throwaway-postgres.sh \
//!   cargo run --release -p emhana-bench --bin emhana-bench-push -- --persons 200000
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use chrono::{NaiveDate, Utc};
use clap::Parser;
use emhana_bench::stats::percentile;
use emhana_domain::attachment::AttachmentGround;
use emhana_protocol::{ApplicationKey, AttachOp, Hlc, Op, OpBody, OpOutcome, PushRequest};
use emhana_sync::{HttpTransport, Transport};
use emhana_synth::{Synth, SynthConfig};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Parser)]
struct Args {
    /// Persons in the region.
    #[arg(long, default_value_t = 200_000)]
    persons: usize,
    #[arg(long, default_value_t = 50)]
    workstations: usize,
    /// Workstations that contend for the same few persons.
    #[arg(long, default_value_t = 10)]
    contending: usize,
    /// The share of persons they contend for.
    #[arg(long, default_value_t = 0.01)]
    hot_share: f64,
    /// Ops per push.
    #[arg(long, default_value_t = 20)]
    batch: usize,
    /// Pushes per workstation.
    #[arg(long, default_value_t = 40)]
    pushes: usize,
    /// Ops per second offered by all workstations together, each pushing on
    /// its own schedule; 0 pushes back to back (the registry's capacity).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// The registry's database connections.
    #[arg(long, default_value_t = 32)]
    pool: u32,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// What one workstation saw.
#[derive(Debug, Default)]
struct Tally {
    contending: bool,
    latencies: Vec<Duration>,
    outcomes: BTreeMap<String, usize>,
}

fn outcome_name(outcome: &OpOutcome) -> String {
    match outcome {
        OpOutcome::Applied => "applied".into(),
        OpOutcome::Rejected { ground } => serde_json::to_value(ground)
            .ok()
            .and_then(|value| {
                let code = value.get("code")?.as_str()?.to_owned();
                Some(match value.get("refusal").and_then(|r| r.as_str()) {
                    Some(refusal) => format!("rejected: {code} ({refusal})"),
                    None => format!("rejected: {code}"),
                })
            })
            .unwrap_or_else(|| "rejected".into()),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    ensure!(
        args.contending <= args.workstations,
        "more contending workstations than workstations"
    );
    let (pool, _) = emhana_registry::testing::fresh_database("bench_push", args.pool).await?;
    let config = SynthConfig {
        seed: args.seed,
        persons: args.persons,
        as_of: NaiveDate::from_ymd_opt(2026, 9, 1).context("date")?,
    };
    let started = Instant::now();
    emhana_synth::seed_registry(&pool, config, |_| {}).await?;
    sqlx::query("VACUUM ANALYZE").execute(&pool).await?;
    println!(
        "registry seeded with {} persons in {:.1} s",
        args.persons,
        started.elapsed().as_secs_f64()
    );

    let served = emhana_registry::testing::serve(emhana_registry::AppState {
        pool: pool.clone(),
        clock: Arc::new(Utc::now),
        snapshots: None,
    })
    .await?;
    let base = served.base.clone();

    // The persons, as the workstations would send them.
    let iins: Vec<String> = sqlx::query_scalar("SELECT iin FROM person ORDER BY id")
        .fetch_all(&pool)
        .await?;
    // without address and phone, as the figures in docs/benchmarks.md were measured
    let mut persons: Vec<emhana_domain::Person> = emhana_registry::testing::persons_by_iin(&pool, &iins)
        .await?
        .into_iter()
        .map(|person| emhana_domain::Person {
            address: None,
            phone: None,
            ..person
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    persons.shuffle(&mut rng);
    let hot_count = ((persons.len() as f64 * args.hot_share).ceil() as usize).max(1);
    let (hot, rest) = persons.split_at(hot_count);
    let hot = Arc::new(hot.to_vec());
    let calm = args.workstations - args.contending;
    let per_calm = args.batch * args.pushes;
    ensure!(
        rest.len() >= calm * per_calm,
        "{} persons are too few for {calm} workstations × {per_calm} ops",
        rest.len()
    );

    let clinics = Synth::new(config)?.clinics().to_vec();
    let now = Utc::now();
    // In the campaign, so that the contended free choices are decided on the
    // rules: a campaign set around today (the registry takes no op older than
    // a PC's offline period, so a fixed date would not do for long).
    let campaign_day = now - chrono::TimeDelta::minutes(2);
    {
        use chrono::Datelike;
        let today = emhana_domain::kazakhstan_date(now);
        let year = today.year();
        let first = chrono::NaiveDate::from_ymd_opt(year, 1, 1).context("date")?;
        let last = chrono::NaiveDate::from_ymd_opt(year, 12, 31).context("date")?;
        emhana_registry::reference::set_campaign(
            &pool,
            &emhana_domain::attachment::Campaign {
                year,
                first_day: (today - chrono::TimeDelta::days(7)).max(first),
                last_day: (today + chrono::TimeDelta::days(7)).min(last),
                free_choice_limit: 1,
                takes_effect: emhana_domain::attachment::CampaignEffect::DecisionDay,
            },
        )
        .await?;
    }
    let mut tasks = tokio::task::JoinSet::new();
    let mut ready = Vec::new();
    for index in 0..args.workstations {
        let clinic = &clinics[index % clinics.len()];
        let (_, code) =
            emhana_registry::auth::add_workstation(&pool, &clinic.bin.as_string(), "bench", now).await?;
        let enrolment = emhana_sync::enrol(&base, &code).await?;
        let transport = HttpTransport::new(&base, &enrolment.credential)?;
        let contending = index < args.contending;
        let own: Vec<emhana_domain::Person> = if contending {
            Vec::new()
        } else {
            let slot = index - args.contending;
            rest[slot * per_calm..(slot + 1) * per_calm].to_vec()
        };
        let districts: Vec<u32> = clinic.districts.iter().map(|d| d.number).collect();
        // the registry takes an op only from the clinic's staff whose role allows it
        let author = clinic
            .staff
            .iter()
            .find(|member| member.role == emhana_domain::StaffRole::Registrar)
            .map(|member| member.iin.as_string())
            .context("a registrar of the clinic")?;
        // a house the clinic's first district covers: where a change of residence moves to
        let moved_to = clinic
            .districts
            .iter()
            .flat_map(|district| district.coverage.first())
            .next()
            .map(|area| emhana_domain::Address {
                settlement: area.settlement.clone(),
                street: area.street.clone(),
                house: area.house_from.to_string(),
                apartment: None,
            })
            .context("a covered house of the clinic")?;
        ready.push((
            index,
            moved_to,
            author,
            clinic.bin.as_string(),
            enrolment.workstation,
            transport,
            contending,
            own,
            districts,
        ));
    }
    let gate = Arc::new(tokio::sync::Barrier::new(args.workstations + 1));
    // Open loop: a push is due every `interval`; its latency counts from when
    // it was due, so a registry that falls behind is charged for the queue.
    let interval = (args.rate > 0.0)
        .then(|| Duration::from_secs_f64((args.batch * args.workstations) as f64 / args.rate));
    for (index, moved_to, author, bin, workstation, transport, contending, own, districts) in ready {
        let hot = hot.clone();
        let gate = gate.clone();
        let (batch, pushes, seed, workstations) = (args.batch, args.pushes, args.seed, args.workstations);
        tasks.spawn(async move {
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (index as u64 + 1));
            let mut hlc = None;
            let mut tally = Tally {
                contending,
                ..Tally::default()
            };
            let mut number = 0u32;
            let mut pushes_made = Vec::with_capacity(pushes);
            for push in 0..pushes {
                let mut ops = Vec::with_capacity(batch);
                for slot in 0..batch {
                    let (person, ground, made_at) = if contending {
                        (
                            hot[rng.random_range(0..hot.len())].clone(),
                            AttachmentGround::FreeChoice,
                            campaign_day,
                        )
                    } else {
                        (
                            own[push * batch + slot].clone(),
                            AttachmentGround::ChangeOfResidence,
                            Utc::now() - chrono::TimeDelta::minutes(1),
                        )
                    };
                    let stamp = Hlc::next(hlc, made_at.timestamp_millis());
                    hlc = Some(stamp);
                    number += 1;
                    ops.push(Op {
                        id: uuid::Uuid::now_v7(),
                        workstation,
                        actor_iin: Some(author.clone()),
                        made_at,
                        hlc: stamp,
                        body: OpBody::Attach(AttachOp {
                            person,
                            clinic_bin: bin.clone(),
                            district_number: districts[rng.random_range(0..districts.len())],
                            ground,
                            consent_given: true,
                            application: ApplicationKey { year: 2026, number },
                            // a change of residence names the address it rests on
                            new_residence: (ground == AttachmentGround::ChangeOfResidence)
                                .then(|| moved_to.clone()),
                            details: Vec::new(),
                        }),
                    });
                }
                pushes_made.push(PushRequest {
                    ops: ops.iter().map(serde_json::to_value).collect::<Result<_, _>>()?,
                });
            }
            gate.wait().await;
            let start = tokio::time::Instant::now();
            for (k, request) in pushes_made.into_iter().enumerate() {
                let started = match interval {
                    Some(interval) => {
                        let phase = interval.mul_f64(index as f64 / workstations as f64);
                        let due = start + phase + interval * u32::try_from(k).unwrap_or(u32::MAX);
                        tokio::time::sleep_until(due).await;
                        due.into_std()
                    }
                    None => Instant::now(),
                };
                let answer = transport.push(&request).await?;
                tally.latencies.push(started.elapsed());
                ensure!(answer.results.len() == request.ops.len(), "one answer per op");
                for result in answer.results {
                    *tally.outcomes.entry(outcome_name(&result.outcome)).or_default() += 1;
                }
            }
            anyhow::Ok(tally)
        });
    }
    gate.wait().await;
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut by_group: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(tally) = tasks.join_next().await {
        let tally = tally??;
        latencies.extend(&tally.latencies);
        by_group[usize::from(tally.contending)].extend(tally.latencies);
        for (outcome, n) in tally.outcomes {
            *outcomes.entry(outcome).or_default() += n;
        }
    }
    let elapsed = started.elapsed();
    let ops: usize = outcomes.values().sum();
    latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let offered = if args.rate > 0.0 {
        format!("offered {:.0} ops/s", args.rate)
    } else {
        "back to back".to_owned()
    };
    println!(
        "{} workstations ({} contending for {} persons), {} ops in pushes of {}, {offered}: {:.1} s, {:.0} ops/s",
        args.workstations,
        args.contending,
        hot.len(),
        ops,
        args.batch,
        elapsed.as_secs_f64(),
        ops as f64 / elapsed.as_secs_f64()
    );
    println!(
        "push latency: n={} median={:.1} ms p99={:.1} ms max={:.1} ms; per op: median {:.2} ms",
        latencies.len(),
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 1.0)),
        ms(percentile(&latencies, 0.5)) / args.batch as f64,
    );
    for (name, mut group) in ["others", "contending"].into_iter().zip(by_group) {
        group.sort();
        println!(
            "  {name}: median={:.1} ms p99={:.1} ms",
            ms(percentile(&group, 0.5)),
            ms(percentile(&group, 0.99))
        );
    }
    for (outcome, n) in &outcomes {
        println!("  {outcome}: {n}");
    }
    let doubles: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT person_id FROM attachment WHERE ended_on IS NULL \
         GROUP BY person_id HAVING count(*) > 1) twice",
    )
    .fetch_one(&pool)
    .await?;
    let logged: i64 = sqlx::query_scalar("SELECT count(*) FROM op_log")
        .fetch_one(&pool)
        .await?;
    println!("persons with two open attachments: {doubles}; ops logged: {logged}");
    ensure!(doubles == 0, "double attachments");
    ensure!(logged == ops as i64, "every op logged once");
    Ok(())
}
