//! Keeping a person's contact details current (issue 21): a new registered
//! address or phone, changed at the window with its author and kept in the
//! person's history; for a person attached here, sent to the registry as an
//! op, which hands it to the clinic's other PCs (their history says it came
//! from the registry).

use chrono::{DateTime, Utc};
use emhana_domain::access::Action;
use emhana_domain::booking::PersonStanding;
use emhana_domain::registration::{ContactChange, check_contact_change};
use emhana_protocol::{ChangePersonOp, OpBody};
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::Workstation;
use crate::attachment::FormError;
use crate::error::StoreError;
use crate::store::{self, OpLinks};

/// One change of a person's address or phone, as the card lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ContactHistoryEntry {
    /// `address` or `phone`.
    pub field: String,
    /// The value before and after, as the card writes it.
    pub before: Option<String>,
    pub after: Option<String>,
    /// Who changed it here; `None`: another PC of the clinic, through the registry.
    pub by: Option<String>,
    pub changed_at: DateTime<Utc>,
}

impl Workstation {
    /// Changes the person's registered address or phone, checked as the
    /// registration form checks it, in one transaction with its history,
    /// its audit event and (for a person attached here) its op.
    pub async fn change_person_contact(
        &self,
        person_id: i64,
        change: &ContactChange,
        now: DateTime<Utc>,
    ) -> Result<(), FormError> {
        let staff_id = self.require(Action::RegisterPerson).await?.staff_id;
        let today = emhana_domain::kazakhstan_date(now);
        self.require_may_see(person_id, today).await?;
        let checked =
            check_contact_change(change).map_err(|error| FormError::Fields { errors: vec![error] })?;
        let mut tx = self.pool.begin().await?;
        let (field, before, after) = write_contact(&mut tx, person_id, &checked).await?;
        record_history(&mut tx, person_id, field, before, after, Some(staff_id), now).await?;
        let (standing, _) = store::standing(&mut tx, person_id, today).await?;
        if standing == PersonStanding::AttachedHere {
            let home = store::home_clinic(&mut tx).await?;
            let iin: String = sqlx::query_scalar("SELECT iin FROM person WHERE id = ?1")
                .bind(person_id)
                .fetch_one(&mut *tx)
                .await?;
            let op = OpBody::ChangePerson(ChangePersonOp {
                clinic_bin: home.bin,
                iin,
                change: checked,
            });
            let links = OpLinks {
                person_id: Some(person_id),
                ..OpLinks::default()
            };
            store::record_op(&mut tx, now, Some(staff_id), &op, links).await?;
        }
        let detail = serde_json::json!({ "field": field }).to_string();
        store::append_audit(
            &mut tx,
            store::AuditEntry {
                at: now,
                staff_id: Some(staff_id),
                action: "person_contact_changed",
                person_id: Some(person_id),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The changes of the person's address and phone, newest first.
    pub async fn contact_history(&self, person_id: i64) -> Result<Vec<ContactHistoryEntry>, StoreError> {
        contact_history(&self.pool, person_id).await
    }
}

/// Writes the change over the person's row; its field and the values
/// before and after, as JSON.
async fn write_contact(
    conn: &mut SqliteConnection,
    person_id: i64,
    change: &ContactChange,
) -> Result<(&'static str, Option<String>, Option<String>), StoreError> {
    let (address_before, phone_before) = contact_of(conn, person_id).await?;
    Ok(match change {
        ContactChange::Address { address } => {
            sqlx::query(
                "UPDATE person SET settlement = ?2, street = ?3, house = ?4, apartment = ?5 WHERE id = ?1",
            )
            .bind(person_id)
            .bind(&address.settlement)
            .bind(&address.street)
            .bind(&address.house)
            .bind(address.apartment.as_deref())
            .execute(&mut *conn)
            .await?;
            // as contact_of stores it
            (
                "address",
                address_before,
                Some(serde_json::json!(address).to_string()),
            )
        }
        ContactChange::Phone { phone } => {
            sqlx::query("UPDATE person SET phone = ?2 WHERE id = ?1")
                .bind(person_id)
                .bind(phone)
                .execute(&mut *conn)
                .await?;
            ("phone", phone_before, Some(serde_json::json!(phone).to_string()))
        }
    })
}

/// The person's address and phone as the history stores them (JSON).
pub(crate) async fn contact_of(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<(Option<String>, Option<String>), StoreError> {
    type Held = (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let (settlement, street, house, apartment, phone): Held =
        sqlx::query_as("SELECT settlement, street, house, apartment, phone FROM person WHERE id = ?1")
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?;
    let address = match (settlement, street, house) {
        (Some(settlement), Some(street), Some(house)) => Some(
            serde_json::json!(emhana_domain::Address {
                settlement,
                street,
                house,
                apartment,
            })
            .to_string(),
        ),
        _ => None,
    };
    Ok((address, phone.map(|phone| serde_json::json!(phone).to_string())))
}

/// What the registry brought changed of the person's address or phone,
/// written to their history as the registry's (another PC's change).
pub(crate) async fn record_registry_changes(
    conn: &mut SqliteConnection,
    person_id: i64,
    before: (Option<String>, Option<String>),
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let after = contact_of(conn, person_id).await?;
    if before.0 != after.0 {
        record_history(conn, person_id, "address", before.0, after.0, None, at).await?;
    }
    if before.1 != after.1 {
        record_history(conn, person_id, "phone", before.1, after.1, None, at).await?;
    }
    Ok(())
}

/// One line of the person's contact history (`staff_id` none: from the registry).
pub(crate) async fn record_history(
    conn: &mut SqliteConnection,
    person_id: i64,
    field: &str,
    before: Option<String>,
    after: Option<String>,
    staff_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO person_contact_history (person_id, field, before, after, staff_id, changed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(person_id)
    .bind(field)
    .bind(before)
    .bind(after)
    .bind(staff_id)
    .bind(at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn contact_history(
    pool: &sqlx::SqlitePool,
    person_id: i64,
) -> Result<Vec<ContactHistoryEntry>, StoreError> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        DateTime<Utc>,
    );
    let rows: Vec<Row> = sqlx::query_as(concat!(
        "SELECT h.field, h.before, h.after, ",
        full_name_sql!("s"),
        ", h.changed_at FROM person_contact_history h LEFT JOIN staff s ON s.id = h.staff_id \
         WHERE h.person_id = ?1 ORDER BY h.id DESC"
    ))
    .bind(person_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(field, before, after, by, changed_at)| ContactHistoryEntry {
            before: before.as_deref().map(|text| shown(&field, text)),
            after: after.as_deref().map(|text| shown(&field, text)),
            field,
            by,
            changed_at,
        })
        .collect())
}

/// A stored value as the card writes it: an address on one line, a phone formatted.
fn shown(field: &str, json: &str) -> String {
    match field {
        "address" => serde_json::from_str::<emhana_domain::Address>(json)
            .map(|address| match &address.apartment {
                Some(apartment) => format!(
                    "{}, {}, {}-{apartment}",
                    address.settlement, address.street, address.house
                ),
                None => format!("{}, {}, {}", address.settlement, address.street, address.house),
            })
            .unwrap_or_else(|_| json.to_owned()),
        _ => serde_json::from_str::<String>(json)
            .map(|phone| emhana_domain::format_phone(&phone))
            .unwrap_or_else(|_| json.to_owned()),
    }
}
