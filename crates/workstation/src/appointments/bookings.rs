//! The booking journal as read: the rows and views, displaced bookings, free slots, a person's bookings and the options of the booking form, a day's journal and a booking's history.

use super::*;

pub(super) const BOOKING_SELECT: &str = concat!(
    "SELECT b.id, ",
    number_sql!("b"),
    " AS number, b.person_id, ",
    full_name_sql!("p"),
    " AS person_name, p.iin, p.phone, b.staff_id, ",
    full_name_sql!("s"),
    " AS doctor, b.starts_at, b.ends_at, b.room, b.reason, b.channel, b.status, \
     b.registry_confirmed_at IS NULL AS provisional, b.moved_from, b.made_at \
     FROM booking b JOIN person p ON p.id = b.person_id JOIN staff s ON s.id = b.staff_id "
);

#[derive(sqlx::FromRow)]
pub(super) struct BookingRow {
    id: i64,
    number: String,
    person_id: i64,
    person_name: String,
    iin: String,
    phone: Option<String>,
    staff_id: i64,
    doctor: String,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    room: Option<String>,
    reason: String,
    channel: String,
    status: String,
    provisional: bool,
    moved_from: Option<i64>,
    made_at: DateTime<Utc>,
}

impl TryFrom<BookingRow> for BookingView {
    type Error = StoreError;

    fn try_from(row: BookingRow) -> Result<Self, StoreError> {
        Ok(BookingView {
            reason: VisitReason::parse(&row.reason).ok_or_else(|| corrupt("visit reason", &row.reason))?,
            channel: BookingChannel::parse(&row.channel)
                .ok_or_else(|| corrupt("booking channel", &row.channel))?,
            status: BookingStatus::parse(&row.status)
                .ok_or_else(|| corrupt("booking status", &row.status))?,
            id: row.id,
            number: row.number,
            person_id: row.person_id,
            person_name: row.person_name,
            iin: row.iin,
            phone: row.phone.as_deref().map(format_phone),
            staff_id: row.staff_id,
            doctor: row.doctor,
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            room: row.room,
            provisional: row.provisional,
            moved_from: row.moved_from,
            made_at: row.made_at,
        })
    }
}

pub(super) async fn bookings_where(
    conn: &mut SqliteConnection,
    condition: &'static str,
    binds: (Option<i64>, Option<String>, Option<String>),
) -> Result<Vec<BookingView>, StoreError> {
    let rows: Vec<BookingRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{BOOKING_SELECT} WHERE {condition}")))
            .bind(binds.0)
            .bind(binds.1)
            .bind(binds.2)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(BookingView::try_from).collect()
}

pub(super) async fn booking_view(conn: &mut SqliteConnection, id: i64) -> Result<BookingView, BookingError> {
    bookings_where(
        conn,
        "b.id = ?1 AND ?2 IS NULL AND ?3 IS NULL",
        (Some(id), None, None),
    )
    .await?
    .pop()
    .ok_or(BookingError::BookingNotFound { id })
}

