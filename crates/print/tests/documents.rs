//! The documents as a person gets them: real PDFs read back with poppler's
//! `pdftotext`, checked with `qpdf --check`, the QR code decoded with `zbarimg`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use emhana_domain::attachment::{AttachmentGround, Campaign, Channel, RefusalGround};
use emhana_domain::booking::{BookingStatus, VisitReason};
use emhana_domain::documents::{
    ApplicationDocument, BookingSlip, ClinicHeader, ConsentDocument, DayListBooking, DayListRow,
    DoctorDayList, DocumentOutcome, PersonLine, SlipFormat, TeamMember,
};
use emhana_domain::{Address, DistrictKind, StaffRole};
use emhana_print::{Printer, application_qr_text};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn clinic() -> ClinicHeader {
    ClinicHeader {
        name_kk: "№1 қалалық емхана".into(),
        name_ru: "Городская поликлиника №1".into(),
        bin: "040340000018".into(),
        address: "Астана, Абай даңғылы, 10".into(),
        phone: "+7 7172 20 00 00".into(),
        hours: "Дс–Жм / Пн–Пт 08:00–20:00".into(),
    }
}

fn person() -> PersonLine {
    PersonLine {
        full_name: "Әбдірахманова Гүлнұр Серікқызы".into(),
        iin: "850412400123".into(),
        birth_date: date(1985, 4, 12),
        address: Some(Address {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house: "12".into(),
            apartment: Some("5".into()),
        }),
    }
}

fn application(outcome: DocumentOutcome) -> ApplicationDocument {
    ApplicationDocument {
        clinic: clinic(),
        application_id: 4711,
        application_number: "2026/17".into(),
        submitted_at: Utc.with_ymd_and_hms(2026, 10, 1, 5, 30, 0).unwrap(),
        decided_on: date(2026, 10, 1),
        channel: Channel::InPerson,
        ground: AttachmentGround::FreeChoice,
        person: person(),
        registrar: "Оспанова Дана Құрманғазықызы".into(),
        outcome,
    }
}

/// Writes a PDF into the test's folder, or into `EMHANA_PRINT_OUT` when set,
/// to look at the pages.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::var_os("EMHANA_PRINT_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.to_path_buf());
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn qpdf_check(pdf: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(pdf).output().unwrap();
    assert!(
        out.status.success(),
        "qpdf --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn qr_of(pdf: &Path) -> String {
    let prefix = pdf.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(prefix.with_extension("png"))
        .output()
        .unwrap();
    assert!(out.status.success(), "zbarimg found no code");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Every fragment, in the order given, with whitespace runs as pdftotext lays them out.
fn assert_contains_all(text: &str, fragments: &[&str]) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for fragment in fragments {
        assert!(flat.contains(fragment), "{fragment:?} not in:\n{text}");
    }
}

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

fn slip(provisional: bool) -> BookingSlip {
    BookingSlip {
        clinic: clinic(),
        number: "2026/118".into(),
        doctor: "Жұмабаев Ерлан Маратұлы".into(),
        specialty: Some("therapist".into()),
        room: Some("214".into()),
        starts_at: date(2026, 11, 25).and_hms_opt(9, 30, 0).unwrap(),
        person_name: "Әбдірахманова Гүлнұр Серікқызы".into(),
        masked_iin: "********0123".into(),
        reason: VisitReason::ChronicDiseaseObservation,
        provisional,
    }
}

fn page_size(pdf: &Path) -> String {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8(out.stdout).unwrap();
    info.lines()
        .find(|line| line.starts_with("Page size:"))
        .unwrap()
        .to_string()
}

fn pages(pdf: &Path) -> usize {
    let out = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8(out.stdout).unwrap();
    let line = info.lines().find(|line| line.starts_with("Pages:")).unwrap();
    line.split_whitespace().last().unwrap().parse().unwrap()
}

#[test]
fn the_slip_says_where_when_and_with_whom_on_either_paper() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    for (format, size) in [
        (SlipFormat::A6, "297.638 x 419.528"),
        (SlipFormat::Receipt80, "226.772 x 481.89"),
    ] {
        let name = format!("slip-{}.pdf", format.as_str());
        let pdf = write(dir.path(), &name, &printer.slip(&slip(true), format).unwrap());
        qpdf_check(&pdf);
        assert!(page_size(&pdf).contains(size), "{format:?}: {}", page_size(&pdf));
        assert_eq!(pages(&pdf), 1);
        let text = text_of(&pdf);
        assert_contains_all(
            &text,
            &[
                "№1 қалалық емхана",
                "Талон на приём к врачу",
                "№ 2026/118",
                "25.11.2026 09:30",
                "среда",
                "Жұмабаев Ерлан Маратұлы",
                "участковый терапевт",
                "214",
                "Әбдірахманова Гүлнұр Серікқызы",
                "********0123",
                "Динамическое наблюдение",
                "ПРЕДВАРИТЕЛЬНО",
            ],
        );
        // The full IIN never appears on a slip.
        assert!(!text.contains("850412400123"));
    }
    let confirmed = write(
        dir.path(),
        "slip-confirmed.pdf",
        &printer.slip(&slip(false), SlipFormat::A6).unwrap(),
    );
    assert!(!text_of(&confirmed).contains("ПРЕДВАРИТЕЛЬНО"));
}

