//! The registry standing in for the Fund: its payment and state-paid files,
//! the minimum wage as reference data, and a person's status for the
//! clinic that serves them.

use anyhow::Result;
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::osms::{ConsumerGround, Month, OsmsStatus, StatePaidCategory};
use emhana_protocol::OsmsAnswer;
use emhana_registry::organization::{Problem, SetupError};
use emhana_registry::osms::{import_payments, import_state_paid, set_minimum_wage};

use crate::support::{TestRegistry, at, author, bin, person};

fn refused<T: std::fmt::Debug>(result: Result<T, SetupError>) -> Vec<(Option<u64>, &'static str)> {
    match result {
        Err(SetupError::Refused(problems)) => problems
            .iter()
            .map(|Problem { line, code, .. }| (*line, *code))
            .collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A Fund's file: the person's contributions for the months given, paid on
/// the 25th of each, by the employer `bin(1)`.
fn payments_file(iin: &str, months: &[(i32, u32)]) -> String {
    let mut csv = String::from("payment_id;iin;paid_on;amount;kind;period;payer;refund_amount;refund_date\n");
    for (year, month) in months {
        csv.push_str(&format!(
            "P-{iin}-{year}{month:02};{iin};25.{month:02}.{year};4 250,00;отчисление;{month:02}.{year};{};;\n",
            bin(1)
        ));
    }
    csv
}

#[tokio::test]
async fn a_funds_payment_file_loads_whole_once_and_a_bad_line_refuses_all_of_it() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 11, 20)).await?;
    let now = at(2026, 11, 20);
    let iin = person(1).iin.as_string();
    let good = payments_file(&iin, &[(2026, 8), (2026, 9), (2026, 10)]);
    let report = import_payments(&registry.pool, good.as_bytes(), now).await?;
    assert_eq!((report.lines, report.added, report.updated), (3, 3, 0));
    // the same file again adds nothing
    let again = import_payments(&registry.pool, good.as_bytes(), now).await?;
    assert_eq!((again.lines, again.added, again.updated), (3, 0, 0));
    assert_eq!(registry.count("SELECT count(*) FROM osms_payment").await?, 3);

    // a file with bad lines: every problem by line, nothing written
    let wrong_check_digit = {
        let mut digits = iin.clone().into_bytes();
        digits[11] = if digits[11] == b'9' { b'0' } else { digits[11] + 1 };
        String::from_utf8(digits)?
    };
    let bad = format!(
        "payment_id;iin;paid_on;amount;kind;period;payer;refund_amount;refund_date\n\
         P-new-1;{iin};19.11.2026;4250;взнос;11.2026;{iin};;\n\
         P-new-2;{wrong_check_digit};19.11.2026;4250;взнос;11.2026;{iin};;\n\
         P-new-3;{iin};19.11.2026;-4250;взнос;11.2026;{iin};;\n\
         P-new-4;{iin};01.12.2026;4250;взнос;12.2026;{iin};;\n\
         P-new-5;{iin};19.11.2026;4250;налог;11.2026;{iin};;\n\
         P-new-6;{iin};19.11.2026;4250;взнос;11.2026;{iin};5000;19.11.2026\n\
         P-new-1;{iin};19.11.2026;4250;взнос;10.2026;{iin};;\n"
    );
    let problems = refused(import_payments(&registry.pool, bad.as_bytes(), now).await);
    assert_eq!(
        problems,
        vec![
            (Some(3), "bad_identifier"),
            (Some(4), "bad_amount"),
            (Some(5), "paid_in_future"),
            (Some(6), "bad_kind"),
            (Some(7), "bad_refund"),
            (Some(8), "duplicate_payment"),
        ]
    );
    assert_eq!(
        registry.count("SELECT count(*) FROM osms_payment").await?,
        3,
        "line 2 was good, but the file was refused whole"
    );
    let missing = refused(import_payments(&registry.pool, "payment_id;iin\nX;1\n".as_bytes(), now).await);
    assert_eq!(missing, vec![(None, "missing_column")]);

    // a later file brings a refund of a payment held: it is added
    let refunded = good.replace(
        &format!(
            "P-{iin}-202609;{iin};25.09.2026;4 250,00;отчисление;09.2026;{};;",
            bin(1)
        ),
        &format!(
            "P-{iin}-202609;{iin};25.09.2026;4 250,00;отчисление;09.2026;{};4 250,00;02.10.2026",
            bin(1)
        ),
    );
    let report = import_payments(&registry.pool, refunded.as_bytes(), now).await?;
    assert_eq!((report.added, report.updated), (0, 1));
    // but never other facts for a payment held
    let changed = good.replace("4 250,00", "5 000,00");
    let problems = refused(import_payments(&registry.pool, changed.as_bytes(), now).await);
    assert_eq!(problems.len(), 3);
    assert!(problems.iter().all(|(_, code)| *code == "payment_differs"));
    assert_eq!(
        registry
            .count("SELECT count(*) FROM osms_payment WHERE amount_tiyn = 425000")
            .await?,
        3
    );
    Ok(())
}

