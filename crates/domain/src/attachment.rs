//! Attachment to a PHC organization (прикрепление): the decision a registrar
//! makes on an application, and the district it lands on (DOMAIN.md §2, §10).
//!
//! Everything that changes by year — the campaign window, how many free
//! choices a year allows, the day a campaign attachment takes effect, the
//! district list norms — is [`AttachmentRules`], reference data the caller
//! loads; seed 000's values are only the defaults.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::clinic::DistrictKind;
use crate::time::kazakhstan_date;

text_enum!(
    /// How the application reached the clinic.
    Channel {
        InPerson => "in_person",
        InWriting => "in_writing",
        Portal => "portal",
        PublicServiceCentre => "public_service_centre",
    }
);

text_enum!(
    /// Why the person attaches here (seed 000: the grounds for re-attachment).
    AttachmentGround {
        FirstAttachment => "first_attachment",
        FreeChoice => "free_choice",
        ChangeOfResidence => "change_of_residence",
        ChangeOfWorkOrStudy => "change_of_work_or_study",
        ClinicReorganization => "clinic_reorganization",
        BorderArea => "border_area",
    }
);

text_enum!(
    /// Why an application is refused; each one is printed with the rule it rests on.
    RefusalGround {
        NoConsent => "no_consent",
        PersonDeceased => "person_deceased",
        NotFirstAttachment => "not_first_attachment",
        OutsideCampaign => "outside_campaign",
        FreeChoiceLimitReached => "free_choice_limit_reached",
    }
);

text_enum!(
    /// Why an attachment ended.
    EndReason {
        /// The person attached to another clinic.
        AttachedElsewhere => "attached_elsewhere",
        /// The person moved to another district of the same clinic.
        ChangedDistrict => "changed_district",
        Died => "died",
        ClinicLiquidated => "clinic_liquidated",
    }
);

/// Why the attachment a new one ends ([`Decision::Attach`]'s `ends`) ends:
/// a change of district within the clinic, or attachment elsewhere.
pub fn ended_by_new_attachment(previous: &PastAttachment, new_clinic_bin: &str) -> EndReason {
    if previous.clinic_bin == new_clinic_bin {
        EndReason::ChangedDistrict
    } else {
        EndReason::AttachedElsewhere
    }
}

text_enum!(
    /// The day an attachment won in the campaign starts.
    CampaignEffect {
        /// At once, on the day of decision (seed 000).
        DecisionDay => "decision_day",
        /// On 1 January of the next year (the 2025 campaign).
        NextJanuaryFirst => "next_january_first",
    }
);

/// One year's attachment campaign, as the year's order sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Campaign {
    pub year: i32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// How many free choices of clinic or doctor a person may make in the year.
    pub free_choice_limit: u32,
    pub takes_effect: CampaignEffect,
}

impl Campaign {
    /// Seed 000: 15 September – 15 November, once a year, effective at once.
    pub fn seed_default(year: i32) -> Campaign {
        let day = |month, day| NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN);
        Campaign {
            year,
            first_day: day(9, 15),
            last_day: day(11, 15),
            free_choice_limit: 1,
            takes_effect: CampaignEffect::DecisionDay,
        }
    }

    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first_day <= date && date <= self.last_day
    }

    /// The day an attachment decided on `decided_on` in this campaign starts.
    pub fn effective_date(&self, decided_on: NaiveDate) -> NaiveDate {
        match self.takes_effect {
            CampaignEffect::DecisionDay => decided_on,
            CampaignEffect::NextJanuaryFirst => {
                NaiveDate::from_ymd_opt(self.year + 1, 1, 1).unwrap_or(decided_on)
            }
        }
    }
}

/// How many persons a district's doctor should have on the list, by district kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ListNorms {
    pub therapeutic: u32,
    pub pediatric: u32,
    pub general_practice: u32,
}

impl ListNorms {
    pub fn for_kind(&self, kind: DistrictKind) -> u32 {
        match kind {
            DistrictKind::Therapeutic => self.therapeutic,
            DistrictKind::Pediatric => self.pediatric,
            DistrictKind::GeneralPractice => self.general_practice,
        }
    }

    /// A district's norm: its own when the organization sets one, else its kind's.
    pub fn for_district(&self, kind: DistrictKind, own: Option<u32>) -> u32 {
        own.unwrap_or_else(|| self.for_kind(kind))
    }
}

