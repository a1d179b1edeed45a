//! A seeded simulation of a region: several workstations of two clinics
//! and one registry on a real PostgreSQL, driven by a random schedule of
//! registrars' actions and network faults — partitions, answers lost after
//! the registry committed, links cut mid-round, workstations restarted — and
//! then the invariants that must hold whatever happened:
//!
//! - no person has two open attachments, no slot is booked twice (registry);
//! - every op ever made got an answer: applied or rejected, none left
//!   local or sent, and the registry logged each exactly once;
//! - every workstation converged: its clinic's attached population, district
//!   by district, is the registry's, and its journal of home calls holds the
//!   registry's calls of its clinic, field by field;
//! - every change to a call that lost (the call closed on another PC first)
//!   is in that PC's needs attention exactly once;
//! - the same for care plans: every PC holds its clinic's plans as the
//!   registry does, visit by visit and outcome by outcome, and each outcome,
//!   risk change or opening that lost to another PC's is listed once; and
//!   every doctor's schedule the registry keeps is the same on every PC;
//! - every window holds its clinic's bookings as the registry does, status by
//!   status, and each booking op that lost is listed once;
//! - the neighbouring practice is a post of the polyclinic: every PC of the
//!   polyclinic holds the post's calls and plans exactly as the registry
//!   does, and each of its changes to a post's call that lost to the post's
//!   closure is in its needs attention once (with the other lost changes).
//!
//! The schedule is a function of the seed (a failing seed is printed and can
//! be replayed with `EMHANA_SIM_SEEDS=<seed>`); the registry's answers are too,
//! except within a "storm" step, where every workstation syncs at once and
//! PostgreSQL decides the races. `EMHANA_SIM_SEEDS=0..50` and
//! `EMHANA_SIM_STEPS` run a longer campaign than the default.

#[path = "../support/mod.rs"]
mod support;

mod actions;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, anyhow, ensure};
use chrono::{DateTime, TimeDelta, Utc};
use emhana_domain::attachment::{AttachmentGround, Channel};
use emhana_domain::home_call::CallStatus;
use emhana_domain::registration::{DocumentKind, NewResidence};
use emhana_protocol::{
    BookOp, Hlc, Op, OpBody, OpOutcome, PullQuery, PullResponse, PushRequest, PushResponse, SlotKey,
};
use emhana_sync::{HttpTransport, SyncEngine, SyncSettings, Transport, TransportError};
use emhana_workstation::{ApplicationForm, CallForm, ConsentForm, DetachmentReason, Workstation};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use support::{Region, kz, newborn, sync_round};
use uuid::Uuid;

/// Which clinic (index into the region's clinics: the polyclinic and the
/// neighbouring practice) each workstation serves: three registrars' PCs per
/// clinic, so conflicts arise inside a clinic too.
const HOMES: [usize; 6] = [0, 0, 0, 1, 1, 1];
/// The polyclinic, and the practice that runs as its post.
const PARENT: usize = 0;
const POST: usize = 1;
/// Newborns the clinics race to attach first.
const NEWBORNS: u16 = 8;
/// Persons of each clinic whose district several workstations change.
const MOVABLE: i64 = 4;
/// Slots of one doctor the workstations race to book.
const SLOTS: i64 = 6;

fn settings() -> SyncSettings {
    SyncSettings {
        push_batch: 3,
        pull_page: 50,
        ..SyncSettings::default()
    }
}

/// What the network does to one workstation's round.
#[derive(Debug, Clone, Copy)]
enum Link {
    Up,
    /// Nothing gets through.
    Down,
    /// Requests arrive and are committed; the answers are lost.
    LosesAnswers,
    /// The first `n` calls get through, then the link drops mid-round.
    CutAfter(usize),
}

#[derive(Debug, Clone)]
struct Faulty {
    inner: HttpTransport,
    link: Link,
    calls: Arc<AtomicUsize>,
}

impl Faulty {
    fn gate(&self) -> Result<(), TransportError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        match self.link {
            Link::Down => Err(TransportError::Offline("partitioned".into())),
            Link::CutAfter(n) if call >= n => Err(TransportError::Offline("link cut".into())),
            _ => Ok(()),
        }
    }

    fn answer<A>(&self, answer: A) -> Result<A, TransportError> {
        match self.link {
            Link::LosesAnswers => Err(TransportError::Offline("answer lost".into())),
            _ => Ok(answer),
        }
    }
}

