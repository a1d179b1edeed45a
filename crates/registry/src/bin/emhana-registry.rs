//! The central registry server and its administration commands.
//!
//! ```text
//! emhana-registry serve [--config registry.toml]
//! emhana-registry add-workstation --clinic <BIN> --name "Registry desk 1"
//! emhana-registry bundle-key --out <key file> [--replace]
//! emhana-registry import-bundle <ops file> --answers <answers file> --bundle-key <key file>
//! emhana-registry set-campaign --year 2027 --first-day 2027-09-15 --last-day 2027-11-15
//! emhana-registry set-calendar --year 2027 --file calendar-2027.json
//! emhana-registry set-rules --kind triage --file triage-2027.json
//! emhana-registry set-clinic --bin <BIN> --kind polyclinic --name-kk "…" --name-ru "…" --region Астана …
//! emhana-registry set-district --clinic <BIN> --number 3 --kind therapeutic [--list-norm 1700]
//! emhana-registry import-staff staff.csv
//! emhana-registry import-coverage coverage.csv
//! emhana-registry show-organization --clinic <BIN>
//! emhana-registry set-minimum-wage --year 2027 --tenge 90000 --source "Закон о республиканском бюджете …"
//! emhana-registry import-payments payments.csv
//! emhana-registry import-state-paid state-paid.csv
//! emhana-registry import-policies policies.csv
//! ```
//! The organization's commands and file formats: docs/organization.md.
//! Settings come from the file, then from `EMHANA_REGISTRY_*` variables.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use emhana_registry::config::LogFormat;
use emhana_registry::{AppState, Config};