#[tokio::test]
async fn the_clinic_that_serves_a_person_reads_their_status_and_no_other_clinic_does() -> Result<()> {
    let now = at(2026, 11, 20);
    let registry = TestRegistry::start(now).await?;
    let here = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    let adult = person(1);
    let iin = adult.iin.as_string();
    let pushed = here
        .push(&[here.attach(at(2026, 10, 1), adult.clone(), 1, AttachmentGround::FreeChoice, 1)])
        .await?;
    assert!(
        pushed
            .results
            .iter()
            .all(|r| matches!(r.outcome, emhana_protocol::OpOutcome::Applied))
    );
    import_payments(
        &registry.pool,
        payments_file(&iin, &[(2026, 6), (2026, 7), (2026, 8)]).as_bytes(),
        now,
    )
    .await?;

    let response = here.osms(&iin, &author()).await?;
    assert_eq!(response.status(), 200);
    let answer: OsmsAnswer = response.json().await?;
    assert_eq!(answer.known_at, now);
    assert_eq!(answer.facts.payments.len(), 3);
    assert_eq!(answer.facts.payments[0].amount_tiyn, 425_000);
    assert_eq!(answer.facts.payments[0].period, Month { year: 2026, month: 6 });
    // August paid: the status holds through November
    assert_eq!(
        answer.status,
        OsmsStatus::Consumer {
            ground: ConsumerGround::Paid {
                last_paid: Month { year: 2026, month: 8 },
                holds_through: Month {
                    year: 2026,
                    month: 11
                },
            }
        }
    );
    // from December, not a consumer: the status is the Fund's on the day asked
    registry.set_now(at(2026, 12, 2));
    let answer: OsmsAnswer = here.osms(&iin, &author()).await?.json().await?;
    assert_eq!(
        answer.status,
        OsmsStatus::NotConsumer {
            last_paid: Some(Month { year: 2026, month: 8 }),
            unpaid_months: 9,
        }
    );

    // a person's payments are for the clinic that serves them
    assert_eq!(other.osms(&iin, &author()).await?.status(), 403);
    // someone off the staff list reads nothing
    let stranger = person(50).iin.as_string();
    assert_eq!(here.osms(&iin, &stranger).await?.status(), 403);
    // a district nurse's work does not need a person's payments
    let nurse = person(60).iin.as_string();
    emhana_registry::organization::import_staff(
        &registry.pool,
        format!(
            "clinic_bin,iin,surname,first_name,roles,districts\n{},{nurse},Омарова,Жанар,district_nurse,1\n",
            here.bin()
        )
        .as_bytes(),
    )
    .await?;
    assert_eq!(here.osms(&iin, &nurse).await?.status(), 403);
    // an IIN nobody knows
    assert_eq!(
        here.osms(&person(2).iin.as_string(), &author()).await?.status(),
        404
    );
    // a wrong check digit never reaches the Fund
    assert_eq!(here.osms("123456789012", &author()).await?.status(), 400);
    assert_eq!(
        registry
            .count(&format!(
                "SELECT count(*) FROM person_lookup WHERE what = 'osms' AND iin = '{iin}'"
            ))
            .await?,
        5,
        "two answers and three refusals, each logged"
    );
    Ok(())
}

#[tokio::test]
async fn the_state_pays_for_its_categories_and_the_file_says_when_a_category_ends() -> Result<()> {
    let now = at(2026, 11, 20);
    let registry = TestRegistry::start(now).await?;
    let here = registry.enrolled(0).await?;
    let pensioner = person(3);
    let iin = pensioner.iin.as_string();
    here.push(&[here.attach(at(2026, 10, 1), pensioner, 2, AttachmentGround::FreeChoice, 1)])
        .await?;
    let file = format!("iin,category,from,until\n{iin},pensioner,2024-05-01,\n");
    let report = import_state_paid(&registry.pool, file.as_bytes(), now).await?;
    assert_eq!((report.lines, report.added, report.updated), (1, 1, 0));
    let answer: OsmsAnswer = here.osms(&iin, &author()).await?.json().await?;
    assert_eq!(
        answer.status,
        OsmsStatus::Consumer {
            ground: ConsumerGround::StatePaid {
                category: StatePaidCategory::Pensioner
            }
        }
    );
    // the category ended: the same line with its last day
    let ended = format!("iin,category,from,until\n{iin},pensioner,2024-05-01,2026-10-31\n");
    let report = import_state_paid(&registry.pool, ended.as_bytes(), now).await?;
    assert_eq!((report.added, report.updated), (0, 1));
    let answer: OsmsAnswer = here.osms(&iin, &author()).await?.json().await?;
    assert!(matches!(answer.status, OsmsStatus::NotConsumer { .. }));

    let bad =
        format!("iin,category,from,until\n{iin},veteran,2024-05-01,\n{iin},student,2024-09-01,2024-06-30\n");
    assert_eq!(
        refused(import_state_paid(&registry.pool, bad.as_bytes(), now).await),
        vec![(Some(2), "bad_category"), (Some(3), "bad_period")]
    );
    Ok(())
}

