//! The clinic's own records — home calls first — kept whole at the registry
//! and carried in the clinic's feed to every PC of the clinic.
//!
//! A record has an id made where it is first written (a UUID), so it is the
//! same record on every PC. It is created by one op and changed by others;
//! the registry applies each change under the record's rule (a call closed
//! first stays closed) and the feed carries the record as it then stands,
//! whole, so a PC never has to replay history to show it.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use emhana_domain::Person;
use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
use emhana_domain::care_plan::{PlanClosure, PlanEvent, PlannedVisit, PregnancyOutcome, VisitOutcome};
use emhana_domain::home_call::{CallAcceptance, CallClosed, CallStatus, Indication, Responder, TriageReason};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An id every PC derives alike from what names the record: the first 16
/// bytes of SHA-256 over `name`, as a UUID of the custom (version 8) kind.
fn derived_id(name: &str) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(name.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// A record of the clinic as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Call(Box<CallRecord>),
    Booking(Box<BookingRecord>),
    Schedule(Box<ScheduleRecord>),
    Plan(Box<PlanRecord>),
    Round(Box<RoundRecord>),
    Settings(Box<SettingsRecord>),
}

impl Record {
    pub fn id(&self) -> Uuid {
        match self {
            Record::Call(call) => call.id,
            Record::Booking(booking) => booking.id,
            Record::Schedule(schedule) => schedule.id,
            Record::Plan(plan) => plan.id,
            Record::Round(round) => round.id,
            Record::Settings(settings) => settings.id,
        }
    }

    /// The clinic whose record it is (a post's own, read at its parent's PCs).
    pub fn clinic_bin(&self) -> &str {
        match self {
            Record::Call(call) => &call.clinic_bin,
            Record::Booking(booking) => &booking.clinic_bin,
            Record::Schedule(schedule) => &schedule.clinic_bin,
            Record::Plan(plan) => &plan.clinic_bin,
            Record::Round(round) => &round.clinic_bin,
            Record::Settings(settings) => &settings.clinic_bin,
        }
    }

    /// The stable name of the record's kind (the registry's `clinic_record.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Call(_) => "call",
            Record::Booking(_) => "booking",
            Record::Schedule(_) => "schedule",
            Record::Plan(_) => "plan",
            Record::Round(_) => "round",
            Record::Settings(_) => "settings",
        }
    }
}

/// A doctor's schedule, whole: every weekly template and exception.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ScheduleRecord {
    /// [`ScheduleRecord::id_for`] the clinic and the doctor: every PC names
    /// the same doctor's schedule alike without asking anyone.
    pub id: Uuid,
    pub clinic_bin: String,
    pub staff_iin: String,
    pub schedule: emhana_domain::schedule::StaffSchedule,
    /// The op that made this version, stamped by the registry (`None` in
    /// the op that proposes it).
    pub changed_by: Option<Uuid>,
}

impl ScheduleRecord {
    /// The id of a doctor's schedule in a clinic: the first 16 bytes of
    /// SHA-256 over both, as a UUID of the custom (version 8) kind.
    pub fn id_for(clinic_bin: &str, staff_iin: &str) -> Uuid {
        derived_id(&format!("emhana-schedule/{clinic_bin}/{staff_iin}"))
    }
}

/// A doctor's schedule set on one PC, over the version it knew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SetScheduleOp {
    pub schedule: ScheduleRecord,
    /// The version (`changed_by`) this PC changed; `None` when it knew none.
    /// Another PC's change in between makes this one stale: rejected, unless
    /// it sets the very schedule that already stands.
    pub base: Option<Uuid>,
}

/// The clinic's settings that must agree between its PCs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SettingsRecord {
    /// [`SettingsRecord::id_for`] the clinic: one record per clinic.
    pub id: Uuid,
    pub clinic_bin: String,
    pub settings: ClinicSettings,
    /// The op that made this version, stamped by the registry (`None` in
    /// the op that proposes it).
    pub changed_by: Option<Uuid>,
}

