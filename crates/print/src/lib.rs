//! Emhana's printed documents as PDF: the attachment ticket, the motivated
//! refusal and the personal-data consent (DOMAIN.md §2, §10), the
//! appointment slip and the doctor's day list (§3), the nurse's visit
//! schedule (§5–6), the OSMS statement of seed 003 appendix 3 and its
//! motivated refusal (§7).
//!
//! Documents are bilingual, Kazakh first, then Russian. DejaVu Sans (whose
//! licence allows embedding, see `fonts/LICENSE-DejaVu.txt`) covers the Kazakh
//! letters; it is compiled in and subset into each PDF, so a document prints
//! the same on any PC. The facts come from `emhana_domain::documents`; nothing
//! here reads a database or a clock.

mod appointments;
mod layout;
mod osms;
mod round;
mod table;
mod words;

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::documents::{
    ApplicationDocument, ClinicHeader, ConsentDocument, DocumentOutcome, PersonLine,
};
use printpdf::{Mm, ParsedFont, PdfDocument, PdfPage, PdfSaveOptions};
use qrcode::{EcLevel, QrCode};

use layout::{CONTENT_WIDTH, Face, MARGIN, PAGE_WIDTH, Page, Sheet, Weight};

const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the embedded font {0} cannot be read")]
    Font(&'static str),
    #[error("the QR code cannot hold {0:?}")]
    QrCode(String),
}

/// The text a QR code on a document carries: the clinic's BIN and the application id.
pub fn application_qr_text(clinic_bin: &str, application_id: i64) -> String {
    format!("EMHANA:APPLICATION:{clinic_bin}:{application_id}")
}

/// Lays out documents; holds the parsed fonts, so make one and keep it.
pub struct Printer {
    regular: ParsedFont,
    bold: ParsedFont,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Printer")
    }
}

