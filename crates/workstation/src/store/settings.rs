//! Choices the user made at this workstation, kept in its database.

use emhana_domain::documents::SlipFormat;
use emhana_domain::round::RoundPace;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::error::StoreError;

/// The interface languages: Kazakh and Russian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Kk,
    Ru,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Language::Kk => "kk",
            Language::Ru => "ru",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "kk" => Some(Language::Kk),
            "ru" => Some(Language::Ru),
            _ => None,
        }
    }
}

/// The value kept for a setting, if any (on the pool or inside a transaction).
pub(crate) async fn setting(
    executor: impl sqlx::SqliteExecutor<'_>,
    name: &str,
) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT value FROM setting WHERE name = ?1")
        .bind(name)
        .fetch_optional(executor)
        .await?)
}

pub(crate) async fn set_setting(
    executor: impl sqlx::SqliteExecutor<'_>,
    name: &str,
    value: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO setting (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(name)
    .bind(value)
    .execute(executor)
    .await?;
    Ok(())
}

pub(crate) async fn language(pool: &SqlitePool) -> Result<Option<Language>, StoreError> {
    Ok(setting(pool, "language")
        .await?
        .as_deref()
        .and_then(Language::from_code))
}

pub(crate) async fn set_language(pool: &SqlitePool, language: Language) -> Result<(), StoreError> {
    set_setting(pool, "language", language.code()).await
}

/// The paper slips are printed on; A6 until the clinic says otherwise.
pub(crate) async fn slip_format(pool: &SqlitePool) -> Result<SlipFormat, StoreError> {
    Ok(setting(pool, "slip_format")
        .await?
        .as_deref()
        .and_then(SlipFormat::parse)
        .unwrap_or(SlipFormat::A6))
}

pub(crate) async fn set_slip_format(pool: &SqlitePool, format: SlipFormat) -> Result<(), StoreError> {
    set_setting(pool, "slip_format", format.as_str()).await
}

/// How the clinic's rounds are timed; the domain's default until set.
pub(crate) async fn round_pace(pool: &SqlitePool) -> Result<RoundPace, StoreError> {
    Ok(setting(pool, "round_pace")
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

pub(crate) async fn set_round_pace(pool: &SqlitePool, pace: RoundPace) -> Result<(), StoreError> {
    if !(5..=240).contains(&pace.visit_minutes) || pace.travel_minutes > 240 || pace.stops_per_day() == 0 {
        return Err(StoreError::InvalidReferenceData {
            detail: format!(
                "a visit of {} min with {} min between, from {} to {}",
                pace.visit_minutes, pace.travel_minutes, pace.starts, pace.ends
            ),
        });
    }
    let text = serde_json::to_string(&pace).map_err(|e| StoreError::InvalidReferenceData {
        detail: e.to_string(),
    })?;
    set_setting(pool, "round_pace", &text).await
}
