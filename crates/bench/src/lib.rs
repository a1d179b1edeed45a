//! Emhana's bench binaries and the statistics they report (medians, p99 over
//! many runs, as `docs/benchmarks.md` records them). Their own crate, so the
//! desktop app never compiles what they need: a registry served for them,
//! PostgreSQL, argument parsing.

pub mod stats;

/// The key of a bench database, kept in `path` (made there when absent).
/// Only for synthetic data: the app keeps its key in the OS keyring.
pub fn key_from_file(path: &std::path::Path) -> anyhow::Result<emhana_workstation::DatabaseKey> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(emhana_workstation::DatabaseKey::from_hex(&text)?),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let key = emhana_workstation::DatabaseKey::generate()?;
            std::fs::write(path, key.to_hex())?;
            Ok(key)
        }
        Err(error) => Err(error.into()),
    }
}
