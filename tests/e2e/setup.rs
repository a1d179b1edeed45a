//! A real clinic from nothing (issue 18): the registry's administrator sets
//! the clinic up by CSV import; the app starts on an empty database, offers
//! the registry beside the demo, enrols with a code and gets its clinic; the
//! registrar sees the districts and staff, registers a man (the form filled
//! from the state database's data), attaches him by
//! his address to the district of his side of the street and books him with
//! the doctor whose schedule the head entered on her own PC.

use emhana_domain::organization::ClinicProfile;
use emhana_domain::{Bin, ClinicKind, DistrictKind, Iin, Sex};
use emhana_registry::organization::{import_coverage, import_staff, set_clinic, set_district};

use super::*;

fn staff_iin(n: u32) -> Result<Iin> {
    let birth = chrono::NaiveDate::from_ymd_opt(1979, 4, n).context("date")?;
    (100..)
        .find_map(|serial| Iin::compose(birth, Sex::Female, serial))
        .context("an IIN")
}

/// The clinic as its administrator enters it: by command, then two CSV files
/// as a spreadsheet saves them (docs/organization.md).
async fn set_up_clinic(registry: &sqlx::PgPool, bin: Bin) -> Result<()> {
    set_clinic(
        registry,
        &ClinicProfile {
            bin,
            name_kk: "№ 9 қалалық емхана".into(),
            name_ru: "Городская поликлиника № 9".into(),
            kind: ClinicKind::Polyclinic,
            region: "Астана".into(),
            parent_bin: None,
            settlement: "Астана".into(),
            address: "Астана, Абай даңғылы, 50".into(),
            phone: "+7 7172 40 90 90".into(),
            hours: "Дс–Жм / Пн–Пт 08:00–20:00".into(),
        },
    )
    .await?;
    for (number, kind) in [
        (1, DistrictKind::Therapeutic),
        (2, DistrictKind::Therapeutic),
        (3, DistrictKind::Pediatric),
    ] {
        set_district(registry, &bin, number, kind, None).await?;
    }
    let staff = format!(
        "\u{feff}clinic_bin;iin;surname;first_name;patronymic;roles;specialty;districts;room;works_from\n\
         {bin};{};Омарова;Гүлнар;Серікқызы;head district_doctor;therapist;1;201;01.09.2020\n\
         {bin};{};Бекова;Дана;Маратқызы;district_doctor;therapist;2;202;\n\
         {bin};{};Ким;Ольга;Викторовна;district_doctor;pediatrician;3;301;\n\
         {bin};{};Ахметова;Айгерім;;district_nurse;;1 2;203;\n\
         {bin};{};Жұмабаева;Сәуле;;registrar;;;101;\n",
        staff_iin(1)?,
        staff_iin(2)?,
        staff_iin(3)?,
        staff_iin(4)?,
        staff_iin(5)?,
    );
    import_staff(registry, staff.as_bytes()).await?;
    // the head's and the registrar's accounts, as the registry's administrator sets them
    set_passwords(registry, &bin, &[staff_iin(1)?, staff_iin(5)?]).await?;
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n\
         {bin},1,Астана,Абай даңғылы,1,99,odd\n\
         {bin},2,Астана,Абай даңғылы,2,98,even\n\
         {bin},3,Астана,Абай даңғылы,1,99,all\n"
    );
    import_coverage(registry, coverage.as_bytes()).await?;
    Ok(())
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn a_clinic_set_up_at_the_registry_by_csv_arrives_on_an_empty_pc_and_the_registrar_works_with_it()
-> Result<()> {
    let (app, data, artifacts) = paths()?;
    const NOW: &str = "2026-12-02T10:00:00+05:00";
    let at_now = chrono::DateTime::parse_from_rfc3339(NOW)?.with_timezone(&chrono::Utc);
    let today = emhana_domain::kazakhstan_date(at_now);
    let (registry, base, _server) = start_registry(emhana_synth::SynthConfig {
        persons: 200,
        ..emhana_synth::demo_config(today)
    })
    .await?;
    let bin = (0u8..10)
        .find_map(|n| Bin::complete([1, 5, 0, 3, 4, 0, 0, 0, 7, 7, n]))
        .context("a BIN")?;
    set_up_clinic(&registry, bin).await?;

    // The head's PC, also new: it takes the clinic, and she enters district 2's doctor's week.
    let head_dir = tempfile::tempdir()?;
    let (head_pc, _) = Workstation::open(&head_dir.path().join("emhana.sqlite")).await?;
    let head_engine =
        enrolled_beside(&registry, &base, &bin.as_string(), "Меңгеруші", &head_pc, at_now).await?;
    head_engine.sync_once(|_| {}).await?;
    let head_pc = acting_on(&head_pc, &staff_iin(1)?, at_now).await?;
    let doctor = head_pc
        .doctors()
        .await?
        .into_iter()
        .find(|d| d.district_number == Some(2))
        .context("district 2's doctor on the head's PC")?;
    let week = emhana_synth::doctor_week(0, chrono::NaiveDate::from_ymd_opt(2026, 1, 1).context("date")?);
    head_pc
        .set_schedule_template(doctor.id, &week, at_now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    head_engine.sync_once(|_| {}).await?;

    let (_, code) =
        emhana_registry::auth::add_workstation(&registry, &bin.as_string(), "Тіркеу орны 1", at_now).await?;
    let man_iin = (3000..)
        .find_map(|serial| Iin::compose(chrono::NaiveDate::from_ymd_opt(1985, 6, 10)?, Sex::Male, serial))
        .context("an IIN")?;
    let man = man_iin.as_string();
    // he is in the state person database (the registry stands in for it), attached nowhere
    emhana_registry::seed::load_population(
        &registry,
        &[emhana_registry::seed::PopulationRecord {
            person: emhana_domain::Person {
                iin: man_iin,
                surname: "Нұрланов".into(),
                first_name: "Асқар".into(),
                patronymic: None,
                birth_date: chrono::NaiveDate::from_ymd_opt(1985, 6, 10).context("date")?,
                sex: Sex::Male,
                citizenship: emhana_domain::Citizenship::Citizen,
                address: Some(emhana_domain::Address {
                    settlement: "Астана".into(),
                    street: "Абай даңғылы".into(),
                    house: "16".into(),
                    apartment: None,
                }),
                phone: None,
            },
            attachment: None,
        }],
    )
    .await?;

    let (driver, client) = start_app(&app, data.path(), Some(NOW)).await?;
    let db = app_database(data.path()).await?;
    let result = async {
        // First start: the registry beside the demo, never the demo alone.
        wait_for(&client, "#first-run-enrol").await?;
        wait_for(&client, "#load-demo").await?;
        wait_for(&client, "#first-run-registry-url")
            .await?
            .send_keys(&base)
            .await?;
        client
            .find(Locator::Css("#first-run-code"))
            .await?
            .send_keys(&code)
            .await?;
        std::fs::write(artifacts.join("e2e-first-run.png"), client.screenshot().await?)?;
        client
            .find(Locator::Css("#first-run-enrol-submit"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#clinic-name", "№ 9 қалалық емхана").await?;
        // no demo here: the registrar signs in with the password the registry gave her
        anyhow::ensure!(
            client.find(Locator::Css("#demo-staff")).await.is_err(),
            "a real clinic lists no staff"
        );
        // a mistyped password: said, and she tries again
        wait_for(&client, "#sign-in-iin")
            .await?
            .send_keys(&staff_iin(5)?.as_string())
            .await?;
        enter_password(&client, "Көктем-2025!").await?;
        wait_for_text(
            &client,
            "#sign-in-error[data-code='sign_in.wrong_password']",
            "қате",
        )
        .await?;
        std::fs::write(artifacts.join("e2e-sign-in.png"), client.screenshot().await?)?;
        client.find(Locator::Css("#sign-in-iin")).await?.clear().await?;
        sign_in_with(&client, &staff_iin(5)?.as_string(), STAFF_PASSWORD).await?;
        // she locks the window going out, and her password opens it again where she left it
        client.find(Locator::Css("#lock-window")).await?.click().await?;
        wait_for(&client, "#sign-in[data-locked=true]").await?;
        std::fs::write(artifacts.join("e2e-locked.png"), client.screenshot().await?)?;
        enter_password(&client, STAFF_PASSWORD).await?;
        wait_for(&client, "#signed-in-user").await?;
        wait_for(&client, "#search").await?;

        // The clinic screen: districts with the sides of the street, who serves them, the staff.
        client
            .find(Locator::Css("[data-nav=clinic]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#organization [data-district=\"2\"]", "Бекова Дана").await?;
        wait_for_text(&client, "#organization [data-district=\"2\"]", "жұп").await?;
        wait_for_text(&client, "#organization [data-district=\"1\"]", "тақ").await?;
        wait_for_text(
            &client,
            &format!("#organization [data-staff=\"{}\"]", staff_iin(1)?),
            "басшы",
        )
        .await?;
        let rows = client
            .find_all(Locator::Css("#organization table.staff tbody tr"))
            .await?;
        anyhow::ensure!(rows.len() == 5, "{} staff rows", rows.len());
        std::fs::write(artifacts.join("e2e-clinic.png"), client.screenshot().await?)?;

        // A man from house 16, the even side, registered at the window.
        client
            .find(Locator::Css("[data-nav=registry_desk]"))
            .await?
            .click()
            .await?;
        let search = wait_for(&client, "#search").await?;
        search.send_keys(&man).await?;
        wait_for(&client, "#register-person").await?.click().await?;
        wait_for_value(
            &client,
            "#registration-form [data-field=birth_date]",
            "10.06.1985",
        )
        .await?;
        // the form filled from the state database's data; the document typed
        wait_for(&client, "#lookup-notice[data-outcome=found]").await?;
        wait_for_value(&client, "#registration-form [data-field=surname]", "Нұрланов").await?;
        wait_for_value(
            &client,
            "#registration-form [data-field=\"registered_address.house\"]",
            "16",
        )
        .await?;
        client
            .find(Locator::Css("#registration-form [data-field=document_number]"))
            .await?
            .send_keys("045612378")
            .await?;
        client
            .find(Locator::Css("#registration-form [data-field=document_kind]"))
            .await?
            .select_by_value("id_card")
            .await?;
        type_date(
            &client,
            "#registration-form [data-field=document_issued_on]",
            "15.01.2020",
        )
        .await?;
        client
            .find(Locator::Css("#register-submit"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#person-card", "10.06.1985").await?;

        // The attachment form proposes district 2 by his address; attached there.
        wait_for(&client, "#attach").await?.click().await?;
        let district = wait_for(&client, "#attachment-form [data-field=district]").await?;
        let chosen: i64 = sqlx::query_scalar("SELECT id FROM district WHERE number = 2")
            .fetch_one(&db)
            .await?;
        let started = Instant::now();
        while district.prop("value").await?.as_deref() != Some(chosen.to_string().as_str()) {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(10),
                "district 2 not proposed"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        fill_application_papers(&client).await?;
        client.find(Locator::Css("#attach-submit")).await?.click().await?;
        let outcome = wait_for(&client, "#outcome").await?;
        assert_eq!(outcome.attr("data-outcome").await?.as_deref(), Some("attach"));
        std::fs::write(
            artifacts.join("e2e-attached-by-address.png"),
            client.screenshot().await?,
        )?;

        // Booked with district 2's doctor, whose week the head entered on her PC.
        client
            .find(Locator::Css("#attachment-form .back"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#person-card").await?;
        client
            .active_element()
            .await?
            .send_keys(&Key::F2.to_string())
            .await?;
        wait_for(&client, "#slots li.selected").await?;
        wait_for_focus(&client, "#booking-reason").await?;
        for key in [Key::Down, Key::Enter, Key::Enter] {
            client.active_element().await?.send_keys(&key.to_string()).await?;
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
        wait_for(&client, "#booking-done").await?;
        std::fs::write(
            artifacts.join("e2e-booked-at-new-clinic.png"),
            client.screenshot().await?,
        )?;
        let booked_with: String =
            sqlx::query_scalar("SELECT s.iin FROM booking b JOIN staff s ON s.id = b.staff_id")
                .fetch_one(&db)
                .await?;
        assert_eq!(booked_with, doctor.iin);

        // The head takes the window from the registrar (the lock screen's other
        // user) and adds a nurse: sent to the registry, shown once it applied it.
        take_window(&client, &staff_iin(1)?.as_string(), STAFF_PASSWORD).await?;
        client
            .find(Locator::Css("[data-nav=clinic]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#add-staff").await?.click().await?;
        let nurse = staff_iin(9)?.as_string();
        for (field, value) in [
            ("iin", nurse.as_str()),
            ("surname", "Сейітова"),
            ("first_name", "Раушан"),
            ("districts", "3"),
            ("room", "302"),
        ] {
            client
                .find(Locator::Css(&format!("#staff-form [data-field={field}]")))
                .await?
                .send_keys(value)
                .await?;
        }
        client
            .find(Locator::Css("#staff-form [data-role=district_nurse]"))
            .await?
            .click()
            .await?;
        std::fs::write(
            artifacts.join("e2e-clinic-staff-form.png"),
            client.screenshot().await?,
        )?;
        client.find(Locator::Css("#staff-submit")).await?.click().await?;
        wait_for(&client, "#organization-pending [data-pending=staff]").await?;
        client
            .find(Locator::Css("#sync-indicator"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#sync-now").await?.click().await?;
        let started = Instant::now();
        loop {
            let held: i64 = sqlx::query_scalar("SELECT count(*) FROM staff WHERE iin = ?1")
                .bind(&nurse)
                .fetch_one(&db)
                .await?;
            if held == 1 {
                break;
            }
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(20),
                "the nurse never came back from the registry"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        client
            .find(Locator::Css("[data-nav=clinic]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, &format!("#organization [data-staff=\"{nurse}\"]"), "302").await?;
        wait_for_text(&client, "#organization [data-district=\"3\"]", "Сейітова Раушан").await?;
        std::fs::write(
            artifacts.join("e2e-clinic-after-change.png"),
            client.screenshot().await?,
        )?;
        Ok(())
    }
    .await;
    db.close().await;
    drop(driver);
    finish(client, &artifacts.join("e2e-setup-failure.png"), result).await
}
