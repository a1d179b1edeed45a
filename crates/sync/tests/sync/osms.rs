//! A person's OSMS status at the window, asked of a real registry standing
//! in for the Fund (docs/osms.md): current when the registry answers, the
//! last known one with its date when it cannot be reached, the arrears
//! from the year's minimum wage the registry handed out.

use emhana_domain::StaffRole;
use emhana_domain::documents::StatementRefusalGround;
use emhana_domain::osms::{Month, OsmsError, OsmsStatus};
use emhana_workstation::{OsmsUnavailable, StatementPaper, StoreError};

use super::*;

/// The Fund's file of one person's contributions for the months given.
fn payments(iin: &str, months: impl Iterator<Item = Month>) -> String {
    let mut csv = String::from("payment_id,iin,paid_on,amount,kind,period,payer\n");
    for month in months {
        csv.push_str(&format!(
            "F{iin}{}{:02},{iin},{}-{:02}-10,4250,взнос,{}-{:02},{iin}\n",
            month.year, month.month, month.year, month.month, month.year, month.month
        ));
    }
    csv
}

#[tokio::test]
async fn the_card_shows_the_registrys_status_now_and_the_last_known_one_with_its_date_offline() -> Result<()>
{
    let now = kz(2026, 11, 20, 10);
    let region = Region::start(300, now).await?;
    let dir = tempfile::tempdir()?;
    let (workstation, credential) = region.workstation(dir.path(), 0).await?;
    let engine = region.engine(&workstation, &credential, small_pages())?;
    sync_round(&engine).await?;
    let today = now.date_naive();
    // an adult attached here
    let mut adult = None;
    for (hit, _) in attached_here(&workstation, now).await? {
        let card = workstation.person_card(hit.id, today).await?;
        if card.age.is_some_and(|age| (20..60).contains(&age)) {
            adult = Some(card);
            break;
        }
    }
    let card = adult.ok_or_else(|| anyhow::anyhow!("an adult attached here"))?;
    // paid from November 2025 to March 2026, nothing since
    let paid = (0..5).map(|n| {
        Month {
            year: 2025,
            month: 11,
        }
        .plus(n)
    });
    emhana_registry::osms::import_payments(&region.pool, payments(&card.iin, paid).as_bytes(), now).await?;
    let registry = HttpTransport::new(&region.base, &credential)?;

    let view = emhana_sync::osms::person_osms(&workstation, Some(&registry), card.id, today).await?;
    assert_eq!(view.unavailable, None, "the registry answered now");
    let known = view.known.clone().ok_or_else(|| anyhow::anyhow!("an answer"))?;
    assert_eq!(known.known_at, now);
    assert_eq!(
        known.status,
        OsmsStatus::NotConsumer {
            last_paid: Some(Month { year: 2026, month: 3 }),
            unpaid_months: 7,
        }
    );
    assert_eq!(known.payments.len(), 5);
    // no minimum wage for 2026 yet: an error shown, never a zero
    assert_eq!(known.arrears, None);
    assert_eq!(
        known.arrears_problem,
        Some(OsmsError::MinimumWageMissing { year: 2026 })
    );

    assert_eq!(known.policy, None, "no policy in the policy registry yet");
    // the policy registry's file: the card shows the policy and the provider from the attachment register
    let policies = format!(
        "number,iin,issuer_name,issuer_location,issuer_bin,holder_name,holder_address,holder_document,issued_on,\
         valid_from,valid_until,services,registrar_name,registrar_location,status\n\
         П-2026-1,{},Фонд социального медицинского страхования,Астана,040340000007,{},Астана,041234567,\
         2026-01-01,2026-01-01,2026-12-31,ПМСП|Стационар,Фонд,Астана,active\n",
        card.iin, card.full_name
    );
    emhana_registry::osms::import_policies(&region.pool, policies.as_bytes(), now).await?;
    let view = emhana_sync::osms::person_osms(&workstation, Some(&registry), card.id, today).await?;
    let policy = view
        .known
        .and_then(|known| known.policy)
        .ok_or_else(|| anyhow::anyhow!("a policy"))?;
    assert_eq!(policy.policy.number, "П-2026-1");
    assert_eq!(
        policy.provider.map(|p| p.bin),
        region.clinic_bins()?.first().cloned()
    );

    // the administrator sets the year's wage; the next sync brings it
    emhana_registry::osms::set_minimum_wage(&region.pool, 2026, 85_000, "закон о бюджете", now).await?;
    engine.sync_once(|_| {}).await?;
    let view = emhana_sync::osms::person_osms(&workstation, Some(&registry), card.id, today).await?;
    let arrears = view
        .known
        .and_then(|known| known.arrears)
        .ok_or_else(|| anyhow::anyhow!("arrears"))?;
    // 7 unpaid months × 5 % × 85,000 tenge
    assert_eq!(arrears.months.len(), 7);
    assert_eq!(arrears.per_month_tiyn, 4_250 * 100);
    assert_eq!(arrears.total_tiyn, 7 * 4_250 * 100);

    // the statement, from the answer known, with its arrears
    let paper = workstation.osms_statement(card.id, today, true).await?;
    let StatementPaper::Statement(statement) = paper else {
        anyhow::bail!("a statement, not {paper:?}")
    };
    assert_eq!(
        (statement.iin.as_str(), statement.known_at),
        (card.iin.as_str(), now)
    );
    assert_eq!(statement.payments.len(), 5);
    assert_eq!(statement.arrears.map(|a| a.total_tiyn), Some(7 * 4_250 * 100));
    // no consent to access the person's data: the refusal of appendix 2 p. 9.5
    let paper = workstation.osms_statement(card.id, today, false).await?;
    assert!(
        matches!(&paper, StatementPaper::Refusal(refusal) if refusal.ground == StatementRefusalGround::NoConsent),
        "{paper:?}"
    );
    // someone whose status was never received here: nothing to print from
    let other = attached_here(&workstation, now)
        .await?
        .into_iter()
        .map(|(hit, _)| hit.id)
        .find(|id| *id != card.id)
        .ok_or_else(|| anyhow::anyhow!("another person"))?;
    assert!(matches!(
        workstation.osms_statement(other, today, true).await,
        Err(StoreError::OsmsNotKnown)
    ));

    // the registry out of reach: the last known answer, with its date, not current
    region.set_now(kz(2026, 11, 21, 10));
    let unreachable = HttpTransport::new("http://127.0.0.1:9", &credential)?;
    let offline = emhana_sync::osms::person_osms(&workstation, Some(&unreachable), card.id, today).await?;
    assert_eq!(offline.unavailable, Some(OsmsUnavailable::Offline));
    assert_eq!(offline.known.map(|known| known.known_at), Some(now));
    let no_registry = emhana_sync::osms::person_osms(&workstation, None, card.id, today).await?;
    assert_eq!(no_registry.unavailable, Some(OsmsUnavailable::NoRegistry));
    assert!(no_registry.known.is_some());
    assert_eq!(
        local_count(
            &dir.path().join("emhana.sqlite"),
            &format!(
                "SELECT count(*) FROM audit_event WHERE action = 'osms_read' AND person_id = {}",
                card.id
            ),
        )
        .await?,
        5,
        "every reading is in the audit log"
    );

    // a district nurse's work does not need it: refused here before the registry is asked
    let nurse = emhana_synth::sign_in_as(&workstation, StaffRole::DistrictNurse, now).await?;
    let refused = emhana_sync::osms::person_osms(&nurse, Some(&registry), card.id, today).await;
    assert!(
        matches!(refused, Err(StoreError::NotAllowed { .. })),
        "{refused:?}"
    );
    Ok(())
}

