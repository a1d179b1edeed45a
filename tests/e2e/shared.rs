//! Two app windows of one clinic against one registry: a home call taken at
//! the front desk is on the nurse's round at her own PC after one sync
//! round, and her outcome is in the desk's journal after the next; an
//! address changed at the desk is on the nurse's card at her PC.

use super::*;

/// The head signs in and enrols the app with the registry from its Sync
/// screen; waits for the first sync, which brings the registry's accounts.
async fn enrol_in_app(client: &Client, base: &str, code: &str) -> Result<()> {
    sign_in_demo(client, &demo_role("head")).await?;
    wait_for(client, "#sync-indicator").await?.click().await?;
    wait_for(client, "#registry-url").await?.send_keys(base).await?;
    client
        .find(Locator::Css("#enrol-code"))
        .await?
        .send_keys(code)
        .await?;
    client.find(Locator::Css("#enrol-submit")).await?.click().await?;
    wait_for(client, "#first-sync[data-done=true]").await?;
    Ok(())
}

/// One "sync now" from the Sync screen.
async fn sync_now(client: &Client) -> Result<()> {
    client
        .find(Locator::Css("#sync-indicator"))
        .await?
        .click()
        .await?;
    wait_for(client, "#sync-now").await?.click().await?;
    Ok(())
}