/// Active bookings from `now` on (of one doctor, or all) that the schedule
/// and calendar no longer give a slot for.
pub(super) async fn displaced_bookings(
    conn: &mut SqliteConnection,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<Vec<BookingView>, StoreError> {
    let from = kazakhstan_time(now);
    let active = bookings_where(
        conn,
        "b.status = 'booked' AND (?1 IS NULL OR b.staff_id = ?1) AND b.starts_at >= ?2 AND ?3 IS NULL \
         ORDER BY b.starts_at",
        (staff_id, Some(from.format("%Y-%m-%d %H:%M:%S").to_string()), None),
    )
    .await?;
    let Some(last) = active.last().map(|b| b.starts_at.date()) else {
        return Ok(Vec::new());
    };
    let calendar = store::calendar(conn, from.year(), last.year()).await?;
    let schedules = schedules(conn, staff_id).await?;
    let mut slots: HashMap<(i64, NaiveDate), HashSet<NaiveDateTime>> = HashMap::new();
    let mut displaced = Vec::new();
    for booking in active {
        let day = booking.starts_at.date();
        let starts = slots.entry((booking.staff_id, day)).or_insert_with(|| {
            schedules
                .get(&booking.staff_id)
                .map(|(schedule, _)| {
                    schedule
                        .slots_on(&calendar, day)
                        .into_iter()
                        .map(|s| s.starts)
                        .collect()
                })
                .unwrap_or_default()
        });
        if !starts.contains(&booking.starts_at) {
            displaced.push(booking);
        }
    }
    Ok(displaced)
}

pub(crate) async fn displaced(pool: &SqlitePool, now: DateTime<Utc>) -> Result<Vec<BookingView>, StoreError> {
    let mut conn = pool.acquire().await?;
    displaced_bookings(&mut conn, None, now).await
}

pub(super) fn standing_refusal(standing: &PersonStanding) -> Option<BookingRefusal> {
    match standing {
        PersonStanding::AttachedHere => None,
        PersonStanding::AttachedElsewhere { clinic } => Some(BookingRefusal::AttachedElsewhere {
            clinic: clinic.clone(),
        }),
        PersonStanding::NotAttached => Some(BookingRefusal::NotAttached),
        PersonStanding::Deceased => Some(BookingRefusal::PersonDeceased),
    }
}

/// Starts of the doctor's active bookings from `from` on (the slots taken).
pub(super) async fn taken_from(
    conn: &mut SqliteConnection,
    staff_id: i64,
    from: NaiveDateTime,
) -> Result<HashSet<NaiveDateTime>, StoreError> {
    let taken: Vec<NaiveDateTime> = sqlx::query_scalar(
        "SELECT starts_at FROM booking WHERE staff_id = ?1 AND starts_at >= ?2 AND status IN ('booked', 'arrived')",
    )
    .bind(staff_id)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    Ok(taken.into_iter().collect())
}

/// Up to `limit` free slots of the doctor from `from` (not before now).
pub(crate) async fn free_slots(
    pool: &SqlitePool,
    staff_id: i64,
    from: Option<NaiveDateTime>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, StoreError> {
    let mut conn = pool.acquire().await?;
    free_slots_on(&mut conn, staff_id, from, limit, now).await
}

pub(super) async fn free_slots_on(
    conn: &mut SqliteConnection,
    staff_id: i64,
    from: Option<NaiveDateTime>,
    limit: usize,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>, StoreError> {
    let now = kazakhstan_time(now);
    let after = from.map_or(now, |from| from.max(now));
    let horizon = after.date() + TimeDelta::days(i64::from(BOOKING_HORIZON_DAYS));
    let calendar = store::calendar(conn, after.year(), horizon.year()).await?;
    let schedule = schedule_of(conn, staff_id).await?;
    let taken = taken_from(conn, staff_id, after).await?;
    Ok(
        schedule.next_free_slots(&calendar, after, limit, BOOKING_HORIZON_DAYS, |starts| {
            taken.contains(&starts)
        }),
    )
}

/// The person's bookings from `today` on, active ones first.
pub(super) async fn upcoming_of(
    conn: &mut SqliteConnection,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<BookingView>, StoreError> {
    bookings_where(
        conn,
        "b.person_id = ?1 AND b.starts_at >= ?2 AND ?3 IS NULL \
         ORDER BY b.status NOT IN ('booked', 'arrived'), b.starts_at",
        (Some(person_id), Some(today.format("%Y-%m-%d").to_string()), None),
    )
    .await
}

/// The person's bookings from `today` on, as the person card lists them.
pub(crate) async fn person_bookings(
    pool: &SqlitePool,
    person_id: i64,
    today: NaiveDate,
) -> Result<Vec<BookingView>, StoreError> {
    let mut conn = pool.acquire().await?;
    upcoming_of(&mut conn, person_id, today).await
}

pub(crate) async fn options(
    pool: &SqlitePool,
    person_id: i64,
    now: DateTime<Utc>,
) -> Result<BookingOptions, StoreError> {
    let mut conn = pool.acquire().await?;
    let today = kazakhstan_time(now).date();
    let (standing, district_id) = store::standing(&mut conn, person_id, today).await?;
    let (person_name, iin): (String, String) = sqlx::query_as(concat!(
        "SELECT ",
        full_name_sql!(),
        ", iin FROM person WHERE id = ?1"
    ))
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let doctors = doctors(&mut conn).await?;
    // the person's own district's doctor; at a feldsher post, its feldsher
    let district_doctor_id: Option<i64> = sqlx::query_scalar(concat!(
        "SELECT id FROM staff s WHERE ",
        serves_district_sql!("s", "?1"),
        " AND ",
        works_on_sql!("s", "?2"),
        " AND ",
        has_role_sql!("s", "'district_doctor', 'feldsher'"),
        " ORDER BY s.district_id IS NOT ?1, ",
        has_role_sql!("s", "'district_doctor'"),
        " DESC, id LIMIT 1"
    ))
    .bind(district_id)
    .bind(today)
    .fetch_optional(&mut *conn)
    .await?;
    let refusal = standing_refusal(&standing);
    let free = match (district_doctor_id, &refusal) {
        (Some(doctor), None) => free_slots_on(&mut conn, doctor, None, 12, now).await?,
        _ => Vec::new(),
    };
    let upcoming = upcoming_of(&mut conn, person_id, today).await?;
    Ok(BookingOptions {
        person_id,
        person_name,
        iin,
        standing,
        refusal,
        doctors,
        district_doctor_id,
        free,
        upcoming,
    })
}

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    at: DateTime<Utc>,
    status: String,
    staff: Option<String>,
    note: Option<String>,
}

/// The journal of a day: every booking for a visit that day, whatever its
/// status, in time order.
pub(crate) async fn journal(pool: &SqlitePool, date: NaiveDate) -> Result<Vec<BookingView>, StoreError> {
    let mut conn = pool.acquire().await?;
    bookings_where(
        &mut conn,
        "substr(b.starts_at, 1, 10) = ?2 AND ?1 IS NULL AND ?3 IS NULL ORDER BY b.starts_at, b.staff_id, b.id",
        (None, Some(date.format("%Y-%m-%d").to_string()), None),
    )
    .await
}

pub(crate) async fn detail(pool: &SqlitePool, id: i64) -> Result<BookingDetail, BookingError> {
    let mut conn = pool.acquire().await?;
    let booking = booking_view(&mut conn, id).await?;
    let rows: Vec<EventRow> = sqlx::query_as(concat!(
        "SELECT e.at, e.status, ",
        full_name_sql!("s"),
        " AS staff, e.note FROM booking_event e LEFT JOIN staff s ON s.id = e.staff_id \
         WHERE e.booking_id = ?1 ORDER BY e.id"
    ))
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let history = rows
        .into_iter()
        .map(|row| {
            Ok(BookingEvent {
                at: row.at,
                status: BookingStatus::parse(&row.status)
                    .ok_or_else(|| corrupt("booking status", &row.status))?,
                staff: row.staff,
                note: row.note,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(BookingDetail { booking, history })
}
