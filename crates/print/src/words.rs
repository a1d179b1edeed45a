//! The words printed for each coded value, Kazakh / Russian.

use emhana_domain::attachment::{AttachmentGround, Campaign, Channel, RefusalGround};
use emhana_domain::booking::{BookingStatus, VisitReason};
use emhana_domain::care_plan::VisitPurpose;
use emhana_domain::person::Address;
use emhana_domain::schedule::{DayClosed, ExceptionKind};
use emhana_domain::{DistrictKind, StaffRole};

pub(crate) fn district_kind(kind: DistrictKind) -> &'static str {
    match kind {
        DistrictKind::Therapeutic => "терапиялық / терапевтический",
        DistrictKind::Pediatric => "педиатриялық / педиатрический",
        DistrictKind::GeneralPractice => "жалпы практика / общей практики",
    }
}

/// The role a member of a district's team holds, as the ticket labels it; a
/// doctor is named by the district's kind (a pediatric district has a pediatrician).
pub(crate) fn team_role(role: StaffRole, district: DistrictKind) -> &'static str {
    match (role, district) {
        (StaffRole::DistrictDoctor, DistrictKind::Pediatric) => "Учаскелік педиатр / Участковый педиатр",
        (StaffRole::DistrictDoctor, DistrictKind::GeneralPractice) => {
            "Жалпы практика дәрігері / Врач общей практики"
        }
        (StaffRole::DistrictDoctor, DistrictKind::Therapeutic) => "Учаскелік терапевт / Участковый терапевт",
        (StaffRole::Feldsher, _) => "Фельдшер / Фельдшер",
        (StaffRole::DistrictNurse, _) => "Учаскелік мейіргер / Участковая медсестра",
        (StaffRole::Registrar, _) => "Тіркеуші / Регистратор",
        (StaffRole::Head, _) => "Басшы / Руководитель",
    }
}

/// A person's address on an official paper: "Астана, Абай даңғылы, үй / д. 12,
/// пәтер / кв. 5" — the house and the apartment each named, never two bare numbers.
pub(crate) fn address(address: &Address) -> String {
    let mut line = format!(
        "{}, {}, үй / д. {}",
        address.settlement, address.street, address.house
    );
    if let Some(apartment) = address.apartment.as_deref().filter(|a| !a.trim().is_empty()) {
        line.push_str(&format!(", пәтер / кв. {apartment}"));
    }
    line
}

pub(crate) fn ground(ground: AttachmentGround) -> String {
    match ground {
        AttachmentGround::FirstAttachment => "Алғаш бекіту / Первичное прикрепление",
        AttachmentGround::FreeChoice => {
            "Еркін таңдау (бекіту науқаны) / Свободный выбор (кампания прикрепления)"
        }
        AttachmentGround::ChangeOfResidence => "Тұрғылықты жерін ауыстыру / Смена места жительства",
        AttachmentGround::ChangeOfWorkOrStudy => {
            "Жұмыс немесе оқу орнын ауыстыру / Смена места работы или учёбы"
        }
        AttachmentGround::ClinicReorganization => {
            "МСАК ұйымын қайта ұйымдастыру немесе тарату / Реорганизация или ликвидация организации ПМСП"
        }
        AttachmentGround::BorderArea => "Шекаралық аумақ / Приграничная территория",
    }
    .to_string()
}

pub(crate) fn channel(channel: Channel) -> &'static str {
    match channel {
        Channel::InPerson => "жеке өзі / лично",
        Channel::InWriting => "жазбаша / письменно",
        Channel::Portal => "электрондық үкімет порталы / портал электронного правительства",
        Channel::PublicServiceCentre => "ХҚКО / ЦОН",
    }
}

pub(crate) fn yes_no(value: bool) -> &'static str {
    if value { "Иә / Да" } else { "Жоқ / Нет" }
}

pub(crate) struct Refusal {
    pub kk: String,
    pub ru: String,
    pub rule: String,
}

const ATTACHMENT_RULES: &str = "МСАК ұйымдарына бекіту қағидалары (2015 жылғы № 281 бұйрық) / \
Правила прикрепления к организациям ПМСП (приказ № 281 от 2015 года)";