#[tokio::test]
async fn the_demo_regions_fund_data_loads_through_the_funds_file_imports() -> Result<()> {
    let now = kz(2026, 9, 1, 10);
    let region = Region::start(300, now).await?;
    let fund = emhana_synth::seed_registry_osms(&region.pool, region.config, now).await?;
    let payments = fund.payments;
    assert!(
        payments > 500 && fund.state_paid > 0 && fund.policies > 0,
        "{fund:?}"
    );
    assert_eq!(
        region.count("SELECT count(*) FROM osms_policy").await?,
        fund.policies as i64
    );
    assert_eq!(
        region.count("SELECT count(*) FROM osms_payment").await?,
        payments as i64
    );
    assert_eq!(
        region
            .count("SELECT count(*) FROM minimum_wage WHERE year = 2026")
            .await?,
        1
    );
    // some of the region are in arrears: adults with payments, none in the last four months
    let in_arrears = region
        .count(
            "SELECT count(DISTINCT iin) FROM osms_payment p WHERE NOT EXISTS \
             (SELECT 1 FROM osms_payment q WHERE q.iin = p.iin AND q.period >= date '2026-05-01')",
        )
        .await?;
    assert!(in_arrears > 0, "someone stopped paying");
    // loaded again, nothing is added twice
    emhana_synth::seed_registry_osms(&region.pool, region.config, now).await?;
    assert_eq!(
        region.count("SELECT count(*) FROM osms_payment").await?,
        payments as i64
    );
    assert_eq!(
        region.count("SELECT count(*) FROM osms_policy").await?,
        fund.policies as i64
    );
    Ok(())
}