impl Printer {
    pub fn new() -> Result<Self, PrintError> {
        let parse =
            |bytes, name| ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).ok_or(PrintError::Font(name));
        Ok(Printer {
            regular: parse(REGULAR_TTF, "DejaVuSans")?,
            bold: parse(BOLD_TTF, "DejaVuSans-Bold")?,
        })
    }

    /// The attachment ticket or the motivated refusal, by the application's outcome.
    pub fn application(&self, document: &ApplicationDocument) -> Result<Vec<u8>, PrintError> {
        match &document.outcome {
            DocumentOutcome::Attached { .. } => self.ticket(document),
            DocumentOutcome::Refused { .. } => self.refusal(document),
        }
    }

    fn render(
        &self,
        title: &str,
        draw: impl FnOnce(&mut Page<'_>) -> Result<(), PrintError>,
    ) -> Result<Vec<u8>, PrintError> {
        self.render_on(Sheet::A4, title, draw)
    }

    /// Draws a document of one or more `sheet`-sized pages.
    pub(crate) fn render_on(
        &self,
        sheet: Sheet,
        title: &str,
        draw: impl FnOnce(&mut Page<'_>) -> Result<(), PrintError>,
    ) -> Result<Vec<u8>, PrintError> {
        let mut pdf = PdfDocument::new(title);
        let regular = pdf.add_font(&self.regular);
        let bold = pdf.add_font(&self.bold);
        let mut page = Page::new(
            sheet,
            Face {
                id: regular,
                parsed: &self.regular,
            },
            Face {
                id: bold,
                parsed: &self.bold,
            },
        );
        draw(&mut page)?;
        let pages = page
            .into_pages()
            .into_iter()
            .map(|ops| PdfPage::new(Mm(sheet.width), Mm(sheet.height), ops))
            .collect();
        Ok(pdf
            .with_pages(pages)
            .save(&PdfSaveOptions::default(), &mut Vec::new()))
    }

    fn ticket(&self, document: &ApplicationDocument) -> Result<Vec<u8>, PrintError> {
        let DocumentOutcome::Attached {
            district_number,
            district_kind,
            team,
            effective_on,
            provisional,
        } = &document.outcome
        else {
            return self.refusal(document);
        };
        let qr = qr_modules(&application_qr_text(
            &document.clinic.bin,
            document.application_id,
        ))?;
        self.render("Талон о прикреплении", |page| {
            application_head(
                page,
                document,
                &qr,
                ["МСАК ұйымына бекіту туралы талон", "Талон о прикреплении к организации ПМСП"],
            );
            page.rule();
            page.field(
                "Учаске / Участок",
                &format!("№{district_number} — {}", words::district_kind(*district_kind)),
            );
            if team.is_empty() {
                // the person still learns that the district has nobody assigned yet
                page.field("Учаскелік дәрігер / Участковый врач", "—");
            }
            for member in team {
                page.field(words::team_role(member.role, *district_kind), &member.name);
            }
            page.field("Бекіту негізі / Основание прикрепления", &words::ground(document.ground));
            page.field("Бекіту күні / Дата прикрепления", &day(*effective_on));
            if *provisional {
                page.gap(3.0);
                page.framed(
                    10.5,
                    "АЛДЫН АЛА — тіркелімнің растауын күтуде\nПРЕДВАРИТЕЛЬНО — ожидает подтверждения регистра",
                );
            }
            signature(page, &document.registrar);
            Ok(())
        })
    }

    fn refusal(&self, document: &ApplicationDocument) -> Result<Vec<u8>, PrintError> {
        let DocumentOutcome::Refused { ground, campaign } = &document.outcome else {
            return self.ticket(document);
        };
        let qr = qr_modules(&application_qr_text(
            &document.clinic.bin,
            document.application_id,
        ))?;
        let reason = words::refusal(*ground, campaign);
        self.render(
            "Мотивированный отказ в прикреплении",
            |page| {
                application_head(
                    page,
                    document,
                    &qr,
                    [
                        "МСАК ұйымына бекітуден дәлелді бас тарту",
                        "Мотивированный отказ в прикреплении к организации ПМСП",
                    ],
                );
                page.field(
                    "Бекіту негізі / Основание прикрепления",
                    &words::ground(document.ground),
                );
                page.rule();
                labelled(
                    page,
                    "Бас тарту негізі / Основание отказа",
                    (11.0, Weight::Bold),
                    &[&reason.kk, &reason.ru],
                );
                labelled(
                    page,
                    "Құқықтық негіз / Правовое основание",
                    (10.0, Weight::Regular),
                    &[&reason.rule],
                );
                labelled(
                    page,
                    "Шағымдану тәртібі / Порядок обжалования",
                    (10.0, Weight::Regular),
                    &[words::APPEAL_KK, words::APPEAL_RU],
                );
                refusal_signature(page, &document.registrar);
                Ok(())
            },
        )
    }

    /// The consent to access restricted personal data, for the person's signature.
    pub fn consent(&self, document: &ConsentDocument) -> Result<Vec<u8>, PrintError> {
        self.render("Согласие на доступ к персональным данным", |page| {
            letterhead(page, &document.clinic, CONTENT_WIDTH);
            page.gap(6.0);
            page.centred(page.y + 6.0, 12.5, Weight::Bold, "Қолжетімділігі шектеулі дербес деректерге қол жеткізуге келісім");
            page.centred(page.y + 12.0, 12.0, Weight::Bold, "Согласие на доступ к персональным данным ограниченного доступа");
            page.gap(14.0);
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                9.0,
                Weight::Regular,
                &format!(
                    "Өтініш / Заявление № {} · Қазақстан Республикасының «Дербес деректер және оларды қорғау туралы» Заңы, 8-бап / \
                     Закон РК «О персональных данных и их защите», ст. 8",
                    document.application_number
                ),
            );
            page.rule();
            page.field(
                "Оператор (МСАК ұйымы) / Оператор (организация ПМСП)",
                &format!("{} / {}", document.clinic.name_kk, document.clinic.name_ru),
            );
            page.field("БСН / БИН", &document.clinic.bin);
            person_fields(page, &document.person);
            if document.given {
                page.field(
                    "Келісім мерзімі / Срок согласия",
                    &match document.valid_until {
                        Some(until) => format!("{} дейін / до {}", day(until), day(until)),
                        None => "Кері қайтарып алғанға дейін / До отзыва".to_string(),
                    },
                );
                page.field("Үшінші тұлғаларға беру / Передача третьим лицам", words::yes_no(document.third_parties));
                page.field("Трансшекаралық беру / Трансграничная передача", words::yes_no(document.cross_border));
                page.field("Жалпыға қолжетімді көздерде жариялау / Публикация в общедоступных источниках", words::yes_no(document.publication));
                page.field("Дербес деректер тізбесі / Перечень персональных данных", &document.data_list);
            } else {
                // A refused consent has no term and permits no transfer: only what was asked.
                page.field(
                    "Сұралған дербес деректер тізбесі / Перечень запрошенных персональных данных",
                    &document.data_list,
                );
            }
            page.rule();
            page.gap(2.0);
            let answer = if document.given {
                "КЕЛІСІМ БЕРІЛДІ / СОГЛАСИЕ ДАНО"
            } else {
                "КЕЛІСІМ БЕРІЛМЕДІ / В СОГЛАСИИ ОТКАЗАНО"
            };
            page.framed(11.0, answer);
            page.field(
                "Тіркеген / Зарегистрировал(а)",
                &format!("{} — {}", document.recorded_by, moment(document.recorded_at)),
            );
            page.gap(10.0);
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                10.0,
                Weight::Regular,
                &format!("Қолы / Подпись: ____________________  {}", document.person.full_name),
            );
            Ok(())
        })
    }
}