#[tokio::test]
async fn the_minimum_wage_of_each_year_goes_out_with_the_reference_data() -> Result<()> {
    let now = at(2026, 11, 20);
    let registry = TestRegistry::start(now).await?;
    let here = registry.enrolled(0).await?;
    set_minimum_wage(
        &registry.pool,
        2026,
        85_000,
        "Закон РК о республиканском бюджете на 2026–2028 годы",
        now,
    )
    .await?;
    assert!(
        set_minimum_wage(&registry.pool, 2027, 0, "закон", now)
            .await
            .is_err()
    );
    assert!(
        set_minimum_wage(&registry.pool, 2027, 90_000, "  ", now)
            .await
            .is_err()
    );
    let reference: emhana_protocol::ReferenceData = here
        .http
        .get(format!("{}/v1/reference", here.base))
        .bearer_auth(&here.enrolment.credential)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(reference.minimum_wages.of_year(2026), Some(85_000));
    assert_eq!(
        reference.minimum_wages.of_year(2027),
        None,
        "the refused ones were not kept"
    );
    Ok(())
}

#[tokio::test]
async fn a_policy_names_the_provider_the_holder_is_attached_to_now() -> Result<()> {
    use emhana_domain::osms::PolicyStatus;
    use emhana_registry::osms::import_policies;
    let now = at(2026, 11, 20);
    let registry = TestRegistry::start(now).await?;
    let here = registry.enrolled(0).await?;
    let other = registry.enrolled(1).await?;
    let holder = person(5);
    let iin = holder.iin.as_string();
    here.push(&[here.attach(
        at(2026, 10, 1),
        holder.clone(),
        1,
        AttachmentGround::FreeChoice,
        1,
    )])
    .await?;
    let header = "number;iin;issuer_name;issuer_location;issuer_bin;holder_name;holder_address;holder_document;\
                  issued_on;valid_from;valid_until;services;registrar_name;registrar_location;status\n";
    let line = |number: &str, status: &str| {
        format!(
            "{number};{iin};НАО «Фонд социального медицинского страхования»;Астана;{};{};Астана, Абай даңғылы, 6;\
             041234567;01.01.2026;01.01.2026;31.12.2026;ПМСП|Консультативно-диагностическая помощь|Стационар;\
             Фонд;Астана;{status}\n",
            bin(3),
            holder.full_name()
        )
    };
    let report = import_policies(
        &registry.pool,
        format!("{header}{}", line("П-2026-0005", "active")).as_bytes(),
        now,
    )
    .await?;
    assert_eq!((report.added, report.updated), (1, 0));

    let answer: OsmsAnswer = here.osms(&iin, &author()).await?.json().await?;
    let view = answer.policy.ok_or_else(|| anyhow::anyhow!("a policy"))?;
    assert_eq!(view.policy.number, "П-2026-0005");
    assert_eq!(view.policy.services.len(), 3);
    assert!(
        view.policy
            .in_force(chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default())
    );
    // «прикрепление ... производится в реестре автоматически на основании данных из МИС о прикреплении»
    assert_eq!(view.provider.map(|p| p.bin), Some(here.bin().to_owned()));

    // the holder chooses the other clinic: the policy's provider follows the attachment register
    registry.set_now(at(2026, 11, 21));
    let moved = other
        .push(&[other.attach(
            at(2026, 11, 21),
            holder.clone(),
            1,
            AttachmentGround::ChangeOfResidence,
            1,
        )])
        .await?;
    assert!(
        matches!(moved.results[0].outcome, emhana_protocol::OpOutcome::Applied),
        "{:?}",
        moved.results[0].outcome
    );
    let answer: OsmsAnswer = other.osms(&iin, &author()).await?.json().await?;
    assert_eq!(
        answer.policy.and_then(|view| view.provider).map(|p| p.bin),
        Some(other.bin().to_owned())
    );

    // the policy annulled: the same number, its new status
    let report = import_policies(
        &registry.pool,
        format!("{header}{}", line("П-2026-0005", "annulled")).as_bytes(),
        now,
    )
    .await?;
    assert_eq!((report.added, report.updated), (0, 1));
    let status: String = sqlx::query_scalar("SELECT status FROM osms_policy WHERE number = 'П-2026-0005'")
        .fetch_one(&registry.pool)
        .await?;
    assert_eq!(PolicyStatus::parse(&status), Some(PolicyStatus::Annulled));

    // a bad line refuses the file
    let bad = format!(
        "{header}{}",
        line("П-2026-0006", "lost").replace("31.12.2026", "31.12.2025")
    );
    assert_eq!(
        refused(import_policies(&registry.pool, bad.as_bytes(), now).await),
        vec![(Some(2), "bad_period"), (Some(2), "bad_status")]
    );
    Ok(())
}