/// What every PC of a clinic decides by alike: the districts' list norms
/// (the warning at attachment), the pace a nurse's day is timed at, the
/// paper slips are printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ClinicSettings {
    pub list_norms: emhana_domain::attachment::ListNorms,
    pub round_pace: emhana_domain::round::RoundPace,
    pub slip_format: emhana_domain::documents::SlipFormat,
    /// Minutes of no use after which a signed-in window locks (settings
    /// sent before there was sign-in have none: the default).
    #[serde(default = "default_lock_after_minutes")]
    pub lock_after_minutes: u32,
}

fn default_lock_after_minutes() -> u32 {
    emhana_domain::access::DEFAULT_LOCK_AFTER_MINUTES
}

impl SettingsRecord {
    /// The id of a clinic's settings: the first 16 bytes of SHA-256 over its
    /// BIN, as a UUID of the custom (version 8) kind.
    pub fn id_for(clinic_bin: &str) -> Uuid {
        derived_id(&format!("emhana-settings/{clinic_bin}"))
    }
}

/// The clinic's settings set on one PC, over the version it knew.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SetSettingsOp {
    pub settings: SettingsRecord,
    /// The version (`changed_by`) this PC changed; another PC's change in
    /// between makes this one stale: rejected, unless it sets what stands.
    pub base: Option<Uuid>,
}

/// A nurse's day as she ordered it: her stops in her order (the ones she
/// moved; the rest follow in route order on every PC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RoundRecord {
    /// [`RoundRecord::id_for`] the clinic, the nurse and the day.
    pub id: Uuid,
    pub clinic_bin: String,
    pub nurse_iin: String,
    pub day: NaiveDate,
    pub stops: Vec<RoundStopKey>,
}

/// A stop of a round by the record it is: a plan's visit or a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RoundStopKey {
    Visit(Uuid),
    Call(Uuid),
}

impl RoundRecord {
    /// The id of a nurse's day in a clinic: the first 16 bytes of SHA-256
    /// over the three, as a UUID of the custom (version 8) kind.
    pub fn id_for(clinic_bin: &str, nurse_iin: &str, day: NaiveDate) -> Uuid {
        derived_id(&format!("emhana-round/{clinic_bin}/{nurse_iin}/{day}"))
    }
}

/// A booking of a doctor's slot, whole, with every status it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BookingRecord {
    pub id: Uuid,
    pub clinic_bin: String,
    /// The (Kazakhstan) year it was made and its number in the booking
    /// workstation's series.
    pub year: i32,
    pub number: u32,
    /// The person booked (attached here; carried so a PC that has not yet
    /// read them from the feed can show the booking).
    pub person: Person,
    pub staff_iin: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub room: Option<String>,
    pub reason: VisitReason,
    pub channel: BookingChannel,
    pub status: BookingStatus,
    /// The booking this one replaced when the visit was moved.
    pub moved_from: Option<Uuid>,
    pub registrar_iin: Option<String>,
    pub made_at: DateTime<Utc>,
    /// Every status it took, the first `booked`.
    pub history: Vec<BookingEvent>,
}

/// One status a booking took: when, who, and why when not a click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BookingEvent {
    pub at: DateTime<Utc>,
    pub status: BookingStatus,
    pub staff_iin: Option<String>,
    pub note: Option<String>,
}

/// A booking's status changed on one PC: arrived, did not come, cancelled, moved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BookingChange {
    pub booking: Uuid,
    pub event: BookingEvent,
}

impl BookingRecord {
    /// The booking after a status change, or the status that refuses it:
    /// the first change to reach the registry stands (a cancellation after
    /// the person arrived is refused; `emhana_domain::booking::may_become`).
    pub fn apply(&self, change: &BookingChange) -> Result<BookingRecord, BookingStatus> {
        if !emhana_domain::booking::may_become(self.status, change.event.status) {
            return Err(self.status);
        }
        let mut booking = self.clone();
        booking.status = change.event.status;
        booking.history.push(change.event.clone());
        Ok(booking)
    }
}

