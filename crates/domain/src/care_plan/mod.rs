//! Care plans (DOMAIN.md §5–6, seed 000): patronage of newborns, children
//! under 3 and pregnant women, and dynamic observation of hypertension,
//! heart failure and type 2 diabetes — visits expanded from an event by a
//! versioned rule table ([`PlanRules`]; seed 000's schedules are the first
//! version, a new order is new data). One function, [`visit_state`],
//! decides what "due" and "overdue" mean for every screen and report.

use chrono::{Months, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

mod seed;

text_enum!(
    /// Who goes (or what is done) at a planned visit.
    VisitWho {
        Nurse => "nurse",
        DistrictDoctor => "district_doctor",
        Specialist => "specialist",
        /// Laboratory and instrumental tests.
        Tests => "tests",
    }
);

text_enum!(
    /// What a planned visit is for.
    VisitPurpose {
        /// Mandatory nurse patronage of a child under 3 (9 visits).
        ChildPatronage => "child_patronage",
        /// A mandatory child visit that is also one of the 4 universal
        /// newborn visits (1, 3, 6, 12 months): one visit serves both.
        NewbornPatronage => "newborn_patronage",
        /// Extra visits when a medical or social risk is recorded.
        ProgressivePatronage => "progressive_patronage",
        AntenatalPatronage => "antenatal_patronage",
        ObservationNurse => "observation_nurse",
        ObservationDoctor => "observation_doctor",
        ObservationSpecialist => "observation_specialist",
        ObservationTests => "observation_tests",
    }
);

text_enum!(
    /// What a plan is for.
    PlanKind {
        ChildPatronage => "child_patronage",
        Antenatal => "antenatal",
        Observation => "observation",
    }
);

text_enum!(
    /// The document a person is taken under dynamic observation on. Seed 000:
    /// "на основании одного из трех документов: заключения участкового врача;
    /// консультативного заключения профильного специалиста; выписки из
    /// медкарты стационарного больного".
    BasisDocument {
        DistrictDoctorConclusion => "district_doctor_conclusion",
        SpecialistConclusion => "specialist_conclusion",
        DischargeSummary => "discharge_summary",
    }
);

/// The document an enrolment rests on, and its date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EnrolmentBasis {
    pub document: BasisDocument,
    pub dated: NaiveDate,
}

text_enum!(
    /// Why a plan closed; the person's card shows it beside the plan.
    PlanClosure {
        /// Patronage over: the child turned 3, or its last visit is closed.
        Completed => "completed",
        /// The recorded end of the pregnancy.
        PregnancyEnded => "pregnancy_ended",
        Died => "died",
        /// The person is no longer attached to the clinic.
        LeftClinic => "left_clinic",
    }
);

text_enum!(
    /// How a pregnancy ended, as the nurse records it to close the antenatal plan.
    PregnancyOutcome {
        /// A birth: the newborn's patronage opens on the child's card once registered.
        Birth => "birth",
        /// Any other end.
        Other => "other",
    }
);

/// Checks the recorded end of a pregnancy: on or after its report, not after today.
pub fn check_pregnancy_end(reported: NaiveDate, ended: NaiveDate, today: NaiveDate) -> Result<(), PlanError> {
    if ended > today {
        return Err(PlanError::InFuture { date: ended, today });
    }
    if ended < reported {
        return Err(PlanError::EndBeforeReport { ended, reported });
    }
    Ok(())
}

/// What decides whether an open plan is over, as the store knows it today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanStanding {
    pub kind: PlanKind,
    pub born: NaiveDate,
    pub died_on: Option<NaiveDate>,
    /// The day the person's attachment to the clinic ended, when no
    /// attachment to it is in force today.
    pub left_on: Option<NaiveDate>,
    /// Every visit of the plan is done or refused.
    pub every_visit_closed: bool,
}

/// Whether an open plan closes on `today`, why, and on which day. A death or
/// leaving the clinic closes every plan (its open visits leave every round
/// and due list); a child's patronage closes at 3 years — seed 000's visits
/// are for "всех новорожденных и детей до 3-лет" — or once its last visit is
/// closed. Observation lasts while the person is observed; an antenatal plan
/// closes on the recorded end of the pregnancy, not by itself.
pub fn plan_closure(standing: &PlanStanding, today: NaiveDate) -> Option<(PlanClosure, NaiveDate)> {
    if let Some(died) = standing.died_on.filter(|died| *died <= today) {
        return Some((PlanClosure::Died, died));
    }
    if let Some(left) = standing.left_on.filter(|left| *left <= today) {
        return Some((PlanClosure::LeftClinic, left));
    }
    if standing.kind != PlanKind::ChildPatronage {
        return None;
    }
    let third_birthday = standing.born.checked_add_months(Months::new(36))?;
    if third_birthday <= today {
        return Some((PlanClosure::Completed, third_birthday));
    }
    standing
        .every_visit_closed
        .then_some((PlanClosure::Completed, today))
}

