//! The attachment ticket, the refusal and the consent.

use super::*;

#[test]
fn the_ticket_carries_everything_bilingual_with_kazakh_letters_exact() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let ticket = application(DocumentOutcome::Attached {
        district_number: 3,
        district_kind: DistrictKind::Therapeutic,
        team: vec![
            TeamMember {
                role: StaffRole::DistrictDoctor,
                name: "Жұмабаев Ерлан Маратұлы".into(),
            },
            TeamMember {
                role: StaffRole::DistrictNurse,
                name: "Сейітова Гүлнұр".into(),
            },
        ],
        effective_on: date(2026, 10, 1),
        provisional: true,
    });
    let pdf = write(dir.path(), "ticket.pdf", &printer.application(&ticket).unwrap());
    qpdf_check(&pdf);
    let text = text_of(&pdf);
    assert_contains_all(
        &text,
        &[
            "№1 қалалық емхана",
            "Городская поликлиника №1",
            "БСН / БИН 040340000018",
            "Астана, Абай даңғылы, 10",
            "+7 7172 20 00 00",
            "МСАК ұйымына бекіту туралы талон",
            "Талон о прикреплении к организации ПМСП",
            "№ 2026/17 · 01.10.2026 10:30",
            "Әбдірахманова Гүлнұр Серікқызы",
            "850412400123 · 12.04.1985",
            "Астана, Абай даңғылы, үй / д. 12, пәтер / кв. 5",
            "№3 — терапиялық / терапевтический",
            "Учаскелік терапевт / Участковый терапевт",
            "Жұмабаев Ерлан Маратұлы",
            "Учаскелік мейіргер / Участковая медсестра",
            "Сейітова Гүлнұр",
            "Еркін таңдау (бекіту науқаны) / Свободный выбор",
            "01.10.2026",
            "АЛДЫН АЛА — тіркелімнің растауын күтуде",
            "ПРЕДВАРИТЕЛЬНО — ожидает подтверждения регистра",
            "Оспанова Дана Құрманғазықызы",
        ],
    );
    assert_eq!(qr_of(&pdf), application_qr_text("040340000018", 4711));

    // once the registry confirms, the mark is gone
    let confirmed = ApplicationDocument {
        outcome: DocumentOutcome::Attached {
            district_number: 3,
            district_kind: DistrictKind::Therapeutic,
            team: Vec::new(),
            effective_on: date(2026, 10, 1),
            provisional: false,
        },
        ..ticket
    };
    let pdf = write(
        dir.path(),
        "confirmed.pdf",
        &printer.application(&confirmed).unwrap(),
    );
    let text = text_of(&pdf);
    assert!(!text.contains("ПРЕДВАРИТЕЛЬНО"), "{text}");
    assert_contains_all(&text, &["Участковый врач", "—"]);
    let size = std::fs::metadata(&pdf).unwrap().len();
    assert!(size < 150_000, "fonts are subset: {size} bytes");
}

#[test]
fn a_feldsher_post_s_ticket_names_the_feldsher_as_feldsher_and_no_empty_nurse() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let ticket = application(DocumentOutcome::Attached {
        district_number: 9,
        district_kind: DistrictKind::GeneralPractice,
        team: vec![TeamMember {
            role: StaffRole::Feldsher,
            name: "Қасымова Айгүл Болатқызы".into(),
        }],
        effective_on: date(2026, 10, 1),
        provisional: false,
    });
    let pdf = write(
        dir.path(),
        "post-ticket.pdf",
        &printer.application(&ticket).unwrap(),
    );
    let text = text_of(&pdf);
    assert_contains_all(&text, &["Фельдшер / Фельдшер", "Қасымова Айгүл Болатқызы"]);
    for wrong in ["Участковый врач", "Участковый терапевт", "Участковая медсестра"]
    {
        assert!(!text.contains(wrong), "{wrong:?} in:\n{text}");
    }
}