#[derive(Debug, Parser)]
#[command(about = "Emhana's central registry")]
struct Cli {
    /// The configuration file (TOML); environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Applies the schema and serves the API until interrupted.
    Serve,
    /// Adds a workstation to a clinic and prints its one-time enrolment code.
    AddWorkstation {
        #[arg(long)]
        clinic: String,
        #[arg(long)]
        name: String,
    },
    /// Sets a year's attachment campaign, as that year's order says; the
    /// workstations get it with their next sync.
    SetCampaign {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        first_day: chrono::NaiveDate,
        #[arg(long)]
        last_day: chrono::NaiveDate,
        /// Free choices of clinic a person may make in the year.
        #[arg(long, default_value_t = 1)]
        free_choice_limit: u32,
        /// When an attachment won in the campaign starts: decision_day or next_january_first.
        #[arg(long, default_value = "decision_day")]
        takes_effect: String,
    },
    /// Sets a year's working-day calendar: the days in a JSON file (a list of
    /// `{"date": "2027-03-20", "kind": "working_day", "works_as": "Mon",
    /// "name": "..."}`, kinds holiday, day_off, working_day), or without a file
    /// the days the Law on holidays fixes for the year.
    SetCalendar {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Keeps an order's home-call triage table (`--kind triage`, the JSON of
    /// domain::home_call::TriageRules) or care-plan schedules (`--kind
    /// care_plan`, domain::care_plan::PlanRules), in force from the table's
    /// `valid_from`; without a file, seed 000's table of that kind.
    SetRules {
        #[arg(long)]
        kind: String,
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Adds a clinic or a post (with `--parent`), or changes its profile.
    SetClinic {
        #[arg(long)]
        bin: String,
        /// polyclinic, gp_practice, rural_outpatient_clinic, feldsher_post, medical_point
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name_kk: String,
        #[arg(long)]
        name_ru: String,
        /// The region (oblast or city of republican significance); a post's is its parent's.
        #[arg(long)]
        region: String,
        /// The clinic that runs this post.
        #[arg(long)]
        parent: Option<String>,
        #[arg(long, default_value = "")]
        settlement: String,
        #[arg(long, default_value = "")]
        address: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        hours: String,
    },
    /// Adds a district to a clinic or changes its kind or list norm.
    SetDistrict {
        #[arg(long)]
        clinic: String,
        #[arg(long)]
        number: u32,
        /// therapeutic, pediatric, general_practice
        #[arg(long)]
        kind: String,
        /// Persons per district doctor, when it differs from the clinic's norm for the kind.
        #[arg(long)]
        list_norm: Option<u32>,
    },
    /// Adds or replaces the staff a CSV file lists (docs/organization.md);
    /// nothing is written when a line is wrong.
    ImportStaff { file: PathBuf },
    /// Replaces the coverage of the districts a CSV file names (docs/organization.md);
    /// nothing is written when a line is wrong.
    ImportCoverage { file: PathBuf },
    /// Sets the password of a member of a clinic's staff (the first
    /// administrator's at a new installation, or a forgotten one), read from
    /// the first line of standard input so that it is never in the process
    /// list or the shell's history. Its PCs take it with their next sync.
    SetPassword {
        #[arg(long)]
        clinic: String,
        #[arg(long)]
        iin: String,
    },
    /// Disables a member of staff's account (or, with `--enable`, enables it
    /// again): refused at every PC of the clinic from its next sync.
    DisableAccount {
        #[arg(long)]
        clinic: String,
        #[arg(long)]
        iin: String,
        #[arg(long)]
        enable: bool,
    },
    /// Prints a clinic's organization as its workstations receive it (JSON).
    ShowOrganization {
        #[arg(long)]
        clinic: String,
    },
    /// Makes the registry's bundle key pair: the public half is kept in the
    /// registry and given to each PC as it enrols; the private half is
    /// written to `--out` (readable by its owner only) and to nowhere else.
    BundleKey {
        #[arg(long)]
        out: PathBuf,
        /// Replaces a key pair made before (PCs enrolled with the old one
        /// must be enrolled again to exchange bundles).
        #[arg(long)]
        replace: bool,
    },
    /// Lists a clinic's workstations with their last contact, the last to
    /// have reached the registry first.
    ListWorkstations {
        #[arg(long)]
        clinic: String,
    },
    /// Revokes a workstation (lost, stolen, retired): its credential is
    /// refused from now on.
    RevokeWorkstation {
        #[arg(long)]
        id: uuid::Uuid,
    },
    /// Rotates a workstation's credential: the old one is refused at once,
    /// and the code printed enrols the same workstation again (its ops stay its own).
    RotateWorkstation {
        #[arg(long)]
        id: uuid::Uuid,
    },
    /// Lists the workstations whose audit log no longer leads through the
    /// head the registry held (rewritten, cut, or restored from an old
    /// copy), newest first.
    AuditAlarms {
        /// Only this clinic's workstations.
        #[arg(long)]
        clinic: Option<String>,
    },
    /// Sets a financial year's minimum monthly wage, in tenge, as the law on
    /// the republican budget sets it (OSMS arrears are 5 % of it a month);
    /// the workstations get it with their next sync.
    SetMinimumWage {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        tenge: i64,
        /// The law that sets it.
        #[arg(long)]
        source: String,
    },
    /// Loads a Fund's file of payments (docs/osms.md); nothing is written
    /// when a line is wrong, and a file loaded again adds nothing.
    ImportPayments { file: PathBuf },
    /// Loads a Fund's file of the persons the state pays for (docs/osms.md);
    /// nothing is written when a line is wrong.
    ImportStatePaid { file: PathBuf },
    /// Loads a file of digital insurance policies (docs/osms.md): a policy
    /// issued, changed or annulled by its number; nothing is written when a
    /// line is wrong.
    ImportPolicies { file: PathBuf },
    /// Applies an offline bundle a post brought (its ops file) and writes the
    /// answers file to carry back.
    ImportBundle {
        /// The ops file from the post.
        file: PathBuf,
        /// Where to write the answers file.
        #[arg(long)]
        answers: PathBuf,
        /// The registry's bundle key file (made by `bundle-key`).
        #[arg(long)]
        bundle_key: PathBuf,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref(), |key| std::env::var(key).ok())?;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
    let limits = emhana_registry::serve::Limits::default();
    let options: sqlx::postgres::PgConnectOptions =
        config.database_url.parse().context("the database URL")?;
    // Serving, every connection is bounded; the administrator's commands
    // (a region's bulk load, an import) may run longer statements.
    let options = match cli.command {
        Command::Serve => limits.bound(options),
        _ => options,
    };
    let pool = emhana_registry::connect_with(options, config.database_pool_size)
        .await
        .context("connecting to PostgreSQL")?;
    match cli.command {
        Command::Serve => {
            if let Some(problem) = config.serving_problem() {
                anyhow::bail!(problem);
            }
            // Read before listening: a bad certificate stops the start, with the file named.
            let tls = config
                .tls
                .as_ref()
                .map(emhana_registry::tls::server_config)
                .transpose()?;
            let state = AppState {
                pool,
                clock: Arc::new(chrono::Utc::now),
                snapshots: config.snapshots_dir.clone(),
            };
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("listening on {}", config.listen))?;
            // the op log's retention, applied at start and every hour
            let retention = state.pool.clone();
            tokio::spawn(async move {
                let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
                loop {
                    hourly.tick().await;
                    if let Err(error) =
                        emhana_registry::push::forget_old_ops(&retention, chrono::Utc::now()).await
                    {
                        tracing::warn!(%error, "applying the op log's retention failed; tried again in an hour");
                    }
                }
            });
            let app = emhana_registry::router(state, limits.request_timeout);
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            match &tls {
                Some(_) => tracing::info!(address = %listener.local_addr()?, "registry serving over TLS"),
                None => tracing::warn!(
                    address = %listener.local_addr()?,
                    "registry serving plain HTTP: for development only, configure [tls] in production"
                ),
            }
            emhana_registry::serve::serve(listener, app, tls, &limits, shutdown).await?;
        }
        Command::SetRules { kind, file } => {
            let read =
                |file: &PathBuf| std::fs::read(file).with_context(|| format!("reading {}", file.display()));
            match kind.as_str() {
                "triage" => {
                    let rules = match &file {
                        Some(file) => serde_json::from_slice(&read(file)?)
                            .with_context(|| format!("{} is not a triage table", file.display()))?,
                        None => emhana_domain::home_call::TriageRules::seed_default(),
                    };
                    emhana_registry::reference::set_triage_rules(&pool, &rules).await?;
                    println!(
                        "triage table of {} from {}; workstations get it with their next sync",
                        rules.source, rules.valid_from
                    );
                }
                "care_plan" => {
                    let rules = match &file {
                        Some(file) => serde_json::from_slice(&read(file)?)
                            .with_context(|| format!("{} is not a care-plan table", file.display()))?,
                        None => emhana_domain::care_plan::PlanRules::seed_default(),
                    };
                    emhana_registry::reference::set_plan_rules(&pool, &rules).await?;
                    println!(
                        "care-plan schedules of {} from {}; workstations get them with their next sync",
                        rules.source, rules.valid_from
                    );
                }
                other => anyhow::bail!("--kind {other}: triage or care_plan"),
            }
        }
        Command::SetCalendar { year, file } => {
            let days: Vec<emhana_domain::calendar::CalendarDay> = match &file {
                Some(file) => serde_json::from_slice(
                    &std::fs::read(file).with_context(|| format!("reading {}", file.display()))?,
                )
                .with_context(|| format!("{} is not a list of calendar days", file.display()))?,
                None => emhana_domain::calendar::WorkCalendar::law_defaults(year),
            };
            emhana_registry::reference::set_calendar_year(&pool, year, &days).await?;
            println!(
                "calendar {year}: {} days; workstations get it with their next sync",
                days.len()
            );
        }
        Command::SetCampaign {
            year,
            first_day,
            last_day,
            free_choice_limit,
            takes_effect,
        } => {
            let takes_effect =
                emhana_domain::attachment::CampaignEffect::parse(&takes_effect).with_context(|| {
                    format!("--takes-effect {takes_effect}: decision_day or next_january_first")
                })?;
            let campaign = emhana_domain::attachment::Campaign {
                year,
                first_day,
                last_day,
                free_choice_limit,
                takes_effect,
            };
            emhana_registry::reference::set_campaign(&pool, &campaign).await?;
            println!(
                "campaign {year}: {first_day} – {last_day}, {free_choice_limit} free choice(s); workstations get it with their next sync"
            );
        }
        Command::BundleKey { out, replace } => {
            if out.exists() && !replace {
                anyhow::bail!(
                    "{} exists: a key file is never overwritten without --replace",
                    out.display()
                );
            }
            let secret = emhana_registry::bundle::make_key(&pool, replace, chrono::Utc::now()).await?;
            write_private(&out, secret.to_hex().as_bytes())
                .with_context(|| format!("writing {}", out.display()))?;
            println!(
                "the registry's bundle key pair is made; its private half is in {} only: keep it safe, give it to import-bundle",
                out.display()
            );
        }
        Command::ListWorkstations { clinic } => {
            let listed = emhana_registry::auth::workstations(&pool, &clinic).await?;
            let when = |at: Option<chrono::DateTime<chrono::Utc>>| {
                at.map_or_else(
                    || "never".to_owned(),
                    |at| at.format("%Y-%m-%d %H:%M UTC").to_string(),
                )
            };
            for pc in listed {
                let state = match (pc.revoked_at, pc.enrolled_at, pc.code_waiting) {
                    (Some(at), ..) => format!("revoked {}", when(Some(at))),
                    (None, _, true) => "enrolment code waiting".to_owned(),
                    (None, Some(_), false) => "enrolled".to_owned(),
                    (None, None, false) => "never enrolled".to_owned(),
                };
                println!(
                    "{} \"{}\": {state}; last contact {}",
                    pc.id,
                    pc.name,
                    when(pc.last_contact_at)
                );
            }
        }
        Command::RevokeWorkstation { id } => {
            emhana_registry::auth::revoke(&pool, id, chrono::Utc::now())
                .await
                .with_context(|| format!("no workstation {id} that is not revoked already"))?;
            println!("workstation {id} revoked: its credential is refused from now on");
        }
        Command::RotateWorkstation { id } => {
            let code = emhana_registry::auth::rotate(&pool, id, chrono::Utc::now())
                .await
                .with_context(|| format!("no workstation {id}"))?;
            println!("workstation {id}: its old credential is refused from now on");
            println!(
                "enrolment code {code} (valid {} days, once): enrol the same PC with it",
                emhana_registry::auth::CODE_LIFETIME_DAYS
            );
        }
        Command::AuditAlarms { clinic } => {
            let alarms = emhana_registry::audit::alarms(&pool, clinic.as_deref()).await?;
            if alarms.is_empty() {
                println!("no audit alarms");
            }
            for alarm in alarms {
                let what = if alarm.held_row_changed {
                    "changed"
                } else {
                    "missing"
                };
                println!(
                    "{} workstation {} \"{}\" of clinic {}: row {} held here is {what} in its log (its head was row {})",
                    alarm.detected_at.format("%Y-%m-%d %H:%M UTC"),
                    alarm.workstation,
                    alarm.workstation_name,
                    alarm.clinic_bin,
                    alarm.held_seq,
                    alarm.head_seq,
                );
            }
        }
        Command::ImportBundle {
            file,
            answers,
            bundle_key,
        } => {
            let secret = std::fs::read_to_string(&bundle_key)
                .with_context(|| format!("reading {}", bundle_key.display()))
                .and_then(|text| {
                    emhana_protocol::bundle::BundleSecret::from_hex(&text)
                        .with_context(|| format!("{} is not a bundle key file", bundle_key.display()))
                })?;
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let (sealed, report) =
                emhana_registry::bundle::import(&pool, &secret, &bytes, chrono::Utc::now())
                    .await
                    .with_context(|| format!("importing {}", file.display()))?;
            // Written whole or not at all: a half-written answers file is worse than none.
            let partial = answers.with_extension("partial");
            std::fs::write(&partial, &sealed).with_context(|| format!("writing {}", partial.display()))?;
            std::fs::rename(&partial, &answers).with_context(|| format!("writing {}", answers.display()))?;
            println!(
                "workstation {} of clinic {}: {} ops applied, {} rejected; {} feed changes{}",
                report.workstation,
                report.clinic_bin,
                report.applied,
                report.rejected,
                report.changes,
                if report.feed_complete {
                    ""
                } else {
                    " (more to come with the next bundle)"
                }
            );
            println!("answers written to {}", answers.display());
        }
        Command::SetClinic {
            bin,
            kind,
            name_kk,
            name_ru,
            region,
            parent,
            settlement,
            address,
            phone,
            hours,
        } => {
            let bin = emhana_domain::Bin::parse(&bin).with_context(|| format!("--bin {bin}"))?;
            let parent_bin = parent
                .map(|p| emhana_domain::Bin::parse(&p).with_context(|| format!("--parent {p}")))
                .transpose()?;
            let profile = emhana_domain::organization::ClinicProfile {
                bin,
                name_kk,
                name_ru,
                kind: emhana_domain::ClinicKind::parse(&kind).with_context(|| {
                    format!("--kind {kind}: polyclinic, gp_practice, rural_outpatient_clinic, feldsher_post or medical_point")
                })?,
                region,
                parent_bin,
                settlement,
                address,
                phone,
                hours,
            };
            emhana_registry::organization::set_clinic(&pool, &profile).await?;
            println!("clinic {bin} set; its workstations get it with their next sync");
        }
        Command::SetPassword { clinic, iin } => {
            let bin = emhana_domain::Bin::parse(&clinic).with_context(|| format!("--clinic {clinic}"))?;
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']);
            emhana_registry::organization::set_password(&pool, &bin, &iin, password, chrono::Utc::now())
                .await?;
            println!("password of {iin} at {bin} set; its PCs take it with their next sync");
        }
        Command::DisableAccount { clinic, iin, enable } => {
            let bin = emhana_domain::Bin::parse(&clinic).with_context(|| format!("--clinic {clinic}"))?;
            emhana_registry::organization::set_disabled(&pool, &bin, &iin, !enable, chrono::Utc::now())
                .await?;
            let state = if enable { "enabled" } else { "disabled" };
            println!("account of {iin} at {bin} {state}; its PCs know with their next sync");
        }
        Command::SetDistrict {
            clinic,
            number,
            kind,
            list_norm,
        } => {
            let bin = emhana_domain::Bin::parse(&clinic).with_context(|| format!("--clinic {clinic}"))?;
            let kind = emhana_domain::DistrictKind::parse(&kind)
                .with_context(|| format!("--kind {kind}: therapeutic, pediatric or general_practice"))?;
            emhana_registry::organization::set_district(&pool, &bin, number, kind, list_norm).await?;
            println!("district {number} of {bin} set");
        }
        Command::SetMinimumWage { year, tenge, source } => {
            emhana_registry::osms::set_minimum_wage(&pool, year, tenge, &source, chrono::Utc::now()).await?;
            println!("the minimum monthly wage of {year} is {tenge} tenge ({source})");
        }
        Command::ImportPayments { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = emhana_registry::osms::import_payments(&pool, &bytes, chrono::Utc::now())
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!(
                "{} payment lines read: {} new, {} refunds added",
                report.lines, report.added, report.updated
            );
        }
        Command::ImportStatePaid { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = emhana_registry::osms::import_state_paid(&pool, &bytes, chrono::Utc::now())
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!(
                "{} state-paid lines read: {} new, {} changed",
                report.lines, report.added, report.updated
            );
        }
        Command::ImportPolicies { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = emhana_registry::osms::import_policies(&pool, &bytes, chrono::Utc::now())
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!(
                "{} policy lines read: {} new, {} changed",
                report.lines, report.added, report.updated
            );
        }
        Command::ImportStaff { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = emhana_registry::organization::import_staff(&pool, &bytes)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!(
                "{} staff lines imported for {} clinic(s)",
                report.lines, report.clinics
            );
        }
        Command::ImportCoverage { file } => {
            let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = emhana_registry::organization::import_coverage(&pool, &bytes)
                .await
                .with_context(|| format!("importing {}", file.display()))?;
            println!(
                "{} coverage lines imported for {} clinic(s)",
                report.lines, report.clinics
            );
        }
        Command::ShowOrganization { clinic } => {
            let id: i64 = sqlx::query_scalar("SELECT id FROM clinic WHERE bin = $1")
                .bind(&clinic)
                .fetch_optional(&pool)
                .await?
                .with_context(|| format!("no clinic with BIN {clinic}"))?;
            let mut conn = pool.acquire().await?;
            let organization = emhana_registry::organization::organization(&mut conn, id).await?;
            println!("{}", serde_json::to_string_pretty(&organization)?);
        }
        Command::AddWorkstation { clinic, name } => {
            let (id, code) =
                emhana_registry::auth::add_workstation(&pool, &clinic, &name, chrono::Utc::now()).await?;
            println!("workstation {id}");
            println!(
                "enrolment code {code} (valid {} days, once)",
                emhana_registry::auth::CODE_LIFETIME_DAYS
            );
        }
    }
    Ok(())
}

/// Writes a file only its owner can read (on Unix; elsewhere as the folder allows).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
