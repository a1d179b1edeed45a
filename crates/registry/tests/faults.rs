//! Faults between a workstation and the registry: a change committed late, a
//! first sync in pages, a response lost after commit, the registry killed
//! mid-push; and the binary serving over TLS.

mod support;

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, Result};
use emhana_domain::attachment::AttachmentGround;
use emhana_protocol::{Change, OpOutcome};
use support::{TestRegistry, at, person};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Attaches persons `range` to clinic 0 with direct SQL, each in its own
/// transaction as the registry would, bypassing HTTP for speed.
async fn attach_directly(registry: &TestRegistry, range: std::ops::Range<u32>) -> Result<()> {
    let client = registry.enrolled(0).await?;
    let ops: Vec<_> = range
        .map(|n| {
            client.attach(
                at(2026, 11, 2),
                person(n),
                1,
                AttachmentGround::FirstAttachment,
                n,
            )
        })
        .collect();
    for chunk in ops.chunks(500) {
        let answer = client.push(chunk).await?;
        anyhow::ensure!(answer.results.iter().all(|r| r.outcome == OpOutcome::Applied));
    }
    Ok(())
}

#[tokio::test]
async fn a_change_committed_late_is_read_after_the_cursor_not_skipped() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    attach_directly(&registry, 1..3).await?;
    let client = registry.enrolled(0).await?;
    let start = client.pull(None, 100, false).await?;
    assert_eq!(start.changes.len(), 2);
    let clinic = registry.clinics[0].0;
    let touch = "UPDATE scope_change SET xid = pg_current_xact_id(), seq = nextval('scope_change_seq') \
                 WHERE clinic_id = $1 AND person_id = (SELECT id FROM person WHERE iin = $2)";

    // T1 takes its transaction id first and its feed number last; T2 commits
    // in between. A plain "seq > cursor" would hand out T2's change, move the
    // cursor past T1's number, and lose T1's change for ever.
    let mut early = registry.pool.begin().await?;
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *early)
        .await?;
    let mut late = registry.pool.begin().await?;
    sqlx::query(touch)
        .bind(clinic)
        .bind(person(2).iin.as_string())
        .execute(&mut *late)
        .await?;
    late.commit().await?;
    sqlx::query(touch)
        .bind(clinic)
        .bind(person(1).iin.as_string())
        .execute(&mut *early)
        .await?;

    let while_open = client.pull(Some(&start.cursor), 100, false).await?;
    assert!(
        while_open.changes.is_empty(),
        "nothing is read past a transaction still running: {while_open:?}"
    );
    assert_eq!(while_open.cursor, start.cursor);
    assert!(
        while_open.held_back,
        "the workstation is told the feed is not read to its end"
    );
    early.commit().await?;
    let after = client.pull(Some(&start.cursor), 100, false).await?;
    let iins: Vec<String> = after
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Person { person, .. } => Some(person.iin.as_string()),
            Change::Left { .. } | Change::Record { .. } => None,
        })
        .collect();
    assert_eq!(iins, [person(1).iin.as_string(), person(2).iin.as_string()]);
    Ok(())
}

#[tokio::test]
async fn a_first_sync_reads_in_pages_counts_down_and_resumes_from_any_cursor() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    attach_directly(&registry, 1..1201).await?;
    let client = registry.enrolled(0).await?;
    let mut cursor: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    let mut remaining = Vec::new();
    let mut middle = None;
    loop {
        let page = client.pull(cursor.as_deref(), 500, true).await?;
        for change in &page.changes {
            if let Change::Person { person, .. } = change {
                assert!(seen.insert(person.iin.as_string()), "each person once");
            }
        }
        remaining.push(page.remaining);
        cursor = Some(page.cursor.clone());
        if middle.is_none() {
            middle = cursor.clone();
        }
        if !page.more {
            break;
        }
    }
    assert_eq!(seen.len(), 1200);
    assert_eq!(remaining, [Some(700), Some(200), Some(0)]);
    // a workstation killed after storing the first page's cursor resumes there
    let resumed = client.pull(middle.as_deref(), 5000, false).await?;
    assert_eq!(resumed.changes.len(), 700);
    assert!(!resumed.more);
    Ok(())
}

