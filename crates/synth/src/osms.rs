//! Synthetic OSMS facts for the demo region: who pays into the Fund, who
//! stopped, whom the state pays for — with the gaps and arrears a real
//! clinic's population has. Each person's facts follow from their IIN and
//! the day, so the demo is the same on every PC.

use chrono::{Datelike, NaiveDate};
use emhana_domain::osms::{
    MinimumWages, Month, OsmsFacts, OsmsStatus, Payment, PaymentKind, Policy, PolicyStatus, StatePaid,
    StatePaidCategory, YearWage, status,
};
use emhana_domain::{Person, Sex, age_on};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The months of payments the demo keeps for a person: the twelve before
/// the day (what the statement and the arrears look at) and the day's own.
const MONTHS_KEPT: u32 = 13;

/// The minimum monthly wage the demo's reference data holds: 85,000 tenge
/// for 2024–2026, as the budget laws of those years set it. A real clinic
/// gets the years' wages from its registry, set there by its administrator.
pub fn demo_minimum_wages() -> MinimumWages {
    MinimumWages {
        years: (2024..=2026)
            .map(|year| YearWage { year, tenge: 85_000 })
            .collect(),
    }
}

/// Employers of the demo region (BINs with a right check digit).
const EMPLOYERS: [&str; 4] = ["040340000007", "990140001005", "060540003002", "101140009901"];

/// What the Fund knows of `person` on `as_of`:
/// - children: nothing (the state pays for them by their age);
/// - pensioners (63 for men, 61 for women): the state pays;
/// - of the other adults, about 60 % are employed, an employer's deduction
///   every month; 12 % self-employed, paying their own contributions with a
///   month missed here and there; 14 % stopped paying 4 to 20 months ago
///   (arrears); 4 % are students or non-working pregnant women (state-paid);
///   10 % never paid.
pub fn demo_osms(person: &Person, as_of: NaiveDate) -> OsmsFacts {
    let Some(age) = age_on(person.birth_date, as_of) else {
        return OsmsFacts::default();
    };
    if age < 18 {
        return OsmsFacts::default();
    }
    let digits: u64 = person.iin.as_string().parse().unwrap_or(0);
    let mut rng = ChaCha8Rng::seed_from_u64(digits ^ 0x05_45_53);
    let retirement = if person.sex == Sex::Male { 63 } else { 61 };
    if age >= retirement {
        let from = person
            .birth_date
            .with_year(person.birth_date.year() + retirement as i32)
            .unwrap_or(as_of);
        return state_paid(StatePaidCategory::Pensioner, from);
    }
    let this_month = Month::of(as_of);
    let employer = EMPLOYERS[rng.random_range(0..EMPLOYERS.len())];
    let paid = |months: &mut dyn Iterator<Item = u32>, kind: PaymentKind, payer: &str| -> Vec<Payment> {
        months
            .map(|back| this_month.minus(back))
            .map(|period| Payment {
                // paid in the month after, on the 25th
                paid_on: NaiveDate::from_ymd_opt(period.plus(1).year, period.plus(1).month, 25)
                    .unwrap_or(as_of)
                    .min(as_of),
                amount_tiyn: 425_000,
                kind,
                period,
                payer: payer.to_owned(),
                refund_tiyn: None,
                refunded_on: None,
            })
            .collect()
    };
    let roll: u32 = rng.random_range(0..100);
    let mut payments = match roll {
        // employed: every month up to the last one
        0..60 => paid(&mut (1..=MONTHS_KEPT).rev(), PaymentKind::Deduction, employer),
        // self-employed: a month missed now and then
        60..72 => {
            let months: Vec<u32> = (1..=MONTHS_KEPT)
                .rev()
                .filter(|_| rng.random_range(0..6) != 0)
                .collect();
            paid(
                &mut months.into_iter(),
                PaymentKind::Contribution,
                &person.iin.as_string(),
            )
        }
        // stopped paying some months ago: arrears
        72..86 => {
            let stopped = rng.random_range(4..=20u32);
            paid(
                &mut (stopped..=MONTHS_KEPT.max(stopped))
                    .rev()
                    .filter(|back| *back <= MONTHS_KEPT),
                PaymentKind::Deduction,
                employer,
            )
        }
        86..88 => {
            return state_paid(
                StatePaidCategory::Student,
                NaiveDate::from_ymd_opt(as_of.year() - 1, 9, 1).unwrap_or(as_of),
            );
        }
        88..90 if person.sex == Sex::Female => {
            return state_paid(StatePaidCategory::Pregnant, as_of - chrono::TimeDelta::days(120));
        }
        _ => Vec::new(),
    };
    payments.retain(|payment| payment.paid_on < as_of);
    // now and then a payment made in error and returned
    if payments.len() > 3 && rng.random_range(0..25) == 0 {
        let refunded = payments.len() - 2;
        payments[refunded].refund_tiyn = Some(payments[refunded].amount_tiyn);
        payments[refunded].refunded_on = Some(payments[refunded].paid_on + chrono::TimeDelta::days(9));
        payments[refunded].refunded_on = payments[refunded].refunded_on.map(|day| day.min(as_of));
    }
    OsmsFacts {
        payments,
        state_paid: Vec::new(),
    }
}