impl Transport for Faulty {
    async fn push(&self, request: &PushRequest) -> Result<PushResponse, TransportError> {
        self.gate()?;
        let answer = self.inner.push(request).await?;
        self.answer(answer)
    }

    async fn pull(&self, query: &PullQuery) -> Result<PullResponse, TransportError> {
        self.gate()?;
        let answer = self.inner.pull(query).await?;
        self.answer(answer)
    }

    async fn reference(&self) -> Result<emhana_protocol::ReferenceData, TransportError> {
        self.gate()?;
        let answer = self.inner.reference().await?;
        self.answer(answer)
    }

    async fn organization(
        &self,
        known: Option<i64>,
    ) -> Result<emhana_protocol::OrganizationAnswer, TransportError> {
        self.gate()?;
        let answer = self.inner.organization(known).await?;
        self.answer(answer)
    }

    async fn audit_head(
        &self,
        report: &emhana_protocol::AuditHeadReport,
    ) -> Result<emhana_protocol::AuditHeadAnswer, TransportError> {
        self.gate()?;
        let answer = self.inner.audit_head(report).await?;
        self.answer(answer)
    }

    async fn snapshot_info(&self) -> Result<Option<emhana_protocol::SnapshotInfo>, TransportError> {
        self.gate()?;
        self.inner.snapshot_info().await
    }

    async fn snapshot_download(
        &self,
        from: u64,
        to: &std::path::Path,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<(), TransportError> {
        self.gate()?;
        self.inner.snapshot_download(from, to, progress).await
    }
}

struct Post {
    home: usize,
    bin: String,
    path: PathBuf,
    store: Workstation,
    transport: HttpTransport,
    id: Uuid,
    hlc: Option<Hlc>,
}

impl Post {
    fn engine(&self, region: &Region, link: Link) -> SyncEngine<Faulty> {
        SyncEngine::new(
            self.store.clone(),
            Faulty {
                inner: self.transport.clone(),
                link,
                calls: Arc::new(AtomicUsize::new(0)),
            },
            region.clock(),
            settings(),
        )
    }
}

/// A booking op made outside the outbox (the workstation books from issue 6
/// on); kept until answered, resent like an outbox op.
struct RawBooking {
    post: usize,
    op: Op,
    answered: Option<OpOutcome>,
}

struct Simulation {
    region: Region,
    posts: Vec<Post>,
    bookings: Vec<RawBooking>,
    staff_iin: String,
    booking_iins: Vec<String>,
    rng: ChaCha8Rng,
    now: DateTime<Utc>,
    _dirs: Vec<tempfile::TempDir>,
    log: Vec<String>,
}

fn random_link(rng: &mut ChaCha8Rng) -> Link {
    match rng.random_range(0..10) {
        0..=4 => Link::Up,
        5 | 6 => Link::Down,
        7 => Link::LosesAnswers,
        _ => Link::CutAfter(rng.random_range(0..4)),
    }
}

/// The store reopened after a restart, its head signed in again.
async fn open_store(path: &Path, now: DateTime<Utc>) -> Result<Workstation> {
    let store = Workstation::open(path).await?.0;
    Ok(emhana_synth::sign_in_as(&store, emhana_domain::StaffRole::Head, now).await?)
}

impl Simulation {
    async fn start(seed: u64) -> Result<Simulation> {
        let now = kz(2026, 11, 2, 9);
        let region = Region::start(500, now).await?;
        let bins = region.clinic_bins()?;
        ensure!(bins.len() >= 2, "the region has {} clinics", bins.len());
        // The neighbouring practice runs as a post of the polyclinic: the
        // polyclinic's PCs read its calls and plans and send its staff.
        let clinics = emhana_synth::Synth::new(region.config)?.clinics().to_vec();
        let mut post_profile = emhana_synth::clinic_unit(&clinics[POST]).profile;
        post_profile.parent_bin = Some(clinics[PARENT].bin);
        emhana_registry::organization::set_clinic(&region.pool, &post_profile)
            .await
            .map_err(|error| anyhow!("the post under its parent: {error:?}"))?;
        let mut posts = Vec::new();
        let mut dirs = Vec::new();
        for home in HOMES {
            let dir = tempfile::tempdir()?;
            let (store, credential) = region.workstation(dir.path(), home).await?;
            let id = credential
                .split('.')
                .next()
                .and_then(|id| Uuid::parse_str(id).ok())
                .context("the credential names the workstation")?;
            posts.push(Post {
                home,
                bin: bins[home].clone(),
                path: dir.path().join("emhana.sqlite"),
                store,
                transport: HttpTransport::new(&region.base, &credential)?,
                id,
                hlc: None,
            });
            dirs.push(dir);
        }
        let staff_iin: String = region.text("SELECT iin FROM person ORDER BY iin LIMIT 1").await?;
        let mut booking_iins = Vec::new();
        for offset in 1..=4 {
            booking_iins.push(
                region
                    .text(&format!(
                        "SELECT iin FROM person ORDER BY iin OFFSET {offset} LIMIT 1"
                    ))
                    .await?,
            );
        }
        Ok(Simulation {
            region,
            posts,
            bookings: Vec::new(),
            staff_iin,
            booking_iins,
            rng: ChaCha8Rng::seed_from_u64(seed),
            now,
            _dirs: dirs,
            log: Vec::new(),
        })
    }

