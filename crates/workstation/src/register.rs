//! The attached-population register: who is attached to this clinic on a
//! day, by district, with filters, counts, the campaign's inflow and outflow,
//! and a CSV export.

use chrono::{Datelike, NaiveDate};
use emhana_domain::attachment::Campaign;
use emhana_domain::{AgeGroup, Sex, full_name};
use serde::{Deserialize, Serialize};
use sqlx::SqlitePool;

use crate::Workstation;
use crate::error::StoreError;
use crate::store;

/// Rows per page the register screen shows.
pub const REGISTER_PAGE: u32 = 100;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RegisterFilter {
    pub district_id: Option<i64>,
    pub age_group: Option<AgeGroup>,
    pub sex: Option<Sex>,
    /// Attached on or after this day.
    pub attached_since: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct RegisterRow {
    pub person_id: i64,
    pub iin: String,
    #[sqlx(skip)]
    pub full_name: String,
    #[serde(skip)]
    pub surname: String,
    #[serde(skip)]
    pub first_name: String,
    #[serde(skip)]
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub district_number: u32,
    pub started_on: NaiveDate,
    pub address: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, ts_rs::TS)]
pub struct DistrictCount {
    pub district_id: i64,
    pub number: u32,
    pub kind: String,
    pub attached: i64,
}

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct RegisterPage {
    pub today: NaiveDate,
    /// Persons matching the filter.
    pub total: i64,
    /// Every district's attached count on `today` (unfiltered), for the overview.
    pub districts: Vec<DistrictCount>,
    pub rows: Vec<RegisterRow>,
    pub campaign: Campaign,
    /// Attachments to this clinic decided in the campaign window.
    pub inflow: i64,
    /// Attachments here that ended because the person attached elsewhere, in the campaign.
    pub outflow: i64,
}

/// The filter as SQL on `a` (attachment), `p` (person), `d` (district): every
/// condition is bound, never spliced, and an absent one is `?n IS NULL`. A
/// macro so each query stays a `&'static str` (sqlx 0.9 wants static SQL).
macro_rules! attached_on_filter {
    () => {
        concat!(
            "FROM attachment a JOIN person p ON p.id = a.person_id JOIN district d ON d.id = a.district_id \
         JOIN clinic c ON c.id = a.clinic_id \
         WHERE c.is_home = 1 AND ",
            attachment_in_force!("a", "?1"),
            " \
         AND (?2 IS NULL OR a.district_id = ?2) AND (?3 IS NULL OR p.sex = ?3) \
         AND (?4 IS NULL OR p.birth_date <= ?4) AND (?5 IS NULL OR p.birth_date > ?5) \
         AND (?6 IS NULL OR a.started_on >= ?6)"
        )
    };
}

const ROWS: &str = concat!(
    "SELECT p.id AS person_id, p.iin, p.surname, p.first_name, p.patronymic, p.birth_date, p.sex, \
     d.number AS district_number, a.started_on, \
     CASE WHEN p.settlement IS NULL THEN NULL ELSE p.settlement || ', ' || p.street || ', ' || p.house || \
     coalesce('-' || p.apartment, '') END AS address ",
    attached_on_filter!(),
    // the folded name sorts Kazakh letters beside their Russian neighbours (Ә with А),
    // where plain code-point order would put them after Я
    " ORDER BY d.number, (SELECT n.phrase FROM person_name_phrase n WHERE n.person_id = p.id), p.id \
     LIMIT ?7 OFFSET ?8"
);

struct Bound {
    today: NaiveDate,
    district_id: Option<i64>,
    sex: Option<&'static str>,
    born_on_or_before: Option<NaiveDate>,
    born_after: Option<NaiveDate>,
    attached_since: Option<NaiveDate>,
}

/// Binds ?1–?6 of [`attached_on_filter!`] from a [`Bound`], the same for the
/// count and for the rows.
macro_rules! bind_filter {
    ($query:expr, $bound:expr) => {
        $query
            .bind($bound.today)
            .bind($bound.district_id)
            .bind($bound.sex)
            .bind($bound.born_on_or_before)
            .bind($bound.born_after)
            .bind($bound.attached_since)
    };
}

fn bind(filter: &RegisterFilter, today: NaiveDate) -> Bound {
    let (born_on_or_before, born_after) = match filter.age_group {
        Some(group) => {
            let (oldest, youngest) = group.birth_dates(today);
            (Some(oldest), youngest)
        }
        None => (None, None),
    };
    Bound {
        today,
        district_id: filter.district_id,
        sex: filter.sex.map(Sex::as_str),
        born_on_or_before,
        born_after,
        attached_since: filter.attached_since,
    }
}

async fn rows(
    pool: &SqlitePool,
    bound: &Bound,
    limit: i64,
    offset: i64,
) -> Result<Vec<RegisterRow>, StoreError> {
    let mut rows: Vec<RegisterRow> = bind_filter!(sqlx::query_as(ROWS), bound)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    for row in &mut rows {
        row.full_name = full_name(&row.surname, &row.first_name, row.patronymic.as_deref());
    }
    Ok(rows)
}

