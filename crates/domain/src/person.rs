//! The person as the registry desk knows them (DOMAIN.md §1).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::identifier::Iin;

text_enum!(
    Sex {
        Male => "male",
        Female => "female",
    }
);

text_enum!(
    /// Citizenship status; `Kandas` is an ethnic Kazakh returnee (қандас, formerly оралман).
    Citizenship {
        Citizen => "citizen",
        Kandas => "kandas",
        ForeignPermanentResident => "foreign_permanent_resident",
        Other => "other",
    }
);

/// A postal address inside a settlement: street, house and optional apartment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Address {
    pub settlement: String,
    pub street: String,
    pub house: String,
    pub apartment: Option<String>,
}

impl Address {
    /// One line as printed on a card: "Астана, Абай даңғылы, 12, кв. 5" (the
    /// apartment mark is added by the caller's language).
    pub fn street_line(&self) -> String {
        format!("{}, {}, {}", self.settlement, self.street, self.house)
    }
}

/// A person as the registry desk keeps them. `birth_date` and `sex` are the
/// entered values; for a regular IIN they agree with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Person {
    pub iin: Iin,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: Sex,
    pub citizenship: Citizenship,
    pub address: Option<Address>,
    pub phone: Option<String>,
}

impl Person {
    /// "Surname First Patronymic", as on every document.
    pub fn full_name(&self) -> String {
        full_name(&self.surname, &self.first_name, self.patronymic.as_deref())
    }
}

/// Why a person's data, as a workstation sent it, cannot stand in the
/// register: what the registration form checks, checked again where no form
/// is (the registry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS, thiserror::Error)]
#[serde(rename_all = "snake_case")]
pub enum PersonProblem {
    #[error("the surname or the first name is empty")]
    NameMissing,
    #[error("a name holds a control character or is longer than 100 characters")]
    NameUnreadable,
    #[error("the birth date disagrees with the IIN")]
    BirthDateDisagreesWithIin,
    #[error("the sex disagrees with the IIN")]
    SexDisagreesWithIin,
    #[error("the birth date is after the day the data was given")]
    BornInFuture,
    #[error("the phone is not ten digits")]
    PhoneUnreadable,
    #[error("an address has an empty settlement, street or house, or a control character")]
    AddressUnreadable,
    #[error("a document, workplace or household link is not as the registration form takes it")]
    DetailUnreadable,
}

/// Longest name or address part the register keeps: longer is a mistake
/// (or an attack), not a name.
pub const MAX_TEXT_CHARS: usize = 100;

fn readable(text: &str) -> bool {
    text.chars().count() <= MAX_TEXT_CHARS && !text.chars().any(char::is_control)
}

/// Checks a person as of `today` (the date in Kazakhstan): names present and
/// readable, birth date and sex as the IIN says (for an IIN that says them),
/// not born after today, a phone of ten digits, an address whole.
pub fn check_person(person: &Person, today: NaiveDate) -> Result<(), PersonProblem> {
    if person.surname.trim().is_empty() || person.first_name.trim().is_empty() {
        return Err(PersonProblem::NameMissing);
    }
    let names = [
        Some(&person.surname),
        Some(&person.first_name),
        person.patronymic.as_ref(),
    ];
    if !names.into_iter().flatten().all(|name| readable(name)) {
        return Err(PersonProblem::NameUnreadable);
    }
    if let Some(birth) = person.iin.birth() {
        if birth.birth_date != person.birth_date {
            return Err(PersonProblem::BirthDateDisagreesWithIin);
        }
        if birth.sex != person.sex {
            return Err(PersonProblem::SexDisagreesWithIin);
        }
    }
    if person.birth_date > today {
        return Err(PersonProblem::BornInFuture);
    }
    if let Some(phone) = &person.phone
        && !(phone.len() == 10 && phone.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(PersonProblem::PhoneUnreadable);
    }
    if let Some(address) = &person.address {
        let parts = [&address.settlement, &address.street, &address.house];
        if parts.iter().any(|part| part.trim().is_empty())
            || !parts
                .into_iter()
                .chain(address.apartment.as_ref())
                .all(|part| readable(part))
        {
            return Err(PersonProblem::AddressUnreadable);
        }
    }
    Ok(())
}

