//! "Nothing can revoke or expire a PC's credential; a stolen PC keeps its
//! access": revoke, rotate, and a clinic's PCs listed with their last contact.

use super::*;

#[tokio::test]
async fn a_revoked_pc_is_refused_and_a_rotated_one_enrols_again_keeping_its_ops() -> Result<()> {
    let now = at(2026, 11, 23);
    let registry = TestRegistry::start(now).await?;
    let stolen = registry.enrolled(0).await?;
    let kept = registry.enrolled(0).await?;
    attached(&stolen, 50, at(2026, 11, 20)).await?;
    attached(&kept, 51, at(2026, 11, 20)).await?;
    let listed = emhana_registry::auth::workstations(&registry.pool, stolen.bin()).await?;
    assert_eq!(listed.len(), 2);
    assert!(
        listed.iter().all(|pc| pc.last_contact_at == Some(now)),
        "both reached the registry: {listed:?}"
    );

    // The stolen PC is revoked: refused from the next request on.
    emhana_registry::auth::revoke(&registry.pool, stolen.enrolment.workstation, now).await?;
    let refused = stolen.push_raw(&serde_json::json!({ "ops": [] })).await?;
    assert_eq!(refused.status(), 401);
    assert!(
        stolen.pull(None, 10, false).await.is_err(),
        "nor may it read the feed"
    );
    assert!(
        emhana_registry::auth::revoke(&registry.pool, stolen.enrolment.workstation, now)
            .await
            .is_err(),
        "revoked once"
    );

    // The other PC's credential may have been seen: rotated. Its old
    // credential is refused at once; an op made before waits in its outbox.
    let waiting = kept.attach(
        at(2026, 11, 22),
        person(52),
        1,
        AttachmentGround::FirstAttachment,
        52,
    );
    let code = emhana_registry::auth::rotate(&registry.pool, kept.enrolment.workstation, now).await?;
    assert_eq!(
        kept.push_raw(&serde_json::json!({ "ops": [] })).await?.status(),
        401
    );
    let response = kept
        .http
        .post(format!("{}/v1/enrol", registry.base))
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await?;
    assert!(response.status().is_success(), "{}", response.status());
    let enrolment: emhana_protocol::Enrolment = response.json().await?;
    assert_eq!(
        enrolment.workstation, kept.enrolment.workstation,
        "the same workstation"
    );
    assert_eq!(enrolment.series, kept.enrolment.series, "its number series too");
    let answer = kept
        .http
        .post(format!("{}/v1/push", registry.base))
        .bearer_auth(&enrolment.credential)
        .json(&emhana_protocol::PushRequest {
            ops: vec![serde_json::to_value(&waiting)?],
        })
        .send()
        .await?;
    assert!(answer.status().is_success(), "{}", answer.status());
    let answer: emhana_protocol::PushResponse = answer.json().await?;
    assert!(applied(&answer.results[0].outcome), "{:?}", answer.results[0]);

    let listed = emhana_registry::auth::workstations(&registry.pool, stolen.bin()).await?;
    let stolen_row = listed
        .iter()
        .find(|pc| pc.id == stolen.enrolment.workstation)
        .ok_or_else(|| anyhow::anyhow!("the stolen PC listed"))?;
    assert_eq!(stolen_row.revoked_at, Some(now));
    Ok(())
}

/// The administrator's commands, as she runs them: list, revoke, rotate.
#[tokio::test]
async fn the_administrator_lists_revokes_and_rotates_from_the_command_line() -> Result<()> {
    use anyhow::Context as _;
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let pc = registry.enrolled(0).await?;
    let url = format!(
        "postgres://{}@localhost/{}?host={}",
        registry.options.get_username(),
        registry.options.get_database().context("database")?,
        registry.options.get_socket().context("socket")?.display()
    );
    let run = |args: &[&str]| -> Result<String> {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_emhana-registry"))
            .args(args)
            .env("EMHANA_REGISTRY_LISTEN", "127.0.0.1:0")
            .env("EMHANA_REGISTRY_DATABASE_URL", &url)
            .env("RUST_LOG", "warn")
            .output()?;
        anyhow::ensure!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let id = pc.enrolment.workstation.to_string();
    pc.push(&[]).await?; // its first contact
    let listed = run(&["list-workstations", "--clinic", pc.bin()])?;
    assert!(
        listed.contains(&id) && listed.contains("enrolled; last contact 2026-11-23"),
        "{listed}"
    );
    let rotated = run(&["rotate-workstation", "--id", &id])?;
    assert!(rotated.contains("enrolment code"), "{rotated}");
    assert_eq!(
        pc.push_raw(&serde_json::json!({ "ops": [] })).await?.status(),
        401
    );
    assert!(run(&["list-workstations", "--clinic", pc.bin()])?.contains("enrolment code waiting"));
    let revoked = run(&["revoke-workstation", "--id", &id])?;
    assert!(revoked.contains("revoked"), "{revoked}");
    assert!(run(&["list-workstations", "--clinic", pc.bin()])?.contains("revoked 20"));
    assert!(run(&["revoke-workstation", "--id", &id]).is_err(), "revoked once");
    Ok(())
}
