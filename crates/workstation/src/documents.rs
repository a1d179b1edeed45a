//! Printed documents on disk. A ticket, a refusal, a slip or a round's
//! schedule is written to the documents folder when it is printed (the
//! viewer opens it from there) and removed once it is older than the PC's
//! setting — a day unless set — since each can be printed again from the
//! database, where it is encrypted. Offline bundle files stay: they are
//! encrypted themselves, and a post's ops until they are carried.

use std::path::Path;
use std::time::{Duration, SystemTime};

use emhana_domain::access::Action;

use crate::{StoreError, Workstation, store};

/// How long a printed document is kept, unless the PC's setting says otherwise.
pub const DEFAULT_DOCUMENTS_KEPT_HOURS: u32 = 24;
/// The hours a PC may keep its printed documents: an hour to a month.
pub const DOCUMENTS_KEPT_HOURS: std::ops::RangeInclusive<u32> = 1..=720;

/// Files of the documents folder that are never removed by age.
const KEPT_EXTENSIONS: &[&str] = &["emhana"];

/// Removes from `dir` the documents last written more than `kept` before
/// `now` (and partial files a crash left); how many went. A folder not
/// there yet holds nothing to remove.
pub fn remove_old_documents(dir: &Path, kept: Duration, now: SystemTime) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let path = entry.path();
        let metadata = entry.metadata()?;
        if !metadata.is_file() {
            continue;
        }
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
        if KEPT_EXTENSIONS.contains(&extension) {
            continue;
        }
        let age = now.duration_since(metadata.modified()?).unwrap_or(Duration::ZERO);
        if age > kept {
            match std::fs::remove_file(&path) {
                Ok(()) => removed += 1,
                // removed meanwhile (another window of the app): not ours to report
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => return Err(error),
            }
        }
    }
    Ok(removed)
}

impl Workstation {
    /// Hours this PC keeps a printed document on disk.
    pub async fn documents_kept_hours(&self) -> Result<u32, StoreError> {
        store::documents_kept_hours(&self.pool).await
    }

    /// Sets how long this PC keeps printed documents (the head's to set).
    pub async fn set_documents_kept_hours(&self, hours: u32) -> Result<(), StoreError> {
        self.require(Action::EditSettings).await?;
        if !DOCUMENTS_KEPT_HOURS.contains(&hours) {
            return Err(StoreError::InvalidReferenceData {
                detail: format!("documents kept {hours} h"),
            });
        }
        store::set_documents_kept_hours(&self.pool, hours).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_older_than_kept_go_and_bundles_stay() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let now = SystemTime::now();
        let day = Duration::from_secs(24 * 3600);
        let write = |name: &str, age: Duration| -> std::io::Result<()> {
            let path = dir.path().join(name);
            std::fs::write(&path, b"%PDF-1.7")?;
            std::fs::File::options()
                .write(true)
                .open(&path)?
                .set_modified(now - age)
        };
        write("ticket-2026-1-17.pdf", day * 2)?;
        write(".slip-2026-1-4.pdf.partial", day * 3)?;
        write("slip-2026-1-5.pdf", Duration::from_secs(3600))?;
        write("emhana-ops-20261120-101500.emhana", day * 10)?;
        assert_eq!(remove_old_documents(dir.path(), day, now)?, 2);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())?
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, ["emhana-ops-20261120-101500.emhana", "slip-2026-1-5.pdf"]);
        assert_eq!(remove_old_documents(&dir.path().join("none"), day, now)?, 0);
        Ok(())
    }
}