/// Forwards one HTTP exchange to the registry and drops the answer: the
/// registry commits, the workstation hears nothing.
async fn lose_the_response(listener: tokio::net::TcpListener, upstream: String) -> Result<()> {
    let (mut client, _) = listener.accept().await?;
    let mut server = tokio::net::TcpStream::connect(upstream).await?;
    let mut request = vec![0u8; 1 << 20];
    let mut read = 0;
    // read the whole request: headers, then Content-Length bytes of body
    loop {
        let n = client.read(&mut request[read..]).await?;
        anyhow::ensure!(n > 0, "client closed early");
        read += n;
        let text = String::from_utf8_lossy(&request[..read]);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|line| {
                    line.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_owned())
                })
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            if read >= end + 4 + length {
                break;
            }
        }
    }
    server.write_all(&request[..read]).await?;
    let mut answer = [0u8; 4096];
    let n = server.read(&mut answer).await?;
    anyhow::ensure!(
        n > 0 && answer.starts_with(b"HTTP/1.1 200"),
        "the registry answered"
    );
    drop(client);
    Ok(())
}

#[tokio::test]
async fn a_response_lost_after_commit_is_retried_with_no_duplicates() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let mut client = registry.enrolled(0).await?;
    let ops: Vec<_> = (1..21)
        .map(|n| {
            client.attach(
                at(2026, 11, 2),
                person(n),
                1,
                AttachmentGround::FirstAttachment,
                n,
            )
        })
        .collect();
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let proxy_base = format!("http://{}", proxy.local_addr()?);
    let upstream = registry.base.trim_start_matches("http://").to_owned();
    let dropper = tokio::spawn(lose_the_response(proxy, upstream));
    let direct = std::mem::replace(&mut client.base, proxy_base);
    assert!(client.push(&ops).await.is_err(), "the workstation hears nothing");
    dropper.await??;
    assert_eq!(
        registry.count("SELECT count(*) FROM attachment").await?,
        20,
        "the registry did commit"
    );
    client.base = direct;
    let retry = client.push(&ops).await?;
    assert!(retry.results.iter().all(|r| r.outcome == OpOutcome::Applied));
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 20);
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 20);
    Ok(())
}

/// The registry binary serving on `port` over the test's database.
fn spawn_registry(registry: &TestRegistry, port: u16) -> Result<tokio::process::Child> {
    spawn_registry_with(registry, port, &[])
}

fn spawn_registry_with(
    registry: &TestRegistry,
    port: u16,
    env: &[(&str, &std::path::Path)],
) -> Result<tokio::process::Child> {
    let url = format!(
        "postgres://{}@localhost/{}?host={}",
        registry.options.get_username(),
        registry.options.get_database().context("database")?,
        registry.options.get_socket().context("socket")?.display()
    );
    Ok(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_emhana-registry"))
            .arg("serve")
            .env("EMHANA_REGISTRY_LISTEN", format!("127.0.0.1:{port}"))
            .env("EMHANA_REGISTRY_DATABASE_URL", url)
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(key, value)| (*key, value.as_os_str())))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()?,
    )
}

