//! A demo person's OSMS status on the card, the arrears from the year's
//! minimum wage, and the statement of seed 003 appendix 3 printed (and,
//! without the person's consent, its refusal); another's digital policy.

use super::*;

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn a_registrar_sees_a_demo_persons_osms_status_and_arrears_and_prints_the_statement() -> Result<()> {
    let (app, data, artifacts) = paths()?;
    // Friday 20 November 2026, 10:00 in Astana: the demo's statuses are known as of 09:00
    const NOW: &str = "2026-11-20T10:00:00+05:00";
    let (driver, client) = start_app(&app, data.path(), Some(NOW)).await?;
    let result = async {
        wait_for(&client, "#load-demo").await?.click().await?;
        sign_in_demo(&client, &demo_role("registrar")).await?;
        wait_for(&client, "#search").await?;

        // a demo person who paid for some months and then stopped: arrears
        let pool = app_database(data.path()).await?;
        let (iin, full_name, unpaid): (String, String, i64) = sqlx::query_as(
            "SELECT p.iin, p.surname || ' ' || p.first_name, \
                    json_extract(k.answer, '$.status.unpaid_months') \
             FROM osms_known k JOIN person p ON p.id = k.person_id \
             WHERE json_extract(k.answer, '$.status.status') = 'not_consumer' \
               AND json_array_length(json_extract(k.answer, '$.facts.payments')) > 0 \
             ORDER BY p.id LIMIT 1",
        )
        .fetch_one(&pool)
        .await?;
        pool.close().await;
        anyhow::ensure!((1..=12).contains(&unpaid), "unpaid months {unpaid}");

        open_card(&client, &iin).await?;
        let status = wait_for(&client, "#osms-status").await?;
        anyhow::ensure!(status.attr("data-status").await?.as_deref() == Some("not_consumer"));
        // the demo has no registry: the last known status, with its date, marked not current
        let known_at = wait_for(&client, "#osms-known-at").await?;
        anyhow::ensure!(known_at.attr("data-current").await?.as_deref() == Some("no"));
        wait_for_text(&client, "#osms-known-at", "20.11.2026 09:00").await?;
        // N months × 5 % × 85,000 tenge (the demo's minimum wage of 2026)
        // (WebDriver reads the no-break space between thousands as a space)
        let total = format!("{},00", group(unpaid * 4_250)).replace('\u{a0}', " ");
        wait_for_text(&client, "#osms-arrears", "4 250,00").await?;
        wait_for_text(&client, "#osms-arrears", &total).await?;
        wait_for(&client, "#osms-payments tbody tr").await?;
        std::fs::write(artifacts.join("e2e-osms-card.png"), client.screenshot().await?)?;

        // with the person's consent: the statement
        click_until(&client, "#osms-consent", "#osms-consent:checked").await?;
        client.find(Locator::Css("#osms-print")).await?.click().await?;
        let statement = saved_path(&client, "#osms-saved").await?;
        let text = pdf_text(&statement)?;
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for expected in [
            "Информация об участии в качестве потребителя медицинских услуг",
            "Медициналық қызметтерді тұтынушы ретінде қатысу",
            iin.as_str(),
            "Дата выдачи 20.11.2026",
            "Сведения Фонда на: 20.11.2026 09:00",
            "Төлем күні*",
            "Период",
            "МӘМС тұтынушысы емес / Не потребитель ОСМС",
            total.as_str(),
            "не более двенадцати месяцев",
            "1406",
            "8-800-080-7777, 1414",
        ] {
            anyhow::ensure!(
                flat.contains(expected),
                "the statement lacks {expected:?}: {text}"
            );
        }
        anyhow::ensure!(
            full_name.split(' ').all(|part| flat.contains(part)),
            "the statement names {full_name}"
        );
        std::fs::copy(&statement, artifacts.join("e2e-osms-statement.pdf"))?;

        // without it: the motivated refusal of appendix 2 p. 9.5
        client.find(Locator::Css("#osms-consent")).await?.click().await?;
        client.find(Locator::Css("#osms-print")).await?.click().await?;
        let started = Instant::now();
        let refusal = loop {
            let path = saved_path(&client, "#osms-saved").await?;
            if path.to_string_lossy().ends_with("-refusal.pdf") {
                break path;
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(20), "no refusal printed");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let text = pdf_text(&refusal)?;
        anyhow::ensure!(
            text.contains("Мотивированный отказ в оказании государственной услуги")
                && text.contains("подпункт 5)"),
            "refusal: {text}"
        );

        // a demo person who holds a digital policy of the 2026 pilot: its
        // number, status, period and the provider (the home clinic)
        let pool = app_database(data.path()).await?;
        let (holder, number): (String, String) = sqlx::query_as(
            "SELECT p.iin, json_extract(k.answer, '$.policy.policy.number') \
             FROM osms_known k JOIN person p ON p.id = k.person_id \
             WHERE json_extract(k.answer, '$.policy.policy.status') = 'active' ORDER BY p.id LIMIT 1",
        )
        .fetch_one(&pool)
        .await?;
        pool.close().await;
        open_card(&client, &holder).await?;
        let policy = wait_for(&client, "#osms-policy").await?;
        anyhow::ensure!(policy.attr("data-status").await?.as_deref() == Some("active"));
        wait_for_text(&client, "#osms-policy", &number).await?;
        wait_for_text(&client, "#osms-policy", "№1 қалалық емхана").await?;
        std::fs::write(artifacts.join("e2e-osms-policy.png"), client.screenshot().await?)?;

        // a household member's name opens their card
        let holder_name = wait_for(&client, "#person-card .full-name").await?.text().await?;
        let member = wait_for(&client, "#household button[data-member]").await?;
        let member_name = member.text().await?;
        member.click().await?;
        wait_for_text(&client, "#person-card .full-name", &member_name).await?;
        anyhow::ensure!(member_name != holder_name, "another person's card");
        Ok::<_, anyhow::Error>(())
    }
    .await;
    let result = finish(client, &artifacts.join("e2e-osms-failure.png"), result).await;
    drop(driver);
    result
}

/// Tenge grouped by thousands with a no-break space, as the card and the statement write them.
fn group(tenge: i64) -> String {
    let digits = tenge.to_string();
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    grouped
}
