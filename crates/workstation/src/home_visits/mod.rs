//! Home visits (DOMAIN.md §4–6): the journal of calls with their triage,
//! care plans expanded from versioned schedules, and the district nurse's
//! round. Decisions come from `emhana_domain::{home_call, care_plan, round}`;
//! the rule tables in force are loaded here and passed in.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, Utc};
use emhana_domain::access::Action;
use emhana_domain::booking::PersonStanding;
use emhana_domain::care_plan::{
    Condition, EnrolmentBasis, KeptVisit, PlanClosure, PlanError, PlanEvent, PlanKind, PlanRules,
    PlanStanding, PlannedVisit, PregnancyOutcome, RiskLevel, VisitOutcome, VisitPurpose, VisitState,
    VisitWho, check_pregnancy_end, expand, plan_ahead as plan_ahead_of, plan_closure, regenerate,
    visit_state,
};
use emhana_domain::home_call::{
    CallAcceptance, CallFacts, CallRefusal, CallStatus, Indication, Responder, Triage, TriageError,
    TriageReason, TriageRules, accept_call, assign, escalate, is_repeat_call, triage,
};
use emhana_domain::round::{
    CallUrgency, DayItem, DayItemKind, PlannedStop, RoundPace, Stop, estimated_times, plan_day,
};
use emhana_domain::{age_on, format_phone, kazakhstan_time, normalize_phone};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};

use emhana_domain::documents::{RoundRow, RoundRowItem, RoundSchedule};

use crate::Workstation;
use crate::error::{StoreError, corrupt};
use crate::store::{self, PersonRow};

mod calls;
mod outcomes;
mod plans;
mod posts;
mod round_order;
mod rounds;
mod shared;
mod shared_plans;
mod staffing;
mod upkeep;

pub use calls::*;
pub use outcomes::*;
pub use plans::*;
pub(crate) use posts::receive_post_record;
pub use posts::{PostCallView, PostPlanView};
pub(crate) use round_order::*;
pub use rounds::*;
pub(crate) use shared::{call_record, receive_call};
pub(crate) use shared_plans::{queue_unsent_plans, receive_plan, record_plan_answer};
pub use staffing::*;
pub(crate) use upkeep::*;

/// Calls, care plans, visit outcomes and the nurse's round.
impl Workstation {
    /// What the triage table in force says about a call, before it is recorded.
    pub async fn preview_call(
        &self,
        form: &CallForm,
        now: DateTime<Utc>,
    ) -> Result<CallPreview, HomeVisitError> {
        self::preview_call(&self.pool, form, now).await
    }

    /// Records a call in the journal (refused when the rules say so; nothing written then).
    pub async fn register_call(
        &self,
        form: &CallForm,
        now: DateTime<Utc>,
    ) -> Result<CallView, HomeVisitError> {
        let by = self.require(Action::TakeCall).await?;
        self::register_call(&self.pool, form, by.staff_id, now).await
    }

    /// The journal of calls planned for a day.
    pub async fn calls_on(&self, day: NaiveDate) -> Result<Vec<CallView>, StoreError> {
        self::calls_on(&self.pool, day).await
    }

    /// Records how a call ended, as the signed-in member of staff saw it (one
    /// who goes records only the calls they are sent to) or heard of it (the
    /// desk and the head, told by phone, record any).
    pub async fn set_call_status(
        &self,
        call_id: i64,
        status: CallStatus,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CallView, HomeVisitError> {
        let by = self.require(Action::RecordCallStatus).await?;
        let any_call = by.may(Action::DispatchCall);
        self::set_call_status(
            &self.pool,
            call_id,
            status,
            Some(by.staff_id),
            any_call,
            note,
            now,
        )
        .await
    }

    /// Sends someone else to a call (never below the triage; not once it is closed).
    pub async fn reassign_call(
        &self,
        call_id: i64,
        staff_id: i64,
        now: DateTime<Utc>,
    ) -> Result<CallView, HomeVisitError> {
        let by = self.require(Action::DispatchCall).await?;
        self::reassign_call(&self.pool, call_id, staff_id, Some(by.staff_id), now).await
    }

    /// A call as the registry keeps it (what this PC shares with the others).
    /// Every outcome recorded for a visit, oldest first.
    pub async fn visit_history(&self, visit_id: i64) -> Result<Vec<VisitHistoryEvent>, StoreError> {
        self::visit_history(&self.pool, visit_id).await
    }

    /// The care plan as it is shared with the clinic's other PCs.
    pub async fn shared_plan(&self, plan_id: i64) -> Result<emhana_protocol::PlanRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(store::plan_record(&mut conn, plan_id).await?.0)
    }

