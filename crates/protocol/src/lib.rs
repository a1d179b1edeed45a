//! The sync protocol between a workstation and the central registry.
//!
//! Wire types only, shared by both sides, no I/O. Version 1 lives under the
//! path prefix [`PREFIX`]; a change that an old peer would misread gets a new
//! prefix, never a new meaning for an old field. See `docs/sync.md`.
//!
//! - A workstation is enrolled once: [`EnrolRequest`] → [`Enrolment`].
//! - Every local change is an immutable [`Op`], stamped with its author,
//!   workstation and time when it is made. Push sends them in batches
//!   ([`PushRequest`]); each op is answered on its own ([`OpResult`]):
//!   applied, or rejected with a ground and the current state. The same op
//!   sent again gets the same answer and no second effect.
//! - Pull reads the clinic's change feed after a server cursor
//!   ([`PullResponse`]); the cursor never skips a change committed late.

pub mod account;
pub mod bundle;
pub mod hlc;
pub mod op;
pub mod record;

pub use account::{Account, PasswordHash, PasswordHashError};
pub use hlc::Hlc;
pub use op::{
    ApplicationKey, AttachOp, BookOp, CancelBookingOp, ChangeBookingOp, ChangeOrganizationOp, ChangePersonOp,
    DetachOp, DetachReason, Op, OpBody, OrganizationChange, SlotKey,
};
pub use record::{
    BookingChange, BookingEvent, BookingRecord, CallAssignment, CallChange, CallOutcome, CallRecord,
    ChangeCallOp, ChangePlanOp, ClinicSettings, PlanChange, PlanClosing, PlanConflict, PlanRecord, Record,
    RoundRecord, RoundStopKey, ScheduleRecord, SetScheduleOp, SetSettingsOp, SettingsRecord, VisitEvent,
    VisitPrior, VisitRecord, VisitUndone,
};

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::Person;
use emhana_domain::attachment::{AttachmentGround, RefusalGround};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The path prefix of this protocol version.
pub const PREFIX: &str = "/v1";

/// The largest request body the registry reads, after decompression.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The most ops one push may carry.
pub const MAX_OPS_PER_PUSH: usize = 500;

/// The most changes one pull returns.
pub const MAX_CHANGES_PER_PULL: u32 = 5000;

/// How long the registry keeps an op's id and answer, so a post offline this
/// long still gets its answer and no second effect when it finally sends.
pub const OP_ID_RETENTION_DAYS: i64 = 400;

/// The longest a PC may be without a link and still have its ops taken: an
/// op made longer ago than this before the registry receives it (or before
/// the sealed file that carried it was made) is refused, so a PC cannot date
/// a decision into a past the registry cannot check (docs/sync.md).
pub const MAX_OFFLINE_DAYS: i64 = 60;

/// The header carrying the workstation's credential: `Bearer <id>.<secret>`.
pub const AUTHORIZATION: &str = "authorization";

/// Exchanges a one-time enrolment code for the workstation's credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EnrolRequest {
    pub code: String,
    /// The public half of the workstation's bundle key pair (hex), made for
    /// this enrolment (`bundle`).
    #[serde(default)]
    pub bundle_public_key: Option<String>,
}

