//! A busy clinic day shared through the registry (issue 17): 20 workstations
//! of one polyclinic push, at once and back to back over HTTP on loopback,
//! 5,000 bookings with a status change each (arrived, did not come,
//! cancelled), 300 home calls with their outcome and 2,000 visit outcomes on
//! the clinic's care plans, each record whole as the workstations send it.
//! Reports each push's latency, then how long a workstation of the clinic
//! (its register and plans already synced) takes to catch up on the day:
//! every booking, call and changed plan pulled and written.
//!
//! ```sh
//! EMHANA_PG_DURABLE=1 scripts/throwaway-postgres.sh \
//!   cargo run --release -p emhana-bench --bin emhana-bench-day -- --persons 100000 [--rate 200]
//! ```
//!
//! Back to back (the default) measures the registry's capacity; `--rate`
//! offers the day's ops at a steady pace (a real day spreads 12,600 ops over
//! eight hours: 0.4 ops/s).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, ensure};
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use clap::Parser;
use emhana_bench::stats::summary;
use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
use emhana_domain::care_plan::{
    Condition, PlanEvent, PlannedVisit, RiskLevel, VisitOutcome, VisitPurpose, VisitWho,
};
use emhana_domain::clinic::StaffRole;
use emhana_domain::home_call::{CallAcceptance, CallStatus, Responder};
use emhana_protocol::{
    BookOp, BookingChange, BookingEvent, BookingRecord, CallChange, CallOutcome, CallRecord, CancelBookingOp,
    ChangeBookingOp, ChangeCallOp, ChangePlanOp, Hlc, Op, OpBody, OpOutcome, PlanChange, PlanRecord,
    PushRequest, SlotKey, VisitEvent, VisitPrior, VisitRecord,
};
use emhana_sync::{HttpTransport, SyncEngine, SyncSettings, Transport};
use emhana_synth::{Synth, SynthConfig};
use emhana_workstation::Workstation;
use uuid::Uuid;

#[derive(Debug, Parser)]
struct Args {
    /// Persons in the region (the polyclinic holds about a third).
    #[arg(long, default_value_t = 100_000)]
    persons: usize,
    #[arg(long, default_value_t = 20)]
    workstations: usize,
    #[arg(long, default_value_t = 5000)]
    bookings: usize,
    #[arg(long, default_value_t = 300)]
    calls: usize,
    /// Care plans open before the day, and the visit outcomes recorded on them that day.
    #[arg(long, default_value_t = 500)]
    plans: usize,
    #[arg(long, default_value_t = 8)]
    visits_per_plan: usize,
    #[arg(long, default_value_t = 2000)]
    outcomes: usize,
    /// Ops per push (a workstation's outbox sends up to 500; a busy window has a few).
    #[arg(long, default_value_t = 10)]
    batch: usize,
    /// Ops per second offered by all workstations together, each pushing on
    /// its own schedule (open loop: a push's latency counts from when it was
    /// due); 0 pushes back to back (the registry's capacity).
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Workstations that catch up on the day, one after another.
    #[arg(long, default_value_t = 5)]
    catch_up_runs: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let (pool, _) = emhana_registry::testing::fresh_database("bench_day", 32).await?;
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
    let mut clinics = Synth::new(config)?.clinics().to_vec();
    for (index, clinic) in clinics.iter_mut().enumerate() {
        clinic.is_home = index == 0;
    }
    let home = clinics[0].clone();
    let bin = home.bin.as_string();
    let now = Utc::now();

    // The day's records, as the clinic's windows and nurses make them.
    let iins: Vec<String> = sqlx::query_scalar(
        "SELECT p.iin FROM attachment a JOIN person p ON p.id = a.person_id JOIN clinic c ON c.id = a.clinic_id \
         WHERE c.bin = $1 AND a.ended_on IS NULL ORDER BY p.id LIMIT $2",
    )
    .bind(&bin)
    .bind(i64::try_from(args.bookings.max(args.calls))?)
    .fetch_all(&pool)
    .await?;
    let persons = emhana_registry::testing::persons_by_iin(&pool, &iins).await?;
    ensure!(
        persons.len() >= args.bookings,
        "only {} persons attached to the clinic",
        persons.len()
    );
    let doctors: Vec<String> = home
        .staff
        .iter()
        .filter(|s| s.role == StaffRole::DistrictDoctor)
        .map(|s| s.iin.as_string())
        .collect();
    let nurses: Vec<String> = home
        .staff
        .iter()
        .filter(|s| s.role == StaffRole::DistrictNurse)
        .map(|s| s.iin.as_string())
        .collect();
    ensure!(
        !doctors.is_empty() && !nurses.is_empty(),
        "the clinic has doctors and nurses"
    );
    let day = Utc
        .with_ymd_and_hms(2026, 12, 7, 3, 0, 0)
        .single()
        .context("instant")?;
    let made_at = Utc::now() - TimeDelta::minutes(5);
    let event = |status| BookingEvent {
        at: made_at,
        status,
        staff_iin: None,
        note: None,
    };