text_enum!(
    /// The conditions under dynamic observation that seed 000 schedules.
    Condition {
        ArterialHypertension => "arterial_hypertension",
        ChronicHeartFailure => "chronic_heart_failure",
        Diabetes2 => "diabetes2",
    }
);

text_enum!(
    /// A recorded risk level. For hypertension seed 000 splits low/medium
    /// from high/very high (or low adherence); for a child any recorded risk
    /// turns on progressive patronage.
    RiskLevel {
        Low => "low",
        Medium => "medium",
        High => "high",
        VeryHigh => "very_high",
    }
);

impl RiskLevel {
    /// High or very high: the more frequent schedule.
    pub fn is_high(self) -> bool {
        matches!(self, RiskLevel::High | RiskLevel::VeryHigh)
    }
}

/// The date a rule counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    Birth,
    /// Discharge from the maternity hospital.
    Discharge,
    /// The women's clinic's report that the pregnancy was registered.
    PregnancyReport,
    /// The first day of pregnancy (the report's date less the weeks at report).
    PregnancyStart,
}

/// A point after the anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum After {
    Days(u32),
    Months(u32),
    /// Months, then days more ("3 months and two weeks").
    MonthsPlusDays(u32, u32),
}

impl After {
    fn from(self, anchor: NaiveDate) -> NaiveDate {
        match self {
            After::Days(days) => anchor + TimeDelta::days(i64::from(days)),
            After::Months(months) => anchor.checked_add_months(Months::new(months)).unwrap_or(anchor),
            After::MonthsPlusDays(months, days) => {
                After::Months(months).from(anchor) + TimeDelta::days(i64::from(days))
            }
        }
    }
}

/// One visit of a schedule: its window after the anchor and who goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitRule {
    pub anchor: Anchor,
    pub from: After,
    pub to: After,
    pub who: VisitWho,
    pub purpose: VisitPurpose,
    /// How the order's words were read into this window, kept in the table
    /// so whoever edits it sees the reading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reading: Option<String>,
}

/// A recurring observation visit: every `every_months` from enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CadenceRule {
    pub condition: Condition,
    /// `None`: any risk; `Some(true)`: only high/very high; `Some(false)`: only low/medium.
    pub high_risk: Option<bool>,
    pub who: VisitWho,
    pub purpose: VisitPurpose,
    pub every_months: u32,
    /// What is done ("ЛПНП, ЭхоКГ"), printed with the visit.
    pub what: String,
    /// The specialist's specialty ("cardiologist"), for a specialist's visit:
    /// a booking with a doctor of it closes the visit.
    #[serde(default)]
    pub specialty: Option<String>,
}

/// One order's schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PlanRules {
    pub source: String,
    pub valid_from: NaiveDate,
    pub child: Vec<VisitRule>,
    /// Added to a child's plan when a risk is recorded.
    pub progressive: Vec<VisitRule>,
    pub antenatal: Vec<VisitRule>,
    pub observation: Vec<CadenceRule>,
    /// Observation visits are kept planned this many months ahead of today,
    /// for as long as the plan is open ([`plan_ahead`]).
    pub observation_horizon_months: u32,
    /// Days a cadence visit stays "due" before it is overdue.
    pub cadence_window_days: u32,
}

impl PlanRules {
    /// The last day an observation plan has its visits planned through on `today`.
    pub fn observation_planned_through(&self, today: NaiveDate) -> NaiveDate {
        today
            .checked_add_months(Months::new(self.observation_horizon_months))
            .unwrap_or(today)
    }

    /// The day a plan of `event` is planned through when expanded on `today`:
    /// observation to the horizon ([`plan_ahead`] carries it on); `None` for
    /// the plans planned whole when opened.
    pub fn planned_through(&self, event: &PlanEvent, today: NaiveDate) -> Option<NaiveDate> {
        matches!(event, PlanEvent::Observation { .. }).then(|| self.observation_planned_through(today))
    }
}

