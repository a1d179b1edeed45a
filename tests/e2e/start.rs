//! The first start: the demo clinic loaded, a person found by IIN, the language switched.

use super::*;

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn a_registrar_loads_the_demo_finds_a_person_by_iin_and_switches_language() -> Result<()> {
    let (app, data, artifacts) = paths()?;

    let (_driver, client) = start_app(&app, data.path(), None).await?;

    let result = async {
        // First start on an empty database: the app offers the demo clinic.
        wait_for(&client, "#load-demo").await?.click().await?;
        // the demo's staff sign in as a real clinic's do: the registrar
        sign_in_demo(&client, &demo_role("registrar")).await?;
        std::fs::write(
            artifacts.join("e2e-signed-in-registrar.png"),
            client.screenshot().await?,
        )?;
        let search = wait_for(&client, "#search").await?;

        // Pick a demo person straight from the database the app wrote.
        let (workstation, _) = app_workstation(data.path()).await?;
        let hits = workstation.search("Әлібеков", 10).await?.hits;
        let person = hits.last().context("the demo clinic has Әлібеков")?.clone();
        workstation.close().await;

        search.send_keys(&person.iin).await?;
        wait_for_text(&client, "#results .hit .iin", &person.iin).await?;
        search.send_keys(&Key::Enter.to_string()).await?;
        wait_for_text(&client, "#person-card .full-name", &person.full_name).await?;
        wait_for_text(&client, "#person-card .iin", &person.iin).await?;

        // Back to the search, which keeps what was typed; a wrong check digit
        // is explained in Kazakh (the default language).
        client
            .find(Locator::Css("#person-card .back"))
            .await?
            .click()
            .await?;
        let search = wait_for(&client, "#search").await?;
        assert_eq!(search.prop("value").await?.as_deref(), Some(person.iin.as_str()));
        search.clear().await?;
        let mut wrong = person.iin.clone();
        let last = wrong.pop().and_then(|c| c.to_digit(10)).context("digit")?;
        wrong.push(char::from_digit((last + 1) % 10, 10).context("digit")?);
        search.send_keys(&wrong).await?;
        wait_for_text(&client, "#search-notice", "бақылау").await?;

        // Switch to Russian in Settings: labels change.
        wait_for_text(&client, "[data-nav=registry_desk]", "Тіркеу орны").await?;
        client
            .find(Locator::Css("[data-nav=settings]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "[data-lang=ru]").await?.click().await?;
        wait_for_text(&client, "[data-nav=registry_desk]", "Регистратура").await?;
        wait_for_text(&client, "[data-nav=settings]", "Настройки").await?;

        client
            .find(Locator::Css("[data-nav=registry_desk]"))
            .await?
            .click()
            .await?;
        let search = wait_for(&client, "#search").await?;
        search.clear().await?;
        search.send_keys(&person.iin).await?;
        wait_for_text(&client, "#results .hit .iin", &person.iin).await?;
        std::fs::write(
            artifacts.join("e2e-registry-desk.png"),
            client.screenshot().await?,
        )?;

        // A Russian card counts years as Russian does: 1 год, 3 года, 21 год.
        let today = emhana_domain::kazakhstan_date(chrono::Utc::now());
        let (workstation, _) = app_workstation(data.path()).await?;
        // the test reads the cards as the head, who may open any district's
        let workstation =
            emhana_synth::sign_in_as(&workstation, emhana_domain::StaffRole::Head, chrono::Utc::now())
                .await?;
        let mut aged = std::collections::BTreeMap::new();
        'search: for prefix in [
            "Ах", "Ба", "Жу", "Иван", "Ке", "Но", "Се", "Тұ", "Ом", "Ер", "Ә", "Қ",
        ] {
            for hit in workstation.search(prefix, 50).await?.hits {
                let card = workstation.person_card(hit.id, today).await?;
                if let Some(age @ (1 | 3 | 21)) = card.age {
                    aged.entry(age).or_insert((hit.iin.clone(), hit.id));
                }
                if aged.len() == 3 {
                    break 'search;
                }
            }
        }
        workstation.close().await;
        for (age, words) in [(1, "1 год"), (3, "3 года"), (21, "21 год")] {
            let (iin, _) = aged
                .get(&age)
                .with_context(|| format!("a demo person aged {age}"))?;
            open_card(&client, iin).await?;
            wait_for_text(&client, "#person-card", words).await?;
            std::fs::write(
                artifacts.join(format!("e2e-card-ru-{age}.png")),
                client.screenshot().await?,
            )?;
        }

        // The registrar, who plans no care, leaves the window locked; the head
        // signs in from the lock screen and opens the card again.
        switch_user_demo(&client, &demo_role("head")).await?;
        std::fs::write(
            artifacts.join("e2e-signed-in-head.png"),
            client.screenshot().await?,
        )?;
        open_card(&client, &aged[&21].0).await?;

        // On the 21-year-old's card an observation plan opens on its basis, asked with none chosen.
        client
            .find(Locator::Css("#plan-observation"))
            .await?
            .click()
            .await?;
        client.find(Locator::Css("#plan-submit")).await?.click().await?;
        anyhow::ensure!(
            client
                .find(Locator::Css("#care-plans [data-plan-kind=observation]"))
                .await
                .is_err(),
            "opened without its document"
        );
        wait_for(&client, "#plan-basis")
            .await?
            .select_by_value("specialist_conclusion")
            .await?;
        let dated = today - chrono::TimeDelta::days(3);
        type_date(
            &client,
            "[data-field=plan-basis-dated]",
            &dated.format("%d.%m.%Y").to_string(),
        )
        .await?;
        client.find(Locator::Css("#plan-submit")).await?.click().await?;
        wait_for_text(
            &client,
            "#care-plans [data-plan-kind=observation]",
            &format!(
                "консультативное заключение профильного специалиста от {}",
                dated.format("%d.%m.%Y")
            ),
        )
        .await?;
        std::fs::write(artifacts.join("e2e-card-plan-ru.png"), client.screenshot().await?)?;

        // A demo pregnancy ends in a birth: the antenatal plan closes and says what comes next.
        let pool = app_database(data.path()).await?;
        let expecting: Option<String> = sqlx::query_scalar(
            "SELECT p.iin FROM care_plan cp JOIN person p ON p.id = cp.person_id \
             WHERE cp.kind = 'antenatal' AND cp.closed_on IS NULL ORDER BY cp.id LIMIT 1",
        )
        .fetch_optional(&pool)
        .await?;
        pool.close().await;
        let expecting = expecting.context("a demo woman with an open antenatal plan")?;
        open_card(&client, &expecting).await?;
        wait_for(&client, "#end-pregnancy").await?.click().await?;
        wait_for(&client, "#pregnancy-outcome")
            .await?
            .select_by_value("birth")
            .await?;
        client
            .find(Locator::Css("#pregnancy-end button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#care-plans [data-closed=pregnancy_ended]").await?;
        wait_for_text(&client, "#care-plans", "Зарегистрируйте новорождённого").await?;
        std::fs::write(
            artifacts.join("e2e-pregnancy-ended-ru.png"),
            client.screenshot().await?,
        )?;
        // the newborn is registered from here, the mother's IIN already on the form
        client
            .find(Locator::Css("#register-newborn"))
            .await?
            .click()
            .await?;
        wait_for_value(&client, "#registration-form [data-field=mother_iin]", &expecting).await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(client, &artifacts.join("e2e-failure.png"), result).await?;

    // The language choice is remembered in the database.
    let (workstation, _) = app_workstation(data.path()).await?;
    assert_eq!(
        workstation.language().await?,
        Some(emhana_workstation::Language::Ru)
    );
    Ok(())
}