impl Default for ListNorms {
    /// The PHC standard's figures (adults per therapist, children per
    /// pediatrician, mixed population per GP); a clinic edits them when the
    /// order changes.
    fn default() -> Self {
        ListNorms {
            therapeutic: 2200,
            pediatric: 900,
            general_practice: 1700,
        }
    }
}

/// Who each kind of district serves by age: a pediatric district the
/// children, a therapeutic one the adults, a general practice everyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DistrictAges {
    /// The age in full years from which a person is an adult (18 by the
    /// Code on health: a child is a person under 18).
    pub adult_from_years: u32,
}

impl Default for DistrictAges {
    fn default() -> Self {
        DistrictAges { adult_from_years: 18 }
    }
}

impl DistrictAges {
    /// Whether a district of `kind` serves a person of `age_years`.
    pub fn serves(&self, kind: DistrictKind, age_years: u32) -> bool {
        match kind {
            DistrictKind::GeneralPractice => true,
            DistrictKind::Pediatric => age_years < self.adult_from_years,
            DistrictKind::Therapeutic => age_years >= self.adult_from_years,
        }
    }
}

/// The reference data an attachment decision reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AttachmentRules {
    /// Campaigns by year; a year without one falls back to [`Campaign::seed_default`].
    pub campaigns: Vec<Campaign>,
    pub list_norms: ListNorms,
    /// Rules stored before this field existed read the default.
    #[serde(default)]
    pub district_ages: DistrictAges,
}

impl AttachmentRules {
    pub fn campaign(&self, year: i32) -> Campaign {
        self.campaigns
            .iter()
            .find(|campaign| campaign.year == year)
            .cloned()
            .unwrap_or_else(|| Campaign::seed_default(year))
    }
}

/// One attachment from the person's history, at this clinic or another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PastAttachment {
    pub clinic_bin: String,
    pub district_id: Option<i64>,
    pub ground: AttachmentGround,
    pub decided_on: NaiveDate,
    pub started_on: NaiveDate,
    /// The first day the person is no longer attached; `None` while it lasts.
    pub ended_on: Option<NaiveDate>,
}

impl PastAttachment {
    /// Whether the attachment is in force or yet to start on `date`.
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.ended_on.is_none_or(|end| date < end)
    }
}

/// What the decision needs to know about one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentCase<'a> {
    pub ground: AttachmentGround,
    pub consent_given: bool,
    /// The instant the registrar decides; its date is taken in Kazakhstan time.
    pub decided_at: DateTime<Utc>,
    pub person_died_on: Option<NaiveDate>,
    /// The person's attachments, every clinic, oldest first or in any order.
    pub history: &'a [PastAttachment],
    /// The BIN of the clinic deciding.
    pub clinic_bin: &'a str,
    /// The district the person would be attached to here.
    pub district_id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Decision {
    Attach {
        decided_on: NaiveDate,
        effective_on: NaiveDate,
        /// The attachment this one ends (at this clinic or elsewhere), by its
        /// index in the history passed in.
        ends: Option<usize>,
    },
    Refuse {
        decided_on: NaiveDate,
        ground: RefusalGround,
    },
}

/// The application cannot be decided at all; the registrar fixes the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum AttachmentCaseError {
    #[error("the person is already attached to this clinic, district {district_id:?}")]
    AlreadyAttachedHere { district_id: Option<i64> },
}

/// Decides an attachment application (DOMAIN.md §2):
/// - no consent to access restricted personal data, or a deceased person: refused;
/// - never attached before: attached on any day, at once, whatever the ground;
/// - claiming a first attachment with a history: refused;
/// - free choice: only inside the year's campaign window and within the year's
///   free-choice limit, effective as the year's campaign says;
/// - change of residence, work or study, reorganization of the clinic, border
///   area: any day, at once;
/// - already attached here to the same district: not an application at all.
///
/// An attachment ends the one open on the effective day (one clinic at a time).
pub fn decide(case: &AttachmentCase<'_>, rules: &AttachmentRules) -> Result<Decision, AttachmentCaseError> {
    let today = kazakhstan_date(case.decided_at);
    // The attachment without an end is the one a new attachment ends: the one
    // in force, or one won in a campaign that starts later (the old one then
    // already has its end).
    let open = case.history.iter().position(|past| past.ended_on.is_none());
    if let Some(index) = open {
        let current = &case.history[index];
        if current.clinic_bin == case.clinic_bin && current.district_id == Some(case.district_id) {
            return Err(AttachmentCaseError::AlreadyAttachedHere {
                district_id: current.district_id,
            });
        }
    }
    let refuse = |ground| {
        Ok(Decision::Refuse {
            decided_on: today,
            ground,
        })
    };
    if !case.consent_given {
        return refuse(RefusalGround::NoConsent);
    }
    if case.person_died_on.is_some_and(|died| died <= today) {
        return refuse(RefusalGround::PersonDeceased);
    }
    let attach = |effective_on| {
        Ok(Decision::Attach {
            decided_on: today,
            effective_on,
            ends: open,
        })
    };
    if case.history.is_empty() {
        return attach(today);
    }
    match case.ground {
        AttachmentGround::FirstAttachment => refuse(RefusalGround::NotFirstAttachment),
        AttachmentGround::FreeChoice => {
            let campaign = rules.campaign(today.year());
            if !campaign.contains(today) {
                return refuse(RefusalGround::OutsideCampaign);
            }
            let used = case
                .history
                .iter()
                .filter(|past| {
                    past.ground == AttachmentGround::FreeChoice && campaign.contains(past.decided_on)
                })
                .count();
            if used >= campaign.free_choice_limit as usize {
                return refuse(RefusalGround::FreeChoiceLimitReached);
            }
            attach(campaign.effective_date(today))
        }
        AttachmentGround::ChangeOfResidence
        | AttachmentGround::ChangeOfWorkOrStudy
        | AttachmentGround::ClinicReorganization
        | AttachmentGround::BorderArea => attach(today),
    }
}

