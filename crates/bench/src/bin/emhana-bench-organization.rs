//! A region's organization imported from CSV at the registry: 20 polyclinics,
//! 2,000 staff and 50,000 address ranges (issue 18 asks under 10 s). Each run
//! imports the staff file and the coverage file as `emhana-registry
//! import-staff` / `import-coverage` do — every line checked, the clinics
//! locked, coverage conflicts searched, then written — the first into empty
//! tables, the others over what the first wrote. Runs beside a throwaway
//! PostgreSQL:
//!
//! ```sh
//! EMHANA_PG_DURABLE=1 scripts/throwaway-postgres.sh \
//!   cargo run --release -p emhana-bench --bin emhana-bench-organization -- --runs 10
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;
use emhana_bench::stats::summary;
use emhana_domain::organization::ClinicProfile;
use emhana_domain::{Bin, ClinicKind, DistrictKind, Iin, Sex};
use emhana_registry::organization::{import_coverage, import_staff, set_clinic, set_district};

#[derive(Debug, Parser)]
struct Args {
    #[arg(long, default_value_t = 20)]
    clinics: usize,
    /// Staff per clinic.
    #[arg(long, default_value_t = 100)]
    staff: usize,
    /// Address ranges per clinic.
    #[arg(long, default_value_t = 2_500)]
    ranges: usize,
    /// Imports of both files after the first.
    #[arg(long, default_value_t = 10)]
    runs: usize,
}

const THERAPEUTIC: u32 = 30;
const PEDIATRIC: u32 = 20;

fn bin(n: usize) -> Result<Bin> {
    let digits: Vec<u8> = format!("0704400{:03}", n).bytes().map(|b| b - b'0').collect();
    for last in 0..10 {
        let mut eleven = [0u8; 11];
        eleven[..10].copy_from_slice(&digits[..10]);
        eleven[10] = last;
        if let Some(bin) = Bin::complete(eleven) {
            return Ok(bin);
        }
    }
    anyhow::bail!("no BIN for {n}")
}

fn iin(n: usize) -> Result<Iin> {
    let birth =
        chrono::NaiveDate::from_ymd_opt(1960 + (n % 40) as i32, 1 + (n % 12) as u32, 1 + (n % 28) as u32)
            .context("date")?;
    ((n / 1000 * 10) as u16..)
        .find_map(|serial| {
            Iin::compose(
                birth,
                if n.is_multiple_of(2) {
                    Sex::Female
                } else {
                    Sex::Male
                },
                serial,
            )
        })
        .context("an IIN")
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let (pool, _) = emhana_registry::testing::fresh_database("bench_organization", 8).await?;
    let bins: Vec<Bin> = (0..args.clinics).map(bin).collect::<Result<_>>()?;
    for (index, bin) in bins.iter().enumerate() {
        set_clinic(
            &pool,
            &ClinicProfile {
                bin: *bin,
                name_kk: format!("№ {} қалалық емхана", index + 1),
                name_ru: format!("Городская поликлиника № {}", index + 1),
                kind: ClinicKind::Polyclinic,
                region: "Астана".into(),
                parent_bin: None,
                settlement: "Астана".into(),
                address: "Астана".into(),
                phone: String::new(),
                hours: String::new(),
            },
        )
        .await?;
        for number in 1..=THERAPEUTIC + PEDIATRIC {
            let kind = if number <= THERAPEUTIC {
                DistrictKind::Therapeutic
            } else {
                DistrictKind::Pediatric
            };
            set_district(&pool, bin, number, kind, None).await?;
        }
    }

    // a doctor per district, nurses on two districts each, the rest registrars
    let mut staff = String::from("clinic_bin,iin,surname,first_name,roles,specialty,districts,room\n");
    let mut person = 0;
    for bin in &bins {
        for k in 0..args.staff {
            person += 1;
            let district = 1 + (k as u32 % (THERAPEUTIC + PEDIATRIC));
            let (roles, specialty, districts) = match k {
                k if k < (THERAPEUTIC + PEDIATRIC) as usize => (
                    "district_doctor",
                    if district <= THERAPEUTIC {
                        "therapist"
                    } else {
                        "pediatrician"
                    },
                    district.to_string(),
                ),
                k if k < 90 => ("district_nurse", "", format!("{district} {}", 1 + district % 50)),
                _ => ("registrar", "", String::new()),
            };
            writeln!(
                staff,
                "{bin},{},Сотрудник{person},Әсел,{roles},{specialty},{districts},{}",
                iin(person)?,
                100 + k
            )?;
        }
    }
    // each clinic's streets in 20-house segments: a therapeutic district per
    // segment, and for two in five of them a pediatric one too
    let mut coverage = String::from("clinic_bin,district,settlement,street,house_from,house_to,parity\n");
    for (c, bin) in bins.iter().enumerate() {
        let therapeutic = args.ranges * 3 / 5;
        for i in 0..therapeutic {
            let (street, segment) = (i / 10, i % 10);
            let (from, to) = (segment * 20 + 1, segment * 20 + 20);
            let district = 1 + (i as u32 % THERAPEUTIC);
            writeln!(
                coverage,
                "{bin},{district},Астана,Көше {c}-{street},{from},{to},all"
            )?;
        }
        for i in 0..args.ranges - therapeutic {
            let (street, segment) = (i / 10, i % 10);
            let (from, to) = (segment * 20 + 1, segment * 20 + 20);
            let district = THERAPEUTIC + 1 + (i as u32 % PEDIATRIC);
            let parity = if i % 2 == 0 { "even" } else { "odd" };
            writeln!(
                coverage,
                "{bin},{district},Астана,Көше {c}-{street},{from},{to},{parity}"
            )?;
        }
    }
    println!(
        "{} clinics, {} staff lines ({} KB), {} coverage lines ({} KB)",
        args.clinics,
        args.clinics * args.staff,
        staff.len() / 1024,
        args.clinics * args.ranges,
        coverage.len() / 1024
    );

    let mut staff_times = Vec::new();
    let mut coverage_times = Vec::new();
    let mut both = Vec::new();
    for run in 0..=args.runs {
        let started = Instant::now();
        let report = import_staff(&pool, staff.as_bytes()).await?;
        let staff_took = started.elapsed();
        let report_coverage = import_coverage(&pool, coverage.as_bytes()).await?;
        let took = started.elapsed();
        anyhow::ensure!(
            report.lines == args.clinics * args.staff,
            "staff lines {}",
            report.lines
        );
        anyhow::ensure!(
            report_coverage.lines == args.clinics * args.ranges,
            "coverage lines {}",
            report_coverage.lines
        );
        if run == 0 {
            println!(
                "first import (empty tables): staff {:.2} s, coverage {:.2} s, both {:.2} s",
                staff_took.as_secs_f64(),
                (took - staff_took).as_secs_f64(),
                took.as_secs_f64()
            );
        } else {
            staff_times.push(staff_took);
            coverage_times.push(took - staff_took);
            both.push(took);
        }
    }
    let ranges: i64 = sqlx::query_scalar("SELECT count(*) FROM district_coverage")
        .fetch_one(&pool)
        .await?;
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM staff")
        .fetch_one(&pool)
        .await?;
    anyhow::ensure!(
        ranges as usize == args.clinics * args.ranges,
        "{ranges} ranges kept"
    );
    anyhow::ensure!(
        members as usize == args.clinics * args.staff,
        "{members} staff kept"
    );
    println!("re-imports over the same ({} runs):", args.runs);
    summary("  staff", staff_times);
    summary("  coverage", coverage_times);
    summary("  both", both);
    Ok(())
}
