//! Person search: what the registrar typed decides the kind of search, and each
//! kind is an ordered range scan over an index that stops after `limit` rows —
//! so a search costs the same whether a prefix matches ten persons or a million.
//!
//! - 12 digits: the IIN, validated; an invalid one is explained, not searched.
//! - fewer digits: IIN prefix (as the registrar types it) and phone prefix.
//! - a phone typed with `+`, brackets or dashes: the phone.
//! - words: name search over folded words (see `emhana_domain::fold`):
//!   exact words first, then longer words with that prefix, in word order.

use std::collections::HashSet;

use chrono::NaiveDate;
use emhana_domain::{IdentifierError, Iin, Sex, format_phone, search_words};
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::SqlitePool;

use crate::Workstation;
use crate::error::StoreError;
use crate::store::PersonRow;

/// The most results a search returns, whatever the caller asks.
pub const MAX_LIMIT: usize = 200;

/// Candidates a multi-word search reads when the words are not typed in
/// surname–name–patronymic order; bounds its cost on very common names.
const UNORDERED_SCAN_CAP: usize = 20_000;

/// Shortest digit string searched as a phone prefix.
const MIN_PHONE_DIGITS: usize = 3;

/// What the typed text asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchQuery {
    Empty,
    Iin(Iin),
    InvalidIin(IdentifierError),
    /// Digits short of an IIN: an IIN prefix, or a phone prefix (national digits).
    Digits {
        iin_prefix: String,
        phone_prefixes: Vec<String>,
    },
    /// A phone number typed with formatting: its national digits so far.
    Phone(String),
    Name(Vec<String>),
}

/// Decides what a search box text asks for.
pub fn classify(text: &str) -> SearchQuery {
    let text = text.trim();
    if text.is_empty() {
        return SearchQuery::Empty;
    }
    let is_numeric = text.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        && text.chars().any(|c| c.is_ascii_digit());
    if !is_numeric {
        let words = search_words(text);
        return if words.is_empty() {
            SearchQuery::Empty
        } else {
            SearchQuery::Name(words)
        };
    }
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let formatted_as_phone = text.contains(['+', '(', ')', '-']);
    if formatted_as_phone {
        let national = match digits.strip_prefix(['7', '8']) {
            Some(rest) if text.starts_with('+') || digits.len() == 11 => rest.to_owned(),
            _ => digits,
        };
        return SearchQuery::Phone(national);
    }
    match digits.len() {
        12 => match Iin::parse(&digits) {
            Ok(iin) => SearchQuery::Iin(iin),
            Err(error) => SearchQuery::InvalidIin(error),
        },
        n if n > 12 => SearchQuery::InvalidIin(IdentifierError::WrongLength {
            kind: emhana_domain::IdentifierKind::Iin,
            length: n,
        }),
        _ => {
            // Every national number starts with 7; a leading 7 or 8 may also be the country or trunk prefix.
            let mut phone_prefixes = Vec::new();
            if digits.len() >= MIN_PHONE_DIGITS {
                if digits.starts_with('7') {
                    phone_prefixes.push(digits.clone());
                }
                if let Some(rest) = digits.strip_prefix(['7', '8'])
                    && rest.len() >= MIN_PHONE_DIGITS
                    && rest.starts_with('7')
                {
                    phone_prefixes.push(rest.to_owned());
                }
            }
            SearchQuery::Digits {
                iin_prefix: digits,
                phone_prefixes,
            }
        }
    }
}

/// How a hit matched, so the UI can say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    Iin,
    Phone,
    Name,
}

/// One person in a result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PersonHit {
    pub id: i64,
    pub iin: String,
    pub full_name: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub matched: MatchKind,
}

/// The answer to one search: the hits, and what to tell the registrar about her input.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct SearchOutcome {
    pub hits: Vec<PersonHit>,
    /// Why the typed IIN is not valid; set instead of searching for it.
    pub notice: Option<IdentifierError>,
}