/// A home-visit call in the clinic's journal, whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CallRecord {
    pub id: Uuid,
    pub clinic_bin: String,
    /// The (Kazakhstan) year of the call and its number in the taking
    /// workstation's series (`emhana_domain::numbering`).
    pub year: i32,
    pub number: u32,
    /// The person as the taking PC knew them: a call taken for someone not
    /// attached here (an emergency) must reach PCs that never saw them.
    pub person: Person,
    pub received_at: DateTime<Utc>,
    pub caller: String,
    pub caller_phone: Option<String>,
    pub complaint: String,
    /// In tenths of a degree Celsius (385: 38.5 °C), exact on every PC.
    pub temperature_tenths: Option<i16>,
    pub pregnant: bool,
    pub age_years: u32,
    pub registrar_wants_doctor: bool,
    pub indications: Vec<Indication>,
    /// What the triage table in force said, and the table's first day.
    pub suggested: Responder,
    pub reasons: Vec<TriageReason>,
    pub rules_valid_from: NaiveDate,
    pub goes: Responder,
    pub acceptance: CallAcceptance,
    pub planned_on: NaiveDate,
    /// The IIN of the staff member who goes; `None` for the ambulance or a
    /// district with nobody.
    pub assigned_staff_iin: Option<String>,
    /// A doctor's call taken by a post's feldsher.
    pub doctor_level: bool,
    pub status: CallStatus,
    /// How the call ended, when it has.
    pub outcome: Option<CallOutcome>,
    pub registrar_iin: Option<String>,
}

/// Who recorded how a call ended, when, and what they noted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CallOutcome {
    pub at: DateTime<Utc>,
    pub staff_iin: Option<String>,
    pub note: Option<String>,
}

/// A change to a call made on one PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeCallOp {
    pub call: Uuid,
    pub clinic_bin: String,
    pub person_iin: String,
    pub change: CallChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum CallChange {
    /// How the call went; `handed_to` when it goes on to someone else (a
    /// nurse passing it to the district doctor).
    Status {
        status: CallStatus,
        outcome: CallOutcome,
        handed_to: Option<CallAssignment>,
    },
    /// Someone else sent (another nurse covering the district, a doctor).
    Reassign { to: CallAssignment },
}

/// Who goes to a call, and on what day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CallAssignment {
    pub goes: Responder,
    pub staff_iin: Option<String>,
    pub doctor_level: bool,
    pub planned_on: NaiveDate,
    /// The status the call stands at afterwards (registered: waiting for whoever goes).
    pub status: CallStatus,
}

impl CallRecord {
    /// The call after a change, or why the change is not made: a call that
    /// was closed first (served, hospitalized, cancelled) stays as it is.
    pub fn apply(&self, change: &CallChange) -> Result<CallRecord, CallClosed> {
        emhana_domain::home_call::may_change_call(self.status)?;
        let mut call = self.clone();
        match change {
            CallChange::Status {
                status,
                outcome,
                handed_to,
            } => {
                call.status = *status;
                call.outcome = Some(outcome.clone());
                if let Some(to) = handed_to {
                    call.assign(to);
                }
            }
            CallChange::Reassign { to } => call.assign(to),
        }
        Ok(call)
    }

    /// Who goes to the call now, and on what day, as a change carries it.
    pub fn assignment(&self) -> CallAssignment {
        CallAssignment {
            goes: self.goes,
            staff_iin: self.assigned_staff_iin.clone(),
            doctor_level: self.doctor_level,
            planned_on: self.planned_on,
            status: self.status,
        }
    }

    fn assign(&mut self, to: &CallAssignment) {
        self.goes = to.goes;
        self.assigned_staff_iin = to.staff_iin.clone();
        self.doctor_level = to.doctor_level;
        self.planned_on = to.planned_on;
        self.status = to.status;
    }
}