/// The ground of a refusal in words, and the rule it rests on.
pub(crate) fn refusal(ground: RefusalGround, campaign: &Campaign) -> Refusal {
    let first = campaign.first_day.format("%d.%m.%Y");
    let last = campaign.last_day.format("%d.%m.%Y");
    let limit = campaign.free_choice_limit;
    let (kk, ru, rule) = match ground {
        RefusalGround::NoConsent => (
            "Қолжетімділігі шектеулі дербес деректерге қол жеткізуге келісім берілмеді.".to_string(),
            "Не дано согласие на доступ к персональным данным ограниченного доступа.".to_string(),
            "«Дербес деректер және оларды қорғау туралы» Заң, 8-бап / Закон РК «О персональных данных и их защите», ст. 8"
                .to_string(),
        ),
        RefusalGround::PersonDeceased => (
            "Адам қайтыс болған деп тіркелген: ұсынылған мәліметтер дәйексіз.".to_string(),
            "Лицо значится умершим: представленные сведения недостоверны.".to_string(),
            ATTACHMENT_RULES.to_string(),
        ),
        RefusalGround::NotFirstAttachment => (
            "Адам бұрын бекітілген; «алғаш бекіту» негізі қолданылмайды. Науқаннан тыс қайта бекіту тек тұрғылықты, \
             жұмыс не оқу орнын ауыстырғанда немесе МСАК ұйымы қайта ұйымдастырылғанда не таратылғанда мүмкін."
                .to_string(),
            "Лицо ранее было прикреплено; основание «первичное прикрепление» неприменимо. Вне кампании \
             переприкрепление возможно лишь при смене места жительства, работы или учёбы, реорганизации или \
             ликвидации организации ПМСП."
                .to_string(),
            ATTACHMENT_RULES.to_string(),
        ),
        RefusalGround::OutsideCampaign => (
            format!(
                "МСАК ұйымын және дәрігерді еркін таңдау тек бекіту науқаны кезінде мүмкін: {first} – {last}. \
                 Өтініш науқаннан тыс, өзге негізсіз берілді."
            ),
            format!(
                "Свободный выбор организации ПМСП и врача возможен только в период кампании прикрепления: \
                 {first} – {last}. Заявление подано вне кампании без иного основания."
            ),
            ATTACHMENT_RULES.to_string(),
        ),
        RefusalGround::FreeChoiceLimitReached => (
            format!("Еркін таңдау жылына {limit} реттен жиі емес; биылғы таңдау пайдаланылған."),
            format!("Свободный выбор допускается не чаще {limit} раз(а) в год; выбор этого года уже использован."),
            ATTACHMENT_RULES.to_string(),
        ),
    };
    Refusal { kk, ru, rule }
}

// Seeds 003 (p. 53) and 004 (p. 14–15): a complaint goes to the head of the
// provider (5 working days) or to the authorized body for assessing and
// controlling the quality of state services (15 working days); court after
// the pre-trial appeal, unless the law provides otherwise.
pub(crate) const APPEAL_KK: &str = "Шағым МСАК ұйымы басшысының атына (тіркелген күнінен бастап 5 жұмыс күні ішінде \
қаралады) немесе мемлекеттік қызметтер көрсету сапасын бағалау және бақылау жөніндегі уәкілетті органға (15 жұмыс \
күні ішінде қаралады) беріледі. Егер заңда өзгеше көзделмесе, сотқа сотқа дейінгі тәртіппен шағымданғаннан кейін \
жүгінуге болады.";

pub(crate) const APPEAL_RU: &str = "Жалоба подаётся на имя руководителя организации ПМСП (рассматривается в течение \
5 рабочих дней со дня регистрации) или в уполномоченный орган по оценке и контролю за качеством оказания \
государственных услуг (рассматривается в течение 15 рабочих дней). Если иное не предусмотрено законом, обращение \
в суд допускается после обжалования в досудебном порядке.";

/// A doctor's specialty as stored ("therapist", ...), in both languages.
pub(crate) fn specialty(specialty: &str) -> String {
    match specialty {
        "therapist" => "учаскелік терапевт / участковый терапевт".to_string(),
        "pediatrician" => "учаскелік педиатр / участковый педиатр".to_string(),
        "general_practitioner" => "жалпы практика дәрігері / врач общей практики".to_string(),
        other => other.to_string(),
    }
}

/// "Name — specialty in both languages", or the name alone.
pub(crate) fn doctor(name: &str, specialty: Option<&str>) -> String {
    match specialty {
        Some(specialty) => format!("{name} — {}", self::specialty(specialty)),
        None => name.to_owned(),
    }
}

pub(crate) fn weekday(weekday: chrono::Weekday) -> &'static str {
    use chrono::Weekday::*;
    match weekday {
        Mon => "дүйсенбі / понедельник",
        Tue => "сейсенбі / вторник",
        Wed => "сәрсенбі / среда",
        Thu => "бейсенбі / четверг",
        Fri => "жұма / пятница",
        Sat => "сенбі / суббота",
        Sun => "жексенбі / воскресенье",
    }
}