/// What an enrolled workstation keeps: its id and clinic in its database, the
/// credential in the OS keyring only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Enrolment {
    pub workstation: Uuid,
    pub clinic_bin: String,
    pub clinic_name_kk: String,
    pub clinic_name_ru: String,
    /// `<workstation id>.<secret>`, sent as a bearer token.
    pub credential: String,
    /// The series this workstation numbers applications, bookings and calls
    /// in (`emhana_domain::numbering`): 1, 2, 3, … in its clinic, never two
    /// workstations alike. Absent from a registry that hands none out (0).
    #[serde(default)]
    pub series: u32,
    /// The public half of the registry's bundle key pair (hex); absent
    /// while the registry has none (offline bundles are then not made).
    #[serde(default)]
    pub registry_bundle_key: Option<String>,
    /// The private half of this workstation's bundle key pair, made by
    /// `emhana_sync::enrol` and kept with the enrolment; never sent.
    #[serde(skip)]
    #[ts(skip)]
    pub bundle_secret: Option<bundle::BundleSecret>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct PushRequest {
    /// Ops in the order they were made. Each is read on its own, so a
    /// malformed op is rejected alone (it must still carry its `id`).
    pub ops: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PushResponse {
    /// One answer per op sent, in the same order.
    pub results: Vec<OpResult>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OpResult {
    pub op: Uuid,
    #[serde(flatten)]
    pub outcome: OpOutcome,
    /// When the registry first answered this op (a repeat gets the same time).
    pub decided_at: DateTime<Utc>,
    /// The person's attachment as the registry holds it after this op, when
    /// the op concerns a person.
    pub attachment: Option<AttachmentState>,
    /// The clinic record the op is about, as the registry holds it after
    /// this op (applied or not), so the workstation shows what stands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OpOutcome {
    Applied,
    Rejected { ground: RejectGround },
}

/// Why the registry did not apply an op, as codes the workstation's catalogs
/// explain to the registrar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum RejectGround {
    /// The attachment is refused under the rules (the registrar prints the refusal).
    AttachmentRefused {
        refusal: RefusalGround,
    },
    /// The person is already attached to this district of this clinic.
    AlreadyAttachedHere {
        district_number: Option<u32>,
    },
    /// The person is not attached to this clinic (a detachment of nobody).
    NotAttachedHere,
    /// The slot was booked by someone else first (the registrar picks another).
    SlotTaken,
    /// The booking to cancel does not exist or is already cancelled.
    BookingNotFound,
    /// The call was closed first (on another PC): served, hospitalized or
    /// cancelled; the answer carries the call as it stands.
    CallClosed {
        status: emhana_domain::home_call::CallStatus,
    },
    /// The record the op changes is not at the registry (never registered,
    /// or another clinic's).
    RecordNotFound,
    /// The record is a post's, which its parent clinic's PCs read and whose
    /// calls they may only send someone else to: the post records the rest.
    PostRecordReadOnly,
    /// The booking was changed first on another PC (the person marked
    /// arrived before the cancellation came, ...): it stands at `status`.
    BookingChanged {
        status: emhana_domain::booking::BookingStatus,
    },
    /// The person already has a booking with this doctor that day (made at
    /// another window).
    SecondBookingThatDay,
    /// The doctor's schedule was changed on another PC since this one read
    /// it; the answer carries the schedule as it stands.
    ScheduleChanged,
    /// Another PC opened the same plan for the person first (one open plan
    /// of a kind, and of a condition); the answer carries that plan.
    PlanOpen,
    /// Another PC changed the plan's risk first; the answer carries the plan as it stands.
    PlanChanged,
    /// Another PC changed the clinic's settings since this one read them;
    /// the answer carries them as they stand.
    SettingsChanged,
    /// Another PC recorded (or undid) the visit's outcome first: `standing`
    /// is the outcome that stands; this one stays in the visit's history here.
    VisitOutcomeTaken {
        standing: Option<emhana_domain::care_plan::VisitOutcome>,
    },
    /// Another record of the clinic already has this number (a workstation
    /// numbering outside its series).
    NumberTaken,
    UnknownDistrict {
        district_number: u32,
    },
    UnknownPerson,
    /// The op says it was made later than the registry's clock allows.
    MadeInFuture,
    /// The organization change breaks its rules (the registry checks it as
    /// it checks an import): each problem's code and the reason in words.
    OrganizationRefused {
        problems: Vec<OrganizationProblem>,
    },
    /// The op names no author: only a plan's closure is made by a PC on its own.
    NoAuthor,
    /// The author is not on the clinic's staff on the day the op was made
    /// (never was, or had left by then).
    AuthorNotStaff,
    /// The author's account was disabled before the op was made.
    AuthorDisabled,
    /// The author's roles do not allow what the op does.
    AuthorNotAllowed {
        action: emhana_domain::access::Action,
    },
    /// The op could not be read, or the registry's database could not hold
    /// what it says; `detail` says which field.
    Malformed {
        detail: String,
    },
    /// The op's id is already another clinic's PC's (a file copied from it):
    /// the op is not this PC's to send.
    OpIdTaken,
    /// The person's data cannot stand in the register (the registry checks
    /// it as the registration form does).
    PersonInvalid {
        problem: emhana_domain::PersonProblem,
    },
    /// The op says it was made longer ago than the registry takes (before
    /// its own id was made, or before the longest time a PC may be offline).
    MadeTooLongAgo,
    /// A re-attachment on a change of residence names no new address, or one
    /// outside the clinic's coverage.
    ResidenceOutsideCoverage,
    /// The date of death is after today, before the birth, or on a day the
    /// person was not attached to this clinic.
    DeathDateInvalid,
    /// The registry knows the person died: nothing is attached or booked for them.
    PersonDied,
    /// The person is attached to another clinic: the booking is that clinic's to make.
    AttachedElsewhere,
}

/// A row of a workstation's audit log named by its number and hash (the
/// hash chains every row before it: `crates/workstation/src/store/audit.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditLink {
    pub seq: i64,
    /// SHA-256, 64 lowercase hex digits.
    pub hash: String,
}