/// A care plan of the clinic, whole: the event it was planned from and its
/// visits, each with every outcome recorded for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PlanRecord {
    pub id: Uuid,
    pub clinic_bin: String,
    /// The person as the opening PC knew them.
    pub person: Person,
    pub event: PlanEvent,
    /// The first day of the rule table the visits were planned by.
    pub rules_valid_from: NaiveDate,
    pub opened_at: DateTime<Utc>,
    pub opened_by_iin: Option<String>,
    /// An observation plan's visits reach this day; every PC plans further
    /// itself, by the same rules, into visits of the same ids.
    pub planned_through: Option<NaiveDate>,
    pub closed: Option<PlanClosing>,
    /// By window (`due_from`), then id: the order every PC lists them in.
    pub visits: Vec<VisitRecord>,
    /// The op that opened the plan or last changed its risk, stamped by the
    /// registry (`None` in the op that proposes it): a risk change names
    /// the version it changed.
    pub changed_by: Option<Uuid>,
}

/// When and why a plan closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PlanClosing {
    pub on: NaiveDate,
    pub reason: PlanClosure,
    pub pregnancy_outcome: Option<PregnancyOutcome>,
}

/// A visit of a plan as it stands (a move shifts its window), with its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitRecord {
    /// [`VisitRecord::id_for`] the plan and the visit as first planned.
    pub id: Uuid,
    pub visit: PlannedVisit,
    pub outcome: Option<VisitOutcome>,
    pub closed: bool,
    /// Every outcome recorded, in order, the undone ones marked.
    pub history: Vec<VisitEvent>,
}

/// One outcome recorded for a visit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitEvent {
    /// Made where it was recorded.
    pub id: Uuid,
    /// Kazakhstan wall-clock time, as the round reads it.
    pub at: NaiveDateTime,
    pub outcome: VisitOutcome,
    pub moved_to: Option<NaiveDate>,
    pub staff_iin: Option<String>,
    pub note: Option<String>,
    /// The visit before it: what an undo restores.
    pub prior: VisitPrior,
    pub undone: Option<VisitUndone>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitPrior {
    pub outcome: Option<VisitOutcome>,
    pub closed: bool,
    pub due_from: NaiveDate,
    pub due_to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitUndone {
    pub at: NaiveDateTime,
    pub staff_iin: Option<String>,
}

/// A change to a care plan made on one PC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangePlanOp {
    pub plan: Uuid,
    pub clinic_bin: String,
    pub person_iin: String,
    pub change: PlanChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum PlanChange {
    /// The risk changed: the event and the visits planned again from it,
    /// over the plan's version this PC knew (`base`).
    Risk {
        event: PlanEvent,
        rules_valid_from: NaiveDate,
        planned_through: Option<NaiveDate>,
        visits: Vec<VisitRecord>,
        base: Option<Uuid>,
    },
    /// The plan closed (its end recorded, or its person gone).
    Close { closed: PlanClosing },
    /// An outcome recorded for a visit (the visit as this PC planned it,
    /// for one planned ahead here that the registry has not seen), over the
    /// visit's standing outcome this PC knew (`base`: its event id).
    Outcome {
        visit: VisitRecord,
        event: VisitEvent,
        base: Option<Uuid>,
    },
    /// The visit's standing outcome undone.
    Undo {
        visit: Uuid,
        event: Uuid,
        undone: VisitUndone,
    },
}

/// Why a change to a plan is not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanConflict {
    /// Another PC changed the plan's risk first.
    Changed,
    /// Another PC recorded (or undid) the visit's outcome first; what stands.
    OutcomeTaken { standing: Option<VisitOutcome> },
    /// The visit is not in the plan.
    NoSuchVisit,
}

impl VisitRecord {
    /// A visit's id: the first 16 bytes of SHA-256 over its plan and what
    /// it is as first planned (purpose, who, specialty, what, first due
    /// day), so two PCs planning a plan ahead on their own name its visits
    /// alike.
    pub fn id_for(plan: Uuid, visit: &PlannedVisit) -> Uuid {
        // what is done tells apart two visits of one purpose on one day (a
        // year's tests and the biennial monitoring)
        let name = format!(
            "emhana-visit/{plan}/{}/{}/{}/{}/{}",
            visit.purpose.as_str(),
            visit.who.as_str(),
            visit.specialty.as_deref().unwrap_or(""),
            visit.what.as_deref().unwrap_or(""),
            visit.due_from
        );
        derived_id(&name)
    }