    pub async fn shared_call(&self, call_id: i64) -> Result<emhana_protocol::CallRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        self::call_record(&mut conn, call_id).await
    }

    /// Opens a care plan and plans its visits by the schedules in force.
    pub async fn open_plan(
        &self,
        person_id: i64,
        request: &PlanRequest,
        now: DateTime<Utc>,
    ) -> Result<PlanView, HomeVisitError> {
        let by = self.require(Action::PlanCare).await?;
        self::open_plan(&self.pool, person_id, request, Some(by.staff_id), now).await
    }

    /// Opens many plans in one transaction: all of them or none (plans kept
    /// on paper until the PC took over: the workstation's own work).
    pub async fn open_plans(
        &self,
        requests: &[(i64, PlanRequest)],
        staff_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<usize, HomeVisitError> {
        self::open_plans(&self.pool, requests, staff_id, now).await
    }

    /// For plans brought in from a paper register: the visits whose window
    /// ended before `before` are recorded done on their last day.
    pub async fn record_past_visits_done(&self, before: NaiveDate) -> Result<u64, StoreError> {
        self::record_past_visits_done(&self.pool, before).await
    }

    /// Plans a plan's future visits again for a new risk level; the past stays.
    pub async fn change_plan_risk(
        &self,
        plan_id: i64,
        risk: RiskLevel,
        now: DateTime<Utc>,
    ) -> Result<PlanView, HomeVisitError> {
        let by = self.require(Action::PlanCare).await?;
        self::change_risk(&self.pool, plan_id, risk, Some(by.staff_id), now).await
    }

    /// The calls and the districts' due visits nobody is assigned to on `today`.
    pub async fn unassigned(&self, today: NaiveDate) -> Result<Unassigned, StoreError> {
        self::unassigned(&self.pool, today).await
    }

    /// Records the end of a pregnancy on `ended`: the antenatal plan closes with it.
    pub async fn end_pregnancy(
        &self,
        plan_id: i64,
        outcome: PregnancyOutcome,
        ended: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<PlanView, HomeVisitError> {
        let by = self.require(Action::PlanCare).await?;
        self::end_pregnancy(&self.pool, plan_id, outcome, ended, Some(by.staff_id), now).await
    }

    /// The person's open plans with their visits as they stand on `today`.
    pub async fn person_plans(&self, person_id: i64, today: NaiveDate) -> Result<Vec<PlanView>, StoreError> {
        self::plan_ahead(&self.pool, today).await?;
        self::person_plans(&self.pool, person_id, today).await
    }

    /// Closes the plans that are over on `today` (the date in Kazakhstan),
    /// each with its reason; once a day. The app does it before showing a
    /// round, a due list or a person's plans, which plan observation ahead
    /// themselves.
    pub async fn close_finished_plans(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self::close_finished_plans(&self.pool, now).await
    }

    /// Plans every open observation plan ahead to the horizon from `today`
    /// (the round, the due list and a person's plans do it themselves);
    /// returns how many visits were planned.
    pub async fn plan_ahead(&self, today: NaiveDate) -> Result<usize, StoreError> {
        self::plan_ahead(&self.pool, today).await
    }

    /// A district's plan visits due or overdue on `today`.
    pub async fn due_visits(&self, district_id: i64, today: NaiveDate) -> Result<Vec<DueVisit>, StoreError> {
        self::plan_ahead(&self.pool, today).await?;
        self::due_visits(&self.pool, district_id, today).await
    }

    /// The clinic's district nurses and feldshers.
    pub async fn nurses(&self) -> Result<Vec<Nurse>, StoreError> {
        self::nurses(&self.pool).await
    }

    /// This clinic's posts' calls planned on `day`, and those still open from before.
    pub async fn post_calls(&self, day: NaiveDate) -> Result<Vec<PostCallView>, StoreError> {
        posts::post_calls(&self.pool, day).await
    }

    /// This clinic's posts' care plans, open ones first.
    pub async fn post_plans(&self) -> Result<Vec<PostPlanView>, StoreError> {
        posts::post_plans(&self.pool).await
    }

    /// Who may be sent to a post's call: the post's and this clinic's staff who go to calls.
    pub async fn post_call_staff(&self, call: uuid::Uuid) -> Result<Vec<Nurse>, HomeVisitError> {
        posts::post_call_staff(&self.pool, call).await
    }

    /// Sends someone else to a post's call (the registry decides; see `posts`).
    pub async fn reassign_post_call(
        &self,
        call: uuid::Uuid,
        staff_id: i64,
        now: DateTime<Utc>,
    ) -> Result<PostCallView, HomeVisitError> {
        let by = self.require(Action::DispatchCall).await?;
        posts::reassign_post_call(&self.pool, call, staff_id, Some(by.staff_id), now).await
    }

    /// A nurse's round for a day: her due visits and calls, in her order or
    /// route order, with estimated times.
    pub async fn round(
        &self,
        nurse_id: i64,
        day: NaiveDate,
        pace: RoundPace,
    ) -> Result<RoundView, HomeVisitError> {
        self::plan_ahead(&self.pool, day).await?;
        self::round(&self.pool, nurse_id, day, pace).await
    }

    /// The nurse's day as printed (A4 landscape).
    pub async fn round_schedule(
        &self,
        nurse_id: i64,
        day: NaiveDate,
        pace: RoundPace,
    ) -> Result<emhana_domain::documents::RoundSchedule, HomeVisitError> {
        self::plan_ahead(&self.pool, day).await?;
        self::round_schedule(&self.pool, nurse_id, day, pace).await
    }

    /// Keeps the nurse's own order of her day's stops, and shares it with
    /// the clinic's other PCs.
    pub async fn reorder_round(
        &self,
        nurse_id: i64,
        day: NaiveDate,
        order: &[StopRef],
        pace: RoundPace,
        now: DateTime<Utc>,
    ) -> Result<RoundView, HomeVisitError> {
        self.require(Action::OrderRound).await?;
        self::reorder_round(&self.pool, nurse_id, day, order, pace, now).await
    }

    /// Records a visit's outcome (done, not at home, refused, moved to a day).
    pub async fn record_visit_outcome(
        &self,
        visit_id: i64,
        outcome: VisitOutcome,
        moved_to: Option<NaiveDate>,
        nurse_id: i64,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<VisitView, HomeVisitError> {
        self.require(Action::RecordVisit).await?;
        self::record_visit_outcome(&self.pool, visit_id, outcome, moved_to, nurse_id, note, now).await
    }

    /// Undoes the visit's last outcome if it was recorded today (a mis-tap);
    /// the event stays in the history, marked undone by `nurse_id`.
    pub async fn undo_visit_outcome(
        &self,
        visit_id: i64,
        nurse_id: i64,
        now: DateTime<Utc>,
    ) -> Result<VisitView, HomeVisitError> {
        self.require(Action::RecordVisit).await?;
        self::undo_visit_outcome(&self.pool, visit_id, nurse_id, now).await
    }
}

/// Why a call, a plan or an outcome was not recorded. Nothing was written.
#[derive(Debug, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum HomeVisitError {
    /// A form field is missing (caller, complaint, ...).
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{problem}")]
    Triage { problem: TriageError },
    #[error("{refusal}")]
    CallRefused { refusal: CallRefusal },
    #[error("{problem}")]
    Plan { problem: PlanError },
    #[error("{date} is before the person's birth on {born}")]
    BeforeBirth { date: NaiveDate, born: NaiveDate },
    #[error("a pregnancy plan is for a woman")]
    NotAWoman,
    #[error("the person is not attached to this clinic")]
    NotAttached,
    #[error("child patronage is for children under 3; the person is {age}")]
    NotAYoungChild { age: u32 },
    #[error("the person already has an open {kind:?} plan")]
    PlanOpen { kind: PlanKind },
    #[error("the visit belongs to district {district:?}, not to this nurse's")]
    NotYourVisit { district: Option<u32> },
    #[error("the call is assigned to someone else")]
    NotYourCall,
    /// Closed already (here, or on another PC as the registry said).
    #[error("the call is already closed ({})", status.as_str())]
    CallClosed { status: CallStatus },
    #[error("a visit is moved to a day after today")]
    MoveDate,
    #[error("the visit has no outcome recorded today to undo")]
    NothingToUndo,
    #[error("no call with id {id}")]
    CallNotFound { id: i64 },
    #[error("no plan with id {id}")]
    PlanNotFound { id: i64 },
    #[error("not an open antenatal plan")]
    NotAPregnancy,
    #[error("no visit with id {id}")]
    VisitNotFound { id: i64 },
    #[error("no nurse or feldsher with id {id}")]
    NurseNotFound { id: i64 },
    /// The one sent does not work here on the call's day (left, or not yet begun).
    #[error("staff member {id} does not work here on {day}")]
    NotWorkingThatDay { id: i64, day: NaiveDate },
    /// Not a call of this clinic's posts (or not received here yet).
    #[error("no call of a post with id {id}")]
    PostCallNotFound { id: uuid::Uuid },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for HomeVisitError {
    fn from(error: sqlx::Error) -> Self {
        HomeVisitError::Store(error.into())
    }
}

struct PersonFacts {
    row: PersonRow,
    standing: PersonStanding,
    district_id: Option<i64>,
}

async fn person(
    conn: &mut SqliteConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<PersonFacts, StoreError> {
    let row = store::person_row(&mut *conn, person_id).await?;
    let (standing, district_id) = store::standing(conn, person_id, today).await?;
    Ok(PersonFacts {
        row,
        standing,
        district_id,
    })
}