impl AuditLink {
    /// Whether it could be a link at all: a positive number, a hash of 64 hex digits.
    pub fn is_well_formed(&self) -> bool {
        self.seq > 0
            && self.hash.len() == 64
            && self.hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    }
}

/// What a workstation sends at each sync about its audit log: its last row
/// (`head`), and the row the registry holds as its head as the log has that
/// row now (`at_held`): a log rewritten or cut since shows there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditHeadReport {
    pub head: AuditLink,
    pub at_held: Option<AuditLink>,
}

/// The registry's answer: the head it holds now, and whether the log still
/// led through the one it held (when not, it keeps the old head and raises
/// an alarm for the administrator).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AuditHeadAnswer {
    pub held: AuditLink,
    pub matches: bool,
}

/// A person's attachment, as much of it as the asking clinic may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum AttachmentState {
    /// Attached to no clinic.
    None,
    /// Attached to the asking clinic.
    Here(Attachment),
    /// Attached to another clinic: only that fact.
    Elsewhere,
}

/// An attachment to the asking clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Attachment {
    pub district_number: Option<u32>,
    pub ground: AttachmentGround,
    pub decided_on: NaiveDate,
    pub started_on: NaiveDate,
    /// The first day no longer attached, when an end is already known.
    pub ended_on: Option<NaiveDate>,
    /// The op that made it, when a workstation did.
    pub op: Option<Uuid>,
}

/// The answer to a person look-up by IIN (the registry stands in for the
/// state person database).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PersonLookup {
    pub person: Person,
    pub died_on: Option<NaiveDate>,
    pub attachment: AttachmentState,
    /// What the asking clinic may see of the person.
    pub given: LookupScope,
}

/// How much of a person a look-up gives (issue 20: personal data by need).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LookupScope {
    /// The clinic's own person (attached to it, its post or its parent): all the registry holds.
    Full,
    /// Someone the clinic does not serve: enough to register and attach them
    /// or serve an emergency — name, birth date, sex, citizenship, address,
    /// death — and no phone.
    ForAttachment,
}

/// Query of a person look-up: the member of staff at the PC who asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct LookupQuery {
    pub actor: String,
}

/// Look-ups one workstation may make in a minute: a registrar types one
/// IIN at a time; more is a harvest.
pub const MAX_LOOKUPS_PER_MINUTE: i64 = 30;