pub fn full_name(surname: &str, first_name: &str, patronymic: Option<&str>) -> String {
    match patronymic {
        Some(p) if !p.is_empty() => format!("{surname} {first_name} {p}"),
        _ => format!("{surname} {first_name}"),
    }
}

/// Full years of age on `on` (a person born on 29 February comes of age on
/// 1 March in common years).
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth_date {
        return None;
    }
    let mut years = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

text_enum!(
    /// The age groups the attached-population register counts by.
    AgeGroup {
        Under1 => "under_1",
        From1To4 => "1_to_4",
        From5To17 => "5_to_17",
        From18To64 => "18_to_64",
        From65 => "65_plus",
    }
);

impl AgeGroup {
    /// Full years of age the group holds: `from` included, `to` excluded.
    pub fn years(self) -> (u32, Option<u32>) {
        match self {
            AgeGroup::Under1 => (0, Some(1)),
            AgeGroup::From1To4 => (1, Some(5)),
            AgeGroup::From5To17 => (5, Some(18)),
            AgeGroup::From18To64 => (18, Some(65)),
            AgeGroup::From65 => (65, None),
        }
    }

    /// The birth dates of the group on `today`: born on or before the first
    /// date, and after the second when there is one.
    pub fn birth_dates(self, today: NaiveDate) -> (NaiveDate, Option<NaiveDate>) {
        let years_before = |years: u32| {
            today
                .checked_sub_months(chrono::Months::new(12 * years))
                .unwrap_or(NaiveDate::MIN)
        };
        let (from, to) = self.years();
        (years_before(from), to.map(years_before))
    }

