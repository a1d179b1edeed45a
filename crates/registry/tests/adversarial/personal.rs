//! "Personal data by need": `GET /v1/persons/{iin}` gave anyone's name,
//! birth date, address, phone and death to any PC, unlogged and unthrottled.

use emhana_protocol::{LookupScope, PersonLookup};

use super::*;

#[tokio::test]
async fn a_look_up_gives_what_the_clinic_needs_names_who_asked_is_logged_and_is_rate_limited() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 23)).await?;
    let home = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    let mut with_phone = person(60);
    with_phone.phone = Some("7011234567".into());
    let op = home.attach(
        at(2026, 11, 20),
        with_phone,
        1,
        AttachmentGround::FirstAttachment,
        60,
    );
    assert!(applied(&home.push(&[op]).await?.results[0].outcome));
    let iin = person(60).iin.as_string();
    let actor = support::author();

    // the clinic's own person: all the registry holds
    let own: PersonLookup = home.lookup(&iin, &actor).await?.json().await?;
    assert_eq!(own.given, LookupScope::Full);
    assert_eq!(own.person.phone.as_deref(), Some("7011234567"));
    // someone another clinic serves: enough to attach them, no phone
    let theirs: PersonLookup = other.lookup(&iin, &actor).await?.json().await?;
    assert_eq!(theirs.given, LookupScope::ForAttachment);
    assert_eq!(theirs.person.phone, None);
    assert_eq!(theirs.person.surname, person(60).surname);

    // nobody named, or someone not on the clinic's staff: refused, and the refusal logged
    let anonymous = other
        .http
        .get(format!("{}/v1/persons/{iin}", other.base))
        .bearer_auth(&other.enrolment.credential)
        .send()
        .await?;
    assert_eq!(anonymous.status(), 400);
    let stranger = support::iin(777).as_string();
    assert_eq!(other.lookup(&iin, &stranger).await?.status(), 403);
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM person_lookup WHERE actor_iin = '{stranger}' AND answered = 'refused'"
            ))
            .await?,
        1
    );
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM person_lookup WHERE iin = '{iin}' AND actor_iin = '{actor}'"
            ))
            .await?,
        2,
        "each look-up logged with its PC and actor"
    );

    // a harvest: the PC is stopped at the minute's limit
    let mut statuses = Vec::new();
    for n in 0..emhana_protocol::MAX_LOOKUPS_PER_MINUTE {
        statuses.push(
            other
                .lookup(&person(100 + n as u32).iin.as_string(), &actor)
                .await?
                .status(),
        );
    }
    assert!(
        statuses.iter().any(|s| *s == 404),
        "unknown persons answered as such"
    );
    assert!(
        statuses.contains(&reqwest::StatusCode::TOO_MANY_REQUESTS),
        "stopped within the minute: {statuses:?}"
    );
    // the limit is the PC's: the home clinic's PC still looks up
    assert_eq!(home.lookup(&iin, &actor).await?.status(), 200);
    // a minute later, the harvesting PC may again
    registry.set_now(at(2026, 11, 23) + chrono::Duration::minutes(2));
    assert_eq!(other.lookup(&iin, &actor).await?.status(), 200);
    Ok(())
}
