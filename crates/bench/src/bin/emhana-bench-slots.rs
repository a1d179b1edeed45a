//! Appointment slots benchmark: a clinic of `--doctors` doctors on the demo's
//! alternating weeks, in a real SQLite file.
//!
//! - slot generation for every doctor over `--days` days: the pure domain
//!   function alone, and `Workstation::clinic_slots` (schedules and calendar
//!   read from the file, then generated);
//! - "next free slots" (8, as the booking form asks) for one doctor through
//!   `Workstation::free_slots`, with that doctor's first `--full-days` days
//!   fully booked (the search has to walk past them) and for an empty doctor.
//!
//! `cargo run --release -p emhana-bench --bin emhana-bench-slots -- --doctors 60 --days 28`

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use clap::Parser;
use emhana_bench::stats::percentile;
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::booking::{BookingChannel, VisitReason};
use emhana_domain::calendar::WorkCalendar;
use emhana_domain::schedule::StaffSchedule;
use emhana_domain::{Address, Bin, Citizenship, DistrictKind, Iin, Person, Sex, StaffRole};
use emhana_synth::doctor_week;
use emhana_workstation::{
    AttachmentRecord, BookingForm, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord, Workstation,
};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 60)]
    doctors: usize,
    /// Days of slots generated per run (4 weeks).
    #[arg(long, default_value_t = 28)]
    days: i64,
    /// Days booked full for the "next free" doctor.
    #[arg(long, default_value_t = 14)]
    full_days: i64,
    #[arg(long, default_value_t = 500)]
    runs: usize,
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3
    );
}

