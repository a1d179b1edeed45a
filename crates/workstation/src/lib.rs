//! The workstation: Emhana's use cases over the clinic PC's own SQLite file.
//!
//! This is the API the desktop shell (`src-tauri`) calls; it must not depend on
//! Tauri or any UI. Business decisions come from `emhana_domain`; this crate
//! loads the facts they need, asks, and writes the result in one transaction.
//!
//! The store is opened with [`Workstation::open`]: the file is created when
//! absent, refused (never overwritten) when it is unreadable or from a newer
//! Emhana, backed up before a migration, and kept in WAL mode.

/// SQL for a full name as `domain::full_name` writes it ("Surname First
/// Patronymic"), of the rows aliased `$alias`, or of the only table queried.
macro_rules! full_name_sql {
    () => {
        "surname || ' ' || first_name || coalesce(' ' || patronymic, '')"
    };
    ($alias:literal) => {
        concat!(
            $alias,
            ".surname || ' ' || ",
            $alias,
            ".first_name || coalesce(' ' || ",
            $alias,
            ".patronymic, '')"
        )
    };
}

mod appointments;
mod attachment;
mod card;
mod error;
mod home_visits;
mod import;
mod register;
mod search;
mod settings;
mod store;
mod sync;

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use emhana_domain::attachment::{AttachmentRules, Campaign, ListNorms};
use emhana_domain::booking::BookingStatus;
use emhana_domain::calendar::CalendarDay;
use emhana_domain::care_plan::{PlanRules, PregnancyOutcome, RiskLevel, VisitOutcome};
use emhana_domain::documents::{ApplicationDocument, ConsentDocument};
use emhana_domain::documents::{BookingSlip, DoctorDayList, SlipFormat};
use emhana_domain::home_call::{CallStatus, TriageRules};
use emhana_domain::registration::RegistrationForm;
use emhana_domain::round::RoundPace;
use emhana_domain::schedule::{ScheduleException, Slot, WeeklyTemplate};
use serde::Serialize;
use sqlx::SqlitePool;

pub use appointments::{
    BOOKING_HORIZON_DAYS, BookingDetail, BookingError, BookingEvent, BookingForm, BookingOptions,
    BookingView, ClinicDayLine, DayRow, Doctor, DoctorDay, ExceptionView, ScheduleChange, ScheduleView,
};
pub use attachment::{
    ApplicationForm, ApplicationOutcome, AttachmentEntry, AttachmentOptions, CONSENT_DATA_LIST, ConsentForm,
    CurrentAttachment, DetachmentReason, DistrictOption, FormError, ListLoad, StaffOption,
};
pub use card::{HouseholdMember, PersonCard};
pub use error::{OpenError, StoreError};
pub use home_visits::{
    CallForm, CallPreview, CallView, DueVisit, HomeVisitError, Nurse, PlanClosed, PlanRequest, PlanView,
    RoundStop, RoundView, StopRef, Unassigned, UnstaffedDistrict, VisitView,
};
pub use import::{
    AttachmentRecord, ClinicRecord, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord,
};
pub use register::{DistrictCount, REGISTER_PAGE, RegisterFilter, RegisterPage, RegisterRow};
pub use search::{MAX_LIMIT, MatchKind, PersonHit, SearchOutcome, SearchQuery, classify};
pub use settings::Language;
pub use store::{DATABASE_FILE_NAME, OpenReport};
pub use sync::{
    AnswersRecorded, AttentionAction, AttentionItem, FirstSync, PullApplied, SyncEnrolment, SyncOverview,
};

/// An open workstation database.
#[derive(Debug, Clone)]
pub struct Workstation {
    pool: SqlitePool,
    path: PathBuf,
}