/// An area (a street's houses, a whole street or village) a district serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Coverage {
    pub district_id: i64,
    pub kind: DistrictKind,
    pub area: crate::organization::CoveredArea,
}

text_enum!(
    /// Where a suggested district came from.
    DistrictSource {
        /// The person chose the doctor (free choice overrides the address).
        Chosen => "chosen",
        /// The household's members are already on this district (family service).
        Household => "household",
        /// The district's coverage holds the person's address.
        Address => "address",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct DistrictSuggestion {
    pub district_id: i64,
    pub source: DistrictSource,
}

/// The facts a district suggestion reads beside the coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuggestionFacts<'a> {
    /// The district the person chose (free choice overrides everything).
    pub chosen: Option<i64>,
    /// The district most of the household is on, with its kind.
    pub household: Option<(i64, DistrictKind)>,
    /// Settlement, street and house.
    pub address: Option<(&'a str, &'a str, &'a str)>,
    /// Full years on the day of the decision.
    pub age_years: u32,
}

/// The district a person lands on: the one chosen; else the household's,
/// when it serves a person of this age (family service — a child of a
/// household on the therapist's list still goes to the pediatrician); else
/// the one whose coverage holds the address and serves this age, a child's
/// pediatric district before a general practice (the house number's leading
/// digits: "12А" is house 12; names compared case-insensitively). Only when
/// no district serving this age is found: the household's, then any
/// district covering the address, for the registrar to see and decide.
pub fn suggest_district(
    facts: SuggestionFacts<'_>,
    coverage: &[Coverage],
    ages: &DistrictAges,
) -> Option<DistrictSuggestion> {
    let suggestion = |district_id, source| Some(DistrictSuggestion { district_id, source });
    if let Some(district_id) = facts.chosen {
        return suggestion(district_id, DistrictSource::Chosen);
    }
    let serves = |kind| ages.serves(kind, facts.age_years);
    if let Some((district_id, kind)) = facts.household
        && serves(kind)
    {
        return suggestion(district_id, DistrictSource::Household);
    }
    let covering: Vec<&Coverage> = match facts.address {
        None => Vec::new(),
        Some((settlement, street, house)) => coverage
            .iter()
            .filter(|c| c.area.holds(settlement, street, house))
            .collect(),
    };
    // a child's own kind of district first, then any district serving the age
    let specialised = covering
        .iter()
        .filter(|c| c.kind != DistrictKind::GeneralPractice)
        .find(|c| serves(c.kind));
    if let Some(c) = specialised.or_else(|| covering.iter().find(|c| serves(c.kind))) {
        return suggestion(c.district_id, DistrictSource::Address);
    }
    if let Some((district_id, _)) = facts.household {
        return suggestion(district_id, DistrictSource::Household);
    }
    covering
        .first()
        .and_then(|c| suggestion(c.district_id, DistrictSource::Address))
}

/// Whether adding one more person puts the district over its list norm.
/// `own_norm` is the district's own norm, when the organization sets one.
pub fn exceeds_list_norm(
    kind: DistrictKind,
    own_norm: Option<u32>,
    attached_now: u32,
    norms: &ListNorms,
) -> bool {
    attached_now >= norms.for_district(kind, own_norm)
}
