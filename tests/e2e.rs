//! End to end: the real built app in a real window, driven over WebDriver
//! (tauri-driver + WebKitWebDriver) under Xvfb, as a registrar would use it.
//!
//! Needs a display and tauri-driver; run by `scripts/test.sh` as
//! `xvfb-run cargo test --features custom-protocol --test e2e -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly, which is its job

use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use emhana_workstation::Workstation;
use fantoccini::{Client, ClientBuilder, Locator, elements::Element, key::Key};
use hyper_util::client::legacy::connect::HttpConnector;

const DRIVER_PORT: u16 = 4444;

/// tauri-driver, stopped with SIGTERM so it takes WebKitWebDriver down with it.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

async fn wait_for(client: &Client, css: &str) -> Result<Element> {
    client
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))
}

async fn wait_for_text(client: &Client, css: &str, expected: &str) -> Result<()> {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < Duration::from_secs(30) {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            last = element.text().await.unwrap_or_default();
            if last.contains(expected) {
                return Ok(());
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{css} shows {last:?}, expected it to contain {expected:?}")
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn a_registrar_loads_the_demo_finds_a_person_by_iin_and_switches_language() -> Result<()> {
    let app = PathBuf::from(env!("CARGO_BIN_EXE_emhana"));
    let data = tempfile::tempdir()?;
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    std::fs::create_dir_all(&artifacts)?;

    let _driver = Driver(
        Command::new("tauri-driver")
            .arg("--port")
            .arg(DRIVER_PORT.to_string())
            .env("EMHANA_DATA_DIR", data.path())
            .spawn()
            .context("starting tauri-driver (cargo install tauri-driver --version '^2')")?,
    );
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), "wry".into());
    capabilities.insert("tauri:options".into(), serde_json::json!({ "application": app }));
    let started = Instant::now();
    let client = loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities.clone())
            .connect(&format!("http://127.0.0.1:{DRIVER_PORT}"))
            .await
        {
            Ok(client) => break client,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            Err(error) => return Err(error).context("connecting to tauri-driver"),
        }
    };

    let result = async {
        // First start on an empty database: the app offers the demo clinic.
        wait_for(&client, "#load-demo").await?.click().await?;
        let search = wait_for(&client, "#search").await?;

        // Pick a demo person straight from the database the app wrote.
        let (workstation, _) = Workstation::open(&data.path().join("emhana.sqlite")).await?;
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
        Ok::<_, anyhow::Error>(())
    }
    .await;
    if result.is_err()
        && let Ok(png) = client.screenshot().await
    {
        let _ = std::fs::write(artifacts.join("e2e-failure.png"), png);
    }
    client.close().await?;
    result?;

    // The language choice is remembered in the database.
    let (workstation, _) = Workstation::open(&data.path().join("emhana.sqlite")).await?;
    assert_eq!(
        workstation.language().await?,
        Some(emhana_workstation::Language::Ru)
    );
    Ok(())
}
