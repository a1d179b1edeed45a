//! Builds a clinic's snapshot beside the registry (docs/sync.md
//! "Snapshots"), nightly from cron or a timer: a workstation of the clinic,
//! kept in its own database, syncs as any other (the first night reads the
//! whole feed, later nights only what changed) and exports its database
//! into the registry's snapshots folder.
//!
//! ```text
//! emhana-registry add-workstation --clinic <BIN> --name "snapshot builder"   # once
//! EMHANA_REGISTRY_URL=https://registry.example EMHANA_CODE=ABCD-EFGH-JKMN \
//!   emhana-snapshot <builder.sqlite> <snapshots folder>
//! ```
//! The first run enrols with `EMHANA_CODE` and keeps the credential in
//! `<builder.sqlite>.credential` (readable by its owner only); later runs
//! read it from there.

use std::path::PathBuf;
use std::sync::Arc;

use emhana_sync::{HttpTransport, SyncEngine, SyncSettings};
use emhana_workstation::Workstation;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: emhana-snapshot <builder.sqlite> <snapshots folder>";
    let database = PathBuf::from(args.next().ok_or(usage)?);
    let out = PathBuf::from(args.next().ok_or(usage)?);
    let (workstation, _) = Workstation::open(&database).await?;
    let credential_file = database.with_extension("credential");
    let (registry, credential) = match workstation.enrolment().await? {
        Some(enrolment) => (
            enrolment.registry_url,
            std::fs::read_to_string(&credential_file)
                .map_err(|error| format!("{}: {error}", credential_file.display()))?
                .trim()
                .to_owned(),
        ),
        None => {
            let registry =
                std::env::var("EMHANA_REGISTRY_URL").map_err(|_| "EMHANA_REGISTRY_URL is not set")?;
            let code = std::env::var("EMHANA_CODE").map_err(|_| "EMHANA_CODE is not set (first run)")?;
            let enrolment = emhana_sync::enrol(&registry, &code).await?;
            write_secret(&credential_file, &enrolment.credential)?;
            workstation
                .save_enrolment(&registry, &enrolment, chrono::Utc::now())
                .await?;
            (registry, enrolment.credential)
        }
    };
    let engine = SyncEngine::new(
        workstation,
        HttpTransport::new(&registry, &credential)?,
        Arc::new(chrono::Utc::now),
        SyncSettings::default(),
    );
    let info = emhana_sync::snapshot::build(&engine, &out, chrono::Utc::now()).await?;
    println!(
        "snapshot of {}: {} persons, {} bytes, cursor {}, sha256 {}",
        info.clinic_bin, info.persons, info.size, info.cursor, info.sha256
    );
    Ok(())
}

fn write_secret(path: &std::path::Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(secret.as_bytes())
}
