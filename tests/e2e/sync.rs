//! A workstation enrols with a real registry, syncs with a progress bar, and a lost conflict lands in needs attention.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a display, tauri-driver, PostgreSQL and a keyring: run by scripts/test.sh"]
async fn a_workstation_enrols_syncs_with_a_progress_bar_and_a_lost_conflict_lands_in_needs_attention()
-> Result<()> {
    use chrono::TimeZone;
    let (app, data, artifacts) = paths()?;
    const IN_CAMPAIGN: &str = "2026-10-01T10:30:00+05:00";
    let in_campaign = chrono::Utc
        .with_ymd_and_hms(2026, 10, 1, 5, 30, 0)
        .single()
        .context("instant")?;
    let config = emhana_synth::demo_config(emhana_domain::kazakhstan_date(in_campaign));

    // The registry holds the region; the clinic used Emhana alone until now.
    let (registry, base, server) = start_registry_at(config, Some(in_campaign)).await?;
    // a child born in September, in the state database and attached nowhere yet
    let newborn = {
        let born = chrono::NaiveDate::from_ymd_opt(2026, 9, 20).context("date")?;
        let iin = (0..)
            .find_map(|serial| emhana_domain::Iin::compose(born, emhana_domain::Sex::Male, 4_000 + serial))
            .context("an IIN")?;
        emhana_domain::Person {
            iin,
            surname: "Нұрланов".into(),
            first_name: "Әлихан".into(),
            patronymic: Some("Ерланұлы".into()),
            birth_date: born,
            sex: emhana_domain::Sex::Male,
            citizenship: emhana_domain::Citizenship::Citizen,
            address: Some(emhana_domain::Address {
                settlement: "Астана".into(),
                street: "Абай даңғылы".into(),
                house: "7".into(),
                apartment: Some("12".into()),
            }),
            phone: None,
        }
    };
    emhana_registry::seed::load_population(
        &registry,
        &[emhana_registry::seed::PopulationRecord {
            person: newborn.clone(),
            attachment: None,
        }],
    )
    .await?;
    let (workstation, _) = app_workstation(data.path()).await?;
    emhana_synth::load_into(&workstation, config, |_| {}).await?;
    let mut choosers = attached_elsewhere(&workstation, in_campaign, 2).await?;
    let (chooser, offline_chooser) = (choosers.remove(0), choosers.remove(0));
    let registrar = staff_with_role(&workstation, emhana_domain::StaffRole::Registrar).await?;
    let head = staff_with_role(&workstation, emhana_domain::StaffRole::Head).await?;
    workstation.close().await;
    let clinics = emhana_synth::Synth::new(config)?.clinics().to_vec();
    let (_, code) = emhana_registry::auth::add_workstation(
        &registry,
        &clinics[0].bin.as_string(),
        "Тіркеу орны 1",
        chrono::Utc::now(),
    )
    .await?;

    // The neighbour practice's workstation, which will win the conflict.
    let practice_dir = tempfile::tempdir()?;
    let (practice, _) = Workstation::open(&practice_dir.path().join("emhana.sqlite")).await?;
    let mut practice_clinics = clinics.clone();
    for (index, clinic) in practice_clinics.iter_mut().enumerate() {
        clinic.is_home = index == 1;
    }
    practice.import_clinics(&practice_clinics).await?;
    emhana_synth::load_demo_accounts(&practice).await?;
    let practice =
        emhana_synth::sign_in_as(&practice, emhana_domain::StaffRole::Registrar, in_campaign).await?;
    let practice_sync = enrolled_beside(
        &registry,
        &base,
        &clinics[1].bin.as_string(),
        "Шипагер",
        &practice,
        in_campaign,
    )
    .await?;
    practice_sync.sync_once(|_| {}).await?;

    // the registry's bundle key pair, made by its administrator before the app enrols
    let registry_bundle_key = emhana_registry::bundle::make_key(&registry, false, chrono::Utc::now()).await?;

    let (driver, client) = start_app(&app, data.path(), Some(IN_CAMPAIGN)).await?;
    let result = async {
        wait_for_text(&client, "#sync-indicator", "Тіркелімге қосылмаған").await?;
        // a PC that holds a clinic enrols by its head
        sign_in_demo(&client, &demo_role("head")).await?;
        client
            .find(Locator::Css("#sync-indicator"))
            .await?
            .click()
            .await?;
        // A mistyped address (nothing listens there): said as the address's fault, the code still good.
        let wrong = "http://127.0.0.1:9";
        wait_for(&client, "#registry-url").await?.send_keys(wrong).await?;
        // typed as read out: lower case, spaces for dashes
        client
            .find(Locator::Css("#enrol-code"))
            .await?
            .send_keys(&code.to_lowercase().replace('-', " "))
            .await?;
        client.find(Locator::Css("#enrol-submit")).await?.click().await?;
        wait_for_text(&client, "#sync-error", wrong).await?;
        wait_for_text(&client, "#sync-error", "қосылу коды жұмсалған жоқ").await?;
        let url = client.find(Locator::Css("#registry-url")).await?;
        url.clear().await?;
        url.send_keys(&base).await?;
        std::fs::write(artifacts.join("e2e-sync-enrol.png"), client.screenshot().await?)?;
        client.find(Locator::Css("#enrol-submit")).await?.click().await?;
        // the first sync runs at once, with its progress bar
        wait_for(&client, "#first-sync-progress").await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        std::fs::write(
            artifacts.join("e2e-sync-progress.png"),
            client.screenshot().await?,
        )?;
        wait_for(&client, "#first-sync[data-done=true]").await?;
        wait_for(&client, "#sync-state[data-online=true]").await?;
        // the clinic's first workstation to enrol numbers in series 1 ("2026/1-…")
        wait_for_text(&client, "#sync-series", "1-серия").await?;

        // The registrar takes the window (her account now the registry's) and
        // grants a free choice while the practice does the same offline.
        lock_for_another(&client).await?;
        anyhow::ensure!(
            client.find(Locator::Css("#demo-staff")).await.is_err(),
            "enrolled: no demo list"
        );
        sign_in_with(&client, &registrar, emhana_synth::DEMO_PASSWORD).await?;
        client
            .find(Locator::Css("[data-nav=registry_desk]"))
            .await?
            .click()
            .await?;
        let (decided, _, _) = apply_in_the_app(&client, &chooser.iin).await?;
        anyhow::ensure!(decided == "attach", "decided here: {decided}");

        // A newborn the state database knows (the registry stands in for it):
        // typing the IIN fills the registration form from it.
        // back from the application to the card, and from the card to the search
        for _ in 0..3 {
            if client.find(Locator::Css("#search")).await.is_ok() {
                break;
            }
            if let Ok(back) = client.find(Locator::Css(".back")).await {
                back.click().await?;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let search = wait_for(&client, "#search").await?;
        search.clear().await?;
        search.send_keys(&newborn.iin.as_string()).await?;
        wait_for(&client, "#register-person").await?.click().await?;
        wait_for(&client, "#lookup-notice[data-outcome=found]").await?;
        wait_for_value(
            &client,
            "#registration-form [data-field=surname]",
            &newborn.surname,
        )
        .await?;
        wait_for_value(
            &client,
            "#registration-form [data-field=first_name]",
            &newborn.first_name,
        )
        .await?;
        wait_for_value(
            &client,
            "#registration-form [data-field=birth_date]",
            "20.09.2026",
        )
        .await?;
        wait_for_value(
            &client,
            "#registration-form [data-field=\"registered_address.house\"]",
            "7",
        )
        .await?;
        std::fs::write(
            artifacts.join("e2e-lookup-filled.png"),
            client.screenshot().await?,
        )?;
        // the birth certificate is the registrar's to type: ГБД ФЛ's answer names no document
        select_when_listed(
            &client,
            "#registration-form [data-field=document_kind]",
            "birth_certificate",
        )
        .await?;
        client
            .find(Locator::Css("#registration-form [data-field=document_number]"))
            .await?
            .send_keys("000123456")
            .await?;
        type_date(
            &client,
            "#registration-form [data-field=document_issued_on]",
            "25.09.2026",
        )
        .await?;
        wait_for(&client, "#register-submit").await?.click().await?;
        wait_for_text(&client, "#person-card .full-name", &newborn.surname).await?;
        let options = practice
            .attachment_options(chooser_id(&practice, &chooser.iin).await?, in_campaign)
            .await?;
        let other_district = options
            .districts
            .iter()
            .find(|d| {
                options
                    .current
                    .as_ref()
                    .is_some_and(|c| c.district_number != Some(d.number))
            })
            .context("another district of the practice")?;
        practice
            .apply_for_attachment(
                &emhana_workstation::ApplicationForm {
                    person_id: options.person_id,
                    channel: emhana_domain::attachment::Channel::InPerson,
                    ground: emhana_domain::attachment::AttachmentGround::FreeChoice,
                    district_id: Some(other_district.id),
                    document_kind: Some(emhana_domain::registration::DocumentKind::IdCard),
                    document_number: "041111111".into(),
                    consent: emhana_workstation::ConsentForm {
                        given: Some(true),
                        ..emhana_workstation::ConsentForm::default()
                    },
                    new_residence: None,
                },
                in_campaign - chrono::TimeDelta::hours(1),
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let won = practice_sync.sync_once(|_| {}).await?;
        anyhow::ensure!(won.confirmed == 1, "the practice's push lands first: {won:?}");

        // Sync now: the registry refuses the second free choice of the year.
        client
            .find(Locator::Css("#sync-indicator"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#sync-now").await?.click().await?;
        wait_for(
            &client,
            "#attention li[data-ground=attachment_refused][data-action=print_refusal]",
        )
        .await?;
        wait_for_text(&client, "#attention-count", "1").await?;
        wait_for_text(&client, "#attention", chooser.full_name.as_str()).await?;
        wait_for_text(&client, "#attention", "Биылғы еркін таңдау пайдаланылған").await?;
        client
            .find(Locator::Css("#attention .print-refusal"))
            .await?
            .click()
            .await?;
        let printed = wait_for(&client, "#attention .printed").await?;
        let path = PathBuf::from(printed.attr("data-path").await?.context("data-path")?);
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(
            artifacts.join("e2e-sync-attention.png"),
            client.screenshot().await?,
        )?;
        let text = pdf_text(&path)?;
        for expected in [
            "Мотивированный отказ в прикреплении к организации ПМСП",
            chooser.full_name.as_str(),
        ] {
            anyhow::ensure!(text.contains(expected), "refusal lacks {expected:?}: {text}");
        }
        std::fs::copy(&path, artifacts.join("e2e-sync-refusal.pdf"))?;
        client
            .find(Locator::Css("#attention .resolve"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#attention-empty").await?;

        // The link goes down. The indicator says so; the registrar works on.
        server.stop();
        client.find(Locator::Css("#sync-now")).await?.click().await?;
        wait_for(&client, "#sync-state[data-online=false]").await?;
        wait_for_text(
            &client,
            "#sync-last-error[data-code=offline]",
            "Тіркелім жауап бермейді",
        )
        .await?;
        wait_for_text(&client, "#sync-indicator", "байланыс жоқ").await?;
        client
            .find(Locator::Css("[data-nav=registry_desk]"))
            .await?
            .click()
            .await?;
        let (decided, _, _) = apply_in_the_app(&client, &offline_chooser.iin).await?;
        anyhow::ensure!(decided == "attach", "decided offline: {decided}");
        client
            .find(Locator::Css("#sync-indicator"))
            .await?
            .click()
            .await?;
        // "Not sent", truthfully, even after a retry round tried the dead
        // link: no connection could be made, so nothing left.
        wait_for(&client, "#sync-counts[data-local='1'][data-sent='0']").await?;
        std::fs::write(artifacts.join("e2e-sync-offline.png"), client.screenshot().await?)?;

        // As a post with no link: the ops go to a file, carried to the registry...
        // — the head's to write, not the registrar's: the file holds the ops' persons
        client.find(Locator::Css("#export-bundle")).await?.click().await?;
        wait_for_text(&client, "#sync-error", "рөліңіз").await?;
        take_window(&client, &head, emhana_synth::DEMO_PASSWORD).await?;
        client
            .find(Locator::Css("#sync-indicator"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#export-bundle").await?.click().await?;
        let exported = wait_for(&client, "#bundle-exported").await?;
        let bundle = PathBuf::from(exported.attr("data-path").await?.context("data-path")?);
        wait_for(&client, "#sync-counts[data-local='0'][data-sent='1']").await?;
        let (answers, report) = emhana_registry::bundle::import(
            &registry,
            &registry_bundle_key,
            &std::fs::read(&bundle)?,
            chrono::Utc::now(),
        )
        .await?;
        anyhow::ensure!(
            (report.applied, report.rejected) == (1, 0),
            "the registry applied the carried op: {report:?}"
        );
        // ...and the registry's answers file comes back and is loaded.
        let answers_file = data.path().join("answers.emhana");
        std::fs::write(&answers_file, answers)?;
        client
            .find(Locator::Css("#answers-file"))
            .await?
            .send_keys(&answers_file.display().to_string())
            .await?;
        wait_for(
            &client,
            "#answers-imported[data-confirmed='1'][data-rejected='0']",
        )
        .await?;
        wait_for(&client, "#sync-counts[data-sent='0'][data-confirmed='1']").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        std::fs::write(artifacts.join("e2e-sync-bundle.png"), client.screenshot().await?)?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let result = finish(client, &artifacts.join("e2e-sync-failure.png"), result).await;
    drop(driver);
    server.stop();
    result?;

    // The app's database agrees with the registry: the person is the practice's.
    let (workstation, _) = app_workstation(data.path()).await?;
    let overview = workstation.sync_overview().await?;
    assert_eq!(
        (overview.rejected, overview.needs_attention),
        (1, 0),
        "{overview:?}"
    );
    let history = workstation.attachment_history(chooser.id).await?;
    assert!(
        history.iter().all(|a| !a.here),
        "the provisional attachment is undone: {history:?}"
    );
    Ok(())
}

async fn chooser_id(workstation: &Workstation, iin: &str) -> Result<i64> {
    Ok(workstation
        .search(iin, 1)
        .await?
        .hits
        .first()
        .context("person by IIN")?
        .id)
}
