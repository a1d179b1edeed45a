//! The appointment slip (small format) and the doctor's day list (A4).

use chrono::Datelike;
use emhana_domain::documents::{BookingSlip, DayListRow, DoctorDayList, SlipFormat};

use crate::layout::{Page, Sheet, Weight};
use crate::table::{Cell, Table};
use crate::{PrintError, Printer, day, words};

/// The sheet a slip is laid out on. The receipt is as long as a slip needs;
/// the printer cuts after it.
fn slip_sheet(format: SlipFormat) -> Sheet {
    match format {
        SlipFormat::A6 => Sheet {
            width: 105.0,
            height: 148.0,
            margin: 7.0,
        },
        SlipFormat::Receipt80 => Sheet {
            width: 80.0,
            height: 170.0,
            margin: 4.0,
        },
    }
}

impl Printer {
    /// The slip handed to the person: where, when, with whom, and the
    /// booking's number; the IIN masked.
    pub fn slip(&self, slip: &BookingSlip, format: SlipFormat) -> Result<Vec<u8>, PrintError> {
        let sheet = slip_sheet(format);
        self.render_on(sheet, "Талон на приём к врачу", |page| {
            let (margin, width) = (sheet.margin, sheet.content_width());
            page.paragraph(margin, width, 8.0, Weight::Bold, &slip.clinic.name_kk);
            page.paragraph(margin, width, 8.0, Weight::Bold, &slip.clinic.name_ru);
            page.paragraph(
                margin,
                width,
                6.5,
                Weight::Regular,
                &format!("{} · тел. {}", slip.clinic.address, slip.clinic.phone),
            );
            page.gap(1.5);
            page.paragraph(margin, width, 9.5, Weight::Bold, "Дәрігердің қабылдауына талон");
            page.paragraph(margin, width, 9.5, Weight::Bold, "Талон на приём к врачу");
            page.paragraph(margin, width, 9.5, Weight::Regular, &format!("№ {}", slip.number));
            page.rule();
            page.sized_field(
                "Күні мен уақыты / Дата и время",
                &format!("{} {}", day(slip.starts_at.date()), slip.starts_at.format("%H:%M")),
                13.0,
            );
            page.paragraph(margin + 2.0, width - 2.0, 8.0, Weight::Regular, words::weekday(slip.starts_at.weekday()));
            let doctor = words::doctor(&slip.doctor, slip.specialty.as_deref());
            page.sized_field("Дәрігер / Врач", &doctor, 8.5);
            page.sized_field("Кабинет / Кабинет", slip.room.as_deref().unwrap_or("—"), 12.0);
            page.sized_field("Пациент / Пациент", &slip.person_name, 8.5);
            page.sized_field("ЖСН / ИИН", &slip.masked_iin, 8.5);
            page.sized_field("Жүгіну себебі / Повод обращения", &words::visit_reason(slip.reason), 7.0);
            if slip.provisional {
                page.framed(
                    6.5,
                    "АЛДЫН АЛА — тіркелімнің растауын күтуде / ПРЕДВАРИТЕЛЬНО — ожидает подтверждения регистра",
                );
            }
            page.gap(1.0);
            page.paragraph(
                margin,
                width,
                6.0,
                Weight::Regular,
                &format!(
                    "Қабылдауға 10 минут бұрын келіңіз; келе алмасаңыз, {} телефоны арқылы хабарлаңыз. / \
                     Приходите за 10 минут; если не можете прийти, сообщите по телефону {}.",
                    slip.clinic.phone, slip.clinic.phone
                ),
            );
            Ok(())
        })
    }

