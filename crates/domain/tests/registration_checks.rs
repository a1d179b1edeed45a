//! Registration form checks: each problem lands at its field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use emhana_domain::registration::{
    DocumentKind, Field, FieldProblem, RegistrationForm, validate_registration,
};
use emhana_domain::{Address, Citizenship, Iin, Sex};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const TODAY: (i32, u32, u32) = (2026, 10, 1);

fn today() -> NaiveDate {
    date(TODAY.0, TODAY.1, TODAY.2)
}

fn adult_iin() -> String {
    Iin::compose(date(1985, 4, 12), Sex::Female, 1234)
        .unwrap()
        .to_string()
}

fn good_form() -> RegistrationForm {
    RegistrationForm {
        iin: adult_iin(),
        surname: " Әбдірахманова ".into(),
        first_name: "Гүлнұр".into(),
        patronymic: "Серікқызы".into(),
        birth_date: Some(date(1985, 4, 12)),
        sex: Some(Sex::Female),
        citizenship: Some(Citizenship::Citizen),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "045123987".into(),
        document_issued_on: Some(date(2019, 6, 3)),
        registered_address: Some(Address {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house: "12".into(),
            apartment: Some("5".into()),
        }),
        temporary_address: None,
        workplace: "".into(),
        phone: "8 701 234 56 78".into(),
        mother_iin: "".into(),
    }
}

fn problems(form: &RegistrationForm) -> Vec<(Field, FieldProblem)> {
    match validate_registration(form, today()) {
        Ok(_) => vec![],
        Err(errors) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
    }
}

#[test]
fn a_complete_form_registers_with_trimmed_names_and_a_national_phone() {
    let registration = validate_registration(&good_form(), today()).unwrap();
    assert_eq!(registration.person.surname, "Әбдірахманова");
    assert_eq!(registration.person.phone.as_deref(), Some("7012345678"));
    assert_eq!(registration.workplace, None);
}

#[test]
fn the_iin_fills_birth_date_and_sex_left_empty() {
    let form = RegistrationForm {
        birth_date: None,
        sex: None,
        ..good_form()
    };
    let registration = validate_registration(&form, today()).unwrap();
    assert_eq!(registration.person.birth_date, date(1985, 4, 12));
    assert_eq!(registration.person.sex, Sex::Female);
}

