//! The OSMS statement in the form of seed 003 appendix 3, and its refusal.

use emhana_domain::documents::{OsmsStatement, OsmsStatementRefusal, StatementRefusalGround};
use emhana_domain::osms::{Arrears, Month, OsmsStatus, Payment, PaymentKind};

use super::*;

fn payment(year: i32, month: u32, kind: PaymentKind) -> Payment {
    Payment {
        paid_on: date(year, month, 25),
        amount_tiyn: 425_000,
        kind,
        period: Month { year, month },
        payer: "040340000018".into(),
        refund_tiyn: None,
        refunded_on: None,
    }
}

fn statement() -> OsmsStatement {
    let mut payments: Vec<Payment> = (1..=9)
        .map(|m| payment(2025, m, PaymentKind::Deduction))
        .collect();
    payments.push(Payment {
        refund_tiyn: Some(425_000),
        refunded_on: Some(date(2025, 11, 3)),
        ..payment(2025, 10, PaymentKind::Contribution)
    });
    let months: Vec<Month> = (0..12)
        .map(|n| {
            Month {
                year: 2025,
                month: 11,
            }
            .plus(n)
        })
        .collect();
    OsmsStatement {
        clinic: clinic(),
        full_name: "Әбдірахманова Гүлнұр Серікқызы".into(),
        iin: "850412400123".into(),
        issued_on: date(2026, 11, 20),
        known_at: Utc.with_ymd_and_hms(2026, 11, 20, 5, 30, 0).unwrap(),
        payments,
        status: OsmsStatus::NotConsumer {
            last_paid: Some(Month { year: 2025, month: 9 }),
            unpaid_months: 12,
        },
        arrears: Some(Arrears {
            months,
            per_month_tiyn: 425_000,
            total_tiyn: 5_100_000,
            wage_year: 2026,
        }),
        arrears_problem: None,
        printed_by: "Оспанова Дана Құрманғазықызы".into(),
    }
}

#[test]
fn the_statement_is_the_form_of_appendix_3_in_kazakh_and_russian() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let pdf = write(
        dir.path(),
        "osms-statement.pdf",
        &printer.osms_statement(&statement()).unwrap(),
    );
    qpdf_check(&pdf);
    let text = text_of(&pdf);
    assert_contains_all(
        &text,
        &[
            // the form's title and head
            "Информация об участии в качестве потребителя медицинских услуг и о перечисленных суммах",
            "Медициналық қызметтерді тұтынушы ретінде қатысу",
            "Выдана",
            "Әбдірахманова Гүлнұр Серікқызы, 850412400123",
            "Дата выдачи 20.11.2026",
            "Сведения Фонда на: 20.11.2026 10:30",
            // the status line and the note
            "Статус в системе обязательного социального медицинского страхования",
            "МӘМС тұтынушысы емес / Не потребитель ОСМС",
            "не более двенадцати месяцев, предшествующих дате оплаты, в размере 5 процентов",
            "он екі айдан аспайтын",
            // 12 × 5 % × 85,000 tenge
            "12 ай / мес. × 4 250,00 = 51 000,00 теңге / тенге",
            "Неоплаченные месяцы: 11.2025 — 10.2026",
            // the contact centres of appendix 2 p. 10
            "1406",
            "8-800-080-7777, 1414",
            "Распечатал(а): Оспанова Дана Құрманғазықызы",
        ],
    );
    // the table's eight columns, heads in both languages, read column by column
    for head in [
        "№",
        "Төлем күні*",
        "платежа*",
        "Кезең",
        "Период",
        "Плательщик",
        "Сумма",
        "возврата",
        "Қайтару",
    ] {
        assert!(text.contains(head), "{head:?} not in:\n{text}");
    }
    // a row: its number, date, amount, kind, period, payer; the refunded one with its refund
    let rows: Vec<&str> = text
        .lines()
        .filter(|line| line.contains("040340000018") && line.contains(".2025"))
        .collect();
    assert_eq!(rows.len(), 10, "one line per payment:\n{text}");
    let first = rows[0].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        first.starts_with("1 25.01.2025 4 250,00 аударым / 01.2025 040340000018"),
        "{first}"
    );
    let refunded = rows[9].split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(refunded.ends_with("4 250,00 03.11.2025"), "{refunded}");
}

#[test]
fn a_statement_without_consent_is_refused_with_the_ground_of_appendix_2() {
    let dir = tempfile::tempdir().unwrap();
    let printer = Printer::new().unwrap();
    let refusal = OsmsStatementRefusal {
        clinic: clinic(),
        full_name: "Әбдірахманова Гүлнұр Серікқызы".into(),
        iin: "850412400123".into(),
        issued_on: date(2026, 11, 20),
        ground: StatementRefusalGround::NoConsent,
        printed_by: "Оспанова Дана Құрманғазықызы".into(),
    };
    let pdf = write(
        dir.path(),
        "osms-refusal.pdf",
        &printer.osms_statement_refusal(&refusal).unwrap(),
    );
    qpdf_check(&pdf);
    assert_contains_all(
        &text_of(&pdf),
        &[
            "Мотивированный отказ в оказании государственной услуги",
            "Әбдірахманова Гүлнұр Серікқызы · ЖСН / ИИН 850412400123",
            // seed 003 appendix 2 p. 9.5, word for word
            "Отсутствие согласия застрахованного, предоставляемого в соответствии со статьей 8 Закона Республики \
             Казахстан «О персональных данных и их защите», на доступ к персональным данным ограниченного доступа",
            "келісімінің болмауы",
            "пункт 9, подпункт 5)",
            "8-800-080-7777, 1414",
        ],
    );
}
