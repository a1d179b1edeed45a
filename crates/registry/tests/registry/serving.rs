//! Health and the OpenAPI description, enrolment codes and credentials, bad requests.

use super::*;

#[tokio::test]
async fn health_and_the_openapi_description_are_served_and_every_documented_path_is_routed() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let http = reqwest::Client::new();
    let health = http.get(format!("{}/health", registry.base)).send().await?;
    assert_eq!(health.status(), 200);
    let description = http
        .get(format!("{}/openapi.yaml", registry.base))
        .send()
        .await?
        .text()
        .await?;
    assert_eq!(description, emhana_registry::OPENAPI);
    let paths: Vec<&str> = description
        .lines()
        .skip_while(|line| *line != "paths:")
        .filter_map(|line| line.strip_prefix("  /").and_then(|path| path.strip_suffix(':')))
        .collect();
    assert_eq!(paths.len(), 12, "documented paths: {paths:?}");
    for path in paths {
        let url = format!("{}/{}", registry.base, path.replace("{iin}", "123"));
        let get = http.get(&url).send().await?.status();
        let post = http.post(&url).send().await?.status();
        // A routed path answers something other than 404 to one of the two
        // methods (an unauthenticated request gets 401, a bad body 4xx).
        assert!(get != 404 || post != 404, "/{path} is documented but not routed");
    }
    Ok(())
}

#[tokio::test]
async fn an_enrolment_code_works_once_and_only_the_credential_it_gave_is_accepted() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let (_, code) = emhana_registry::auth::add_workstation(
        &registry.pool,
        &registry.clinics[0].1,
        "Тіркеу орны 1",
        at(2026, 11, 23),
    )
    .await?;
    let http = reqwest::Client::new();
    let enrol = |code: String| {
        let http = http.clone();
        let url = format!("{}/v1/enrol", registry.base);
        async move {
            http.post(url)
                .json(&serde_json::json!({ "code": code }))
                .send()
                .await
        }
    };
    // typed in lower case with spaces: still the code
    let first = enrol(code.to_lowercase().replace('-', " ")).await?;
    assert_eq!(first.status(), 200);
    let enrolment: emhana_protocol::Enrolment = first.json().await?;
    assert_eq!(enrolment.clinic_bin, registry.clinics[0].1);
    let again = enrol(code.clone()).await?;
    assert_eq!(again.status(), 403);
    assert_eq!(again.json::<ErrorBody>().await?.code, "bad_enrolment_code");

    let changes = format!("{}/v1/changes", registry.base);
    let ok = http
        .get(&changes)
        .bearer_auth(&enrolment.credential)
        .send()
        .await?;
    assert_eq!(ok.status(), 200);
    let (id, _) = enrolment.credential.split_once('.').unwrap_or_default();
    for wrong in [
        format!("{id}.not-the-secret"),
        "garbage".to_owned(),
        String::new(),
    ] {
        let refused = http.get(&changes).bearer_auth(wrong).send().await?;
        assert_eq!(refused.status(), 401);
        assert_eq!(refused.json::<ErrorBody>().await?.code, "unauthorized");
    }
    assert_eq!(http.get(&changes).send().await?.status(), 401);

    // the clinic's first workstation numbers in series 1
    assert_eq!(enrolment.series, 1);

    // a code not used within its lifetime is dead
    let (_, late) = emhana_registry::auth::add_workstation(
        &registry.pool,
        &registry.clinics[0].1,
        "Тіркеу орны 2",
        at(2026, 11, 1),
    )
    .await?;
    assert_eq!(enrol(late).await?.status(), 403);
    Ok(())
}

