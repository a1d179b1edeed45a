//! Bookings shared with the clinic's other PCs through the registry: the
//! booking as a `protocol::BookingRecord` (read from this PC's tables for an
//! op, written to them from the feed or the registry's answer).

use emhana_protocol::{BookingChange, BookingEvent, BookingRecord, ScheduleRecord, SetScheduleOp};
use uuid::Uuid;

use super::*;

#[derive(sqlx::FromRow)]
struct SharedBookingRow {
    uid: String,
    year: i32,
    number: i64,
    person_id: i64,
    staff_iin: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    room: Option<String>,
    reason: String,
    channel: String,
    status: String,
    moved_from_uid: Option<String>,
    registrar_iin: Option<String>,
    made_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    at: DateTime<Utc>,
    status: String,
    staff_iin: Option<String>,
    note: Option<String>,
}

fn event_of(row: EventRow) -> Result<BookingEvent, StoreError> {
    Ok(BookingEvent {
        at: row.at,
        status: BookingStatus::parse(&row.status).ok_or_else(|| corrupt("booking status", &row.status))?,
        staff_iin: row.staff_iin,
        note: row.note,
    })
}

const EVENTS: &str = "SELECT e.at, e.status, s.iin AS staff_iin, e.note FROM booking_event e \
                      LEFT JOIN staff s ON s.id = e.staff_id WHERE e.booking_id = ?1 ORDER BY e.id";

/// The booking as this PC holds it, as the registry keeps it.
pub(crate) async fn booking_record(
    conn: &mut SqliteConnection,
    booking_id: i64,
) -> Result<BookingRecord, StoreError> {
    let row: SharedBookingRow = sqlx::query_as(
        "SELECT b.uid, b.year, b.number, b.person_id, s.iin AS staff_iin, b.starts_at, b.ends_at, b.room, b.reason, \
                b.channel, b.status, m.uid AS moved_from_uid, r.iin AS registrar_iin, b.made_at \
         FROM booking b JOIN staff s ON s.id = b.staff_id LEFT JOIN booking m ON m.id = b.moved_from \
              LEFT JOIN staff r ON r.id = b.registrar_id WHERE b.id = ?1",
    )
    .bind(booking_id)
    .fetch_one(&mut *conn)
    .await?;
    let events: Vec<EventRow> = sqlx::query_as(EVENTS)
        .bind(booking_id)
        .fetch_all(&mut *conn)
        .await?;
    let home = store::home_clinic(&mut *conn).await?;
    let uuid = |text: &str| Uuid::parse_str(text).map_err(|_| corrupt("booking uid", text));
    Ok(BookingRecord {
        id: uuid(&row.uid)?,
        clinic_bin: home.bin,
        year: row.year,
        number: u32::try_from(row.number).map_err(|_| corrupt("booking number", &row.number.to_string()))?,
        person: store::load_person(&mut *conn, row.person_id).await?,
        staff_iin: row.staff_iin,
        starts_at: kazakhstan_instant(row.starts_at),
        ends_at: kazakhstan_instant(row.ends_at),
        room: row.room,
        reason: VisitReason::parse(&row.reason).ok_or_else(|| corrupt("visit reason", &row.reason))?,
        channel: BookingChannel::parse(&row.channel)
            .ok_or_else(|| corrupt("booking channel", &row.channel))?,
        status: BookingStatus::parse(&row.status).ok_or_else(|| corrupt("booking status", &row.status))?,
        moved_from: row.moved_from_uid.as_deref().map(uuid).transpose()?,
        registrar_iin: row.registrar_iin,
        made_at: row.made_at,
        history: events.into_iter().map(event_of).collect::<Result<_, _>>()?,
    })
}

