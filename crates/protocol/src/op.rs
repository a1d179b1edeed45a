//! Ops: the immutable record of one local change, as pushed to the registry.

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::Person;
use emhana_domain::access::Action;
use emhana_domain::attachment::AttachmentGround;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Hlc;
use crate::record::{
    BookingChange, BookingRecord, CallChange, CallRecord, ChangeCallOp, ChangePlanOp, PlanChange, PlanRecord,
    RoundRecord, SetScheduleOp, SetSettingsOp,
};

/// One change made on a workstation. Everything but the body is stamped when
/// the op is made — who made it, where and when — never when it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Op {
    /// UUIDv7, made on the workstation: the key of idempotency.
    pub id: Uuid,
    pub workstation: Uuid,
    /// The IIN of the staff member who made the change; `None` when no one
    /// was named (the workstation acted on its own).
    pub actor_iin: Option<String>,
    /// The author's wall clock when the change was made; the registry judges
    /// the change as of this instant (an application made in the campaign
    /// stays made in the campaign, however late it arrives).
    pub made_at: DateTime<Utc>,
    pub hlc: Hlc,
    pub body: OpBody,
}

// A push holds at most MAX_OPS_PER_PUSH ops: the attachment's size (the
// person whole, with their details) is a few hundred kilobytes at worst.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OpBody {
    Attach(AttachOp),
    Detach(DetachOp),
    Book(BookOp),
    CancelBooking(CancelBookingOp),
    /// A home call taken: the call whole, as the journal holds it.
    RegisterCall(Box<CallRecord>),
    /// A call's status recorded, or someone else sent to it.
    ChangeCall(ChangeCallOp),
    /// A booking marked arrived or did not come (a cancellation or a move
    /// gives the slot back: `CancelBooking`).
    ChangeBooking(ChangeBookingOp),
    /// A doctor's schedule (templates and exceptions) as set on one PC.
    SetSchedule(Box<SetScheduleOp>),
    /// A care plan opened: the plan whole, with its visits.
    OpenPlan(Box<PlanRecord>),
    /// A plan's risk changed, a plan closed, a visit's outcome recorded or undone.
    ChangePlan(Box<ChangePlanOp>),
    /// A nurse's day ordered as she wants it (the last order to arrive stands).
    SetRound(Box<RoundRecord>),
    /// The clinic's settings as set on one PC (list norms, round pace, slip paper).
    SetSettings(Box<SetSettingsOp>),
    /// A change to the organization the head made at the app (a member of
    /// staff, a district, a district's coverage); the registry applies it
    /// with the rules an import passes.
    ChangeOrganization(Box<ChangeOrganizationOp>),
    /// A person's registered address or phone changed at the window.
    ChangePerson(ChangePersonOp),
}

impl OpBody {
    /// Every op kind's name, as [`OpBody::kind`] gives it (the screens name each).
    pub const KINDS: [&'static str; 14] = [
        "attach",
        "detach",
        "book",
        "cancel_booking",
        "register_call",
        "change_call",
        "change_booking",
        "set_schedule",
        "open_plan",
        "change_plan",
        "set_round",
        "set_settings",
        "change_organization",
        "change_person",
    ];

