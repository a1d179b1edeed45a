//! The workstation's sync engine.
//!
//! One round ([`SyncEngine::sync_once`]) pushes the outbox in batches, records
//! each answer, then pulls the clinic's change feed page by page, each page
//! applied with its cursor in one transaction, so a round interrupted anywhere
//! resumes where it stopped. [`run`] repeats rounds in the background: every
//! [`SyncSettings::interval`], at once on "sync now", and after a failure with
//! exponential backoff and full jitter (many posts coming back online after an
//! outage must not hit the registry in step).
//!
//! The transport and the clock are passed in, so the engine runs in tests
//! against a real registry through a transport that loses messages.

pub mod bundle;
pub mod lookup;
pub mod osms;
pub mod snapshot;
mod transport;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use emhana_protocol::{PullQuery, PullResponse, PushRequest};
use emhana_workstation::{StoreError, Workstation};
use rand::{Rng, SeedableRng};
use serde::Serialize;
use tokio::sync::{Notify, watch};

pub use transport::{HttpTransport, Transport, TransportError, enrol};

/// The engine's notion of now (the app's clock, fixed in tests).
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the registry answered {answers} results for {ops} ops")]
    AnswerMismatch { ops: usize, answers: usize },
    #[error(transparent)]
    Bundle(#[from] emhana_protocol::bundle::BundleError),
}

