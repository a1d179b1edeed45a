//! The OSMS statement in the form of seed 003 appendix 3, and its motivated
//! refusal (appendix 2 p. 9), Kazakh first, then Russian. The form's own
//! words are kept: its title, «Выдана», «Дата выдачи», the table's eight
//! columns, the status line and the note on arrears; the clinic's
//! printing adds the date the Fund's data is known as of, the arrears
//! computed from the year's minimum wage, and the contact centres.

use emhana_domain::documents::{OsmsStatement, OsmsStatementRefusal, StatementRefusalGround};
use emhana_domain::osms::{ConsumerGround, Month, OsmsError, OsmsStatus, Payment, PaymentKind};

use crate::layout::{CONTENT_WIDTH, MARGIN, Page, Sheet, Weight};
use crate::table::{Cell, Table};
use crate::{PrintError, Printer, day, letterhead, moment};

pub(crate) const TITLE_KK: &str = "Медициналық қызметтерді тұтынушы ретінде қатысу және міндетті әлеуметтік медициналық \
сақтандыру жүйесінде аударылған аударымдар және (немесе) жарналар сомалары және оларды пайдалану туралы ақпарат";
pub(crate) const TITLE_RU: &str = "Информация об участии в качестве потребителя медицинских услуг и о перечисленных \
суммах отчислений и (или) взносов в системе обязательного социального медицинского страхования и их использовании";

const NOTE_KK: &str = "* Аударымдар және (немесе) жарналар ай сайын төленеді. Берешек болған жағдайда МӘМС шеңберінде \
медициналық көмек алу құқығын алу үшін Сізге Қорға төленбеген кезең үшін, бірақ төлем күнінің алдындағы он екі айдан \
аспайтын, республикалық бюджет туралы заңмен ағымдағы қаржы жылына белгіленген ең төменгі жалақы мөлшерінің 5 пайызы \
мөлшерінде жарналар төлеу қажет (МӘМС туралы Заңның 5-бабының 3-тармағы).";
const NOTE_RU: &str = "* Уплата отчислений и (или) взносов осуществляется ежемесячно. При наличии задолженности для \
получения права на медицинскую помощь в рамках ОСМС, Вам необходимо оплатить взносы в Фонд за неуплаченный период, но \
не более двенадцати месяцев, предшествующих дате оплаты, в размере 5 процентов от минимального размера заработной \
платы, установленного на текущий финансовый год законом о республиканском бюджете (пункт 3 статьи 5 Закона об ОСМС).";

/// Seed 003 appendix 2 p. 10.3: the Fund's line and the single contact centre.
const CONTACTS: &str = "Қордың байланыс орталығы / Контакт-центр Фонда: 1406 (тегін / бесплатно) · fms.kz · \
Мемлекеттік қызметтер көрсету мәселелері жөніндегі бірыңғай байланыс орталығы / Единый контакт-центр по вопросам \
оказания государственных услуг: 8-800-080-7777, 1414";

/// Column lefts from the margin: №, payment date, amount, kind, period, payer, refund amount, refund date.
const COLUMNS: [f32; 8] = [0.0, 6.0, 24.5, 44.0, 68.0, 84.0, 121.0, 147.0];
const TABLE: Table<'static> = Table {
    columns: &COLUMNS,
    gutter: 1.6,
    padding: 1.3,
};

/// The table's heads as the form names them.
const HEADS: [[&str; 2]; 8] = [
    ["№", ""],
    ["Төлем күні*", "Дата платежа*"],
    [
        "Аударымдар немесе жарналар сомасы (теңге)",
        "Сумма отчислений или взносов (тенге)",
    ],
    [
        "Түсім түрі (аударым немесе жарна)",
        "Вид поступления (отчисление или взнос)",
    ],
    ["Кезең", "Период"],
    [
        "Төлеуші БСН (ЖСН)",
        "Плательщик Бизнес-идентификационный номер (ИИН)",
    ],
    ["Қайтару сомасы (бар болса)", "Сумма возврата (при наличии)"],
    ["Қайтару күні (бар болса)", "Дата возврата (при наличии)"],
];

