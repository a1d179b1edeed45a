//! The person look-up at registration against the registry standing in for
//! the state person database (seed 002, process 3 and condition 1).

use emhana_domain::{Iin, Sex, StaffRole};
use emhana_workstation::{LookupAttached, LookupOutcome, LookupUnavailable, StoreError};

use super::*;

#[tokio::test]
async fn typing_an_iin_brings_the_state_databases_data_or_says_there_is_none() -> Result<()> {
    let now = kz(2026, 11, 20, 10);
    let region = Region::start(300, now).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    sync_round(&engine).await?;
    let registry = HttpTransport::new(&region.base, &credential)?;

    // someone attached to another clinic of the region: found, without a phone
    let home = region.clinic_bins()?.remove(0);
    let elsewhere = region
        .text(&format!(
            "SELECT p.iin FROM person p JOIN attachment a ON a.person_id = p.id AND a.ended_on IS NULL \
             JOIN clinic c ON c.id = a.clinic_id WHERE c.bin <> '{home}' ORDER BY p.iin LIMIT 1"
        ))
        .await?;
    let found = emhana_sync::lookup::look_up(&workstation, Some(&registry), &elsewhere).await?;
    let LookupOutcome::Found { person, attached, .. } = found else {
        anyhow::bail!("found, not {found:?}")
    };
    assert_eq!(person.iin.as_string(), elsewhere);
    assert_eq!(attached, LookupAttached::Elsewhere);
    assert_eq!(
        person.phone, None,
        "the phone is for the clinic that serves the person"
    );
    assert!(!person.surname.is_empty() && person.address.is_some());

    // one of the clinic's own: found as attached here
    let own = workstation
        .person_card(one_attached_here(&workstation, now).await?, now.date_naive())
        .await?;
    let found = emhana_sync::lookup::look_up(&workstation, Some(&registry), &own.iin).await?;
    assert!(
        matches!(&found, LookupOutcome::Found { attached: LookupAttached::Here, person, .. } if person.surname == own.surname),
        "{found:?}"
    );

    // a right IIN the state database does not hold: the seed's "no data in ГБД ФЛ"
    let unknown = (0..)
        .find_map(|serial| {
            Iin::compose(
                chrono::NaiveDate::from_ymd_opt(2026, 11, 1)?,
                Sex::Female,
                9_000 + serial,
            )
        })
        .ok_or_else(|| anyhow::anyhow!("an IIN"))?;
    let answer = emhana_sync::lookup::look_up(&workstation, Some(&registry), &unknown.as_string()).await?;
    assert_eq!(answer, LookupOutcome::NotFound);
    // and its refusal path: the registration of that IIN is refused with the seed's message
    let form = emhana_domain::registration::RegistrationForm {
        iin: unknown.as_string(),
        ..support::newborn(0)
    };
    let refused = workstation.register_person(&form, now).await;
    assert!(
        matches!(&refused, Err(emhana_workstation::FormError::Fields { errors })
            if errors.iter().any(|error| error.field == emhana_domain::registration::Field::Iin
                && error.problem == emhana_domain::registration::FieldProblem::NotInStateDatabase)),
        "{refused:?}"
    );

    // a wrong check digit never leaves the PC
    let mut wrong = unknown.as_string().into_bytes();
    wrong[11] = if wrong[11] == b'9' { b'0' } else { wrong[11] + 1 };
    let wrong = String::from_utf8(wrong)?;
    let refused = emhana_sync::lookup::look_up(&workstation, Some(&registry), &wrong).await;
    assert!(
        matches!(refused, Err(StoreError::InvalidIin { .. })),
        "{refused:?}"
    );
    assert_eq!(
        region
            .count(&format!(
                "SELECT count(*) FROM person_lookup WHERE iin = '{wrong}'"
            ))
            .await?,
        0
    );
    assert_eq!(
        region
            .count("SELECT count(*) FROM person_lookup WHERE what = 'person'")
            .await?,
        3,
        "the three look-ups that reached it, logged"
    );

    // out of reach, or no registry: the registrar types the data
    let unreachable = HttpTransport::new("http://127.0.0.1:9", &credential)?;
    assert_eq!(
        emhana_sync::lookup::look_up(&workstation, Some(&unreachable), &elsewhere).await?,
        LookupOutcome::Unavailable {
            reason: LookupUnavailable::Offline
        }
    );
    assert_eq!(
        emhana_sync::lookup::look_up(&workstation, None, &elsewhere).await?,
        LookupOutcome::Unavailable {
            reason: LookupUnavailable::NoRegistry
        }
    );
    // a district nurse does not register persons
    let nurse = emhana_synth::sign_in_as(&workstation, StaffRole::DistrictNurse, now).await?;
    assert!(matches!(
        emhana_sync::lookup::look_up(&nurse, Some(&registry), &elsewhere).await,
        Err(StoreError::NotAllowed { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn a_person_registered_without_the_state_database_is_unconfirmed_until_its_data_corrects_them()
-> Result<()> {
    let now = kz(2026, 11, 20, 10);
    let region = Region::start(300, now).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    sync_round(&engine).await?;
    let today = now.date_naive();

    // Offline, the registrar types a newborn's data: a letter of the surname wrong.
    let typed = support::newborn(1);
    let id = workstation
        .register_person(
            &emhana_domain::registration::RegistrationForm {
                surname: "Серикова".into(),
                ..typed.clone()
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    support::attach(&workstation, id, now).await?;
    sync_round(&engine).await?;
    let card = workstation.person_card(id, today).await?;
    assert!(
        card.unconfirmed,
        "the registry holds her as typed, not as the state does"
    );
    assert!(card.corrections.is_empty());
    assert_eq!(
        region
            .count(&format!(
                "SELECT count(*) FROM person WHERE iin = '{}' AND NOT from_state",
                typed.iin
            ))
            .await?,
        1
    );

    // The state database's data comes to the registry: it corrects her, and the PC is told.
    let state = emhana_domain::Person {
        iin: Iin::parse(&typed.iin)?,
        surname: "Серікова".into(),
        first_name: typed.first_name.clone(),
        patronymic: Some(typed.patronymic.clone()),
        birth_date: typed.birth_date.ok_or_else(|| anyhow::anyhow!("birth"))?,
        sex: Sex::Female,
        citizenship: emhana_domain::Citizenship::Citizen,
        address: typed.registered_address.clone(),
        phone: None,
    };
    emhana_registry::seed::load_population(
        &region.pool,
        &[emhana_registry::seed::PopulationRecord {
            person: state,
            attachment: None,
        }],
    )
    .await?;
    sync_round(&engine).await?;
    let card = workstation.person_card(id, today).await?;
    assert!(!card.unconfirmed);
    assert_eq!(card.surname, "Серікова");
    assert_eq!(card.corrections.len(), 1, "{:?}", card.corrections);
    let correction = &card.corrections[0];
    assert_eq!(
        (
            correction.field.as_str(),
            correction.typed.as_deref(),
            correction.registry.as_deref()
        ),
        ("surname", Some("Серикова"), Some("Серікова"))
    );
    // found by the state's spelling now
    assert!(
        workstation
            .search("Серікова", 10)
            .await?
            .hits
            .iter()
            .any(|hit| hit.id == id)
    );

    // Registered from the registry's answer, a person is confirmed at once.
    let registry = HttpTransport::new(&region.base, &credential)?;
    // someone of another clinic, whom this PC does not hold yet
    let home = region.clinic_bins()?.remove(0);
    let known = region
        .text(&format!(
            "SELECT p.iin FROM person p JOIN attachment a ON a.person_id = p.id AND a.ended_on IS NULL \
             JOIN clinic c ON c.id = a.clinic_id WHERE c.bin <> '{home}' AND p.from_state ORDER BY p.iin LIMIT 1"
        ))
        .await?;
    let LookupOutcome::Found { person, .. } =
        emhana_sync::lookup::look_up(&workstation, Some(&registry), &known).await?
    else {
        anyhow::bail!("found")
    };
    let birth = person.birth_date;
    let adult = emhana_domain::age_on(birth, today).is_some_and(|age| age >= 16);
    let id = workstation
        .register_person(
            &emhana_domain::registration::RegistrationForm {
                iin: known.clone(),
                surname: person.surname.clone(),
                first_name: person.first_name.clone(),
                patronymic: person.patronymic.clone().unwrap_or_default(),
                birth_date: Some(birth),
                sex: Some(person.sex),
                citizenship: Some(person.citizenship),
                document_kind: Some(if adult {
                    emhana_domain::registration::DocumentKind::IdCard
                } else {
                    emhana_domain::registration::DocumentKind::BirthCertificate
                }),
                registered_address: person.address.clone(),
                ..typed
            },
            now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert!(!workstation.person_card(id, today).await?.unconfirmed);
    Ok(())
}
