//! Keeping a person's data current (issue 21): a new address made at one
//! PC reaches the clinic's other PC through the registry, with its history;
//! of two phone changes made offline, the newer stands wherever it arrives;
//! a document, a workplace, a temporary address and a household link travel
//! the same way, as the person's details in force.

use emhana_domain::registration::{DocumentKind, IdentityDocument, PersonChange, Relation};
use emhana_domain::{Address, Sex, StaffRole};
use emhana_workstation::{FormError, StoreError};

use super::*;

/// A region's registry and two PCs of its first clinic, both synced.
struct TwoPcs {
    region: Region,
    desk: emhana_workstation::Workstation,
    desk_sync: SyncEngine<HttpTransport>,
    other: emhana_workstation::Workstation,
    other_sync: SyncEngine<HttpTransport>,
    // the PCs' files live as long as the test
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

impl TwoPcs {
    async fn start(now: chrono::DateTime<chrono::Utc>) -> Result<TwoPcs> {
        let region = Region::start(300, now).await?;
        let dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
        let (desk, desk_credential) = region.workstation(dirs.0.path(), 0).await?;
        let (other, other_credential) = region.workstation(dirs.1.path(), 0).await?;
        let desk_sync = region.engine(&desk, &desk_credential, small_pages())?;
        let other_sync = region.engine(&other, &other_credential, small_pages())?;
        sync_round(&desk_sync).await?;
        sync_round(&other_sync).await?;
        Ok(TwoPcs {
            region,
            desk,
            desk_sync,
            other,
            other_sync,
            _dirs: dirs,
        })
    }
}

#[tokio::test]
async fn an_address_changed_at_one_pc_is_on_the_clinics_other_pc_with_its_history() -> Result<()> {
    let now = kz(2026, 11, 20, 10);
    let clinic = TwoPcs::start(now).await?;
    let TwoPcs {
        region,
        desk,
        desk_sync,
        other,
        other_sync,
        ..
    } = &clinic;
    let today = now.date_naive();
    let id = one_attached_here(desk, now).await?;
    let iin = desk.person_card(id, today).await?.iin;

    let moved = Address {
        settlement: "Астана".into(),
        street: "Сарайшық көшесі".into(),
        house: "5".into(),
        apartment: Some("41".into()),
    };
    desk.change_person(
        id,
        &PersonChange::Address {
            address: moved.clone(),
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let card = desk.person_card(id, today).await?;
    assert_eq!(card.address.as_deref(), Some("Астана, Сарайшық көшесі, 5-41"));
    assert_eq!(card.changes.len(), 1);
    assert!(
        card.changes[0].by.is_some(),
        "changed here, by the head signed in"
    );

    sync_round(desk_sync).await?;
    assert_eq!(
        region
            .count(&format!(
                "SELECT count(*) FROM person_change c JOIN person p ON p.id = c.person_id \
                 WHERE p.iin = '{iin}' AND c.field = 'address' AND c.actor_iin IS NOT NULL"
            ))
            .await?,
        1,
        "the registry keeps the change with its author"
    );
    sync_round(other_sync).await?;
    let other_id = other
        .person_ids(std::slice::from_ref(&iin))
        .await?
        .get(&iin)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the person at the other PC"))?;
    let seen = other.person_card(other_id, today).await?;
    assert_eq!(seen.address.as_deref(), Some("Астана, Сарайшық көшесі, 5-41"));
    assert_eq!(seen.changes.len(), 1);
    assert_eq!(seen.changes[0].by, None, "it came from the registry");
    assert_eq!(
        seen.changes[0].after.as_deref(),
        Some("Астана, Сарайшық көшесі, 5-41")
    );

    // Two phone changes made offline: the newer one stands, whichever arrives first.
    let earlier = now + chrono::TimeDelta::minutes(10);
    let later = now + chrono::TimeDelta::minutes(20);
    other
        .change_person(
            other_id,
            &PersonChange::Phone {
                phone: Some("+7 701 111 11 11".into()),
            },
            earlier,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    desk.change_person(
        id,
        &PersonChange::Phone {
            phone: Some("8 (702) 222-22-22".into()),
        },
        later,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    region.set_now(later + chrono::TimeDelta::minutes(1));
    sync_round(desk_sync).await?;
    sync_round(other_sync).await?;
    sync_round(desk_sync).await?;
    for (pc, person) in [(desk, id), (other, other_id)] {
        let card = pc.person_card(person, today).await?;
        assert_eq!(
            card.phone.as_deref(),
            Some("+7 702 222 22 22"),
            "the newer change on every PC"
        );
    }
    assert_eq!(
        region
            .text(&format!("SELECT phone FROM person WHERE iin = '{iin}'"))
            .await?,
        "7022222222"
    );

    // The phone removed at the desk: the other PC has none either, and says so in the history.
    let removed_at = later + chrono::TimeDelta::minutes(5);
    desk.change_person(
        id,
        &PersonChange::Phone {
            phone: Some("  ".into()),
        },
        removed_at,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    region.set_now(removed_at + chrono::TimeDelta::minutes(1));
    sync_round(desk_sync).await?;
    sync_round(other_sync).await?;
    let seen = other.person_card(other_id, today).await?;
    assert_eq!(seen.phone, None, "no phone at the other PC either");
    assert_eq!(seen.changes[0].field, "phone");
    assert_eq!(seen.changes[0].after, None);
    assert_eq!(seen.changes[0].before.as_deref(), Some("+7 702 222 22 22"));
    assert_eq!(
        region
            .count(&format!(
                "SELECT count(*) FROM person WHERE iin = '{iin}' AND phone IS NULL"
            ))
            .await?,
        1
    );

    // A bad phone is said at the field; a nurse does not change a person's data.
    let refused = desk
        .change_person(
            id,
            &PersonChange::Phone {
                phone: Some("12345".into()),
            },
            later,
        )
        .await;
    assert!(matches!(refused, Err(FormError::Fields { .. })), "{refused:?}");
    let nurse = emhana_synth::sign_in_as(desk, StaffRole::DistrictNurse, now).await?;
    let refused = nurse
        .change_person(
            id,
            &PersonChange::Phone {
                phone: Some("7011111111".into()),
            },
            later,
        )
        .await;
    assert!(
        matches!(refused, Err(FormError::Store(StoreError::NotAllowed { .. }))),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_document_workplace_temporary_address_and_guardian_reach_the_other_pc() -> Result<()> {
    let now = kz(2026, 11, 20, 10);
    let clinic = TwoPcs::start(now).await?;
    let TwoPcs {
        region,
        desk,
        desk_sync,
        other,
        other_sync,
        ..
    } = &clinic;
    let today = now.date_naive();
    let hits = attached_here(desk, now).await?;
    let (person, _) = hits
        .first()
        .ok_or_else(|| anyhow::anyhow!("a person attached here"))?;
    let (guardian, _) = hits
        .iter()
        .find(|(hit, _)| hit.id != person.id && hit.sex == Sex::Female)
        .ok_or_else(|| anyhow::anyhow!("a woman attached here"))?;
    let change = |change: PersonChange| {
        let desk = &desk;
        async move {
            desk.change_person(person.id, &change, now)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))
        }
    };
    let document = IdentityDocument {
        kind: DocumentKind::Passport,
        number: "N12345678".into(),
        issued_on: today,
    };
    change(PersonChange::Document {
        document: document.clone(),
    })
    .await?;
    change(PersonChange::Workplace {
        workplace: Some("ТОО «Береке»".into()),
    })
    .await?;
    change(PersonChange::TemporaryAddress {
        address: Some(Address {
            settlement: "Косшы".into(),
            street: "Республика".into(),
            house: "12".into(),
            apartment: None,
        }),
    })
    .await?;
    change(PersonChange::Relative {
        relation: Relation::Guardian,
        iin: Some(guardian.iin.clone()),
    })
    .await?;
    // saved again as it is: nothing changed, nothing kept or sent
    change(PersonChange::Workplace {
        workplace: Some(" ТОО  «Береке» ".into()),
    })
    .await?;
    let card = desk.person_card(person.id, today).await?;
    assert_eq!(card.details.document.as_ref(), Some(&document));
    assert_eq!(card.changes.len(), 4, "each change in the history, once");
    assert!(
        card.changes.iter().all(|entry| entry.by.is_some()),
        "changed here"
    );

    sync_round(desk_sync).await?;
    assert_eq!(
        region
            .count(&format!(
                "SELECT jsonb_array_length(details)::bigint FROM person WHERE iin = '{}'",
                person.iin
            ))
            .await?,
        4,
        "the registry holds the four details in force"
    );
    assert_eq!(
        region
            .count(&format!(
                "SELECT count(*) FROM person_change c JOIN person p ON p.id = c.person_id \
                 WHERE p.iin = '{}' AND c.actor_iin IS NOT NULL",
                person.iin
            ))
            .await?,
        4,
        "each with its author"
    );
    sync_round(other_sync).await?;
    let ids = other
        .person_ids(&[person.iin.clone(), guardian.iin.clone()])
        .await?;
    let other_id = *ids
        .get(&person.iin)
        .ok_or_else(|| anyhow::anyhow!("the person there"))?;
    let seen = other.person_card(other_id, today).await?;
    assert_eq!(seen.details.document.as_ref(), Some(&document));
    assert_eq!(seen.details.workplace.as_deref(), Some("ТОО «Береке»"));
    assert_eq!(
        seen.details.temporary_address.as_deref(),
        Some("Косшы, Республика, 12")
    );
    assert_eq!(seen.details.relatives.len(), 1);
    assert_eq!(seen.details.relatives[0].relation, Relation::Guardian);
    assert_eq!(seen.details.relatives[0].iin, guardian.iin);
    assert_eq!(Some(&seen.details.relatives[0].person_id), ids.get(&guardian.iin));
    assert_eq!(seen.changes.len(), 4);
    assert!(
        seen.changes.iter().all(|entry| entry.by.is_none()),
        "they came from the registry"
    );

    // The guardianship ends at the other PC; the desk sees it end.
    let later = now + chrono::TimeDelta::minutes(30);
    other
        .change_person(
            other_id,
            &PersonChange::Relative {
                relation: Relation::Guardian,
                iin: None,
            },
            later,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    region.set_now(later + chrono::TimeDelta::minutes(1));
    sync_round(other_sync).await?;
    sync_round(desk_sync).await?;
    let card = desk.person_card(person.id, today).await?;
    assert!(card.details.relatives.is_empty(), "{:?}", card.details.relatives);
    assert_eq!(card.changes[0].field, "guardian");
    assert_eq!(card.changes[0].after, None);
    assert_eq!(card.changes[0].by, None, "from the other PC");
    assert_eq!(
        card.details.workplace.as_deref(),
        Some("ТОО «Береке»"),
        "the rest stays"
    );

    // A woman named as the father is said at the field.
    let refused = desk
        .change_person(
            person.id,
            &PersonChange::Relative {
                relation: Relation::Father,
                iin: Some(guardian.iin.clone()),
            },
            later,
        )
        .await;
    assert!(
        matches!(&refused, Err(FormError::Fields { errors })
            if errors[0].problem == emhana_domain::registration::FieldProblem::FatherNotMale),
        "{refused:?}"
    );

    // A relative this PC does not hold is said at the field.
    let born = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).ok_or_else(|| anyhow::anyhow!("a date"))?;
    let stranger = (9000..9999)
        .filter_map(|serial| emhana_domain::Iin::compose(born, Sex::Male, serial))
        .map(|iin| iin.as_string())
        .next()
        .ok_or_else(|| anyhow::anyhow!("an IIN"))?;
    assert!(desk.person_ids(std::slice::from_ref(&stranger)).await?.is_empty());
    let refused = desk
        .change_person(
            person.id,
            &PersonChange::Relative {
                relation: Relation::Father,
                iin: Some(stranger),
            },
            later,
        )
        .await;
    assert!(matches!(refused, Err(FormError::Fields { .. })), "{refused:?}");
    Ok(())
}

#[tokio::test]
async fn what_a_registration_typed_goes_to_the_other_pc_with_the_first_attachment() -> Result<()> {
    let now = kz(2026, 11, 20, 10);
    let clinic = TwoPcs::start(now).await?;
    let TwoPcs {
        region,
        desk,
        desk_sync,
        other,
        other_sync,
        ..
    } = &clinic;
    let today = now.date_naive();
    let hits = attached_here(desk, now).await?;
    let (mother, _) = hits
        .iter()
        .find(|(hit, _)| hit.sex == Sex::Female && chrono::Datelike::year(&hit.birth_date) < 2000)
        .ok_or_else(|| anyhow::anyhow!("a woman attached here"))?;
    // a newborn registered with her mother, then attached
    let form = emhana_domain::registration::RegistrationForm {
        mother_iin: mother.iin.clone(),
        ..support::newborn(3)
    };
    let child = desk
        .register_person(&form, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    attach(desk, child, now).await?;
    sync_round(desk_sync).await?;
    sync_round(other_sync).await?;

    let ids = other.person_ids(std::slice::from_ref(&form.iin)).await?;
    let there = *ids
        .get(&form.iin)
        .ok_or_else(|| anyhow::anyhow!("the newborn at the other PC"))?;
    let seen = other.person_card(there, today).await?;
    let document = seen
        .details
        .document
        .ok_or_else(|| anyhow::anyhow!("her birth certificate"))?;
    assert_eq!(document.kind, DocumentKind::BirthCertificate);
    assert_eq!(document.number, "0012345");
    assert_eq!(seen.details.relatives.len(), 1, "{:?}", seen.details.relatives);
    assert_eq!(seen.details.relatives[0].relation, Relation::Mother);
    assert_eq!(seen.details.relatives[0].iin, mother.iin);
    assert!(
        seen.changes.is_empty(),
        "a registration's data, not changes: {:?}",
        seen.changes
    );
    // the registry keeps them as the registrar's, each once
    let sent = region
        .count(&format!(
            "SELECT count(*) FROM person_change c JOIN person p ON p.id = c.person_id \
             WHERE p.iin = '{}' AND c.actor_iin IS NOT NULL",
            form.iin
        ))
        .await?;
    assert_eq!(sent, 2, "the document and the mother");

    // A new PC's first sync reads the child before her mother (her mother
    // changed since, so she comes last), a page a person: the link waits
    // for the mother and is made when she arrives.
    desk.change_person(
        mother.id,
        &PersonChange::Workplace {
            workplace: Some("Школа №7".into()),
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    sync_round(desk_sync).await?;
    let new_dir = tempfile::tempdir()?;
    let (new_pc, new_credential) = region.workstation(new_dir.path(), 0).await?;
    let one_a_page = SyncSettings {
        pull_page: 1,
        ..small_pages()
    };
    sync_round(&region.engine(&new_pc, &new_credential, one_a_page)?).await?;
    let ids = new_pc.person_ids(&[form.iin.clone(), mother.iin.clone()]).await?;
    let child_there = *ids
        .get(&form.iin)
        .ok_or_else(|| anyhow::anyhow!("the child on the new PC"))?;
    let card = new_pc.person_card(child_there, today).await?;
    assert_eq!(card.details.relatives.len(), 1, "{:?}", card.details.relatives);
    assert_eq!(Some(&card.details.relatives[0].person_id), ids.get(&mother.iin));
    Ok(())
}