    // The clinic's care plans, opened before the day (untimed): the day records outcomes on them.
    let first_visit = NaiveDate::from_ymd_opt(2026, 12, 1).context("date")?;
    let mut plans = Vec::with_capacity(args.plans);
    for (index, person) in persons.iter().take(args.plans).enumerate() {
        let id = Uuid::now_v7();
        let visits = (0..args.visits_per_plan)
            .map(|month| {
                let due = first_visit
                    .checked_add_months(chrono::Months::new(u32::try_from(month)?))
                    .context("date")?;
                let visit = PlannedVisit {
                    due_from: due,
                    due_to: due + TimeDelta::days(9),
                    who: VisitWho::Nurse,
                    purpose: VisitPurpose::ObservationNurse,
                    what: None,
                    specialty: None,
                };
                Ok(VisitRecord {
                    id: VisitRecord::id_for(id, &visit),
                    visit,
                    outcome: None,
                    closed: false,
                    history: vec![],
                })
            })
            .collect::<Result<Vec<_>>>()?;
        plans.push(PlanRecord {
            id,
            clinic_bin: bin.clone(),
            person: person.clone(),
            event: PlanEvent::Observation {
                condition: Condition::ArterialHypertension,
                risk: RiskLevel::Medium,
                enrolled: NaiveDate::from_ymd_opt(2026, 6, 1).context("date")?
                    + TimeDelta::days((index % 90) as i64),
                basis: None,
            },
            rules_valid_from: NaiveDate::from_ymd_opt(2015, 4, 28).context("date")?,
            opened_at: made_at - TimeDelta::days(30),
            opened_by_iin: None,
            planned_through: None,
            closed: None,
            visits,
            changed_by: None,
        });
    }
    {
        let (_, code) = emhana_registry::auth::add_workstation(&pool, &bin, "plans", now).await?;
        let enrolment = emhana_sync::enrol(&base, &code).await?;
        let transport = HttpTransport::new(&base, &enrolment.credential)?;
        let mut hlc = None;
        for chunk in plans.chunks(100) {
            let ops: Vec<Op> = chunk
                .iter()
                .map(|plan| {
                    let stamp = Hlc::next(hlc, made_at.timestamp_millis());
                    hlc = Some(stamp);
                    Op {
                        id: Uuid::now_v7(),
                        workstation: enrolment.workstation,
                        actor_iin: None,
                        made_at,
                        hlc: stamp,
                        body: OpBody::OpenPlan(Box::new(plan.clone())),
                    }
                })
                .collect();
            let request = PushRequest {
                ops: ops.iter().map(serde_json::to_value).collect::<Result<_, _>>()?,
            };
            for result in transport.push(&request).await?.results {
                ensure!(result.outcome == OpOutcome::Applied, "{:?}", result.outcome);
            }
        }
        println!("{} care plans opened before the day", plans.len());
    }

    // The workstations that will catch up: their register synced before the day.
    let mut catching_up = Vec::new();
    for _ in 0..args.catch_up_runs {
        let dir = tempfile::tempdir()?;
        let (workstation, _) = Workstation::open(&dir.path().join("emhana.sqlite")).await?;
        workstation.import_clinics(&clinics).await?;
        let (_, code) = emhana_registry::auth::add_workstation(&pool, &bin, "catch-up", now).await?;
        let enrolment = emhana_sync::enrol(&base, &code).await?;
        workstation.save_enrolment(&base, &enrolment, now).await?;
        let engine = SyncEngine::new(
            workstation.clone(),
            HttpTransport::new(&base, &enrolment.credential)?,
            Arc::new(Utc::now),
            SyncSettings::default(),
        );
        let first = engine.sync_once(|_| {}).await?;
        println!(
            "catch-up workstation synced its register: {} persons",
            first.pulled
        );
        catching_up.push((dir, engine));
    }