impl Printer {
    /// The statement of seed 003 appendix 3, as many pages as its table needs.
    pub fn osms_statement(&self, statement: &OsmsStatement) -> Result<Vec<u8>, PrintError> {
        self.render_on(Sheet::A4, "Информация об участии в ОСМС", |page| {
            heading(page, &statement.clinic, &statement.full_name, &statement.iin, statement.issued_on);
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                8.5,
                Weight::Regular,
                &format!(
                    "Қордың мәліметі / Сведения Фонда на: {}",
                    moment(statement.known_at)
                ),
            );
            page.gap(2.0);
            head(page);
            if statement.payments.is_empty() {
                page.paragraph(
                    MARGIN,
                    CONTENT_WIDTH,
                    9.0,
                    Weight::Regular,
                    "Төлемдер жоқ / Платежей нет",
                );
            }
            for (index, payment) in statement.payments.iter().enumerate() {
                let cells = cells(page, index + 1, payment);
                if !page.fits(TABLE.height(&cells)) {
                    page.break_page();
                    head(page);
                }
                TABLE.row(page, &cells);
            }
            page.gap(4.0);
            let (kk, ru) = status_words(&statement.status);
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                10.0,
                Weight::Regular,
                "Міндетті әлеуметтік медициналық сақтандыру жүйесіндегі мәртебесі (бұдан әрі – МӘМС) / \
                 Статус в системе обязательного социального медицинского страхования (далее – ОСМС):",
            );
            page.paragraph(MARGIN, CONTENT_WIDTH, 11.0, Weight::Bold, &format!("{kk} / {ru}"));
            if let Some(why) = status_reason(&statement.status) {
                page.paragraph(MARGIN, CONTENT_WIDTH, 9.0, Weight::Regular, &why);
            }
            if let Some(arrears) = &statement.arrears {
                page.gap(2.0);
                page.paragraph(
                    MARGIN,
                    CONTENT_WIDTH,
                    9.5,
                    Weight::Bold,
                    &format!(
                        "Берешек / Задолженность: {} ай / мес. × {} = {} теңге / тенге \
                         ({} жылғы ЕТЖ-ның 5 % / 5 % МЗП {} года; төлем күні / при оплате {})",
                        arrears.months.len(),
                        tenge(arrears.per_month_tiyn),
                        tenge(arrears.total_tiyn),
                        arrears.wage_year,
                        arrears.wage_year,
                        day(statement.issued_on)
                    ),
                );
                if let (Some(first), Some(last)) = (arrears.months.first(), arrears.months.last()) {
                    page.paragraph(
                        MARGIN,
                        CONTENT_WIDTH,
                        8.5,
                        Weight::Regular,
                        &format!(
                            "Төленбеген айлар / Неоплаченные месяцы: {} — {}",
                            month(*first),
                            month(*last)
                        ),
                    );
                }
            } else if let Some(OsmsError::MinimumWageMissing { year }) = statement.arrears_problem {
                page.paragraph(
                    MARGIN,
                    CONTENT_WIDTH,
                    9.0,
                    Weight::Regular,
                    &format!(
                        "{year} жылға ең төменгі жалақы белгіленбеген: берешек есептелмеді / \
                         Минимальная заработная плата на {year} год не задана: задолженность не рассчитана"
                    ),
                );
            }
            page.gap(3.0);
            page.paragraph(MARGIN, CONTENT_WIDTH, 8.0, Weight::Regular, "Ескерту / Примечание:");
            page.paragraph(MARGIN, CONTENT_WIDTH, 8.0, Weight::Regular, NOTE_KK);
            page.paragraph(MARGIN, CONTENT_WIDTH, 8.0, Weight::Regular, NOTE_RU);
            page.gap(2.0);
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                8.0,
                Weight::Regular,
                "МСАК МӘМС-тегі мәртебеге қарамастан тегін көрсетіледі / ПМСП оказывается бесплатно независимо от статуса в ОСМС.",
            );
            footer(page, &statement.printed_by);
            Ok(())
        })
    }

    /// The statement refused, with the ground of appendix 2 p. 9 it rests on.
    pub fn osms_statement_refusal(&self, refusal: &OsmsStatementRefusal) -> Result<Vec<u8>, PrintError> {
        self.render_on(Sheet::A4, "Мотивированный отказ в предоставлении информации об участии в ОСМС", |page| {
            letterhead(page, &refusal.clinic, CONTENT_WIDTH);
            page.gap(6.0);
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                12.0,
                Weight::Bold,
                "Мемлекеттік қызметті көрсетуден дәлелді бас тарту / Мотивированный отказ в оказании государственной услуги",
            );
            page.paragraph(MARGIN, CONTENT_WIDTH, 9.0, Weight::Regular, TITLE_KK);
            page.paragraph(MARGIN, CONTENT_WIDTH, 9.0, Weight::Regular, TITLE_RU);
            page.rule();
            page.field("Кімге / Кому", &format!("{} · ЖСН / ИИН {}", refusal.full_name, refusal.iin));
            page.field("Күні / Дата", &day(refusal.issued_on));
            let (kk, ru, point) = ground_words(refusal.ground);
            page.gap(2.0);
            page.paragraph(MARGIN, CONTENT_WIDTH, 9.0, Weight::Regular, "Бас тарту негізі / Основание отказа");
            page.paragraph(MARGIN, CONTENT_WIDTH, 10.5, Weight::Bold, kk);
            page.paragraph(MARGIN, CONTENT_WIDTH, 10.5, Weight::Bold, ru);
            page.gap(2.0);
            page.paragraph(MARGIN, CONTENT_WIDTH, 9.0, Weight::Regular, "Құқықтық негіз / Правовое основание");
            page.paragraph(
                MARGIN,
                CONTENT_WIDTH,
                9.5,
                Weight::Regular,
                &format!(
                    "Пилоттық жоба тетігіне 2-қосымша, 9-тармақтың {point}) тармақшасы / \
                     Приложение 2 к Механизму проведения пилотного проекта, пункт 9, подпункт {point})"
                ),
            );
            footer(page, &refusal.printed_by);
            Ok(())
        })
    }
}

