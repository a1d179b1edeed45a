//! The clinic's own records — home calls first — kept whole at the registry
//! and carried in the clinic's feed to every PC of the clinic.
//!
//! A record has an id made where it is first written (a UUID), so it is the
//! same record on every PC. It is created by one op and changed by others;
//! the registry applies each change under the record's rule (a call closed
//! first stays closed) and the feed carries the record as it then stands,
//! whole, so a PC never has to replay history to show it.

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::Person;
use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
use emhana_domain::home_call::{CallAcceptance, CallClosed, CallStatus, Indication, Responder, TriageReason};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A record of the clinic as the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Call(Box<CallRecord>),
    Booking(Box<BookingRecord>),
    Schedule(Box<ScheduleRecord>),
}

impl Record {
    pub fn id(&self) -> Uuid {
        match self {
            Record::Call(call) => call.id,
            Record::Booking(booking) => booking.id,
            Record::Schedule(schedule) => schedule.id,
        }
    }

    /// The stable name of the record's kind (the registry's `clinic_record.kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            Record::Call(_) => "call",
            Record::Booking(_) => "booking",
            Record::Schedule(_) => "schedule",
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
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("emhana-schedule/{clinic_bin}/{staff_iin}").as_bytes());
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn call(status: CallStatus) -> CallRecord {
        let person: Person = serde_json::from_value(serde_json::json!({
            "iin": "900101300017", "surname": "Ахметова", "first_name": "Айгуль", "patronymic": null,
            "birth_date": "1990-01-01", "sex": "female", "citizenship": "citizen", "address": null, "phone": null
        }))
        .unwrap_or_else(|error| panic!("person: {error}"));
        CallRecord {
            id: Uuid::nil(),
            clinic_bin: "000000000001".into(),
            year: 2026,
            number: 1_000_001,
            person,
            received_at: DateTime::UNIX_EPOCH,
            caller: "сама".into(),
            caller_phone: None,
            complaint: "температура".into(),
            temperature_tenths: Some(378),
            pregnant: false,
            age_years: 36,
            registrar_wants_doctor: false,
            indications: vec![],
            suggested: Responder::Nurse,
            reasons: vec![],
            rules_valid_from: NaiveDate::MIN,
            goes: Responder::Nurse,
            acceptance: CallAcceptance::Taken,
            planned_on: NaiveDate::MIN,
            assigned_staff_iin: Some("800101400011".into()),
            doctor_level: false,
            status,
            outcome: None,
            registrar_iin: None,
        }
    }

    fn reassign() -> CallChange {
        CallChange::Reassign {
            to: CallAssignment {
                goes: Responder::DistrictDoctor,
                staff_iin: Some("700101300012".into()),
                doctor_level: false,
                planned_on: NaiveDate::MIN,
                status: CallStatus::Registered,
            },
        }
    }

    #[test]
    fn a_call_changes_until_it_is_closed_and_never_after() {
        let served = CallChange::Status {
            status: CallStatus::Served,
            outcome: CallOutcome {
                at: DateTime::UNIX_EPOCH,
                staff_iin: Some("800101400011".into()),
                note: None,
            },
            handed_to: None,
        };
        let open = call(CallStatus::Registered);
        let after = open.apply(&served).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(after.status, CallStatus::Served);
        assert_eq!(
            after.apply(&reassign()),
            Err(CallClosed {
                closed: CallStatus::Served
            })
        );
        // Not at home and passed to the ambulance leave it open: someone may still go.
        for status in [CallStatus::NotAtHome, CallStatus::PassedToAmbulance] {
            let moved = call(status)
                .apply(&reassign())
                .unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(moved.assigned_staff_iin.as_deref(), Some("700101300012"));
            assert_eq!(moved.status, CallStatus::Registered);
        }
        for status in [CallStatus::Hospitalized, CallStatus::Cancelled] {
            assert!(call(status).apply(&served).is_err(), "{status:?} is closed");
        }
    }
}
