//! Syncs a workstation database once with its registry and exits: for an
//! administrator bringing a post's database up to date from a clinic machine,
//! and for tests that kill a sync mid-way.
//!
//! ```text
//! EMHANA_CREDENTIAL=<workstation credential> emhana-sync-once <emhana.sqlite> [page size]
//! ```
//! The database must be enrolled; the credential is read from the
//! environment (the app keeps it in the OS keyring).

use std::path::PathBuf;
use std::sync::Arc;

use emhana_sync::{HttpTransport, SyncEngine, SyncSettings};
use emhana_workstation::Workstation;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .ok_or("usage: emhana-sync-once <emhana.sqlite> [page size]")?,
    );
    let page = args.next().map(|n| n.parse()).transpose()?.unwrap_or(2000);
    let credential = std::env::var("EMHANA_CREDENTIAL").map_err(|_| "EMHANA_CREDENTIAL is not set")?;
    let (workstation, _) = Workstation::open(&path).await?;
    let enrolment = workstation
        .enrolment()
        .await?
        .ok_or("the database is not enrolled with a registry")?;
    let engine = SyncEngine::new(
        workstation,
        HttpTransport::new(&enrolment.registry_url, &credential)?,
        Arc::new(chrono::Utc::now),
        SyncSettings {
            pull_page: page,
            // small pages, small groups: a test kills it between commits
            first_sync_group: usize::try_from(page).unwrap_or(usize::MAX).saturating_mul(4),
            ..SyncSettings::default()
        },
    );
    let report = engine.sync_once(|_| {}).await?;
    println!(
        "pushed {} (confirmed {}, rejected {}), pulled {} in {} pages",
        report.pushed, report.confirmed, report.rejected, report.pulled, report.pages
    );
    Ok(())
}
