//! The appointment slip, the doctor's day list and the nurse's round schedule.

use super::*;

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
