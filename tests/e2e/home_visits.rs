//! Home calls of each kind, and a nurse's day reordered, printed and recorded.

use super::*;

/// Records a call in the app for the person with `iin`; returns who goes as the journal says.
/// Fills the call form in the app for the person with `iin` and waits for
/// the triage's suggestion.
async fn fill_call(
    client: &Client,
    iin: &str,
    complaint: &str,
    temperature: &str,
    indications: &[&str],
) -> Result<()> {
    let search = wait_for(client, "#call-search").await?;
    search.clear().await?;
    search.send_keys(iin).await?;
    wait_for_text(client, "#call-results", iin).await?;
    client
        .find(Locator::Css("#call-results button"))
        .await?
        .click()
        .await?;
    wait_for(client, "#call-caller")
        .await?
        .send_keys("Қызы / дочь")
        .await?;
    client
        .find(Locator::Css("#call-phone"))
        .await?
        .send_keys("87015556677")
        .await?;
    client
        .find(Locator::Css("#call-complaint"))
        .await?
        .send_keys(complaint)
        .await?;
    if !temperature.is_empty() {
        client
            .find(Locator::Css("#call-temperature"))
            .await?
            .send_keys(temperature)
            .await?;
    }
    for indication in indications {
        client
            .find(Locator::Css(&format!("[data-indication={indication}]")))
            .await?
            .click()
            .await?;
    }
    wait_for(client, "#call-preview").await?;
    Ok(())
}

/// Records a call in the app; returns who goes as the journal says.
async fn record_call(client: &Client, iin: &str, temperature: &str, indications: &[&str]) -> Result<String> {
    fill_call(
        client,
        iin,
        "Басы ауырады / головная боль",
        temperature,
        indications,
    )
    .await?;
    submit_call(client).await
}