    pub fn kind(&self) -> &'static str {
        match self {
            OpBody::Attach(_) => "attach",
            OpBody::Detach(_) => "detach",
            OpBody::Book(_) => "book",
            OpBody::CancelBooking(_) => "cancel_booking",
            OpBody::RegisterCall(_) => "register_call",
            OpBody::ChangeCall(_) => "change_call",
            OpBody::ChangeBooking(_) => "change_booking",
            OpBody::SetSchedule(_) => "set_schedule",
            OpBody::OpenPlan(_) => "open_plan",
            OpBody::ChangePlan(_) => "change_plan",
            OpBody::SetRound(_) => "set_round",
            OpBody::SetSettings(_) => "set_settings",
            OpBody::ChangeOrganization(_) => "change_organization",
            OpBody::ChangePerson(_) => "change_person",
        }
    }

    /// The clinic the op changes; it must be the workstation's own.
    pub fn clinic_bin(&self) -> &str {
        match self {
            OpBody::Attach(op) => &op.clinic_bin,
            OpBody::Detach(op) => &op.clinic_bin,
            OpBody::Book(op) => &op.slot.clinic_bin,
            OpBody::CancelBooking(op) => &op.slot.clinic_bin,
            OpBody::RegisterCall(call) => &call.clinic_bin,
            OpBody::ChangeCall(op) => &op.clinic_bin,
            OpBody::ChangeBooking(op) => &op.clinic_bin,
            OpBody::SetSchedule(op) => &op.schedule.clinic_bin,
            OpBody::OpenPlan(plan) => &plan.clinic_bin,
            OpBody::ChangePlan(op) => &op.clinic_bin,
            OpBody::SetRound(round) => &round.clinic_bin,
            OpBody::SetSettings(op) => &op.settings.clinic_bin,
            OpBody::ChangeOrganization(op) => &op.clinic_bin,
            OpBody::ChangePerson(op) => &op.clinic_bin,
        }
    }

    /// The IIN of the person the op concerns.
    pub fn person_iin(&self) -> String {
        match self {
            OpBody::Attach(op) => op.person.iin.as_string(),
            OpBody::Detach(op) => op.iin.clone(),
            OpBody::Book(op) => op.iin.clone(),
            OpBody::CancelBooking(op) => op.iin.clone(),
            OpBody::RegisterCall(call) => call.person.iin.as_string(),
            OpBody::ChangeCall(op) => op.person_iin.clone(),
            OpBody::ChangeBooking(op) => op.person_iin.clone(),
            // about a doctor, not a person: the doctor's IIN names no one in the register
            OpBody::SetSchedule(op) => op.schedule.staff_iin.clone(),
            OpBody::OpenPlan(plan) => plan.person.iin.as_string(),
            OpBody::ChangePlan(op) => op.person_iin.clone(),
            // about a nurse's day, not a person of the register
            OpBody::SetRound(round) => round.nurse_iin.clone(),
            // about the clinic: its BIN names no one in the register
            OpBody::SetSettings(op) => op.settings.clinic_bin.clone(),
            OpBody::ChangeOrganization(op) => op.clinic_bin.clone(),
            OpBody::ChangePerson(op) => op.iin.clone(),
        }
    }

    /// What the op's author must be allowed to do (`emhana_domain::access`):
    /// the registry asks it of the author's roles, as the workstation asked
    /// before making the op.
    pub fn action(&self) -> Action {
        match self {
            OpBody::Attach(_) => Action::Attach,
            OpBody::Detach(op) => match op.reason {
                DetachReason::Died => Action::RecordDeath,
                DetachReason::ClinicLiquidated => Action::Detach,
            },
            OpBody::Book(_) | OpBody::CancelBooking(_) | OpBody::ChangeBooking(_) => Action::Book,
            OpBody::RegisterCall(_) => Action::TakeCall,
            OpBody::ChangeCall(op) => match op.change {
                CallChange::Status { .. } => Action::RecordCallStatus,
                CallChange::Reassign { .. } => Action::DispatchCall,
            },
            OpBody::SetSchedule(_) => Action::EditSchedule,
            OpBody::OpenPlan(_) => Action::PlanCare,
            OpBody::ChangePlan(op) => match op.change {
                PlanChange::Risk { .. } | PlanChange::Close { .. } => Action::PlanCare,
                PlanChange::Outcome { .. } | PlanChange::Undo { .. } => Action::RecordVisit,
            },
            OpBody::SetRound(_) => Action::OrderRound,
            OpBody::SetSettings(_) => Action::EditSettings,
            OpBody::ChangeOrganization(_) => Action::EditOrganization,
            OpBody::ChangePerson(_) => Action::RegisterPerson,
        }
    }

    /// Whether the op may come with no author: only a plan's closure, which
    /// every PC of the clinic makes by itself once a plan is over (its person
    /// died, left, or grew out of it) from facts they share.
    pub fn may_come_unauthored(&self) -> bool {
        matches!(self, OpBody::ChangePlan(op) if matches!(op.change, PlanChange::Close { .. }))
    }

    /// The clinic record the op creates or changes, when it is about one.
    pub fn record_id(&self) -> Option<Uuid> {
        match self {
            OpBody::RegisterCall(call) => Some(call.id),
            OpBody::ChangeCall(op) => Some(op.call),
            OpBody::Book(op) => op.booking.as_ref().map(|booking| booking.id),
            OpBody::CancelBooking(op) => op.change.as_ref().map(|change| change.booking),
            OpBody::ChangeBooking(op) => Some(op.change.booking),
            OpBody::SetSchedule(op) => Some(op.schedule.id),
            OpBody::OpenPlan(plan) => Some(plan.id),
            OpBody::ChangePlan(op) => Some(op.plan),
            OpBody::SetRound(round) => Some(round.id),
            OpBody::SetSettings(op) => Some(op.settings.id),
            OpBody::Attach(_)
            | OpBody::Detach(_)
            | OpBody::ChangeOrganization(_)
            | OpBody::ChangePerson(_) => None,
        }
    }
}

