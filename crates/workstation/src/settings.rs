//! Choices the user made at this workstation, kept in its database.

use emhana_domain::documents::SlipFormat;
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::error::StoreError;

/// The interface languages: Kazakh and Russian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

pub(crate) async fn language(pool: &SqlitePool) -> Result<Option<Language>, StoreError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM setting WHERE name = 'language'")
        .fetch_optional(pool)
        .await?;
    Ok(stored.as_deref().and_then(Language::from_code))
}

pub(crate) async fn set_language(pool: &SqlitePool, language: Language) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO setting (name, value) VALUES ('language', ?1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(language.code())
    .execute(pool)
    .await?;
    Ok(())
}

/// The paper slips are printed on; A6 until the clinic says otherwise.
pub(crate) async fn slip_format(pool: &SqlitePool) -> Result<SlipFormat, StoreError> {
    let stored: Option<String> = sqlx::query_scalar("SELECT value FROM setting WHERE name = 'slip_format'")
        .fetch_optional(pool)
        .await?;
    Ok(stored
        .as_deref()
        .and_then(SlipFormat::parse)
        .unwrap_or(SlipFormat::A6))
}

pub(crate) async fn set_slip_format(pool: &SqlitePool, format: SlipFormat) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO setting (name, value) VALUES ('slip_format', ?1) \
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
    .bind(format.as_str())
    .execute(pool)
    .await?;
    Ok(())
}