/// What starts a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum PlanEvent {
    /// A newborn: birth and discharge from the maternity hospital.
    Newborn {
        born: NaiveDate,
        discharged: NaiveDate,
        risk: bool,
    },
    /// The women's clinic reports a registered pregnancy.
    PregnancyRegistered {
        reported: NaiveDate,
        weeks_at_report: u32,
    },
    /// Enrolment in dynamic observation.
    Observation {
        condition: Condition,
        risk: RiskLevel,
        enrolled: NaiveDate,
        /// The document it rests on; plans enrolled before it was asked have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        basis: Option<EnrolmentBasis>,
    },
}

impl PlanEvent {
    pub fn kind(&self) -> PlanKind {
        match self {
            PlanEvent::Newborn { .. } => PlanKind::ChildPatronage,
            PlanEvent::PregnancyRegistered { .. } => PlanKind::Antenatal,
            PlanEvent::Observation { .. } => PlanKind::Observation,
        }
    }
}

/// A visit of a plan: its window, who goes, what for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PlannedVisit {
    pub due_from: NaiveDate,
    pub due_to: NaiveDate,
    pub who: VisitWho,
    pub purpose: VisitPurpose,
    /// What is done, when the rule says.
    pub what: Option<String>,
    /// A specialist's visit: the specialty that makes it.
    #[serde(default)]
    pub specialty: Option<String>,
}

/// An event the rules cannot plan from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum PlanError {
    #[error("discharge on {discharged} is before birth on {born}")]
    DischargeBeforeBirth { born: NaiveDate, discharged: NaiveDate },
    #[error("a pregnancy of {weeks} weeks at report cannot be right (1–42)")]
    PregnancyWeeks { weeks: u32 },
    #[error("{date} is after today ({today})")]
    InFuture { date: NaiveDate, today: NaiveDate },
    #[error("the pregnancy cannot end on {ended}, before it was reported on {reported}")]
    EndBeforeReport { ended: NaiveDate, reported: NaiveDate },
    #[error("the enrolment's document of {dated} is after the enrolment on {enrolled}")]
    BasisAfterEnrolment { dated: NaiveDate, enrolled: NaiveDate },
}

/// Expands an event into its visits by the rules, in date order.
pub fn expand(
    event: &PlanEvent,
    rules: &PlanRules,
    today: NaiveDate,
) -> Result<Vec<PlannedVisit>, PlanError> {
    let mut visits = Vec::new();
    let from_rules =
        |rules: &[VisitRule], anchor_date: &dyn Fn(Anchor) -> NaiveDate, visits: &mut Vec<PlannedVisit>| {
            for rule in rules {
                let anchor = anchor_date(rule.anchor);
                visits.push(PlannedVisit {
                    due_from: rule.from.from(anchor),
                    due_to: rule.to.from(anchor),
                    who: rule.who,
                    purpose: rule.purpose,
                    what: None,
                    specialty: None,
                });
            }
        };
    match *event {
        PlanEvent::Newborn {
            born,
            discharged,
            risk,
        } => {
            if discharged < born {
                return Err(PlanError::DischargeBeforeBirth { born, discharged });
            }
            if born > today {
                return Err(PlanError::InFuture { date: born, today });
            }
            let anchor = |anchor| {
                if anchor == Anchor::Discharge {
                    discharged
                } else {
                    born
                }
            };
            from_rules(&rules.child, &anchor, &mut visits);
            if risk {
                from_rules(&rules.progressive, &anchor, &mut visits);
            }
        }
        PlanEvent::PregnancyRegistered {
            reported,
            weeks_at_report,
        } => {
            if !(1..=42).contains(&weeks_at_report) {
                return Err(PlanError::PregnancyWeeks {
                    weeks: weeks_at_report,
                });
            }
            if reported > today {
                return Err(PlanError::InFuture {
                    date: reported,
                    today,
                });
            }
            let start = reported - TimeDelta::weeks(i64::from(weeks_at_report));
            let anchor = |anchor| {
                if anchor == Anchor::PregnancyStart {
                    start
                } else {
                    reported
                }
            };
            from_rules(&rules.antenatal, &anchor, &mut visits);
        }
        PlanEvent::Observation {
            condition,
            risk,
            enrolled,
            basis,
        } => {
            if enrolled > today {
                return Err(PlanError::InFuture {
                    date: enrolled,
                    today,
                });
            }
            // the conclusion or discharge summary comes first, the enrolment on it
            if let Some(basis) = basis
                && basis.dated > enrolled
            {
                return Err(PlanError::BasisAfterEnrolment {
                    dated: basis.dated,
                    enrolled,
                });
            }
            let horizon = rules.observation_planned_through(today);
            for rule in &rules.observation {
                if rule.condition != condition || rule.high_risk.is_some_and(|high| high != risk.is_high()) {
                    continue;
                }
                let mut step = 1;
                while let Some(due) =
                    enrolled.checked_add_months(Months::new(rule.every_months.max(1) * step))
                {
                    if due > horizon {
                        break;
                    }
                    visits.push(PlannedVisit {
                        due_from: due,
                        due_to: due + TimeDelta::days(i64::from(rules.cadence_window_days)),
                        who: rule.who,
                        purpose: rule.purpose,
                        what: Some(rule.what.clone()),
                        specialty: rule.specialty.clone(),
                    });
                    step += 1;
                }
            }
        }
    }
    visits.sort_by_key(|visit| (visit.due_from, visit.who.as_str()));
    Ok(visits)
}