const BY_IIN: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM person p WHERE p.iin >= ?1 AND p.iin < ?2 ORDER BY p.iin"
);
const BY_PHONE: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM person p WHERE p.phone >= ?1 AND p.phone < ?2 ORDER BY p.phone, p.id"
);
const BY_WORD: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM person_name_word w JOIN person p ON p.id = w.person_id \
     WHERE w.word >= ?1 AND w.word < ?2 ORDER BY w.word, w.person_id"
);
const BY_PHRASE: &str = concat!(
    "SELECT ",
    person_columns!(),
    " FROM person_name_phrase n JOIN person p ON p.id = n.person_id \
     WHERE n.phrase >= ?1 AND n.phrase < ?2 ORDER BY n.phrase, n.person_id"
);

impl PersonRow {
    fn into_hit(self, matched: MatchKind) -> Result<PersonHit, StoreError> {
        Ok(PersonHit {
            sex: self.sex()?,
            full_name: self.full_name(),
            address: self.address_line(),
            phone: self.phone.as_deref().map(format_phone),
            id: self.id,
            iin: self.iin,
            birth_date: self.birth_date,
            matched,
        })
    }
}

/// The exclusive upper bound of a prefix range: every string that starts
/// with `prefix` sorts below it (U+10FFFF is the largest code point).
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

/// Collects up to `limit` distinct persons from an ordered scan.
struct Collector {
    hits: Vec<PersonHit>,
    seen: HashSet<i64>,
    limit: usize,
}

impl Collector {
    fn new(limit: usize) -> Self {
        Collector {
            hits: Vec::new(),
            seen: HashSet::new(),
            limit,
        }
    }

    fn full(&self) -> bool {
        self.hits.len() >= self.limit
    }

    fn push(&mut self, row: PersonRow, matched: MatchKind) -> Result<(), StoreError> {
        if self.seen.insert(row.id) {
            self.hits.push(row.into_hit(matched)?);
        }
        Ok(())
    }

    /// Streams the persons whose key starts with `prefix`, in key order,
    /// stopping as soon as enough persons are collected.
    async fn scan(
        &mut self,
        pool: &SqlitePool,
        sql: &'static str,
        prefix: &str,
        matched: MatchKind,
    ) -> Result<(), StoreError> {
        self.scan_where(pool, sql, prefix, matched, usize::MAX, |_| true)
            .await
    }

    /// [`Collector::scan`] keeping only rows `keep` accepts, and reading at
    /// most `cap` rows.
    async fn scan_where(
        &mut self,
        pool: &SqlitePool,
        sql: &'static str,
        prefix: &str,
        matched: MatchKind,
        cap: usize,
        keep: impl Fn(&PersonRow) -> bool,
    ) -> Result<(), StoreError> {
        if self.full() {
            return Ok(());
        }
        let mut rows = sqlx::query_as::<_, PersonRow>(sql)
            .bind(prefix)
            .bind(prefix_end(prefix))
            .fetch(pool);
        let mut scanned = 0;
        while let Some(row) = rows.try_next().await? {
            scanned += 1;
            if keep(&row) {
                self.push(row, matched)?;
            }
            if self.full() || scanned >= cap {
                break;
            }
        }
        Ok(())
    }
}

pub(crate) async fn run(pool: &SqlitePool, text: &str, limit: usize) -> Result<SearchOutcome, StoreError> {
    let limit = limit.clamp(1, MAX_LIMIT);
    let mut found = Collector::new(limit);
    let mut notice = None;
    match classify(text) {
        SearchQuery::Empty => {}
        SearchQuery::InvalidIin(error) => notice = Some(error),
        SearchQuery::Iin(iin) => {
            // Every stored IIN has 12 digits, so this range holds that IIN alone.
            let iin = iin.to_string();
            found.scan(pool, BY_IIN, &iin, MatchKind::Iin).await?;
        }
        SearchQuery::Digits {
            iin_prefix,
            phone_prefixes,
        } => {
            found.scan(pool, BY_IIN, &iin_prefix, MatchKind::Iin).await?;
            for prefix in phone_prefixes {
                found.scan(pool, BY_PHONE, &prefix, MatchKind::Phone).await?;
            }
        }
        SearchQuery::Phone(national) => {
            if national.len() >= MIN_PHONE_DIGITS {
                found.scan(pool, BY_PHONE, &national, MatchKind::Phone).await?;
            }
        }
        SearchQuery::Name(words) => search_by_name(pool, &words, &mut found).await?,
    }
    Ok(SearchOutcome {
        hits: found.hits,
        notice,
    })
}

