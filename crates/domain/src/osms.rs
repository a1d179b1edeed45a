//! Compulsory social health insurance (OSMS, DOMAIN.md §7): a person's
//! payments into the Fund, the months they leave unpaid, and what must be
//! paid to regain the right to care within OSMS.
//!
//! Seed 003, note to appendix 3 (the statement's form): «Уплата отчислений и
//! (или) взносов осуществляется ежемесячно. При наличии задолженности для
//! получения права на медицинскую помощь в рамках ОСМС, Вам необходимо
//! оплатить взносы в Фонд за неуплаченный период, но не более двенадцати
//! месяцев, предшествующих дате оплаты, в размере 5 процентов от
//! минимального размера заработной платы, установленного на текущий
//! финансовый год законом о республиканском бюджете». The minimum wage
//! changes by year: reference data ([`MinimumWages`]), never a constant.
//! PHC stays free whatever the status (seed 000): the status informs, it
//! never blocks attachment or booking.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

text_enum!(
    /// What a payment into the Fund is.
    PaymentKind {
        /// An employer's deduction (отчисление).
        Deduction => "deduction",
        /// A contribution (взнос): the employee's, the self-employed's, or one paid to regain coverage.
        Contribution => "contribution",
    }
);

/// A calendar month, the period a payment is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct Month {
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The month `n` months before this one.
    pub fn minus(self, n: u32) -> Month {
        let index = self.year * 12 + (self.month as i32 - 1) - n as i32;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

/// One payment into the Fund, as the statement lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Payment {
    pub paid_on: NaiveDate,
    /// In tiyn (1/100 tenge): amounts are kept exact.
    pub amount_tiyn: i64,
    pub kind: PaymentKind,
    /// The month it is for.
    pub period: Month,
    /// The payer's BIN or IIN.
    pub payer: String,
    /// Returned to the payer, with the day: a refunded payment pays nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_tiyn: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_on: Option<NaiveDate>,
}

impl Payment {
    /// Whether the payment still pays for its month: not refunded in full.
    pub fn pays(&self) -> bool {
        self.amount_tiyn - self.refund_tiyn.unwrap_or(0) > 0
    }
}

/// The minimum monthly wage of each financial year, in tenge, as the law on
/// the republican budget sets it: reference data, handed out by the
/// registry like the calendar.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MinimumWages {
    pub years: Vec<YearWage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct YearWage {
    pub year: i32,
    pub tenge: i64,
}

impl MinimumWages {
    pub fn of_year(&self, year: i32) -> Option<i64> {
        self.years
            .iter()
            .find(|wage| wage.year == year)
            .map(|wage| wage.tenge)
    }
}

/// The share of the minimum wage one month of arrears costs: 5 % (point 3
/// of article 5 of the Law on OSMS, quoted by seed 003).
pub const ARREARS_PERCENT_OF_MINIMUM_WAGE: i64 = 5;

/// How many months before the payment date arrears are paid for, at most.
pub const ARREARS_MONTHS_AT_MOST: u32 = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, ts_rs::TS)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum OsmsError {
    /// The minimum wage of the year is not in the reference data: the
    /// administrator sets it; nothing is computed from a silent zero.
    #[error("the minimum monthly wage of {year} is not set")]
    MinimumWageMissing { year: i32 },
}

/// What a person must pay to regain coverage if they pay on `pay_on`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct Arrears {
    /// The unpaid months it pays for, oldest first: of the 12 before the
    /// month of `pay_on`, those no payment pays for.
    pub months: Vec<Month>,
    /// One month's contribution: 5 % of the year's minimum wage, in tiyn.
    pub per_month_tiyn: i64,
    pub total_tiyn: i64,
    /// The year whose minimum wage it is computed from (the year of `pay_on`).
    pub wage_year: i32,
}