/// The booking's last status change, as an op carries it.
pub(super) async fn last_change(
    conn: &mut SqliteConnection,
    booking_id: i64,
) -> Result<BookingChange, StoreError> {
    let uid: String = sqlx::query_scalar("SELECT uid FROM booking WHERE id = ?1")
        .bind(booking_id)
        .fetch_one(&mut *conn)
        .await?;
    let last: EventRow = sqlx::query_as(sqlx::AssertSqlSafe(format!("{EVENTS} DESC LIMIT 1")))
        .bind(booking_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(BookingChange {
        booking: Uuid::parse_str(&uid).map_err(|_| corrupt("booking uid", &uid))?,
        event: event_of(last)?,
    })
}

/// Writes a booking as the registry holds it. `false` when it cannot be
/// written yet: its doctor is not known here, its slot (or the person's day
/// with the doctor) is still held by another booking here — one whose op
/// waits for its answer — or its number by one the registry refused; the
/// caller holds it and tries again.
pub(crate) async fn receive_booking(
    conn: &mut SqliteConnection,
    booking: &BookingRecord,
) -> Result<bool, StoreError> {
    let uid = booking.id.to_string();
    let starts = kazakhstan_time(booking.starts_at);
    let ends = kazakhstan_time(booking.ends_at);
    // One look: the doctor and the person here, this booking here already,
    // its number held by another (one this PC numbered before it enrolled,
    // refused), and, for an active one, its slot or the person's day with
    // the doctor held by a provisional booking here — a day's catch-up is
    // thousands of bookings, and each statement is a round trip to SQLite.
    let (staff, person, known, number_taken, taken): (Option<i64>, Option<i64>, Option<i64>, bool, bool) =
        sqlx::query_as(
            "SELECT (SELECT id FROM staff WHERE iin = ?1), (SELECT id FROM person WHERE iin = ?5), \
                    (SELECT id FROM booking WHERE uid = ?2), \
                    EXISTS (SELECT 1 FROM booking WHERE year = ?3 AND number = ?4 AND uid IS NOT ?2), \
                    ?6 AND EXISTS (SELECT 1 FROM booking b WHERE b.uid IS NOT ?2 AND b.status IN ('booked', 'arrived') \
                      AND b.staff_id = (SELECT id FROM staff WHERE iin = ?1) \
                      AND (b.starts_at = ?7 OR (b.person_id = (SELECT id FROM person WHERE iin = ?5) \
                           AND substr(b.starts_at, 1, 10) = substr(?7, 1, 10))))",
        )
        .bind(&booking.staff_iin)
        .bind(&uid)
        .bind(booking.year)
        .bind(i64::from(booking.number))
        .bind(booking.person.iin.to_string())
        .bind(booking.status.is_active())
        .bind(starts)
        .fetch_one(&mut *conn)
        .await?;
    let Some(staff_id) = staff else {
        return Ok(false);
    };
    if number_taken || taken {
        return Ok(false);
    }
    let person_id = match person {
        Some(id) => id,
        None => store::person_id_or_insert(&mut *conn, &booking.person).await?,
    };
    // Confirmed: the registry holds it. The registrar and the booking it
    // replaced are looked up in the same statement.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO booking (uid, year, number, person_id, staff_id, starts_at, ends_at, room, reason, channel, \
         status, moved_from, registrar_id, made_at, registry_confirmed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, (SELECT id FROM booking WHERE uid = ?12), \
                 (SELECT id FROM staff WHERE iin = ?13), ?14, ?14) \
         ON CONFLICT (uid) DO UPDATE SET status = excluded.status, \
           registry_confirmed_at = coalesce(booking.registry_confirmed_at, excluded.registry_confirmed_at) \
         RETURNING id",
    )
    .bind(&uid)
    .bind(booking.year)
    .bind(i64::from(booking.number))
    .bind(person_id)
    .bind(staff_id)
    .bind(starts)
    .bind(ends)
    .bind(&booking.room)
    .bind(booking.reason.as_str())
    .bind(booking.channel.as_str())
    .bind(booking.status.as_str())
    .bind(booking.moved_from.map(|from| from.to_string()))
    .bind(&booking.registrar_iin)
    .bind(booking.made_at)
    .fetch_one(&mut *conn)
    .await?;
    // The history as the registry holds it, in one statement.
    if known.is_some() {
        sqlx::query("DELETE FROM booking_event WHERE booking_id = ?1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    if !booking.history.is_empty() {
        let mut insert: sqlx::QueryBuilder<sqlx::Sqlite> =
            sqlx::QueryBuilder::new("INSERT INTO booking_event (booking_id, at, status, staff_id, note) ");
        insert.push_values(&booking.history, |mut row, event| {
            row.push_bind(id)
                .push_bind(event.at)
                .push_bind(event.status.as_str())
                .push("(SELECT id FROM staff WHERE iin = ")
                .push_bind_unseparated(&event.staff_iin)
                .push_unseparated(")")
                .push_bind(&event.note);
        });
        insert.build().execute(&mut *conn).await?;
    }
    Ok(true)
}