    async fn run(&mut self, steps: usize) -> Result<()> {
        // Everyone starts from a first sync, as a new workstation does.
        for index in 0..self.posts.len() {
            self.posts[index]
                .engine(&self.region, Link::Up)
                .sync_once(|_| {})
                .await?;
        }
        // The head of each clinic enters its first doctor's week at her PC;
        // every window has it after one more round.
        let valid_from = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).context("date")?;
        for home in [PARENT, POST] {
            let Some(first) = self.posts.iter().position(|post| post.home == home) else {
                continue;
            };
            let store = self.posts[first].store.clone();
            if let Some(doctor) = store.doctors().await?.into_iter().next() {
                store
                    .set_schedule_template(doctor.id, &emhana_synth::doctor_week(0, valid_from), self.now)
                    .await
                    .map_err(|error| anyhow!("the first doctor's week: {error:?}"))?;
            }
        }
        for _ in 0..2 {
            for post in &self.posts {
                post.engine(&self.region, Link::Up).sync_once(|_| {}).await?;
            }
        }
        for step in 0..steps {
            let post = self.rng.random_range(0..self.posts.len());
            let action = self.rng.random_range(0..100);
            let done = match action {
                0..=17 => self.attach_newborn(post).await?,
                18..=30 => self.move_district(post).await?,
                31..=33 => self.record_death(post).await?,
                34..=41 => self.book(post).await?,
                42..=45 => self.take_call(post).await?,
                46..=51 => self.change_call(post).await?,
                52..=54 => self.open_plan(post).await?,
                55..=60 => self.change_plan(post).await?,
                61..=62 => self.change_schedule(post).await?,
                // 0..3 are the parent's PCs
                63..=69 if self.posts[post].home == PARENT => self.send_to_post_call(post).await?,
                70..=73 => self.book_at_window(post).await?,
                74..=76 => self.change_booking(post).await?,
                63..=84 => {
                    let link = random_link(&mut self.rng);
                    let result = self.posts[post]
                        .engine(&self.region, link)
                        .sync_once(|_| {})
                        .await;
                    format!("sync {link:?}: {}", if result.is_ok() { "ok" } else { "failed" })
                }
                85..=89 => self.storm().await?,
                90..=94 => {
                    let link = random_link(&mut self.rng);
                    self.push_bookings(post, link).await?
                }
                95..=97 => {
                    // Restarted: the app closed and opened its file again.
                    let path = self.posts[post].path.clone();
                    self.posts[post].store.clone().close().await;
                    self.posts[post].store = open_store(&path, self.now).await?;
                    "restarted".to_owned()
                }
                _ => {
                    self.now += TimeDelta::minutes(self.rng.random_range(1..90));
                    self.region.set_now(self.now);
                    format!("clock {}", self.now)
                }
            };
            self.log.push(format!("{step:>4} post {post}: {done}"));
        }
        Ok(())
    }

    fn when(&mut self) -> DateTime<Utc> {
        // ops are made a little before the registry's now, as a registrar's are
        self.now - TimeDelta::minutes(self.rng.random_range(0..30))
    }