    /// The outcome standing: the last one recorded and not undone.
    pub fn standing(&self) -> Option<&VisitEvent> {
        self.history.iter().rev().find(|event| event.undone.is_none())
    }
}

impl PlanRecord {
    /// The plan after a change made by op `op`, or why it is not made: the
    /// first outcome of a visit to reach the registry stands, as does the
    /// first risk change over a version; a closed plan stays closed as it
    /// first closed.
    pub fn apply(&self, change: &PlanChange, op: Uuid) -> Result<PlanRecord, PlanConflict> {
        let mut plan = self.clone();
        match change {
            PlanChange::Risk {
                event,
                rules_valid_from,
                planned_through,
                visits,
                base,
            } => {
                if self.changed_by != *base {
                    return Err(PlanConflict::Changed);
                }
                // a visit with outcomes is history: kept as recorded here, whatever the PC planned
                let mut merged: Vec<VisitRecord> = visits
                    .iter()
                    .map(|visit| match self.visit(visit.id) {
                        Some(kept) if !kept.history.is_empty() => kept.clone(),
                        _ => visit.clone(),
                    })
                    .collect();
                for kept in &self.visits {
                    if !kept.history.is_empty() && !merged.iter().any(|visit| visit.id == kept.id) {
                        merged.push(kept.clone());
                    }
                }
                plan.event = event.clone();
                plan.rules_valid_from = *rules_valid_from;
                plan.planned_through = *planned_through;
                plan.visits = merged;
                plan.changed_by = Some(op);
            }
            PlanChange::Close { closed } => {
                if plan.closed.is_none() {
                    plan.closed = Some(*closed);
                }
            }
            PlanChange::Outcome { visit, event, base } => {
                let index = match plan.visits.iter().position(|kept| kept.id == visit.id) {
                    Some(index) => index,
                    None => {
                        // planned ahead on that PC: the registry learns of it now
                        let mut planned = visit.clone();
                        planned.history.clear();
                        plan.visits.push(planned);
                        plan.visits.len() - 1
                    }
                };
                let kept = &mut plan.visits[index];
                let standing = kept.standing();
                if standing.map(|standing| standing.id) != *base {
                    return Err(PlanConflict::OutcomeTaken {
                        standing: standing.map(|standing| standing.outcome),
                    });
                }
                kept.outcome = Some(event.outcome);
                kept.closed = event.outcome.closes();
                if let Some(day) = event.moved_to {
                    kept.visit.due_from = day;
                    kept.visit.due_to = day;
                }
                kept.history.push(event.clone());
            }
            PlanChange::Undo { visit, event, undone } => {
                let kept = plan
                    .visits
                    .iter_mut()
                    .find(|kept| kept.id == *visit)
                    .ok_or(PlanConflict::NoSuchVisit)?;
                let standing = kept.standing().map(|standing| (standing.id, standing.outcome));
                if standing.map(|(id, _)| id) != Some(*event) {
                    return Err(PlanConflict::OutcomeTaken {
                        standing: standing.map(|(_, outcome)| outcome),
                    });
                }
                if let Some(recorded) = kept
                    .history
                    .iter_mut()
                    .rev()
                    .find(|recorded| recorded.id == *event)
                {
                    recorded.undone = Some(undone.clone());
                    let prior = recorded.prior.clone();
                    kept.outcome = prior.outcome;
                    kept.closed = prior.closed;
                    kept.visit.due_from = prior.due_from;
                    kept.visit.due_to = prior.due_to;
                }
            }
        }
        // in the order every PC lists them: by window, then id
        plan.visits.sort_by_key(|visit| (visit.visit.due_from, visit.id));
        Ok(plan)
    }

    fn visit(&self, id: Uuid) -> Option<&VisitRecord> {
        self.visits.iter().find(|visit| visit.id == id)
    }
}

#[cfg(test)]
mod tests;