/// A booking the person came to (marked arrived): the day and whom with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attendance<'a> {
    pub day: NaiveDate,
    /// With a district doctor (or, at a post, the feldsher who stands in).
    pub district_doctor: bool,
    pub specialty: Option<&'a str>,
}

/// Whether a plan's doctor or specialist visit is made by an attended
/// booking: seed 000's "осмотр участковым врачом" and the specialist's visit
/// are made at reception, so a booking the person came to on or after the
/// visit's window opened closes it — with a district doctor for the doctor's
/// visit, with a doctor of its specialty for the specialist's. A nurse's
/// visit and the tests are recorded by the nurse.
pub fn closed_by_attendance(
    who: VisitWho,
    specialty: Option<&str>,
    due_from: NaiveDate,
    attended: &Attendance<'_>,
) -> bool {
    if attended.day < due_from {
        return false;
    }
    match who {
        VisitWho::DistrictDoctor => attended.district_doctor,
        VisitWho::Specialist => specialty.is_some() && specialty == attended.specialty,
        VisitWho::Nurse | VisitWho::Tests => false,
    }
}

/// The visits a plan needs next as the days pass. Dynamic observation lasts
/// as long as the person is observed (seed 000 gives cadences, not an end):
/// the cadence visits due after `planned_through`, up to the horizon from
/// `today`. Patronage and antenatal plans are planned whole when opened.
pub fn plan_ahead(
    event: &PlanEvent,
    rules: &PlanRules,
    planned_through: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<PlannedVisit>, PlanError> {
    if !matches!(event, PlanEvent::Observation { .. }) {
        return Ok(Vec::new());
    }
    Ok(expand(event, rules, today)?
        .into_iter()
        .filter(|visit| visit.due_from > planned_through)
        .collect())
}

/// A plan's visit as kept: its window and whether it is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct KeptVisit {
    pub visit: PlannedVisit,
    /// Done or refused: nothing more to do for it.
    pub closed: bool,
}

/// A plan after its risk changed: the visits already closed or begun
/// (due before `today`) are kept as they are; the future ones are replaced by
/// the new expansion's future visits.
pub fn regenerate(kept: &[KeptVisit], expanded: &[PlannedVisit], today: NaiveDate) -> Vec<KeptVisit> {
    let mut plan: Vec<KeptVisit> = kept
        .iter()
        .filter(|visit| visit.closed || visit.visit.due_from < today)
        .cloned()
        .collect();
    plan.extend(
        expanded
            .iter()
            .filter(|visit| visit.due_from >= today)
            .map(|visit| KeptVisit {
                visit: visit.clone(),
                closed: false,
            }),
    );
    plan.sort_by_key(|visit| visit.visit.due_from);
    plan
}

text_enum!(
    /// Where a planned visit stands on a day — the one definition every
    /// list, screen and report uses.
    VisitState {
        /// Its window has not opened.
        Planned => "planned",
        /// In its window.
        Due => "due",
        /// Past its window and not closed.
        Overdue => "overdue",
        /// Done or refused.
        Closed => "closed",
    }
);

/// Where a visit stands on `today`.
pub fn visit_state(due_from: NaiveDate, due_to: NaiveDate, closed: bool, today: NaiveDate) -> VisitState {
    if closed {
        VisitState::Closed
    } else if today < due_from {
        VisitState::Planned
    } else if today <= due_to {
        VisitState::Due
    } else {
        VisitState::Overdue
    }
}

text_enum!(
    /// What the nurse records after a visit.
    VisitOutcome {
        Done => "done",
        NotAtHome => "not_at_home",
        Refused => "refused",
        /// Moved to another date (the visit's window becomes that day).
        Moved => "moved",
    }
);

impl VisitOutcome {
    /// Whether the outcome closes the visit (not at home and moved keep it open).
    pub fn closes(self) -> bool {
        matches!(self, VisitOutcome::Done | VisitOutcome::Refused)
    }
}
