//! Schedule changes and the days' slots.

use super::*;

#[tokio::test]
async fn schedule_changes_list_the_bookings_they_leave_without_a_slot() {
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    let morning = ws
        .book(&clinic.form(clinic.kairat, at(2026, 12, 2, 9, 0)), now())
        .await
        .unwrap();
    let later = ws
        .book(&clinic.form(clinic.aigerim, at(2026, 12, 3, 11, 0)), now())
        .await
        .unwrap();
    // From December the doctor receives only 10:15–12:00.
    let mut shorter = mornings();
    shorter.valid_from = date(2026, 12, 1);
    for session in &mut shorter.sessions {
        if session.kind == SessionKind::Reception {
            session.starts = time(10, 15);
        }
    }
    let change = ws
        .set_schedule_template(clinic.doctor, &shorter, now())
        .await
        .unwrap();
    let displaced: Vec<i64> = change.displaced.iter().map(|b| b.id).collect();
    assert_eq!(displaced, vec![morning.id]);
    // The booking is kept, shown in the day as off schedule, and can be moved.
    let day = ws.doctor_day(clinic.doctor, date(2026, 12, 2)).await.unwrap();
    assert_eq!(day.off_schedule.len(), 1);
    assert_eq!(ws.displaced_bookings(now()).await.unwrap().len(), 1);
    ws.move_booking(morning.id, clinic.doctor, at(2026, 12, 2, 10, 15), now())
        .await
        .unwrap();
    assert!(ws.displaced_bookings(now()).await.unwrap().is_empty());

    // Sick leave on the 3rd displaces the other booking; removing it restores the slot.
    let sick = ScheduleException {
        first_day: date(2026, 12, 3),
        last_day: date(2026, 12, 3),
        kind: ExceptionKind::SickLeave,
        sessions: vec![],
    };
    let change = ws
        .add_schedule_exception(clinic.doctor, &sick, now())
        .await
        .unwrap();
    assert_eq!(
        change.displaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![later.id]
    );
    let day = ws.doctor_day(clinic.doctor, date(2026, 12, 3)).await.unwrap();
    assert_eq!(
        day.closed,
        Some(DayClosed::Exception {
            kind: ExceptionKind::SickLeave
        })
    );
    let view = ws.schedule(clinic.doctor).await.unwrap();
    assert_eq!(view.templates.len(), 2);
    let change = ws
        .remove_schedule_exception(view.exceptions[0].id, now())
        .await
        .unwrap();
    assert!(change.displaced.is_empty());

    // A calendar change (a decree makes 4 December a day off) lists it too.
    let booked = ws
        .book(&clinic.form(clinic.kairat, at(2026, 12, 4, 11, 0)), now())
        .await
        .unwrap();
    let mut days = ws.calendar_year(2026).await.unwrap();
    days.push(CalendarDay {
        date: date(2026, 12, 4),
        kind: DayKind::DayOff,
        works_as: None,
        name: "decree".into(),
    });
    let change = ws.set_calendar_year(2026, &days, now()).await.unwrap();
    assert_eq!(
        change.displaced.iter().map(|b| b.id).collect::<Vec<_>>(),
        vec![booked.id]
    );
    assert_eq!(ws.calendar_year(2026).await.unwrap().len(), days.len());
}

#[tokio::test]
async fn days_show_every_slot_and_the_clinic_counts_them() {
    let clinic = clinic().await;
    let ws = &clinic.workstation;
    ws.book(&clinic.form(clinic.kairat, at(2026, 11, 24, 9, 0)), now())
        .await
        .unwrap();
    let aigerim = ws
        .book(&clinic.form(clinic.aigerim, at(2026, 11, 24, 9, 15)), now())
        .await
        .unwrap();
    ws.set_booking_status(aigerim.id, BookingStatus::NoShow, kz(2026, 11, 24, 10, 0))
        .await
        .unwrap();
    let day = ws.doctor_day(clinic.doctor, date(2026, 11, 24)).await.unwrap();
    assert_eq!(day.rows.len(), 15);
    let booked: Vec<_> = day
        .rows
        .iter()
        .filter_map(|row| row.booking.as_ref().map(|b| b.status))
        .collect();
    assert_eq!(booked, vec![BookingStatus::Booked, BookingStatus::NoShow]);
    let line = ws
        .clinic_day(date(2026, 11, 24))
        .await
        .unwrap()
        .into_iter()
        .find(|l| l.doctor.id == clinic.doctor)
        .unwrap();
    assert_eq!(
        (
            line.counts.slots,
            line.counts.booked,
            line.counts.no_show,
            line.counts.free
        ),
        (15, 1, 1, 14)
    );
    assert_eq!(day.counts, line.counts);
    let list = ws
        .doctor_day_list(clinic.doctor, date(2026, 11, 24))
        .await
        .unwrap();
    assert_eq!(list.rows.len(), 15);
    assert_eq!(
        list.rows[4].booking.as_ref().map(|b| b.person_name.as_str()),
        Some("Нұрланов Қайрат")
    );
    let slip = ws.booking_slip(aigerim.id).await.unwrap();
    assert_eq!(slip.masked_iin.len(), 12);
    assert!(slip.masked_iin.starts_with("********"));
    assert_eq!(slip.room.as_deref(), Some("214"));
}
