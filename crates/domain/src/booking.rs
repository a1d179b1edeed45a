//! Booking an appointment (запись на прием, DOMAIN.md §3, seed 002): who may
//! be booked into which slot, the reasons of a visit (seed 000), and the
//! statuses a booking goes through.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::schedule::Slot;

text_enum!(
    /// The main reasons to come to a polyclinic, as seed 000 groups them.
    VisitCategory {
        Disease => "disease",
        Injury => "injury",
        DynamicObservation => "dynamic_observation",
        MedicoSocial => "medico_social",
        Administrative => "administrative",
        Prevention => "prevention",
    }
);

text_enum!(
    /// The reason of a visit: one sub-item of seed 000's list.
    VisitReason {
        AcuteOrExacerbation => "acute_or_exacerbation",
        SuspectedSociallySignificant => "suspected_socially_significant",
        RemoteConsultation => "remote_consultation",
        ActiveVisit => "active_visit",
        Rehabilitation => "rehabilitation",
        DentalCare => "dental_care",
        AcuteInjury => "acute_injury",
        InjuryAftereffects => "injury_aftereffects",
        ChronicDiseaseObservation => "chronic_disease_observation",
        MedicoSocialSupport => "medico_social_support",
        PsychologicalSupport => "psychological_support",
        DisabilityAssessmentPapers => "disability_assessment_papers",
        Prescription => "prescription",
        PreventiveVisit => "preventive_visit",
        Immunization => "immunization",
        Screening => "screening",
        Patronage => "patronage",
        FamilyPlanning => "family_planning",
        AntenatalPostnatal => "antenatal_postnatal",
        SchoolHealth => "school_health",
        HealthyLifestyle => "healthy_lifestyle",
        PaidCheckup => "paid_checkup",
        DentalServices => "dental_services",
    }
);

impl VisitReason {
    /// Seed 000's name of the reason in Kazakh, as the slip prints it and the form lists it.
    pub fn name_kk(self) -> &'static str {
        use VisitReason::*;
        match self {
            AcuteOrExacerbation => "Жіті жағдай, созылмалы аурудың өршуі",
            SuspectedSociallySignificant => "Әлеуметтік мәні бар ауруға күдік",
            RemoteConsultation => "Қашықтықтан кеңес беру",
            ActiveVisit => "Актив",
            Rehabilitation => "Медициналық оңалту (3-кезең)",
            DentalCare => "Стоматологиялық көмек",
            AcuteInjury => "Жіті жарақат",
            InjuryAftereffects => "Жарақаттың салдары",
            ChronicDiseaseObservation => "Созылмалы аурулар кезіндегі динамикалық бақылау",
            MedicoSocialSupport => "Медициналық-әлеуметтік қолдау",
            PsychologicalSupport => "Психологиялық қолдау",
            DisabilityAssessmentPapers => "МӘС-ке құжаттарды ресімдеу",
            Prescription => "Рецепт жазу",
            PreventiveVisit => "Профилактикалық мақсатпен жүгіну",
            Immunization => "Иммунопрофилактика",
            Screening => "Скрининг (профилактикалық тексеру)",
            Patronage => "Патронаж",
            FamilyPlanning => "Отбасын жоспарлау, репродуктивті денсаулық",
            AntenatalPostnatal => "Антенатальды және постнатальды бақылау",
            SchoolHealth => "Мектеп медицинасы",
            HealthyLifestyle => "Салауатты өмір салты",
            PaidCheckup => "Ақылы медициналық тексеру",
            DentalServices => "Стоматологиялық қызметтер",
        }
    }

    /// Seed 000's name of the reason in Russian.
    pub fn name_ru(self) -> &'static str {
        use VisitReason::*;
        match self {
            AcuteOrExacerbation => "Острое состояние, обострение хронического заболевания",
            SuspectedSociallySignificant => "Подозрение на социально-значимое заболевание",
            RemoteConsultation => "Дистанционное консультирование",
            ActiveVisit => "Актив",
            Rehabilitation => "Медицинская реабилитация (3 этап)",
            DentalCare => "Стоматологическая помощь",
            AcuteInjury => "Острая травма",
            InjuryAftereffects => "Последствия травмы",
            ChronicDiseaseObservation => "Динамическое наблюдение при хронических заболеваниях",
            MedicoSocialSupport => "Медико-социальная поддержка",
            PsychologicalSupport => "Психологическая поддержка",
            DisabilityAssessmentPapers => "Оформление документов на МСЭ",
            Prescription => "Выписка рецептов",
            PreventiveVisit => "Обращение с профилактической целью",
            Immunization => "Иммунопрофилактика",
            Screening => "Скрининг (профосмотр)",
            Patronage => "Патронаж",
            FamilyPlanning => "Планирование семьи, репродуктивное здоровье",
            AntenatalPostnatal => "Антенатальное и постнатальное наблюдение",
            SchoolHealth => "Школьная медицина",
            HealthyLifestyle => "Здоровый образ жизни",
            PaidCheckup => "Платный медосмотр",
            DentalServices => "Стоматологические услуги",
        }
    }

    pub fn category(self) -> VisitCategory {
        use VisitReason::*;
        match self {
            AcuteOrExacerbation
            | SuspectedSociallySignificant
            | RemoteConsultation
            | ActiveVisit
            | Rehabilitation
            | DentalCare => VisitCategory::Disease,
            AcuteInjury | InjuryAftereffects => VisitCategory::Injury,
            ChronicDiseaseObservation => VisitCategory::DynamicObservation,
            MedicoSocialSupport | PsychologicalSupport => VisitCategory::MedicoSocial,
            DisabilityAssessmentPapers | Prescription => VisitCategory::Administrative,
            PreventiveVisit | Immunization | Screening | Patronage | FamilyPlanning | AntenatalPostnatal
            | SchoolHealth | HealthyLifestyle | PaidCheckup | DentalServices => VisitCategory::Prevention,
        }
    }
}