/// The form's head: the clinic, the title, «Выдана» and «Дата выдачи».
fn heading(
    page: &mut Page<'_>,
    clinic: &emhana_domain::documents::ClinicHeader,
    name: &str,
    iin: &str,
    issued_on: chrono::NaiveDate,
) {
    letterhead(page, clinic, CONTENT_WIDTH);
    page.gap(5.0);
    page.paragraph(MARGIN, CONTENT_WIDTH, 11.0, Weight::Bold, TITLE_KK);
    page.gap(1.0);
    page.paragraph(MARGIN, CONTENT_WIDTH, 10.5, Weight::Bold, TITLE_RU);
    page.gap(3.0);
    page.field(
        "Берілді / Выдана (Тегі, аты, әкесінің аты / Фамилия Имя Отчество, ЖСН / ИИН)",
        &format!("{name}, {iin}"),
    );
    page.field("Берілген күні / Дата выдачи", &day(issued_on));
}

fn head(page: &mut Page<'_>) {
    let cells: Vec<Cell> = HEADS
        .iter()
        .enumerate()
        .map(|(index, [kk, ru])| {
            let mut cell = TABLE.cell(page, index, kk, 6.3, Weight::Bold);
            if !ru.is_empty() {
                cell.extend(TABLE.cell(page, index, ru, 6.3, Weight::Regular));
            }
            cell
        })
        .collect();
    let margin = page.sheet.margin;
    let right = page.sheet.width - margin;
    page.line(margin, right, page.y, 0.8);
    TABLE.row(page, &cells);
    page.line(margin, right, page.y, 0.8);
}

fn cells(page: &Page<'_>, number: usize, payment: &Payment) -> Vec<Cell> {
    let text = |index: usize, text: &str| TABLE.cell(page, index, text, 8.0, Weight::Regular);
    let kind = match payment.kind {
        PaymentKind::Deduction => "аударым / отчисление",
        PaymentKind::Contribution => "жарна / взнос",
    };
    vec![
        text(0, &number.to_string()),
        text(1, &day(payment.paid_on)),
        text(2, &tenge(payment.amount_tiyn)),
        text(3, kind),
        text(4, &month(payment.period)),
        text(5, &payment.payer),
        text(6, &payment.refund_tiyn.map(tenge).unwrap_or_default()),
        text(7, &payment.refunded_on.map(day).unwrap_or_default()),
    ]
}

fn footer(page: &mut Page<'_>, printed_by: &str) {
    page.gap(6.0);
    page.paragraph(
        MARGIN,
        CONTENT_WIDTH,
        9.0,
        Weight::Regular,
        &format!("Басып шығарған / Распечатал(а): {printed_by}   Қолы / Подпись: ____________________"),
    );
    page.gap(3.0);
    page.paragraph(MARGIN, CONTENT_WIDTH, 7.5, Weight::Regular, CONTACTS);
}

/// «Потребитель ОСМС (Не потребитель ОСМС)», in both languages.
fn status_words(status: &OsmsStatus) -> (&'static str, &'static str) {
    match status {
        OsmsStatus::Consumer { .. } => ("МӘМС тұтынушысы", "Потребитель ОСМС"),
        OsmsStatus::NotConsumer { .. } => ("МӘМС тұтынушысы емес", "Не потребитель ОСМС"),
    }
}

