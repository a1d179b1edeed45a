//! The visit schedule of a nurse's round: A4 landscape, a row per visit in
//! route order, an empty column for notes and the patient's signature.

use chrono::Datelike;
use emhana_domain::documents::{RoundRow, RoundRowKind, RoundSchedule};

use crate::layout::{Page, Sheet, Weight};
use crate::{PrintError, Printer, day, words};

const LANDSCAPE: Sheet = Sheet {
    width: 297.0,
    height: 210.0,
    margin: 12.0,
};
const ROW_HEIGHT: f32 = 11.0;
/// Column lefts from the margin: №, time, patient, age, address, phone, visit, notes.
const COLUMNS: [f32; 8] = [0.0, 7.0, 21.0, 70.0, 88.0, 136.0, 166.0, 233.0];

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
                if !page.fits(ROW_HEIGHT) {
                    page.break_page();
                    head(page);
                }
                line(page, index + 1, row);
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

fn line(page: &mut Page<'_>, number: usize, row: &RoundRow) {
    let margin = page.sheet.margin;
    let right = page.sheet.width - margin;
    let top = page.y;
    let (first, second) = (top + 4.5, top + 8.5);
    let column = |i: usize| margin + COLUMNS[i];
    let fit = |page: &Page<'_>, text: &str, i: usize, size: f32| {
        let width = if i + 1 < COLUMNS.len() {
            COLUMNS[i + 1] - COLUMNS[i] - 1.5
        } else {
            30.0
        };
        page.wrap(text, width, size, Weight::Regular)
            .into_iter()
            .take(2)
            .collect::<Vec<_>>()
    };
    page.text_at(column(0), first, 9.0, Weight::Regular, &number.to_string());
    page.text_at(
        column(1),
        first,
        9.5,
        Weight::Bold,
        &row.time.format("%H:%M").to_string(),
    );
    for (text, y) in fit(page, &row.person_name, 2, 9.0).iter().zip([first, second]) {
        page.text_at(column(2), y, 9.0, Weight::Bold, text);
    }
    page.text_at(
        column(3),
        first,
        8.5,
        Weight::Regular,
        &words::age(row.age_years, row.age_months),
    );
    page.text_at(column(3), second, 7.0, Weight::Regular, &day(row.birth_date));
    for (text, y) in fit(page, row.address.as_deref().unwrap_or("—"), 4, 8.5)
        .iter()
        .zip([first, second])
    {
        page.text_at(column(4), y, 8.5, Weight::Regular, text);
    }
    page.text_at(
        column(5),
        first,
        8.5,
        Weight::Regular,
        row.phone.as_deref().unwrap_or("—"),
    );
    let visit = match &row.kind {
        RoundRowKind::Visit {
            purpose,
            what,
            overdue,
        } => {
            // overdue first, so a wrapped line never hides it
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
        RoundRowKind::Call { number, complaint } => format!("Шақыру / Вызов № {number}: {complaint}"),
    };
    for (text, y) in fit(page, &visit, 6, 7.5).iter().zip([first, second]) {
        page.text_at(column(6), y, 7.5, Weight::Regular, text);
    }
    page.y = top + ROW_HEIGHT;
    page.line(margin, right, page.y, 0.3);
}