text_enum!(
    /// How the request reached the registrar (seed 002: in person, by phone, the portal).
    BookingChannel {
        InPerson => "in_person",
        Phone => "phone",
        Portal => "portal",
    }
);

text_enum!(
    /// Where a booking stands. Only `Booked` and `Arrived` hold the slot and
    /// count as the person's booking of the day.
    BookingStatus {
        Booked => "booked",
        Arrived => "arrived",
        NoShow => "no_show",
        Cancelled => "cancelled",
        /// Cancelled by a move to another slot (the new booking says where).
        Moved => "moved",
    }
);

impl BookingStatus {
    pub fn is_active(self) -> bool {
        matches!(self, BookingStatus::Booked | BookingStatus::Arrived)
    }
}

/// Where the person stands with this clinic on the day of booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "standing", rename_all = "snake_case")]
pub enum PersonStanding {
    AttachedHere,
    /// Attached to another clinic; which, when this workstation knows it.
    AttachedElsewhere {
        clinic: Option<OtherClinic>,
    },
    NotAttached,
    Deceased,
}

/// The clinic a person is attached to instead, as a refusal names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OtherClinic {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
}

/// What a booking decision rests on, loaded by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingFacts<'a> {
    /// Now, in Kazakhstan wall-clock time.
    pub now: NaiveDateTime,
    pub standing: PersonStanding,
    /// The doctor's slots on the slot's day, by the schedule.
    pub day_slots: &'a [Slot],
    /// Someone's active booking already holds the slot.
    pub slot_taken: bool,
    /// The start of the person's other active booking with this doctor that
    /// day (not counting the booking being moved).
    pub same_day_booking: Option<NaiveDateTime>,
}

/// Why a booking is refused; `field` says which input it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum BookingRefusal {
    #[error("the person is not attached to this clinic")]
    NotAttached,
    #[error("the person is attached to another clinic ({clinic:?})")]
    AttachedElsewhere { clinic: Option<OtherClinic> },
    #[error("the person has died")]
    PersonDeceased,
    #[error("the slot at {starts} has already begun")]
    SlotInPast { starts: NaiveDateTime },
    #[error("the doctor does not receive at {starts}")]
    OutsideSchedule { starts: NaiveDateTime },
    #[error("the slot at {starts} is booked")]
    SlotTaken { starts: NaiveDateTime },
    #[error("the person is already booked with this doctor that day, at {existing}")]
    AlreadyBookedThatDay { existing: NaiveDateTime },
}