/// The arrears to pay on `pay_on`: the months unpaid among the 12 before
/// its month, each at 5 % of the minimum wage of `pay_on`'s year. Unpaid
/// months further back are not asked for; a month is paid by any payment
/// for it that was not refunded in full.
pub fn arrears(payments: &[Payment], pay_on: NaiveDate, wages: &MinimumWages) -> Result<Arrears, OsmsError> {
    let year = pay_on.year();
    let wage = wages
        .of_year(year)
        .ok_or(OsmsError::MinimumWageMissing { year })?;
    let months = unpaid_before(payments, Month::of(pay_on));
    // in tiyn: wage × 100 × 5 / 100
    let per_month_tiyn = wage * ARREARS_PERCENT_OF_MINIMUM_WAGE;
    Ok(Arrears {
        total_tiyn: per_month_tiyn * months.len() as i64,
        months,
        per_month_tiyn,
        wage_year: year,
    })
}

text_enum!(
    /// A category of persons for whom the state pays the contributions
    /// (Law on OSMS, article 26 p.1): they are consumers without paying.
    StatePaidCategory {
        /// Children (under 18), known from the birth date itself.
        Child => "child",
        /// Mothers of many children awarded «Алтын алқа», «Күміс алқа».
        MotherOfManyChildren => "mother_of_many_children",
        /// Pensioners by age or long service.
        Pensioner => "pensioner",
        /// Persons with a disability.
        Disabled => "disabled",
        /// Full-time students of colleges and universities.
        Student => "student",
        /// Non-working pregnant women.
        Pregnant => "pregnant",
        /// A non-working parent raising a child under three.
        ChildCare => "child_care",
        /// The unemployed registered with the employment service.
        Unemployed => "unemployed",
        /// A non-working carer of a child with a disability or of a person with a first-group disability.
        Carer => "carer",
    }
);

/// The state pays for the person as one of its categories over these days
/// (the Fund's data; `until` none: still).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StatePaid {
    pub category: StatePaidCategory,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl StatePaid {
    fn covers(&self, date: NaiveDate) -> bool {
        self.from <= date && self.until.is_none_or(|until| date <= until)
    }
}

/// What the Fund knows of a person: the facts the status is decided from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OsmsFacts {
    /// Oldest first.
    pub payments: Vec<Payment>,
    pub state_paid: Vec<StatePaid>,
}

text_enum!(
    /// The state of a digital insurance policy (seed 003 p. 37.2).
    PolicyStatus {
        /// In force.
        Active => "active",
        /// Blocked with the account: death, incapacity, a court's act.
        Blocked => "blocked",
        /// Annulled by the issuer.
        Annulled => "annulled",
    }
);

/// A digital insurance policy as the policy registry holds it (seed 003
/// p. 36–37). The provider the holder is attached to is not part of it
/// here: the registry names it from its attachment register each time it
/// answers (p. 38: "attached automatically from the clinic system's data").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Policy {
    pub number: String,
    pub issuer_name: String,
    pub issuer_location: String,
    pub issuer_bin: String,
    /// The holder as the policy names them: full name, registered address,
    /// IIN, identity document's number.
    pub holder_full_name: String,
    pub holder_address: String,
    pub holder_iin: String,
    pub holder_document: String,
    pub issued_on: NaiveDate,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// The services of the state's insurance coverage it covers.
    pub services: Vec<String>,
    pub registrar_name: String,
    pub registrar_location: String,
    pub status: PolicyStatus,
}

impl Policy {
    /// Whether the policy is in force on `day`: active and within its period.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.status == PolicyStatus::Active && self.valid_from <= day && day <= self.valid_until
    }
}

/// How long the status holds after the last paid month (DOMAIN.md §10:
/// «the status holds 3 months after the last paid month»).
pub const STATUS_HOLDS_MONTHS: u32 = 3;