/// The op telling the registry of a doctor's schedule as it now stands here,
/// over the version this PC's copy was based on; the copy is then based on
/// this op (a second change made offline follows the first).
pub(super) async fn record_schedule_op(
    conn: &mut SqliteConnection,
    staff_id: i64,
    saved_by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut schedule = schedule_record(&mut *conn, staff_id).await?;
    let base = schedule.changed_by.take();
    let body = OpBody::SetSchedule(Box::new(SetScheduleOp { schedule, base }));
    let op = store::record_op(&mut *conn, now, saved_by, &body, OpLinks::default()).await?;
    set_version(conn, staff_id, op).await
}

/// The doctor's schedule as this PC holds it, as the registry keeps it:
/// `changed_by` the version this PC's copy is based on.
pub(crate) async fn schedule_record(
    conn: &mut SqliteConnection,
    staff_id: i64,
) -> Result<ScheduleRecord, StoreError> {
    let home = store::home_clinic(&mut *conn).await?;
    let staff_iin = store::staff_iin(&mut *conn, staff_id).await?;
    let schedule = super::schedule_of(&mut *conn, staff_id).await?;
    let version: Option<String> =
        sqlx::query_scalar("SELECT changed_by FROM schedule_version WHERE staff_id = ?1")
            .bind(staff_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(ScheduleRecord {
        id: ScheduleRecord::id_for(&home.bin, &staff_iin),
        clinic_bin: home.bin,
        staff_iin,
        schedule,
        changed_by: version.as_deref().and_then(|text| Uuid::parse_str(text).ok()),
    })
}

async fn set_version(conn: &mut SqliteConnection, staff_id: i64, version: Uuid) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO schedule_version (staff_id, changed_by) VALUES (?1, ?2) \
         ON CONFLICT (staff_id) DO UPDATE SET changed_by = excluded.changed_by",
    )
    .bind(staff_id)
    .bind(version.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a doctor's schedule as the registry holds it over this PC's copy:
/// every template and exception replaced. `false` when the doctor is not
/// known here yet (the caller holds it). The bookings it leaves without a
/// slot are listed to be moved, as after any schedule change.
pub(crate) async fn receive_schedule(
    conn: &mut SqliteConnection,
    record: &ScheduleRecord,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(staff_id) = store::staff_id_by_iin(&mut *conn, &record.staff_iin).await? else {
        return Ok(false);
    };
    for table in ["schedule_template", "schedule_exception"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM {table} WHERE staff_id = ?1"
        )))
        .bind(staff_id)
        .execute(&mut *conn)
        .await?;
    }
    for template in &record.schedule.templates {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO schedule_template (staff_id, valid_from, saved_at) VALUES (?1, ?2, ?3) RETURNING id",
        )
        .bind(staff_id)
        .bind(template.valid_from)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        super::insert_sessions(&mut *conn, (Some(id), None), &template.sessions).await?;
    }
    for exception in &record.schedule.exceptions {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO schedule_exception (staff_id, first_day, last_day, kind, saved_at) \
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(staff_id)
        .bind(exception.first_day)
        .bind(exception.last_day)
        .bind(exception.kind.as_str())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        super::insert_sessions(&mut *conn, (None, Some(id)), &exception.sessions).await?;
    }
    if let Some(version) = record.changed_by {
        set_version(conn, staff_id, version).await?;
    }
    Ok(true)
}