#[test]
fn each_problem_lands_at_its_field() {
    let child_iin = Iin::compose(date(2018, 2, 1), Sex::Male, 77).unwrap().to_string();
    let mut bad_check_digit = adult_iin();
    let last = bad_check_digit.pop().unwrap().to_digit(10).unwrap();
    bad_check_digit.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let cases: Vec<(&str, RegistrationForm, Vec<Field>)> = vec![
        (
            "bad check digit",
            RegistrationForm {
                iin: bad_check_digit,
                birth_date: Some(date(1985, 4, 12)),
                ..good_form()
            },
            vec![Field::Iin],
        ),
        (
            // the registry keeps names of at most 100 letters
            "a surname of 101 letters",
            RegistrationForm {
                surname: "а".repeat(101),
                ..good_form()
            },
            vec![Field::Surname],
        ),
        (
            "birth date against the IIN",
            RegistrationForm {
                birth_date: Some(date(1985, 4, 13)),
                ..good_form()
            },
            vec![Field::BirthDate],
        ),
        (
            "sex against the IIN",
            RegistrationForm {
                sex: Some(Sex::Male),
                ..good_form()
            },
            vec![Field::Sex],
        ),
        (
            "no surname",
            RegistrationForm {
                surname: "  ".into(),
                ..good_form()
            },
            vec![Field::Surname],
        ),
        (
            "digits in a name",
            RegistrationForm {
                first_name: "Гүлнұр2".into(),
                ..good_form()
            },
            vec![Field::FirstName],
        ),
        (
            "no document",
            RegistrationForm {
                document_kind: None,
                document_number: "".into(),
                ..good_form()
            },
            vec![Field::DocumentKind, Field::DocumentNumber],
        ),
        (
            "document issued tomorrow",
            RegistrationForm {
                document_issued_on: Some(date(2026, 10, 2)),
                ..good_form()
            },
            vec![Field::DocumentIssuedOn],
        ),
        (
            "no address",
            RegistrationForm {
                registered_address: None,
                ..good_form()
            },
            vec![Field::RegisteredAddress],
        ),
        (
            "half an address",
            RegistrationForm {
                registered_address: Some(Address {
                    settlement: "Астана".into(),
                    street: "".into(),
                    house: "".into(),
                    apartment: None,
                }),
                ..good_form()
            },
            vec![Field::RegisteredAddress],
        ),
        (
            "bad phone",
            RegistrationForm {
                phone: "12345".into(),
                ..good_form()
            },
            vec![Field::Phone],
        ),
        (
            "no citizenship",
            RegistrationForm {
                citizenship: None,
                ..good_form()
            },
            vec![Field::Citizenship],
        ),
        (
            "a child with an ID card",
            RegistrationForm {
                iin: child_iin.clone(),
                birth_date: None,
                sex: None,
                document_issued_on: Some(date(2018, 3, 1)),
                ..good_form()
            },
            vec![Field::DocumentKind],
        ),
        (
            "a document issued before birth",
            RegistrationForm {
                iin: child_iin.clone(),
                birth_date: None,
                sex: None,
                document_kind: Some(DocumentKind::BirthCertificate),
                document_issued_on: Some(date(2017, 3, 1)),
                ..good_form()
            },
            vec![Field::DocumentIssuedOn],
        ),
        (
            "an adult with a birth certificate",
            RegistrationForm {
                document_kind: Some(DocumentKind::BirthCertificate),
                ..good_form()
            },
            vec![Field::DocumentKind],
        ),
        (
            "mother's IIN is the person's",
            RegistrationForm {
                mother_iin: adult_iin(),
                ..good_form()
            },
            vec![Field::MotherIin],
        ),
        (
            "mother's IIN too short",
            RegistrationForm {
                mother_iin: "85041".into(),
                ..good_form()
            },
            vec![Field::MotherIin],
        ),
    ];
    for (name, form, expected) in cases {
        let fields: Vec<Field> = problems(&form).into_iter().map(|(field, _)| field).collect();
        assert_eq!(fields, expected, "{name}");
    }
}

#[test]
fn a_child_with_a_birth_certificate_and_a_mother_registers() {
    let form = RegistrationForm {
        iin: Iin::compose(date(2018, 2, 1), Sex::Male, 77).unwrap().to_string(),
        first_name: "Нұрасыл".into(),
        birth_date: Some(date(2018, 2, 1)),
        sex: Some(Sex::Male),
        document_kind: Some(DocumentKind::BirthCertificate),
        document_issued_on: Some(date(2018, 2, 20)),
        mother_iin: adult_iin(),
        ..good_form()
    };
    let registration = validate_registration(&form, today()).unwrap();
    assert_eq!(
        registration.mother_iin.map(|iin| iin.to_string()),
        Some(adult_iin())
    );
}

#[test]
fn a_field_problem_serializes_with_one_code_and_its_reason() {
    let form = RegistrationForm {
        iin: "12345".into(),
        ..good_form()
    };
    let errors = validate_registration(&form, today()).unwrap_err();
    let json = serde_json::to_value(&errors[0]).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"field": "iin", "problem": {"code": "invalid_iin", "reason": {"code": "wrong_length", "kind": "iin", "length": 5}}})
    );
}

