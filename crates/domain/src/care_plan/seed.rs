//! Seed 000's schedules: the first version of the care-plan rule table (a
//! new order is new data, kept beside it by its `valid_from`).

use super::*;

impl PlanRules {
    /// Seed 000's schedules (order No. 281 of 2015).
    pub fn seed_default() -> PlanRules {
        use After::{Days, Months, MonthsPlusDays};
        use VisitPurpose::*;
        let child = |anchor, from, to, purpose| VisitRule {
            anchor,
            from,
            to,
            who: VisitWho::Nurse,
            purpose,
            reading: None,
        };
        let read = |rule: VisitRule, reading: &str| VisitRule {
            reading: Some(reading.to_owned()),
            ..rule
        };
        let cadence = |condition, high_risk, who, purpose, every_months, what: &str| CadenceRule {
            condition,
            high_risk,
            who,
            purpose,
            every_months,
            what: what.to_owned(),
            // seed 000: "1 раз в год кардиологом", "осмотр врачом эндокринологом 1 раз в год"
            specialty: (who == VisitWho::Specialist).then(|| {
                match condition {
                    Condition::Diabetes2 => "endocrinologist",
                    Condition::ChronicHeartFailure | Condition::ArterialHypertension => "cardiologist",
                }
                .to_owned()
            }),
        };
        use Condition::*;
        use VisitWho::{DistrictDoctor, Nurse, Specialist, Tests};
        PlanRules {
            source: "Приказ № 281 (2015) / № 281 бұйрық (2015)".to_owned(),
            valid_from: NaiveDate::from_ymd_opt(2015, 4, 28).unwrap_or(NaiveDate::MIN),
            // Seed 000's nine visits to every child under 3: "первые 3 дня после выписки из
            // роддома" — days 0–3 after discharge; "7 дней жизни" — read as at seven days of
            // age: due on day 7, overdue after day 9 (a weekend's grace, not before: the
            // discharge visit covers the first days); then each age with its window.
            child: vec![
                read(
                    child(Anchor::Discharge, Days(0), Days(3), ChildPatronage),
                    "«первые 3 дня после выписки из роддома»: с выписки до 3-го дня",
                ),
                read(
                    child(Anchor::Birth, Days(7), Days(9), ChildPatronage),
                    "«7 дней жизни»: в семь дней от роду; просрочен после 9-го дня (выходные)",
                ),
                child(Anchor::Birth, Months(1), Months(2), NewbornPatronage),
                child(Anchor::Birth, Months(3), MonthsPlusDays(3, 14), NewbornPatronage),
                child(Anchor::Birth, Months(6), MonthsPlusDays(6, 14), NewbornPatronage),
                child(
                    Anchor::Birth,
                    Months(12),
                    MonthsPlusDays(12, 30),
                    NewbornPatronage,
                ),
                child(Anchor::Birth, Months(18), MonthsPlusDays(18, 30), ChildPatronage),
                child(Anchor::Birth, Months(24), MonthsPlusDays(24, 30), ChildPatronage),
                child(Anchor::Birth, Months(36), MonthsPlusDays(36, 30), ChildPatronage),
            ],
            // Seed 000 says only that visits become more frequent under an
            // individual plan; the default fills every month of the first
            // year without a mandatory visit. A clinic's order replaces it.
            progressive: [14u32, 60, 120, 150, 210, 240, 270, 300, 330]
                .into_iter()
                .map(|day| child(Anchor::Birth, Days(day), Days(day + 7), ProgressivePatronage))
                .collect(),
            // Seed 000: the first visit "в течение 8-10 дней после получения информации из женской
            // консультации" — within 8–10 days of the report: due from the report, overdue after
            // day 10 (not "planned" until day 8); the second "до 30-32 недели" — due from week 30,
            // overdue after week 32.
            antenatal: vec![
                VisitRule {
                    anchor: Anchor::PregnancyReport,
                    from: Days(0),
                    to: Days(10),
                    who: Nurse,
                    purpose: AntenatalPatronage,
                    reading: Some(
                        "«в течение 8-10 дней после получения информации»: с сообщения, просрочен после 10-го дня"
                            .to_owned(),
                    ),
                },
                VisitRule {
                    anchor: Anchor::PregnancyStart,
                    from: Days(30 * 7),
                    to: Days(32 * 7),
                    who: Nurse,
                    purpose: AntenatalPatronage,
                    reading: Some("«до 30-32 недели»: с 30-й недели, просрочен после 32-й".to_owned()),
                },
            ],
            observation: vec![
                cadence(
                    ArterialHypertension,
                    Some(false),
                    Nurse,
                    ObservationNurse,
                    3,
                    "АҚ, ЖСЖ / АД, ЧСС",
                ),
                cadence(
                    ArterialHypertension,
                    Some(false),
                    DistrictDoctor,
                    ObservationDoctor,
                    6,
                    "Тексеру / Осмотр",
                ),
                cadence(
                    ArterialHypertension,
                    Some(true),
                    Nurse,
                    ObservationNurse,
                    1,
                    "АҚ, ЖСЖ / АД, ЧСС",
                ),
                cadence(
                    ArterialHypertension,
                    Some(true),
                    DistrictDoctor,
                    ObservationDoctor,
                    3,
                    "Тексеру / Осмотр",
                ),
                cadence(
                    ArterialHypertension,
                    None,
                    Tests,
                    ObservationTests,
                    12,
                    "Несеп, ТТЛП, ЭКГ / Моча, ЛПНП, ЭКГ",
                ),
                // "1 раз в два года проводится суточное мониторирование артериального давления (24 часа) и эхокардиография"
                cadence(
                    ArterialHypertension,
                    None,
                    Tests,
                    ObservationTests,
                    24,
                    "АҚ тәуліктік мониторингі (24 сағ), ЭхоКГ / СМАД (24 часа), ЭхоКГ",
                ),
                cadence(
                    ChronicHeartFailure,
                    None,
                    Nurse,
                    ObservationNurse,
                    3,
                    "АҚ, салмақ, ісінулер / АД, вес, отёки",
                ),
                cadence(
                    ChronicHeartFailure,
                    None,
                    DistrictDoctor,
                    ObservationDoctor,
                    6,
                    "Тексеру / Осмотр",
                ),
                cadence(
                    ChronicHeartFailure,
                    None,
                    Specialist,
                    ObservationSpecialist,
                    12,
                    "Кардиолог",
                ),
                cadence(
                    ChronicHeartFailure,
                    None,
                    Tests,
                    ObservationTests,
                    6,
                    "ТТЛП, ЭхоКГ / ЛПНП, ЭхоКГ",
                ),
                // "1 раз в год проводится холтеровское мониторирование ЭКГ и тредмил тест, а также
                // ЭКГ, эхокардиография, офтальмоскопия с широким зрачком, электромиография, креатинин"
                cadence(
                    ChronicHeartFailure,
                    None,
                    Tests,
                    ObservationTests,
                    12,
                    "Холтер, тредмил-тест, ЭКГ, ЭхоКГ, көз түбі, ЭМГ, креатинин / \
                     Холтер, тредмил-тест, ЭКГ, ЭхоКГ, офтальмоскопия, ЭМГ, креатинин",
                ),
                // "1 раз в 3 месяца определение гликированного гемоглобина в крови (СН)"
                cadence(
                    ChronicHeartFailure,
                    None,
                    Tests,
                    ObservationTests,
                    3,
                    "HbA1c / гликированный гемоглобин",
                ),
                cadence(
                    Diabetes2,
                    None,
                    Nurse,
                    ObservationNurse,
                    3,
                    "Глюкоза, аяқ / Глюкоза, стопы",
                ),
                cadence(
                    Diabetes2,
                    None,
                    DistrictDoctor,
                    ObservationDoctor,
                    6,
                    "Тексеру / Осмотр",
                ),
                cadence(
                    Diabetes2,
                    None,
                    Specialist,
                    ObservationSpecialist,
                    12,
                    "Эндокринолог",
                ),
                cadence(
                    Diabetes2,
                    None,
                    Tests,
                    ObservationTests,
                    3,
                    "HbA1c, креатинин, липидтер / липиды",
                ),
                // "1 раз в год офтальмоскопия с широким зрачком и электромиография"
                cadence(
                    Diabetes2,
                    None,
                    Tests,
                    ObservationTests,
                    12,
                    "Көз түбі, ЭМГ / Офтальмоскопия с широким зрачком, ЭМГ",
                ),
            ],
            observation_horizon_months: 12,
            cadence_window_days: 14,
        }
    }
}
