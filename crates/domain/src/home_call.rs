//! Home-visit calls (вызов на дом, DOMAIN.md §4, seed 000 "indications for
//! home service"): who goes — the district nurse or feldsher, the district
//! doctor, or the ambulance — decided by [`triage`] over a versioned table of
//! indications ([`TriageRules`]); seed 000's list is the first version.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

text_enum!(
    /// What the registrar ticks on the call form (seed 000's indications).
    Indication {
        RaisedBloodPressure => "raised_blood_pressure",
        InfectiousContact => "infectious_contact",
        /// A rash without a known cause.
        Rash => "rash",
        PostVaccinationDeterioration => "post_vaccination_deterioration",
        LossOfConsciousness => "loss_of_consciousness",
        Bleeding => "bleeding",
        SuddenSharpDeterioration => "sudden_sharp_deterioration",
    }
);

text_enum!(
    /// Who serves a call, in the order of escalation: a call may go up this
    /// list, never below what the rules say.
    Responder {
        /// The district nurse, or the feldsher at a rural post.
        Nurse => "nurse",
        DistrictDoctor => "district_doctor",
        /// Emergency: the ambulance (103), whatever the attachment.
        Ambulance => "ambulance",
    }
);

impl Responder {
    fn rank(self) -> u8 {
        match self {
            Responder::Nurse => 0,
            Responder::DistrictDoctor => 1,
            Responder::Ambulance => 2,
        }
    }

    /// The higher of two responders.
    pub fn max(self, other: Responder) -> Responder {
        if other.rank() > self.rank() { other } else { self }
    }
}

text_enum!(
    /// Why the triage chose what it chose; each is printed with its rule.
    TriageReason {
        /// An emergency sign: the ambulance goes.
        EmergencySign => "emergency_sign",
        /// Danger to others (infectious contact, rash without cause).
        DangerToOthers => "danger_to_others",
        PostVaccinationDeterioration => "post_vaccination_deterioration",
        /// A temperature above the nurse's limit.
        HighTemperature => "high_temperature",
        /// The registrar judged that a doctor must see the person at home.
        RegistrarJudgement => "registrar_judgement",
        /// Temperature up to the limit, raised blood pressure, other non-urgent conditions.
        NonUrgent => "non_urgent",
        /// A child under the age limit: served at home on any deterioration.
        YoungChild => "young_child",
        /// A pregnant woman: served at home on any deterioration.
        Pregnancy => "pregnancy",
    }
);

/// One order's table of indications: which responder each one calls for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TriageRules {
    /// The order the table comes from ("Приказ № 281, 2015").
    pub source: String,
    pub valid_from: NaiveDate,
    /// Each indication and who it sends; an indication not listed sends the nurse.
    pub indications: Vec<(Indication, Responder)>,
    /// The nurse serves a temperature up to this, in tenths of a degree
    /// Celsius (380: 38.0 °C), at the time of the call.
    pub nurse_max_tenths: u16,
    /// Children under this many full years are served at home on any deterioration.
    pub home_for_children_under: u32,
    /// Pregnant women are served at home on any deterioration.
    pub home_for_pregnant: bool,
}

impl TriageRules {
    /// Seed 000 (order No. 281 of 2015): the nurse for temperature up to
    /// 38 °C, raised blood pressure and other conditions without loss of
    /// consciousness, bleeding or sudden sharp deterioration (those go to the
    /// ambulance); the doctor for danger to others and deterioration after
    /// vaccination; children under 5 and pregnant women at home on any
    /// deterioration.
    pub fn seed_default() -> TriageRules {
        TriageRules {
            source: "Приказ № 281 (2015) / № 281 бұйрық (2015)".to_owned(),
            valid_from: NaiveDate::from_ymd_opt(2015, 4, 28).unwrap_or(NaiveDate::MIN),
            indications: vec![
                (Indication::RaisedBloodPressure, Responder::Nurse),
                (Indication::InfectiousContact, Responder::DistrictDoctor),
                (Indication::Rash, Responder::DistrictDoctor),
                (
                    Indication::PostVaccinationDeterioration,
                    Responder::DistrictDoctor,
                ),
                (Indication::LossOfConsciousness, Responder::Ambulance),
                (Indication::Bleeding, Responder::Ambulance),
                (Indication::SuddenSharpDeterioration, Responder::Ambulance),
            ],
            nurse_max_tenths: 380,
            home_for_children_under: 5,
            home_for_pregnant: true,
        }
    }

    fn responder_for(&self, indication: Indication) -> Responder {
        self.indications
            .iter()
            .find(|(listed, _)| *listed == indication)
            .map_or(Responder::Nurse, |(_, responder)| *responder)
    }
}

