//! The working-day calendar kept here, with the law's defaults for a year with none.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Weekday};
use emhana_domain::calendar::{CalendarDay, DayKind, WorkCalendar};
use sqlx::{SqliteConnection, SqlitePool};

use crate::error::{StoreError, corrupt};

/// The working-day calendar for the years from `first` to `last`: the days
/// kept here, and the law's defaults for a year with none.
pub(crate) async fn calendar(
    conn: &mut SqliteConnection,
    first: i32,
    last: i32,
) -> Result<WorkCalendar, StoreError> {
    let rows: Vec<(NaiveDate, String, Option<u32>, String)> =
        sqlx::query_as("SELECT date, kind, works_as, name FROM calendar_day WHERE date >= ?1 AND date < ?2")
            .bind(format!("{first:04}-01-01"))
            .bind(format!("{:04}-01-01", last + 1))
            .fetch_all(&mut *conn)
            .await?;
    let mut years = BTreeSet::new();
    let mut days = Vec::with_capacity(rows.len());
    for (date, kind, works_as, name) in rows {
        years.insert(date.year());
        days.push(CalendarDay {
            date,
            kind: DayKind::parse(&kind).ok_or_else(|| corrupt("calendar day kind", &kind))?,
            works_as: works_as.map(weekday_from_number).transpose()?,
            name,
        });
    }
    for year in first..=last {
        if !years.contains(&year) {
            days.extend(WorkCalendar::law_defaults(year));
        }
    }
    Ok(WorkCalendar::new(days))
}

/// The days of `year` as kept (or the law's defaults when none are).
pub(crate) async fn calendar_year(pool: &SqlitePool, year: i32) -> Result<Vec<CalendarDay>, StoreError> {
    let mut conn = pool.acquire().await?;
    Ok(calendar(&mut conn, year, year).await?.days().cloned().collect())
}

pub(crate) async fn replace_calendar_year(
    conn: &mut SqliteConnection,
    year: i32,
    days: &[CalendarDay],
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM calendar_day WHERE date >= ?1 AND date < ?2")
        .bind(format!("{year:04}-01-01"))
        .bind(format!("{:04}-01-01", year + 1))
        .execute(&mut *conn)
        .await?;
    for day in days {
        sqlx::query("INSERT INTO calendar_day (date, kind, works_as, name) VALUES (?1, ?2, ?3, ?4)")
            .bind(day.date)
            .bind(day.kind.as_str())
            .bind(day.works_as.map(|w| w.number_from_monday()))
            .bind(&day.name)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) fn weekday_from_number(number: u32) -> Result<Weekday, StoreError> {
    Weekday::try_from(u8::try_from(number.wrapping_sub(1)).unwrap_or(u8::MAX))
        .map_err(|_| corrupt("weekday", &number.to_string()))
}