/// A person's OSMS status and payments (`GET {PREFIX}/persons/{iin}/osms?actor=`),
/// as the Fund's digital service would answer; the registry stands in for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OsmsAnswer {
    /// When the Fund's data was read: the status is the status on this day.
    pub known_at: DateTime<Utc>,
    pub facts: emhana_domain::osms::OsmsFacts,
    pub status: emhana_domain::osms::OsmsStatus,
    /// The holder's digital policy (the one whose period the day is in, or
    /// the latest), with the provider they are attached to now.
    #[serde(default)]
    pub policy: Option<PolicyView>,
}

/// A digital policy and the provider its holder is attached to, named by the
/// registry from its attachment register when it answers (seed 003 p. 38).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PolicyView {
    pub policy: emhana_domain::osms::Policy,
    /// `None`: attached nowhere.
    pub provider: Option<PolicyProvider>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PolicyProvider {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
}

/// Query of a pull: `GET {PREFIX}/changes?after=<cursor>&limit=<n>&count=<bool>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PullQuery {
    /// The cursor of the last pull applied; absent on the very first.
    pub after: Option<String>,
    pub limit: Option<u32>,
    /// Also count the changes left (for a first sync's progress bar).
    #[serde(default)]
    pub count: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PullResponse {
    pub changes: Vec<Change>,
    /// Where the next pull starts; store it in the same transaction as the changes.
    pub cursor: String,
    /// Whether more changes are ready now.
    pub more: bool,
    /// Changes exist that are not readable yet (written by transactions still
    /// running on the registry): the feed is not read to its end; pull again soon.
    #[serde(default)]
    pub held_back: bool,
    /// Changes after `cursor`, when asked for.
    pub remaining: Option<u64>,
}

impl PullResponse {
    /// Whether this page reaches the end of the feed as it stands.
    pub fn is_last(&self) -> bool {
        !self.more && !self.held_back
    }
}

/// One entry of the clinic's change feed: the latest state of one person in
/// the clinic's scope, or the explicit news that the person left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum Change {
    Person {
        person: Box<Person>,
        died_on: Option<NaiveDate>,
        /// The person's attachment to this clinic.
        attachment: Attachment,
        /// Whether the data is the state person database's (false: as a
        /// clinic typed it where ГБД ФЛ could not be asked; not confirmed).
        #[serde(default = "from_state_by_default")]
        from_state: bool,
        /// The person's details as the clinics' windows last changed them
        /// (the document, the temporary address, the workplace, household
        /// links): the newest change of each, none for what no window changed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        details: Vec<emhana_domain::registration::PersonChange>,
    },
    /// The person is no longer the clinic's: attached elsewhere or died.
    /// The workstation ends the attachment; it keeps the person's history.
    Left {
        iin: String,
        on: NaiveDate,
        reason: LeftReason,
    },
    /// A record of the clinic (a home call, ...) as it now stands, whole.
    Record { record: Record },
}

/// A registry from before issue 21 held the state's data only.
fn from_state_by_default() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum LeftReason {
    AttachedElsewhere,
    Died,
    Detached,
}

/// The reference data the registry hands out (`GET /v1/reference`): the
/// rules that change by order or by year, so every workstation decides with
/// the same ones. A year not listed keeps seed 000's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ReferenceData {
    /// Attachment campaigns that differ from the default.
    pub campaigns: Vec<emhana_domain::attachment::Campaign>,
    /// Working-day calendars the registry was given, by year; a year not
    /// listed keeps the Law on holidays' days (or what the clinic entered).
    #[serde(default)]
    pub calendars: Vec<CalendarYear>,
    /// Home-call triage tables by the order they come from (its first day);
    /// none: seed 000's.
    #[serde(default)]
    pub triage_rules: Vec<emhana_domain::home_call::TriageRules>,
    /// Care-plan schedules by order; none: seed 000's.
    #[serde(default)]
    pub plan_rules: Vec<emhana_domain::care_plan::PlanRules>,
    /// The minimum monthly wage of each year the administrator set (the
    /// OSMS arrears are 5 % of it a month); a year not listed has none, and
    /// arrears in it are not computed.
    #[serde(default)]
    pub minimum_wages: emhana_domain::osms::MinimumWages,
}