/// What the registrar knows when the call comes in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct CallFacts {
    /// °C at the time of the call, when said.
    pub temperature: Option<f32>,
    pub indications: Vec<Indication>,
    /// Full years on the day of the call.
    pub age_years: u32,
    pub pregnant: bool,
    /// The registrar judges that a doctor must go.
    pub registrar_wants_doctor: bool,
}

/// The rules' answer for a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Triage {
    pub goes: Responder,
    /// Every rule that applied, the deciding one first.
    pub reasons: Vec<TriageReason>,
    /// Served at home whatever the complaint (a young child, a pregnant woman).
    pub always_at_home: bool,
}

/// Plausible body temperatures a caller reports (°C); anything else is a typing slip.
pub const TEMPERATURE_RANGE: std::ops::RangeInclusive<f32> = 30.0..=43.0;

/// A call the rules cannot read.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum TriageError {
    #[error("a temperature of {celsius} °C cannot be right (30–43 °C)")]
    ImplausibleTemperature { celsius: f32 },
    #[error("the call may go to {chosen} only if the rules' {suggested} is not above it")]
    BelowRule { suggested: Responder, chosen: Responder },
}

/// Decides who goes: the highest responder any indication, the temperature
/// or the registrar's judgement calls for; a young child or a pregnant woman
/// is served at home on any deterioration (never sent to the clinic).
pub fn triage(facts: &CallFacts, rules: &TriageRules) -> Result<Triage, TriageError> {
    let mut found: Vec<(Responder, TriageReason)> = Vec::new();
    if let Some(celsius) = facts.temperature {
        if !TEMPERATURE_RANGE.contains(&celsius) {
            return Err(TriageError::ImplausibleTemperature { celsius });
        }
        if celsius * 10.0 > f32::from(rules.nurse_max_tenths) {
            found.push((Responder::DistrictDoctor, TriageReason::HighTemperature));
        } else {
            found.push((Responder::Nurse, TriageReason::NonUrgent));
        }
    }
    for &indication in &facts.indications {
        let responder = rules.responder_for(indication);
        let reason = match (responder, indication) {
            (Responder::Ambulance, _) => TriageReason::EmergencySign,
            (_, Indication::PostVaccinationDeterioration) => TriageReason::PostVaccinationDeterioration,
            (Responder::DistrictDoctor, _) => TriageReason::DangerToOthers,
            (Responder::Nurse, _) => TriageReason::NonUrgent,
        };
        found.push((responder, reason));
    }
    if facts.registrar_wants_doctor {
        found.push((Responder::DistrictDoctor, TriageReason::RegistrarJudgement));
    }
    let young_child = facts.age_years < rules.home_for_children_under;
    let pregnant = facts.pregnant && rules.home_for_pregnant;
    if young_child {
        found.push((Responder::Nurse, TriageReason::YoungChild));
    }
    if pregnant {
        found.push((Responder::Nurse, TriageReason::Pregnancy));
    }
    if found.is_empty() {
        found.push((Responder::Nurse, TriageReason::NonUrgent));
    }
    // The deciding rule first (highest responder), the rest in the order found.
    found.sort_by_key(|(responder, _)| std::cmp::Reverse(responder.rank()));
    let goes = found[0].0;
    let mut reasons: Vec<TriageReason> = Vec::new();
    for (_, reason) in found {
        if !reasons.contains(&reason) {
            reasons.push(reason);
        }
    }
    Ok(Triage {
        goes,
        reasons,
        always_at_home: young_child || pregnant,
    })
}

/// What a member of staff sent to a call goes as, and whether as a doctor's
/// call: a doctor as the doctor; a feldsher to a call the rules gave the
/// doctor as a doctor's call (a post's feldsher serves them, issue 15); a
/// nurse or a feldsher otherwise as the nurse. `None`: the role does not go
/// to calls (a registrar, the head). Then [`escalate`] keeps it at or above
/// the rule.
pub fn goes_as(role: crate::clinic::StaffRole, suggested: Responder) -> Option<(Responder, bool)> {
    use crate::clinic::StaffRole;
    match role {
        StaffRole::DistrictDoctor => Some((Responder::DistrictDoctor, false)),
        StaffRole::Feldsher if suggested == Responder::DistrictDoctor => {
            Some((Responder::DistrictDoctor, true))
        }
        StaffRole::DistrictNurse | StaffRole::Feldsher => Some((Responder::Nurse, false)),
        StaffRole::Registrar | StaffRole::Head => None,
    }
}

/// The responder the registrar (or the nurse who served the call) sends:
/// the same as the rules' or higher, never lower.
pub fn escalate(suggested: Responder, chosen: Responder) -> Result<Responder, TriageError> {
    if chosen.rank() < suggested.rank() {
        return Err(TriageError::BelowRule { suggested, chosen });
    }
    Ok(chosen)
}

