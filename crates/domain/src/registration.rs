//! Registering a person the workstation does not know yet (DOMAIN.md §1): what
//! the registrar typed is checked field by field, so each message lands at
//! its field, and nothing is written until every field passes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::attachment::AttachmentGround;
use crate::identifier::{IdentifierError, Iin};
use crate::person::{Address, Citizenship, Person, Sex, age_on};
use crate::phone::normalize_phone;

text_enum!(
    /// The identity document shown at the window.
    DocumentKind {
        IdCard => "id_card",
        Passport => "passport",
        BirthCertificate => "birth_certificate",
        Other => "other",
    }
);

/// Age from which a person carries an identity card instead of a birth certificate.
pub const ID_CARD_AGE: u32 = 16;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct IdentityDocument {
    pub kind: DocumentKind,
    pub number: String,
    pub issued_on: NaiveDate,
}

/// What the registration form sends, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RegistrationForm {
    pub iin: String,
    pub surname: String,
    pub first_name: String,
    pub patronymic: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub citizenship: Option<Citizenship>,
    pub document_kind: Option<DocumentKind>,
    pub document_number: String,
    pub document_issued_on: Option<NaiveDate>,
    pub registered_address: Option<Address>,
    pub temporary_address: Option<Address>,
    pub workplace: String,
    pub phone: String,
    /// The mother's IIN, when the person is a child registered with her.
    pub mother_iin: String,
}

/// A registration that passed every check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Registration {
    pub person: Person,
    pub document: IdentityDocument,
    pub temporary_address: Option<Address>,
    pub workplace: Option<String>,
    pub mother_iin: Option<Iin>,
}

text_enum!(
    /// The fields of the registration form, as the UI names them.
    Field {
        Iin => "iin",
        Surname => "surname",
        FirstName => "first_name",
        Patronymic => "patronymic",
        BirthDate => "birth_date",
        Sex => "sex",
        Citizenship => "citizenship",
        DocumentKind => "document_kind",
        DocumentNumber => "document_number",
        DocumentIssuedOn => "document_issued_on",
        RegisteredAddress => "registered_address",
        TemporaryAddress => "temporary_address",
        Phone => "phone",
        MotherIin => "mother_iin",
        Workplace => "workplace",
        RelativeIin => "relative_iin",
        // the attachment application's fields
        Person => "person",
        District => "district",
        Consent => "consent",
        NewAddress => "new_address",
    }
);

/// What is wrong with one field; `code` keys the UI's catalogs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum FieldProblem {
    #[error("required")]
    Required,
    #[error("invalid IIN: {reason}")]
    InvalidIin { reason: IdentifierError },
    #[error("the IIN says born {from_iin}")]
    BirthDateDisagreesWithIin { from_iin: NaiveDate },
    #[error("the IIN says {from_iin:?}")]
    SexDisagreesWithIin { from_iin: Sex },
    #[error("letters, spaces, hyphens and apostrophes only")]
    NotAName,
    #[error("in the future")]
    InFuture,
    #[error("before the birth date")]
    BeforeBirth,
    #[error("a child under 16 shows a birth certificate or passport")]
    ChildNeedsBirthCertificate,
    #[error("a birth certificate identifies children under 16 only")]
    BirthCertificateOver16,
    #[error("longer than the register keeps, or holds a control character")]
    Unreadable,
    #[error("not a Kazakhstan phone number")]
    InvalidPhone,
    #[error("settlement, street and house are all needed")]
    IncompleteAddress,
    #[error("the same person")]
    SamePerson,
    // The store's findings, reported at the same fields:
    #[error("a person with this IIN is already registered")]
    AlreadyRegistered { person_id: i64 },
    #[error("no person with this IIN is registered")]
    NotRegistered,
    #[error("the state person database holds no data of this IIN")]
    NotInStateDatabase,
    #[error("a mother is a woman")]
    MotherNotFemale,
    #[error("a father is a man")]
    FatherNotMale,
    #[error("already attached to this clinic, district {district_number:?}")]
    AlreadyAttachedHere { district_number: Option<u32> },
    #[error("not a district of this clinic")]
    UnknownDistrict,
    #[error("no district of this clinic covers the address")]
    OutsideTerritory,
}