/// The reason of a visit (seed 000's list), in both languages.
pub(crate) fn visit_reason(reason: VisitReason) -> String {
    format!("{} / {}", reason.name_kk(), reason.name_ru())
}

/// The reason's Kazakh and Russian halves, each to be set on its own lines.
pub(crate) fn visit_reason_halves(reason: VisitReason) -> (&'static str, &'static str) {
    (reason.name_kk(), reason.name_ru())
}

pub(crate) fn booking_status(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Booked => "жазылды / записан",
        BookingStatus::Arrived => "келді / пришёл",
        BookingStatus::NoShow => "келмеді / не явился",
        BookingStatus::Cancelled => "бас тартылды / отменено",
        BookingStatus::Moved => "ауыстырылды / перенесено",
    }
}

pub(crate) fn day_closed(closed: DayClosed) -> &'static str {
    match closed {
        DayClosed::Calendar => "Мереке немесе демалыс күні / Праздничный или выходной день",
        DayClosed::Exception { kind } => match kind {
            ExceptionKind::Leave => "Еңбек демалысы / Отпуск",
            ExceptionKind::SickLeave => "Еңбекке жарамсыздық / Больничный",
            ExceptionKind::Training => "Оқу / Учёба",
            ExceptionKind::ChangedHours => "Өзгертілген уақыт / Изменённые часы",
        },
        DayClosed::NotScheduled => "Қабылдау жоқ / Приёма нет",
    }
}

pub(crate) fn visit_purpose(purpose: VisitPurpose) -> &'static str {
    match purpose {
        VisitPurpose::ChildPatronage => "Балалар патронажы / Патронаж ребёнка",
        VisitPurpose::NewbornPatronage => "Жаңа туған нәресте патронажы / Патронаж новорождённого",
        VisitPurpose::ProgressivePatronage => "Прогрессивті патронаж / Прогрессивный патронаж",
        VisitPurpose::AntenatalPatronage => "Босануға дейінгі патронаж / Дородовый патронаж",
        VisitPurpose::ObservationNurse => "Динамикалық бақылау / Динамическое наблюдение",
        VisitPurpose::ObservationDoctor => "Дәрігердің бақылауы / Осмотр врача",
        VisitPurpose::ObservationSpecialist => "Маман / Специалист",
        VisitPurpose::ObservationTests => "Зерттеулер / Обследования",
    }
}

/// An age as a round prints it: months under 3 years, years from then; the
/// Kazakh line above the Russian one (the column is narrow).
pub(crate) fn age(years: u32, months: u32) -> String {
    if years < 3 {
        format!("{months} ай\n{months} мес.")
    } else {
        format!("{years} жас\n{years} {}", russian_years(years))
    }
}

/// The form "year" takes after a count in Russian: 1 год, 3 года, 61 год, 65 лет.
fn russian_years(n: u32) -> &'static str {
    match (n % 10, n % 100) {
        (_, 11..=14) => "лет",
        (1, _) => "год",
        (2..=4, _) => "года",
        _ => "лет",
    }
}

/// A category the state pays OSMS contributions for, in both languages.
pub(crate) fn state_paid_category(category: emhana_domain::osms::StatePaidCategory) -> &'static str {
    use emhana_domain::osms::StatePaidCategory::*;
    match category {
        Child => "бала / ребёнок",
        MotherOfManyChildren => "көпбалалы ана / многодетная мать («Алтын алқа», «Күміс алқа»)",
        Pensioner => "зейнеткер / пенсионер",
        Disabled => "мүгедектігі бар адам / лицо с инвалидностью",
        Student => "күндізгі оқу нысанындағы студент / студент очной формы обучения",
        Pregnant => "жұмыс істемейтін жүкті әйел / неработающая беременная",
        ChildCare => {
            "үш жасқа дейінгі баланы бағып отырған ата-ана / неработающий родитель ребёнка до трёх лет"
        }
        Unemployed => "тіркелген жұмыссыз / зарегистрированный безработный",
        Carer => "мүгедектігі бар адамды күтіп-бағушы / ухаживающий за лицом с инвалидностью",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_age_is_written_with_the_russian_form_its_count_takes() {
        let cases = [
            (31, "31 жас\n31 год"),
            (3, "3 жас\n3 года"),
            (11, "11 жас\n11 лет"),
            (21, "21 жас\n21 год"),
            (44, "44 жас\n44 года"),
            (61, "61 жас\n61 год"),
            (65, "65 жас\n65 лет"),
            (112, "112 жас\n112 лет"),
        ];
        for (years, written) in cases {
            assert_eq!(super::age(years, 0), written);
        }
        assert_eq!(super::age(0, 5), "5 ай\n5 мес.");
    }
}