text_enum!(
    /// Where a call stands in the journal.
    CallStatus {
        /// Taken, waiting for whoever goes.
        Registered => "registered",
        /// Passed to the ambulance (103).
        PassedToAmbulance => "passed_to_ambulance",
        Served => "served",
        /// Served by the nurse, who found that a doctor must go.
        PassedToDoctor => "passed_to_doctor",
        Hospitalized => "hospitalized",
        NotAtHome => "not_at_home",
        Cancelled => "cancelled",
    }
);

impl CallStatus {
    /// Whether the call is over: served, hospitalized or cancelled. Nobody
    /// goes to it any more, and no later status or reassignment changes it
    /// (a nurse not let in, or a call passed to 103, may still be gone to).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            CallStatus::Served | CallStatus::Hospitalized | CallStatus::Cancelled
        )
    }
}

/// Why a change to a call is not made: the call was closed first (on
/// another PC of the clinic, as the registry's order of arrival says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the call is already closed ({})", closed.as_str())]
pub struct CallClosed {
    pub closed: CallStatus,
}

/// Whether a call standing at `current` may still change (a new status or
/// another staff member sent): any change until it is closed, none after.
pub fn may_change_call(current: CallStatus) -> Result<(), CallClosed> {
    if current.is_closed() {
        return Err(CallClosed { closed: current });
    }
    Ok(())
}

/// Who a taken call is assigned to in the person's district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment<S> {
    /// `None` only for the ambulance, or when the district has nobody at all
    /// (a defect the unassigned list shows).
    pub staff: Option<S>,
    /// A call the triage sends to a doctor, taken by the feldsher of a post
    /// whose district has no doctor: she sees it is a doctor's call.
    pub doctor_level: bool,
}

/// The district's nurse (or the post's feldsher) for a nurse's call, its
/// doctor for a doctor's; at a feldsher post, where the district has no
/// doctor, the feldsher takes the doctor's call with the doctor-level mark —
/// never nobody while the district has someone. The ambulance is nobody's.
pub fn assign<S: Copy>(goes: Responder, nurse: Option<S>, doctor: Option<S>) -> Assignment<S> {
    match goes {
        Responder::Ambulance => Assignment {
            staff: None,
            doctor_level: false,
        },
        Responder::Nurse => Assignment {
            staff: nurse,
            doctor_level: false,
        },
        Responder::DistrictDoctor => match doctor {
            Some(doctor) => Assignment {
                staff: Some(doctor),
                doctor_level: false,
            },
            None => Assignment {
                staff: nurse,
                doctor_level: nurse.is_some(),
            },
        },
    }
}

/// How long after a person's call another call for them is a repeat: the
/// registrar is told before recording it and the journal marks it (the same
/// complaint again — or a worsening — not a second errand for the nurse).
pub const REPEAT_CALL_WITHIN_HOURS: i64 = 24;

/// Whether a call received at `later` repeats one received at `earlier`.
pub fn is_repeat_call(earlier: DateTime<Utc>, later: DateTime<Utc>) -> bool {
    earlier <= later && later - earlier <= TimeDelta::hours(REPEAT_CALL_WITHIN_HOURS)
}

impl std::fmt::Display for Responder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether the clinic takes a call, by the person's attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum CallAcceptance {
    /// Attached here: the call goes in the journal for whoever the triage sends.
    Taken,
    /// Not attached here, but an emergency: recorded, and the caller is told
    /// to call the ambulance, 103 (emergency care regardless of attachment).
    EmergencyOnly,
}

/// A call the clinic does not take (DOMAIN.md §10: a home call from a
/// person not attached is refused unless it is an emergency).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum CallRefusal {
    #[error("the person is not attached to this clinic and the call is not an emergency")]
    NotAttached,
    #[error("the person is attached to another clinic ({clinic:?}), which takes the call")]
    AttachedElsewhere {
        clinic: Option<crate::booking::OtherClinic>,
    },
}

/// Takes or refuses a call by the person's standing and the triage.
pub fn accept_call(
    standing: &crate::booking::PersonStanding,
    triage: &Triage,
) -> Result<CallAcceptance, CallRefusal> {
    use crate::booking::PersonStanding;
    match standing {
        PersonStanding::AttachedHere => Ok(CallAcceptance::Taken),
        _ if triage.goes == Responder::Ambulance => Ok(CallAcceptance::EmergencyOnly),
        PersonStanding::AttachedElsewhere { clinic } => Err(CallRefusal::AttachedElsewhere {
            clinic: clinic.clone(),
        }),
        PersonStanding::NotAttached | PersonStanding::Deceased => Err(CallRefusal::NotAttached),
    }
}
