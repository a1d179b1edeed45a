//! The facts printed on the registrar's documents, as plain data: the store
//! fills them, the `print` crate lays them out. Names are given in both
//! languages where the document is bilingual.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::attachment::{AttachmentGround, Campaign, Channel, RefusalGround};
use crate::clinic::{DistrictKind, StaffRole};
use crate::person::Address;

/// The clinic as its letterhead shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ClinicHeader {
    pub name_kk: String,
    pub name_ru: String,
    pub bin: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PersonLine {
    pub full_name: String,
    pub iin: String,
    pub birth_date: NaiveDate,
    pub address: Option<Address>,
}

/// An attachment application and its decision: the ticket or the refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ApplicationDocument {
    pub clinic: ClinicHeader,
    pub application_id: i64,
    /// "2026/17": the number in the clinic and year.
    pub application_number: String,
    pub submitted_at: DateTime<Utc>,
    pub decided_on: NaiveDate,
    pub channel: Channel,
    pub ground: AttachmentGround,
    pub person: PersonLine,
    pub registrar: String,
    pub outcome: DocumentOutcome,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DocumentOutcome {
    Attached {
        district_number: u32,
        district_kind: DistrictKind,
        /// The district's doctor, feldsher and nurse, each named in the role
        /// they hold (a feldsher post's district has a feldsher, not a doctor).
        team: Vec<TeamMember>,
        effective_on: NaiveDate,
        /// True until the central registry confirms the attachment.
        provisional: bool,
    },
    Refused {
        ground: RefusalGround,
        /// The campaign of the year of decision, which the refusal may cite.
        campaign: Campaign,
    },
}

/// A member of a district's team as a ticket names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct TeamMember {
    pub role: StaffRole,
    pub name: String,
}

/// The consent to access restricted personal data, printed for signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ConsentDocument {
    pub clinic: ClinicHeader,
    pub application_number: String,
    pub person: PersonLine,
    pub given: bool,
    pub valid_until: Option<NaiveDate>,
    pub third_parties: bool,
    pub cross_border: bool,
    pub publication: bool,
    pub data_list: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// The slip handed over with an appointment (талон на прием).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct BookingSlip {
    pub clinic: ClinicHeader,
    /// "2026/17": the booking's number in its year.
    pub number: String,
    pub doctor: String,
    /// "therapist", "pediatrician", ...; printed translated.
    pub specialty: Option<String>,
    pub room: Option<String>,
    /// Kazakhstan wall-clock time.
    pub starts_at: chrono::NaiveDateTime,
    pub person_name: String,
    /// Only the last digits shown (see `booking::masked_iin`).
    pub masked_iin: String,
    pub reason: crate::booking::VisitReason,
    /// True until the central registry confirms the slot.
    pub provisional: bool,
}

/// A doctor's day as printed for the doctor's room (A4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DoctorDayList {
    pub clinic: ClinicHeader,
    pub doctor: String,
    pub specialty: Option<String>,
    pub date: NaiveDate,
    /// Why the doctor does not receive that day; `None` when working.
    pub closed: Option<crate::schedule::DayClosed>,
    pub rows: Vec<DayListRow>,
}

/// One slot of the printed day; `person` empty for a free slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DayListRow {
    pub starts: chrono::NaiveTime,
    pub ends: chrono::NaiveTime,
    pub room: Option<String>,
    pub booking: Option<DayListBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct DayListBooking {
    pub number: String,
    pub person_name: String,
    pub iin: String,
    pub birth_date: NaiveDate,
    pub phone: Option<String>,
    pub reason: crate::booking::VisitReason,
    pub status: crate::booking::BookingStatus,
}

text_enum!(
    /// The paper a slip is printed on, as the clinic's printer takes it.
    SlipFormat {
        /// A6 sheet, 105 × 148 mm.
        A6 => "a6",
        /// An 80 mm receipt roll.
        Receipt80 => "receipt80",
    }
);

/// A nurse's day as printed for her round (A4 landscape).
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundSchedule {
    pub clinic: ClinicHeader,
    pub nurse: String,
    pub district_number: Option<u32>,
    pub day: NaiveDate,
    pub rows: Vec<RoundRow>,
}

/// One stop of the printed round: one person, everything due at their home.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct RoundRow {
    pub time: chrono::NaiveTime,
    pub person_name: String,
    pub birth_date: NaiveDate,
    pub age_years: u32,
    pub age_months: u32,
    pub address: Option<String>,
    /// The caller's phone for a call first, then the person's own (each once).
    pub phones: Vec<String>,
    /// The calls first, then the visits, each printed on its own line.
    pub items: Vec<RoundRowItem>,
}

/// What a stop of the round is for.
#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RoundRowItem {
    Visit {
        purpose: crate::care_plan::VisitPurpose,
        what: Option<String>,
        overdue: bool,
    },
    Call {
        number: String,
        complaint: String,
        temperature: Option<f64>,
    },
}

/// The statement "information on participation as a consumer of medical
/// services and on contributions in OSMS" (seed 003 appendix 3), as the
/// clinic prints it from the Fund's data known at `known_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OsmsStatement {
    /// The clinic that printed it (the Fund's data came through its registry).
    pub clinic: ClinicHeader,
    /// «Выдана»: the person's full name and IIN.
    pub full_name: String,
    pub iin: String,
    /// «Дата выдачи».
    pub issued_on: NaiveDate,
    /// When the Fund's data was read: the status is the status on that day.
    pub known_at: DateTime<Utc>,
    /// The table's rows, oldest first.
    pub payments: Vec<crate::osms::Payment>,
    pub status: crate::osms::OsmsStatus,
    /// What regaining coverage costs if paid on the issue date (not a consumer).
    pub arrears: Option<crate::osms::Arrears>,
    /// Why the arrears are not given (the year's minimum wage is not set).
    pub arrears_problem: Option<crate::osms::OsmsError>,
    /// Who printed it.
    pub printed_by: String,
}

text_enum!(
    /// Why the statement is refused (seed 003 appendix 2 p. 9, seed 001):
    /// the grounds the laws set.
    StatementRefusalGround {
        /// The documents or the data in them are found unreliable.
        UnreliableDocuments => "unreliable_documents",
        /// The person or the data do not meet the requirements of the acts.
        RequirementsNotMet => "requirements_not_met",
        /// A court decision in force bans the activity the service is for.
        CourtBan => "court_ban",
        /// A court decision in force deprives the person of the special right.
        CourtDeprivation => "court_deprivation",
        /// No consent to access restricted personal data (Law 94-V, art. 8).
        NoConsent => "no_consent",
    }
);

/// A motivated refusal of the statement, naming its ground.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OsmsStatementRefusal {
    pub clinic: ClinicHeader,
    pub full_name: String,
    pub iin: String,
    pub issued_on: NaiveDate,
    pub ground: StatementRefusalGround,
    pub printed_by: String,
}