/// The person's status in OSMS on a day, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OsmsStatus {
    /// An OSMS consumer (потребитель ОСМС).
    Consumer { ground: ConsumerGround },
    /// Not an OSMS consumer: no month paid in the last
    /// [`STATUS_HOLDS_MONTHS`] months and no category the state pays for.
    NotConsumer {
        /// The last month paid for, if any ever was.
        last_paid: Option<Month>,
        /// Unpaid months among the 12 before the day (what arrears would pay for).
        unpaid_months: u32,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ConsumerGround {
    /// The state pays for the person.
    StatePaid { category: StatePaidCategory },
    /// Paid for: the last paid month, and the last month the status holds.
    Paid { last_paid: Month, holds_through: Month },
}

impl Month {
    /// The month `n` months after this one.
    pub fn plus(self, n: u32) -> Month {
        let index = self.year * 12 + (self.month as i32 - 1) + n as i32;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }
}

/// The person's status on `on`: a consumer if the state pays for them that
/// day (a child under 18 by the birth date, or a category in the Fund's
/// data), or if a month no more than [`STATUS_HOLDS_MONTHS`] before `on`'s
/// month (or a later one, paid ahead) is paid for; otherwise not, with the
/// months unpaid. The status informs: PHC is free whatever it is (seed 000).
pub fn status(facts: &OsmsFacts, birth_date: NaiveDate, on: NaiveDate) -> OsmsStatus {
    if crate::age_on(birth_date, on).is_some_and(|age| age < 18) {
        return OsmsStatus::Consumer {
            ground: ConsumerGround::StatePaid {
                category: StatePaidCategory::Child,
            },
        };
    }
    if let Some(paid) = facts.state_paid.iter().find(|paid| paid.covers(on)) {
        return OsmsStatus::Consumer {
            ground: ConsumerGround::StatePaid {
                category: paid.category,
            },
        };
    }
    let this_month = Month::of(on);
    // what was paid by the day
    let paid: Vec<Payment> = facts
        .payments
        .iter()
        .filter(|payment| payment.paid_on <= on)
        .cloned()
        .collect();
    let last_paid = paid
        .iter()
        .filter(|payment| payment.pays())
        .map(|payment| payment.period)
        .max();
    match last_paid {
        Some(last_paid) if last_paid.plus(STATUS_HOLDS_MONTHS) >= this_month => OsmsStatus::Consumer {
            ground: ConsumerGround::Paid {
                last_paid,
                holds_through: last_paid.plus(STATUS_HOLDS_MONTHS),
            },
        },
        _ => OsmsStatus::NotConsumer {
            last_paid,
            unpaid_months: unpaid_before(&paid, this_month).len() as u32,
        },
    }
}

/// The months among the 12 before `this_month` that no payment pays for, oldest first.
fn unpaid_before(payments: &[Payment], this_month: Month) -> Vec<Month> {
    (1..=ARREARS_MONTHS_AT_MOST)
        .rev()
        .map(|back| this_month.minus(back))
        .filter(|month| {
            !payments
                .iter()
                .any(|payment| payment.period == *month && payment.pays())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn paid(year: i32, month: u32) -> Payment {
        Payment {
            paid_on: date(year, month, 25),
            amount_tiyn: 425_000,
            kind: PaymentKind::Contribution,
            period: Month { year, month },
            payer: "850101300017".into(),
            refund_tiyn: None,
            refunded_on: None,
        }
    }

    /// Illustrative minimum wages for the tests (the registry's reference
    /// data holds the real ones, set by the administrator).
    fn wages() -> MinimumWages {
        MinimumWages {
            years: vec![
                YearWage {
                    year: 2026,
                    tenge: 85_000,
                },
                YearWage {
                    year: 2027,
                    tenge: 90_000,
                },
            ],
        }
    }

    #[test]
    fn months_step_back_across_years() {
        let cases = [
            (Month { year: 2026, month: 3 }, 2, Month { year: 2026, month: 1 }),
            (
                Month { year: 2026, month: 3 },
                3,
                Month {
                    year: 2025,
                    month: 12,
                },
            ),
            (Month { year: 2026, month: 1 }, 12, Month { year: 2025, month: 1 }),
            (
                Month { year: 2026, month: 1 },
                13,
                Month {
                    year: 2024,
                    month: 12,
                },
            ),
            (
                Month {
                    year: 2026,
                    month: 12,
                },
                0,
                Month {
                    year: 2026,
                    month: 12,
                },
            ),
        ];
        for (from, back, expected) in cases {
            assert_eq!(from.minus(back), expected, "{from:?} - {back}");
        }
    }

    #[test]
    fn arrears_are_the_unpaid_months_but_no_more_than_the_twelve_before_the_payment() {
        let pay_on = date(2026, 11, 20);
        // 5 % of 85,000 tenge = 4,250 tenge a month
        let month = 4_250 * 100;
        type Case = (&'static str, Vec<Payment>, usize);
        let cases: Vec<Case> = vec![
            // «не более двенадцати месяцев, предшествующих дате оплаты»
            (
                "paid until 18 months ago, nothing since: 12 are asked",
                (19..=30)
                    .map(|back| {
                        let m = Month::of(pay_on).minus(back);
                        paid(m.year, m.month)
                    })
                    .collect(),
                12,
            ),
            (
                "every month paid",
                (1..=12)
                    .map(|back| {
                        let m = Month::of(pay_on).minus(back);
                        paid(m.year, m.month)
                    })
                    .collect(),
                0,
            ),
            (
                "months paid in between: the others",
                vec![paid(2026, 2), paid(2026, 5), paid(2026, 9)],
                9,
            ),
            (
                "a payment for the current month does not pay a past one",
                vec![paid(2026, 11)],
                12,
            ),
            (
                "a month paid 13 months back counts for nothing",
                vec![paid(2025, 10)],
                12,
            ),
            (
                "a refunded payment pays nothing",
                vec![Payment {
                    refund_tiyn: Some(425_000),
                    refunded_on: Some(date(2026, 3, 1)),
                    ..paid(2026, 2)
                }],
                12,
            ),
            (
                "a payment refunded in part still pays its month",
                vec![Payment {
                    refund_tiyn: Some(100_000),
                    ..paid(2026, 2)
                }],
                11,
            ),
        ];
        for (case, payments, unpaid) in cases {
            let owed = arrears(&payments, pay_on, &wages()).unwrap();
            assert_eq!(owed.months.len(), unpaid, "{case}");
            assert_eq!(owed.per_month_tiyn, month, "{case}");
            assert_eq!(owed.total_tiyn, month * unpaid as i64, "{case}");
        }
        // 12 × 5 % × 85,000 = 51,000 tenge
        assert_eq!(arrears(&[], pay_on, &wages()).unwrap().total_tiyn, 51_000 * 100);
    }

    #[test]
    fn at_the_year_boundary_the_months_span_two_years_at_the_new_years_wage() {
        // paying on 15 January 2027: December 2025 is more than 12 months back
        let owed = arrears(&[paid(2026, 6)], date(2027, 1, 15), &wages()).unwrap();
        assert_eq!(owed.months.first(), Some(&Month { year: 2026, month: 1 }));
        assert_eq!(
            owed.months.last(),
            Some(&Month {
                year: 2026,
                month: 12
            })
        );
        assert_eq!(owed.months.len(), 11, "June 2026 was paid");
        // «установленного на текущий финансовый год»: 2027's wage, 5 % of 90,000
        assert_eq!(owed.wage_year, 2027);
        assert_eq!(owed.per_month_tiyn, 4_500 * 100);
        assert_eq!(owed.total_tiyn, 11 * 4_500 * 100);
    }

    #[test]
    fn a_year_without_its_minimum_wage_is_an_error_not_a_zero() {
        assert_eq!(
            arrears(&[], date(2028, 2, 1), &wages()),
            Err(OsmsError::MinimumWageMissing { year: 2028 })
        );
    }

    #[test]
    fn the_status_holds_three_months_after_the_last_paid_month_and_the_state_pays_for_its_categories() {
        let adult = date(1985, 1, 1);
        let on = date(2026, 11, 20);
        let facts = |payments: Vec<Payment>, state_paid: Vec<StatePaid>| OsmsFacts { payments, state_paid };
        let paid_through = |year, month| OsmsStatus::Consumer {
            ground: ConsumerGround::Paid {
                last_paid: Month { year, month },
                holds_through: Month { year, month }.plus(STATUS_HOLDS_MONTHS),
            },
        };
        let pensioner = StatePaid {
            category: StatePaidCategory::Pensioner,
            from: date(2024, 5, 1),
            until: None,
        };
        type Case = (&'static str, OsmsFacts, NaiveDate, OsmsStatus);
        let cases: Vec<Case> = vec![
            (
                "October paid: a consumer",
                facts(vec![paid(2026, 10)], vec![]),
                adult,
                paid_through(2026, 10),
            ),
            (
                "August paid: the status holds through November",
                facts(vec![paid(2026, 8)], vec![]),
                adult,
                paid_through(2026, 8),
            ),
            (
                "July paid: it held through October, not now",
                facts(vec![paid(2026, 6), paid(2026, 7)], vec![]),
                adult,
                OsmsStatus::NotConsumer {
                    last_paid: Some(Month { year: 2026, month: 7 }),
                    unpaid_months: 10,
                },
            ),
            (
                "nothing ever paid",
                facts(vec![], vec![]),
                adult,
                OsmsStatus::NotConsumer {
                    last_paid: None,
                    unpaid_months: 12,
                },
            ),
            (
                "October's payment refunded: it pays nothing",
                facts(
                    vec![Payment {
                        refund_tiyn: Some(425_000),
                        refunded_on: Some(date(2026, 11, 2)),
                        ..paid(2026, 10)
                    }],
                    vec![],
                ),
                adult,
                OsmsStatus::NotConsumer {
                    last_paid: None,
                    unpaid_months: 12,
                },
            ),
            (
                "a pensioner pays nothing and is a consumer",
                facts(vec![], vec![pensioner.clone()]),
                adult,
                OsmsStatus::Consumer {
                    ground: ConsumerGround::StatePaid {
                        category: StatePaidCategory::Pensioner,
                    },
                },
            ),
            (
                "a category that ended no longer counts",
                facts(
                    vec![],
                    vec![StatePaid {
                        category: StatePaidCategory::Student,
                        from: date(2021, 9, 1),
                        until: Some(date(2025, 6, 30)),
                    }],
                ),
                adult,
                OsmsStatus::NotConsumer {
                    last_paid: None,
                    unpaid_months: 12,
                },
            ),
            (
                "a child is a consumer by the birth date alone",
                facts(vec![], vec![]),
                date(2010, 3, 4),
                OsmsStatus::Consumer {
                    ground: ConsumerGround::StatePaid {
                        category: StatePaidCategory::Child,
                    },
                },
            ),
            (
                "on the 18th birthday a child's ground ends",
                facts(vec![], vec![]),
                date(2008, 11, 20),
                OsmsStatus::NotConsumer {
                    last_paid: None,
                    unpaid_months: 12,
                },
            ),
            (
                "a payment made after the day does not count on the day",
                facts(
                    vec![Payment {
                        paid_on: date(2026, 11, 25),
                        ..paid(2026, 10)
                    }],
                    vec![],
                ),
                adult,
                OsmsStatus::NotConsumer {
                    last_paid: None,
                    unpaid_months: 12,
                },
            ),
        ];
        for (case, facts, birth, expected) in cases {
            assert_eq!(status(&facts, birth, on), expected, "{case}");
        }
    }

    #[test]
    fn the_status_holds_across_the_year_boundary() {
        // November 2026 paid: it holds through February 2027
        let facts = OsmsFacts {
            payments: vec![paid(2026, 11)],
            state_paid: vec![],
        };
        let adult = date(1985, 1, 1);
        assert!(matches!(
            status(&facts, adult, date(2027, 2, 28)),
            OsmsStatus::Consumer { .. }
        ));
        assert!(matches!(
            status(&facts, adult, date(2027, 3, 1)),
            OsmsStatus::NotConsumer { .. }
        ));
    }
}