/// Where a person moved to, as an application on a change of residence
/// names it: the new permanent or temporary residence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NewResidence {
    pub address: Address,
    /// A temporary residence (the permanent one stays as registered).
    pub temporary: bool,
}

impl NewResidence {
    /// The change of the person's data the move is: the registered address,
    /// or the temporary one.
    pub fn change(&self) -> PersonChange {
        let address = self.address.clone();
        if self.temporary {
            PersonChange::TemporaryAddress {
                address: Some(address),
            }
        } else {
            PersonChange::Address { address }
        }
    }
}

/// The new residence of an application: required and whole when the ground
/// is a change of residence (seed 000: re-attachment outside the campaign
/// "при смене места постоянного или временного проживания" — the new place is
/// what the clinic checks), and not asked for on any other ground.
pub fn check_new_residence(
    ground: AttachmentGround,
    given: Option<&NewResidence>,
) -> Result<Option<NewResidence>, FieldError> {
    if ground != AttachmentGround::ChangeOfResidence {
        return Ok(None);
    }
    let mut errors = Vec::new();
    let address = given.and_then(|residence| {
        check_address(&mut errors, Field::NewAddress, &Some(residence.address.clone()))
    });
    match (errors.pop(), address, given) {
        (Some(error), ..) => Err(error),
        (None, Some(address), Some(residence)) => Ok(Some(NewResidence {
            address,
            temporary: residence.temporary,
        })),
        _ => Err(FieldError {
            field: Field::NewAddress,
            problem: FieldProblem::Required,
        }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FieldError {
    pub field: Field,
    pub problem: FieldProblem,
}

/// Checks a registration form as of `today` (the date in Kazakhstan). Every
/// problem found is returned, one per field, so the form shows them all at once.
pub fn validate_registration(
    form: &RegistrationForm,
    today: NaiveDate,
) -> Result<Registration, Vec<FieldError>> {
    let mut errors = Vec::new();
    let fail = |errors: &mut Vec<FieldError>, field, problem| errors.push(FieldError { field, problem });

    let iin = match Iin::parse(form.iin.trim()) {
        Ok(iin) => Some(iin),
        Err(error) => {
            fail(
                &mut errors,
                Field::Iin,
                FieldProblem::InvalidIin { reason: error },
            );
            None
        }
    };
    let birth = iin.as_ref().and_then(Iin::birth);
    // The IIN's date and sex fill what was left empty and must agree with what was typed.
    let birth_date = form.birth_date.or(birth.map(|b| b.birth_date));
    let sex = form.sex.or(birth.map(|b| b.sex));
    if let (Some(birth), Some(typed)) = (birth, form.birth_date)
        && birth.birth_date != typed
    {
        fail(
            &mut errors,
            Field::BirthDate,
            FieldProblem::BirthDateDisagreesWithIin {
                from_iin: birth.birth_date,
            },
        );
    }
    if let (Some(birth), Some(typed)) = (birth, form.sex)
        && birth.sex != typed
    {
        fail(
            &mut errors,
            Field::Sex,
            FieldProblem::SexDisagreesWithIin { from_iin: birth.sex },
        );
    }
    match birth_date {
        None => fail(&mut errors, Field::BirthDate, FieldProblem::Required),
        Some(date) if date > today => fail(&mut errors, Field::BirthDate, FieldProblem::InFuture),
        Some(_) => {}
    }
    if sex.is_none() {
        fail(&mut errors, Field::Sex, FieldProblem::Required);
    }

    let surname = check_name(&mut errors, Field::Surname, &form.surname, true);
    let first_name = check_name(&mut errors, Field::FirstName, &form.first_name, true);
    let patronymic = check_name(&mut errors, Field::Patronymic, &form.patronymic, false);

    let citizenship = form.citizenship;
    if citizenship.is_none() {
        fail(&mut errors, Field::Citizenship, FieldProblem::Required);
    }

    let age = birth_date.and_then(|born| age_on(born, today));
    match (form.document_kind, age) {
        (None, _) => fail(&mut errors, Field::DocumentKind, FieldProblem::Required),
        (Some(DocumentKind::IdCard), Some(age)) if age < ID_CARD_AGE => fail(
            &mut errors,
            Field::DocumentKind,
            FieldProblem::ChildNeedsBirthCertificate,
        ),
        (Some(DocumentKind::BirthCertificate), Some(age)) if age >= ID_CARD_AGE => fail(
            &mut errors,
            Field::DocumentKind,
            FieldProblem::BirthCertificateOver16,
        ),
        _ => {}
    }
    let document_number = form.document_number.trim().to_string();
    if document_number.is_empty() {
        fail(&mut errors, Field::DocumentNumber, FieldProblem::Required);
    }
    match (form.document_issued_on, birth_date) {
        (None, _) => fail(&mut errors, Field::DocumentIssuedOn, FieldProblem::Required),
        (Some(issued), _) if issued > today => {
            fail(&mut errors, Field::DocumentIssuedOn, FieldProblem::InFuture)
        }
        (Some(issued), Some(born)) if issued < born => {
            fail(&mut errors, Field::DocumentIssuedOn, FieldProblem::BeforeBirth)
        }
        _ => {}
    }

    let registered_address = check_address(&mut errors, Field::RegisteredAddress, &form.registered_address);
    let temporary_address = check_address(&mut errors, Field::TemporaryAddress, &form.temporary_address);
    let address_problem = errors
        .iter()
        .any(|e| matches!(e.field, Field::RegisteredAddress | Field::TemporaryAddress));
    if registered_address.is_none() && temporary_address.is_none() && !address_problem {
        // attachment rests on residence: at least one address is needed
        fail(&mut errors, Field::RegisteredAddress, FieldProblem::Required);
    }

    let phone = if form.phone.trim().is_empty() {
        None
    } else {
        let normalized = normalize_phone(&form.phone);
        if normalized.is_none() {
            fail(&mut errors, Field::Phone, FieldProblem::InvalidPhone);
        }
        normalized
    };

    let mother_iin = if form.mother_iin.trim().is_empty() {
        None
    } else {
        match Iin::parse(form.mother_iin.trim()) {
            Ok(mother) if Some(&mother) == iin.as_ref() => {
                fail(&mut errors, Field::MotherIin, FieldProblem::SamePerson);
                None
            }
            Ok(mother) => Some(mother),
            Err(error) => {
                fail(
                    &mut errors,
                    Field::MotherIin,
                    FieldProblem::InvalidIin { reason: error },
                );
                None
            }
        }
    };

    let document_kind = form.document_kind;
    let issued_on = form.document_issued_on;
    match (
        iin,
        surname,
        first_name,
        birth_date,
        sex,
        citizenship,
        document_kind,
        issued_on,
    ) {
        (
            Some(iin),
            Some(surname),
            Some(first_name),
            Some(birth_date),
            Some(sex),
            Some(citizenship),
            Some(kind),
            Some(issued_on),
        ) if errors.is_empty() => Ok(Registration {
            person: Person {
                iin,
                surname,
                first_name,
                patronymic,
                birth_date,
                sex,
                citizenship,
                address: registered_address,
                phone,
            },
            document: IdentityDocument {
                kind,
                number: document_number,
                issued_on,
            },
            temporary_address,
            workplace: Some(form.workplace.trim().to_string()).filter(|w| !w.is_empty()),
            mother_iin,
        }),
        _ => Err(errors),
    }
}

fn check_name(errors: &mut Vec<FieldError>, field: Field, text: &str, required: bool) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        if required {
            errors.push(FieldError {
                field,
                problem: FieldProblem::Required,
            });
        }
        return None;
    }
    // longer than the register keeps (crate::person::MAX_TEXT_CHARS) is not a name either
    if text.chars().count() > crate::person::MAX_TEXT_CHARS
        || !text
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’'))
    {
        errors.push(FieldError {
            field,
            problem: FieldProblem::NotAName,
        });
        return None;
    }
    Some(text)
}

text_enum!(
    /// A household link: who the person is registered with or stands for them.
    Relation {
        Mother => "mother",
        Father => "father",
        Guardian => "guardian",
    }
);

/// A change of a registered person's data at the window (issue 21, keeping
/// a person's data current): where they live, their phone, the document
/// they show, their place of work or study, their household links. The
/// clinic's other PCs get it through the registry, which keeps its author
/// and history; one value of each [`PersonChange::key`] is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum PersonChange {
    /// The registered (permanent) address they moved to.
    Address { address: Address },
    /// A new phone; `None`: the person has none now.
    Phone { phone: Option<String> },
    /// The identity document shown now: a new ID card, a passport at 16.
    Document { document: IdentityDocument },
    /// A temporary residence beside the registered one; `None`: they live
    /// at the registered address again.
    TemporaryAddress { address: Option<Address> },
    /// The place of work or study; `None`: none now.
    Workplace { workplace: Option<String> },
    /// The person's mother, father or guardian, by IIN; `None`: the link ends.
    Relative { relation: Relation, iin: Option<String> },
}

