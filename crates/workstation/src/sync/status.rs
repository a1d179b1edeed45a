//! Sync as the screens show it: the overview, the first full sync, what needs attention; the person as the registry reads them.

use super::*;

/// Sync as the status bar and the sync screen show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SyncOverview {
    pub enrolment: Option<SyncEnrolment>,
    /// Ops by state: made here and not sent, sent without an answer, confirmed, rejected.
    pub local: i64,
    pub sent: i64,
    pub confirmed: i64,
    pub rejected: i64,
    /// Rejected ops still waiting for the registrar.
    pub needs_attention: i64,
    pub last_push_at: Option<DateTime<Utc>>,
    pub last_pull_at: Option<DateTime<Utc>>,
    pub first_sync: FirstSync,
    /// When the registry last found that this PC's audit log no longer leads
    /// through the head it held (rewritten, cut, or an older copy): the
    /// clinic's administrator must look into it.
    pub audit_mismatch_at: Option<DateTime<Utc>>,
}

/// The first full sync: how far it got (it resumes there after any interruption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FirstSync {
    pub applied: i64,
    /// Persons the registry said were left after the last page.
    pub remaining: Option<i64>,
    pub done_at: Option<DateTime<Utc>>,
}

pub(crate) async fn overview(pool: &SqlitePool) -> Result<SyncOverview, StoreError> {
    let counts: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT coalesce(sum(state = 'local'), 0), coalesce(sum(state = 'sent'), 0), \
                coalesce(sum(state = 'confirmed'), 0), coalesce(sum(state = 'rejected'), 0), \
                coalesce(sum(state = 'rejected' AND resolved_at IS NULL), 0) FROM outbox",
    )
    .fetch_one(pool)
    .await?;
    #[allow(clippy::type_complexity)]
    let state: (
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
        i64,
        Option<i64>,
        Option<DateTime<Utc>>,
        Option<DateTime<Utc>>,
    ) = sqlx::query_as(
        "SELECT last_push_at, last_pull_at, first_sync_applied, first_sync_remaining, first_sync_done_at, \
                audit_mismatch_at FROM sync_state WHERE id = 1",
    )
    .fetch_one(pool)
    .await?;
    Ok(SyncOverview {
        enrolment: enrolment(pool).await?,
        local: counts.0,
        sent: counts.1,
        confirmed: counts.2,
        rejected: counts.3,
        needs_attention: counts.4,
        last_push_at: state.0,
        last_pull_at: state.1,
        first_sync: FirstSync {
            applied: state.2,
            remaining: state.3,
            done_at: state.4,
        },
        audit_mismatch_at: state.5,
    })
}

/// A rejected op waiting for the registrar: what it was, why the registry
/// said no, and what she can do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AttentionItem {
    pub op: Uuid,
    pub kind: String,
    pub made_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ground: RejectGround,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub iin: Option<String>,
    pub application_id: Option<i64>,
    /// "2026/14", as on the ticket.
    pub application_number: Option<String>,
    /// The call the op was about, "2026/2-41", as in the journal.
    pub call_number: Option<String>,
    pub action: AttentionAction,
}

/// What the registrar can do about a rejected op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum AttentionAction {
    /// The attachment was refused under the rules: print the refusal for the person.
    PrintRefusal,
    /// The slot went to someone else: book another.
    PickAnotherSlot,
    /// The person is already attached here: check the card; nothing to print.
    CheckPersonCard,
    /// The workstation's data disagrees with the registry's (a district the
    /// registry does not know, a clock far ahead): tell the administrator.
    CallAdministrator,
    /// The call was closed on another PC first: the journal shows it as it
    /// stands; nothing to redo.
    CheckCall,
    /// The booking was changed at another window first (the person marked
    /// arrived before this cancellation came): it shows as it stands.
    CheckBooking,
    /// The doctor's schedule was changed on another PC first: it shows as
    /// kept there; enter the change again if it is still needed.
    CheckSchedule,
    /// The care plan was opened, its risk changed or the visit's outcome
    /// recorded on another PC first: the plan shows as it stands there; the
    /// outcome recorded here stays in the visit's history.
    CheckPlan,
    /// The clinic's settings were changed on another PC first: they show as
    /// kept there; set yours again if still needed.
    CheckSettings,
    /// The registry refused an organization change (its rules): the clinic
    /// screen shows the organization as it stands; correct and send again.
    CheckOrganization,
}