impl BookingRefusal {
    /// The form field the refusal is shown at.
    pub fn field(&self) -> &'static str {
        match self {
            BookingRefusal::NotAttached
            | BookingRefusal::AttachedElsewhere { .. }
            | BookingRefusal::PersonDeceased
            | BookingRefusal::AlreadyBookedThatDay { .. } => "person",
            BookingRefusal::SlotInPast { .. }
            | BookingRefusal::OutsideSchedule { .. }
            | BookingRefusal::SlotTaken { .. } => "slot",
        }
    }
}

/// Decides whether the person may be booked at `starts` (seed 002: only a
/// person attached to the clinic; a slot of the doctor's schedule, not yet
/// begun and free; one booking per person, doctor and day). Returns the slot.
pub fn check_booking<'a>(
    starts: NaiveDateTime,
    facts: &BookingFacts<'a>,
) -> Result<&'a Slot, BookingRefusal> {
    match &facts.standing {
        PersonStanding::AttachedHere => {}
        PersonStanding::AttachedElsewhere { clinic } => {
            return Err(BookingRefusal::AttachedElsewhere {
                clinic: clinic.clone(),
            });
        }
        PersonStanding::NotAttached => return Err(BookingRefusal::NotAttached),
        PersonStanding::Deceased => return Err(BookingRefusal::PersonDeceased),
    }
    if starts < facts.now {
        return Err(BookingRefusal::SlotInPast { starts });
    }
    let slot = facts
        .day_slots
        .iter()
        .find(|slot| slot.starts == starts)
        .ok_or(BookingRefusal::OutsideSchedule { starts })?;
    if facts.slot_taken {
        return Err(BookingRefusal::SlotTaken { starts });
    }
    if let Some(existing) = facts.same_day_booking {
        return Err(BookingRefusal::AlreadyBookedThatDay { existing });
    }
    Ok(slot)
}

/// A status change a registrar asks for that the booking cannot make.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum StatusRefusal {
    #[error("a booking that is {from} cannot become {to}")]
    NotFrom { from: BookingStatus, to: BookingStatus },
    #[error("arrival or absence is marked on the day of the visit ({day}), not before")]
    NotYetTheDay { day: NaiveDate },
}

/// Whether a booking standing at `from` may become `to` at all, whatever the
/// day: the rule the registry applies to changes made on two windows — the
/// first to arrive changes the booking, and a cancellation that finds the
/// person already arrived (or a move that finds it cancelled) is refused.
pub fn may_become(from: BookingStatus, to: BookingStatus) -> bool {
    use BookingStatus::*;
    matches!(
        (from, to),
        (Booked, Arrived | NoShow | Cancelled | Moved) | (NoShow, Arrived) | (Arrived, NoShow)
    )
}

/// Whether a booking in `from` may become `to` on `today`. Arrived and
/// no-show are marked from the day of the visit on; a no-show can still turn
/// out to have come late; cancelled and moved bookings are final.
pub fn change_status(
    from: BookingStatus,
    to: BookingStatus,
    visit_day: NaiveDate,
    today: NaiveDate,
) -> Result<(), StatusRefusal> {
    use BookingStatus::*;
    if !may_become(from, to) {
        return Err(StatusRefusal::NotFrom { from, to });
    }
    if matches!(to, Arrived | NoShow) && today < visit_day {
        return Err(StatusRefusal::NotYetTheDay { day: visit_day });
    }
    Ok(())
}

/// An IIN as a slip prints it: only the last four digits shown, so a lost
/// slip gives away neither the number nor the birth date ("********0458").
pub fn masked_iin(iin: &str) -> String {
    let shown_from = iin.chars().count().saturating_sub(4);
    iin.chars()
        .enumerate()
        .map(|(index, digit)| if index < shown_from { '*' } else { digit })
        .collect()
}

impl std::fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