fn status_reason(status: &OsmsStatus) -> Option<String> {
    match status {
        OsmsStatus::Consumer {
            ground:
                ConsumerGround::Paid {
                    last_paid,
                    holds_through,
                },
        } => Some(format!(
            "{} дейін төленген, мәртебе {} дейін сақталады / оплачено по {}, статус сохраняется по {}",
            month(*last_paid),
            month(*holds_through),
            month(*last_paid),
            month(*holds_through)
        )),
        OsmsStatus::Consumer {
            ground: ConsumerGround::StatePaid { category },
        } => Some(format!(
            "Жарнаны мемлекет төлейді / Взносы платит государство: {}",
            crate::words::state_paid_category(*category)
        )),
        OsmsStatus::NotConsumer { unpaid_months, .. } => Some(format!(
            "Соңғы 12 айдың {unpaid_months} айы төленбеген / Не оплачено месяцев из 12 последних: {unpaid_months}"
        )),
    }
}

/// The grounds of appendix 2 p. 9, in its own words, with the sub-point.
fn ground_words(ground: StatementRefusalGround) -> (&'static str, &'static str, u8) {
    match ground {
        StatementRefusalGround::UnreliableDocuments => (
            "Мемлекеттік көрсетілетін қызметті алу үшін сақтандырылған адам ұсынған құжаттардың және (немесе) \
             олардағы деректердің (мәліметтердің) анық еместігінің анықталуы",
            "Установление недостоверности документов, представленных застрахованным для получения государственной \
             услуги, и (или) данных (сведений), содержащихся в них",
            1,
        ),
        StatementRefusalGround::RequirementsNotMet => (
            "Сақтандырылған адамның және (немесе) мемлекеттік қызметті көрсету үшін қажетті ұсынылған материалдардың, \
             объектілердің, деректер мен мәліметтердің Қазақстан Республикасының нормативтік құқықтық актілерінде \
             белгіленген талаптарға сәйкес келмеуі",
            "Несоответствие застрахованного и (или) представленных материалов, объектов, данных и сведений, \
             необходимых для оказания государственной услуги, требованиям, установленным нормативными правовыми \
             актами Республики Казахстан",
            2,
        ),
        StatementRefusalGround::CourtBan => (
            "Сақтандырылған адамға қатысты белгілі бір мемлекеттік көрсетілетін қызметті алуды талап ететін қызметке \
             немесе қызметтің жекелеген түрлеріне тыйым салу туралы заңды күшіне енген сот шешімінің (үкімінің) болуы",
            "В отношении застрахованного имеется вступившее в законную силу решение (приговор) суда о запрещении \
             деятельности или отдельных видов деятельности, требующих получения определенной государственной услуги",
            3,
        ),
        StatementRefusalGround::CourtDeprivation => (
            "Сақтандырылған адамға қатысты заңды күшіне енген сот шешімінің болуы, соның негізінде сақтандырылған адам \
             мемлекеттік көрсетілетін қызметті алуға байланысты арнаулы құқығынан айырылған",
            "В отношении застрахованного имеется вступившее в законную силу решение суда, на основании которого \
             застрахованный лишен специального права, связанного с получением государственной услуги",
            4,
        ),
        StatementRefusalGround::NoConsent => (
            "«Дербес деректер және оларды қорғау туралы» Қазақстан Республикасы Заңының 8-бабына сәйкес берілетін, \
             мемлекеттік қызметті көрсету үшін талап етілетін қолжетімділігі шектеулі дербес деректерге қол жеткізуге \
             сақтандырылған адамның келісімінің болмауы",
            "Отсутствие согласия застрахованного, предоставляемого в соответствии со статьей 8 Закона Республики \
             Казахстан «О персональных данных и их защите», на доступ к персональным данным ограниченного доступа, \
             которые требуются для оказания государственной услуги",
            5,
        ),
    }
}

/// An amount in tiyn as the form writes tenge: "4 250,00" (a no-break space between thousands).
pub(crate) fn tenge(tiyn: i64) -> String {
    let sign = if tiyn < 0 { "-" } else { "" };
    let whole = (tiyn.abs() / 100).to_string();
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(digit);
    }
    format!("{sign}{grouped},{:02}", tiyn.abs() % 100)
}

/// A period as "10.2026".
fn month(month: Month) -> String {
    format!("{:02}.{}", month.month, month.year)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenge_are_written_with_tiyn_and_grouped_thousands() {
        assert_eq!(tenge(425_050), "4\u{a0}250,50");
        assert_eq!(tenge(5_100_000), "51\u{a0}000,00");
        assert_eq!(tenge(123_456_789), "1\u{a0}234\u{a0}567,89");
        assert_eq!(tenge(1), "0,01");
        assert_eq!(month(Month { year: 2026, month: 3 }), "03.2026");
    }
}