/// One year's working-day calendar: its holidays, days off and worked weekend days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CalendarYear {
    pub year: i32,
    /// In date order.
    pub days: Vec<emhana_domain::calendar::CalendarDay>,
}

/// An error answer of the registry (any 4xx or 5xx).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorBody {
    /// A stable code: `unauthorized`, `forbidden`, `malformed`, `too_large`, ...
    pub code: String,
    pub message: String,
}

/// What is wrong with an organization change: a stable code
/// ([`OrganizationProblem::CODES`], translated by the screens as
/// `organization.problem.<code>`) and the registry's reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OrganizationProblem {
    pub code: String,
    pub reason: String,
}

impl OrganizationProblem {
    /// Every code an organization change can be refused with, at the
    /// registry or on the workstation before it is sent.
    pub const CODES: &'static [&'static str] = &[
        "no_name",
        "no_role",
        "no_region",
        "own_parent",
        "parent_is_a_post",
        "parent_in_another_region",
        "not_our_district",
        "works_to_before_from",
        "no_settlement",
        "no_street",
        "houses_without_street",
        "bad_house_range",
        "bad_district_number",
        "coverage_overlap",
        "not_our_clinic",
    ];
}

/// A clinic's organization as the registry holds it (`GET /v1/organization`):
/// the workstation's clinic with its districts and staff, then the posts it
/// runs, and the clinic that runs it, for a post. The registry owns it; a
/// workstation replaces its copy whenever the version changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Organization {
    /// Grows with every change to any clinic below (one sequence for all
    /// clinics), so a workstation asks with the version it holds.
    pub version: i64,
    /// The workstation's own clinic first, then its posts.
    pub clinics: Vec<ClinicUnit>,
    /// The clinic that runs this one, when this one is a post.
    pub parent: Option<emhana_domain::organization::ClinicProfile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ClinicUnit {
    pub profile: emhana_domain::organization::ClinicProfile,
    /// By number.
    pub districts: Vec<emhana_domain::organization::District>,
    /// By IIN; also those who no longer work here (their `works_to` says
    /// since when), as records name them.
    pub staff: Vec<emhana_domain::organization::StaffMember>,
    /// The accounts of its staff, by IIN (none before a password is set).
    #[serde(default)]
    pub accounts: Vec<Account>,
}

/// `GET /v1/organization?known=<version>`: the organization, or only its
/// version when the workstation already holds that one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "answer", rename_all = "snake_case")]
pub enum OrganizationAnswer {
    Unchanged { version: i64 },
    Changed { organization: Box<Organization> },
}

/// Query of `GET /v1/organization`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OrganizationQuery {
    pub known: Option<i64>,
}

/// How old a clinic's snapshot may be and still be installed: older, the
/// registry does not offer it and a workstation refuses it, and a first
/// sync reads the feed from its start instead.
pub const SNAPSHOT_MAX_AGE_DAYS: i64 = 14;

/// A ready-made workstation database of a clinic's scope
/// (`GET /v1/snapshot`; the file at `GET /v1/snapshot/file`, resumable with
/// `Range: bytes=<from>-`): the organization, the population with its search
/// keys built, the clinic's records, and the feed's cursor they stand at. A
/// new workstation installs it and follows the feed from `cursor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SnapshotInfo {
    pub clinic_bin: String,
    /// The feed's cursor the snapshot holds everything up to.
    pub cursor: String,
    pub built_at: DateTime<Utc>,
    /// The workstation schema (its last migration) the file is in; a
    /// workstation of another schema reads the feed instead.
    pub schema_version: i64,
    /// Bytes of the file, and its SHA-256 in hex: checked before it is installed.
    pub size: u64,
    pub sha256: String,
    /// Persons it holds (for the progress bar's words).
    pub persons: u64,
}