async fn submit_call(client: &Client) -> Result<String> {
    client.find(Locator::Css("#call-submit")).await?.click().await?;
    let recorded = wait_for(client, "#call-recorded").await?;
    Ok(recorded.attr("data-goes").await?.unwrap_or_default())
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn calls_of_each_kind_and_a_nurse_s_day_reordered_printed_and_recorded() -> Result<()> {
    let (app, data, artifacts) = paths()?;
    const NOW: &str = "2026-11-24T09:00:00+05:00";
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).context("date")?;

    let (driver, client) = start_app(&app, data.path(), Some(NOW)).await?;
    let result = async {
        wait_for(&client, "#load-demo").await?.click().await?;
        sign_in_demo(&client, &demo_role("registrar")).await?;
        wait_for(&client, "#search").await?;
        // A nurse with a full day, and an adult of her district to call for.
        let (workstation, _) = app_workstation(data.path()).await?;
        let pace = emhana_domain::round::RoundPace::default();
        let mut chosen = None;
        for nurse in workstation.nurses().await? {
            let round = workstation.round(nurse.id, today, pace).await?;
            if round.stops.len() >= 3
                && let Some(adult) = round.stops.iter().find(|s| s.age_years >= 18)
            {
                chosen = Some((nurse, adult.iin.clone(), round.stops.len()));
                break;
            }
        }
        let (nurse, iin, _) = chosen.context("a nurse with a day's round")?;
        let nurse_iin = workstation
            .organization()
            .await?
            .staff
            .into_iter()
            .find(|member| member.id == nurse.id)
            .map(|member| member.iin)
            .context("the nurse on the staff list")?;
        workstation.close().await;

        // The registrar records calls of each triage kind.
        client
            .find(Locator::Css("[data-nav=home_calls]"))
            .await?
            .click()
            .await?;
        assert_eq!(record_call(&client, &iin, "37,5", &[]).await?, "nurse");
        // the second call for the same person within minutes is said to be a repeat before it is recorded
        fill_call(&client, &iin, "Бөртпе / сыпь", "", &["rash"]).await?;
        wait_for_text(&client, "#call-repeat", "2026/1").await?;
        assert_eq!(submit_call(&client).await?, "district_doctor");
        fill_call(
            &client,
            &iin,
            "Есінен танды / без сознания",
            "",
            &["loss_of_consciousness"],
        )
        .await?;
        wait_for_text(&client, "#call-ambulance", "103").await?;
        std::fs::write(artifacts.join("e2e-home-call.png"), client.screenshot().await?)?;
        assert_eq!(submit_call(&client).await?, "ambulance");
        for goes in ["nurse", "district_doctor", "ambulance"] {
            wait_for(&client, &format!("#calls tr[data-goes={goes}]")).await?;
        }
        // the journal: the caller's phone, the person's age, the repeats marked
        wait_for_text(&client, "#calls tr[data-goes=nurse]", "+7 701 555 66 77").await?;
        wait_for_text(&client, "#calls tr[data-goes=nurse]", "жас").await?;
        let repeats = client.find_all(Locator::Css("#calls [data-repeat-of]")).await?;
        anyhow::ensure!(repeats.len() == 2, "{} repeats marked", repeats.len());

        // At the feldsher post (Қоянды, a district with no doctor) a rash — a doctor's call —
        // goes to the feldsher, marked, never to nobody.
        let pool = app_database(data.path()).await?;
        let villager: Option<String> = sqlx::query_scalar(
            "SELECT iin FROM person WHERE settlement = 'Қоянды' AND birth_date < '2000-01-01' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&pool)
        .await?;
        pool.close().await;
        let villager = villager.context("a grown-up of the post's village")?;
        assert_eq!(
            record_call(&client, &villager, "", &["rash"]).await?,
            "district_doctor"
        );
        wait_for(&client, "#calls .doctor-level").await?;
        anyhow::ensure!(
            client
                .find(Locator::Css("#calls [data-unassigned]"))
                .await
                .is_err(),
            "a call assigned to nobody"
        );
        std::fs::write(artifacts.join("e2e-call-journal.png"), client.screenshot().await?)?;

        // Her day as the core plans it: the call first, on the stop of the
        // person it is for (once, with their visit), within her hours.
        let (workstation, _) = app_workstation(data.path()).await?;
        let planned = workstation.round(nurse.id, today, pace).await?;
        workstation.close().await;
        let stops = planned.stops.len();
        anyhow::ensure!(
            planned.stops[0].calls.len() == 1 && planned.stops[0].iin == iin,
            "the call goes first: {:?}",
            planned.stops[0]
        );
        anyhow::ensure!(
            planned.stops.iter().filter(|s| s.iin == iin).count() == 1,
            "the caller appears once"
        );
        anyhow::ensure!(stops <= pace.stops_per_day(), "{stops} stops fit her hours");

        // The nurse signs in at the window the registrar locked, and opens her
        // day: the plan visits and the call sent to her.
        switch_user_demo(&client, &demo_iin(&nurse_iin)).await?;
        client
            .find(Locator::Css("[data-nav=rounds]"))
            .await?
            .click()
            .await?;
        select_when_listed(&client, "#round-nurse", &nurse.id.to_string()).await?;
        wait_for(&client, "#round-stops li").await?;
        let keys = |client: &Client| {
            let client = client.clone();
            async move {
                let mut keys = Vec::new();
                for item in client.find_all(Locator::Css("#round-stops li")).await? {
                    keys.push(item.attr("data-stop").await?.unwrap_or_default());
                }
                Ok::<_, anyhow::Error>(keys)
            }
        };
        let started = Instant::now();
        while keys(&client).await?.len() != stops {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(20),
                "the round has not {stops} stops"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let before = keys(&client).await?;
        anyhow::ensure!(
            before.iter().any(|k| k.starts_with("call-")),
            "the nurse's call is in her round"
        );
        // She moves the first stop down one; the order is kept when she comes back.
        client
            .find(Locator::Css("#round-stops li .arrow.down"))
            .await?
            .click()
            .await?;
        let mut expected = before.clone();
        expected.swap(0, 1);
        let started = Instant::now();
        while keys(&client).await? != expected {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(20),
                "the round was not reordered"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        client
            .find(Locator::Css("[data-nav=home_calls]"))
            .await?
            .click()
            .await?;
        client
            .find(Locator::Css("[data-nav=rounds]"))
            .await?
            .click()
            .await?;
        select_when_listed(&client, "#round-nurse", &nurse.id.to_string()).await?;
        let started = Instant::now();
        while keys(&client).await? != expected {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(20),
                "the order was not kept"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        // She prints the schedule.
        client.find(Locator::Css("#print-round")).await?.click().await?;
        let schedule = pdf_text(&saved_path(&client, "#round-printed").await?)?;
        for expected in [
            "График посещений на дому",
            "Үйге бару кестесі",
            nurse.full_name.as_str(),
            "24.11.2026",
            "Отметка, подпись пациента",
        ] {
            anyhow::ensure!(
                schedule.contains(expected),
                "{expected:?} not on the schedule: {schedule}"
            );
        }
        anyhow::ensure!(
            schedule.contains("Шақыру / Вызов №"),
            "the call is on the schedule"
        );

        // After the round: she taps "refused" by mistake and undoes it; then
        // the visit done, the call served; the plan moves on.
        let first_visit = client
            .find(Locator::Css("#round-stops li[data-stop^=visit] [data-visit]"))
            .await?;
        let visit_id = first_visit
            .attr("data-visit")
            .await?
            .ok_or_else(|| anyhow::anyhow!("a visit without its id"))?;
        let open_state = first_visit.attr("data-state").await?.unwrap_or_default();
        let this_visit = format!("#round-stops [data-visit='{visit_id}']");
        first_visit.find(Locator::Css(".refused")).await?.click().await?;
        wait_for(&client, &format!("{this_visit}[data-state=closed]")).await?;
        client
            .find(Locator::Css(&format!("{this_visit} .undo")))
            .await?
            .click()
            .await?;
        wait_for(&client, &format!("{this_visit}[data-state='{open_state}']")).await?;
        anyhow::ensure!(
            client
                .find(Locator::Css(&format!("{this_visit} .outcome")))
                .await
                .is_err(),
            "the undone outcome is still shown"
        );
        client
            .find(Locator::Css(&format!("{this_visit} .done")))
            .await?
            .click()
            .await?;
        wait_for(&client, &format!("{this_visit}[data-state=closed]")).await?;
        // The visit's history: the mis-tap marked undone, then the outcome that stands.
        client
            .find(Locator::Css(&format!("{this_visit} .history-toggle")))
            .await?
            .click()
            .await?;
        wait_for(&client, &format!("{this_visit} .history li[data-undone=false]")).await?;
        let history = client
            .find_all(Locator::Css(&format!("{this_visit} .history li")))
            .await?;
        let mut marks = Vec::new();
        for line in &history {
            marks.push((line.attr("data-undone").await?, line.text().await?));
        }
        anyhow::ensure!(
            marks.len() == 2
                && marks[0].0.as_deref() == Some("true")
                && marks[1].0.as_deref() == Some("false")
                && marks.iter().all(|(_, text)| text.contains(" — ")),
            "the visit's history: {marks:?}"
        );
        client
            .find(Locator::Css("#round-stops li[data-stop^=call] .served"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#round-stops li[data-stop^=call][data-state=served]").await?;
        std::fs::write(artifacts.join("e2e-round.png"), client.screenshot().await?)?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(client, &artifacts.join("e2e-round-failure.png"), result).await?;
    drop(driver);

    let pool = app_database(data.path()).await?;
    let calls: Vec<(String, String)> = sqlx::query_as("SELECT goes, status FROM home_call ORDER BY id")
        .fetch_all(&pool)
        .await?;
    assert_eq!(
        calls,
        vec![
            ("nurse".to_owned(), "served".to_owned()),
            ("district_doctor".to_owned(), "registered".to_owned()),
            ("ambulance".to_owned(), "passed_to_ambulance".to_owned()),
            ("district_doctor".to_owned(), "registered".to_owned()),
        ]
    );
    let recorded: Vec<(String, bool)> = sqlx::query_as(
        "SELECT outcome, undone_at IS NOT NULL FROM visit_event WHERE note IS NULL ORDER BY id",
    )
    .fetch_all(&pool)
    .await?;
    assert_eq!(
        recorded,
        [("refused".to_owned(), true), ("done".to_owned(), false)],
        "the mis-tap stays in the history, undone"
    );
    pool.close().await;
    Ok(())
}
