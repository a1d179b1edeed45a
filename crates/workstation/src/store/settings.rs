//! Choices kept in the workstation's database: this PC's own (its
//! language), and the clinic's settings every PC of it shares (list norms,
//! round pace, slip paper), which travel as one record through the registry.

use chrono::{DateTime, Utc};
use emhana_domain::documents::SlipFormat;
use emhana_domain::round::RoundPace;
use emhana_protocol::{ClinicSettings, OpBody, SetSettingsOp, SettingsRecord};
use serde::{Deserialize, Serialize};
use sqlx::{SqliteConnection, SqlitePool};
use uuid::Uuid;

use super::{OpLinks, home_clinic, list_norms, record_op, write_list_norms};
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

/// Hours this PC keeps a printed document; a day until set.
pub(crate) async fn documents_kept_hours(pool: &SqlitePool) -> Result<u32, StoreError> {
    Ok(setting(pool, "documents_kept_hours")
        .await?
        .and_then(|text| text.parse().ok())
        .unwrap_or(crate::documents::DEFAULT_DOCUMENTS_KEPT_HOURS))
}

pub(crate) async fn set_documents_kept_hours(pool: &SqlitePool, hours: u32) -> Result<(), StoreError> {
    set_setting(pool, "documents_kept_hours", &hours.to_string()).await
}

/// The paper slips are printed on; A6 until the clinic says otherwise.
pub(crate) async fn slip_format(executor: impl sqlx::SqliteExecutor<'_>) -> Result<SlipFormat, StoreError> {
    Ok(setting(executor, "slip_format")
        .await?
        .as_deref()
        .and_then(SlipFormat::parse)
        .unwrap_or(SlipFormat::A6))
}

/// How the clinic's rounds are timed; the domain's default until set.
pub(crate) async fn round_pace(executor: impl sqlx::SqliteExecutor<'_>) -> Result<RoundPace, StoreError> {
    Ok(setting(executor, "round_pace")
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

fn check_round_pace(pace: &RoundPace) -> Result<(), StoreError> {
    if !(5..=240).contains(&pace.visit_minutes) || pace.travel_minutes > 240 || pace.stops_per_day() == 0 {
        return Err(StoreError::InvalidReferenceData {
            detail: format!(
                "a visit of {} min with {} min between, from {} to {}",
                pace.visit_minutes, pace.travel_minutes, pace.starts, pace.ends
            ),
        });
    }
    Ok(())
}

/// Minutes of no use after which a signed-in window locks; the domain's default until set.
pub(crate) async fn lock_after_minutes(executor: impl sqlx::SqliteExecutor<'_>) -> Result<u32, StoreError> {
    Ok(setting(executor, "lock_after_minutes")
        .await?
        .and_then(|text| text.parse().ok())
        .unwrap_or(emhana_domain::access::DEFAULT_LOCK_AFTER_MINUTES))
}

/// The clinic's settings that every PC of it shares, as kept here.
pub(crate) async fn clinic_settings(conn: &mut SqliteConnection) -> Result<ClinicSettings, StoreError> {
    Ok(ClinicSettings {
        list_norms: list_norms(&mut *conn).await?,
        round_pace: round_pace(&mut *conn).await?,
        slip_format: slip_format(&mut *conn).await?,
        lock_after_minutes: lock_after_minutes(&mut *conn).await?,
    })
}

async fn write_clinic_settings(
    conn: &mut SqliteConnection,
    settings: &ClinicSettings,
) -> Result<(), StoreError> {
    check_round_pace(&settings.round_pace)?;
    if !emhana_domain::access::LOCK_AFTER_MINUTES.contains(&settings.lock_after_minutes) {
        return Err(StoreError::InvalidReferenceData {
            detail: format!("a lock after {} min of no use", settings.lock_after_minutes),
        });
    }
    set_setting(
        &mut *conn,
        "lock_after_minutes",
        &settings.lock_after_minutes.to_string(),
    )
    .await?;
    write_list_norms(&mut *conn, &settings.list_norms).await?;
    let pace = serde_json::to_string(&settings.round_pace).map_err(|e| StoreError::InvalidReferenceData {
        detail: e.to_string(),
    })?;
    set_setting(&mut *conn, "round_pace", &pace).await?;
    set_setting(&mut *conn, "slip_format", settings.slip_format.as_str()).await
}

/// Changes the clinic's settings here and tells the registry, over the
/// version this PC's copy was based on; the copy is then based on this op.
pub(crate) async fn change_clinic_settings(
    pool: &SqlitePool,
    change: impl FnOnce(&mut ClinicSettings),
    author_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let mut settings = clinic_settings(&mut tx).await?;
    change(&mut settings);
    write_clinic_settings(&mut tx, &settings).await?;
    let clinic_bin = home_clinic(&mut tx).await?.bin;
    let base = setting(&mut *tx, SETTINGS_VERSION)
        .await?
        .and_then(|text| Uuid::parse_str(&text).ok());
    let body = OpBody::SetSettings(Box::new(SetSettingsOp {
        settings: SettingsRecord {
            id: SettingsRecord::id_for(&clinic_bin),
            clinic_bin,
            settings,
            changed_by: None,
        },
        base,
    }));
    let op = record_op(&mut tx, now, author_id, &body, OpLinks::default()).await?;
    set_setting(&mut *tx, SETTINGS_VERSION, &op.to_string()).await?;
    tx.commit().await?;
    Ok(())
}

/// The version of the clinic's settings this PC's copy is based on.
const SETTINGS_VERSION: &str = "settings_version";

/// The clinic's settings as this PC holds them, as the registry keeps them.
pub(crate) async fn settings_record(conn: &mut SqliteConnection) -> Result<SettingsRecord, StoreError> {
    let clinic_bin = home_clinic(&mut *conn).await?.bin;
    Ok(SettingsRecord {
        id: SettingsRecord::id_for(&clinic_bin),
        clinic_bin,
        settings: clinic_settings(&mut *conn).await?,
        changed_by: setting(&mut *conn, SETTINGS_VERSION)
            .await?
            .and_then(|text| Uuid::parse_str(&text).ok()),
    })
}

/// Writes the clinic's settings as the registry holds them. Settings this
/// PC would refuse (sent by a PC of another version) are held, not written:
/// `false`, and the feed goes on.
pub(crate) async fn receive_settings(
    conn: &mut SqliteConnection,
    record: &SettingsRecord,
) -> Result<bool, StoreError> {
    let norms = &record.settings.list_norms;
    if check_round_pace(&record.settings.round_pace).is_err()
        || !emhana_domain::access::LOCK_AFTER_MINUTES.contains(&record.settings.lock_after_minutes)
        || [norms.therapeutic, norms.pediatric, norms.general_practice].contains(&0)
    {
        tracing::warn!("the clinic's settings from the registry are out of bounds here; held");
        return Ok(false);
    }
    write_clinic_settings(&mut *conn, &record.settings).await?;
    if let Some(version) = record.changed_by {
        set_setting(&mut *conn, SETTINGS_VERSION, &version.to_string()).await?;
    }
    Ok(true)
}
