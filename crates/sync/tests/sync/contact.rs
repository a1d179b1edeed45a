//! Keeping a person's data current (issue 21): a new address made at one
//! PC reaches the clinic's other PC through the registry, with its history;
//! of two phone changes made offline, the newer stands wherever it arrives.

use emhana_domain::registration::ContactChange;
use emhana_domain::{Address, StaffRole};
use emhana_workstation::{FormError, StoreError};

use super::*;

#[tokio::test]
async fn an_address_changed_at_one_pc_is_on_the_clinics_other_pc_with_its_history() -> Result<()> {
    let now = kz(2026, 11, 20, 10);
    let region = Region::start(300, now).await?;
    let (desk_dir, post_dir) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (desk, desk_credential) = region.workstation(desk_dir.path(), 0).await?;
    let (other, other_credential) = region.workstation(post_dir.path(), 0).await?;
    let desk_sync = region.engine(&desk, &desk_credential, small_pages())?;
    let other_sync = region.engine(&other, &other_credential, small_pages())?;
    sync_round(&desk_sync).await?;
    sync_round(&other_sync).await?;
    let today = now.date_naive();
    let id = one_attached_here(&desk, now).await?;
    let iin = desk.person_card(id, today).await?.iin;

    let moved = Address {
        settlement: "Астана".into(),
        street: "Сарайшық көшесі".into(),
        house: "5".into(),
        apartment: Some("41".into()),
    };
    desk.change_person_contact(
        id,
        &ContactChange::Address {
            address: moved.clone(),
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let card = desk.person_card(id, today).await?;
    assert_eq!(card.address.as_deref(), Some("Астана, Сарайшық көшесі, 5-41"));
    assert_eq!(card.contact_history.len(), 1);
    assert!(
        card.contact_history[0].by.is_some(),
        "changed here, by the head signed in"
    );

    sync_round(&desk_sync).await?;
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
    sync_round(&other_sync).await?;
    let other_id = other
        .person_ids(std::slice::from_ref(&iin))
        .await?
        .get(&iin)
        .copied()
        .ok_or_else(|| anyhow::anyhow!("the person at the other PC"))?;
    let seen = other.person_card(other_id, today).await?;
    assert_eq!(seen.address.as_deref(), Some("Астана, Сарайшық көшесі, 5-41"));
    assert_eq!(seen.contact_history.len(), 1);
    assert_eq!(seen.contact_history[0].by, None, "it came from the registry");
    assert_eq!(
        seen.contact_history[0].after.as_deref(),
        Some("Астана, Сарайшық көшесі, 5-41")
    );

    // Two phone changes made offline: the newer one stands, whichever arrives first.
    let earlier = now + chrono::TimeDelta::minutes(10);
    let later = now + chrono::TimeDelta::minutes(20);
    other
        .change_person_contact(
            other_id,
            &ContactChange::Phone {
                phone: "+7 701 111 11 11".into(),
            },
            earlier,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    desk.change_person_contact(
        id,
        &ContactChange::Phone {
            phone: "8 (702) 222-22-22".into(),
        },
        later,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    region.set_now(later + chrono::TimeDelta::minutes(1));
    sync_round(&desk_sync).await?;
    sync_round(&other_sync).await?;
    sync_round(&desk_sync).await?;
    for (pc, person) in [(&desk, id), (&other, other_id)] {
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

    // A bad phone is said at the field; a nurse does not change a person's data.
    let refused = desk
        .change_person_contact(
            id,
            &ContactChange::Phone {
                phone: "12345".into(),
            },
            later,
        )
        .await;
    assert!(matches!(refused, Err(FormError::Fields { .. })), "{refused:?}");
    let nurse = emhana_synth::sign_in_as(&desk, StaffRole::DistrictNurse, now).await?;
    let refused = nurse
        .change_person_contact(
            id,
            &ContactChange::Phone {
                phone: "7011111111".into(),
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