impl SyncError {
    /// Every code [`code`](SyncError::code) gives, for the catalogs' test.
    pub const CODES: &'static [&'static str] = &[
        "offline",
        "credential_refused",
        "refused",
        "server",
        "store",
        "answer_mismatch",
        "bundle",
        "insecure_address",
    ];

    /// The catalog code the UI shows for it (`sync.error.<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            SyncError::Transport(TransportError::Offline(_) | TransportError::Unreachable(_)) => "offline",
            SyncError::Transport(TransportError::Refused { status: 401, .. }) => "credential_refused",
            SyncError::Transport(TransportError::Refused { .. }) => "refused",
            SyncError::Transport(TransportError::Server { .. }) => "server",
            SyncError::Transport(TransportError::InsecureAddress(_)) => "insecure_address",
            SyncError::Store(_) => "store",
            SyncError::AnswerMismatch { .. } => "answer_mismatch",
            SyncError::Bundle(_) => "bundle",
        }
    }

    pub fn is_temporary(&self) -> bool {
        match self {
            SyncError::Transport(error) => error.is_temporary(),
            SyncError::Store(_) | SyncError::AnswerMismatch { .. } | SyncError::Bundle(_) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncSettings {
    /// Ops per push.
    pub push_batch: usize,
    /// Changes per pull page.
    pub pull_page: u32,
    /// During the first sync, changes applied per transaction (several pages).
    pub first_sync_group: usize,
    /// Time between rounds while all is well.
    pub interval: Duration,
    /// The first wait after a failure, doubled per failure up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings {
            push_batch: 200,
            pull_page: 2000,
            first_sync_group: 20_000,
            interval: Duration::from_secs(30),
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// Where a round is, for the progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum Progress {
    /// A first sync downloading the clinic's snapshot.
    Downloading {
        received: u64,
        total: u64,
    },
    Pushing {
        sent: usize,
    },
    Pulling {
        /// Changes applied this round.
        applied: u64,
        /// Changes the registry says are left, when it said.
        remaining: Option<u64>,
        /// Estimated seconds left, from this round's pace.
        seconds_left: Option<u64>,
    },
}

/// What one round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RoundReport {
    pub pushed: usize,
    pub confirmed: usize,
    pub rejected: usize,
    pub pulled: u64,
    pub pages: usize,
    /// The registry's reference data differed from what was here.
    pub reference_changed: bool,
    /// The clinic's organization (districts, coverage, staff) was taken anew.
    pub organization_changed: bool,
    /// The persons a clinic's snapshot brought, when this round installed one.
    pub snapshot_persons: Option<u64>,
    /// The feed was not read to its end: changes were held back by
    /// transactions still running at the registry (see docs/sync.md). The
    /// loop comes back in [`HELD_BACK_RETRY`], not after the whole interval.
    pub held_back: bool,
    /// Whether the registry found this PC's audit log leading through the
    /// head it held (`None`: the log had no chained row to report).
    pub audit_matches: Option<bool>,
}

/// How soon the loop pulls again when the registry held changes back.
pub const HELD_BACK_RETRY: Duration = Duration::from_secs(2);

pub struct SyncEngine<T> {
    store: Workstation,
    transport: T,
    clock: Clock,
    settings: SyncSettings,
}

impl<T: std::fmt::Debug> std::fmt::Debug for SyncEngine<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncEngine")
            .field("store", &self.store)
            .field("transport", &self.transport)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> SyncEngine<T> {
    pub fn new(store: Workstation, transport: T, clock: Clock, settings: SyncSettings) -> Self {
        SyncEngine {
            store,
            transport,
            clock,
            settings,
        }
    }

    pub fn store(&self) -> &Workstation {
        &self.store
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// One round: push everything pending, then pull until the feed is read.
    pub async fn sync_once(&self, progress: impl Fn(Progress) + Sync) -> Result<RoundReport, SyncError> {
        let mut report = RoundReport::default();
        // a PC with nothing of its own starts from the clinic's snapshot, when there is one
        if self.store.wants_snapshot().await? {
            report.snapshot_persons = self.install_snapshot(&progress).await?;
        }
        // first: the feed's persons name districts, and a new PC has none yet
        self.take_organization(&mut report).await?;
        // A push the registry refuses or fails on (4xx, 5xx) does not stop
        // the feed: the clinic's changes still come in, and the push's error
        // ends the round after them. A link that is down stops here.
        let pushed = self.push_all(&mut report, &progress).await;
        if let Err(
            error @ SyncError::Transport(TransportError::Unreachable(_) | TransportError::Offline(_)),
        ) = pushed
        {
            return Err(error);
        }
        self.pull_all(&mut report, &progress).await?;
        pushed?;
        // Small, and read each round: a new year's order reaches every workstation.
        let reference = self.transport.reference().await?;
        report.reference_changed = self.store.apply_reference(&reference).await?;
        // an organization change this round pushed shows at once, not a round later
        if report.confirmed > 0 {
            self.take_organization(&mut report).await?;
        }
        // last: the log's head after this round's own rows
        if let Some(audit) = self.store.audit_report().await? {
            let answer = self.transport.audit_head(&audit).await?;
            self.store.record_audit_answer(&answer, (self.clock)()).await?;
            report.audit_matches = Some(answer.matches);
        }
        Ok(report)
    }

    /// Downloads the clinic's snapshot (resuming a download a broken link
    /// stopped), checks it and installs it; the persons it brought, or none
    /// when there is no snapshot to take (none offered, too old, of another
    /// schema: the feed is read from its start instead). A file that fails
    /// its check is thrown away and downloaded once again.
    async fn install_snapshot(
        &self,
        progress: &(impl Fn(Progress) + Sync),
    ) -> Result<Option<u64>, SyncError> {
        let Some(info) = self.transport.snapshot_info().await? else {
            return Ok(None);
        };
        let now = (self.clock)();
        if now - info.built_at > chrono::Duration::days(emhana_protocol::SNAPSHOT_MAX_AGE_DAYS) {
            tracing::info!(built_at = %info.built_at, "the clinic's snapshot is too old: the feed is read instead");
            return Ok(None);
        }
        let (partial, described) = snapshot::partial_paths(self.store.path());
        let io = |error: std::io::Error| {
            SyncError::Store(StoreError::Corrupt {
                detail: format!("{}: {error}", partial.display()),
            })
        };
        // a partial file of another snapshot is of no use
        let held: Option<emhana_protocol::SnapshotInfo> = std::fs::read(&described)
            .ok()
            .and_then(|text| serde_json::from_slice(&text).ok());
        if held.as_ref() != Some(&info) {
            let _ = std::fs::remove_file(&partial);
            let json = serde_json::to_vec(&info).map_err(|error| io(std::io::Error::other(error)))?;
            std::fs::write(&described, json).map_err(io)?;
        }
        let forget = || {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(&described);
        };
        for attempt in 0..2 {
            let started = std::time::Instant::now();
            let from = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
            if from < info.size {
                let total = info.size;
                let report = |received: u64| progress(Progress::Downloading { received, total });
                self.transport.snapshot_download(from, &partial, &report).await?;
            }
            let downloaded = started.elapsed();
            let size = std::fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
            let sha = snapshot::sha256_of(&partial).map_err(io)?;
            let checked = started.elapsed() - downloaded;
            if size != info.size || sha != info.sha256 {
                tracing::warn!(attempt, size, "the snapshot failed its check: downloaded again");
                let _ = std::fs::remove_file(&partial);
                continue;
            }
            let installed = self.store.install_snapshot(&partial, &info).await?;
            tracing::info!(
                download_ms = downloaded.as_millis() as u64,
                check_ms = checked.as_millis() as u64,
                install_ms = (started.elapsed() - downloaded - checked).as_millis() as u64,
                "snapshot taken"
            );
            forget();
            return match installed {
                Ok(persons) => {
                    tracing::info!(persons, "first sync from the clinic's snapshot");
                    Ok(Some(persons))
                }
                Err(refusal) => {
                    tracing::warn!(%refusal, "the snapshot was not installed: the feed is read instead");
                    Ok(None)
                }
            };
        }
        forget();
        Ok(None)
    }

    /// The clinic's organization, when its version moved since this PC took it.
    async fn take_organization(&self, report: &mut RoundReport) -> Result<(), SyncError> {
        let known = self.store.organization_version().await?;
        if let emhana_protocol::OrganizationAnswer::Changed { organization } =
            self.transport.organization(known).await?
        {
            self.store.apply_organization(&organization).await?;
            report.organization_changed = true;
        }
        Ok(())
    }

    async fn push_all(
        &self,
        report: &mut RoundReport,
        progress: &impl Fn(Progress),
    ) -> Result<(), SyncError> {
        // the records this PC kept before they were shared: a batch a round
        self.store
            .queue_unsent_records(self.settings.push_batch, (self.clock)())
            .await?;
        loop {
            let ops = self.store.pending_ops(self.settings.push_batch).await?;
            if ops.is_empty() {
                return Ok(());
            }
            let ids: Vec<_> = ops.iter().map(|op| op.id).collect();
            let newly_sent = self.store.mark_sent(&ids, (self.clock)()).await?;
            let request = PushRequest {
                ops: ops
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<Result<_, _>>()
                    .map_err(|error| StoreError::Corrupt {
                        detail: error.to_string(),
                    })?,
            };
            let response = match self.transport.push(&request).await {
                Ok(response) => response,
                // Nothing left the workstation: the ops this round marked are not sent.
                Err(error @ TransportError::Unreachable(_)) => {
                    self.store.mark_unsent(&newly_sent).await?;
                    return Err(error.into());
                }
                Err(error) => return Err(error.into()),
            };
            if response.results.len() != ops.len() {
                return Err(SyncError::AnswerMismatch {
                    ops: ops.len(),
                    answers: response.results.len(),
                });
            }
            let recorded = self
                .store
                .record_answers(&response.results, (self.clock)())
                .await?;
            report.pushed += ops.len();
            report.confirmed += recorded.confirmed;
            report.rejected += recorded.rejected;
            progress(Progress::Pushing { sent: report.pushed });
            if ops.len() < self.settings.push_batch {
                return Ok(());
            }
        }
    }

    /// Pulls until the feed is read. Pages are fetched while earlier ones are
    /// applied (each page's cursor comes with it, not from the store), so the
    /// registry's time and the workstation's overlap; pages are applied in
    /// order, each with its cursor. During the first sync, the pages waiting
    /// are applied together in one transaction, up to
    /// [`SyncSettings::first_sync_group`] changes: one commit then writes each
    /// touched index page once for all of them.
    async fn pull_all(
        &self,
        report: &mut RoundReport,
        progress: &impl Fn(Progress),
    ) -> Result<(), SyncError> {
        let started = Instant::now();
        let first_sync = self.store.sync_overview().await?.first_sync.done_at.is_none();
        let group_target = if first_sync {
            self.settings.first_sync_group.max(1)
        } else {
            1
        };
        let query = |after: Option<String>, count: bool| PullQuery {
            after,
            limit: Some(self.settings.pull_page),
            count,
        };
        let (pages_in, mut pages_out) = tokio::sync::mpsc::channel::<PullResponse>(PAGES_AHEAD);
        let first_query = query(self.store.sync_cursor().await?, first_sync);
        // Counting costs the registry a scan: once per round, for the first sync's progress bar.
        let fetch = async move {
            let mut next = Some(first_query);
            let mut held_back = false;
            while let Some(query_now) = next.take() {
                let page = self.transport.pull(&query_now).await?;
                held_back = page.held_back;
                if page.more {
                    next = Some(query(Some(page.cursor.clone()), false));
                }
                if pages_in.send(page).await.is_err() {
                    break; // the applying side stopped on an error of its own
                }
            }
            Ok::<bool, SyncError>(held_back)
        };
        let apply = async {
            let mut remaining: Option<u64> = None;
            let mut counted = false;
            while let Some(page) = pages_out.recv().await {
                if !counted {
                    remaining = page.remaining.map(|left| left + page.changes.len() as u64);
                    counted = true;
                }
                let mut group = vec![page];
                let mut changes = group[0].changes.len();
                while changes < group_target && group.last().is_some_and(|page| page.more) {
                    match pages_out.recv().await {
                        Some(page) => {
                            changes += page.changes.len();
                            group.push(page);
                        }
                        None => break,
                    }
                }
                self.store.apply_pulls(&group, (self.clock)()).await?;
                report.pulled += changes as u64;
                report.pages += group.len();
                remaining = remaining.map(|left| left.saturating_sub(changes as u64));
                let seconds_left = remaining.and_then(|remaining| {
                    let rate = report.pulled as f64 / started.elapsed().as_secs_f64().max(0.001);
                    (rate > 0.0).then(|| (remaining as f64 / rate).ceil() as u64)
                });
                progress(Progress::Pulling {
                    applied: report.pulled,
                    remaining,
                    seconds_left,
                });
            }
            Ok::<(), SyncError>(())
        };
        let (fetched, applied) = tokio::join!(fetch, apply);
        applied?;
        report.held_back = fetched?;
        Ok(())
    }
}

/// Pages fetched ahead of the one being applied.
const PAGES_AHEAD: usize = 8;

/// The wait before try number `failures` (1, 2, ...): a random time up to
/// `base · 2^(failures-1)`, capped ("full jitter").
pub fn backoff(failures: u32, settings: &SyncSettings, rng: &mut impl Rng) -> Duration {
    let exponent = failures.saturating_sub(1).min(20);
    let ceiling = settings
        .base_backoff
        .saturating_mul(1u32 << exponent)
        .min(settings.max_backoff);
    let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(rng.random_range(0..=millis))
}

/// What the status bar shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SyncStatus {
    /// The last round reached the registry.
    pub online: bool,
    /// A round is running.
    pub running: bool,
    pub progress: Option<Progress>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// What went wrong last, as a catalog code the UI translates
    /// (`sync.error.offline`, ...), and the technical detail behind it.
    pub last_error_code: Option<String>,
    pub last_error: Option<String>,
    /// Failures in a row since the last success.
    pub failures: u32,
    pub last_round: Option<RoundReport>,
}

impl SyncStatus {
    pub fn idle() -> SyncStatus {
        SyncStatus {
            online: false,
            running: false,
            progress: None,
            last_success_at: None,
            last_error_code: None,
            last_error: None,
            failures: 0,
            last_round: None,
        }
    }
}

/// Runs rounds until `stop` is notified: every interval, at once when `now`
/// is notified ("sync now"), with backoff after failures. Publishes the status
/// on `status`.
pub async fn run<T: Transport>(
    engine: SyncEngine<T>,
    status: watch::Sender<SyncStatus>,
    now: Arc<Notify>,
    stop: Arc<Notify>,
) {
    // Seeded once from the thread's generator: the loop moves between threads.
    let mut rng = rand_chacha::ChaCha8Rng::from_rng(&mut rand::rng());
    let mut failures = 0u32;
    loop {
        status.send_modify(|s| {
            s.running = true;
            s.progress = None;
        });
        let result = engine
            // any progress means the registry answered: online
            .sync_once(|progress| {
                status.send_modify(|s| {
                    s.online = true;
                    s.progress = Some(progress);
                })
            })
            .await;
        let wait = match result {
            Ok(report) => {
                failures = 0;
                let at = (engine.clock)();
                status.send_modify(|s| {
                    s.online = true;
                    s.running = false;
                    s.last_success_at = Some(at);
                    s.last_error_code = None;
                    s.last_error = None;
                    s.failures = 0;
                    s.last_round = Some(report.clone());
                });
                if report.held_back {
                    engine.settings.interval.min(HELD_BACK_RETRY)
                } else {
                    engine.settings.interval
                }
            }
            Err(error) => {
                failures += 1;
                tracing::warn!(%error, failures, "sync round failed");
                let reached = !matches!(&error, SyncError::Transport(e) if e.is_temporary());
                status.send_modify(|s| {
                    s.online = reached
                        && !matches!(
                            error,
                            SyncError::Transport(TransportError::Offline(_) | TransportError::Unreachable(_))
                        );
                    s.running = false;
                    s.last_error_code = Some(error.code().to_owned());
                    s.last_error = Some(error.to_string());
                    s.failures = failures;
                });
                backoff(failures, &engine.settings, &mut rng).max(Duration::from_millis(200))
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = now.notified() => {}
            _ = stop.notified() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_error_has_its_code_listed() {
        let errors = [
            SyncError::Transport(TransportError::Offline("timed out".into())),
            SyncError::Transport(TransportError::Unreachable("no route".into())),
            SyncError::Transport(TransportError::Refused {
                status: 401,
                code: "bad_credential".into(),
                message: String::new(),
            }),
            SyncError::Transport(TransportError::Refused {
                status: 409,
                code: "conflict".into(),
                message: String::new(),
            }),
            SyncError::Transport(TransportError::Server {
                status: 503,
                message: String::new(),
            }),
            SyncError::Store(StoreError::NotEnrolled),
            SyncError::AnswerMismatch { ops: 2, answers: 1 },
            SyncError::Bundle(emhana_protocol::bundle::BundleError::TooLarge),
            SyncError::Transport(TransportError::InsecureAddress("http://registry".into())),
        ];
        let codes: std::collections::BTreeSet<&str> = errors.iter().map(SyncError::code).collect();
        let listed: std::collections::BTreeSet<&str> = SyncError::CODES.iter().copied().collect();
        assert_eq!(codes, listed);
    }

    #[test]
    fn backoff_grows_to_its_cap_and_is_spread() {
        let settings = SyncSettings::default();
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for failures in 1u32..30 {
            let ceiling = settings
                .base_backoff
                .saturating_mul(1 << failures.saturating_sub(1).min(20))
                .min(settings.max_backoff);
            for _ in 0..50 {
                assert!(backoff(failures, &settings, &mut rng) <= ceiling);
            }
        }
        let waits: std::collections::HashSet<_> = (0..50).map(|_| backoff(10, &settings, &mut rng)).collect();
        assert!(waits.len() > 40, "jitter spreads the retries of many posts");
    }
}