/// What the start screen shows: which clinic this is, how many persons it knows.
#[derive(Debug, Clone, Serialize)]
pub struct StoreStatus {
    pub path: PathBuf,
    pub clinic: Option<ClinicSummary>,
    pub persons: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ClinicSummary {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
    pub address: String,
    pub districts: i64,
    pub staff: i64,
}

impl Workstation {
    /// Opens the database at `path`, creating it (and its folder) when absent,
    /// and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<(Self, OpenReport), OpenError> {
        let (pool, report) = store::open_pool(path).await?;
        tracing::info!(path = %path.display(), created = report.created, migrations = report.applied_migrations, "workstation database open");
        Ok((
            Workstation {
                pool,
                path: path.to_path_buf(),
            },
            report,
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let clinic = sqlx::query_as::<_, ClinicSummary>(
            "SELECT c.bin, c.name_kk, c.name_ru, c.address, \
                    (SELECT count(*) FROM district d WHERE d.clinic_id = c.id) AS districts, \
                    (SELECT count(*) FROM staff s WHERE s.clinic_id = c.id) AS staff \
             FROM clinic c WHERE c.is_home = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        let persons: i64 = sqlx::query_scalar("SELECT count(*) FROM person")
            .fetch_one(&self.pool)
            .await?;
        Ok(StoreStatus {
            path: self.path.clone(),
            clinic,
            persons,
        })
    }

    /// True when no clinic has been loaded: the first start.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let clinics: i64 = sqlx::query_scalar("SELECT count(*) FROM clinic")
            .fetch_one(&self.pool)
            .await?;
        Ok(clinics == 0)
    }

    /// Finds persons by IIN, IIN or phone prefix, or name (see [`classify`]).
    pub async fn search(&self, text: &str, limit: usize) -> Result<SearchOutcome, StoreError> {
        search::run(&self.pool, text, limit).await
    }

    /// The person card as of `today` (the date in Kazakhstan).
    pub async fn person_card(&self, id: i64, today: NaiveDate) -> Result<PersonCard, StoreError> {
        card::load(&self.pool, id, today).await
    }

    /// Loads clinics with their districts, coverage and staff, in one transaction.
    pub async fn import_clinics(&self, clinics: &[ClinicRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        import::clinics(&mut tx, clinics).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads households and their members, in one transaction; returns the persons written.
    pub async fn import_households(&self, households: &[HouseholdRecord]) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let written = import::households(&mut tx, households).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Registers a person the workstation does not know; returns the new id.
    /// `now` is the app's clock; its date in Kazakhstan is "today" for the checks.
    pub async fn register_person(
        &self,
        form: &RegistrationForm,
        registrar_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<i64, FormError> {
        attachment::register_person(&self.pool, form, registrar_id, now).await
    }

    /// What the attachment form offers for a person: districts with their
    /// load, the suggested district, the current attachment, the campaign.
    pub async fn attachment_options(
        &self,
        person_id: i64,
        now: DateTime<Utc>,
    ) -> Result<AttachmentOptions, StoreError> {
        attachment::options(&self.pool, person_id, now).await
    }

    /// Registers an attachment application, decides it and writes the
    /// outcome (application, consent, attachment, audit event) in one transaction.
    pub async fn apply_for_attachment(
        &self,
        form: &ApplicationForm,
        now: DateTime<Utc>,
    ) -> Result<ApplicationOutcome, FormError> {
        attachment::apply(&self.pool, form, now).await
    }

    /// Ends a person's attachment on `on` (death or the clinic's liquidation);
    /// false when there was none to end.
    pub async fn detach(
        &self,
        person_id: i64,
        reason: DetachmentReason,
        on: NaiveDate,
        staff_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        attachment::detach(&self.pool, person_id, reason, on, staff_id, now).await
    }

    /// The person's attachments, oldest first; ended ones are kept.
    pub async fn attachment_history(&self, person_id: i64) -> Result<Vec<AttachmentEntry>, StoreError> {
        attachment::entries(&self.pool, person_id).await
    }

    /// The attached-population register on `today`: a page of the filtered
    /// rows from `offset`, the total, counts by district, the campaign's flows.
    pub async fn attached_register(
        &self,
        filter: &RegisterFilter,
        today: NaiveDate,
        offset: u32,
    ) -> Result<RegisterPage, StoreError> {
        register::page(&self.pool, filter, today, offset).await
    }

    /// The whole filtered register as CSV for a spreadsheet.
    pub async fn attached_register_csv(
        &self,
        filter: &RegisterFilter,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        register::csv(&self.pool, filter, today).await
    }

    /// The facts printed on the attachment ticket or the refusal.
    pub async fn application_document(&self, application_id: i64) -> Result<ApplicationDocument, StoreError> {
        attachment::application_document(&self.pool, application_id).await
    }

    /// The consent as recorded, for printing and signature.
    pub async fn consent_document(&self, application_id: i64) -> Result<ConsentDocument, StoreError> {
        attachment::consent_document(&self.pool, application_id).await
    }

    /// The attachment reference data: campaigns by year and district list norms.
    pub async fn attachment_rules(&self) -> Result<AttachmentRules, StoreError> {
        let mut conn = self.pool.acquire().await?;
        attachment::rules(&mut conn).await
    }

    pub async fn set_campaign(&self, campaign: &Campaign) -> Result<(), StoreError> {
        attachment::set_campaign(&self.pool, campaign).await
    }

    /// Takes the registry's reference data: its campaigns and working-day
    /// calendars replace the ones kept here for the same years, its triage
    /// and care-plan tables the ones kept for the same orders. Returns
    /// whether anything changed.
    pub async fn apply_reference(
        &self,
        reference: &emhana_protocol::ReferenceData,
    ) -> Result<bool, StoreError> {
        let before = self.attachment_rules().await?;
        let mut changed = false;
        for campaign in &reference.campaigns {
            if !before.campaigns.contains(campaign) {
                attachment::set_campaign(&self.pool, campaign).await?;
                changed = true;
            }
        }
        for rules in &reference.triage_rules {
            changed |=
                home_visits::keep_rule_table(&self.pool, "triage", rules.valid_from, &rules.source, rules)
                    .await?;
        }
        for rules in &reference.plan_rules {
            changed |=
                home_visits::keep_rule_table(&self.pool, "care_plan", rules.valid_from, &rules.source, rules)
                    .await?;
        }
        for calendar in &reference.calendars {
            let mut days = calendar.days.clone();
            days.sort_by_key(|day| day.date);
            if appointments::calendar_year(&self.pool, calendar.year).await? != days {
                let mut tx = self.pool.begin().await?;
                appointments::replace_calendar_year(&mut tx, calendar.year, &days).await?;
                tx.commit().await?;
                changed = true;
            }
        }
        Ok(changed)
    }

    pub async fn set_list_norms(&self, norms: &ListNorms) -> Result<(), StoreError> {
        attachment::set_list_norms(&self.pool, norms).await
    }

    pub async fn slip_format(&self) -> Result<SlipFormat, StoreError> {
        settings::slip_format(&self.pool).await
    }

    pub async fn set_slip_format(&self, format: SlipFormat) -> Result<(), StoreError> {
        settings::set_slip_format(&self.pool, format).await
    }

    /// How rounds are timed: the first visit, minutes a visit and between two.
    pub async fn round_pace(&self) -> Result<RoundPace, StoreError> {
        settings::round_pace(&self.pool).await
    }

    pub async fn set_round_pace(&self, pace: RoundPace) -> Result<(), StoreError> {
        settings::set_round_pace(&self.pool, pace).await
    }

    pub async fn language(&self) -> Result<Option<Language>, StoreError> {
        settings::language(&self.pool).await
    }

    pub async fn set_language(&self, language: Language) -> Result<(), StoreError> {
        settings::set_language(&self.pool, language).await
    }

    // ------------------------------------------------------------ appointments

    /// The doctors (and anyone with a schedule) appointments are booked with.
    pub async fn doctors(&self) -> Result<Vec<Doctor>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        appointments::doctors(&mut conn).await
    }

    /// The working-day calendar's days of `year` (the law's defaults when none are kept).
    pub async fn calendar_year(&self, year: i32) -> Result<Vec<CalendarDay>, StoreError> {
        appointments::calendar_year(&self.pool, year).await
    }

    /// Replaces the calendar's days of `year`; lists the bookings it closes.
    pub async fn set_calendar_year(
        &self,
        year: i32,
        days: &[CalendarDay],
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        appointments::set_calendar_year(&self.pool, year, days, now).await
    }

    pub async fn schedule(&self, staff_id: i64) -> Result<ScheduleView, BookingError> {
        appointments::schedule_view(&self.pool, staff_id).await
    }

    /// Saves a weekly template from its first day; never drops a booking:
    /// the ones left without a slot are listed for the registrar to move.
    pub async fn set_schedule_template(
        &self,
        staff_id: i64,
        template: &WeeklyTemplate,
        saved_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        appointments::set_template(&self.pool, staff_id, template, saved_by, now).await
    }

    pub async fn add_schedule_exception(
        &self,
        staff_id: i64,
        exception: &ScheduleException,
        saved_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        appointments::add_exception(&self.pool, staff_id, exception, saved_by, now).await
    }

    pub async fn remove_schedule_exception(
        &self,
        exception_id: i64,
        now: DateTime<Utc>,
    ) -> Result<ScheduleChange, BookingError> {
        appointments::remove_exception(&self.pool, exception_id, now).await
    }

    /// Active bookings from now on that their doctor's schedule no longer has a slot for.
    pub async fn displaced_bookings(&self, now: DateTime<Utc>) -> Result<Vec<BookingView>, StoreError> {
        appointments::displaced(&self.pool, now).await
    }

    /// What the booking form opens with: the person's standing, the doctors,
    /// the district doctor preselected with the nearest free slots.
    pub async fn booking_options(
        &self,
        person_id: i64,
        now: DateTime<Utc>,
    ) -> Result<BookingOptions, StoreError> {
        appointments::options(&self.pool, person_id, now).await
    }

    /// The person's bookings from `today` on, active ones first (the person card).
    pub async fn person_bookings(
        &self,
        person_id: i64,
        today: NaiveDate,
    ) -> Result<Vec<BookingView>, StoreError> {
        appointments::person_bookings(&self.pool, person_id, today).await
    }

    /// Up to `limit` free slots of a doctor from `from` (never before now).
    pub async fn free_slots(
        &self,
        staff_id: i64,
        from: Option<NaiveDateTime>,
        limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, StoreError> {
        appointments::free_slots(&self.pool, staff_id, from, limit, now).await
    }

    /// Books a slot (refused with the reason when the rules say no).
    pub async fn book(&self, form: &BookingForm, now: DateTime<Utc>) -> Result<BookingView, BookingError> {
        appointments::book(&self.pool, form, now).await
    }

    /// Moves a booking to another slot; returns the new booking.
    pub async fn move_booking(
        &self,
        booking_id: i64,
        staff_id: i64,
        starts_at: NaiveDateTime,
        registrar_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<BookingView, BookingError> {
        appointments::move_booking(&self.pool, booking_id, staff_id, starts_at, registrar_id, now).await
    }

    /// Cancels a booking or marks the person arrived or absent.
    pub async fn set_booking_status(
        &self,
        booking_id: i64,
        status: BookingStatus,
        staff_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<BookingView, BookingError> {
        appointments::change(&self.pool, booking_id, status, staff_id, now).await
    }

    /// The pre-registration journal of a day: every booking for a visit that
    /// day, whatever its status, in time order.
    pub async fn booking_journal(&self, date: NaiveDate) -> Result<Vec<BookingView>, StoreError> {
        appointments::journal(&self.pool, date).await
    }

    pub async fn booking(&self, booking_id: i64) -> Result<BookingDetail, BookingError> {
        appointments::detail(&self.pool, booking_id).await
    }

    pub async fn doctor_day(&self, staff_id: i64, date: NaiveDate) -> Result<DoctorDay, BookingError> {
        appointments::doctor_day(&self.pool, staff_id, date).await
    }

    pub async fn clinic_day(&self, date: NaiveDate) -> Result<Vec<ClinicDayLine>, StoreError> {
        appointments::clinic_day(&self.pool, date).await
    }

    /// Every doctor's slots between two days, by staff id.
    pub async fn clinic_slots(
        &self,
        first_day: NaiveDate,
        last_day: NaiveDate,
    ) -> Result<std::collections::HashMap<i64, Vec<Slot>>, StoreError> {
        appointments::clinic_slots(&self.pool, first_day, last_day).await
    }

    /// The facts printed on a booking's slip.
    pub async fn booking_slip(&self, booking_id: i64) -> Result<BookingSlip, BookingError> {
        appointments::slip(&self.pool, booking_id).await
    }

    /// A doctor's day as printed (A4).
    pub async fn doctor_day_list(
        &self,
        staff_id: i64,
        date: NaiveDate,
    ) -> Result<DoctorDayList, BookingError> {
        appointments::day_list(&self.pool, staff_id, date).await
    }

    // ------------------------------------------------------------ home visits

    /// What the triage table in force says about a call, before it is recorded.
    pub async fn preview_call(
        &self,
        form: &CallForm,
        now: DateTime<Utc>,
    ) -> Result<CallPreview, HomeVisitError> {
        home_visits::preview_call(&self.pool, form, now).await
    }

    /// Records a call in the journal (refused when the rules say so; nothing written then).
    pub async fn register_call(
        &self,
        form: &CallForm,
        now: DateTime<Utc>,
    ) -> Result<CallView, HomeVisitError> {
        home_visits::register_call(&self.pool, form, now).await
    }

    /// The journal of calls planned for a day.
    pub async fn calls_on(&self, day: NaiveDate) -> Result<Vec<CallView>, StoreError> {
        home_visits::calls_on(&self.pool, day).await
    }

    /// Records how a call ended (by the staff member it is assigned to, when named).
    pub async fn set_call_status(
        &self,
        call_id: i64,
        status: CallStatus,
        staff_id: Option<i64>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<CallView, HomeVisitError> {
        home_visits::set_call_status(&self.pool, call_id, status, staff_id, note, now).await
    }

    /// Opens a care plan and plans its visits by the schedules in force.
    pub async fn open_plan(
        &self,
        person_id: i64,
        request: &PlanRequest,
        staff_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<PlanView, HomeVisitError> {
        home_visits::open_plan(&self.pool, person_id, request, staff_id, now).await
    }

    /// Opens many plans in one transaction: all of them or none.
    pub async fn open_plans(
        &self,
        requests: &[(i64, PlanRequest)],
        staff_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<usize, HomeVisitError> {
        home_visits::open_plans(&self.pool, requests, staff_id, now).await
    }

    /// For plans brought in from a paper register: the visits whose window
    /// ended before `before` are recorded done on their last day.
    pub async fn record_past_visits_done(&self, before: NaiveDate) -> Result<u64, StoreError> {
        home_visits::record_past_visits_done(&self.pool, before).await
    }

    /// The ids of persons known here, by IIN (those not known are left out).
    pub async fn person_ids(
        &self,
        iins: &[String],
    ) -> Result<std::collections::HashMap<String, i64>, StoreError> {
        let mut ids = std::collections::HashMap::with_capacity(iins.len());
        for chunk in iins.chunks(500) {
            let mut query =
                sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT iin, id FROM person WHERE iin IN (");
            let mut list = query.separated(", ");
            for iin in chunk {
                list.push_bind(iin);
            }
            query.push(")");
            let rows: Vec<(String, i64)> = query.build_query_as().fetch_all(&self.pool).await?;
            ids.extend(rows);
        }
        Ok(ids)
    }

    /// Plans a plan's future visits again for a new risk level; the past stays.
    pub async fn change_plan_risk(
        &self,
        plan_id: i64,
        risk: RiskLevel,
        now: DateTime<Utc>,
    ) -> Result<PlanView, HomeVisitError> {
        home_visits::change_risk(&self.pool, plan_id, risk, now).await
    }

    /// The calls and the districts' due visits nobody is assigned to on `today`.
    pub async fn unassigned(&self, today: NaiveDate) -> Result<Unassigned, StoreError> {
        home_visits::unassigned(&self.pool, today).await
    }

    /// Records the end of a pregnancy on `ended`: the antenatal plan closes with it.
    pub async fn end_pregnancy(
        &self,
        plan_id: i64,
        outcome: PregnancyOutcome,
        ended: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<PlanView, HomeVisitError> {
        home_visits::end_pregnancy(&self.pool, plan_id, outcome, ended, now).await
    }

    /// The person's open plans with their visits as they stand on `today`.
    pub async fn person_plans(&self, person_id: i64, today: NaiveDate) -> Result<Vec<PlanView>, StoreError> {
        home_visits::plan_ahead(&self.pool, today).await?;
        home_visits::person_plans(&self.pool, person_id, today).await
    }

    /// Closes the plans that are over on `today` (the date in Kazakhstan),
    /// each with its reason; once a day. The app does it before showing a
    /// round, a due list or a person's plans, which plan observation ahead
    /// themselves.
    pub async fn close_finished_plans(&self, today: NaiveDate) -> Result<usize, StoreError> {
        home_visits::close_finished_plans(&self.pool, today).await
    }

    /// Plans every open observation plan ahead to the horizon from `today`
    /// (the round, the due list and a person's plans do it themselves);
    /// returns how many visits were planned.
    pub async fn plan_ahead(&self, today: NaiveDate) -> Result<usize, StoreError> {
        home_visits::plan_ahead(&self.pool, today).await
    }

    /// A district's plan visits due or overdue on `today`.
    pub async fn due_visits(&self, district_id: i64, today: NaiveDate) -> Result<Vec<DueVisit>, StoreError> {
        home_visits::plan_ahead(&self.pool, today).await?;
        home_visits::due_visits(&self.pool, district_id, today).await
    }

    /// The clinic's district nurses and feldshers.
    pub async fn nurses(&self) -> Result<Vec<Nurse>, StoreError> {
        home_visits::nurses(&self.pool).await
    }

    /// A nurse's round for a day: her due visits and calls, in her order or
    /// route order, with estimated times.
    pub async fn round(
        &self,
        nurse_id: i64,
        day: NaiveDate,
        pace: RoundPace,
    ) -> Result<RoundView, HomeVisitError> {
        home_visits::plan_ahead(&self.pool, day).await?;
        home_visits::round(&self.pool, nurse_id, day, pace).await
    }

    /// The nurse's day as printed (A4 landscape).
    pub async fn round_schedule(
        &self,
        nurse_id: i64,
        day: NaiveDate,
        pace: RoundPace,
    ) -> Result<emhana_domain::documents::RoundSchedule, HomeVisitError> {
        home_visits::plan_ahead(&self.pool, day).await?;
        home_visits::round_schedule(&self.pool, nurse_id, day, pace).await
    }

    /// Keeps the nurse's own order of her day's stops.
    pub async fn reorder_round(
        &self,
        nurse_id: i64,
        day: NaiveDate,
        order: &[StopRef],
        pace: RoundPace,
    ) -> Result<RoundView, HomeVisitError> {
        home_visits::reorder_round(&self.pool, nurse_id, day, order, pace).await
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
        home_visits::record_visit_outcome(&self.pool, visit_id, outcome, moved_to, nurse_id, note, now).await
    }

    /// Undoes the visit's last outcome if it was recorded today (a mis-tap);
    /// the event stays in the history, marked undone by `nurse_id`.
    pub async fn undo_visit_outcome(
        &self,
        visit_id: i64,
        nurse_id: i64,
        now: DateTime<Utc>,
    ) -> Result<VisitView, HomeVisitError> {
        home_visits::undo_visit_outcome(&self.pool, visit_id, nurse_id, now).await
    }

    /// Keeps a new version of the triage table or the care-plan schedules
    /// (an order's), in force from `valid_from`.
    pub async fn set_triage_rules(&self, rules: &TriageRules) -> Result<(), StoreError> {
        home_visits::keep_rule_table(&self.pool, "triage", rules.valid_from, &rules.source, rules).await?;
        Ok(())
    }

    pub async fn set_plan_rules(&self, rules: &PlanRules) -> Result<(), StoreError> {
        home_visits::keep_rule_table(&self.pool, "care_plan", rules.valid_from, &rules.source, rules).await?;
        Ok(())
    }

    /// The triage table and care-plan schedules in force on `today`.
    pub async fn rules_in_force(&self, today: NaiveDate) -> Result<(TriageRules, PlanRules), StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok((
            home_visits::triage_rules(&mut conn, today).await?,
            home_visits::plan_rules(&mut conn, today).await?,
        ))
    }

    // ------------------------------------------------------------ sync

    /// The registry this workstation is enrolled with, if any.
    pub async fn enrolment(&self) -> Result<Option<SyncEnrolment>, StoreError> {
        sync::enrolment(&self.pool).await
    }

    /// Keeps the registry's answer to enrolment (not the credential: that goes
    /// to the OS keyring). Refused when the registry's clinic is not this one.
    pub async fn save_enrolment(
        &self,
        registry_url: &str,
        enrolment: &emhana_protocol::Enrolment,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sync::save_enrolment(&self.pool, registry_url, enrolment, now).await
    }

    /// Ops not yet answered by the registry, oldest first.
    pub async fn pending_ops(&self, limit: usize) -> Result<Vec<emhana_protocol::Op>, StoreError> {
        sync::pending_ops(&self.pool, limit).await
    }

    /// Marks ops as sent; returns those that were not sent before.
    pub async fn mark_sent(
        &self,
        ids: &[uuid::Uuid],
        now: DateTime<Utc>,
    ) -> Result<Vec<uuid::Uuid>, StoreError> {
        sync::mark_sent(&self.pool, ids, now).await
    }

    /// Takes "sent" back from ops whose request never left.
    pub async fn mark_unsent(&self, ids: &[uuid::Uuid]) -> Result<(), StoreError> {
        sync::mark_unsent(&self.pool, ids).await
    }

    /// Records the registry's answers to pushed ops (one transaction).
    pub async fn record_answers(
        &self,
        results: &[emhana_protocol::OpResult],
        now: DateTime<Utc>,
    ) -> Result<AnswersRecorded, StoreError> {
        sync::record_answers(&self.pool, results, now).await
    }

    /// The cursor of the last page of the registry's feed applied here.
    pub async fn sync_cursor(&self) -> Result<Option<String>, StoreError> {
        sync::cursor(&self.pool).await
    }

    /// Applies a page of the registry's feed with its cursor (one transaction).
    pub async fn apply_pull(
        &self,
        page: &emhana_protocol::PullResponse,
        now: DateTime<Utc>,
    ) -> Result<PullApplied, StoreError> {
        sync::apply_pull(&self.pool, std::slice::from_ref(page), now).await
    }

    /// Applies consecutive pages of the feed, each with its cursor, in one
    /// transaction (a first sync: one commit writes each touched index page
    /// once for all of them).
    pub async fn apply_pulls(
        &self,
        pages: &[emhana_protocol::PullResponse],
        now: DateTime<Utc>,
    ) -> Result<PullApplied, StoreError> {
        sync::apply_pull(&self.pool, pages, now).await
    }

    pub async fn sync_overview(&self) -> Result<SyncOverview, StoreError> {
        sync::overview(&self.pool).await
    }

    /// Rejected ops waiting for the registrar, oldest first.
    pub async fn needs_attention(&self) -> Result<Vec<AttentionItem>, StoreError> {
        sync::needs_attention(&self.pool).await
    }

    /// Takes a rejected op off the "needs attention" list.
    pub async fn resolve_attention(
        &self,
        op: uuid::Uuid,
        staff_id: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        sync::resolve(&self.pool, op, staff_id, now).await
    }

    /// Closes the pool, checkpointing the WAL into the main file.
    pub async fn close(self) {
        self.pool.close().await;
    }
}