    /// Every workstation syncs at once over its own faulty link.
    async fn storm(&mut self) -> Result<String> {
        let links: Vec<Link> = self.posts.iter().map(|_| random_link(&mut self.rng)).collect();
        let engines: Vec<_> = self
            .posts
            .iter()
            .zip(&links)
            .map(|(post, link)| post.engine(&self.region, *link))
            .collect();
        let mut rounds = tokio::task::JoinSet::new();
        for engine in engines {
            rounds.spawn(async move { engine.sync_once(|_| {}).await.is_ok() });
        }
        let mut ok = 0;
        while let Some(round) = rounds.join_next().await {
            ok += usize::from(round?);
        }
        Ok(format!("storm {links:?}: {ok} ok"))
    }

    /// The network heals; everyone syncs until nothing moves.
    async fn heal(&mut self) -> Result<()> {
        for post in 0..self.posts.len() {
            self.push_bookings(post, Link::Up).await?;
        }
        // Two passes: the second pulls what the others pushed in the first.
        // Each round is read to the feed's end: a long transaction of another
        // test's registry on the same server holds the feed back for a while
        // (its watermark is the whole server's).
        for _ in 0..2 {
            for post in &self.posts {
                sync_round(&post.engine(&self.region, Link::Up)).await?;
            }
        }
        Ok(())
    }

