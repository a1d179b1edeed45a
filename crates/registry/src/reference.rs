//! Reference data the registry hands out: the year's attachment campaign
//! (set by the administrator when the year's order is published) and the
//! year's working-day calendar (when the government's decree moves days off),
//! and the home-call triage table and care-plan schedules of each order.

use chrono::{Datelike, NaiveDate, Weekday};
use emhana_domain::attachment::Campaign;
use emhana_domain::calendar::{CalendarDay, DayKind, check_year};
use emhana_domain::care_plan::PlanRules;
use emhana_domain::home_call::TriageRules;
use emhana_protocol::CalendarYear;
use sqlx::{PgConnection, PgPool};

use crate::RegistryError;

/// Sets a year's campaign (the order of that year); every workstation gets it
/// with its next sync.
pub async fn set_campaign(pool: &PgPool, campaign: &Campaign) -> Result<(), RegistryError> {
    if campaign.first_day > campaign.last_day || campaign.first_day.year() != campaign.year {
        return Err(RegistryError::Malformed(format!(
            "campaign {}: {} – {} is not a window within the year",
            campaign.year, campaign.first_day, campaign.last_day
        )));
    }
    sqlx::query(
        "INSERT INTO attachment_campaign (year, first_day, last_day, free_choice_limit, takes_effect) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year) DO UPDATE SET first_day = EXCLUDED.first_day, \
         last_day = EXCLUDED.last_day, free_choice_limit = EXCLUDED.free_choice_limit, \
         takes_effect = EXCLUDED.takes_effect",
    )
    .bind(campaign.year)
    .bind(campaign.first_day)
    .bind(campaign.last_day)
    .bind(i32::try_from(campaign.free_choice_limit).unwrap_or(i32::MAX))
    .bind(campaign.takes_effect.as_str())
    .execute(pool)
    .await?;
    Ok(())
}

/// Replaces a year's working-day calendar (the government's decree for the
/// year); every workstation gets it with its next sync.
pub async fn set_calendar_year(pool: &PgPool, year: i32, days: &[CalendarDay]) -> Result<(), RegistryError> {
    check_year(year, days)
        .map_err(|problem| RegistryError::Malformed(format!("calendar {year}: {problem}")))?;
    let first = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| RegistryError::Malformed(format!("calendar year {year}")))?;
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM calendar_day WHERE date >= $1 AND date < $2")
        .bind(first)
        .bind(first.with_year(year + 1).unwrap_or(NaiveDate::MAX))
        .execute(&mut *tx)
        .await?;
    for day in days {
        sqlx::query("INSERT INTO calendar_day (date, kind, works_as, name) VALUES ($1, $2, $3, $4)")
            .bind(day.date)
            .bind(day.kind.as_str())
            .bind(
                day.works_as
                    .map(|w| i16::try_from(w.number_from_monday()).unwrap_or(0)),
            )
            .bind(&day.name)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The calendars the registry holds, by year, each in date order.
pub(crate) async fn calendars(conn: &mut PgConnection) -> Result<Vec<CalendarYear>, RegistryError> {
    let rows: Vec<(NaiveDate, String, Option<i16>, String)> =
        sqlx::query_as("SELECT date, kind, works_as, name FROM calendar_day ORDER BY date")
            .fetch_all(conn)
            .await?;
    let mut years: Vec<CalendarYear> = Vec::new();
    for (date, kind, works_as, name) in rows {
        let corrupt = || RegistryError::Database(sqlx::Error::Decode(format!("calendar_day {date}").into()));
        let day = CalendarDay {
            date,
            kind: DayKind::parse(&kind).ok_or_else(corrupt)?,
            works_as: works_as
                .map(|n| {
                    u8::try_from(n - 1)
                        .ok()
                        .and_then(|n| Weekday::try_from(n).ok())
                        .ok_or_else(corrupt)
                })
                .transpose()?,
            name,
        };
        match years.last_mut() {
            Some(year) if year.year == date.year() => year.days.push(day),
            _ => years.push(CalendarYear {
                year: date.year(),
                days: vec![day],
            }),
        }
    }
    Ok(years)
}

/// Keeps an order's home-call triage table; every workstation gets it with its next sync.
pub async fn set_triage_rules(pool: &PgPool, rules: &TriageRules) -> Result<(), RegistryError> {
    set_rule_table(pool, "triage", rules.valid_from, &rules.source, rules).await
}

/// Keeps an order's care-plan schedules; every workstation gets them with its next sync.
pub async fn set_plan_rules(pool: &PgPool, rules: &PlanRules) -> Result<(), RegistryError> {
    set_rule_table(pool, "care_plan", rules.valid_from, &rules.source, rules).await
}

async fn set_rule_table<T: serde::Serialize>(
    pool: &PgPool,
    kind: &str,
    valid_from: NaiveDate,
    source: &str,
    rules: &T,
) -> Result<(), RegistryError> {
    let body =
        serde_json::to_value(rules).map_err(|e| RegistryError::Malformed(format!("{kind} rules: {e}")))?;
    sqlx::query(
        "INSERT INTO rule_table (kind, valid_from, source, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (kind, valid_from) DO UPDATE SET source = EXCLUDED.source, body = EXCLUDED.body",
    )
    .bind(kind)
    .bind(valid_from)
    .bind(source)
    .bind(body)
    .execute(pool)
    .await?;
    Ok(())
}

/// The rule tables of `kind` the registry holds, oldest first.
pub(crate) async fn rule_tables<T: serde::de::DeserializeOwned>(
    conn: &mut PgConnection,
    kind: &str,
) -> Result<Vec<T>, RegistryError> {
    let bodies: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT body FROM rule_table WHERE kind = $1 ORDER BY valid_from")
            .bind(kind)
            .fetch_all(conn)
            .await?;
    bodies
        .into_iter()
        .map(|body| {
            serde_json::from_value(body).map_err(|e| {
                RegistryError::Database(sqlx::Error::Decode(format!("rule_table {kind}: {e}").into()))
            })
        })
        .collect()
}