#[test]
fn the_day_list_has_every_slot_and_runs_onto_a_second_page() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let time = |minutes: u32| chrono::NaiveTime::from_hms_opt(8 + minutes / 60, minutes % 60, 0).unwrap();
    let rows: Vec<DayListRow> = (0..32)
        .map(|index| DayListRow {
            starts: time(index * 15),
            ends: time(index * 15 + 15),
            room: Some("214".into()),
            booking: (index % 3 == 0).then(|| DayListBooking {
                number: format!("2026/{}", 100 + index),
                person_name: format!("Әлібеков Қайрат {index}"),
                iin: "780322300458".into(),
                birth_date: date(1978, 3, 22),
                phone: Some("+7 701 234 56 78".into()),
                reason: VisitReason::AcuteOrExacerbation,
                status: if index == 0 {
                    BookingStatus::Arrived
                } else {
                    BookingStatus::Booked
                },
            }),
        })
        .collect();
    let list = DoctorDayList {
        clinic: clinic(),
        doctor: "Жұмабаев Ерлан Маратұлы".into(),
        specialty: Some("therapist".into()),
        date: date(2026, 11, 25),
        closed: None,
        rows,
    };
    let pdf = write(dir.path(), "day.pdf", &printer.day_list(&list).unwrap());
    qpdf_check(&pdf);
    assert_eq!(pages(&pdf), 2);
    let text = text_of(&pdf);
    assert_contains_all(
        &text,
        &[
            "Список приёма врача",
            "Жұмабаев Ерлан Маратұлы",
            "25.11.2026, сәрсенбі / среда",
            "Слотов: 32 · Жазылғандар / Записано: 11 · Бос / Свободно: 21",
            "08:00–08:15",
            "Әлібеков Қайрат 0",
            "780322300458 · 22.03.1978",
            "+7 701 234 56 78",
            // the reason whole in both languages: its first and last words
            "Жіті жағдай",
            "өршуі",
            "Острое состояние",
            "заболевания",
            "келді / пришёл",
            "— бос / свободно —",
            "15:45–16:00",
            "Әлібеков Қайрат 30",
        ],
    );
}