    async fn check(&self) -> Result<()> {
        let region = &self.region;
        // No person with two open attachments, no slot booked twice.
        ensure!(
            region
                .count("SELECT count(*) FROM (SELECT person_id FROM attachment WHERE ended_on IS NULL GROUP BY person_id HAVING count(*) > 1) twice")
                .await?
                == 0,
            "a person with two open attachments"
        );
        ensure!(
            region
                .count("SELECT count(*) FROM (SELECT 1 FROM booking WHERE cancelled_at IS NULL GROUP BY clinic_id, staff_iin, starts_at HAVING count(*) > 1) twice")
                .await?
                == 0,
            "a slot booked twice"
        );
        // Every op answered, and logged once with the answer the workstation holds.
        let mut ops = 0;
        for (index, post) in self.posts.iter().enumerate() {
            let pool = read_only(&post.path).await?;
            let unanswered: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE state NOT IN ('confirmed', 'rejected')",
            )
            .fetch_one(&pool)
            .await?;
            ensure!(
                unanswered == 0,
                "post {index}: {unanswered} ops without an answer"
            );
            let answered: Vec<(String, String)> = sqlx::query_as("SELECT id, state FROM outbox")
                .fetch_all(&pool)
                .await?;
            pool.close().await;
            for (id, state) in &answered {
                let logged: Option<String> = sqlx::query_scalar(
                    "SELECT outcome->>'outcome' FROM op_log WHERE id = $1::uuid AND workstation_id = $2",
                )
                .bind(id)
                .bind(post.id)
                .fetch_optional(&region.pool)
                .await?;
                let expected = if state == "confirmed" {
                    "applied"
                } else {
                    "rejected"
                };
                ensure!(
                    logged.as_deref() == Some(expected),
                    "post {index}: op {id} is {state} here, {logged:?} in the registry"
                );
            }
            ops += answered.len();
        }
        for booking in &self.bookings {
            ensure!(
                booking.answered.is_some(),
                "booking {} never answered",
                booking.op.id
            );
        }
        let applied_bookings = self
            .bookings
            .iter()
            .filter(|b| b.answered == Some(OpOutcome::Applied))
            .count() as i64;
        // and the windows' own bookings, each confirmed book op one
        let mut booked_at_windows = 0;
        for post in &self.posts {
            let pool = read_only(&post.path).await?;
            let confirmed: i64 =
                sqlx::query_scalar("SELECT count(*) FROM outbox WHERE kind = 'book' AND state = 'confirmed'")
                    .fetch_one(&pool)
                    .await?;
            pool.close().await;
            booked_at_windows += confirmed;
        }
        ensure!(
            region.count("SELECT count(*) FROM booking").await? == applied_bookings + booked_at_windows,
            "every applied booking and nothing else is in the registry"
        );
        ensure!(
            region.count("SELECT count(*) FROM op_log").await? == (ops + self.bookings.len()) as i64,
            "the registry logged each op once"
        );
        // Converged: each workstation's register is its clinic's in the registry.
        let mut registers: HashMap<usize, BTreeSet<(String, i32)>> = HashMap::new();
        for post in &self.posts {
            if let std::collections::hash_map::Entry::Vacant(entry) = registers.entry(post.home) {
                let rows: Vec<(String, i32)> = sqlx::query_as(
                    "SELECT p.iin, d.number FROM attachment a JOIN person p ON p.id = a.person_id \
                     JOIN clinic c ON c.id = a.clinic_id JOIN district d ON d.id = a.district_id \
                     WHERE c.bin = $1 AND a.ended_on IS NULL",
                )
                .bind(&post.bin)
                .fetch_all(&region.pool)
                .await?;
                entry.insert(rows.into_iter().collect());
            }
        }
        for (index, post) in self.posts.iter().enumerate() {
            let pool = read_only(&post.path).await?;
            let rows: Vec<(String, i32)> = sqlx::query_as(
                "SELECT p.iin, d.number FROM attachment a JOIN person p ON p.id = a.person_id \
                 JOIN clinic c ON c.id = a.clinic_id AND c.is_home = 1 JOIN district d ON d.id = a.district_id \
                 WHERE a.ended_on IS NULL",
            )
            .fetch_all(&pool)
            .await?;
            pool.close().await;
            let local: BTreeSet<_> = rows.into_iter().collect();
            let registry = &registers[&post.home];
            ensure!(
                &local == registry,
                "post {index} diverged from the registry: only here {:?}, only there {:?}",
                local.difference(registry).take(5).collect::<Vec<_>>(),
                registry.difference(&local).take(5).collect::<Vec<_>>()
            );
        }
        self.check_calls().await?;
        self.check_bookings().await?;
        self.check_posts_records().await?;
        self.check_plans().await?;
        self.check_schedules().await
    }

    /// Each doctor's schedule the registry keeps is the same on every PC of
    /// the clinic; each change that lost (another PC's first) is listed once.
    async fn check_schedules(&self) -> Result<()> {
        for (index, post) in self.posts.iter().enumerate() {
            let bodies: Vec<serde_json::Value> = sqlx::query_scalar(
                "SELECT r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
                 WHERE c.bin = $1 AND r.kind = 'schedule'",
            )
            .bind(&post.bin)
            .fetch_all(&self.region.pool)
            .await?;
            let doctors = post.store.doctors().await?;
            for body in bodies {
                let emhana_protocol::Record::Schedule(there) = serde_json::from_value(body)? else {
                    continue;
                };
                let doctor = doctors
                    .iter()
                    .find(|doctor| doctor.iin == there.staff_iin)
                    .with_context(|| format!("post {index}: no doctor {}", there.staff_iin))?;
                let here = post.store.shared_schedule(doctor.id).await?;
                ensure!(
                    here == *there,
                    "post {index}: the schedule of {} differs:\n here {here:?}\n there {there:?}",
                    there.staff_iin
                );
            }
            let pool = read_only(&post.path).await?;
            let lost: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE state = 'rejected' AND reject_ground ->> 'code' = 'schedule_changed'",
            )
            .fetch_one(&pool)
            .await?;
            pool.close().await;
            listed_once(post, index, "schedule changes", lost, |item| {
                item.action == emhana_workstation::AttentionAction::CheckSchedule
            })
            .await?;
        }
        Ok(())
    }

    /// Each workstation's care plans are its clinic's at the registry, plan
    /// by plan with every visit and outcome; each change that lost (an
    /// outcome, a risk change or an opening another PC made first) is listed
    /// once where it was made.
    async fn check_plans(&self) -> Result<()> {
        for (index, post) in self.posts.iter().enumerate() {
            let bodies: Vec<serde_json::Value> = sqlx::query_scalar(
                "SELECT r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id WHERE c.bin = $1 AND r.kind = 'plan'",
            )
            .bind(&post.bin)
            .fetch_all(&self.region.pool)
            .await?;
            let mut registry = HashMap::new();
            for body in bodies {
                if let emhana_protocol::Record::Plan(plan) = serde_json::from_value(body)? {
                    registry.insert(plan.id, *plan);
                }
            }
            let pool = read_only(&post.path).await?;
            let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM care_plan")
                .fetch_all(&pool)
                .await?;
            let lost: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE state = 'rejected' \
                 AND reject_ground ->> 'code' IN ('plan_open', 'plan_changed', 'visit_outcome_taken')",
            )
            .fetch_one(&pool)
            .await?;
            pool.close().await;
            ensure!(
                ids.len() == registry.len(),
                "post {index} holds {} plans, the registry {}",
                ids.len(),
                registry.len()
            );
            for id in ids {
                let here = post.store.shared_plan(id).await?;
                let there = registry
                    .get(&here.id)
                    .with_context(|| format!("post {index}: plan {} not at the registry", here.id))?;
                ensure!(
                    &here == there,
                    "post {index}: plan {} differs:\n here {here:?}\n there {there:?}",
                    here.id
                );
            }
            listed_once(post, index, "plan changes", lost, |item| {
                item.action == emhana_workstation::AttentionAction::CheckPlan
            })
            .await?;
        }
        Ok(())
    }

    /// Each window holds its clinic's bookings as the registry does, field by
    /// field and status by status; a booking of its own that the registry
    /// refused (the slot or the person's day taken at another window first)
    /// is the only other one it holds, cancelled; each booking op that lost
    /// is listed once.
    async fn check_bookings(&self) -> Result<()> {
        for (index, post) in self.posts.iter().enumerate() {
            let bodies: Vec<serde_json::Value> = sqlx::query_scalar(
                "SELECT r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
                 WHERE c.bin = $1 AND r.kind = 'booking'",
            )
            .bind(&post.bin)
            .fetch_all(&self.region.pool)
            .await?;
            let mut registry = HashMap::new();
            for body in bodies {
                if let emhana_protocol::Record::Booking(booking) = serde_json::from_value(body)? {
                    registry.insert(booking.id, *booking);
                }
            }
            let pool = read_only(&post.path).await?;
            let here: Vec<(i64, String, String)> = sqlx::query_as("SELECT id, uid, status FROM booking")
                .fetch_all(&pool)
                .await?;
            let refused: BTreeSet<i64> = sqlx::query_scalar(
                "SELECT booking_id FROM outbox WHERE kind = 'book' AND state = 'rejected' AND booking_id IS NOT NULL",
            )
            .fetch_all(&pool)
            .await?
            .into_iter()
            .collect();
            let lost: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE state = 'rejected' AND reject_ground ->> 'code' IN \
                 ('slot_taken', 'second_booking_that_day', 'booking_changed', 'booking_not_found')",
            )
            .fetch_one(&pool)
            .await?;
            pool.close().await;
            let mut matched = 0;
            for (id, uid, status) in &here {
                match registry.get(&Uuid::parse_str(uid)?) {
                    Some(there) => {
                        let held = post.store.shared_booking(*id).await?;
                        ensure!(
                            held == *there,
                            "post {index}: booking {uid} differs:\n here {held:?}\n there {there:?}"
                        );
                        matched += 1;
                    }
                    None => ensure!(
                        refused.contains(id) && status == "cancelled",
                        "post {index}: booking {uid} ({status}) is not at the registry and was not refused"
                    ),
                }
            }
            ensure!(
                matched == registry.len(),
                "post {index} holds {matched} of its clinic's {} bookings",
                registry.len()
            );
            listed_once(post, index, "booking changes", lost, |item| {
                matches!(
                    item.ground,
                    emhana_protocol::RejectGround::SlotTaken
                        | emhana_protocol::RejectGround::SecondBookingThatDay
                        | emhana_protocol::RejectGround::BookingChanged { .. }
                        | emhana_protocol::RejectGround::BookingNotFound
                )
            })
            .await?;
        }
        Ok(())
    }

    /// Each PC of the parent holds its post's calls and plans as the registry
    /// does, record by record; the post's PCs hold none as a post's.
    async fn check_posts_records(&self) -> Result<()> {
        let post_bin = &self.region.clinic_bins()?[POST];
        let kept: Vec<(Uuid, serde_json::Value)> = sqlx::query_as(
            "SELECT r.id, r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
             WHERE c.bin = $1 AND r.kind IN ('call', 'plan') ORDER BY r.id::text",
        )
        .bind(post_bin)
        .fetch_all(&self.region.pool)
        .await?;
        for (index, post) in self.posts.iter().enumerate() {
            let pool = read_only(&post.path).await?;
            let held: Vec<(String, String)> =
                sqlx::query_as("SELECT uid, body FROM post_record ORDER BY uid")
                    .fetch_all(&pool)
                    .await?;
            pool.close().await;
            if post.home != PARENT {
                ensure!(
                    held.is_empty(),
                    "post {index}, of the post itself, holds {} post's records",
                    held.len()
                );
                continue;
            }
            ensure!(
                held.len() == kept.len(),
                "post {index} holds {} of its post's records, the registry {}",
                held.len(),
                kept.len()
            );
            for ((uid, body), (id, there)) in held.iter().zip(&kept) {
                let here: serde_json::Value = serde_json::from_str(body)?;
                ensure!(
                    *uid == id.to_string() && here == *there,
                    "post {index}: the post's record {uid} differs from the registry's {id}:\n here {here}\n there {there}"
                );
            }
        }
        Ok(())
    }

    /// Each workstation's journal of calls is its clinic's at the registry,
    /// call by call; each change that lost is listed once where it was made.
    async fn check_calls(&self) -> Result<()> {
        for (index, post) in self.posts.iter().enumerate() {
            let bodies: Vec<serde_json::Value> = sqlx::query_scalar(
                "SELECT r.body FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id WHERE c.bin = $1 AND r.kind = 'call'",
            )
            .bind(&post.bin)
            .fetch_all(&self.region.pool)
            .await?;
            let mut registry = HashMap::new();
            for body in bodies {
                if let emhana_protocol::Record::Call(call) = serde_json::from_value(body)? {
                    registry.insert(call.id, *call);
                }
            }
            let pool = read_only(&post.path).await?;
            let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM home_call")
                .fetch_all(&pool)
                .await?;
            let lost: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM outbox WHERE state = 'rejected' AND reject_ground ->> 'code' = 'call_closed'",
            )
            .fetch_one(&pool)
            .await?;
            pool.close().await;
            ensure!(
                ids.len() == registry.len(),
                "post {index} holds {} calls, the registry {}",
                ids.len(),
                registry.len()
            );
            for id in ids {
                let here = post.store.shared_call(id).await?;
                let there = registry
                    .get(&here.id)
                    .with_context(|| format!("post {index}: call {} not at the registry", here.id))?;
                ensure!(
                    &here == there,
                    "post {index}: call {} differs:\n here {here:?}\n there {there:?}",
                    here.id
                );
            }
            listed_once(post, index, "call changes", lost, |item| {
                matches!(item.ground, emhana_protocol::RejectGround::CallClosed { .. })
            })
            .await?;
        }
        Ok(())
    }
}

