//! Care plans and rounds benchmark, in a real SQLite file: `--districts`
//! districts of 2,000 attached persons each, of whom 150 children under 3
//! and 300 adults under observation.
//!
//! - plan generation for one district: the pure `care_plan::expand` of its
//!   450 events, and `Workstation::open_plans` (checked, expanded, written in
//!   one transaction), once per district;
//! - a day's round of `--round` visits: `Workstation::round` (due visits of
//!   the district, ordered into a route, times) plus the printed schedule
//!   (`round_schedule` and `Printer::round_schedule`), many times;
//! - observation planned ahead: `Workstation::plan_ahead` a month later for
//!   the whole clinic (once), then with nothing left to plan (many times).
//!
//! `cargo run --release -p emhana-bench --bin emhana-bench-plans -- --districts 30`

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use clap::Parser;
use emhana_bench::stats::percentile;
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::care_plan::{
    BasisDocument, Condition, EnrolmentBasis, PlanEvent, PlanRules, RiskLevel, expand,
};
use emhana_domain::round::RoundPace;
use emhana_domain::{Address, Bin, Citizenship, DistrictKind, Iin, Person, Sex, StaffRole};
use emhana_workstation::{
    AttachmentRecord, CoverageRecord, DistrictRecord, HouseholdRecord, PlanRequest, StaffRecord, Workstation,
};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 30)]
    districts: u32,
    /// Stops of the measured round.
    #[arg(long, default_value_t = 30)]
    round: usize,
    #[arg(long, default_value_t = 300)]
    runs: usize,
}

const PERSONS: u32 = 2_000;
const CHILDREN: u32 = 150;
const OBSERVED: u32 = 300;

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

/// Person `index` of district `district`: children first, then adults.
fn person(district: u32, index: u32, today: NaiveDate) -> anyhow::Result<Person> {
    let birth = if index < CHILDREN {
        today - TimeDelta::days(i64::from(20 + (index * 7) % 1000))
    } else {
        today - TimeDelta::days(i64::from(365 * 40 + (index * 13 + district) % 12_000))
    };
    let sex = if index.is_multiple_of(2) {
        Sex::Female
    } else {
        Sex::Male
    };
    // districts start their serials apart, so no two persons share an IIN
    let offset = u16::try_from(district * 97 % 5_000)?;
    let iin = (offset..offset + 90)
        .find_map(|serial| Iin::compose(birth, sex, serial))
        .context("an IIN")?;
    Ok(Person {
        iin,
        surname: format!("Науқас{district}"),
        first_name: format!("Аты{index}"),
        patronymic: None,
        birth_date: birth,
        sex,
        citizenship: Citizenship::Citizen,
        address: Some(Address {
            settlement: "Астана".into(),
            street: format!("Көше {}", index % 40),
            house: format!("{}", 1 + index % 60),
            apartment: Some(format!("{}", 1 + index % 90)),
        }),
        phone: None,
    })
}