#[test]
fn the_round_schedule_is_landscape_bilingual_and_has_every_visit() {
    use emhana_domain::care_plan::VisitPurpose;
    use emhana_domain::documents::{RoundRow, RoundRowItem, RoundSchedule};
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let time = |minutes: u32| chrono::NaiveTime::from_hms_opt(13 + minutes / 60, minutes % 60, 0).unwrap();
    let mut rows: Vec<RoundRow> = (0..20)
        .map(|index| RoundRow {
            time: time(index * 45 % 600),
            person_name: format!("Нұрланова Әйгерім {index}"),
            birth_date: date(2026, 11, 20),
            age_years: 0,
            age_months: 0,
            address: Some(format!("Астана, Абай даңғылы, {}", index + 1)),
            phones: vec!["+7 701 222 33 44".into()],
            items: vec![RoundRowItem::Visit {
                purpose: VisitPurpose::ChildPatronage,
                what: None,
                overdue: index == 3,
            }],
        })
        .collect();
    rows.push(RoundRow {
        time: time(0),
        person_name: "Нұрланов Серік".into(),
        birth_date: date(1965, 2, 2),
        age_years: 61,
        age_months: 741,
        address: Some("Астана, Абай даңғылы, 9".into()),
        // the caller's phone, recorded with the call; the person has none on file
        phones: vec!["+7 702 555 66 77".into()],
        items: vec![RoundRowItem::Call {
            number: "2026/7".into(),
            complaint: "басы ауырады / головная боль".into(),
            temperature: Some(37.6),
        }],
    });
    // A long name, a long address and a person with two visits due: every word is printed.
    rows.push(RoundRow {
        time: time(45),
        person_name: "Әбдірахманова-Жұмабекова Гүлжазира Нұрсұлтанқызы".into(),
        birth_date: date(1958, 6, 1),
        age_years: 68,
        age_months: 821,
        address: Some("Астана, Сарыарқа ауданы, Бейбітшілік көшесі, 114/2, пәтер 97".into()),
        phones: vec!["+7 705 111 22 33".into()],
        items: vec![
            RoundRowItem::Visit {
                purpose: VisitPurpose::ObservationNurse,
                what: Some(
                    "АҚ, ЖЖ өлшеу, дәрі-дәрмек қабылдауын тексеру / АД, ЧСС, приверженность лечению".into(),
                ),
                overdue: true,
            },
            RoundRowItem::Visit {
                purpose: VisitPurpose::ObservationNurse,
                what: Some("ҚД-2: глюкоза, аяқ табанын қарау / СД-2: глюкоза, осмотр стоп".into()),
                overdue: false,
            },
            // the same visit of a missed window and of the next: one bullet, counted
            RoundRowItem::Visit {
                purpose: VisitPurpose::ObservationNurse,
                what: Some("ҚД-2: глюкоза, аяқ табанын қарау / СД-2: глюкоза, осмотр стоп".into()),
                overdue: false,
            },
        ],
    });
    let schedule = RoundSchedule {
        clinic: clinic(),
        nurse: "Сейітова Гүлнұр".into(),
        district_number: Some(1),
        day: date(2026, 11, 24),
        rows,
    };
    let pdf = write(
        dir.path(),
        "round.pdf",
        &printer.round_schedule(&schedule).unwrap(),
    );
    qpdf_check(&pdf);
    assert!(
        page_size(&pdf).contains("841.89 x 595.276"),
        "{}",
        page_size(&pdf)
    );
    // 22 stops, the rows as tall as their fullest cell: three pages, none cut
    assert_eq!(pages(&pdf), 3);
    let text = text_of(&pdf);
    assert_contains_all(
        &text,
        &[
            "Үйге бару кестесі / График посещений на дому",
            "Сейітова Гүлнұр · Учаске / Участок № 1 · 24.11.2026, сейсенбі / вторник · Барулар / Посещений: 22",
            "Мекенжайы",
            "Адрес",
            "Отметка, подпись пациента",
            "Нұрланова Әйгерім 0",
            "0 ай",
            "0 мес.",
            "Балалар патронажы / Патронаж ребёнка",
            "ПРОСРОЧЕНО",
            "Нұрланова Әйгерім 19",
            "61 жас",
            "61 год",
            "Шақыру / Вызов № 2026/7",
            "37,6 °C",
            "+7 702 555 66 77",
            "Нұрсұлтанқызы",
            "пәтер 97",
            "приверженность лечению",
            "осмотр стоп (×2)",
        ],
    );
    assert_eq!(
        text.matches("осмотр стоп").count(),
        1,
        "one bullet for the twice-due visit"
    );
    // kept for a person to render and look at (pdftoppm)
    std::fs::copy(&pdf, Path::new(env!("CARGO_TARGET_TMPDIR")).join("round.pdf")).unwrap();
}
