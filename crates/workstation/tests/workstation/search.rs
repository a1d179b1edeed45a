use emhana_domain::IdentifierError;
use emhana_workstation::MatchKind;

use crate::fixture::loaded;

async fn names(text: &str) -> Vec<String> {
    let (_dir, workstation) = loaded().await;
    workstation
        .search(text, 20)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.full_name)
        .collect()
}

#[tokio::test]
async fn an_exact_iin_finds_its_person() {
    let (_dir, workstation) = loaded().await;
    let outcome = workstation.search("780322300458", 20).await.unwrap();
    assert_eq!(outcome.notice, None);
    assert_eq!(outcome.hits.len(), 1);
    assert_eq!(outcome.hits[0].full_name, "Әлібеков Қайрат Серікұлы");
    assert_eq!(outcome.hits[0].matched, MatchKind::Iin);
}

#[tokio::test]
async fn an_iin_with_a_wrong_check_digit_is_explained_not_searched() {
    let (_dir, workstation) = loaded().await;
    let outcome = workstation.search("780322300451", 20).await.unwrap();
    assert_eq!(
        outcome.notice,
        Some(IdentifierError::WrongCheckDigit {
            expected: 8,
            found: 1
        })
    );
    assert!(outcome.hits.is_empty());
}

#[tokio::test]
async fn kazakh_letters_are_found_by_russian_and_latin_spellings() {
    // Қайрат by his first name exactly, then his son by the patronymic Қайратұлы.
    for typed in ["кайрат", "Қайрат", "kairat", "КАЙРАТ"] {
        assert_eq!(
            names(typed).await,
            ["Әлібеков Қайрат Серікұлы", "Әлібеков Нұрсұлтан Қайратұлы"],
            "typed {typed:?}"
        );
    }
}

#[tokio::test]
async fn an_exact_word_ranks_before_longer_words_with_that_prefix() {
    // "алибек" is Ахметов's first name exactly, and the start of the Әлібеков surname.
    assert_eq!(
        names("алибек").await,
        [
            "Ахметов Әлібек Серікович",
            "Әлібеков Қайрат Серікұлы",
            "Әлібеков Нұрсұлтан Қайратұлы",
            "Әлібекова Айгерім Болатқызы",
        ]
    );
}

#[tokio::test]
async fn any_of_surname_name_and_patronymic_matches_by_prefix() {
    assert_eq!(names("ильи").await, ["Иванов Пётр Ильич"], "patronymic prefix");
    assert_eq!(names("петр").await, ["Иванов Пётр Ильич"], "ё is found by е");
    // Серікова by surname, Серікович and Серікұлы by patronymic, in word order
    assert_eq!(
        names("серік").await,
        [
            "Серікова Жанна",
            "Ахметов Әлібек Серікович",
            "Әлібеков Қайрат Серікұлы"
        ]
    );
}

#[tokio::test]
async fn several_words_narrow_the_search_in_any_order() {
    // in document order first, then whoever else has both words
    assert_eq!(
        names("әлібеков қай").await,
        ["Әлібеков Қайрат Серікұлы", "Әлібеков Нұрсұлтан Қайратұлы"]
    );
    assert_eq!(names("әлібеков қайрат серік").await, ["Әлібеков Қайрат Серікұлы"]);
    assert_eq!(
        names("нұрсұлтан алибеков").await,
        ["Әлібеков Нұрсұлтан Қайратұлы"]
    );
    assert_eq!(
        names("айгерим болатовна").await,
        Vec::<String>::new(),
        "every word must match"
    );
    assert_eq!(names("айгерим болат").await, ["Әлібекова Айгерім Болатқызы"]);
    assert!(names("иванов жанна").await.is_empty());
}

#[tokio::test]
async fn a_phone_finds_its_person_however_it_is_typed() {
    for typed in ["+7 701 234 56 78", "87012345678", "7012345", "8701234"] {
        let found = names(typed).await;
        assert_eq!(found, ["Әлібеков Қайрат Серікұлы"], "typed {typed:?}");
    }
}

#[tokio::test]
async fn iin_digits_as_typed_so_far_find_persons_by_prefix() {
    let (_dir, workstation) = loaded().await;
    let outcome = workstation.search("7803", 20).await.unwrap();
    assert_eq!(outcome.hits.len(), 1);
    assert_eq!(outcome.hits[0].iin, "780322300458");
}

#[tokio::test]
async fn the_limit_is_respected_and_nothing_found_is_an_empty_list() {
    let (_dir, workstation) = loaded().await;
    assert_eq!(workstation.search("а", 2).await.unwrap().hits.len(), 2);
    assert!(workstation.search("Zzyzx", 20).await.unwrap().hits.is_empty());
    assert!(workstation.search("   ", 20).await.unwrap().hits.is_empty());
}