#[tokio::test]
async fn a_bad_request_gets_a_clear_4xx_and_nothing_is_written() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let client = registry.enrolled(0).await?;
    let stranger = registry.enrolled(1).await?;
    let written = || registry.count("SELECT (SELECT count(*) FROM op_log) + (SELECT count(*) FROM person)");

    // not JSON
    let response = client
        .http
        .post(format!("{}/v1/push", client.base))
        .bearer_auth(&client.enrolment.credential)
        .header("content-type", "application/json")
        .body("{\"ops\": [")
        .send()
        .await?;
    assert_eq!(response.status(), 400);
    assert_eq!(response.json::<ErrorBody>().await?.code, "malformed");

    // larger than the registry reads, sent compressed (a small body that inflates)
    let big =
        serde_json::json!({ "ops": [{ "id": uuid::Uuid::now_v7(), "pad": "x".repeat(5 * 1024 * 1024) }] });
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(serde_json::to_string(&big)?.as_bytes())?;
    let compressed = gzip.finish()?;
    assert!(compressed.len() < 100_000);
    let response = client
        .http
        .post(format!("{}/v1/push", client.base))
        .bearer_auth(&client.enrolment.credential)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(compressed)
        .send()
        .await?;
    assert_eq!(response.status(), 413);
    assert_eq!(response.json::<ErrorBody>().await?.code, "too_large");

    // an op without an id refuses the whole push
    let good = client.attach(
        at(2026, 11, 20),
        person(41),
        1,
        AttachmentGround::FirstAttachment,
        1,
    );
    let response = client
        .push_raw(&serde_json::json!({ "ops": [serde_json::to_value(&good)?, { "kind": "attach" }] }))
        .await?;
    assert_eq!(response.status(), 400);

    // an op of another clinic refuses the whole push
    let foreign = stranger.attach(
        at(2026, 11, 20),
        person(42),
        1,
        AttachmentGround::FirstAttachment,
        1,
    );
    let response = client
        .push_raw(
            &serde_json::json!({ "ops": [serde_json::to_value(&good)?, serde_json::to_value(&foreign)?] }),
        )
        .await?;
    assert_eq!(response.status(), 403);
    assert_eq!(response.json::<ErrorBody>().await?.code, "forbidden");
    let mut scoped = foreign.clone();
    scoped.workstation = client.enrolment.workstation; // claims to be ours, names the other clinic
    let response = client
        .push_raw(&serde_json::json!({ "ops": [serde_json::to_value(&scoped)?] }))
        .await?;
    assert_eq!(response.status(), 403);
    assert_eq!(written().await?, 0, "nothing written by refused requests");

    // one unreadable op is rejected alone; the good one beside it applies
    let mut broken = serde_json::to_value(client.attach(
        at(2026, 11, 20),
        person(43),
        1,
        AttachmentGround::FirstAttachment,
        2,
    ))?;
    broken["body"]["person"]["iin"] = serde_json::json!("123456789012");
    let response = client
        .push_raw(&serde_json::json!({ "ops": [broken, serde_json::to_value(&good)?] }))
        .await?;
    assert_eq!(response.status(), 200);
    let answer: emhana_protocol::PushResponse = response.json().await?;
    assert!(
        matches!(&answer.results[0].outcome, OpOutcome::Rejected { ground: RejectGround::Malformed { detail } } if detail.contains("IIN") || detail.contains("iin") || detail.contains("check")),
        "{:?}",
        answer.results[0]
    );
    assert!(applied(&answer.results[1].outcome));

    // a push compressed by the client is read
    let gz_op = client.attach(
        at(2026, 11, 21),
        person(44),
        1,
        AttachmentGround::FirstAttachment,
        3,
    );
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gzip.write_all(serde_json::to_string(&serde_json::json!({ "ops": [gz_op] }))?.as_bytes())?;
    let response = client
        .http
        .post(format!("{}/v1/push", client.base))
        .bearer_auth(&client.enrolment.credential)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(gzip.finish()?)
        .send()
        .await?;
    assert_eq!(response.status(), 200);

    // an op dated beyond the registry's clock is refused
    let future = client.attach(
        at(2026, 11, 30),
        person(45),
        1,
        AttachmentGround::FirstAttachment,
        4,
    );
    assert_eq!(
        client.push(&[future]).await?.results[0].outcome,
        OpOutcome::Rejected {
            ground: RejectGround::MadeInFuture
        }
    );
    Ok(())
}

/// Several windows of a clinic enrolling at once each get a series of their
/// own (its numbers never collide with another's); each clinic counts apart.
#[tokio::test]
async fn each_workstation_of_a_clinic_numbers_in_a_series_of_its_own() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let mut codes = Vec::new();
    for (clinic, name) in [
        (0, "Тіркеу орны 1"),
        (0, "Тіркеу орны 2"),
        (0, "Мейірбике"),
        (1, "Тіркеу орны"),
    ] {
        let (_, code) = emhana_registry::auth::add_workstation(
            &registry.pool,
            &registry.clinics[clinic].1,
            name,
            at(2026, 11, 23),
        )
        .await?;
        codes.push((clinic, code));
    }
    let tasks: Vec<_> = codes
        .into_iter()
        .map(|(clinic, code)| {
            let pool = registry.pool.clone();
            tokio::spawn(async move {
                emhana_registry::auth::enrol(&pool, &code, None, at(2026, 11, 23))
                    .await
                    .map(|enrolment| (clinic, enrolment.series))
            })
        })
        .collect();
    let mut enrolled = Vec::new();
    for task in tasks {
        enrolled.push(task.await??);
    }
    let mut first: Vec<u32> = enrolled
        .iter()
        .filter(|(c, _)| *c == 0)
        .map(|(_, s)| *s)
        .collect();
    first.sort_unstable();
    assert_eq!(first, [1, 2, 3]);
    let second: Vec<u32> = enrolled
        .iter()
        .filter(|(c, _)| *c == 1)
        .map(|(_, s)| *s)
        .collect();
    assert_eq!(second, [1]);
    Ok(())
}
