//! End to end: the real built app in a real window, driven over WebDriver
//! (tauri-driver + WebKitWebDriver) under Xvfb, as a registrar would use it.
//!
//! Needs a display and tauri-driver; run by `scripts/test.sh` as
//! `xvfb-run cargo test --features custom-protocol --test e2e -- --ignored`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly, which is its job

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use emhana_workstation::Workstation;
use fantoccini::{Client, ClientBuilder, Locator, elements::Element, key::Key};
use hyper_util::client::legacy::connect::HttpConnector;

mod appointments;
mod attachment;
mod dates;
mod home_visits;
mod osms;
mod package;
mod posts;
mod setup;
mod shared;
mod start;
mod sync;

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

/// Clicks `target` until `shows` appears: a click that lands while the list
/// under it re-renders (the card reloads its bookings) is lost, as a person
/// would click again.
async fn click_until(client: &Client, target: &str, shows: &str) -> Result<Element> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(element) = client.find(Locator::Css(target)).await {
            // an element replaced under the click, or covered by what it opened, is tried again
            let _ = element.click().await;
        }
        match client
            .wait()
            .at_most(Duration::from_secs(5))
            .for_element(Locator::Css(shows))
            .await
        {
            Ok(found) => return Ok(found),
            Err(_) if Instant::now() < deadline => continue,
            Err(error) => {
                return Err(error).with_context(|| format!("clicking {target} until {shows} shows"));
            }
        }
    }
}

/// Chooses `value` in the select at `css` once the option is listed: the
/// options of a list the app loads (nurses, doctors) arrive after the select
/// itself, and a choice made before them fails.
async fn select_when_listed(client: &Client, css: &str, value: &str) -> Result<()> {
    wait_for(client, &format!("{css} option[value='{value}']")).await?;
    client
        .find(Locator::Css(css))
        .await?
        .select_by_value(value)
        .await?;
    Ok(())
}

