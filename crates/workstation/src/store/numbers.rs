//! The next number of an application, a booking or a home call, in this PC's
//! series ([`emhana_domain::numbering`]): the registry hands the series out
//! at enrolment, so no two PCs of a clinic give the same number.

use emhana_domain::numbering::series_range;
use sqlx::SqliteConnection;

use crate::error::StoreError;

/// What is numbered, in the clinic and the (Kazakhstan) year.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Numbered {
    Application { clinic_id: i64 },
    Booking,
    Call,
}

/// This PC's series: the registry's, once enrolled; 0 before.
pub(crate) async fn series(conn: &mut SqliteConnection) -> Result<u32, StoreError> {
    let series: Option<i64> = sqlx::query_scalar("SELECT series FROM sync_enrolment WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    Ok(series.and_then(|s| u32::try_from(s).ok()).unwrap_or(0))
}

/// The next number of `what` in `year`, in this PC's series, inside the
/// caller's transaction (the insert that takes it follows in the same one).
pub(crate) async fn next_number(
    conn: &mut SqliteConnection,
    what: Numbered,
    year: i32,
) -> Result<i64, StoreError> {
    let (first, end) = series_range(series(&mut *conn).await?);
    let last: Option<i64> = match what {
        Numbered::Application { clinic_id } => {
            sqlx::query_scalar(
                "SELECT max(number) FROM attachment_application \
                 WHERE clinic_id = ?1 AND year = ?2 AND number >= ?3 AND number < ?4",
            )
            .bind(clinic_id)
            .bind(year)
            .bind(first)
            .bind(end)
            .fetch_one(&mut *conn)
            .await?
        }
        Numbered::Booking => {
            sqlx::query_scalar(
                "SELECT max(number) FROM booking WHERE year = ?1 AND number >= ?2 AND number < ?3",
            )
            .bind(year)
            .bind(first)
            .bind(end)
            .fetch_one(&mut *conn)
            .await?
        }
        Numbered::Call => {
            sqlx::query_scalar(
                "SELECT max(number) FROM home_call WHERE year = ?1 AND number >= ?2 AND number < ?3",
            )
            .bind(year)
            .bind(first)
            .bind(end)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let next = last.map_or(first, |last| last + 1);
    if next >= end {
        return Err(StoreError::Corrupt {
            detail: format!("the number series is full for {year}"),
        });
    }
    Ok(next)
}
