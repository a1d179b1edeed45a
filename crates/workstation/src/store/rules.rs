//! Reference data that changes by order or by year: the attachment campaigns
//! and list norms, and the versioned rule tables (triage, care plans), each
//! with the seeds' values when none is kept.

use chrono::{Datelike, NaiveDate};
use emhana_domain::DistrictKind;
use emhana_domain::attachment::{AttachmentRules, Campaign, CampaignEffect, DistrictAges, ListNorms};
use emhana_domain::care_plan::PlanRules;
use emhana_domain::home_call::TriageRules;
use serde::Serialize;
use sqlx::{SqliteConnection, SqlitePool};

use crate::error::StoreError;

/// The attachment rules kept here: campaigns and list norms.
pub(crate) async fn attachment_rules(conn: &mut SqliteConnection) -> Result<AttachmentRules, StoreError> {
    let rows: Vec<(i32, NaiveDate, NaiveDate, u32, String)> = sqlx::query_as(
        "SELECT year, first_day, last_day, free_choice_limit, takes_effect FROM attachment_campaign ORDER BY year",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut campaigns = Vec::with_capacity(rows.len());
    for (year, first_day, last_day, free_choice_limit, takes_effect) in rows {
        let takes_effect = CampaignEffect::parse(&takes_effect).ok_or_else(|| StoreError::Corrupt {
            detail: format!("campaign {year} takes effect {takes_effect:?}"),
        })?;
        campaigns.push(Campaign {
            year,
            first_day,
            last_day,
            free_choice_limit,
            takes_effect,
        });
    }
    Ok(AttachmentRules {
        campaigns,
        list_norms: list_norms(conn).await?,
        // the Code's age of majority; not yet a clinic's setting
        district_ages: DistrictAges::default(),
    })
}

pub(crate) async fn set_campaign(pool: &SqlitePool, campaign: &Campaign) -> Result<(), StoreError> {
    if campaign.first_day > campaign.last_day || campaign.first_day.year() != campaign.year {
        return Err(StoreError::InvalidReferenceData {
            detail: format!(
                "campaign {}: {} – {}",
                campaign.year, campaign.first_day, campaign.last_day
            ),
        });
    }
    sqlx::query(
        "INSERT INTO attachment_campaign (year, first_day, last_day, free_choice_limit, takes_effect) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (year) DO UPDATE SET first_day = excluded.first_day, \
         last_day = excluded.last_day, free_choice_limit = excluded.free_choice_limit, \
         takes_effect = excluded.takes_effect",
    )
    .bind(campaign.year)
    .bind(campaign.first_day)
    .bind(campaign.last_day)
    .bind(campaign.free_choice_limit)
    .bind(campaign.takes_effect.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

/// The districts' list norms kept here, the standard's where none is.
pub(crate) async fn list_norms(conn: &mut SqliteConnection) -> Result<ListNorms, StoreError> {
    let mut list_norms = ListNorms::default();
    let norms: Vec<(String, u32)> = sqlx::query_as("SELECT district_kind, persons FROM district_list_norm")
        .fetch_all(&mut *conn)
        .await?;
    for (kind, persons) in norms {
        match DistrictKind::parse(&kind) {
            Some(DistrictKind::Therapeutic) => list_norms.therapeutic = persons,
            Some(DistrictKind::Pediatric) => list_norms.pediatric = persons,
            Some(DistrictKind::GeneralPractice) => list_norms.general_practice = persons,
            None => {
                return Err(StoreError::Corrupt {
                    detail: format!("list norm for {kind:?}"),
                });
            }
        }
    }
    Ok(list_norms)
}

/// Keeps the list norms, each above zero, in the caller's transaction.
pub(crate) async fn write_list_norms(
    conn: &mut SqliteConnection,
    norms: &ListNorms,
) -> Result<(), StoreError> {
    for kind in DistrictKind::ALL {
        let persons = norms.for_kind(*kind);
        if persons == 0 {
            return Err(StoreError::InvalidReferenceData {
                detail: format!("list norm for {} is 0", kind.as_str()),
            });
        }
        sqlx::query(
            "INSERT INTO district_list_norm (district_kind, persons) VALUES (?1, ?2) \
             ON CONFLICT (district_kind) DO UPDATE SET persons = excluded.persons",
        )
        .bind(kind.as_str())
        .bind(persons)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The rule table of `kind` in force on `day`: the latest kept one from on or
/// before it, else `fallback` (seed 000's).
async fn rule_table<T: serde::de::DeserializeOwned>(
    conn: &mut SqliteConnection,
    kind: &str,
    day: NaiveDate,
    fallback: impl FnOnce() -> T,
) -> Result<T, StoreError> {
    let body: Option<String> = sqlx::query_scalar(
        "SELECT body FROM rule_table WHERE kind = ?1 AND valid_from <= ?2 ORDER BY valid_from DESC LIMIT 1",
    )
    .bind(kind)
    .bind(day)
    .fetch_optional(&mut *conn)
    .await?;
    match body {
        None => Ok(fallback()),
        Some(body) => serde_json::from_str(&body).map_err(|error| StoreError::Corrupt {
            detail: format!("{kind} rules: {error}"),
        }),
    }
}

pub(crate) async fn triage_rules(
    conn: &mut SqliteConnection,
    day: NaiveDate,
) -> Result<TriageRules, StoreError> {
    rule_table(conn, "triage", day, TriageRules::seed_default).await
}

pub(crate) async fn plan_rules(conn: &mut SqliteConnection, day: NaiveDate) -> Result<PlanRules, StoreError> {
    rule_table(conn, "care_plan", day, PlanRules::seed_default).await
}

/// Keeps a version of a rule table (an order's), in force from its
/// `valid_from`; returns whether it differed from the one kept for that day.
pub(crate) async fn keep_rule_table<T: Serialize>(
    pool: &SqlitePool,
    kind: &str,
    valid_from: NaiveDate,
    source: &str,
    rules: &T,
) -> Result<bool, StoreError> {
    let body = serde_json::to_string(rules).map_err(|e| StoreError::InvalidReferenceData {
        detail: format!("{kind} rules: {e}"),
    })?;
    let changed = sqlx::query(
        "INSERT INTO rule_table (kind, valid_from, source, body) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (kind, valid_from) DO UPDATE SET source = excluded.source, body = excluded.body \
         WHERE rule_table.body <> excluded.body OR rule_table.source <> excluded.source",
    )
    .bind(kind)
    .bind(valid_from)
    .bind(source)
    .bind(body)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(changed > 0)
}