/// Each of the `lost` ops of a kind the PC made is in its needs attention
/// exactly once (`picked` says which items are of that kind).
async fn listed_once(
    post: &Post,
    index: usize,
    what: &str,
    lost: i64,
    picked: impl Fn(&emhana_workstation::AttentionItem) -> bool,
) -> Result<()> {
    let listed: Vec<Uuid> = post
        .store
        .needs_attention()
        .await?
        .into_iter()
        .filter(|item| picked(item))
        .map(|item| item.op)
        .collect();
    let distinct: BTreeSet<&Uuid> = listed.iter().collect();
    ensure!(
        listed.len() as i64 == lost && distinct.len() == listed.len(),
        "post {index}: {lost} lost {what}, {} listed ({} distinct)",
        listed.len(),
        distinct.len()
    );
    Ok(())
}

async fn read_only(path: &Path) -> Result<sqlx::SqlitePool> {
    Ok(sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", path.display())).await?)
}

fn seeds() -> Vec<u64> {
    let spec = std::env::var("EMHANA_SIM_SEEDS").unwrap_or_else(|_| "1..4".into());
    match spec.split_once("..") {
        Some((from, to)) => (from.parse().unwrap_or(1)..to.parse().unwrap_or(4)).collect(),
        None => spec
            .split(',')
            .filter_map(|seed| seed.trim().parse().ok())
            .collect(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeded_region_of_faulty_links_ends_with_one_attachment_per_person_and_every_workstation_converged()
-> Result<()> {
    let steps = std::env::var("EMHANA_SIM_STEPS")
        .ok()
        .and_then(|steps| steps.parse().ok())
        .unwrap_or(150);
    for seed in seeds() {
        let mut simulation = Simulation::start(seed).await?;
        let outcome = async {
            simulation.run(steps).await?;
            simulation.heal().await?;
            simulation.check().await
        }
        .await;
        if let Err(error) = outcome {
            let tail = simulation
                .log
                .iter()
                .rev()
                .take(40)
                .rev()
                .cloned()
                .collect::<Vec<_>>();
            return Err(error.context(format!(
                "simulation seed {seed} failed (replay: EMHANA_SIM_SEEDS={seed}); last steps:\n{}",
                tail.join("\n")
            )));
        }
        let contested = simulation
            .region
            .count("SELECT count(*) FROM op_log WHERE outcome->>'outcome' = 'rejected'")
            .await?;
        let applied = simulation
            .region
            .count("SELECT count(*) FROM op_log WHERE outcome->>'outcome' = 'applied'")
            .await?;
        // a schedule that produced no conflict tested nothing
        ensure!(
            contested > 0 && applied > 0,
            "seed {seed}: {applied} applied, {contested} rejected"
        );
        let calls = simulation
            .region
            .count("SELECT count(*) FROM clinic_record WHERE kind = 'call'")
            .await?;
        let closed_first = simulation
            .region
            .count("SELECT count(*) FROM op_log WHERE outcome->'ground'->>'code' = 'call_closed'")
            .await?;
        ensure!(calls > 0, "seed {seed}: no call was taken");
        let plans = simulation
            .region
            .count("SELECT count(*) FROM clinic_record WHERE kind = 'plan'")
            .await?;
        let plan_conflicts = simulation
            .region
            .count(
                "SELECT count(*) FROM op_log \
                 WHERE outcome->'ground'->>'code' IN ('plan_open', 'plan_changed', 'visit_outcome_taken')",
            )
            .await?;
        ensure!(plans > 0, "seed {seed}: no plan was opened");
        let bins = simulation.region.clinic_bins()?;
        let sent_to_posts = simulation
            .region
            .count(&format!(
                "SELECT count(*) FROM op_log o JOIN workstation w ON w.id = o.workstation_id \
                 JOIN clinic c ON c.id = w.clinic_id WHERE c.bin = '{}' AND o.kind = 'change_call' \
                 AND o.body->>'clinic_bin' = '{}'",
                bins[PARENT], bins[POST]
            ))
            .await?;
        let sent_too_late = simulation
            .region
            .count(&format!(
                "SELECT count(*) FROM op_log o JOIN workstation w ON w.id = o.workstation_id \
                 JOIN clinic c ON c.id = w.clinic_id WHERE c.bin = '{}' AND o.kind = 'change_call' \
                 AND o.body->>'clinic_bin' = '{}' AND o.outcome->'ground'->>'code' = 'call_closed'",
                bins[PARENT], bins[POST]
            ))
            .await?;
        let bookings_kept = simulation
            .region
            .count("SELECT count(*) FROM clinic_record WHERE kind = 'booking'")
            .await?;
        let booking_conflicts = simulation
            .region
            .count(
                "SELECT count(*) FROM op_log WHERE outcome->'ground'->>'code' IN \
                 ('slot_taken', 'second_booking_that_day', 'booking_changed', 'booking_not_found')",
            )
            .await?;
        let booking_changes = simulation
            .region
            .count("SELECT count(*) FROM op_log WHERE kind = 'change_booking'")
            .await?;
        let changed_first = simulation
            .region
            .count("SELECT count(*) FROM op_log WHERE outcome->'ground'->>'code' = 'booking_changed'")
            .await?;
        let schedule_conflicts = simulation
            .region
            .count("SELECT count(*) FROM op_log WHERE outcome->'ground'->>'code' = 'schedule_changed'")
            .await?;
        eprintln!(
            "seed {seed}: {steps} steps, {applied} ops applied, {contested} rejected \
             ({calls} calls, {closed_first} call changes lost to a closure; {plans} plans, \
             {plan_conflicts} plan changes lost to another PC's; {schedule_conflicts} schedule changes \
             lost; {sent_to_posts} changes to the post's calls from the parent's PCs, {sent_too_late} too late; {bookings_kept} bookings at windows, \
             {booking_conflicts} booking ops lost, {booking_changes} status changes, {changed_first} lost to \
             another window's); \
             invariants hold"
        );
    }
    Ok(())
}

#[test]
fn the_newborns_have_distinct_iins() {
    let iins: BTreeSet<String> = (1..=NEWBORNS).map(|n| newborn(n).iin).collect();
    assert_eq!(iins.len(), NEWBORNS as usize);
}
