//! Dates typed and read as dd.mm.yyyy in both languages under a C locale; the register filtered by every age group.

use super::*;

/// A valid IIN for a girl born on `born` (2000s: century digit 6).
fn girl_iin(born: chrono::NaiveDate) -> Result<String> {
    for serial in 1000..2000u32 {
        let first = format!("{}6{serial}", born.format("%y%m%d"));
        let digits: Vec<u8> = first.bytes().map(|b| b - b'0').collect();
        let eleven: [u8; 11] = digits.try_into().map_err(|_| anyhow::anyhow!("11 digits"))?;
        if let Some(check) = emhana_domain::check_digit(&eleven) {
            return Ok(format!("{first}{check}"));
        }
    }
    bail!("no IIN for {born}")
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn dates_are_typed_and_read_as_dd_mm_yyyy_in_both_languages_under_a_c_locale_and_the_register_filters_by_every_age_group()
-> Result<()> {
    use chrono::TimeZone;
    let (app, data, artifacts) = paths()?;
    const NOW: &str = "2026-10-01T10:30:00+05:00";
    let now = chrono::Utc
        .with_ymd_and_hms(2026, 10, 1, 5, 30, 0)
        .single()
        .context("instant")?;
    let today = emhana_domain::kazakhstan_date(now);
    let (workstation, _) = app_workstation(data.path()).await?;
    emhana_synth::load_into(&workstation, emhana_synth::demo_config(today), |_| {}).await?;
    workstation.close().await;
    let born = chrono::NaiveDate::from_ymd_opt(2015, 3, 16).context("date")?;
    let iin = girl_iin(born)?;

    let (driver, client) = start_app(&app, data.path(), Some(NOW)).await?;
    let result = async {
        sign_in_demo(&client, &demo_role("registrar")).await?;
        // Kazakh (the default): a new person is registered, her dates typed as a registrar types them.
        let search = wait_for(&client, "#search").await?;
        search.send_keys(&iin).await?;
        wait_for(&client, "#register-person").await?.click().await?;
        let birth = "#registration-form [data-field=birth_date]";
        wait_for(&client, birth).await?;
        // The IIN field has the focus, and the IIN's birth date and sex are filled in, as its hint says.
        let focused = client.active_element().await?.attr("data-field").await?;
        anyhow::ensure!(focused.as_deref() == Some("iin"), "focus on open: {focused:?}");
        wait_for_value(&client, birth, "16.03.2015").await?;
        let sex = client
            .find(Locator::Css("#registration-form [data-field=sex]"))
            .await?
            .prop("value")
            .await?;
        anyhow::ensure!(sex.as_deref() == Some("female"), "sex from the IIN: {sex:?}");
        assert_eq!(
            wait_for(&client, birth)
                .await?
                .attr("placeholder")
                .await?
                .as_deref(),
            Some("кк.аа.жжжж")
        );
        // Once stored as 3 December 2015 without a word; now 16 March, with or without dots.
        assert_eq!(type_date(&client, birth, "16.03.2015").await?, "16.03.2015");
        assert_eq!(type_date(&client, birth, "16032015").await?, "16.03.2015");
        // A day the calendar has not, a two-digit year, a birth in the future: said at the field.
        for (typed, problem, words) in [
            ("31.02.2015", "no_such_day", "мұндай күн жоқ"),
            ("16.03.15", "two_digit_year", "төрт цифрмен"),
            ("02.10.2026", "after_max", "01.10.2026"),
        ] {
            type_date(&client, birth, typed).await?;
            wait_for_text(
                &client,
                &format!("#registration-form [data-date-problem={problem}]"),
                words,
            )
            .await?;
        }
        // The calendar opens on the app's today (1 October 2026, not the PC's), in Kazakh.
        client
            .find(Locator::Css(
                "#registration-form [data-field=document_issued_on] + [data-calendar-open]",
            ))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "[data-calendar-month]", "Қазан 2026").await?;
        wait_for(&client, "[data-calendar] [data-day=\"2026-10-01\"].today").await?;
        std::fs::write(
            artifacts.join("e2e-date-calendar-kk.png"),
            client.screenshot().await?,
        )?;
        // ← twice and Enter: 29 September.
        for key in [Key::Left, Key::Left, Key::Enter] {
            client.active_element().await?.send_keys(&key.to_string()).await?;
        }
        let issued = client
            .find(Locator::Css("#registration-form [data-field=document_issued_on]"))
            .await?;
        assert_eq!(issued.prop("value").await?.as_deref(), Some("29.09.2026"));

        assert_eq!(type_date(&client, birth, "16032015").await?, "16.03.2015");
        for (field, value) in [
            ("surname", "Сейітова"),
            ("first_name", "Әйгерім"),
            ("document_number", "I-АЖ 123456"),
            ("registered_address.settlement", "Астана"),
            ("registered_address.street", "Абай даңғылы"),
            ("registered_address.house", "12"),
        ] {
            client
                .find(Locator::Css(&format!(
                    "#registration-form [data-field=\"{field}\"]"
                )))
                .await?
                .send_keys(value)
                .await?;
        }
        client
            .find(Locator::Css("#registration-form [data-field=sex]"))
            .await?
            .select_by_value("female")
            .await?;
        client
            .find(Locator::Css("#registration-form [data-field=document_kind]"))
            .await?
            .select_by_value("birth_certificate")
            .await?;
        std::fs::write(
            artifacts.join("e2e-date-registration.png"),
            client.screenshot().await?,
        )?;
        client
            .find(Locator::Css("#register-submit"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#person-card", "16.03.2015").await?;
        // the card says who opened it: the registrar, just now
        wait_for(&client, "#card-openings tr[data-role=registrar]").await?;
        client
            .execute(
                "document.querySelector('#card-openings').scrollIntoView()",
                vec![],
            )
            .await?;
        std::fs::write(
            artifacts.join("e2e-card-openings.png"),
            client.screenshot().await?,
        )?;

        // Russian: the same fields, the calendar in Russian.
        client
            .find(Locator::Css("[data-nav=settings]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "[data-lang=ru]").await?.click().await?;
        // The round pace is the head's to set: she takes the window from the lock screen.
        switch_user_demo(&client, &demo_role("head")).await?;
        // and when the clinic's windows lock: after 15 minutes of no use
        let lock_after = wait_for(&client, "#lock-after").await?;
        lock_after.clear().await?;
        lock_after.send_keys("15").await?;
        client
            .find(Locator::Css("#lock-form button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#lock-form .saved", "15 минут").await?;
        // printed documents kept two days on this PC, then removed
        let kept = wait_for(&client, "#documents-kept").await?;
        assert_eq!(
            kept.prop("value").await?.as_deref(),
            Some("24"),
            "a day unless set"
        );
        kept.clear().await?;
        kept.send_keys("48").await?;
        client
            .find(Locator::Css("#documents-form button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#documents-form .saved", "48 часов").await?;
        // the head checks the audit log of this PC: the sign-ins, the registration, the card opened
        client.find(Locator::Css("#verify-audit")).await?.click().await?;
        wait_for_text(&client, "#audit-result", "Цепочка цела").await?;
        std::fs::write(
            artifacts.join("e2e-audit-verified.png"),
            client.screenshot().await?,
        )?;
        // Times too are on the 24-hour clock under a C locale: "1730" is 17:30, "5 pm" is refused.
        let ends = "#pace-form [data-field=round_ends]";
        let field = wait_for(&client, ends).await?;
        field.clear().await?;
        field.send_keys("5 pm").await?;
        client
            .find(Locator::Css("#pace-form [data-field=round_starts]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#pace-form [data-time-problem]", "по 24 часам").await?;
        field.clear().await?;
        field.send_keys("1730").await?;
        client
            .find(Locator::Css("#pace-form [data-field=round_starts]"))
            .await?
            .click()
            .await?;
        wait_for_value(&client, ends, "17:30").await?;
        client
            .find(Locator::Css("#pace-form button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#pace-form .saved").await?;
        client
            .find(Locator::Css("[data-nav=attached]"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#register-total").await?;
        let since = "#attached-register .filters [data-date-field]";
        assert_eq!(
            wait_for(&client, since)
                .await?
                .attr("placeholder")
                .await?
                .as_deref(),
            Some("дд.мм.гггг")
        );
        assert_eq!(type_date(&client, since, "01092026").await?, "01.09.2026");
        client
            .find(Locator::Css("#attached-register .filters [data-calendar-open]"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "[data-calendar-month]", "Сентябрь 2026").await?;
        std::fs::write(
            artifacts.join("e2e-date-calendar-ru.png"),
            client.screenshot().await?,
        )?;
        client
            .active_element()
            .await?
            .send_keys(&Key::Escape.to_string())
            .await?;
        assert_eq!(type_date(&client, since, "").await?, "");

        // Every age group filters (the UI once sent a name the core did not know).
        let (workstation, _) = app_workstation(data.path()).await?;
        let mut seen = 0;
        for group in emhana_domain::AgeGroup::ALL {
            let filter = emhana_workstation::RegisterFilter {
                age_group: Some(*group),
                ..Default::default()
            };
            let expected = workstation.attached_register(&filter, today, 0).await?.total;
            anyhow::ensure!(expected > 0, "the demo clinic has persons {group:?}");
            seen += expected;
            client
                .find(Locator::Css("[data-filter=age_group]"))
                .await?
                .select_by_value(group.as_str())
                .await?;
            client
                .find(Locator::Css("#register-apply"))
                .await?
                .click()
                .await?;
            wait_for_text(
                &client,
                "#register-total",
                &format!("Найдено: {}", grouped(expected)),
            )
            .await?;
            anyhow::ensure!(
                client
                    .find(Locator::Css("#attached-register .error"))
                    .await
                    .is_err(),
                "{group:?} shows an error"
            );
        }
        let all = workstation
            .attached_register(&Default::default(), today, 0)
            .await?
            .total;
        assert_eq!(seen, all, "the age groups cover the register");
        workstation.close().await;
        std::fs::write(
            artifacts.join("e2e-register-age-group.png"),
            client.screenshot().await?,
        )?;
        // And the export of a group is a CSV, said as one.
        client
            .find(Locator::Css("#register-export"))
            .await?
            .click()
            .await?;
        let csv = saved_path(&client, "#attached-register .saved").await?;
        anyhow::ensure!(csv.extension().is_some_and(|e| e == "csv"), "{}", csv.display());
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(client, &artifacts.join("e2e-dates-failure.png"), result).await?;
    drop(driver);

    // Stored as the registrar meant it.
    let pool = app_database(data.path()).await?;
    let stored: (String, String) =
        sqlx::query_as("SELECT birth_date, document_issued_on FROM person WHERE iin = ?1")
            .bind(&iin)
            .fetch_one(&pool)
            .await?;
    assert_eq!(stored, ("2015-03-16".to_string(), "2026-09-29".to_string()));
    let kept: String = sqlx::query_scalar("SELECT value FROM setting WHERE name = 'documents_kept_hours'")
        .fetch_one(&pool)
        .await?;
    assert_eq!(kept, "48");
    pool.close().await;
    Ok(())
}

/// A count as the screens write it: from five digits on, thousands grouped by
/// a no-break space (18 307; 2026 stays as it is).
fn grouped(n: i64) -> String {
    let digits = n.to_string();
    if digits.len() < 5 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    out
}