pub(super) fn action_for(ground: &RejectGround) -> AttentionAction {
    match ground {
        RejectGround::AttachmentRefused { .. } => AttentionAction::PrintRefusal,
        RejectGround::SlotTaken | RejectGround::BookingNotFound | RejectGround::SecondBookingThatDay => {
            AttentionAction::PickAnotherSlot
        }
        RejectGround::BookingChanged { .. } => AttentionAction::CheckBooking,
        RejectGround::ScheduleChanged => AttentionAction::CheckSchedule,
        RejectGround::SettingsChanged => AttentionAction::CheckSettings,
        RejectGround::OrganizationRefused { .. } => AttentionAction::CheckOrganization,
        RejectGround::PlanOpen | RejectGround::PlanChanged | RejectGround::VisitOutcomeTaken { .. } => {
            AttentionAction::CheckPlan
        }
        RejectGround::AlreadyAttachedHere { .. }
        | RejectGround::NotAttachedHere
        | RejectGround::UnknownPerson
        | RejectGround::PersonDied
        | RejectGround::AttachedElsewhere
        | RejectGround::DeathDateInvalid
        | RejectGround::ResidenceOutsideCoverage
        | RejectGround::PersonInvalid { .. } => AttentionAction::CheckPersonCard,
        RejectGround::CallClosed { .. } => AttentionAction::CheckCall,
        RejectGround::UnknownDistrict { .. }
        | RejectGround::RecordNotFound
        | RejectGround::PostRecordReadOnly
        | RejectGround::NumberTaken
        | RejectGround::MadeInFuture
        | RejectGround::NoAuthor
        | RejectGround::AuthorNotStaff
        | RejectGround::AuthorDisabled
        | RejectGround::AuthorNotAllowed { .. }
        | RejectGround::Malformed { .. }
        | RejectGround::OpIdTaken
        | RejectGround::MadeTooLongAgo => AttentionAction::CallAdministrator,
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AttentionRow {
    id: String,
    kind: String,
    made_at: DateTime<Utc>,
    answered_at: Option<DateTime<Utc>>,
    reject_ground: String,
    person_id: Option<i64>,
    person_name: Option<String>,
    iin: Option<String>,
    application_id: Option<i64>,
    application_number: Option<String>,
    call_number: Option<String>,
}

pub(crate) async fn needs_attention(pool: &SqlitePool) -> Result<Vec<AttentionItem>, StoreError> {
    let rows: Vec<AttentionRow> = sqlx::query_as(concat!(
        "SELECT o.id, o.kind, o.made_at, o.answered_at, o.reject_ground, o.person_id, \
                coalesce(",
        full_name_sql!("p"),
        ", ",
        full_name_sql!("pc"),
        ") AS person_name, coalesce(p.iin, pc.iin) AS iin, \
                o.application_id, CASE WHEN a.id IS NULL THEN NULL ELSE ",
        number_sql!("a"),
        " END AS application_number, CASE WHEN c.id IS NOT NULL THEN ",
        number_sql!("c"),
        " WHEN pc.uid IS NOT NULL THEN ",
        number_sql!("pc"),
        " END AS call_number \
         FROM outbox o LEFT JOIN person p ON p.id = o.person_id \
              LEFT JOIN attachment_application a ON a.id = o.application_id \
              LEFT JOIN home_call c ON c.uid = o.record_id \
              LEFT JOIN (SELECT uid, json_extract(body, '$.year') AS year, json_extract(body, '$.number') AS number, \
                                json_extract(body, '$.person.iin') AS iin, \
                                json_extract(body, '$.person.surname') AS surname, \
                                json_extract(body, '$.person.first_name') AS first_name, \
                                json_extract(body, '$.person.patronymic') AS patronymic \
                         FROM post_record WHERE kind = 'call') pc ON pc.uid = o.record_id \
         WHERE o.state = 'rejected' AND o.resolved_at IS NULL ORDER BY o.seq"
    ))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|row| {
            let ground: RejectGround =
                serde_json::from_str(&row.reject_ground).map_err(|_| StoreError::Corrupt {
                    detail: format!("outbox {} reject_ground", row.id),
                })?;
            Ok(AttentionItem {
                op: Uuid::parse_str(&row.id).map_err(|_| StoreError::Corrupt {
                    detail: format!("outbox id {}", row.id),
                })?,
                kind: row.kind,
                made_at: row.made_at,
                answered_at: row.answered_at,
                action: action_for(&ground),
                ground,
                person_id: row.person_id,
                person_name: row.person_name,
                iin: row.iin,
                application_id: row.application_id,
                application_number: row.application_number,
                call_number: row.call_number,
            })
        })
        .collect()
}

/// Takes a rejected op off the "needs attention" list (the registrar dealt with it).
pub(crate) async fn resolve(
    pool: &SqlitePool,
    op: Uuid,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET resolved_at = ?2, resolved_by = ?3 WHERE id = ?1 AND state = 'rejected' AND resolved_at IS NULL",
    )
    .bind(op.to_string())
    .bind(now)
    .bind(staff_id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}