/// Seed 000: outside the campaign a person re-attaches "при смене места
/// постоянного или временного проживания" — the new residence is asked for.
#[test]
fn a_change_of_residence_names_the_new_residence_whole_and_other_grounds_do_not_ask() {
    use emhana_domain::attachment::AttachmentGround;
    use emhana_domain::registration::{NewResidence, check_new_residence};
    let moved = |settlement: &str, house: &str| NewResidence {
        address: Address {
            settlement: settlement.into(),
            street: " Орталық көшесі ".into(),
            house: house.into(),
            apartment: Some(" ".into()),
        },
        temporary: true,
    };
    let ground = AttachmentGround::ChangeOfResidence;
    let checked = check_new_residence(ground, Some(&moved("Ақсу", "14")))
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            checked.address.street.as_str(),
            checked.address.apartment,
            checked.temporary
        ),
        ("Орталық көшесі", None, true)
    );
    let problem = |given: Option<&NewResidence>| check_new_residence(ground, given).unwrap_err();
    assert_eq!(
        (problem(None).field, problem(None).problem),
        (Field::NewAddress, FieldProblem::Required)
    );
    assert_eq!(
        problem(Some(&moved("Ақсу", ""))).problem,
        FieldProblem::IncompleteAddress
    );
    let blank = NewResidence {
        address: Address {
            settlement: " ".into(),
            street: String::new(),
            house: String::new(),
            apartment: None,
        },
        temporary: false,
    };
    assert_eq!(problem(Some(&blank)).problem, FieldProblem::Required);
    assert_eq!(
        check_new_residence(AttachmentGround::FirstAttachment, None),
        Ok(None)
    );
    assert_eq!(
        check_new_residence(AttachmentGround::FreeChoice, Some(&moved("Ақсу", "14"))),
        Ok(None),
        "only a change of residence moves the person"
    );
}

