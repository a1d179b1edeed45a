//! Attachment in the campaign and refused outside it, both documents printed.

use super::*;

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn a_registrar_attaches_in_the_campaign_and_is_refused_outside_it_and_both_documents_print()
-> Result<()> {
    use chrono::TimeZone;
    let (app, data, artifacts) = paths()?;

    // The demo clinic, written in clear as `emhana-synth --db` writes it for
    // the demo script: the app encrypts it at its first start.
    const IN_CAMPAIGN: &str = "2026-10-01T10:30:00+05:00";
    const AFTER_CAMPAIGN: &str = "2026-11-23T11:00:00+05:00";
    let in_campaign = chrono::Utc
        .with_ymd_and_hms(2026, 10, 1, 5, 30, 0)
        .single()
        .context("instant")?;
    let (workstation, _) = Workstation::open(&data.path().join("emhana.sqlite")).await?;
    let today = emhana_domain::kazakhstan_date(in_campaign);
    emhana_synth::load_into(&workstation, emhana_synth::demo_config(today), |_| {}).await?;
    let persons = attached_elsewhere(&workstation, in_campaign, 2).await?;
    workstation.close().await;
    let (chooser, latecomer) = (&persons[0], &persons[1]);

    // 1 October: inside the campaign, a free choice is granted and the ticket printed.
    let (driver, client) = start_app(&app, data.path(), Some(IN_CAMPAIGN)).await?;
    let result = async {
        wait_for_text(&client, "#clinic-name", "№1").await?;
        sign_in_demo(&client, &demo_role("registrar")).await?;
        let (decided, ticket, consent) = apply_in_the_app(&client, &chooser.iin).await?;
        anyhow::ensure!(decided == "attach", "in the campaign: {decided}");
        wait_for_text(&client, "#outcome", "01.10.2026").await?;
        // the number is the first of the year: the stopped attempt wrote nothing
        wait_for_text(&client, "#outcome", "2026/1").await?;
        std::fs::write(artifacts.join("e2e-attached.png"), client.screenshot().await?)?;
        let text = pdf_text(&ticket)?;
        for expected in [
            "МСАК ұйымына бекіту туралы талон",
            "Талон о прикреплении к организации ПМСП",
            "№1 қалалық емхана",
            chooser.full_name.as_str(),
            chooser.iin.as_str(),
            "Еркін таңдау (бекіту науқаны)",
            "АЛДЫН АЛА — тіркелімнің растауын күтуде",
            "ПРЕДВАРИТЕЛЬНО — ожидает подтверждения регистра",
        ] {
            anyhow::ensure!(text.contains(expected), "ticket lacks {expected:?}: {text}");
        }
        let text = pdf_text(&consent)?;
        anyhow::ensure!(
            text.contains("КЕЛІСІМ БЕРІЛДІ / СОГЛАСИЕ ДАНО"),
            "consent: {text}"
        );
        std::fs::copy(&ticket, artifacts.join("e2e-ticket.pdf"))?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let result = finish(client, &artifacts.join("e2e-attach-failure.png"), result).await;
    drop(driver);
    result?;

    // 23 November: the campaign is over; a free choice without a ground is refused.
    let (driver, client) = start_app(&app, data.path(), Some(AFTER_CAMPAIGN)).await?;
    let result = async {
        wait_for_text(&client, "#clinic-name", "№1").await?;
        sign_in_demo(&client, &demo_role("registrar")).await?;
        let (decided, refusal, _) = apply_in_the_app(&client, &latecomer.iin).await?;
        anyhow::ensure!(decided == "refuse", "after the campaign: {decided}");
        wait_for_text(&client, "#outcome", "2026/2").await?;
        std::fs::write(artifacts.join("e2e-refused.png"), client.screenshot().await?)?;
        let text = pdf_text(&refusal)?;
        for expected in [
            "МСАК ұйымына бекітуден дәлелді бас тарту",
            "Мотивированный отказ в прикреплении к организации ПМСП",
            latecomer.full_name.as_str(),
            "бекіту науқаны кезінде мүмкін: 15.09.2026 – 15.11.2026",
            "в период кампании прикрепления: 15.09.2026 – 15.11.2026",
            "Порядок обжалования",
        ] {
            anyhow::ensure!(text.contains(expected), "refusal lacks {expected:?}: {text}");
        }
        std::fs::copy(&refusal, artifacts.join("e2e-refusal.pdf"))?;

        // Then she says she moved to Қоянды, the feldsher post's village: a change of
        // residence asks where to and checks the clinic's districts cover it.
        client
            .find(Locator::Css("#attachment-form .back"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#attach").await?.click().await?;
        wait_for(&client, "#attachment-form [data-field=ground]")
            .await?
            .select_by_value("change_of_residence")
            .await?;
        fill_application_papers(&client).await?;
        client.find(Locator::Css("#attach-submit")).await?.click().await?;
        wait_for_text(&client, "[data-problem=new_address]", "толтырыңыз").await?;
        let type_into = |field: &'static str, text: &'static str| {
            let client = client.clone();
            async move {
                let input = client
                    .find(Locator::Css(&format!(
                        "#attachment-form [data-field=\"new_address.{field}\"]"
                    )))
                    .await?;
                input.clear().await?;
                input.send_keys(text).await?;
                Ok::<_, anyhow::Error>(())
            }
        };
        // a village none of the clinic's districts covers
        type_into("settlement", "Талапкер").await?;
        type_into("street", "Орталық көшесі").await?;
        type_into("house", "5").await?;
        client.find(Locator::Css("#attach-submit")).await?.click().await?;
        wait_for_text(&client, "[data-problem=new_address]", "учаскесіне кірмейді").await?;
        std::fs::write(
            artifacts.join("e2e-moved-outside.png"),
            client.screenshot().await?,
        )?;
        type_into("settlement", "Қоянды").await?;
        client.find(Locator::Css("#attach-submit")).await?.click().await?;
        wait_for(&client, "#outcome[data-outcome=attach]").await?;
        wait_for_text(&client, "#outcome", "2026/3").await?;

        // The register counts the person attached on 1 October in the campaign's inflow.
        client
            .find(Locator::Css("[data-nav=attached]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#flows", ": бекітілді 1,").await?;
        wait_for(&client, "#register-total").await?;
        std::fs::write(artifacts.join("e2e-register.png"), client.screenshot().await?)?;
        client
            .find(Locator::Css("[data-nav=settings]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#campaign-form").await?;
        std::fs::write(artifacts.join("e2e-settings.png"), client.screenshot().await?)?;

        // Registering with nothing typed: every required field says so, in Kazakh.
        client
            .find(Locator::Css("[data-nav=registry_desk]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#register-person").await?.click().await?;
        wait_for(&client, "#register-submit").await?.click().await?;
        wait_for_text(&client, "[data-problem=iin]", "12").await?;
        wait_for_text(&client, "[data-problem=surname]", "толтырыңыз").await?;
        // let the window repaint before the picture (the text is in the DOM already)
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(artifacts.join("e2e-registration.png"), client.screenshot().await?)?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let result = finish(client, &artifacts.join("e2e-refuse-failure.png"), result).await;
    drop(driver);
    result?;

    // The app's files show nothing of the persons it served: the database,
    // its WAL, its backups are encrypted with the key in the keyring.
    for person in &persons {
        let surname = person.full_name.split(' ').next().context("surname")?;
        for entry in std::fs::read_dir(data.path())? {
            let path = entry?.path();
            if path.is_file() {
                let bytes = std::fs::read(&path)?;
                for text in [surname, person.iin.as_str()] {
                    let shows = bytes.windows(text.len()).any(|w| w == text.as_bytes());
                    assert!(!shows, "{} shows {text}", path.display());
                }
            }
        }
    }

    // What the window showed is what the database holds (read as the head, who opens any card).
    let (workstation, _) = app_workstation(data.path()).await?;
    let workstation =
        emhana_synth::sign_in_as(&workstation, emhana_domain::StaffRole::Head, chrono::Utc::now()).await?;
    let chosen = workstation.attachment_history(chooser.id).await?;
    assert!(
        chosen.last().is_some_and(|a| a.here && a.ended_on.is_none()),
        "{chosen:?}"
    );
    // refused a free choice, she stayed with the other clinic until she moved to the post's village
    let late = workstation.attachment_history(latecomer.id).await?;
    let grounds: Vec<(bool, &str)> = late.iter().map(|a| (a.here, a.ground.as_str())).collect();
    assert_eq!(grounds.last(), Some(&(true, "change_of_residence")), "{late:?}");
    assert!(late.iter().filter(|a| a.here).count() == 1, "{late:?}");
    let card = workstation
        .person_card(
            latecomer.id,
            chrono::NaiveDate::from_ymd_opt(2026, 11, 23).context("date")?,
        )
        .await?;
    assert_eq!(card.address.as_deref(), Some("Қоянды, Орталық көшесі, 5"));
    Ok(())
}
