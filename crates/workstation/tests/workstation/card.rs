use emhana_domain::Sex;
use emhana_workstation::StoreError;

use crate::fixture::{date, loaded};

#[tokio::test]
async fn the_card_shows_age_address_phone_and_household() {
    let (_dir, workstation) = loaded().await;
    let hit = workstation
        .search("780322300458", 1)
        .await
        .unwrap()
        .hits
        .remove(0);
    let card = workstation.person_card(hit.id, date(2026, 11, 23)).await.unwrap();
    assert_eq!(card.full_name, "Әлібеков Қайрат Серікұлы");
    assert_eq!(card.birth_date, date(1978, 3, 22));
    assert_eq!(card.age, Some(48));
    assert_eq!(card.sex, Sex::Male);
    assert_eq!(card.address.as_deref(), Some("Астана, Абай даңғылы, 12-5"));
    assert_eq!(card.phone.as_deref(), Some("+7 701 234 56 78"));
    assert!(card.iin_agrees);
    let household: Vec<(&str, Option<u32>)> = card
        .household
        .iter()
        .map(|m| (m.full_name.as_str(), m.age))
        .collect();
    assert_eq!(
        household,
        [
            ("Әлібекова Айгерім Болатқызы", Some(45)),
            ("Әлібеков Нұрсұлтан Қайратұлы", Some(6))
        ],
        "the other members, oldest first; the 29 February child is 6 on 23 November 2026"
    );
}

#[tokio::test]
async fn a_card_that_does_not_exist_is_a_typed_error() {
    let (_dir, workstation) = loaded().await;
    let error = workstation
        .person_card(999_999, date(2026, 11, 23))
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::PersonNotFound { id: 999_999 }),
        "got {error:?}"
    );
}