/// Waits until the element at `css` has the focus, as a person looks where
/// the cursor is before she types: a key pressed before the form moved the
/// focus would land elsewhere.
async fn wait_for_focus(client: &Client, css: &str) -> Result<()> {
    let started = Instant::now();
    loop {
        let focused = client
            .execute(
                "return document.activeElement !== null && document.activeElement.matches(arguments[0]);",
                vec![serde_json::Value::String(css.to_owned())],
            )
            .await?;
        if focused.as_bool() == Some(true) {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(20),
            "{css} never had the focus"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the field at `css` holds `expected` as its value.
async fn wait_for_value(client: &Client, css: &str, expected: &str) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        let value = wait_for(client, css).await?.prop("value").await?;
        if value.as_deref() == Some(expected) {
            return Ok(());
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(10),
            "{css} holds {value:?}, not {expected:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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

/// The built app, a fresh data folder for it, and where screenshots go.
fn paths() -> Result<(PathBuf, tempfile::TempDir, PathBuf)> {
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    std::fs::create_dir_all(&artifacts)?;
    Ok((
        PathBuf::from(env!("CARGO_BIN_EXE_emhana")),
        tempfile::tempdir()?,
        artifacts,
    ))
}

/// The password these tests' registries set for the staff who sign in.
const STAFF_PASSWORD: &str = "Көктем-2026!";

/// The registry's administrator sets [`STAFF_PASSWORD`] for each of `iins`,
/// staff of `clinic`; their PCs take the accounts with their next sync.
async fn set_passwords(
    registry: &sqlx::PgPool,
    clinic: &emhana_domain::Bin,
    iins: &[emhana_domain::Iin],
) -> Result<()> {
    for iin in iins {
        emhana_registry::organization::set_password(
            registry,
            clinic,
            &iin.as_string(),
            STAFF_PASSWORD,
            chrono::Utc::now(),
        )
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    }
    Ok(())
}

/// `pc` acting as `iin`, signed in with [`STAFF_PASSWORD`] (its account came with a sync).
async fn acting_on(
    pc: &Workstation,
    iin: &emhana_domain::Iin,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Workstation> {
    let session = pc
        .sign_in(&iin.as_string(), STAFF_PASSWORD, now)
        .await
        .map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(pc.acting_as(session))
}

/// The IIN of the first member of `workstation`'s home staff with `role`,
/// as `emhana_synth::sign_in_as` picks them.
async fn staff_with_role(workstation: &Workstation, role: emhana_domain::StaffRole) -> Result<String> {
    workstation
        .organization()
        .await?
        .staff
        .into_iter()
        .find(|member| member.roles.contains(&role) && member.works_to.is_none())
        .map(|member| member.iin)
        .with_context(|| format!("a {role:?} on the staff"))
}

/// Whom to pick from the demo clinic's staff on its sign-in screen.
fn demo_role(role: &str) -> String {
    format!("[data-roles~={role}]")
}

fn demo_iin(iin: &str) -> String {
    format!("[data-iin='{iin}']")
}

/// Signs in at the demo clinic's sign-in screen as the first member of staff
/// `who` picks ([`demo_role`], [`demo_iin`]; the screen lists them, with the
/// demo's password), and waits for the window to show who is signed in.
async fn sign_in_demo(client: &Client, who: &str) -> Result<()> {
    wait_for(client, &format!("#demo-staff button{who}"))
        .await?
        .click()
        .await?;
    wait_for(client, "#sign-in-submit").await?.click().await?;
    wait_for(client, "#signed-in-user").await?;
    Ok(())
}

/// Signs in at the sign-in screen by IIN and password (a clinic's PC, whose
/// accounts came from its registry), and waits for the window to show who is.
async fn sign_in_with(client: &Client, iin: &str, password: &str) -> Result<()> {
    wait_for(client, "#sign-in-iin").await?.send_keys(iin).await?;
    enter_password(client, password).await?;
    wait_for(client, "#signed-in-user").await?;
    Ok(())
}

/// Types `password` on the sign-in or lock screen and submits it.
async fn enter_password(client: &Client, password: &str) -> Result<()> {
    wait_for(client, "#sign-in-password")
        .await?
        .send_keys(password)
        .await?;
    client
        .find(Locator::Css("#sign-in-submit"))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Locks the window, as one leaving her desk does, and opens the lock
/// screen's sign-in for another member of staff.
async fn lock_for_another(client: &Client) -> Result<()> {
    wait_for(client, "#lock-window").await?.click().await?;
    wait_for(client, "#sign-in[data-locked=true]").await?;
    wait_for(client, "#switch-user").await?.click().await?;
    wait_for(client, "#sign-in[data-locked=false]").await?;
    Ok(())
}

/// The window taken from the lock screen by another demo member of staff, `who`.
async fn switch_user_demo(client: &Client, who: &str) -> Result<()> {
    lock_for_another(client).await?;
    sign_in_demo(client, who).await
}

/// The window taken from the lock screen by `iin`, with `password`.
async fn take_window(client: &Client, iin: &str, password: &str) -> Result<()> {
    lock_for_another(client).await?;
    sign_in_with(client, iin, password).await
}

/// Starts tauri-driver with the app's environment (its data folder, its
/// clock) and opens a WebDriver session on the app.
async fn start_app(
    app: &std::path::Path,
    data: &std::path::Path,
    now: Option<&str>,
) -> Result<(Driver, Client)> {
    start_app_on(DRIVER_PORT, app, data, now).await
}

/// [`start_app`] with a driver on `port` (and its native WebDriver on the
/// next one), so two app windows run side by side.
async fn start_app_on(
    port: u16,
    app: &std::path::Path,
    data: &std::path::Path,
    now: Option<&str>,
) -> Result<(Driver, Client)> {
    let mut command = driver_command(port);
    command.env("EMHANA_DATA_DIR", data);
    if let Some(now) = now {
        command.env("EMHANA_NOW", now);
    }
    connect(port, command, app).await
}

/// tauri-driver on `port` with the environment every app under test gets.
fn driver_command(port: u16) -> Command {
    let mut command = Command::new("tauri-driver");
    command
        .arg("--port")
        .arg(port.to_string())
        .arg("--native-port")
        .arg((port + 1).to_string())
        // printing saves the PDF; no system viewer is opened under test
        .env("EMHANA_NO_VIEWER", "1")
        // rounds only at enrolment and on "sync now": the test decides who reaches the registry first
        .env("EMHANA_SYNC_INTERVAL_SECS", "3600")
        // a C locale, under which the platform's date input showed mm/dd/yyyy:
        // the app reads and writes dd.mm.yyyy whatever the OS says
        .env("LANG", "C")
        .env("LC_ALL", "C");
    command
}

/// Starts the driver `command` and opens a WebDriver session on `app`.
async fn connect(port: u16, mut command: Command, app: &Path) -> Result<(Driver, Client)> {
    let driver = Driver(
        command
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
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => break client,
            Err(_) if started.elapsed() < Duration::from_secs(20) => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            Err(error) => return Err(error).context("connecting to tauri-driver"),
        }
    };
    Ok((driver, client))
}

/// The central registry for the sync tests: a database of its own on the
/// throwaway PostgreSQL, seeded with the demo region, served on a local port
/// until `stop` (as a registry going down: idle connections closed too).
async fn start_registry(
    config: emhana_synth::SynthConfig,
) -> Result<(sqlx::PgPool, String, emhana_registry::testing::Served)> {
    start_registry_at(config, None).await
}

/// [`start_registry`] whose clock starts at `today` (a test that fixes the
/// app's day: the registry takes no op made longer ago than a PC may be
/// offline, so its clock must stand near the app's) and runs from there.
async fn start_registry_at(
    config: emhana_synth::SynthConfig,
    today: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(sqlx::PgPool, String, emhana_registry::testing::Served)> {
    let (pool, _) = emhana_registry::testing::fresh_database("e2e", 16).await?;
    emhana_synth::seed_registry(&pool, config, |_| {}).await?;
    let started = chrono::Utc::now();
    let clock: emhana_registry::Clock = match today {
        Some(today) => std::sync::Arc::new(move || today + (chrono::Utc::now() - started)),
        None => std::sync::Arc::new(chrono::Utc::now),
    };
    let served = emhana_registry::testing::serve(emhana_registry::AppState {
        pool: pool.clone(),
        clock,
        snapshots: None,
    })
    .await?;
    let base = served.base.clone();
    Ok((pool, base, served))
}

/// Another PC of the clinic `bin`, in this process beside the app:
/// `workstation` enrolled with a code the registry issues now, syncing over
/// HTTP with its own clock fixed at `at`.
async fn enrolled_beside(
    registry: &sqlx::PgPool,
    base: &str,
    bin: &str,
    name: &str,
    workstation: &Workstation,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<emhana_sync::SyncEngine<emhana_sync::HttpTransport>> {
    let (_, code) = emhana_registry::auth::add_workstation(registry, bin, name, chrono::Utc::now()).await?;
    let enrolment = emhana_sync::enrol(base, &code).await?;
    workstation.save_enrolment(base, &enrolment, at).await?;
    Ok(emhana_sync::SyncEngine::new(
        workstation.clone(),
        emhana_sync::HttpTransport::new(base, &enrolment.credential)?,
        std::sync::Arc::new(move || at),
        emhana_sync::SyncSettings::default(),
    ))
}

/// The key of the app's database in `data`, from the OS keyring of this
/// D-Bus session (the app's): the one kept there, or a new one kept there
/// now, as the app itself does at its first start.
async fn app_key(data: &Path) -> Result<emhana_workstation::DatabaseKey> {
    static STORE: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    let account = emhana_workstation::keyring_account(&data.join("emhana.sqlite"));
    tokio::task::spawn_blocking(move || -> Result<emhana_workstation::DatabaseKey> {
        if STORE.get().is_none() {
            keyring_core::set_default_store(zbus_secret_service_keyring_store::Store::new()?);
            let _ = STORE.set(());
        }
        let entry = keyring_core::Entry::new("emhana", &account)?;
        match entry.get_password() {
            Ok(stored) => Ok(emhana_workstation::DatabaseKey::from_hex(&stored)?),
            Err(keyring_core::Error::NoEntry) => {
                let key = emhana_workstation::DatabaseKey::generate()?;
                entry.set_password(&key.to_hex())?;
                Ok(key)
            }
            Err(error) => Err(error.into()),
        }
    })
    .await?
}

/// The app's database in `data` as the app opens it (encrypted with its
/// key from the keyring): seeded before the app starts, or read after.
async fn app_workstation(data: &Path) -> Result<(Workstation, emhana_workstation::OpenReport)> {
    let key = app_key(data).await?;
    Ok(Workstation::open_encrypted(&data.join("emhana.sqlite"), &key).await?)
}

/// The app's database, opened beside it as a second reader, to check what was written.
async fn app_database(data: &Path) -> Result<sqlx::SqlitePool> {
    let key = app_key(data).await?;
    let options = emhana_workstation::reader_options(&data.join("emhana.sqlite"), Some(&key));
    Ok(sqlx::SqlitePool::connect_with(options).await?)
}

/// Types `text` into the date field `css` (its text input), leaves it with
/// Tab, and returns what the field then shows.
async fn type_date(client: &Client, css: &str, text: &str) -> Result<String> {
    let field = client.find(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(&format!("{text}{}", Key::Tab)).await?;
    Ok(field.prop("value").await?.unwrap_or_default())
}

/// Demo persons attached to another clinic (the neighbour practice), found
/// through the workstation's own API as of `now`.
async fn attached_elsewhere(
    workstation: &Workstation,
    now: chrono::DateTime<chrono::Utc>,
    wanted: usize,
) -> Result<Vec<emhana_workstation::PersonHit>> {
    let mut found = Vec::new();
    for prefix in ["Ах", "Ба", "Жу", "Иван", "Ке", "Но", "Се", "Тұ", "Ом", "Ер"] {
        for hit in workstation.search(prefix, 50).await?.hits {
            let options = workstation.attachment_options(hit.id, now).await?;
            let adult = hit.birth_date < chrono::NaiveDate::from_ymd_opt(2000, 1, 1).context("date")?;
            if adult && options.current.as_ref().is_some_and(|c| !c.here) && options.suggestion.is_some() {
                found.push(hit);
                if found.len() == wanted {
                    return Ok(found);
                }
            }
        }
    }
    bail!("only {} demo persons attached elsewhere", found.len())
}

fn pdf_text(path: &std::path::Path) -> Result<String> {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()?;
    anyhow::ensure!(out.status.success(), "pdftotext failed on {}", path.display());
    let check = Command::new("qpdf").arg("--check").arg(path).output()?;
    anyhow::ensure!(
        check.status.success(),
        "qpdf --check failed on {}: {}",
        path.display(),
        String::from_utf8_lossy(&check.stdout)
    );
    Ok(String::from_utf8(out.stdout)?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" "))
}

/// The index of a select's chosen option (0: the "choose" line).
async fn selected_index(client: &Client, select: &Element) -> Result<i64> {
    let index = client
        .execute(
            "return arguments[0].selectedIndex;",
            vec![serde_json::to_value(select)?],
        )
        .await?;
    index.as_i64().context("selectedIndex")
}

/// In the app: open the person by IIN, fill the application with consent, decide, print.
/// Returns the outcome shown and the paths of the decision's and the consent's PDFs.
/// On the open attachment form: the ID card shown at the window (demo
/// persons have none on file) and the consent given. The registrar is who
/// signed in: the form does not ask.
async fn fill_application_papers(client: &Client) -> Result<()> {
    anyhow::ensure!(
        client
            .find(Locator::Css("#attachment-form [data-field=registrar]"))
            .await
            .is_err(),
        "the signed-in registrar is not chosen again on the form"
    );
    wait_for(client, "#attachment-form [data-field=document_kind]")
        .await?
        .select_by_value("id_card")
        .await?;
    let number = client
        .find(Locator::Css("#attachment-form [data-field=document_number]"))
        .await?;
    number.clear().await?;
    number.send_keys("045612378").await?;
    client
        .find(Locator::Css("#attachment-form [data-consent=given]"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn apply_in_the_app(client: &Client, iin: &str) -> Result<(String, PathBuf, PathBuf)> {
    let search = wait_for(client, "#search").await?;
    search.clear().await?;
    search.send_keys(iin).await?;
    wait_for_text(client, "#results .hit .iin", iin).await?;
    search.send_keys(&Key::Enter.to_string()).await?;
    wait_for(client, "#attach").await?.click().await?;
    // Deciding before the document and the consent are recorded: stopped at the fields.
    wait_for(client, "#attach-submit").await?.click().await?;
    wait_for_text(client, "[data-problem=document_kind]", "толтырыңыз").await?;
    wait_for_text(client, "[data-problem=consent]", "толтырыңыз").await?;
    fill_application_papers(client).await?;
    // ground: the form proposes free choice for a person attached elsewhere
    let ground = wait_for(client, "#attachment-form [data-field=ground]").await?;
    assert_eq!(ground.prop("value").await?.as_deref(), Some("free_choice"));
    client.find(Locator::Css("#attach-submit")).await?.click().await?;
    let outcome = wait_for(client, "#outcome").await?;
    let decided = outcome.attr("data-outcome").await?.context("data-outcome")?;
    let decision = print_and_wait(client, "#print-decision", &["-ticket.pdf", "-refusal.pdf"]).await?;
    let consent = print_and_wait(client, "#print-consent", &["-consent.pdf"]).await?;
    Ok((decided, decision, consent))
}

/// Clicks a print button and waits until the saved file's path, shown on the
/// screen, ends with one of `endings`.
async fn print_and_wait(client: &Client, button: &str, endings: &[&str]) -> Result<PathBuf> {
    client.find(Locator::Css(button)).await?.click().await?;
    let started = Instant::now();
    loop {
        if let Ok(printed) = client.find(Locator::Css("#printed")).await
            && let Some(path) = printed.attr("data-path").await?
            && endings.iter().any(|e| path.ends_with(e))
        {
            return Ok(PathBuf::from(path));
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(20),
            "{button} printed nothing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Ends a test's session with the window: a screenshot when the steps
/// failed (to see what the window showed), then the WebDriver session closed.
async fn finish(client: Client, failure_png: &Path, result: Result<()>) -> Result<()> {
    if result.is_err()
        && let Ok(png) = client.screenshot().await
    {
        let _ = std::fs::write(failure_png, png);
    }
    client.close().await?;
    result
}

/// Waits for an element whose `data-path` names a saved file and returns it.
async fn saved_path(client: &Client, css: &str) -> Result<PathBuf> {
    let started = Instant::now();
    loop {
        if let Ok(element) = client.find(Locator::Css(css)).await
            && let Some(path) = element.attr("data-path").await?
            && !path.is_empty()
        {
            return Ok(PathBuf::from(path));
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(20),
            "{css} shows no saved file"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn open_card(client: &Client, iin: &str) -> Result<()> {
    client
        .find(Locator::Css("[data-nav=registry_desk]"))
        .await?
        .click()
        .await?;
    // the desk keeps the last card open: back to the search
    if let Ok(back) = client.find(Locator::Css("#person-card .back")).await {
        back.click().await?;
    }
    let search = wait_for(client, "#search").await?;
    search.clear().await?;
    search.send_keys(iin).await?;
    wait_for_text(client, "#results .hit .iin", iin).await?;
    search.send_keys(&Key::Enter.to_string()).await?;
    wait_for(client, "#person-card #book-appointment").await?;
    Ok(())
}