    pub fn of(birth_date: NaiveDate, today: NaiveDate) -> Option<AgeGroup> {
        let age = age_on(birth_date, today)?;
        AgeGroup::ALL.iter().copied().find(|group| {
            let (from, to) = group.years();
            age >= from && to.is_none_or(|to| age < to)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn person() -> Person {
        // born 1 January 1985, a man: the IIN says both
        let iin = (1..10)
            .find_map(|serial| Iin::compose(date(1985, 1, 1), Sex::Male, serial))
            .unwrap();
        Person {
            iin,
            surname: "Әлібеков".into(),
            first_name: "Серік".into(),
            patronymic: Some("Маратұлы".into()),
            birth_date: date(1985, 1, 1),
            sex: Sex::Male,
            citizenship: Citizenship::Citizen,
            address: Some(Address {
                settlement: "Астана".into(),
                street: "Абай даңғылы".into(),
                house: "12".into(),
                apartment: None,
            }),
            phone: Some("7011234567".into()),
        }
    }

    #[test]
    fn a_person_stands_in_the_register_only_as_the_form_would_take_them() {
        let today = date(2026, 11, 20);
        type Change = fn(&mut Person);
        let cases: [(&str, Change, Result<(), PersonProblem>); 11] = [
            ("as typed at a window", |_| {}, Ok(())),
            (
                "no phone, no address",
                |p| {
                    p.phone = None;
                    p.address = None;
                },
                Ok(()),
            ),
            (
                "an empty surname",
                |p| p.surname = " ".into(),
                Err(PersonProblem::NameMissing),
            ),
            (
                "an empty first name",
                |p| p.first_name = String::new(),
                Err(PersonProblem::NameMissing),
            ),
            (
                "a control character",
                |p| p.surname = "Әлі\u{0}беков".into(),
                Err(PersonProblem::NameUnreadable),
            ),
            (
                "a name of 101 letters",
                |p| p.patronymic = Some("а".repeat(101)),
                Err(PersonProblem::NameUnreadable),
            ),
            // seed 002: the IIN's first six digits are the birth date, the seventh the century and sex
            (
                "a birth date the IIN does not say",
                |p| p.birth_date = date(1985, 1, 2),
                Err(PersonProblem::BirthDateDisagreesWithIin),
            ),
            (
                "a sex the IIN does not say",
                |p| p.sex = Sex::Female,
                Err(PersonProblem::SexDisagreesWithIin),
            ),
            (
                "a phone of nine digits",
                |p| p.phone = Some("701123456".into()),
                Err(PersonProblem::PhoneUnreadable),
            ),
            (
                "an address without a house",
                |p| {
                    if let Some(a) = p.address.as_mut() {
                        a.house = String::new();
                    }
                },
                Err(PersonProblem::AddressUnreadable),
            ),
            (
                "born after today",
                |p| {
                    p.birth_date = date(2026, 11, 21);
                    p.iin = (1..10)
                        .find_map(|serial| Iin::compose(date(2026, 11, 21), Sex::Male, serial))
                        .unwrap();
                },
                Err(PersonProblem::BornInFuture),
            ),
        ];
        for (case, change, expected) in cases {
            let mut p = person();
            change(&mut p);
            assert_eq!(check_person(&p, today), expected, "{case}");
        }
    }

    #[test]
    fn age_counts_full_years() {
        let cases = [
            (date(1978, 3, 22), date(2026, 3, 21), Some(47)),
            (date(1978, 3, 22), date(2026, 3, 22), Some(48)),
            (date(2024, 2, 29), date(2025, 2, 28), Some(0)),
            (date(2024, 2, 29), date(2025, 3, 1), Some(1)),
            (date(2024, 2, 29), date(2028, 2, 29), Some(4)),
            (date(2026, 11, 23), date(2026, 11, 23), Some(0)),
            (date(2026, 11, 24), date(2026, 11, 23), None),
        ];
        for (born, on, expected) in cases {
            assert_eq!(age_on(born, on), expected, "born {born}, on {on}");
        }
    }

    #[test]
    fn age_groups_agree_with_age_on_every_boundary() {
        let today = date(2026, 11, 23);
        for born in [
            date(2026, 11, 23),
            date(2025, 11, 24),
            date(2025, 11, 23),
            date(2021, 11, 24),
            date(2021, 11, 23),
            date(2008, 11, 24),
            date(2008, 11, 23),
            date(1961, 11, 24),
            date(1961, 11, 23),
            date(2024, 2, 29),
        ] {
            let group = AgeGroup::of(born, today).unwrap();
            let (oldest, youngest) = group.birth_dates(today);
            assert!(born <= oldest, "{born} in {group:?}");
            assert!(youngest.is_none_or(|y| born > y), "{born} in {group:?}");
        }
        assert_eq!(AgeGroup::of(date(2025, 11, 23), today), Some(AgeGroup::From1To4));
        assert_eq!(AgeGroup::of(date(2025, 11, 24), today), Some(AgeGroup::Under1));
        assert_eq!(AgeGroup::of(date(1961, 11, 23), today), Some(AgeGroup::From65));
    }

    #[test]
    fn age_groups_travel_under_the_names_the_register_screen_sends() {
        // The UI once sent "under_1" while serde expected "under1": the filter failed for every group.
        for group in AgeGroup::ALL {
            let sent = serde_json::to_string(group).unwrap();
            assert_eq!(sent, format!("\"{}\"", group.as_str()));
            assert_eq!(serde_json::from_str::<AgeGroup>(&sent).unwrap(), *group);
        }
        assert_eq!(
            serde_json::from_str::<AgeGroup>("\"under_1\"").unwrap(),
            AgeGroup::Under1
        );
        assert_eq!(
            serde_json::from_str::<AgeGroup>("\"65_plus\"").unwrap(),
            AgeGroup::From65
        );
    }

    #[test]
    fn full_name_leaves_out_a_missing_patronymic() {
        assert_eq!(
            full_name("Әлібеков", "Қайрат", Some("Серікұлы")),
            "Әлібеков Қайрат Серікұлы"
        );
        assert_eq!(full_name("Smith", "John", None), "Smith John");
        assert_eq!(full_name("Smith", "John", Some("")), "Smith John");
    }
}