/// Waits until `sql` (one integer) reads `expected` in an app's database.
async fn wait_for_rows(pool: &sqlx::SqlitePool, sql: &'static str, expected: i64) -> Result<()> {
    let started = Instant::now();
    loop {
        let found: i64 = sqlx::query_scalar(sql).fetch_one(pool).await?;
        if found == expected {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(30),
            "{sql} reads {found}, not {expected}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, tauri-driver, PostgreSQL and a keyring: run by scripts/test.sh"]
async fn a_call_taken_at_the_desk_reaches_the_nurses_round_at_her_pc_and_her_outcome_comes_back() -> Result<()>
{
    let (app, desk_data, artifacts) = paths()?;
    let nurse_data = tempfile::tempdir()?;
    const NOW: &str = "2026-11-24T09:00:00+05:00";
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).context("date")?;
    let at_now = chrono::DateTime::parse_from_rfc3339(NOW)?.with_timezone(&chrono::Utc);
    let config = emhana_synth::demo_config(today);

    // The registry holds the region; both PCs start from the demo clinic.
    let (registry, base, _server) = start_registry(config).await?;
    let clinic = emhana_synth::Synth::new(config)?.clinics()[0].bin.as_string();
    let mut codes = Vec::new();
    for (data, name) in [
        (desk_data.path(), "Тіркеу орны"),
        (nurse_data.path(), "Мейірбике"),
    ] {
        let (workstation, _) = app_workstation(data).await?;
        emhana_synth::load_into(&workstation, config, |_| {}).await?;
        workstation.close().await;
        codes.push(
            emhana_registry::auth::add_workstation(&registry, &clinic, name, chrono::Utc::now())
                .await?
                .1,
        );
    }
    // An adult attached here to call for (the nurse is whoever the triage sends).
    let (workstation, _) = app_workstation(desk_data.path()).await?;
    let registrar = staff_with_role(&workstation, emhana_domain::StaffRole::Registrar).await?;
    // the test reads the cards as the head, who may open any district's
    let workstation = emhana_synth::sign_in_as(&workstation, emhana_domain::StaffRole::Head, at_now).await?;
    let mut chosen = None;
    for hit in workstation.search("Ах", 50).await?.hits {
        let card = workstation.person_card(hit.id, today).await?;
        let attached = workstation
            .booking_options(hit.id, at_now)
            .await
            .is_ok_and(|options| options.refusal.is_none());
        if attached && card.age.unwrap_or(0) >= 18 {
            chosen = Some((hit.iin.clone(), hit.full_name.clone()));
            break;
        }
    }
    workstation.close().await;
    let (iin, name) = chosen.context("an adult attached here")?;

    let (desk_driver, desk) = start_app_on(4444, &app, desk_data.path(), Some(NOW)).await?;
    let (nurse_driver, nurse_pc) = start_app_on(4446, &app, nurse_data.path(), Some(NOW)).await?;
    let desk_db = app_database(desk_data.path()).await?;
    let nurse_db = app_database(nurse_data.path()).await?;
    let result = async {
        enrol_in_app(&desk, &base, &codes[0]).await?;
        enrol_in_app(&nurse_pc, &base, &codes[1]).await?;

        // The registrar takes the call at the desk; one sync round sends it.
        take_window(&desk, &registrar, emhana_synth::DEMO_PASSWORD).await?;
        desk.find(Locator::Css("[data-nav=home_calls]"))
            .await?
            .click()
            .await?;
        let search = wait_for(&desk, "#call-search").await?;
        search.send_keys(&iin).await?;
        wait_for_text(&desk, "#call-results", &iin).await?;
        desk.find(Locator::Css("#call-results button"))
            .await?
            .click()
            .await?;
        wait_for(&desk, "#call-caller")
            .await?
            .send_keys("Қызы / дочь")
            .await?;
        desk.find(Locator::Css("#call-complaint"))
            .await?
            .send_keys("Қызба / температура")
            .await?;
        desk.find(Locator::Css("#call-temperature"))
            .await?
            .send_keys("37,6")
            .await?;
        wait_for(&desk, "#call-preview[data-goes=nurse]").await?;
        desk.find(Locator::Css("#call-submit")).await?.click().await?;
        wait_for(&desk, "#call-recorded").await?;
        let nurse: i64 = sqlx::query_scalar("SELECT assigned_staff_id FROM home_call")
            .fetch_one(&desk_db)
            .await?;
        sync_now(&desk).await?;
        wait_for_rows(
            &desk_db,
            "SELECT count(*) FROM outbox WHERE kind = 'register_call' AND state = 'confirmed'",
            1,
        )
        .await?;

        // At the nurse's PC, one sync round later, the call is on her round; she signs in there.
        let nurse_iin: String = sqlx::query_scalar("SELECT iin FROM staff WHERE id = ?1")
            .bind(nurse)
            .fetch_one(&desk_db)
            .await?;
        take_window(&nurse_pc, &nurse_iin, emhana_synth::DEMO_PASSWORD).await?;
        sync_now(&nurse_pc).await?;
        wait_for_rows(&nurse_db, "SELECT count(*) FROM home_call", 1).await?;
        nurse_pc
            .find(Locator::Css("[data-nav=rounds]"))
            .await?
            .click()
            .await?;
        select_when_listed(&nurse_pc, "#round-nurse", &nurse.to_string()).await?;
        let call_stop = "#round-stops li[data-stop^=call]";
        wait_for_text(&nurse_pc, call_stop, &name).await?;
        // the temperature as the registrar typed it, not as a float stores it
        wait_for_text(&nurse_pc, call_stop, "37,6 °C").await?;
        std::fs::write(
            artifacts.join("e2e-shared-call-on-round.png"),
            nurse_pc.screenshot().await?,
        )?;

        // She serves it; her PC sends the outcome, the desk receives it.
        nurse_pc
            .find(Locator::Css(&format!("{call_stop} .served")))
            .await?
            .click()
            .await?;
        wait_for(&nurse_pc, "#round-stops li[data-stop^=call][data-state=served]").await?;
        sync_now(&nurse_pc).await?;
        wait_for_rows(
            &nurse_db,
            "SELECT count(*) FROM outbox WHERE kind = 'change_call' AND state = 'confirmed'",
            1,
        )
        .await?;
        sync_now(&desk).await?;
        if let Err(error) = wait_for_rows(
            &desk_db,
            "SELECT count(*) FROM home_call WHERE status = 'served'",
            1,
        )
        .await
        {
            let state: (Option<String>, Option<String>) =
                sqlx::query_as("SELECT cursor, last_pull_at FROM sync_state")
                    .fetch_one(&desk_db)
                    .await?;
            let records: Vec<(String, i64, Option<String>)> = sqlx::query_as(
                "SELECT xid::text, seq, body->>'status' FROM clinic_record WHERE kind = 'call'",
            )
            .fetch_all(&registry)
            .await?;
            let held: i64 = sqlx::query_scalar("SELECT count(*) FROM held_record")
                .fetch_one(&desk_db)
                .await?;
            let desk_status = desk
                .find(Locator::Css("#sync-state"))
                .await?
                .text()
                .await
                .unwrap_or_default();
            return Err(error.context(format!(
                "desk: cursor and last pull {state:?}, {held} held, status {desk_status:?}; \
                 the registry's calls {records:?}"
            )));
        }
        desk.find(Locator::Css("[data-nav=home_calls]"))
            .await?
            .click()
            .await?;
        wait_for(&desk, "#calls tr[data-status=served]").await?;
        wait_for_text(&desk, "#calls tr[data-status=served]", &name).await?;
        std::fs::write(
            artifacts.join("e2e-shared-call-served.png"),
            desk.screenshot().await?,
        )?;

        // The person moved and took a new job: the registrar changes the
        // address and the workplace at the desk, and the nurse's card at her
        // PC shows them after a sync, with their history.
        open_card(&desk, &iin).await?;
        wait_for(&desk, "#change-person").await?.click().await?;
        for (field, text) in [
            ("settlement", "Астана"),
            ("street", "Сарайшық көшесі"),
            ("house", "5"),
            ("apartment", "41"),
        ] {
            desk.find(Locator::Css(&format!("[data-field=\"change.{field}\"]")))
                .await?
                .send_keys(text)
                .await?;
        }
        desk.find(Locator::Css("#change-save")).await?.click().await?;
        wait_for_text(&desk, "#person-card", "Сарайшық көшесі, 5-41").await?;
        wait_for(&desk, "#change-person").await?.click().await?;
        select_when_listed(&desk, "[data-field=\"change.what\"]", "workplace").await?;
        wait_for(&desk, "[data-field=\"change.workplace\"]")
            .await?
            .send_keys("ТОО «Береке»")
            .await?;
        std::fs::write(
            artifacts.join("e2e-shared-change-form.png"),
            desk.screenshot().await?,
        )?;
        desk.find(Locator::Css("#change-save")).await?.click().await?;
        wait_for_text(&desk, "#card-workplace", "ТОО «Береке»").await?;
        sync_now(&desk).await?;
        wait_for_rows(
            &desk_db,
            "SELECT count(*) FROM outbox WHERE kind = 'change_person' AND state = 'confirmed'",
            2,
        )
        .await?;
        sync_now(&nurse_pc).await?;
        wait_for_rows(
            &nurse_db,
            "SELECT count(*) FROM person_contact_history WHERE field IN ('address', 'workplace') AND staff_id IS NULL",
            2,
        )
        .await?;
        open_card(&nurse_pc, &iin).await?;
        wait_for_text(&nurse_pc, "#person-card", "Сарайшық көшесі, 5-41").await?;
        wait_for_text(&nurse_pc, "#card-workplace", "ТОО «Береке»").await?;
        wait_for(&nurse_pc, "#change-history").await?.click().await?;
        std::fs::write(
            artifacts.join("e2e-shared-address-moved.png"),
            nurse_pc.screenshot().await?,
        )?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    // Both windows photographed when it failed; the desk's error is the one told.
    let nurse_side = match &result {
        Ok(()) => Ok(()),
        Err(_) => Err(anyhow::anyhow!("failed: see the desk's error")),
    };
    let nurse_closed = finish(
        nurse_pc,
        &artifacts.join("e2e-shared-nurse-failure.png"),
        nurse_side,
    )
    .await;
    finish(desk, &artifacts.join("e2e-shared-desk-failure.png"), result).await?;
    nurse_closed?;
    drop((desk_driver, nurse_driver));
    desk_db.close().await;
    nurse_db.close().await;
    Ok(())
}
