//! The visit schedule of a nurse's round: A4 landscape, a row per stop (one
//! person, every call and visit due there) in the day's order, an empty column
//! for notes and the patient's signature. Every cell wraps inside its column
//! and a row is as tall as its fullest cell: nothing is cut.

use chrono::Datelike;
use emhana_domain::documents::{RoundRow, RoundRowItem, RoundSchedule};

use crate::layout::{Page, Sheet, Weight};
use crate::table::{Cell, Table};
use crate::{PrintError, Printer, day, words};

const LANDSCAPE: Sheet = Sheet {
    width: 297.0,
    height: 210.0,
    margin: 12.0,
};
/// Column lefts from the margin: №, time, patient, age, address, phone, visit, notes.
const COLUMNS: [f32; 8] = [0.0, 7.0, 19.5, 67.0, 85.0, 130.0, 160.0, 233.0];
const TABLE: Table<'static> = Table {
    columns: &COLUMNS,
    gutter: 1.8,
    padding: 1.6,
};

impl Printer {
    /// The nurse's round for the day, bilingual, as many pages as it needs.
    pub fn round_schedule(&self, schedule: &RoundSchedule) -> Result<Vec<u8>, PrintError> {
        self.render_on(LANDSCAPE, "График посещений на дому", |page| {
            let (margin, width) = (LANDSCAPE.margin, LANDSCAPE.content_width());
            page.paragraph(
                margin,
                width,
                9.0,
                Weight::Bold,
                &format!("{} / {}", schedule.clinic.name_kk, schedule.clinic.name_ru),
            );
            page.gap(1.5);
            page.paragraph(
                margin,
                width,
                13.0,
                Weight::Bold,
                "Үйге бару кестесі / График посещений на дому",
            );
            let district = schedule
                .district_number
                .map(|n| format!(" · Учаске / Участок № {n}"))
                .unwrap_or_default();
            page.paragraph(
                margin,
                width,
                10.5,
                Weight::Regular,
                &format!(
                    "{}{district} · {}, {} · Барулар / Посещений: {}",
                    schedule.nurse,
                    day(schedule.day),
                    words::weekday(schedule.day.weekday()),
                    schedule.rows.len()
                ),
            );
            head(page);
            for (index, row) in schedule.rows.iter().enumerate() {
                let cells = cells(page, index + 1, row);
                if !page.fits(TABLE.height(&cells)) {
                    page.break_page();
                    head(page);
                }
                TABLE.row(page, &cells);
            }
            page.gap(8.0);
            page.paragraph(
                margin,
                width,
                9.5,
                Weight::Regular,
                "Мейіргер / Медсестра: ____________________   Аға мейіргер / Старшая медсестра: ____________________",
            );
            Ok(())
        })
    }
}

fn head(page: &mut Page<'_>) {
    let margin = page.sheet.margin;
    let right = page.sheet.width - margin;
    page.y += 6.0;
    let top = page.y;
    let labels: [[&str; 2]; 8] = [
        ["№", ""],
        ["Уақыты", "Время"],
        ["Пациент (аты-жөні)", "Пациент (ФИО)"],
        ["Жасы", "Возраст"],
        ["Мекенжайы", "Адрес"],
        ["Телефон", "Телефон"],
        ["Бару түрі мен мақсаты", "Вид и цель посещения"],
        ["Белгі, пациенттің қолы", "Отметка, подпись пациента"],
    ];
    for (x, [kk, ru]) in COLUMNS.iter().zip(labels) {
        page.text_at(margin + x, top, 7.5, Weight::Bold, kk);
        page.text_at(margin + x, top + 3.3, 7.5, Weight::Regular, ru);
    }
    page.y = top + 5.0;
    page.line(margin, right, page.y, 0.8);
}

/// A row's cells, each wrapped to its column's width.
fn cells(page: &Page<'_>, number: usize, row: &RoundRow) -> Vec<Cell> {
    let wrapped = |text: &str, i: usize, size: f32, weight: Weight| TABLE.cell(page, i, text, size, weight);
    let mut visit = Cell::new();
    // the same visit due twice at one door (a missed window and the next) is one bullet, counted
    let mut items: Vec<(&RoundRowItem, usize)> = Vec::new();
    for item in &row.items {
        match items.last_mut() {
            Some((last, count)) if *last == item => *count += 1,
            _ => items.push((item, 1)),
        }
    }
    for (item, count) in &items {
        let text = match item {
            RoundRowItem::Visit {
                purpose,
                what,
                overdue,
            } => {
                // overdue first, so it is read before the purpose
                let mut text = if *overdue {
                    "МЕРЗІМІ ӨТКЕН / ПРОСРОЧЕНО · ".to_owned()
                } else {
                    String::new()
                };
                text.push_str(words::visit_purpose(*purpose));
                if let Some(what) = what {
                    text.push_str(&format!(": {what}"));
                }
                text
            }
            RoundRowItem::Call {
                number,
                complaint,
                temperature,
            } => {
                let mut text = format!("Шақыру / Вызов № {number}: {complaint}");
                if let Some(celsius) = temperature {
                    text.push_str(&format!(" · {} °C", format!("{celsius:.1}").replace('.', ",")));
                }
                text
            }
        };
        let text = if *count > 1 {
            format!("{text} (×{count})")
        } else {
            text
        };
        // several things at one door: each its own bullet
        let text = if items.len() > 1 {
            format!("• {text}")
        } else {
            text
        };
        visit.extend(wrapped(&text, 6, 8.0, Weight::Regular));
    }
    let mut age = wrapped(
        &words::age(row.age_years, row.age_months),
        3,
        8.5,
        Weight::Regular,
    );
    age.extend(wrapped(&day(row.birth_date), 3, 7.5, Weight::Regular));
    let phones = if row.phones.is_empty() {
        vec![("—".to_owned(), 8.5, Weight::Regular)]
    } else {
        row.phones
            .iter()
            .flat_map(|phone| wrapped(phone, 5, 8.5, Weight::Regular))
            .collect()
    };
    vec![
        vec![(number.to_string(), 9.0, Weight::Regular)],
        vec![(row.time.format("%H:%M").to_string(), 9.5, Weight::Bold)],
        wrapped(&row.person_name, 2, 9.0, Weight::Bold),
        age,
        wrapped(row.address.as_deref().unwrap_or("—"), 4, 8.5, Weight::Regular),
        phones,
        visit,
    ]
}