pub(crate) async fn page(
    pool: &SqlitePool,
    filter: &RegisterFilter,
    today: NaiveDate,
    offset: u32,
) -> Result<RegisterPage, StoreError> {
    let bound = bind(filter, today);
    const COUNT: &str = concat!("SELECT count(*) ", attached_on_filter!());
    let total: i64 = bind_filter!(sqlx::query_scalar(COUNT), bound)
        .fetch_one(pool)
        .await?;
    let rows = rows(pool, &bound, i64::from(REGISTER_PAGE), i64::from(offset)).await?;
    let districts: Vec<DistrictCount> = sqlx::query_as(concat!(
        "SELECT d.id AS district_id, d.number, d.kind, \
         (SELECT count(*) FROM attachment a WHERE a.district_id = d.id AND ",
        attachment_in_force!("a", "?1"),
        ") AS attached \
         FROM district d JOIN clinic c ON c.id = d.clinic_id WHERE c.is_home = 1 ORDER BY d.number"
    ))
    .bind(today)
    .fetch_all(pool)
    .await?;
    let mut conn = pool.acquire().await?;
    let campaign = store::attachment_rules(&mut conn).await?.campaign(today.year());
    let inflow: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         WHERE c.is_home = 1 AND a.application_id IS NOT NULL AND a.decided_on BETWEEN ?1 AND ?2",
    )
    .bind(campaign.first_day)
    .bind(campaign.last_day)
    .fetch_one(&mut *conn)
    .await?;
    let outflow: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attachment a JOIN clinic c ON c.id = a.clinic_id \
         WHERE c.is_home = 1 AND a.end_reason = 'attached_elsewhere' AND a.ended_on BETWEEN ?1 AND ?2",
    )
    .bind(campaign.first_day)
    .bind(campaign.effective_date(campaign.last_day))
    .fetch_one(&mut *conn)
    .await?;
    Ok(RegisterPage {
        today,
        total,
        districts,
        rows,
        campaign,
        inflow,
        outflow,
    })
}

/// The whole filtered register as CSV (UTF-8 with a BOM, so spreadsheet
/// programs read Kazakh letters; `;`-separated, as they expect in this locale;
/// the header in Kazakh and Russian). The IIN goes as `="…"`, which a
/// spreadsheet keeps as text: read as a number it lost its leading zeros
/// (every person born in 2000–2009).
pub(crate) async fn csv(
    pool: &SqlitePool,
    filter: &RegisterFilter,
    today: NaiveDate,
) -> Result<String, StoreError> {
    let bound = bind(filter, today);
    let rows = rows(pool, &bound, i64::MAX, 0).await?;
    let mut out = String::from(
        "\u{feff}учаске / участок;ЖСН / ИИН;аты-жөні / ФИО;туған күні / дата рождения;\
         жынысы / пол;мекенжайы / адрес;бекітілген күні / прикреплён с\r\n",
    );
    for row in rows {
        let sex = match Sex::parse(&row.sex) {
            Some(Sex::Male) => "м",
            Some(Sex::Female) => "ж",
            None => "",
        };
        // The IIN's twelve digits need no quoting; the formula keeps them text.
        let iin = if row.iin.bytes().all(|b| b.is_ascii_digit()) {
            format!("=\"{}\"", row.iin)
        } else {
            csv_field(&row.iin)
        };
        let fields = [
            row.district_number.to_string(),
            row.full_name,
            row.birth_date.format("%d.%m.%Y").to_string(),
            sex.to_string(),
            row.address.unwrap_or_default(),
            row.started_on.format("%d.%m.%Y").to_string(),
        ];
        let mut line: Vec<String> = fields.iter().map(|field| csv_field(field)).collect();
        line.insert(1, iin);
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    Ok(out)
}

/// Quotes a field holding the separator, a quote or a line break.
fn csv_field(field: &str) -> String {
    if field.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The attached-population register.
impl Workstation {
    /// The attached-population register on `today`: a page of the filtered
    /// rows from `offset`, the total, counts by district, the campaign's flows.
    pub async fn attached_register(
        &self,
        filter: &RegisterFilter,
        today: NaiveDate,
        offset: u32,
    ) -> Result<RegisterPage, StoreError> {
        self::page(&self.pool, filter, today, offset).await
    }

    /// The whole filtered register as CSV for a spreadsheet.
    pub async fn attached_register_csv(
        &self,
        filter: &RegisterFilter,
        today: NaiveDate,
    ) -> Result<String, StoreError> {
        self.require(emhana_domain::access::Action::ExportRegister)
            .await?;
        let csv = self::csv(&self.pool, filter, today).await?;
        // the register leaves the PC: who took how many persons, with what filter
        let persons = csv.lines().count().saturating_sub(1);
        let detail = serde_json::json!({ "persons": persons, "filter": filter }).to_string();
        self.audit_now("register_exported", None, &detail).await?;
        Ok(csv)
    }
}
