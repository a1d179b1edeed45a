//! Attachment benchmark: one registrar action end to end — the application
//! checked, decided and written with its consent, attachment and audit event
//! in one transaction (`Workstation::apply_for_attachment`, as the app calls
//! it) — and the ticket PDF: its facts loaded and laid out (`emhana_print`).
//! Prints p50, p99 and max over many actions.
//!
//! `cargo run --release -p emhana-bench --bin emhana-bench-attach -- --persons 100000`

use emhana_bench::stats::percentile;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{NaiveDate, TimeZone, Utc};
use clap::Parser;
use emhana_domain::StaffRole;
use emhana_domain::attachment::{AttachmentGround, Channel, Decision};
use emhana_domain::registration::DocumentKind;
use emhana_synth::{SynthConfig, load_into};
use emhana_workstation::{ApplicationForm, ConsentForm, Workstation};

#[derive(Parser, Debug)]
struct Args {
    #[arg(long, default_value_t = 100_000)]
    persons: usize,
    /// Applications to time (persons attached elsewhere or nowhere).
    #[arg(long, default_value_t = 2_000)]
    applications: usize,
    /// Tickets to render.
    #[arg(long, default_value_t = 1_000)]
    tickets: usize,
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    if times.is_empty() {
        println!("| {what} | 0 | — | — | — |");
        return;
    }
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| {what} | {} | {} | {} | {} |",
        times.len(),
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("emhana-bench-attach-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let (workstation, _) = Workstation::open(&dir.join("bench.sqlite")).await?;
    let as_of = NaiveDate::from_ymd_opt(2026, 10, 1).context("date")?;
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
    // 1 October 2026, 10:30 in Kazakhstan: inside the campaign.
    let in_campaign = Utc
        .with_ymd_and_hms(2026, 10, 1, 5, 30, 0)
        .single()
        .context("instant")?;

    // Persons this clinic can take, living on its districts: attached to the
    // neighbour practice, or nowhere.
    let candidates: Vec<(i64, bool)> = {
        use sqlx::{ConnectOptions, sqlite::SqliteConnectOptions};
        let mut conn = SqliteConnectOptions::new()
            .filename(workstation.path())
            .read_only(true)
            .connect()
            .await?;
        sqlx::query_as(
            "SELECT p.id, a.id IS NOT NULL FROM person p \
             LEFT JOIN attachment a ON a.person_id = p.id AND a.ended_on IS NULL \
             LEFT JOIN clinic c ON c.id = a.clinic_id \
             WHERE (a.id IS NULL OR c.is_home = 0) AND EXISTS (SELECT 1 FROM district_coverage dc \
               JOIN district d ON d.id = dc.district_id JOIN clinic h ON h.id = d.clinic_id AND h.is_home = 1 \
               WHERE dc.settlement = p.settlement AND dc.street = p.street \
               AND CAST(p.house AS INTEGER) BETWEEN dc.house_from AND dc.house_to) \
             ORDER BY p.id LIMIT ?1",
        )
        .bind(args.applications as i64)
        .fetch_all(&mut conn)
        .await?
    };
    anyhow::ensure!(!candidates.is_empty(), "persons to attach");
    // the window's registrar, signed in as at the clinic
    let workstation = emhana_synth::sign_in_as(&workstation, StaffRole::Registrar, in_campaign).await?;
    println!(
        "{} persons, {} applications, {} tickets",
        args.persons,
        candidates.len(),
        args.tickets
    );

    let mut attach_times = Vec::new();
    let mut applications = Vec::new();
    for (person_id, elsewhere) in &candidates {
        let form = ApplicationForm {
            person_id: *person_id,
            channel: Channel::InPerson,
            ground: if *elsewhere {
                AttachmentGround::FreeChoice
            } else {
                AttachmentGround::FirstAttachment
            },
            district_id: None,
            document_kind: Some(DocumentKind::IdCard),
            document_number: "041234567".into(),
            consent: ConsentForm {
                given: Some(true),
                ..ConsentForm::default()
            },
            new_residence: None,
        };
        let started = Instant::now();
        let outcome = workstation
            .apply_for_attachment(&form, in_campaign)
            .await
            .map_err(|e| anyhow::anyhow!("person {person_id}: {e:?}"))?;
        attach_times.push(started.elapsed());
        anyhow::ensure!(
            matches!(outcome.decision, Decision::Attach { .. }),
            "person {person_id}: {:?}",
            outcome.decision
        );
        applications.push(outcome.application_id);
    }

    let printer = emhana_print::Printer::new()?;
    let mut load_times = Vec::new();
    let mut render_times = Vec::new();
    let mut bytes = 0;
    for application_id in applications.iter().cycle().take(args.tickets) {
        let started = Instant::now();
        let document = workstation.application_document(*application_id).await?;
        load_times.push(started.elapsed());
        let started = Instant::now();
        let pdf = printer.application(&document)?;
        render_times.push(started.elapsed());
        bytes = pdf.len();
    }
    println!("| action | n | p50 | p99 | max |");
    println!("|---|---|---|---|---|");
    report("attach: check, decide, write (one transaction)", attach_times);
    report("ticket: load its facts", load_times);
    report("ticket: lay out the PDF", render_times);
    println!("ticket PDF size: {bytes} bytes");
    workstation.close().await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