/// The digital policy of the 2026 pilot (seed 003) `person` holds on
/// `as_of`, if any: about four in ten of the region's people got one this
/// year, valid for a year from the day it was issued; a policy of someone
/// who is not a consumer now is blocked. The same for a person on every PC.
pub fn demo_policy(person: &Person, as_of: NaiveDate) -> Option<Policy> {
    let digits: u64 = person.iin.as_string().parse().unwrap_or(0);
    let mut rng = ChaCha8Rng::seed_from_u64(digits ^ 0x50_4c_43);
    if rng.random_range(0..100) >= 40 {
        return None;
    }
    let year_start = NaiveDate::from_ymd_opt(as_of.year(), 1, 12)?;
    let days = (as_of - year_start).num_days();
    if days <= 0 {
        return None;
    }
    let issued_on = (year_start + chrono::TimeDelta::days(rng.random_range(0..days))).max(person.birth_date);
    let consumer = matches!(
        status(&demo_osms(person, as_of), person.birth_date, as_of),
        OsmsStatus::Consumer { .. }
    );
    // the policy names the registered address: none, no policy
    let address = person
        .address
        .as_ref()
        .map(|a| format!("{}, {}, {}", a.settlement, a.street, a.house))?;
    Some(Policy {
        number: format!("П-{}-{:07}", issued_on.year(), rng.random_range(0..10_000_000u32)),
        issuer_name: "НАО «Фонд социального медицинского страхования»".into(),
        issuer_location: "Астана".into(),
        issuer_bin: fund_bin(),
        holder_full_name: person.full_name(),
        holder_address: address,
        holder_iin: person.iin.as_string(),
        holder_document: format!("0{:08}", rng.random_range(0..100_000_000u32)),
        issued_on,
        valid_from: issued_on,
        valid_until: issued_on.with_year(issued_on.year() + 1)? - chrono::TimeDelta::days(1),
        services: [
            "Первичная медико-санитарная помощь",
            "Консультативно-диагностическая помощь",
            "Стационарная помощь",
            "Стационарозамещающая помощь",
        ]
        .map(String::from)
        .to_vec(),
        registrar_name: "Филиал НАО «ФСМС» по г. Астана".into(),
        registrar_location: "Астана".into(),
        status: if consumer {
            PolicyStatus::Active
        } else {
            PolicyStatus::Blocked
        },
    })
}

/// The Fund's BIN in the demo: made up, with a right check digit.
fn fund_bin() -> String {
    emhana_domain::Bin::complete([1, 6, 0, 4, 4, 0, 0, 9, 9, 9, 0])
        .map(|bin| bin.as_string())
        .unwrap_or_default()
}

fn state_paid(category: StatePaidCategory, from: NaiveDate) -> OsmsFacts {
    OsmsFacts {
        payments: Vec::new(),
        state_paid: vec![StatePaid {
            category,
            from,
            until: None,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_population_has_consumers_state_paid_and_people_in_arrears() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let mut synth = crate::Synth::new(crate::demo_config(as_of)).unwrap();
        let (mut consumers, mut not, mut with_arrears, mut adults) = (0, 0, 0, 0);
        for household in synth.next_batch(2_000).unwrap() {
            for person in &household.members {
                let facts = demo_osms(person, as_of);
                for payment in &facts.payments {
                    assert!(
                        emhana_domain::Iin::parse(&payment.payer).is_ok(),
                        "a right check digit: {payment:?}"
                    );
                    assert!(payment.paid_on < as_of, "{payment:?}");
                    assert!(payment.period < Month::of(as_of));
                }
                if age_on(person.birth_date, as_of).is_some_and(|age| age >= 18) {
                    adults += 1;
                }
                match status(&facts, person.birth_date, as_of) {
                    OsmsStatus::Consumer { .. } => consumers += 1,
                    OsmsStatus::NotConsumer { unpaid_months, .. } => {
                        not += 1;
                        if unpaid_months > 0 && unpaid_months < 12 {
                            with_arrears += 1;
                        }
                    }
                }
                // the same person, the same facts
                assert_eq!(facts, demo_osms(person, as_of));
            }
        }
        assert!(adults > 1_000, "{adults}");
        let total = (consumers + not) as f64;
        assert!(
            (0.65..0.92).contains(&(consumers as f64 / total)),
            "{consumers} of {total}"
        );
        assert!(
            with_arrears > 50,
            "some stopped paying months ago: {with_arrears}"
        );
    }

    #[test]
    fn about_four_in_ten_hold_a_policy_of_the_pilot_blocked_where_not_a_consumer() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        assert!(
            emhana_domain::Bin::parse(&fund_bin()).is_ok(),
            "a right check digit"
        );
        let mut synth = crate::Synth::new(crate::demo_config(as_of)).unwrap();
        let (mut people, mut holders, mut blocked) = (0, 0, 0);
        for household in synth.next_batch(2_000).unwrap() {
            for person in &household.members {
                people += 1;
                let Some(policy) = demo_policy(person, as_of) else {
                    continue;
                };
                holders += 1;
                assert!(
                    policy.valid_from <= as_of && as_of <= policy.valid_until,
                    "{policy:?}"
                );
                assert!(policy.issued_on >= person.birth_date);
                let consumer = matches!(
                    status(&demo_osms(person, as_of), person.birth_date, as_of),
                    OsmsStatus::Consumer { .. }
                );
                assert_eq!(policy.in_force(as_of), consumer, "{policy:?}");
                blocked += usize::from(!consumer);
                assert_eq!(Some(policy), demo_policy(person, as_of), "the same on every PC");
            }
        }
        let share = holders as f64 / people as f64;
        assert!((0.3..0.5).contains(&share), "{holders} of {people}");
        assert!(blocked > 0);
    }
}
