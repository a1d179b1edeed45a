//! The Fund's files, in the format docs/osms.md describes: CSV with a
//! header naming the columns, every line checked before anything is
//! written, one bad line refusing the whole file with every problem listed
//! by line. A payment carries the Fund's own reference: a file loaded
//! again adds nothing, and a later file may bring a refund of a payment
//! loaded before, but never other facts for it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use emhana_domain::Iin;
use emhana_domain::osms::{PaymentKind, StatePaidCategory};
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::file_import::{Line, Problem, SetupError, date, problem, read_lines};

/// What an import of a Fund's file wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FundImportReport {
    /// Lines read (without the header).
    pub lines: usize,
    /// Lines new to the registry.
    pub added: usize,
    /// Lines that changed what the registry held (a refund, a category's end).
    pub updated: usize,
}

const PAYMENT_COLUMNS: &[&str] = &[
    "payment_id",
    "iin",
    "paid_on",
    "amount",
    "kind",
    "period",
    "payer",
    "refund_amount",
    "refund_date",
];

/// One payment as a line gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct PaymentLine {
    line: u64,
    fund_ref: String,
    iin: String,
    paid_on: NaiveDate,
    amount_tiyn: i64,
    kind: PaymentKind,
    period: NaiveDate,
    payer: String,
    refund: Option<(i64, NaiveDate)>,
}

/// An amount in tenge as the Fund's file writes it: `4250`, `4250.00`,
/// `4 250,50` (spaces as thousands separators, a comma or a point before
/// at most two digits of tiyn). In tiyn.
fn tiyn(text: &str) -> Option<i64> {
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (whole, fraction) = match cleaned.split_once([',', '.']) {
        Some((whole, fraction)) => (whole, fraction),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = format!("{fraction:0<2}").parse().ok()?;
    whole.checked_mul(100)?.checked_add(fraction)
}

/// A month as `2026-10` or `10.2026`, as its first day.
fn month(text: &str) -> Option<NaiveDate> {
    let (year, month) = match (text.split_once('-'), text.split_once('.')) {
        (Some((year, month)), None) => (year, month),
        (None, Some((month, year))) => (year, month),
        _ => return None,
    };
    if year.len() != 4 || month.is_empty() || month.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)
}

/// A kind as the Fund writes it, in English, Russian or Kazakh.
fn kind(text: &str) -> Option<PaymentKind> {
    match text.to_lowercase().as_str() {
        "deduction" | "отчисление" | "отчисления" | "аударым" | "аударымдар" => {
            Some(PaymentKind::Deduction)
        }
        "contribution" | "взнос" | "взносы" | "жарна" | "жарналар" => {
            Some(PaymentKind::Contribution)
        }
        _ => None,
    }
}

/// An IIN, or a payer's BIN or IIN (both twelve digits with the same check digit).
fn identifier(line: &Line, column: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let Some(text) = line.get(column) else {
        problems.push(problem(
            line.number,
            "missing_value",
            format!("{column} is empty"),
        ));
        return None;
    };
    match Iin::parse(text) {
        Ok(iin) => Some(iin.as_string()),
        Err(error) => {
            problems.push(problem(
                line.number,
                "bad_identifier",
                format!("{column}: {error}"),
            ));
            None
        }
    }
}

fn required<'l>(line: &'l Line, column: &str, problems: &mut Vec<Problem>) -> Option<&'l str> {
    let value = line.get(column);
    if value.is_none() {
        problems.push(problem(
            line.number,
            "missing_value",
            format!("{column} is empty"),
        ));
    }
    value
}

fn a_date(line: &Line, column: &str, problems: &mut Vec<Problem>) -> Option<NaiveDate> {
    let text = line.get(column)?;
    let parsed = date(text);
    if parsed.is_none() {
        problems.push(problem(
            line.number,
            "bad_date",
            format!("{column}: {text:?} is not a date (2026-10-25 or 25.10.2026)"),
        ));
    }
    parsed
}