fn iin(birth: NaiveDate, sex: Sex, from: u16) -> anyhow::Result<Iin> {
    (from..from.saturating_add(1_000))
        .find_map(|serial| Iin::compose(birth, sex, serial))
        .context("an IIN")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = tempfile::tempdir()?;
    let (workstation, _) = Workstation::open(&dir.path().join("slots.sqlite")).await?;
    // Monday 23 November 2026, 08:00 in Astana.
    let now = Utc
        .with_ymd_and_hms(2026, 11, 23, 3, 0, 0)
        .single()
        .context("instant")?;
    let first_day = NaiveDate::from_ymd_opt(2026, 11, 23).context("date")?;
    let last_day = first_day + TimeDelta::days(args.days - 1);

    let bin = Bin::complete([0, 4, 0, 3, 4, 0, 0, 0, 0, 1, 0]).context("bin")?;
    let doctor_birth = NaiveDate::from_ymd_opt(1975, 5, 5).context("date")?;
    let mut staff = Vec::new();
    let mut districts = Vec::new();
    for index in 0..args.doctors {
        let number = u32::try_from(index + 1)?;
        districts.push(DistrictRecord {
            number,
            kind: DistrictKind::Therapeutic,
            coverage: vec![CoverageRecord {
                settlement: "Астана".into(),
                street: "Абай даңғылы".into(),
                house_from: number,
                house_to: number,
            }],
        });
        staff.push(StaffRecord {
            iin: iin(doctor_birth, Sex::Female, u16::try_from(index * 20)?)?,
            surname: format!("Дәрігер{index}"),
            first_name: "Айгүл".into(),
            patronymic: None,
            role: StaffRole::DistrictDoctor,
            specialty: Some("therapist".into()),
            district_number: Some(number),
            phone: None,
        });
    }
    workstation
        .import_clinics(&[emhana_synth::bench_clinic(bin, districts, staff)])
        .await?;
    let doctors = workstation.doctors().await?;
    for (index, doctor) in doctors.iter().enumerate() {
        // the clinic's weeks as it stands, loaded (as the demo's are), not changes made here
        workstation
            .load_schedule_template(
                doctor.id,
                &doctor_week(index, NaiveDate::from_ymd_opt(2026, 1, 1).context("date")?),
                now,
            )
            .await?;
    }
    // Persons on district 1, enough for one booking each per day.
    let person_birth = NaiveDate::from_ymd_opt(1980, 1, 1).context("date")?;
    let address = Address {
        settlement: "Астана".into(),
        street: "Абай даңғылы".into(),
        house: "1".into(),
        apartment: None,
    };
    let mut members = Vec::new();
    for index in 0..40u16 {
        members.push(Person {
            iin: iin(person_birth, Sex::Male, index * 20)?,
            surname: format!("Науқас{index}"),
            first_name: "Ерлан".into(),
            patronymic: None,
            birth_date: person_birth,
            sex: Sex::Male,
            citizenship: Citizenship::Citizen,
            address: Some(address.clone()),
            phone: None,
        });
    }
    let attachment = AttachmentRecord {
        clinic_bin: bin,
        district_number: 1,
        ground: AttachmentGround::FirstAttachment,
        decided_on: NaiveDate::from_ymd_opt(2020, 1, 1).context("date")?,
    };
    workstation
        .import_households(&[HouseholdRecord {
            address,
            attachments: vec![Some(attachment); members.len()],
            members,
        }])
        .await?;
    let persons: Vec<i64> = workstation
        .search("Науқас", 40)
        .await?
        .hits
        .iter()
        .map(|hit| hit.id)
        .collect();
    let busy = doctors.first().context("a doctor")?.id;
    let idle = doctors.get(2).context("a third doctor")?.id;

    // Book the busy doctor's first `full_days` days full.
    let slots = workstation
        .clinic_slots(first_day, first_day + TimeDelta::days(args.full_days - 1))
        .await?;
    let mut booked = 0;
    // booked by a doctor of the clinic, signed in (the bench clinic has no registrar)
    emhana_synth::load_demo_accounts(&workstation).await?;
    let desk = emhana_synth::sign_in_as(&workstation, StaffRole::DistrictDoctor, now).await?;
    for slot in slots.get(&busy).context("the busy doctor's slots")? {
        let day_index = (slot.starts.date() - first_day).num_days();
        let taken_today = booked % 40;
        let person = persons[(taken_today + usize::try_from(day_index)? * 3) % persons.len()];
        desk.book(
            &BookingForm {
                person_id: person,
                staff_id: busy,
                starts_at: slot.starts,
                reason: VisitReason::AcuteOrExacerbation,
                channel: BookingChannel::Phone,
            },
            now,
        )
        .await
        .with_context(|| format!("booking {}", slot.starts))?;
        booked += 1;
    }
    println!(
        "clinic: {} doctors; busy doctor booked full for {} days ({booked} bookings)",
        doctors.len(),
        args.full_days
    );

    // The pure generation: schedules and calendar in memory.
    let schedules: Vec<StaffSchedule> = (0..args.doctors)
        .map(|index| StaffSchedule {
            templates: vec![doctor_week(
                index,
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(first_day),
            )],
            exceptions: vec![],
        })
        .collect();
    let calendar = WorkCalendar::new(
        WorkCalendar::law_defaults(2026)
            .into_iter()
            .chain(WorkCalendar::law_defaults(2027)),
    );
    let mut samples = Vec::with_capacity(args.runs);
    let mut total = 0;
    for _ in 0..args.runs {
        let started = Instant::now();
        total = schedules
            .iter()
            .map(|s| s.slots_between(&calendar, first_day, last_day).len())
            .sum::<usize>();
        samples.push(started.elapsed());
    }
    println!("slots generated per run: {total}");
    report(
        &format!(
            "domain slot generation, {} doctors × {} days",
            args.doctors, args.days
        ),
        samples,
    );

    let mut samples = Vec::with_capacity(args.runs);
    for _ in 0..args.runs {
        let started = Instant::now();
        let slots = workstation.clinic_slots(first_day, last_day).await?;
        samples.push(started.elapsed());
        anyhow::ensure!(
            slots.values().map(Vec::len).sum::<usize>() == total,
            "the store makes other slots"
        );
    }
    report(
        &format!(
            "Workstation::clinic_slots (SQLite read + generate), {} doctors × {} days",
            args.doctors, args.days
        ),
        samples,
    );

    for (name, doctor) in [("booked-full doctor", busy), ("empty doctor", idle)] {
        let mut samples = Vec::with_capacity(args.runs * 4);
        for _ in 0..args.runs * 4 {
            let started = Instant::now();
            let free = workstation.free_slots(doctor, None, 8, now).await?;
            samples.push(started.elapsed());
            anyhow::ensure!(free.len() == 8, "8 free slots");
        }
        report(&format!("Workstation::free_slots (8), {name}"), samples);
    }
    workstation.close().await;
    Ok(())
}
