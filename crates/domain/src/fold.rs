//! Folding names for search, so that a registrar finds `Әлібек` by typing
//! `алибек`, `Алибек` or `alibek`, and `Қайрат` by `кайрат` or `kairat`.
//!
//! Both the stored names and the typed query are folded to one key alphabet:
//! lower-case Russian Cyrillic without the letters that spellings disagree on.
//! Kazakh letters become their Russian neighbours (ә→а, ғ→г, қ→к, ң→н, ө→о,
//! ұ→у, ү→у, һ→х, і→и); ё→е, й→и, ы→и (Latin "y" and "i" cannot tell
//! them apart); the hard and soft signs are dropped. Then the Russian
//! spellings of Kazakh sounds: э→а (a keyboard without ә gives э, so
//! "Элибек" finds Әлібек; a Russian name keeps its э on both sides), дж→ж
//! (Джумабеков is Жұмабеков), and a run of и is one (Сейітова, Сейтова and
//! Сеитова are one name). Latin letters are transliterated first (digraphs
//! zh, kh, sh, ch, ts, yu, ya before single letters). Folding is for
//! finding, never for display.

/// The version of the folding below. Stored keys folded by another version
/// are rebuilt when a database is opened: bump it with every change here.
pub const SEARCH_FOLD_VERSION: u32 = 2;

/// Folds one word or phrase to its search key; characters that are neither
/// letters nor digits become word breaks (a single space).
pub fn fold_for_search(text: &str) -> String {
    let lowered = text.to_lowercase();
    let chars: Vec<char> = lowered.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_alphabetic() {
            let next = chars.get(i + 1).copied();
            if let Some(cyrillic) = next.and_then(|n| latin_digraph(c, n)) {
                push_folded(&mut out, cyrillic);
                i += 2;
                continue;
            }
            for &cyrillic in latin_letter(c) {
                push_folded(&mut out, cyrillic);
            }
        } else if c.is_alphanumeric() {
            push_folded(&mut out, c);
        } else if !out.is_empty() && !out.ends_with(' ') {
            out.push(' ');
        }
        i += 1;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The words of a folded text, for indexing and for multi-word queries.
pub fn search_words(text: &str) -> Vec<String> {
    fold_for_search(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn push_folded(out: &mut String, c: char) {
    let folded = match c {
        'ә' => 'а',
        'ғ' => 'г',
        'қ' => 'к',
        'ң' => 'н',
        'ө' => 'о',
        'ұ' | 'ү' => 'у',
        'һ' => 'х',
        'і' | 'й' | 'ы' => 'и',
        'ё' => 'е',
        'э' => 'а',
        'ъ' | 'ь' => return,
        other => other,
    };
    match folded {
        // "дж" is how Russian spells the Kazakh ж
        'ж' if out.ends_with('д') => {
            out.pop();
        }
        // й і, ий, ии: one sound, spelled one way or two
        'и' if out.ends_with('и') => return,
        _ => {}
    }
    out.push(folded);
}

fn latin_digraph(first: char, second: char) -> Option<char> {
    Some(match (first, second) {
        ('z', 'h') => 'ж',
        ('k', 'h') => 'х',
        ('s', 'h') => 'ш',
        ('c', 'h') => 'ч',
        ('t', 's') => 'ц',
        ('y', 'u') => 'ю',
        ('y', 'a') => 'я',
        ('y', 'o') => 'е',
        _ => return None,
    })
}

fn latin_letter(c: char) -> &'static [char] {
    match c {
        'a' => &['а'],
        'b' => &['б'],
        'c' => &['к'],
        'd' => &['д'],
        'e' => &['е'],
        'f' => &['ф'],
        'g' => &['г'],
        'h' => &['х'],
        'i' => &['и'],
        'j' => &['ж'],
        'k' => &['к'],
        'l' => &['л'],
        'm' => &['м'],
        'n' => &['н'],
        'o' => &['о'],
        'p' => &['п'],
        'q' => &['к'],
        'r' => &['р'],
        's' => &['с'],
        't' => &['т'],
        'u' => &['у'],
        'v' => &['в'],
        'w' => &['у'],
        'x' => &['к', 'с'],
        'y' => &['и'],
        'z' => &['з'],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_letters_are_found_by_their_russian_neighbours() {
        let cases = [
            ("Әлібек", "алибек"),
            ("Қайрат", "кайрат"),
            ("Ғалым", "галым"),
            ("Нұрсұлтан", "нурсултан"),
            ("Өмірзақ", "омирзак"),
            ("Үмбетов", "умбетов"),
            ("Жаңабаев", "жанабаев"),
            ("Һадиша", "хадиша"),
        ];
        for (stored, typed) in cases {
            assert_eq!(
                fold_for_search(stored),
                fold_for_search(typed),
                "{typed} must find {stored}"
            );
        }
    }

    #[test]
    fn latin_transliterations_find_cyrillic_names() {
        let cases = [
            ("Әлібек", "Alibek"),
            ("Қайрат", "Kairat"),
            ("Қайрат", "Qairat"),
            ("Жанна", "Zhanna"),
            ("Шынар", "Shynar"),
            ("Айгерім", "Aigerim"),
            ("Ерлан", "Erlan"),
            ("Иванов", "Ivanov"),
            ("Юлия", "Yuliya"),
        ];
        for (stored, typed) in cases {
            assert_eq!(
                fold_for_search(stored),
                fold_for_search(typed),
                "{typed} must find {stored}"
            );
        }
    }

    /// The spellings registrars type for Kazakh names in Russian (issue 14).
    #[test]
    fn russian_spellings_of_kazakh_names_find_them() {
        let cases = [
            ("Жұмабеков", "Джумабеков"),
            ("Жұмабеков", "Dzhumabekov"),
            ("Сейітова", "Сейтова"),
            ("Сейітова", "Сеитова"),
            ("Сейітова", "Seitova"),
            ("Әлібек", "элибек"),
            ("Әлібек", "Алибек"),
            ("Жақыпова", "Джакыпова"),
        ];
        for (stored, typed) in cases {
            assert_eq!(
                fold_for_search(stored),
                fold_for_search(typed),
                "{typed} must find {stored}"
            );
        }
        // a Russian name with э still finds itself, and distinct names stay distinct
        assert_eq!(fold_for_search("Эльвира"), fold_for_search("ЭЛЬВИРА"));
        assert_ne!(fold_for_search("Иванова"), fold_for_search("Ивонова"));
        assert_ne!(fold_for_search("Данияр"), fold_for_search("Даняр"));
    }

    #[test]
    fn case_and_punctuation_do_not_matter() {
        assert_eq!(fold_for_search("  ӘЛІБЕКОВ-Ахметов  "), "алибеков ахметов");
        assert_eq!(search_words("Иванов  Пётр, Ильич"), ["иванов", "петр", "илич"]);
    }

    #[test]
    fn digits_are_kept() {
        assert_eq!(fold_for_search("+7 701"), "7 701");
    }
}