fn request(index: u32, person: &Person, today: NaiveDate) -> Option<PlanRequest> {
    if index < CHILDREN {
        return Some(PlanRequest::Newborn {
            discharged: person.birth_date + TimeDelta::days(3),
            risk: index.is_multiple_of(10),
        });
    }
    if index < CHILDREN + OBSERVED {
        let condition = [
            Condition::ArterialHypertension,
            Condition::Diabetes2,
            Condition::ChronicHeartFailure,
        ][(index % 3) as usize];
        let risk = if index.is_multiple_of(4) {
            RiskLevel::High
        } else {
            RiskLevel::Medium
        };
        return Some(PlanRequest::Observation {
            condition,
            risk,
            enrolled: today - TimeDelta::days(i64::from(10 + index % 300)),
            basis: EnrolmentBasis {
                document: BasisDocument::DistrictDoctorConclusion,
                dated: today - TimeDelta::days(i64::from(10 + index % 300)),
            },
        });
    }
    None
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (workstation, _) = Workstation::open(&dir.path().join("plans.sqlite")).await?;
    let today = NaiveDate::from_ymd_opt(2026, 11, 24).context("date")?;
    let now = Utc
        .with_ymd_and_hms(2026, 11, 24, 4, 0, 0)
        .single()
        .context("instant")?;
    let bin = Bin::complete([0, 4, 0, 3, 4, 0, 0, 0, 0, 1, 0]).context("bin")?;
    let staff_birth = NaiveDate::from_ymd_opt(1980, 4, 4).context("date")?;
    let mut staff = Vec::new();
    let mut districts = Vec::new();
    for number in 1..=args.districts {
        districts.push(DistrictRecord {
            number,
            kind: DistrictKind::Therapeutic,
            coverage: vec![CoverageRecord {
                settlement: "Астана".into(),
                street: format!("Көше {number}"),
                house_from: 1,
                house_to: 100,
            }],
        });
        for (role, offset) in [(StaffRole::DistrictNurse, 0u32), (StaffRole::DistrictDoctor, 1)] {
            let serial = u16::try_from(number * 10 + offset * 5)?;
            staff.push(StaffRecord {
                iin: (serial..serial + 5)
                    .find_map(|s| Iin::compose(staff_birth, Sex::Female, s))
                    .context("an IIN")?,
                surname: format!("Қызметкер{number}"),
                first_name: "Айгүл".into(),
                patronymic: None,
                role,
                specialty: None,
                district_number: Some(number),
                phone: None,
            });
        }
    }
    workstation
        .import_clinics(&[emhana_synth::bench_clinic(bin, districts, staff)])
        .await?;
    let started = Instant::now();
    let mut by_district: Vec<Vec<Person>> = Vec::new();
    for district in 1..=args.districts {
        let members: Vec<Person> = (0..PERSONS)
            .map(|i| person(district, i, today))
            .collect::<Result<_, _>>()?;
        let attachment = AttachmentRecord {
            clinic_bin: bin,
            district_number: district,
            ground: AttachmentGround::FirstAttachment,
            decided_on: NaiveDate::from_ymd_opt(2020, 1, 1).context("date")?,
        };
        let households: Vec<HouseholdRecord> = members
            .iter()
            .map(|member| HouseholdRecord {
                address: member.address.clone().unwrap_or_else(|| Address {
                    settlement: String::new(),
                    street: String::new(),
                    house: String::new(),
                    apartment: None,
                }),
                members: vec![member.clone()],
                attachments: vec![Some(attachment.clone())],
            })
            .collect();
        workstation.import_households(&households).await?;
        by_district.push(members);
    }
    println!(
        "clinic: {} districts × {PERSONS} persons ({CHILDREN} children under 3, {OBSERVED} observed each), loaded in {:.1} s",
        args.districts,
        started.elapsed().as_secs_f64()
    );

    // The pure expansion of one district's 450 events.
    let rules = PlanRules::seed_default();
    let events: Vec<PlanEvent> = by_district[0]
        .iter()
        .enumerate()
        .filter_map(|(i, person)| {
            request(u32::try_from(i).ok()?, person, today).map(|request| request.event(person.birth_date))
        })
        .collect();
    let mut samples = Vec::with_capacity(args.runs);
    let mut visits = 0;
    for _ in 0..args.runs {
        let started = Instant::now();
        visits = 0;
        for event in &events {
            visits += expand(event, &rules, today)?.len();
        }
        samples.push(started.elapsed());
    }
    println!("one district: {} plans, {visits} visits", events.len());
    report("care_plan::expand, one district's 450 events", samples);

    // Through the store: one district per run.
    let mut samples = Vec::with_capacity(by_district.len());
    for members in &by_district {
        let iins: Vec<String> = members.iter().map(|p| p.iin.as_string()).collect();
        let ids = workstation.person_ids(&iins).await?;
        let requests: Vec<(i64, PlanRequest)> = members
            .iter()
            .enumerate()
            .filter_map(|(i, person)| {
                let request = request(u32::try_from(i).ok()?, person, today)?;
                Some((*ids.get(&person.iin.as_string())?, request))
            })
            .collect();
        let started = Instant::now();
        let opened = workstation.open_plans(&requests, None, now).await?;
        samples.push(started.elapsed());
        anyhow::ensure!(opened == requests.len(), "every plan opened");
    }
    report(
        "Workstation::open_plans, one district (450 plans, one transaction)",
        samples,
    );

    // A day's round: close the past so that about `round` visits are due.
    workstation
        .record_past_visits_done(today - TimeDelta::days(1))
        .await?;
    let nurses = workstation.nurses().await?;
    // a day that holds the measured round: 08:00–20:00, 10 minutes a visit and 5 between
    // (the default afternoon fits 7 stops; the day is planned within her hours)
    let pace = RoundPace {
        starts: chrono::NaiveTime::from_hms_opt(8, 0, 0).context("time")?,
        ends: chrono::NaiveTime::from_hms_opt(20, 0, 0).context("time")?,
        visit_minutes: 10,
        travel_minutes: 5,
    };
    let mut nurse = None;
    for candidate in &nurses {
        let stops = workstation.round(candidate.id, today, pace).await?.stops.len();
        if stops >= args.round {
            nurse = Some((candidate.id, stops));
            break;
        }
    }
    let (nurse, stops) = nurse.context("a nurse with a full day")?;
    let printer = emhana_print::Printer::new()?;
    let mut samples = Vec::with_capacity(args.runs);
    let mut bytes = 0;
    for _ in 0..args.runs {
        let started = Instant::now();
        let round = workstation.round(nurse, today, pace).await?;
        let schedule = workstation.round_schedule(nurse, today, pace).await?;
        bytes = printer.round_schedule(&schedule)?.len();
        samples.push(started.elapsed());
        anyhow::ensure!(round.stops.len() == stops, "the same round each run");
    }
    println!("round: {stops} stops, schedule PDF {bytes} bytes");
    report(
        "round ordered + schedule printed (round, round_schedule, PDF)",
        samples,
    );

    // Observation goes on: a month later every open observation plan is
    // planned ahead once, in one transaction; every later call that day reads
    // one index and writes nothing.
    let month_later = today + TimeDelta::days(31);
    let started = Instant::now();
    let planned = workstation.plan_ahead(month_later).await?;
    let once = started.elapsed();
    println!(
        "plan_ahead a month later, the whole clinic: {planned} visits in {:.1} ms",
        once.as_secs_f64() * 1e3
    );
    let mut samples = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let started = Instant::now();
        let planned = workstation.plan_ahead(month_later).await?;
        samples.push(started.elapsed());
        anyhow::ensure!(planned == 0, "planned once");
    }
    report(
        "plan_ahead with nothing to plan (each round's first call)",
        samples,
    );
    workstation.close().await;
    Ok(())
}