/// A person's data changed at the workstation's clinic (an address, the
/// phone, the document, the workplace, a household link): the registry
/// keeps it, with the author and the history, and every PC of the clinic
/// gets it in its feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangePersonOp {
    pub clinic_bin: String,
    pub iin: String,
    pub change: emhana_domain::registration::PersonChange,
}

/// A change to the organization, made at the workstation's clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeOrganizationOp {
    /// The workstation's own clinic.
    pub clinic_bin: String,
    /// The clinic changed: the workstation's own, or a post it runs.
    pub unit_bin: String,
    pub change: OrganizationChange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum OrganizationChange {
    /// A member of staff added, or their entry replaced (by IIN).
    Staff {
        member: emhana_domain::organization::StaffMember,
    },
    /// A district added, or its kind or own list norm changed.
    District {
        number: u32,
        kind: emhana_domain::DistrictKind,
        list_norm: Option<u32>,
    },
    /// A district's coverage replaced whole.
    Coverage {
        district: u32,
        areas: Vec<emhana_domain::organization::CoveredArea>,
    },
}

/// An application for attachment decided on the workstation (provisionally).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AttachOp {
    /// The person as registered at the window.
    pub person: Person,
    pub clinic_bin: String,
    pub district_number: u32,
    pub ground: AttachmentGround,
    pub consent_given: bool,
    pub application: ApplicationKey,
    /// On a change of residence, the new address it rests on (registered or
    /// temporary): the registry checks it against the clinic's coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub new_residence: Option<emhana_domain::Address>,
    /// The person's data the registry keeps once the attachment stands: on
    /// the first attachment from the PC that registered the person, what the
    /// registration typed (the document, the temporary address, the
    /// workplace, the mother); on a change of residence, the address moved to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<emhana_domain::registration::PersonChange>,
}

/// An application's number in its clinic and year, as printed on the ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ApplicationKey {
    pub year: i32,
    pub number: u32,
}

/// The end of a person's attachment to the clinic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DetachOp {
    pub iin: String,
    pub clinic_bin: String,
    /// The first day no longer attached.
    pub on: NaiveDate,
    pub reason: DetachReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum DetachReason {
    /// The person died on `on` (the attachment ends that day).
    Died,
    /// The clinic closed; its persons attach elsewhere.
    ClinicLiquidated,
}

/// A doctor's appointment slot: one doctor, one start time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct SlotKey {
    pub clinic_bin: String,
    pub staff_iin: String,
    pub starts_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct BookOp {
    pub slot: SlotKey,
    pub iin: String,
    /// The booking whole, kept by the registry and carried to the clinic's
    /// other PCs; absent from workstations that shared only the slot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub booking: Option<Box<BookingRecord>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CancelBookingOp {
    pub slot: SlotKey,
    pub iin: String,
    /// The booking's new status (cancelled or moved) with who and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change: Option<BookingChange>,
}

/// A booking marked arrived or did not come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChangeBookingOp {
    pub clinic_bin: String,
    pub person_iin: String,
    pub change: BookingChange,
}
