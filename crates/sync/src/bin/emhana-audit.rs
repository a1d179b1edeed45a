//! Checks a workstation database's audit log: walks its hash chain and names
//! the first broken link (a row changed, removed or moved), for the clinic's
//! administrator or an inspector with the file in hand.
//!
//! ```text
//! emhana-audit <emhana.sqlite>
//! ```
//! Exit status 0: the chain holds; 1: it is broken (the row is named); 2: the
//! file could not be read. A log rewritten whole, every hash made again,
//! still holds here: the registry's copy of its head is what shows that
//! (docs/sync.md, "Audit").

use std::path::PathBuf;
use std::process::ExitCode;

use emhana_workstation::{LinkProblem, Workstation};

#[tokio::main]
async fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: emhana-audit <emhana.sqlite>");
        return ExitCode::from(2);
    };
    let check = async {
        let (workstation, _) = Workstation::open(&path)
            .await
            .map_err(|error| error.to_string())?;
        workstation
            .verify_audit()
            .await
            .map_err(|error| error.to_string())
    };
    let check = match check.await {
        Ok(check) => check,
        Err(error) => {
            eprintln!("{}: {error}", path.display());
            return ExitCode::from(2);
        }
    };
    match (&check.broken, &check.head) {
        (Some(link), _) => {
            let what = match link.problem {
                LinkProblem::Changed => {
                    "its content or hash is not what was written (changed, or moved here)"
                }
                LinkProblem::Missing => "rows are missing before it (removed), or it is numbered out of turn",
                LinkProblem::Unchained => "it has no hash, after the chain began",
            };
            println!(
                "broken at row {}: {what}; {} rows hold before it",
                link.seq, check.rows
            );
            ExitCode::from(1)
        }
        (None, Some((seq, hash))) => {
            println!(
                "the chain holds: {} rows (and {} from before the log was chained); head row {seq}, {hash}",
                check.rows, check.unchained
            );
            ExitCode::SUCCESS
        }
        (None, None) => {
            println!(
                "no chained rows yet ({} from before the log was chained)",
                check.unchained
            );
            ExitCode::SUCCESS
        }
    }
}