#[test]
fn a_change_of_a_persons_data_is_checked_as_the_registration_form_checks_it() {
    use emhana_domain::registration::{
        ChangeFacts, DocumentKind, IdentityDocument, PersonChange, Relation, check_person_change,
    };
    let address = |settlement: &str, street: &str, house: &str| Address {
        settlement: settlement.into(),
        street: street.into(),
        house: house.into(),
        apartment: Some("  ".into()),
    };
    let trimmed = |settlement: &str, street: &str, house: &str| Address {
        apartment: None,
        ..address(settlement, street, house)
    };
    let phone = |text: &str| PersonChange::Phone {
        phone: Some(text.into()),
    };
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a date");
    let document = |kind, number: &str, issued_on: &str| PersonChange::Document {
        document: IdentityDocument {
            kind,
            number: number.into(),
            issued_on: date(issued_on),
        },
    };
    let relative = |relation, iin: Option<&str>| PersonChange::Relative {
        relation,
        iin: iin.map(String::from),
    };
    // a girl born 2010-03-14: 16 on 2026-03-14
    let girl = Iin::compose(date("2010-03-14"), Sex::Female, 1)
        .expect("an IIN")
        .as_string();
    let mother = Iin::compose(date("1985-06-01"), Sex::Female, 7)
        .expect("an IIN")
        .as_string();
    // her mother's IIN with its last digit one off
    let misspelt = format!("{}{}", &mother[..11], (mother.as_bytes()[11] - b'0' + 1) % 10);
    let facts = |today: &str| ChangeFacts {
        iin: &girl,
        birth_date: date("2010-03-14"),
        today: date(today),
    };
    type Case = (
        &'static str,
        PersonChange,
        &'static str,
        Result<PersonChange, (Field, FieldProblem)>,
    );
    let cases: Vec<Case> = vec![
        (
            "a whole address, trimmed, the empty apartment dropped",
            PersonChange::Address {
                address: address(" Астана ", "Сарайшық көшесі", "5"),
            },
            "2026-12-01",
            Ok(PersonChange::Address {
                address: trimmed("Астана", "Сарайшық көшесі", "5"),
            }),
        ),
        (
            "an address without its house",
            PersonChange::Address {
                address: address("Астана", "Сарайшық көшесі", " "),
            },
            "2026-12-01",
            Err((Field::RegisteredAddress, FieldProblem::IncompleteAddress)),
        ),
        (
            "no address at all",
            PersonChange::Address {
                address: address("", "", ""),
            },
            "2026-12-01",
            Err((Field::RegisteredAddress, FieldProblem::Required)),
        ),
        (
            "a phone as people write it",
            phone("+7 (701) 123-45-67"),
            "2026-12-01",
            Ok(PersonChange::Phone {
                phone: Some("7011234567".into()),
            }),
        ),
        (
            "an empty phone: she has none now",
            phone("  "),
            "2026-12-01",
            Ok(PersonChange::Phone { phone: None }),
        ),
        (
            "a phone of nine digits",
            phone("701 123 456"),
            "2026-12-01",
            Err((Field::Phone, FieldProblem::InvalidPhone)),
        ),
        (
            "the ID card she received at 16, its number trimmed",
            document(DocumentKind::IdCard, " 049 123 456 ", "2026-04-02"),
            "2026-12-01",
            Ok(document(DocumentKind::IdCard, "049 123 456", "2026-04-02")),
        ),
        (
            "an ID card the day before she turns 16",
            document(DocumentKind::IdCard, "049123456", "2026-03-01"),
            "2026-03-13",
            Err((Field::DocumentKind, FieldProblem::ChildNeedsBirthCertificate)),
        ),
        (
            "a birth certificate at 16",
            document(DocumentKind::BirthCertificate, "I-АЛ 0012345", "2010-03-20"),
            "2026-12-01",
            Err((Field::DocumentKind, FieldProblem::BirthCertificateOver16)),
        ),
        (
            "a document without its number",
            document(DocumentKind::Passport, "  ", "2026-04-02"),
            "2026-12-01",
            Err((Field::DocumentNumber, FieldProblem::Required)),
        ),
        (
            "a document issued tomorrow",
            document(DocumentKind::Passport, "N12345678", "2026-12-02"),
            "2026-12-01",
            Err((Field::DocumentIssuedOn, FieldProblem::InFuture)),
        ),
        (
            "a document issued before she was born",
            document(DocumentKind::Passport, "N12345678", "2009-01-01"),
            "2026-12-01",
            Err((Field::DocumentIssuedOn, FieldProblem::BeforeBirth)),
        ),
        (
            "a temporary residence, trimmed",
            PersonChange::TemporaryAddress {
                address: Some(address("Косшы ", " Республика", "12")),
            },
            "2026-12-01",
            Ok(PersonChange::TemporaryAddress {
                address: Some(trimmed("Косшы", "Республика", "12")),
            }),
        ),
        (
            "an empty temporary address: back at the registered one",
            PersonChange::TemporaryAddress {
                address: Some(address(" ", "", "")),
            },
            "2026-12-01",
            Ok(PersonChange::TemporaryAddress { address: None }),
        ),
        (
            "a temporary address without its street",
            PersonChange::TemporaryAddress {
                address: Some(address("Косшы", "", "12")),
            },
            "2026-12-01",
            Err((Field::TemporaryAddress, FieldProblem::IncompleteAddress)),
        ),
        (
            "a school, its spaces folded",
            PersonChange::Workplace {
                workplace: Some("  Школа-лицей   №7 ".into()),
            },
            "2026-12-01",
            Ok(PersonChange::Workplace {
                workplace: Some("Школа-лицей №7".into()),
            }),
        ),
        (
            "left school and works nowhere",
            PersonChange::Workplace {
                workplace: Some("   ".into()),
            },
            "2026-12-01",
            Ok(PersonChange::Workplace { workplace: None }),
        ),
        (
            "a workplace with a control character",
            PersonChange::Workplace {
                workplace: Some("ТОО \u{7}Береке".into()),
            },
            "2026-12-01",
            Err((Field::Workplace, FieldProblem::Unreadable)),
        ),
        (
            "her mother by IIN",
            relative(Relation::Mother, Some(&format!(" {mother} "))),
            "2026-12-01",
            Ok(relative(Relation::Mother, Some(&mother))),
        ),
        (
            "a guardian's IIN with a wrong check digit",
            relative(Relation::Guardian, Some(&misspelt)),
            "2026-12-01",
            Err((
                Field::RelativeIin,
                FieldProblem::InvalidIin {
                    reason: Iin::parse(&misspelt).expect_err("a wrong check digit"),
                },
            )),
        ),
        (
            "her own IIN as her father's",
            relative(Relation::Father, Some(&girl)),
            "2026-12-01",
            Err((Field::RelativeIin, FieldProblem::SamePerson)),
        ),
        (
            "the guardianship ends",
            relative(Relation::Guardian, Some(" ")),
            "2026-12-01",
            Ok(relative(Relation::Guardian, None)),
        ),
    ];
    for (case, change, today, expected) in cases {
        let got = check_person_change(&change, facts(today)).map_err(|error| (error.field, error.problem));
        assert_eq!(got, expected, "{case}");
    }
}