/// The payments of a line, checked against the day of the import.
fn payment_line(line: &Line, today: NaiveDate, problems: &mut Vec<Problem>) -> Option<PaymentLine> {
    let before = problems.len();
    let fund_ref = required(line, "payment_id", problems).map(str::to_owned);
    if let Some(fund_ref) = &fund_ref
        && fund_ref.chars().count() > 64
    {
        problems.push(problem(
            line.number,
            "bad_payment_id",
            "payment_id is longer than 64 characters",
        ));
    }
    let iin = identifier(line, "iin", problems);
    let payer = identifier(line, "payer", problems);
    let paid_on = required(line, "paid_on", problems).and(a_date(line, "paid_on", problems));
    if let Some(paid_on) = paid_on
        && paid_on > today
    {
        problems.push(problem(
            line.number,
            "paid_in_future",
            format!("paid_on {paid_on} is after today"),
        ));
    }
    let amount_tiyn = required(line, "amount", problems).and_then(|text| match tiyn(text) {
        Some(0) | None => {
            problems.push(problem(
                line.number,
                "bad_amount",
                format!("amount: {text:?} is not an amount in tenge above zero"),
            ));
            None
        }
        amount => amount,
    });
    let kind = required(line, "kind", problems).and_then(|text| {
        let parsed = kind(text);
        if parsed.is_none() {
            problems.push(problem(
                line.number,
                "bad_kind",
                format!("kind: {text:?} is neither a deduction (отчисление) nor a contribution (взнос)"),
            ));
        }
        parsed
    });
    let period = required(line, "period", problems).and_then(|text| {
        let parsed = month(text);
        if parsed.is_none() {
            problems.push(problem(
                line.number,
                "bad_period",
                format!("period: {text:?} is not a month (2026-10 or 10.2026)"),
            ));
        }
        parsed
    });
    // a payment is for a month of the last ten years, or at most a year ahead
    if let (Some(paid_on), Some(period)) = (paid_on, period) {
        let earliest = paid_on
            .checked_sub_months(Months::new(120))
            .unwrap_or(NaiveDate::MIN);
        let latest = paid_on
            .checked_add_months(Months::new(12))
            .unwrap_or(NaiveDate::MAX);
        if period < earliest.with_day(1).unwrap_or(earliest) || period > latest {
            problems.push(problem(
                line.number,
                "bad_period",
                format!(
                    "period {}-{:02} is too far from the payment on {paid_on}",
                    period.year(),
                    period.month()
                ),
            ));
        }
    }
    let refund_amount = line.get("refund_amount").and_then(|text| match tiyn(text) {
        Some(0) | None => {
            problems.push(problem(
                line.number,
                "bad_amount",
                format!("refund_amount: {text:?} is not an amount in tenge above zero"),
            ));
            None
        }
        amount => amount,
    });
    let refund_date = a_date(line, "refund_date", problems);
    let refund = match (line.get("refund_amount"), line.get("refund_date")) {
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            problems.push(problem(
                line.number,
                "bad_refund",
                "a refund has both its amount and its date",
            ));
            None
        }
        (Some(_), Some(_)) => refund_amount.zip(refund_date),
    };
    if let (Some((refund_tiyn, refunded_on)), Some(amount), Some(paid_on)) = (refund, amount_tiyn, paid_on) {
        if refund_tiyn > amount {
            problems.push(problem(
                line.number,
                "bad_refund",
                "the refund is more than the payment",
            ));
        }
        if refunded_on < paid_on || refunded_on > today {
            problems.push(problem(
                line.number,
                "bad_refund",
                format!("refund_date {refunded_on} is not between the payment and today"),
            ));
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(PaymentLine {
        line: line.number,
        fund_ref: fund_ref?,
        iin: iin?,
        paid_on: paid_on?,
        amount_tiyn: amount_tiyn?,
        kind: kind?,
        period: period?,
        payer: payer?,
        refund,
    })
}

/// The file's own row (`osms_import`): what kind, its digest, its lines, when.
async fn record_import(
    tx: &mut sqlx::PgConnection,
    kind: &str,
    bytes: &[u8],
    lines: usize,
    now: DateTime<Utc>,
) -> Result<i64, SetupError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO osms_import (kind, sha256, lines, imported_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(kind)
    .bind(digest(bytes))
    .bind(i32::try_from(lines).unwrap_or(i32::MAX))
    .bind(now)
    .fetch_one(tx)
    .await?)
}

fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Loads a Fund's file of payments (docs/osms.md): every line checked, then
/// all written in one transaction, or nothing with every problem by line.
pub async fn import_payments(
    pool: &PgPool,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<FundImportReport, SetupError> {
    let lines = read_lines(
        bytes,
        &[
            "payment_id",
            "iin",
            "paid_on",
            "amount",
            "kind",
            "period",
            "payer",
        ],
        PAYMENT_COLUMNS,
    )?;
    let today = emhana_domain::time::kazakhstan_date(now);
    let mut problems = Vec::new();
    let mut payments = Vec::with_capacity(lines.len());
    let mut seen: HashMap<String, u64> = HashMap::new();
    for line in &lines {
        if let Some(payment) = payment_line(line, today, &mut problems) {
            if let Some(first) = seen.insert(payment.fund_ref.clone(), line.number) {
                problems.push(problem(
                    line.number,
                    "duplicate_payment",
                    format!("payment {} is on line {first} already", payment.fund_ref),
                ));
            }
            payments.push(payment);
        }
    }
    if !problems.is_empty() {
        return Err(SetupError::Refused(problems));
    }
    let mut tx = pool.begin().await?;
    // one import of the Fund's files at a time: the check against what is
    // held and the write see the same rows
    sqlx::query("LOCK TABLE osms_payment IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let refs: Vec<String> = payments.iter().map(|p| p.fund_ref.clone()).collect();
    type Held = (
        String,
        String,
        NaiveDate,
        i64,
        String,
        NaiveDate,
        String,
        Option<i64>,
        Option<NaiveDate>,
    );
    let held: Vec<Held> = sqlx::query_as(
        "SELECT fund_ref, iin, paid_on, amount_tiyn, kind, period, payer, refund_tiyn, refunded_on \
         FROM osms_payment WHERE fund_ref = ANY($1)",
    )
    .bind(&refs)
    .fetch_all(&mut *tx)
    .await?;
    let held: HashMap<String, Held> = held.into_iter().map(|row| (row.0.clone(), row)).collect();
    let mut report = FundImportReport {
        lines: lines.len(),
        ..FundImportReport::default()
    };
    let mut fresh = Vec::new();
    let mut refunds = Vec::new();
    for payment in &payments {
        let Some(row) = held.get(&payment.fund_ref) else {
            fresh.push(payment);
            continue;
        };
        let same_facts = (&row.1, row.2, row.3, row.4.as_str(), row.5, &row.6)
            == (
                &payment.iin,
                payment.paid_on,
                payment.amount_tiyn,
                payment.kind.as_str(),
                payment.period,
                &payment.payer,
            );
        let held_refund = row.7.zip(row.8);
        if !same_facts || (held_refund.is_some() && held_refund != payment.refund) {
            problems.push(problem(
                payment.line,
                "payment_differs",
                format!(
                    "payment {} was loaded before with other facts; only a refund may be added to it",
                    payment.fund_ref
                ),
            ));
        } else if held_refund.is_none() && payment.refund.is_some() {
            refunds.push(payment);
        }
    }
    if !problems.is_empty() {
        return Err(SetupError::Refused(problems));
    }
    let import_id = record_import(&mut tx, "payments", bytes, lines.len(), now).await?;
    report.added = fresh.len();
    report.updated = refunds.len();
    let column = |f: &dyn Fn(&PaymentLine) -> String| fresh.iter().map(|p| f(p)).collect::<Vec<_>>();
    sqlx::query(
        "INSERT INTO osms_payment (fund_ref, iin, paid_on, amount_tiyn, kind, period, payer, refund_tiyn, \
                                   refunded_on, import_id) \
         SELECT t.*, $10 FROM unnest($1::text[], $2::text[], $3::date[], $4::bigint[], $5::text[], $6::date[], \
                                     $7::text[], $8::bigint[], $9::date[]) AS t",
    )
    .bind(column(&|p| p.fund_ref.clone()))
    .bind(column(&|p| p.iin.clone()))
    .bind(fresh.iter().map(|p| p.paid_on).collect::<Vec<_>>())
    .bind(fresh.iter().map(|p| p.amount_tiyn).collect::<Vec<_>>())
    .bind(column(&|p| p.kind.as_str().to_owned()))
    .bind(fresh.iter().map(|p| p.period).collect::<Vec<_>>())
    .bind(column(&|p| p.payer.clone()))
    .bind(fresh.iter().map(|p| p.refund.map(|r| r.0)).collect::<Vec<_>>())
    .bind(fresh.iter().map(|p| p.refund.map(|r| r.1)).collect::<Vec<_>>())
    .bind(import_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE osms_payment p SET refund_tiyn = t.refund_tiyn, refunded_on = t.refunded_on \
         FROM unnest($1::text[], $2::bigint[], $3::date[]) AS t (fund_ref, refund_tiyn, refunded_on) \
         WHERE p.fund_ref = t.fund_ref",
    )
    .bind(refunds.iter().map(|p| p.fund_ref.clone()).collect::<Vec<_>>())
    .bind(refunds.iter().map(|p| p.refund.map(|r| r.0)).collect::<Vec<_>>())
    .bind(refunds.iter().map(|p| p.refund.map(|r| r.1)).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(
        lines = report.lines,
        added = report.added,
        refunds = report.updated,
        "the Fund's payments loaded"
    );
    Ok(report)
}

const STATE_PAID_COLUMNS: &[&str] = &["iin", "category", "from", "until"];

/// Loads a Fund's file of the persons the state pays for (docs/osms.md):
/// a line names a person, a category and its first day, and its last day
/// when it ended; a line for a period already held replaces its last day.
pub async fn import_state_paid(
    pool: &PgPool,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<FundImportReport, SetupError> {
    let lines = read_lines(bytes, &["iin", "category", "from"], STATE_PAID_COLUMNS)?;
    let mut problems = Vec::new();
    let mut rows: Vec<(String, StatePaidCategory, NaiveDate, Option<NaiveDate>)> = Vec::new();
    let mut seen = HashSet::new();
    for line in &lines {
        let before = problems.len();
        let iin = identifier(line, "iin", &mut problems);
        let category = required(line, "category", &mut problems).and_then(|text| {
            let parsed = StatePaidCategory::parse(&text.to_lowercase());
            if parsed.is_none() {
                problems.push(problem(
                    line.number,
                    "bad_category",
                    format!("category: {text:?} is not a category the state pays for"),
                ));
            }
            parsed
        });
        let from = required(line, "from", &mut problems).and(a_date(line, "from", &mut problems));
        let until = a_date(line, "until", &mut problems);
        if let (Some(from), Some(until)) = (from, until)
            && until < from
        {
            problems.push(problem(
                line.number,
                "bad_period",
                format!("until {until} is before from {from}"),
            ));
        }
        if problems.len() > before {
            continue;
        }
        if let (Some(iin), Some(category), Some(from)) = (iin, category, from) {
            if !seen.insert((iin.clone(), category, from)) {
                problems.push(problem(
                    line.number,
                    "duplicate_line",
                    "the same person, category and first day are on an earlier line",
                ));
            }
            rows.push((iin, category, from, until));
        }
    }
    if !problems.is_empty() {
        return Err(SetupError::Refused(problems));
    }
    let mut tx = pool.begin().await?;
    let import_id = record_import(&mut tx, "state_paid", bytes, lines.len(), now).await?;
    // (xmax = 0): the row was inserted, not updated
    let inserted: Vec<bool> = sqlx::query_scalar(
        "INSERT INTO osms_state_paid (iin, category, from_day, until_day, import_id) \
         SELECT t.*, $5 FROM unnest($1::text[], $2::text[], $3::date[], $4::date[]) AS t \
         ON CONFLICT (iin, category, from_day) DO UPDATE SET until_day = EXCLUDED.until_day, \
             import_id = EXCLUDED.import_id \
         WHERE osms_state_paid.until_day IS DISTINCT FROM EXCLUDED.until_day \
         RETURNING (xmax = 0)",
    )
    .bind(rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.2).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.3).collect::<Vec<_>>())
    .bind(import_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let added = inserted.iter().filter(|new| **new).count();
    Ok(FundImportReport {
        lines: lines.len(),
        added,
        updated: inserted.len() - added,
    })
}

const POLICY_COLUMNS: &[&str] = &[
    "number",
    "iin",
    "issuer_name",
    "issuer_location",
    "issuer_bin",
    "holder_name",
    "holder_address",
    "holder_document",
    "issued_on",
    "valid_from",
    "valid_until",
    "services",
    "registrar_name",
    "registrar_location",
    "status",
];

/// Loads a file of digital policies from the policy registry (docs/osms.md):
/// a policy is issued, changed (its status: blocked, annulled) or renewed by
/// a line with its number; every line checked, all written or none.
pub async fn import_policies(
    pool: &PgPool,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<FundImportReport, SetupError> {
    let lines = read_lines(bytes, POLICY_COLUMNS, POLICY_COLUMNS)?;
    let mut problems = Vec::new();
    let mut policies: Vec<emhana_domain::osms::Policy> = Vec::new();
    let mut seen = HashSet::new();
    for line in &lines {
        let before = problems.len();
        let text = |column: &str, problems: &mut Vec<Problem>| -> Option<String> {
            let value = required(line, column, problems)?;
            if value.chars().count() > 300 {
                problems.push(problem(
                    line.number,
                    "too_long",
                    format!("{column} is longer than 300 characters"),
                ));
                return None;
            }
            Some(value.to_owned())
        };
        let number = text("number", &mut problems);
        let iin = identifier(line, "iin", &mut problems);
        let issuer_bin = identifier(line, "issuer_bin", &mut problems);
        let issuer_name = text("issuer_name", &mut problems);
        let issuer_location = text("issuer_location", &mut problems);
        let holder_full_name = text("holder_name", &mut problems);
        let holder_address = text("holder_address", &mut problems);
        let holder_document = text("holder_document", &mut problems);
        let registrar_name = text("registrar_name", &mut problems);
        let registrar_location = text("registrar_location", &mut problems);
        let issued_on =
            required(line, "issued_on", &mut problems).and(a_date(line, "issued_on", &mut problems));
        let valid_from =
            required(line, "valid_from", &mut problems).and(a_date(line, "valid_from", &mut problems));
        let valid_until =
            required(line, "valid_until", &mut problems).and(a_date(line, "valid_until", &mut problems));
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            problems.push(problem(
                line.number,
                "bad_period",
                format!("valid_until {until} is before valid_from {from}"),
            ));
        }
        let services: Vec<String> = line
            .get("services")
            .unwrap_or("")
            .split('|')
            .map(str::trim)
            .filter(|service| !service.is_empty())
            .map(str::to_owned)
            .collect();
        if services.is_empty() {
            problems.push(problem(
                line.number,
                "missing_value",
                "services is empty (separate them with |)",
            ));
        }
        let status = required(line, "status", &mut problems).and_then(|text| {
            let parsed = emhana_domain::osms::PolicyStatus::parse(&text.to_lowercase());
            if parsed.is_none() {
                problems.push(problem(
                    line.number,
                    "bad_status",
                    format!("status: {text:?} is not active, blocked or annulled"),
                ));
            }
            parsed
        });
        if let Some(number) = &number
            && !seen.insert(number.clone())
        {
            problems.push(problem(
                line.number,
                "duplicate_line",
                format!("policy {number} is on an earlier line"),
            ));
        }
        if problems.len() > before {
            continue;
        }
        if let (
            Some(number),
            Some(iin),
            Some(issuer_bin),
            Some(issuer_name),
            Some(issuer_location),
            Some(holder_full_name),
            Some(holder_address),
            Some(holder_document),
            Some(registrar_name),
            Some(registrar_location),
            Some(issued_on),
            Some(valid_from),
            Some(valid_until),
            Some(status),
        ) = (
            number,
            iin,
            issuer_bin,
            issuer_name,
            issuer_location,
            holder_full_name,
            holder_address,
            holder_document,
            registrar_name,
            registrar_location,
            issued_on,
            valid_from,
            valid_until,
            status,
        ) {
            policies.push(emhana_domain::osms::Policy {
                number,
                issuer_name,
                issuer_location,
                issuer_bin,
                holder_full_name,
                holder_address,
                holder_iin: iin,
                holder_document,
                issued_on,
                valid_from,
                valid_until,
                services,
                registrar_name,
                registrar_location,
                status,
            });
        }
    }
    if !problems.is_empty() {
        return Err(SetupError::Refused(problems));
    }
    let mut tx = pool.begin().await?;
    let import_id = record_import(&mut tx, "policies", bytes, lines.len(), now).await?;
    let mut report = FundImportReport {
        lines: lines.len(),
        ..FundImportReport::default()
    };
    for policy in &policies {
        // (xmax = 0): the row was inserted, not updated
        let inserted: bool = sqlx::query_scalar(
            "INSERT INTO osms_policy (number, iin, issuer_name, issuer_location, issuer_bin, holder_full_name, \
                 holder_address, holder_document, issued_on, valid_from, valid_until, services, registrar_name, \
                 registrar_location, status, import_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (number) DO UPDATE SET iin = EXCLUDED.iin, issuer_name = EXCLUDED.issuer_name, \
                 issuer_location = EXCLUDED.issuer_location, issuer_bin = EXCLUDED.issuer_bin, \
                 holder_full_name = EXCLUDED.holder_full_name, holder_address = EXCLUDED.holder_address, \
                 holder_document = EXCLUDED.holder_document, issued_on = EXCLUDED.issued_on, \
                 valid_from = EXCLUDED.valid_from, valid_until = EXCLUDED.valid_until, services = EXCLUDED.services, \
                 registrar_name = EXCLUDED.registrar_name, registrar_location = EXCLUDED.registrar_location, \
                 status = EXCLUDED.status, import_id = EXCLUDED.import_id \
             RETURNING (xmax = 0)",
        )
        .bind(&policy.number)
        .bind(&policy.holder_iin)
        .bind(&policy.issuer_name)
        .bind(&policy.issuer_location)
        .bind(&policy.issuer_bin)
        .bind(&policy.holder_full_name)
        .bind(&policy.holder_address)
        .bind(&policy.holder_document)
        .bind(policy.issued_on)
        .bind(policy.valid_from)
        .bind(policy.valid_until)
        .bind(&policy.services)
        .bind(&policy.registrar_name)
        .bind(&policy.registrar_location)
        .bind(policy.status.as_str())
        .bind(import_id)
        .fetch_one(&mut *tx)
        .await?;
        if inserted {
            report.added += 1;
        } else {
            report.updated += 1;
        }
    }
    tx.commit().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_the_funds_files_write_them() {
        let cases = [
            ("4250", Some(425_000)),
            ("4250.00", Some(425_000)),
            ("4 250,50", Some(425_050)),
            ("4\u{a0}250,5", Some(425_050)),
            ("0,01", Some(1)),
            ("", None),
            ("-4250", None),
            ("4250.001", None),
            ("42,50,00", None),
            ("1e3", None),
            (",50", None),
        ];
        for (text, expected) in cases {
            assert_eq!(tiyn(text), expected, "{text:?}");
        }
    }

    #[test]
    fn months_are_read_as_iso_or_as_a_russian_spreadsheet_writes_them() {
        let first = |y, m| NaiveDate::from_ymd_opt(y, m, 1);
        let cases = [
            ("2026-10", first(2026, 10)),
            ("10.2026", first(2026, 10)),
            ("1.2026", first(2026, 1)),
            ("2026-13", None),
            ("26-10", None),
            ("2026/10", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(month(text), expected, "{text:?}");
        }
    }

    #[test]
    fn kinds_are_read_in_three_languages() {
        for (text, expected) in [
            ("отчисление", Some(PaymentKind::Deduction)),
            ("Взнос", Some(PaymentKind::Contribution)),
            ("жарна", Some(PaymentKind::Contribution)),
            ("deduction", Some(PaymentKind::Deduction)),
            ("налог", None),
        ] {
            assert_eq!(kind(text), expected, "{text:?}");
        }
    }
}