impl PersonChange {
    /// What the change is of, as the histories name it; a newer change of
    /// the same key replaces the value in force.
    pub fn key(&self) -> &'static str {
        match self {
            PersonChange::Address { .. } => "address",
            PersonChange::Phone { .. } => "phone",
            PersonChange::Document { .. } => "document",
            PersonChange::TemporaryAddress { .. } => "temporary_address",
            PersonChange::Workplace { .. } => "workplace",
            PersonChange::Relative { relation, .. } => relation.as_str(),
        }
    }

    /// Whether the register's person row carries the change's value — the
    /// address, a phone — or it goes with the clinics' details (the rest,
    /// and a phone removed: the row's "no phone" also means "not known").
    pub fn in_person_row(&self) -> bool {
        matches!(
            self,
            PersonChange::Address { .. } | PersonChange::Phone { phone: Some(_) }
        )
    }
}

/// The facts a change is checked against: whose data it is and the day.
#[derive(Debug, Clone, Copy)]
pub struct ChangeFacts<'a> {
    pub iin: &'a str,
    pub birth_date: NaiveDate,
    pub today: NaiveDate,
}

/// The change as the register keeps it — addresses trimmed and whole, the
/// phone as its ten digits, the document and workplace trimmed, a
/// relative's IIN checked — or the field's problem, as the registration
/// form would say it.
pub fn check_person_change(
    change: &PersonChange,
    facts: ChangeFacts<'_>,
) -> Result<PersonChange, FieldError> {
    let fail = |field, problem| Err(FieldError { field, problem });
    match change {
        PersonChange::Address { address } => {
            let mut errors = Vec::new();
            match check_address(&mut errors, Field::RegisteredAddress, &Some(address.clone())) {
                Some(address) => Ok(PersonChange::Address { address }),
                None => Err(errors.pop().unwrap_or(FieldError {
                    field: Field::RegisteredAddress,
                    problem: FieldProblem::Required,
                })),
            }
        }
        PersonChange::Phone { phone } => {
            match phone.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
                // an empty phone: they have none now
                None => Ok(PersonChange::Phone { phone: None }),
                Some(text) => match normalize_phone(text) {
                    Some(phone) => Ok(PersonChange::Phone { phone: Some(phone) }),
                    None => fail(Field::Phone, FieldProblem::InvalidPhone),
                },
            }
        }
        PersonChange::Document { document } => {
            let number = document.number.split_whitespace().collect::<Vec<_>>().join(" ");
            let age = age_on(facts.birth_date, facts.today);
            match (document.kind, age) {
                (DocumentKind::IdCard, Some(age)) if age < ID_CARD_AGE => {
                    return fail(Field::DocumentKind, FieldProblem::ChildNeedsBirthCertificate);
                }
                (DocumentKind::BirthCertificate, Some(age)) if age >= ID_CARD_AGE => {
                    return fail(Field::DocumentKind, FieldProblem::BirthCertificateOver16);
                }
                _ => {}
            }
            if number.is_empty() {
                return fail(Field::DocumentNumber, FieldProblem::Required);
            }
            if !readable_text(&number) {
                return fail(Field::DocumentNumber, FieldProblem::Unreadable);
            }
            if document.issued_on > facts.today {
                return fail(Field::DocumentIssuedOn, FieldProblem::InFuture);
            }
            if document.issued_on < facts.birth_date {
                return fail(Field::DocumentIssuedOn, FieldProblem::BeforeBirth);
            }
            Ok(PersonChange::Document {
                document: IdentityDocument {
                    kind: document.kind,
                    number,
                    issued_on: document.issued_on,
                },
            })
        }
        PersonChange::TemporaryAddress { address } => {
            let mut errors = Vec::new();
            let checked = check_address(&mut errors, Field::TemporaryAddress, address);
            match errors.pop() {
                Some(error) => Err(error),
                // an empty address ends the temporary residence
                None => Ok(PersonChange::TemporaryAddress { address: checked }),
            }
        }
        PersonChange::Workplace { workplace } => {
            let text = workplace
                .as_deref()
                .map(|text| text.split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|text| !text.is_empty());
            match text {
                Some(text) if !readable_text(&text) => fail(Field::Workplace, FieldProblem::Unreadable),
                workplace => Ok(PersonChange::Workplace { workplace }),
            }
        }
        PersonChange::Relative { relation, iin } => {
            let Some(text) = iin.as_deref().map(str::trim).filter(|text| !text.is_empty()) else {
                return Ok(PersonChange::Relative {
                    relation: *relation,
                    iin: None,
                });
            };
            match Iin::parse(text) {
                Err(reason) => fail(Field::RelativeIin, FieldProblem::InvalidIin { reason }),
                Ok(relative) if relative.as_string() == facts.iin => {
                    fail(Field::RelativeIin, FieldProblem::SamePerson)
                }
                Ok(relative) => Ok(PersonChange::Relative {
                    relation: *relation,
                    iin: Some(relative.as_string()),
                }),
            }
        }
    }
}

/// Text the register keeps: not longer than a name may be, no control characters.
fn readable_text(text: &str) -> bool {
    text.chars().count() <= crate::person::MAX_TEXT_CHARS && !text.chars().any(char::is_control)
}

/// An address with its parts trimmed; `None` when left empty or incomplete
/// (incomplete is an error at the field).
fn check_address(errors: &mut Vec<FieldError>, field: Field, address: &Option<Address>) -> Option<Address> {
    let address = address.as_ref()?;
    let trimmed = Address {
        settlement: address.settlement.trim().to_string(),
        street: address.street.trim().to_string(),
        house: address.house.trim().to_string(),
        apartment: address
            .apartment
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(String::from),
    };
    let parts = [&trimmed.settlement, &trimmed.street, &trimmed.house];
    if parts.iter().all(|p| p.is_empty()) && trimmed.apartment.is_none() {
        return None;
    }
    if parts.iter().any(|p| p.is_empty()) {
        errors.push(FieldError {
            field,
            problem: FieldProblem::IncompleteAddress,
        });
        return None;
    }
    Some(trimmed)
}