#[test]
fn the_refusal_names_its_ground_the_rule_and_how_to_appeal() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let refusal = application(DocumentOutcome::Refused {
        ground: RefusalGround::OutsideCampaign,
        campaign: Campaign::seed_default(2026),
    });
    let pdf = write(dir.path(), "refusal.pdf", &printer.application(&refusal).unwrap());
    qpdf_check(&pdf);
    let text = text_of(&pdf);
    assert_contains_all(
        &text,
        &[
            "МСАК ұйымына бекітуден дәлелді бас тарту",
            "Мотивированный отказ в прикреплении к организации ПМСП",
            "Әбдірахманова Гүлнұр Серікқызы",
            "бекіту науқаны кезінде мүмкін: 15.09.2026 – 15.11.2026",
            "в период кампании прикрепления: 15.09.2026 – 15.11.2026",
            "приказ № 281 от 2015 года",
            "5 рабочих дней",
            "15 рабочих",
            "5 жұмыс күні",
            // seeds 003 p. 53 and 004 p. 14: the body that assesses the quality of state services
            "уполномоченный орган по оценке и контролю за качеством оказания государственных услуг",
            "бағалау және бақылау жөніндегі уәкілетті органға",
            "обращение в суд допускается после обжалования в досудебном порядке",
            // seed 004 p. 9: signed by the head or the person authorized, prepared by the registrar
            "Подготовил(а) регистратор: Оспанова Дана Құрманғазықызы",
            "Руководитель организации ПМСП или уполномоченное лицо",
        ],
    );
    assert_eq!(qr_of(&pdf), application_qr_text("040340000018", 4711));
}

#[test]
fn every_refusal_ground_prints() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    for ground in RefusalGround::ALL {
        let document = application(DocumentOutcome::Refused {
            ground: *ground,
            campaign: Campaign::seed_default(2026),
        });
        let pdf = write(
            dir.path(),
            &format!("{}.pdf", ground.as_str()),
            &printer.application(&document).unwrap(),
        );
        qpdf_check(&pdf);
        assert!(text_of(&pdf).contains("Основание отказа"), "{ground:?}");
    }
}

#[test]
fn the_consent_lists_what_the_law_asks_for() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let consent = ConsentDocument {
        clinic: clinic(),
        application_number: "2026/17".into(),
        person: person(),
        given: true,
        valid_until: None,
        third_parties: true,
        cross_border: false,
        publication: false,
        data_list: "ИИН / ЖСН; фамилия, имя, отчество; адрес; сведения о состоянии здоровья".into(),
        recorded_by: "Оспанова Дана".into(),
        recorded_at: Utc.with_ymd_and_hms(2026, 10, 1, 5, 31, 0).unwrap(),
    };
    let pdf = write(dir.path(), "consent.pdf", &printer.consent(&consent).unwrap());
    qpdf_check(&pdf);
    assert_contains_all(
        &text_of(&pdf),
        &[
            "Согласие на доступ к персональным данным ограниченного доступа",
            "Оператор (МСАК ұйымы) / Оператор (организация ПМСП)",
            "№1 қалалық емхана / Городская поликлиника №1",
            "БСН / БИН 040340000018",
            "Әбдірахманова Гүлнұр Серікқызы",
            "До отзыва",
            "Передача третьим лицам",
            "Иә / Да",
            "Трансграничная передача",
            "Жоқ / Нет",
            "сведения о состоянии здоровья",
            "КЕЛІСІМ БЕРІЛДІ / СОГЛАСИЕ ДАНО",
            "Оспанова Дана — 01.10.2026 10:31",
        ],
    );
}

#[test]
fn a_refused_consent_has_no_term_and_grants_no_transfer() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let refused = ConsentDocument {
        clinic: clinic(),
        application_number: "2026/18".into(),
        person: person(),
        given: false,
        valid_until: None,
        third_parties: false,
        cross_border: false,
        publication: false,
        data_list: "ИИН / ЖСН; фамилия, имя, отчество; адрес".into(),
        recorded_by: "Оспанова Дана".into(),
        recorded_at: Utc.with_ymd_and_hms(2026, 10, 1, 5, 40, 0).unwrap(),
    };
    let pdf = write(
        dir.path(),
        "consent-refused.pdf",
        &printer.consent(&refused).unwrap(),
    );
    qpdf_check(&pdf);
    let text = text_of(&pdf);
    assert_contains_all(
        &text,
        &[
            "Перечень запрошенных персональных данных",
            "фамилия, имя, отчество; адрес",
            "КЕЛІСІМ БЕРІЛМЕДІ / В СОГЛАСИИ ОТКАЗАНО",
        ],
    );
    for granted in ["До отзыва", "Срок согласия", "Передача третьим лицам", "Иә / Да"]
    {
        assert!(
            !text.contains(granted),
            "{granted:?} on a refused consent:\n{text}"
        );
    }
}