/// The QR code's modules as (width, dark cells row by row).
fn qr_modules(text: &str) -> Result<(usize, Vec<bool>), PrintError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
        .map_err(|_| PrintError::QrCode(text.to_string()))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

/// The clinic's name, BIN, address, phone and hours, top left.
pub(crate) fn letterhead(page: &mut Page<'_>, clinic: &ClinicHeader, width: f32) {
    page.paragraph(MARGIN, width, 11.5, Weight::Bold, &clinic.name_kk);
    page.paragraph(MARGIN, width, 11.0, Weight::Bold, &clinic.name_ru);
    page.paragraph(
        MARGIN,
        width,
        9.0,
        Weight::Regular,
        &format!("БСН / БИН {}", clinic.bin),
    );
    page.paragraph(MARGIN, width, 9.0, Weight::Regular, &clinic.address);
    page.paragraph(
        MARGIN,
        width,
        9.0,
        Weight::Regular,
        &format!("Тел. {} · {}", clinic.phone, clinic.hours),
    );
}

/// The head of an application's paper (ticket or refusal): the clinic's
/// letterhead, the QR code with the application, the title in Kazakh and
/// Russian, the application's number and the person.
fn application_head(
    page: &mut Page<'_>,
    document: &ApplicationDocument,
    qr: &(usize, Vec<bool>),
    [title_kk, title_ru]: [&str; 2],
) {
    letterhead(page, &document.clinic, CONTENT_WIDTH - 40.0);
    let (modules, dark) = qr;
    page.qr(PAGE_WIDTH - MARGIN - 32.0, MARGIN - 4.0, 32.0, *modules, dark);
    page.gap(6.0);
    page.centred(page.y + 6.0, 14.0, Weight::Bold, title_kk);
    page.centred(page.y + 12.0, 13.0, Weight::Bold, title_ru);
    page.gap(14.0);
    application_line(page, document);
    page.rule();
    person_fields(page, &document.person);
}

/// A small bilingual label over its text, each text a paragraph of its own.
fn labelled(page: &mut Page<'_>, label: &str, (size, weight): (f32, Weight), texts: &[&str]) {
    page.gap(2.0);
    page.paragraph(MARGIN, CONTENT_WIDTH, 9.0, Weight::Regular, label);
    for text in texts {
        page.paragraph(MARGIN, CONTENT_WIDTH, size, weight, text);
    }
}

fn application_line(page: &mut Page<'_>, document: &ApplicationDocument) {
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        &format!(
            "Өтініш / Заявление № {} · {} · {}",
            document.application_number,
            moment(document.submitted_at),
            words::channel(document.channel)
        ),
    );
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        &format!("Шешім күні / Дата решения: {}", day(document.decided_on)),
    );
}

fn person_fields(page: &mut Page<'_>, person: &PersonLine) {
    page.field(
        "Тегі, аты, әкесінің аты / Фамилия, имя, отчество",
        &person.full_name,
    );
    page.field(
        "ЖСН / ИИН · Туған күні / Дата рождения",
        &format!("{} · {}", person.iin, day(person.birth_date)),
    );
    let address = person.address.as_ref().map(words::address);
    page.field("Мекенжайы / Адрес", address.as_deref().unwrap_or("—"));
}

fn signature(page: &mut Page<'_>, registrar: &str) {
    page.gap(12.0);
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        &format!("Тіркеуші / Регистратор: {registrar}"),
    );
    page.gap(4.0);
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        "Қолы / Подпись: ____________________   М.О. / М.П.",
    );
}

/// A refusal is prepared by the registrar and signed by the head of the
/// clinic or the person standing in (seed 004 p. 9).
fn refusal_signature(page: &mut Page<'_>, registrar: &str) {
    page.gap(12.0);
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        &format!("Дайындаған тіркеуші / Подготовил(а) регистратор: {registrar}"),
    );
    page.gap(6.0);
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        "МСАК ұйымының басшысы немесе уәкілетті адам / Руководитель организации ПМСП или уполномоченное лицо:",
    );
    page.gap(2.0);
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        10.0,
        Weight::Regular,
        "____________________ (аты-жөні / Ф.И.О.)   Қолы / Подпись: ____________________   М.О. / М.П.",
    );
}

pub(crate) fn day(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// An instant as a Kazakhstan clock shows it (UTC+5).
pub(crate) fn moment(instant: DateTime<Utc>) -> String {
    emhana_domain::kazakhstan_time(instant)
        .format("%d.%m.%Y %H:%M")
        .to_string()
}
