//! Booking with the keyboard alone; moving, cancelling, the slip and the doctor's day printed.

use super::*;

/// A keyboard that counts its keystrokes: each press goes, as a person's
/// would, to whatever has the focus (WebDriver key actions).
#[derive(Default)]
struct Keyboard {
    presses: usize,
}

impl Keyboard {
    async fn press(&mut self, client: &Client, key: Key) -> Result<()> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        self.presses += 1;
        let value: char = key.into();
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
        client.perform_actions(actions).await?;
        Ok(())
    }
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn a_registrar_books_with_the_keyboard_alone_moves_cancels_and_prints_the_slip_and_the_day()
-> Result<()> {
    use chrono::TimeZone;
    let (app, data, artifacts) = paths()?;
    // Tuesday 24 November 2026, 09:20 in Astana.
    const NOW: &str = "2026-11-24T09:20:00+05:00";
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 11, 24, 4, 20, 0)
        .single()
        .context("instant")?;

    let (driver, client) = start_app(&app, data.path(), Some(NOW)).await?;
    let result = async {
        wait_for(&client, "#load-demo").await?.click().await?;
        sign_in_demo(&client, &demo_role("registrar")).await?;
        wait_for(&client, "#search").await?;

        // Two demo persons attached here with a district doctor, and one attached elsewhere.
        let (workstation, _) = app_workstation(data.path()).await?;
        let mut here = Vec::new();
        for hit in workstation.search("Ах", 50).await?.hits {
            let options = workstation.booking_options(hit.id, now).await?;
            if options.refusal.is_none() && options.district_doctor_id.is_some() && options.free.len() >= 3 {
                here.push((hit, options));
                if here.len() == 2 {
                    break;
                }
            }
        }
        anyhow::ensure!(here.len() == 2, "two demo persons attached here");
        let elsewhere = attached_elsewhere(&workstation, now, 1).await?.remove(0);
        workstation.close().await;
        let (person, options) = &here[0];
        let doctor_id = options.district_doctor_id.context("district doctor")?;

        // From the open card: F2, the reason (↓ Enter: nothing is chosen for
        // her), ↓, Enter — booked in the second free slot, the slip printed.
        open_card(&client, &person.iin).await?;
        let mut keyboard = Keyboard::default();
        keyboard.press(&client, Key::F2).await?;
        wait_for(&client, "#slots li.selected").await?;
        wait_for_focus(&client, "#booking-reason").await?;
        let reason = client.find(Locator::Css("#booking-reason")).await?;
        assert_eq!(
            selected_index(&client, &reason).await?,
            0,
            "no reason is chosen for the registrar"
        );
        keyboard.press(&client, Key::Down).await?;
        keyboard.press(&client, Key::Enter).await?;
        wait_for_focus(&client, "#slots").await?;
        keyboard.press(&client, Key::Down).await?;
        let chosen = client
            .find(Locator::Css("#slots li.selected"))
            .await?
            .attr("data-starts")
            .await?
            .context("data-starts")?;
        assert_eq!(
            chosen,
            options.free[1].starts.format("%Y-%m-%dT%H:%M:%S").to_string()
        );
        std::fs::write(artifacts.join("e2e-booking-form.png"), client.screenshot().await?)?;
        keyboard.press(&client, Key::Enter).await?;
        wait_for(&client, "#booking-done").await?;
        let slip = saved_path(&client, "#slip-path").await?;
        let keystrokes = keyboard.presses;
        assert!(keystrokes <= 5, "a booking took {keystrokes} keystrokes");
        println!("booked in {keystrokes} keystrokes after the card was open");
        std::fs::write(artifacts.join("e2e-booking.png"), client.screenshot().await?)?;

        let when = options.free[1].starts.format("%d.%m.%Y %H:%M").to_string();
        let slip_text = pdf_text(&slip)?;
        let masked = format!("********{}", &person.iin[8..]);
        for expected in [
            "Талон на приём к врачу",
            "Дәрігердің қабылдауына талон",
            when.as_str(),
            masked.as_str(),
            person.full_name.as_str(),
            "ПРЕДВАРИТЕЛЬНО",
        ] {
            anyhow::ensure!(
                slip_text.contains(expected),
                "{expected:?} not on the slip: {slip_text}"
            );
        }
        anyhow::ensure!(!slip_text.contains(&person.iin), "the full IIN is on the slip");

        // Back on the card (Esc), the booking is listed; move it to the first free slot.
        keyboard.press(&client, Key::Escape).await?;
        wait_for_text(
            &client,
            "#bookings",
            &options.free[1].starts.format("%H:%M").to_string(),
        )
        .await?;
        click_until(&client, "#bookings .move", "#slots li.selected").await?;
        wait_for_focus(&client, "#slots").await?;
        keyboard.press(&client, Key::Enter).await?;
        wait_for(&client, "#booking-done").await?;
        keyboard.press(&client, Key::Escape).await?;
        let first = options.free[0].starts.format("%H:%M").to_string();
        wait_for_text(&client, "#bookings", &first).await?;

        // The second person books too (a click on a slot before the reason asks
        // for it), then cancels from the card.
        let (other, _) = &here[1];
        open_card(&client, &other.iin).await?;
        keyboard.press(&client, Key::F2).await?;
        let first_slot = wait_for(&client, "#slots li.selected").await?;
        let booked_at = first_slot.attr("data-starts").await?.context("data-starts")?;
        first_slot.find(Locator::Css("button")).await?.click().await?;
        wait_for(&client, "#reason-asked").await?;
        wait_for_focus(&client, "#booking-reason").await?;
        keyboard.press(&client, Key::Down).await?;
        keyboard.press(&client, Key::Enter).await?;
        wait_for(&client, "#booking-done").await?;
        keyboard.press(&client, Key::Escape).await?;
        // back on her card, the booking listed, before the next key (as she looks before she presses)
        let booked_time = chrono::NaiveDateTime::parse_from_str(&booked_at, "%Y-%m-%dT%H:%M:%S")?
            .format("%H:%M")
            .to_string();
        wait_for_text(&client, "#bookings", &booked_time).await?;

        // A second booking with the same doctor that day is refused, and the
        // refusal stays where she looks (the slot list reloads under it). The
        // day is typed as a registrar types it, without dots.
        keyboard.press(&client, Key::F2).await?;
        wait_for(&client, "#slots li.selected").await?;
        wait_for_focus(&client, "#booking-reason").await?;
        keyboard.press(&client, Key::Down).await?;
        let day = chrono::NaiveDateTime::parse_from_str(&booked_at, "%Y-%m-%dT%H:%M:%S")?.date();
        let from = client.find(Locator::Css("#booking-from")).await?;
        from.send_keys(&day.format("%d%m%Y").to_string()).await?;
        from.send_keys(&Key::Tab.to_string()).await?;
        assert_eq!(
            from.prop("value").await?.as_deref(),
            Some(day.format("%d.%m.%Y").to_string().as_str()),
            "the typed day reads back with dots"
        );
        let same_day = wait_for(&client, &format!("#slots li.selected[data-starts^=\"{day}\"]")).await?;
        same_day.find(Locator::Css("button")).await?.click().await?;
        wait_for_text(&client, "#booking-error", "осы дәрігерге").await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        wait_for_text(&client, "#booking-error", "осы дәрігерге").await?;
        std::fs::write(
            artifacts.join("e2e-booking-refused-same-day.png"),
            client.screenshot().await?,
        )?;
        anyhow::ensure!(
            client.find(Locator::Css("#booking-done")).await.is_err(),
            "a refused booking shows as booked"
        );
        keyboard.press(&client, Key::Escape).await?;
        wait_for(&client, "#bookings .cancel").await?.click().await?;
        wait_for_text(&client, "#bookings", "бас тартылды").await?;

        // A person attached elsewhere gets a motivated refusal naming the clinic.
        open_card(&client, &elsewhere.iin).await?;
        keyboard.press(&client, Key::F2).await?;
        wait_for_text(&client, "#booking-refusal", "басқа МСАК ұйымына бекітілген").await?;

        // The doctor's day: the moved booking at its new time; print the day list.
        client
            .find(Locator::Css("[data-nav=appointments]"))
            .await?
            .click()
            .await?;
        select_when_listed(&client, "#day-doctor", &doctor_id.to_string()).await?;
        wait_for_text(&client, "#doctor-day", &person.full_name).await?;
        std::fs::write(artifacts.join("e2e-doctor-day.png"), client.screenshot().await?)?;
        client.find(Locator::Css("#print-day")).await?.click().await?;
        let day = pdf_text(&saved_path(&client, "#day-printed").await?)?;
        for expected in [
            "Список приёма врача",
            "24.11.2026",
            person.full_name.as_str(),
            person.iin.as_str(),
        ] {
            anyhow::ensure!(day.contains(expected), "{expected:?} not on the day list: {day}");
        }
        anyhow::ensure!(
            day.contains(&format!("{first}–")),
            "the moved time {first} not on the day list"
        );

        // The clinic's day counts the doctor's booking; the journal keeps the
        // moved booking with its history; the schedule editor shows the week.
        client.find(Locator::Css("#tab-clinic")).await?.click().await?;
        wait_for(&client, "#clinic-day tbody tr").await?;
        std::fs::write(artifacts.join("e2e-clinic-day.png"), client.screenshot().await?)?;
        client.find(Locator::Css("#tab-journal")).await?.click().await?;
        wait_for_text(&client, "#journal", "ауыстырылды").await?;
        client
            .find(Locator::Css("#journal .journal-row .link"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#journal .history").await?;
        std::fs::write(artifacts.join("e2e-journal.png"), client.screenshot().await?)?;
        client.find(Locator::Css("#tab-schedule")).await?.click().await?;
        wait_for(&client, "#sessions tbody tr").await?;
        std::fs::write(artifacts.join("e2e-schedule.png"), client.screenshot().await?)?;
        // Settings: the slip's paper and the year's working-day calendar (the law's days).
        client
            .find(Locator::Css("[data-nav=settings]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#calendar-form tbody tr").await?;
        std::fs::write(
            artifacts.join("e2e-settings-calendar.png"),
            client.screenshot().await?,
        )?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(client, &artifacts.join("e2e-booking-failure.png"), result).await?;
    drop(driver);

    // Written as the registrar did it: moved, cancelled, each with its op.
    let (workstation, _) = app_workstation(data.path()).await?;
    let pool = app_database(data.path()).await?;
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM booking ORDER BY id")
        .fetch_all(&pool)
        .await?;
    assert_eq!(statuses, vec!["moved", "booked", "cancelled"]);
    let kinds: Vec<String> = sqlx::query_scalar("SELECT kind FROM outbox ORDER BY seq")
        .fetch_all(&pool)
        .await?;
    assert_eq!(
        kinds,
        vec!["book", "cancel_booking", "book", "book", "cancel_booking"]
    );
    pool.close().await;
    workstation.close().await;
    Ok(())
}