    // Per workstation: its creations, then its changes (what it sends in the day's order).
    let mut outboxes: Vec<(Vec<OpBody>, Vec<OpBody>)> = vec![(Vec::new(), Vec::new()); args.workstations];
    for (index, person) in persons.iter().take(args.bookings).enumerate() {
        // one doctor's 15-minute slots, 40 a day, the days after one another
        let doctor = &doctors[index % doctors.len()];
        let slot = index / doctors.len();
        let starts_at =
            day + TimeDelta::days((slot / 40) as i64) + TimeDelta::minutes(15 * (slot % 40) as i64);
        let id = Uuid::now_v7();
        let window = index % args.workstations;
        let booking = BookingRecord {
            id,
            clinic_bin: bin.clone(),
            year: 2026,
            number: u32::try_from((window + 1) * 1_000_000 + index + 1)?,
            person: person.clone(),
            staff_iin: doctor.clone(),
            starts_at,
            ends_at: starts_at + TimeDelta::minutes(15),
            room: Some("101".into()),
            reason: VisitReason::AcuteOrExacerbation,
            channel: BookingChannel::InPerson,
            status: BookingStatus::Booked,
            moved_from: None,
            registrar_iin: None,
            made_at,
            history: vec![event(BookingStatus::Booked)],
        };
        let slot_key = SlotKey {
            clinic_bin: bin.clone(),
            staff_iin: doctor.clone(),
            starts_at,
        };
        let iin = person.iin.as_string();
        outboxes[window].0.push(OpBody::Book(BookOp {
            slot: slot_key.clone(),
            iin: iin.clone(),
            booking: Some(Box::new(booking)),
        }));
        // the change comes from another window, as at a real reception
        let other = (window + 1) % args.workstations;
        let change = match index % 10 {
            0 | 1 => OpBody::CancelBooking(CancelBookingOp {
                slot: slot_key,
                iin,
                change: Some(BookingChange {
                    booking: id,
                    event: event(BookingStatus::Cancelled),
                }),
            }),
            2 => OpBody::ChangeBooking(ChangeBookingOp {
                clinic_bin: bin.clone(),
                person_iin: iin,
                change: BookingChange {
                    booking: id,
                    event: event(BookingStatus::NoShow),
                },
            }),
            _ => OpBody::ChangeBooking(ChangeBookingOp {
                clinic_bin: bin.clone(),
                person_iin: iin,
                change: BookingChange {
                    booking: id,
                    event: event(BookingStatus::Arrived),
                },
            }),
        };
        outboxes[other].1.push(change);
    }
    for (index, person) in persons.iter().take(args.calls).enumerate() {
        let window = index % args.workstations;
        let nurse = nurses[index % nurses.len()].clone();
        let call = CallRecord {
            id: Uuid::now_v7(),
            clinic_bin: bin.clone(),
            year: 2026,
            number: u32::try_from((window + 1) * 1_000_000 + index + 1)?,
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
            rules_valid_from: NaiveDate::from_ymd_opt(2015, 4, 28).context("date")?,
            goes: Responder::Nurse,
            acceptance: CallAcceptance::Taken,
            planned_on: emhana_domain::kazakhstan_date(day),
            assigned_staff_iin: Some(nurse.clone()),
            doctor_level: false,
            status: CallStatus::Registered,
            outcome: None,
            registrar_iin: None,
        };
        let change = OpBody::ChangeCall(ChangeCallOp {
            call: call.id,
            clinic_bin: bin.clone(),
            person_iin: person.iin.as_string(),
            change: CallChange::Status {
                status: CallStatus::Served,
                outcome: CallOutcome {
                    at: made_at,
                    staff_iin: Some(nurse),
                    note: None,
                },
                handed_to: None,
            },
        });
        outboxes[window].0.push(OpBody::RegisterCall(Box::new(call)));
        outboxes[(window + 1) % args.workstations].1.push(change);
    }

