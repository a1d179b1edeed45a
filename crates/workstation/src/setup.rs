//! What this PC knows of its clinic and how it is set up: the start screen's
//! status, the reference data (campaigns, list norms, rule tables, the
//! registry's reference data) and the choices kept here.

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::access::Action;
use emhana_domain::attachment::{AttachmentRules, Campaign, ListNorms};
use emhana_domain::care_plan::PlanRules;
use emhana_domain::documents::SlipFormat;
use emhana_domain::home_call::TriageRules;
use emhana_domain::round::RoundPace;
use serde::Serialize;
use std::path::PathBuf;

use crate::Workstation;
use crate::error::StoreError;
use crate::store::{self, Language};

/// What the start screen shows: which clinic this is, how many persons it knows.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct StoreStatus {
    pub path: PathBuf,
    pub clinic: Option<ClinicSummary>,
    pub persons: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct ClinicSummary {
    pub bin: String,
    pub name_kk: String,
    pub name_ru: String,
    pub address: String,
    pub districts: i64,
    pub staff: i64,
    /// The posts this clinic runs (their calls and plans are read here).
    pub posts: i64,
}

impl Workstation {
    pub async fn status(&self) -> Result<StoreStatus, StoreError> {
        let clinic = sqlx::query_as::<_, ClinicSummary>(
            "SELECT c.bin, c.name_kk, c.name_ru, c.address, \
                    (SELECT count(*) FROM district d WHERE d.clinic_id = c.id) AS districts, \
                    (SELECT count(*) FROM staff s WHERE s.clinic_id = c.id) AS staff, \
                    (SELECT count(*) FROM clinic p WHERE p.parent_id = c.id) AS posts \
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

    /// True when no clinic has been loaded and the PC is not enrolled: the
    /// first start (an enrolled PC waits for its clinic from the registry).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let (clinics, enrolled): (i64, i64) =
            sqlx::query_as("SELECT (SELECT count(*) FROM clinic), (SELECT count(*) FROM sync_enrolment)")
                .fetch_one(&self.pool)
                .await?;
        Ok(clinics == 0 && enrolled == 0)
    }

    /// The attachment reference data: campaigns by year and district list norms.
    pub async fn attachment_rules(&self) -> Result<AttachmentRules, StoreError> {
        let mut conn = self.pool.acquire().await?;
        store::attachment_rules(&mut conn).await
    }

    pub async fn set_campaign(&self, campaign: &Campaign) -> Result<(), StoreError> {
        self.require(Action::EditSettings).await?;
        store::set_campaign(&self.pool, campaign).await
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
                store::set_campaign(&self.pool, campaign).await?;
                changed = true;
            }
        }
        for rules in &reference.triage_rules {
            changed |=
                store::keep_rule_table(&self.pool, "triage", rules.valid_from, &rules.source, rules).await?;
        }
        for rules in &reference.plan_rules {
            changed |=
                store::keep_rule_table(&self.pool, "care_plan", rules.valid_from, &rules.source, rules)
                    .await?;
        }
        for calendar in &reference.calendars {
            let mut days = calendar.days.clone();
            days.sort_by_key(|day| day.date);
            if store::calendar_year(&self.pool, calendar.year).await? != days {
                let mut tx = self.pool.begin().await?;
                store::replace_calendar_year(&mut tx, calendar.year, &days).await?;
                tx.commit().await?;
                changed = true;
            }
        }
        changed |= crate::osms::keep_minimum_wages(&self.pool, &reference.minimum_wages).await?;
        Ok(changed)
    }

    /// Sets the districts' list norms for every PC of the clinic.
    pub async fn set_list_norms(&self, norms: &ListNorms, now: DateTime<Utc>) -> Result<(), StoreError> {
        let by = self.require(Action::EditSettings).await?;
        store::change_clinic_settings(
            &self.pool,
            |settings| settings.list_norms = *norms,
            Some(by.staff_id),
            now,
        )
        .await
    }

    pub async fn slip_format(&self) -> Result<SlipFormat, StoreError> {
        store::slip_format(&self.pool).await
    }

    /// Sets the paper slips are printed on, for every PC of the clinic.
    pub async fn set_slip_format(&self, format: SlipFormat, now: DateTime<Utc>) -> Result<(), StoreError> {
        let by = self.require(Action::EditSettings).await?;
        store::change_clinic_settings(
            &self.pool,
            |settings| settings.slip_format = format,
            Some(by.staff_id),
            now,
        )
        .await
    }

    /// Minutes of no use after which a signed-in window locks.
    pub async fn lock_after_minutes(&self) -> Result<u32, StoreError> {
        store::lock_after_minutes(&self.pool).await
    }

    /// Sets when the clinic's windows lock, for every PC of the clinic.
    pub async fn set_lock_after_minutes(&self, minutes: u32, now: DateTime<Utc>) -> Result<(), StoreError> {
        let by = self.require(Action::EditSettings).await?;
        store::change_clinic_settings(
            &self.pool,
            |settings| settings.lock_after_minutes = minutes,
            Some(by.staff_id),
            now,
        )
        .await
    }

    /// How rounds are timed: the first visit, minutes a visit and between two.
    pub async fn round_pace(&self) -> Result<RoundPace, StoreError> {
        store::round_pace(&self.pool).await
    }

    /// Sets how the clinic's rounds are timed, for every PC of the clinic.
    pub async fn set_round_pace(&self, pace: RoundPace, now: DateTime<Utc>) -> Result<(), StoreError> {
        let by = self.require(Action::EditSettings).await?;
        store::change_clinic_settings(
            &self.pool,
            |settings| settings.round_pace = pace,
            Some(by.staff_id),
            now,
        )
        .await
    }

    /// The clinic's settings as they are shared with its other PCs.
    pub async fn shared_settings(&self) -> Result<emhana_protocol::SettingsRecord, StoreError> {
        let mut conn = self.pool.acquire().await?;
        store::settings_record(&mut conn).await
    }

    pub async fn language(&self) -> Result<Option<Language>, StoreError> {
        store::language(&self.pool).await
    }

    pub async fn set_language(&self, language: Language) -> Result<(), StoreError> {
        store::set_language(&self.pool, language).await
    }

    /// Keeps a new version of the triage table or the care-plan schedules
    /// (an order's), in force from `valid_from`.
    pub async fn set_triage_rules(&self, rules: &TriageRules) -> Result<(), StoreError> {
        store::keep_rule_table(&self.pool, "triage", rules.valid_from, &rules.source, rules).await?;
        Ok(())
    }

    pub async fn set_plan_rules(&self, rules: &PlanRules) -> Result<(), StoreError> {
        store::keep_rule_table(&self.pool, "care_plan", rules.valid_from, &rules.source, rules).await?;
        Ok(())
    }

    /// The triage table and care-plan schedules in force on `today`.
    pub async fn rules_in_force(&self, today: NaiveDate) -> Result<(TriageRules, PlanRules), StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok((
            store::triage_rules(&mut conn, today).await?,
            store::plan_rules(&mut conn, today).await?,
        ))
    }
}