    /// A doctor's day on A4: every slot in time order, booked or free, with
    /// a column to mark who came.
    pub fn day_list(&self, list: &DoctorDayList) -> Result<Vec<u8>, PrintError> {
        let sheet = Sheet::A4;
        self.render_on(sheet, "Список приёма врача", |page| {
            let (margin, width) = (sheet.margin, sheet.content_width());
            page.paragraph(
                margin,
                width,
                10.0,
                Weight::Bold,
                &format!("{} / {}", list.clinic.name_kk, list.clinic.name_ru),
            );
            page.gap(3.0);
            page.paragraph(
                margin,
                width,
                13.0,
                Weight::Bold,
                "Дәрігердің қабылдау тізімі / Список приёма врача",
            );
            let doctor = words::doctor(&list.doctor, list.specialty.as_deref());
            page.paragraph(margin, width, 11.0, Weight::Regular, &doctor);
            page.paragraph(
                margin,
                width,
                11.0,
                Weight::Regular,
                &format!("{}, {}", day(list.date), words::weekday(list.date.weekday())),
            );
            if let Some(closed) = list.closed {
                page.gap(2.0);
                page.framed(11.0, words::day_closed(closed));
            }
            let booked = list.rows.iter().filter(|row| row.booking.is_some()).count();
            page.paragraph(
                margin,
                width,
                9.0,
                Weight::Regular,
                &format!(
                    "Уақыттар / Слотов: {} · Жазылғандар / Записано: {} · Бос / Свободно: {}",
                    list.rows.len(),
                    booked,
                    list.rows.len() - booked
                ),
            );
            page.gap(2.0);
            table_head(page);
            for row in &list.rows {
                let cells = table_cells(page, row);
                if !page.fits(TABLE.height(&cells)) {
                    page.break_page();
                    table_head(page);
                }
                TABLE.row(page, &cells);
            }
            Ok(())
        })
    }
}

/// Column lefts from the margin: time, number, patient, reason, mark.
const COLUMNS: [f32; 5] = [0.0, 25.0, 41.0, 104.0, 150.0];
const TABLE: Table<'static> = Table {
    columns: &COLUMNS,
    gutter: 1.8,
    padding: 1.4,
};

fn table_head(page: &mut Page<'_>) {
    let margin = page.sheet.margin;
    let right = page.sheet.width - margin;
    page.y += 5.0;
    let y = page.y;
    for (x, label) in COLUMNS.iter().zip([
        "Уақыты / Время",
        "№",
        "Пациент: ЖСН, телефон / ИИН, телефон",
        "Себебі / Повод",
        "Белгі / Отметка",
    ]) {
        page.text_at(margin + x, y, 7.0, Weight::Bold, label);
    }
    page.y += 2.0;
    page.line(margin, right, page.y, 0.8);
}

/// A slot's cells: the time and room; for a booking its number, the
/// patient, the whole reason in both languages and the status.
fn table_cells(page: &Page<'_>, row: &DayListRow) -> Vec<Cell> {
    let mut time = TABLE.cell(
        page,
        0,
        &format!("{}–{}", row.starts.format("%H:%M"), row.ends.format("%H:%M")),
        8.0,
        Weight::Bold,
    );
    if let Some(room) = &row.room {
        time.extend(TABLE.cell(page, 0, &format!("каб. {room}"), 7.0, Weight::Regular));
    }
    let Some(booking) = &row.booking else {
        return vec![
            time,
            Cell::new(),
            TABLE.cell(page, 2, "— бос / свободно —", 8.5, Weight::Regular),
        ];
    };
    let mut patient = TABLE.cell(page, 2, &booking.person_name, 9.0, Weight::Bold);
    let mut details = format!("{} · {}", booking.iin, day(booking.birth_date));
    if let Some(phone) = &booking.phone {
        // on a line of its own: a phone is never broken between two lines
        details.push_str(&format!("\n{phone}"));
    }
    patient.extend(TABLE.cell(page, 2, &details, 7.5, Weight::Regular));
    let (kk, ru) = words::visit_reason_halves(booking.reason);
    let mut reason = TABLE.cell(page, 3, kk, 7.5, Weight::Regular);
    if ru != kk {
        reason.extend(TABLE.cell(page, 3, ru, 7.5, Weight::Regular));
    }
    vec![
        time,
        TABLE.cell(page, 1, &booking.number, 7.5, Weight::Regular),
        patient,
        reason,
        TABLE.cell(
            page,
            4,
            words::booking_status(booking.status),
            7.0,
            Weight::Regular,
        ),
    ]
}
