//! Home calls, triage and care plans, case by case from seed 000 (DOMAIN.md §4–6).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use emhana_domain::booking::{OtherClinic, PersonStanding};
use emhana_domain::care_plan::{
    Condition, KeptVisit, PlanError, PlanEvent, PlanRules, RiskLevel, VisitOutcome, VisitPurpose, VisitState,
    VisitWho, expand, plan_ahead, regenerate, visit_state,
};
use emhana_domain::home_call::{
    CallAcceptance, CallFacts, CallRefusal, Indication as I, Responder as R, TriageError,
    TriageReason as Why, TriageRules, accept_call, escalate, triage,
};

mod calls;
mod plans;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn call(temperature: Option<f32>, indications: &[I], age: u32, pregnant: bool, registrar: bool) -> CallFacts {
    CallFacts {
        temperature,
        indications: indications.to_vec(),
        age_years: age,
        pregnant,
        registrar_wants_doctor: registrar,
    }
}