    // The nurses' visit outcomes, each from a window of its own, on the plans opened before.
    let kazakhstan_at = emhana_domain::kazakhstan_time(made_at);
    for index in 0..args.outcomes.min(plans.len() * args.visits_per_plan) {
        let plan = &plans[index % plans.len()];
        let visit = plan.visits[index / plans.len()].clone();
        let event = VisitEvent {
            id: Uuid::now_v7(),
            at: kazakhstan_at,
            outcome: VisitOutcome::Done,
            moved_to: None,
            staff_iin: Some(nurses[index % nurses.len()].clone()),
            note: None,
            prior: VisitPrior {
                outcome: None,
                closed: false,
                due_from: visit.visit.due_from,
                due_to: visit.visit.due_to,
            },
            undone: None,
        };
        outboxes[index % args.workstations]
            .1
            .push(OpBody::ChangePlan(Box::new(ChangePlanOp {
                plan: plan.id,
                clinic_bin: bin.clone(),
                person_iin: plan.person.iin.as_string(),
                change: PlanChange::Outcome {
                    visit,
                    event,
                    base: None,
                },
            })));
    }
    let plans_changed = args.outcomes.min(plans.len());

    // Every window enrolled; creations pushed by all at once, then the changes.
    let mut windows = Vec::new();
    for _ in 0..args.workstations {
        let (_, code) = emhana_registry::auth::add_workstation(&pool, &bin, "window", now).await?;
        let enrolment = emhana_sync::enrol(&base, &code).await?;
        windows.push((
            enrolment.workstation,
            HttpTransport::new(&base, &enrolment.credential)?,
        ));
    }
    let windows = Arc::new(windows);
    let mut latencies = Vec::new();
    let mut ops_total = 0usize;
    let started = Instant::now();
    for phase in 0..2 {
        let mut tasks = tokio::task::JoinSet::new();
        for (index, outbox) in outboxes.iter().enumerate() {
            let bodies = if phase == 0 {
                outbox.0.clone()
            } else {
                outbox.1.clone()
            };
            ops_total += bodies.len();
            let windows = windows.clone();
            let batch = args.batch;
            let interval = (args.rate > 0.0)
                .then(|| Duration::from_secs_f64((batch * args.workstations) as f64 / args.rate));
            // each workstation starts at its own offset within the interval
            let offset = interval.map(|every| every.mul_f64(index as f64 / args.workstations as f64));
            tasks.spawn(async move {
                let (workstation, transport) = &windows[index];
                let mut hlc = None;
                let mut seen = Vec::new();
                let start = tokio::time::Instant::now() + offset.unwrap_or_default();
                for (push, chunk) in bodies.chunks(batch).enumerate() {
                    let due = interval.map(|every| start + every.mul_f64(push as f64));
                    if let Some(due) = due {
                        tokio::time::sleep_until(due).await;
                    }
                    let ops: Vec<Op> = chunk
                        .iter()
                        .map(|body| {
                            let stamp = Hlc::next(hlc, made_at.timestamp_millis());
                            hlc = Some(stamp);
                            Op {
                                id: Uuid::now_v7(),
                                workstation: *workstation,
                                actor_iin: None,
                                made_at,
                                hlc: stamp,
                                body: body.clone(),
                            }
                        })
                        .collect();
                    let request = PushRequest {
                        ops: ops.iter().map(serde_json::to_value).collect::<Result<_, _>>()?,
                    };
                    let pushed = due.unwrap_or_else(tokio::time::Instant::now);
                    let answer = transport.push(&request).await?;
                    seen.push(pushed.elapsed());
                    for result in &answer.results {
                        ensure!(result.outcome == OpOutcome::Applied, "{:?}", result.outcome);
                    }
                }
                anyhow::Ok(seen)
            });
        }
        while let Some(done) = tasks.join_next().await {
            latencies.extend(done??);
        }
    }
    let elapsed = started.elapsed();
    println!(
        "{ops_total} ops from {} workstations in {:.1} s = {:.0} ops/s",
        args.workstations,
        elapsed.as_secs_f64(),
        ops_total as f64 / elapsed.as_secs_f64()
    );
    summary(&format!("push of {} ops", args.batch), latencies);

    // A workstation of the clinic catches up on the day.
    let mut catch_ups = Vec::new();
    for (_dir, engine) in &catching_up {
        let started = Instant::now();
        let report = engine.sync_once(|_| {}).await?;
        catch_ups.push(started.elapsed());
        // a plan changed many times is read once, as it stands
        let expected = args.bookings + args.calls + plans_changed;
        ensure!(
            report.pulled as usize == expected,
            "pulled {} changes, not {expected}",
            report.pulled,
        );
    }
    summary(
        &format!(
            "catch-up on {} bookings, {} calls and {} visit outcomes ({plans_changed} plans)",
            args.bookings, args.calls, args.outcomes
        ),
        catch_ups,
    );
    Ok(())
}