async fn wait_healthy(base: &str) -> Result<()> {
    for _ in 0..100 {
        if let Ok(response) = reqwest::get(format!("{base}/health")).await
            && response.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("the registry did not come up")
}

#[tokio::test]
async fn the_registry_killed_mid_push_is_retried_after_restart_with_each_op_applied_once() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let mut client = registry.enrolled(0).await?;
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
        probe.local_addr()?.port()
    };
    client.base = format!("http://127.0.0.1:{port}");
    let ops: Vec<_> = (1..501)
        .map(|n| {
            client.attach(
                chrono::Utc::now() - chrono::Duration::hours(1),
                person(n),
                1,
                AttachmentGround::FirstAttachment,
                n,
            )
        })
        .collect();

    let mut server = spawn_registry(&registry, port)?;
    wait_healthy(&client.base).await?;
    // The workstation sends its outbox in pushes of 25, one after another.
    let pushes = tokio::spawn({
        let http = client.http.clone();
        let url = format!("{}/v1/push", client.base);
        let credential = client.enrolment.credential.clone();
        let batches: Vec<_> = ops
            .chunks(25)
            .map(|chunk| serde_json::json!({ "ops": chunk }))
            .collect();
        async move {
            for body in batches {
                http.post(&url)
                    .bearer_auth(&credential)
                    .json(&body)
                    .send()
                    .await?
                    .error_for_status()?;
            }
            reqwest::Result::Ok(())
        }
    });
    // kill -9 once some pushes are committed and others are not
    let mut committed = 0;
    for _ in 0..2000 {
        committed = registry.count("SELECT count(*) FROM op_log").await?;
        if committed >= 100 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.start_kill()?;
    server.wait().await?;
    assert!(pushes.await?.is_err(), "the pushes died with the registry");
    let partial = registry.count("SELECT count(*) FROM attachment").await?;
    assert!(
        committed >= 100 && partial < 500,
        "killed mid-push: {partial} of 500 committed"
    );
    assert_eq!(partial % 25, 0, "a push commits whole or not at all: {partial}");
    assert_eq!(
        partial,
        registry.count("SELECT count(*) FROM op_log").await?,
        "each op's effect and answer commit together"
    );

    let _restarted = spawn_registry(&registry, port)?;
    wait_healthy(&client.base).await?;
    let retry = client.push(&ops).await?;
    assert_eq!(retry.results.len(), 500);
    assert!(retry.results.iter().all(|r| r.outcome == OpOutcome::Applied));
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 500);
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 500);
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[tokio::test]
async fn the_registry_binary_serves_over_tls_with_the_configured_certificate() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let client = registry.enrolled(0).await?;
    let dir = std::env::temp_dir().join(format!("emhana-tls-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let (certificate, key) = (dir.join("registry.crt"), dir.join("registry.key"));
    std::fs::write(&certificate, certified.cert.pem())?;
    std::fs::write(&key, certified.signing_key.serialize_pem())?;

    let port = free_port()?;
    let _server = spawn_registry_with(
        &registry,
        port,
        &[
            ("EMHANA_REGISTRY_TLS_CERTIFICATE", &certificate),
            ("EMHANA_REGISTRY_TLS_PRIVATE_KEY", &key),
        ],
    )?;
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(certified.cert.pem().as_bytes())?)
        .build()?;
    let base = format!("https://localhost:{port}");
    let mut healthy = false;
    for _ in 0..100 {
        if let Ok(response) = trusting.get(format!("{base}/health")).send().await
            && response.status().is_success()
        {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(healthy, "the registry answers over TLS");
    // an authenticated call works the same over TLS
    let feed = trusting
        .get(format!("{base}/v1/changes"))
        .bearer_auth(&client.enrolment.credential)
        .send()
        .await?;
    assert_eq!(feed.status(), reqwest::StatusCode::OK);
    // a client that does not trust the certificate is refused the handshake,
    // and plain HTTP gets no answer
    assert!(reqwest::get(format!("{base}/health")).await.is_err());
    assert!(
        reqwest::get(format!("http://127.0.0.1:{port}/health"))
            .await
            .is_err()
    );

    // a key that is not the certificate's: the start fails, naming the files
    let other = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()])?;
    let wrong_key = dir.join("other.key");
    std::fs::write(&wrong_key, other.signing_key.serialize_pem())?;
    let failed = spawn_registry_with(
        &registry,
        free_port()?,
        &[
            ("EMHANA_REGISTRY_TLS_CERTIFICATE", &certificate),
            ("EMHANA_REGISTRY_TLS_PRIVATE_KEY", &wrong_key),
        ],
    )?
    .wait_with_output()
    .await?;
    assert!(!failed.status.success());
    let message = String::from_utf8_lossy(&failed.stderr);
    assert!(
        message.contains("other.key") && message.contains("registry.crt"),
        "{message}"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[tokio::test]
async fn import_bundle_applies_a_posts_ops_file_and_writes_an_answers_file_it_can_open() -> Result<()> {
    use emhana_protocol::bundle::{AnswersBundle, BundleError, BundleKind, OpsBundle, SealedFile, seal};
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let dir = std::env::temp_dir().join(format!("emhana-bundle-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let url = format!(
        "postgres://{}@localhost/{}?host={}",
        registry.options.get_username(),
        registry.options.get_database().context("database")?,
        registry.options.get_socket().context("socket")?.display()
    );
    let registry_command = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_emhana-registry"))
            .args(args)
            .env("EMHANA_REGISTRY_LISTEN", "127.0.0.1:0")
            .env("EMHANA_REGISTRY_DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
    };
    // The administrator makes the registry's bundle key pair, once; the
    // private half goes to her file only.
    let key_file = dir.join("registry-bundle.key");
    let made = registry_command(&["bundle-key".as_ref(), "--out".as_ref(), key_file.as_os_str()])?;
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let again = registry_command(&["bundle-key".as_ref(), "--out".as_ref(), key_file.as_os_str()])?;
    assert!(!again.status.success(), "a key file is never overwritten unasked");
    let secret = emhana_protocol::bundle::BundleSecret::from_hex(&std::fs::read_to_string(&key_file)?)?;
    let public: String = sqlx::query_scalar("SELECT public_key FROM bundle_key")
        .fetch_one(&registry.pool)
        .await?;
    assert_eq!(
        public,
        secret.public_hex()?,
        "the registry keeps the public half, and only it"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&key_file)?.permissions().mode() & 0o077,
            0,
            "its owner's only"
        );
    }

    let client = registry.enrolled(0).await?;
    assert_eq!(
        client.enrolment.registry_bundle_key.as_deref(),
        Some(public.as_str())
    );
    let key = client
        .enrolment
        .bundle_secret
        .as_ref()
        .context("the post's bundle key")?
        .key_with(&public, client.enrolment.workstation)?;
    let ops: Vec<_> = (1..=3)
        .map(|n| {
            client.attach(
                at(2026, 11, 20),
                person(60 + n),
                1,
                AttachmentGround::FirstAttachment,
                n,
            )
        })
        .collect();
    let sealed = seal(
        BundleKind::Ops,
        client.enrolment.workstation,
        at(2026, 11, 22),
        &OpsBundle {
            ops,
            cursor: None,
            audit: None,
        },
        &key,
    )?;
    let (file, answers) = (dir.join("post.emhana"), dir.join("answers.emhana"));
    std::fs::write(&file, &sealed)?;
    let run = |input: &std::path::Path| {
        registry_command(&[
            "import-bundle".as_ref(),
            input.as_os_str(),
            "--answers".as_ref(),
            answers.as_os_str(),
            "--bundle-key".as_ref(),
            key_file.as_os_str(),
        ])
    };
    let output = run(&file)?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("3 ops applied, 0 rejected"), "{said}");
    let opened: AnswersBundle =
        SealedFile::read(&std::fs::read(&answers)?)?.open(BundleKind::Answers, &key)?;
    assert_eq!(opened.results.len(), 3);
    assert!(opened.results.iter().all(|r| r.outcome == OpOutcome::Applied));
    assert_eq!(registry.count("SELECT count(*) FROM attachment").await?, 3);

    // Not a bundle at all: refused with a reason, nothing written.
    let bad = dir.join("bad.emhana");
    std::fs::write(&bad, b"not a bundle at all")?;
    let output = run(&bad)?;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an Emhana bundle"));
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 3);
    // From a workstation the registry does not know: refused, saying so.
    let stranger = seal(
        BundleKind::Ops,
        uuid::Uuid::now_v7(),
        at(2026, 11, 22),
        &OpsBundle {
            ops: Vec::new(),
            cursor: None,
            audit: None,
        },
        &key,
    )?;
    let refused = emhana_registry::bundle::import(&registry.pool, &secret, &stranger, at(2026, 11, 23))
        .await
        .err()
        .map(|error| error.to_string())
        .unwrap_or_default();
    assert!(refused.contains("not enrolled here"), "{refused}");
    // Sealed with another registry's key (a key file of somewhere else, or
    // made up): refused whole, nothing applied.
    let elsewhere = emhana_protocol::bundle::BundleSecret::generate()?;
    let forged = seal(
        BundleKind::Ops,
        client.enrolment.workstation,
        at(2026, 11, 22),
        &OpsBundle {
            ops: vec![client.attach(
                at(2026, 11, 20),
                person(70),
                1,
                AttachmentGround::FirstAttachment,
                9,
            )],
            cursor: None,
            audit: None,
        },
        &elsewhere.key_with(
            &client
                .enrolment
                .bundle_secret
                .as_ref()
                .context("key")?
                .public_hex()?,
            client.enrolment.workstation,
        )?,
    )?;
    let refused = emhana_registry::bundle::import(&registry.pool, &secret, &forged, at(2026, 11, 23)).await;
    assert!(
        matches!(
            refused,
            Err(emhana_registry::RegistryError::Bundle(BundleError::BadSeal))
        ),
        "{refused:?}"
    );
    assert_eq!(registry.count("SELECT count(*) FROM op_log").await?, 3);

    // The post's audit head rides in its files: taken from the first, and a
    // later file whose log no longer leads through it raises an alarm that
    // `audit-alarms` lists; a malformed head is answered with none.
    let link = |seq: i64, digit: char| emhana_protocol::AuditLink {
        seq,
        hash: digit.to_string().repeat(64),
    };
    let carrying = |audit: emhana_protocol::AuditHeadReport, day: u32| {
        seal(
            BundleKind::Ops,
            client.enrolment.workstation,
            at(2026, 11, day),
            &OpsBundle {
                ops: Vec::new(),
                cursor: None,
                audit: Some(audit),
            },
            &key,
        )
    };
    let answer = |sealed: &[u8]| -> Result<Option<emhana_protocol::AuditHeadAnswer>> {
        let opened: AnswersBundle = SealedFile::read(sealed)?.open(BundleKind::Answers, &key)?;
        Ok(opened.audit)
    };
    let first = carrying(
        emhana_protocol::AuditHeadReport {
            head: link(5, 'a'),
            at_held: None,
        },
        24,
    )?;
    let (sealed, _) =
        emhana_registry::bundle::import(&registry.pool, &secret, &first, at(2026, 11, 24)).await?;
    assert_eq!(answer(&sealed)?.map(|a| a.matches), Some(true));
    let rewritten = carrying(
        emhana_protocol::AuditHeadReport {
            head: link(9, 'c'),
            at_held: Some(link(5, 'b')),
        },
        25,
    )?;
    let (sealed, _) =
        emhana_registry::bundle::import(&registry.pool, &secret, &rewritten, at(2026, 11, 25)).await?;
    assert_eq!(
        answer(&sealed)?,
        Some(emhana_protocol::AuditHeadAnswer {
            held: link(5, 'a'),
            matches: false
        })
    );
    let malformed = carrying(
        emhana_protocol::AuditHeadReport {
            head: link(10, 'z'),
            at_held: None,
        },
        26,
    )?;
    let (sealed, _) =
        emhana_registry::bundle::import(&registry.pool, &secret, &malformed, at(2026, 11, 26)).await?;
    assert_eq!(answer(&sealed)?, None);
    let listed = registry_command(&["audit-alarms".as_ref()])?;
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let said = String::from_utf8_lossy(&listed.stdout);
    assert!(
        said.contains(&client.enrolment.workstation.to_string())
            && said.contains("row 5 held here is changed in its log (its head was row 9)"),
        "{said}"
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The administrator's commands, as a script runs them: a clinic, a district,
/// a staff file with bad lines refused with each line named and nothing
/// written, then the corrected file imported.
#[tokio::test]
async fn the_organization_commands_set_up_a_clinic_and_refuse_a_bad_file_line_by_line() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 12, 2)).await?;
    let dir = std::env::temp_dir().join(format!("emhana-org-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir)?;
    let url = format!(
        "postgres://{}@localhost/{}?host={}",
        registry.options.get_username(),
        registry.options.get_database().context("database")?,
        registry.options.get_socket().context("socket")?.display()
    );
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_emhana-registry"))
            .args(args)
            .env("EMHANA_REGISTRY_LISTEN", "127.0.0.1:0")
            .env("EMHANA_REGISTRY_DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()
    };
    let bin = support::bin(7);
    let ok = |output: std::process::Output| -> Result<String> {
        anyhow::ensure!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    ok(run(&[
        "set-clinic",
        "--bin",
        &bin,
        "--kind",
        "polyclinic",
        "--name-kk",
        "№ 9 қалалық емхана",
        "--name-ru",
        "Городская поликлиника № 9",
        "--region",
        "Астана",
    ])?)?;
    ok(run(&[
        "set-district",
        "--clinic",
        &bin,
        "--number",
        "1",
        "--kind",
        "therapeutic",
    ])?)?;
    // an unknown kind is refused by the command itself
    let output = run(&[
        "set-district",
        "--clinic",
        &bin,
        "--number",
        "2",
        "--kind",
        "surgical",
    ])?;
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("therapeutic, pediatric or general_practice"));

    let (a, b, c) = (
        support::iin(40).as_string(),
        support::iin(41).as_string(),
        support::iin(42).as_string(),
    );
    let bad = dir.join("staff-bad.csv");
    std::fs::write(
        &bad,
        format!(
            "clinic_bin;iin;surname;first_name;roles;districts\n{bin};{a};Омарова;Гүлнар;district_doctor;1\n\
             {bin};{a};Омарова;Гүлнар;district_doctor;1\n{bin};{b};Бекова;Дана;surgeon;\n{bin};{c};Бекова;Дана;registrar;4\n"
        ),
    )?;
    let output = run(&["import-staff", bad.to_str().context("path")?])?;
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "3 problem(s), nothing written",
        "line 3: IIN",
        "line 4: unknown role \"surgeon\"",
        "line 5: district 4 is not a district of clinic",
    ] {
        assert!(said.contains(expected), "{expected:?} not in {said}");
    }
    assert_eq!(registry.count("SELECT count(*) FROM staff").await?, 0);

    let good = dir.join("staff.csv");
    std::fs::write(
        &good,
        format!(
            "clinic_bin,iin,surname,first_name,roles,districts\n{bin},{a},Омарова,Гүлнар,district_doctor head,1\n"
        ),
    )?;
    let said = ok(run(&["import-staff", good.to_str().context("path")?])?)?;
    assert!(said.contains("1 staff lines imported for 1 clinic(s)"), "{said}");
    let shown = ok(run(&["show-organization", "--clinic", &bin])?)?;
    let organization: emhana_protocol::Organization = serde_json::from_str(&shown)?;
    assert_eq!(organization.clinics[0].staff[0].roles.len(), 2);
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