async fn search_by_name(
    pool: &SqlitePool,
    words: &[String],
    found: &mut Collector,
) -> Result<(), StoreError> {
    if let [word] = words {
        return found.scan(pool, BY_WORD, word, MatchKind::Name).await;
    }
    // Typed in document order ("surname name patronymic"): one range of full names.
    let phrase = words.join(" ");
    found.scan(pool, BY_PHRASE, &phrase, MatchKind::Name).await?;
    if found.full() {
        return Ok(());
    }
    // Any other order: scan the longest (most selective) word, keep persons whose
    // names have every other word as a prefix of one of theirs.
    let Some(driver) = words.iter().max_by_key(|w| w.chars().count()) else {
        return Ok(());
    };
    let keep = |row: &PersonRow| {
        let name_words = search_words(&row.full_name());
        words
            .iter()
            .all(|typed| name_words.iter().any(|word| word.starts_with(typed.as_str())))
    };
    found
        .scan_where(pool, BY_WORD, driver, MatchKind::Name, UNORDERED_SCAN_CAP, keep)
        .await
}

/// Finding persons.
impl Workstation {
    /// Finds persons by IIN, IIN or phone prefix, or name (see [`classify`]).
    /// Audited (who searched for what), unless nothing was typed.
    pub async fn search(&self, text: &str, limit: usize) -> Result<SearchOutcome, StoreError> {
        let outcome = self::run(&self.pool, text, limit).await?;
        if !text.trim().is_empty() {
            let detail = serde_json::json!({ "text": text.trim(), "hits": outcome.hits.len() }).to_string();
            self.audit_now("searched", None, &detail).await?;
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_is_classified() {
        let iin = Iin::parse("780322300458").unwrap();
        let cases: Vec<(&str, SearchQuery)> = vec![
            ("", SearchQuery::Empty),
            ("   ", SearchQuery::Empty),
            ("780322300458", SearchQuery::Iin(iin)),
            (" 780322300458 ", SearchQuery::Iin(iin)),
            (
                "780322300451",
                SearchQuery::InvalidIin(IdentifierError::WrongCheckDigit {
                    expected: 8,
                    found: 1,
                }),
            ),
            (
                "7803223004581",
                SearchQuery::InvalidIin(IdentifierError::WrongLength {
                    kind: emhana_domain::IdentifierKind::Iin,
                    length: 13,
                }),
            ),
            (
                "7803",
                SearchQuery::Digits {
                    iin_prefix: "7803".into(),
                    phone_prefixes: vec!["7803".into()],
                },
            ),
            (
                "87012",
                SearchQuery::Digits {
                    iin_prefix: "87012".into(),
                    phone_prefixes: vec!["7012".into()],
                },
            ),
            (
                "78",
                SearchQuery::Digits {
                    iin_prefix: "78".into(),
                    phone_prefixes: vec![],
                },
            ),
            (
                "87012345678",
                SearchQuery::Digits {
                    iin_prefix: "87012345678".into(),
                    phone_prefixes: vec!["7012345678".into()],
                },
            ),
            (
                // 11 digits of an IIN being typed stay an IIN prefix (and a phone, if one matches)
                "78032230045",
                SearchQuery::Digits {
                    iin_prefix: "78032230045".into(),
                    phone_prefixes: vec!["78032230045".into()],
                },
            ),
            ("+7 701 234", SearchQuery::Phone("701234".into())),
            ("(701) 234-5", SearchQuery::Phone("7012345".into())),
            ("Әлібек", SearchQuery::Name(vec!["алибек".into()])),
            (
                "ахметов серик",
                SearchQuery::Name(vec!["ахметов".into(), "серик".into()]),
            ),
            ("Kairat", SearchQuery::Name(vec!["каират".into()])),
        ];
        for (text, expected) in cases {
            assert_eq!(classify(text), expected, "text {text:?}");
        }
    }

    #[test]
    fn prefix_end_bounds_every_continuation() {
        let end = prefix_end("алиб");
        for word in ["алиб", "алибек", "алибекова", "алибәә"] {
            assert!(word >= "алиб" && word < end.as_str(), "{word} lies in the range");
        }
        assert!("алиа" < "алиб" && "алив" >= end.as_str());
    }
}
