//! Keeping a person's data current (issue 21): a new registered or
//! temporary address, phone, document, place of work or study, or household
//! link (mother, father, guardian), changed at the window with its author
//! and kept in the person's history; for a person attached here, sent to the
//! registry as an op, which hands it to the clinic's other PCs (their
//! history says it came from the registry).

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::access::Action;
use emhana_domain::booking::PersonStanding;
use emhana_domain::registration::{
    ChangeFacts, DocumentKind, Field, FieldError, FieldProblem, IdentityDocument, PersonChange, Relation,
    check_person_change,
};
use emhana_domain::{Address, Sex};
use emhana_protocol::{ChangePersonOp, OpBody};
use serde::Serialize;
use sqlx::SqliteConnection;

use crate::Workstation;
use crate::attachment::FormError;
use crate::error::StoreError;
use crate::store::{self, OpLinks};

/// One change of a person's data, as the card lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PersonChangeEntry {
    /// What changed, as [`PersonChange::key`] names it: `address`, `phone`,
    /// `document`, `temporary_address`, `workplace`, `mother`, `father`, `guardian`.
    pub field: String,
    /// The value before and after, as the card writes it (`None`: none).
    pub before: Option<String>,
    pub after: Option<String>,
    /// Who changed it here; `None`: another PC of the clinic, through the registry.
    pub by: Option<String>,
    pub changed_at: DateTime<Utc>,
}

/// What the card shows of the person beyond the state's data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct PersonDetails {
    pub document: Option<IdentityDocument>,
    pub temporary_address: Option<String>,
    /// The place of work or study.
    pub workplace: Option<String>,
    pub relatives: Vec<RelativeView>,
}

/// A household link the card shows: the relative as this PC holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RelativeView {
    pub relation: Relation,
    pub person_id: i64,
    pub iin: String,
    pub full_name: String,
}

impl Workstation {
    /// Changes one of the person's data, checked as the registration form
    /// checks it, in one transaction with its history, its audit event and
    /// (for a person attached here) its op.
    pub async fn change_person(
        &self,
        person_id: i64,
        change: &PersonChange,
        now: DateTime<Utc>,
    ) -> Result<(), FormError> {
        let staff_id = self.require(Action::RegisterPerson).await?.staff_id;
        let today = emhana_domain::kazakhstan_date(now);
        self.require_may_see(person_id, today).await?;
        let mut tx = self.pool.begin().await?;
        let (iin, birth_date): (String, NaiveDate) =
            sqlx::query_as("SELECT iin, birth_date FROM person WHERE id = ?1")
                .bind(person_id)
                .fetch_one(&mut *tx)
                .await?;
        let facts = ChangeFacts {
            iin: &iin,
            birth_date,
            today,
        };
        let checked =
            check_person_change(change, facts).map_err(|error| FormError::Fields { errors: vec![error] })?;
        record_change_here(&mut tx, person_id, &checked, Some(staff_id), now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The changes of the person's data, newest first.
    pub async fn person_changes(&self, person_id: i64) -> Result<Vec<PersonChangeEntry>, StoreError> {
        person_changes(&self.pool, person_id).await
    }
}

/// A checked change made at this window: written over the person's data,
/// kept in their history with its author, audited, and (for a person
/// attached here) sent to the registry as an op.
async fn record_change_here(
    conn: &mut SqliteConnection,
    person_id: i64,
    checked: &PersonChange,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), FormError> {
    let key = checked.key();
    let before = held(conn, person_id, key).await?;
    if before == value_of(checked) {
        // saved as it already was: nothing changed, nothing to tell
        return Ok(());
    }
    write(conn, person_id, checked)
        .await?
        .map_err(|error| FormError::Fields { errors: vec![error] })?;
    let made = MadeChange {
        person_id,
        change: checked,
        before,
        staff_id,
    };
    let today = emhana_domain::kazakhstan_date(now);
    let (standing, _) = store::standing(conn, person_id, today).await?;
    record_made_change(conn, made, standing == PersonStanding::AttachedHere, now).await?;
    Ok(())
}

/// A change already written over the person's data, with the value it replaced.
pub(crate) struct MadeChange<'a> {
    pub person_id: i64,
    pub change: &'a PersonChange,
    /// The value before, as [`held`] read it.
    pub before: Option<String>,
    pub staff_id: Option<i64>,
}

/// Keeps a change made here in the person's history with its author,
/// audits it, and sends it to the registry as an op when `send`.
pub(crate) async fn record_made_change(
    conn: &mut SqliteConnection,
    made: MadeChange<'_>,
    send: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let MadeChange {
        person_id,
        change: checked,
        before,
        staff_id,
    } = made;
    let key = checked.key();
    let after = held(conn, person_id, key).await?;
    record_history(conn, person_id, key, before, after, staff_id, now).await?;
    if send {
        send_change(conn, person_id, checked, staff_id, now).await?;
    }
    let detail = serde_json::json!({ "field": key }).to_string();
    store::append_audit(
        conn,
        store::AuditEntry {
            at: now,
            staff_id,
            action: "person_data_changed",
            person_id: Some(person_id),
            detail: &detail,
        },
    )
    .await?;
    Ok(())
}

/// Records the change as a `change_person` op for the registry.
async fn send_change(
    conn: &mut SqliteConnection,
    person_id: i64,
    change: &PersonChange,
    staff_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let home = store::home_clinic(conn).await?;
    let iin: String = sqlx::query_scalar("SELECT iin FROM person WHERE id = ?1")
        .bind(person_id)
        .fetch_one(&mut *conn)
        .await?;
    let op = OpBody::ChangePerson(ChangePersonOp {
        clinic_bin: home.bin,
        iin,
        change: change.clone(),
    });
    let links = OpLinks {
        person_id: Some(person_id),
        ..OpLinks::default()
    };
    store::record_op(conn, now, staff_id, &op, links).await?;
    Ok(())
}

/// The details a registration here typed (the document, the temporary
/// address, the workplace, the household links), for the person's first
/// attachment from this PC to carry: the registry keeps them once the
/// attachment stands, and the clinic's other PCs need them too. A person
/// who came from the registry, or was attached from here before, has none
/// to send.
pub(crate) async fn registration_details(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<Vec<PersonChange>, StoreError> {
    let registered_here: bool = sqlx::query_scalar(
        "SELECT p.registered_at IS NOT NULL \
                AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.person_id = p.id AND o.kind = 'attach') \
         FROM person p WHERE p.id = ?1",
    )
    .bind(person_id)
    .fetch_one(&mut *conn)
    .await?;
    let mut details = Vec::new();
    if !registered_here {
        return Ok(details);
    }
    if let Some(document) = parsed(held(conn, person_id, "document").await?) {
        details.push(PersonChange::Document { document });
    }
    if let Some(address) = parsed(held(conn, person_id, "temporary_address").await?) {
        details.push(PersonChange::TemporaryAddress {
            address: Some(address),
        });
    }
    if let Some(workplace) = parsed(held(conn, person_id, "workplace").await?) {
        details.push(PersonChange::Workplace {
            workplace: Some(workplace),
        });
    }
    for relation in Relation::ALL {
        if let Some(iin) = parsed(held(conn, person_id, relation.as_str()).await?) {
            details.push(PersonChange::Relative {
                relation: *relation,
                iin: Some(iin),
            });
        }
    }
    Ok(details)
}

/// Writes the change over the person's data, or the field's problem (a
/// relative this PC does not hold, a mother who is a man, a father who is
/// a woman).
async fn write(
    conn: &mut SqliteConnection,
    person_id: i64,
    change: &PersonChange,
) -> Result<Result<(), FieldError>, StoreError> {
    match change {
        PersonChange::Address { address } => write_address(conn, person_id, Some(address), false).await?,
        PersonChange::Phone { phone } => {
            sqlx::query("UPDATE person SET phone = ?2 WHERE id = ?1")
                .bind(person_id)
                .bind(phone)
                .execute(&mut *conn)
                .await?;
        }
        PersonChange::Document { document } => {
            sqlx::query(
                "UPDATE person SET document_kind = ?2, document_number = ?3, document_issued_on = ?4 WHERE id = ?1",
            )
            .bind(person_id)
            .bind(document.kind.as_str())
            .bind(&document.number)
            .bind(document.issued_on)
            .execute(&mut *conn)
            .await?;
        }
        PersonChange::TemporaryAddress { address } => {
            write_address(conn, person_id, address.as_ref(), true).await?
        }
        PersonChange::Workplace { workplace } => {
            sqlx::query("UPDATE person SET workplace = ?2 WHERE id = ?1")
                .bind(person_id)
                .bind(workplace.as_deref())
                .execute(&mut *conn)
                .await?;
        }
        PersonChange::Relative { relation, iin } => {
            sqlx::query("DELETE FROM person_link WHERE person_id = ?1 AND relation = ?2")
                .bind(person_id)
                .bind(relation.as_str())
                .execute(&mut *conn)
                .await?;
            let Some(iin) = iin else { return Ok(Ok(())) };
            let relative: Option<(i64, String)> = sqlx::query_as("SELECT id, sex FROM person WHERE iin = ?1")
                .bind(iin)
                .fetch_optional(&mut *conn)
                .await?;
            let problem = match relative {
                None => Some(FieldProblem::NotRegistered),
                Some((_, sex)) if *relation == Relation::Mother && sex != Sex::Female.as_str() => {
                    Some(FieldProblem::MotherNotFemale)
                }
                Some((_, sex)) if *relation == Relation::Father && sex != Sex::Male.as_str() => {
                    Some(FieldProblem::FatherNotMale)
                }
                Some((relative_id, _)) => {
                    sqlx::query(
                        "INSERT INTO person_link (person_id, relative_id, relation) VALUES (?1, ?2, ?3)",
                    )
                    .bind(person_id)
                    .bind(relative_id)
                    .bind(relation.as_str())
                    .execute(&mut *conn)
                    .await?;
                    None
                }
            };
            if let Some(problem) = problem {
                return Ok(Err(FieldError {
                    field: Field::RelativeIin,
                    problem,
                }));
            }
        }
    }
    Ok(Ok(()))
}

/// Writes the person's registered address, or their temporary one (`None`: none).
pub(crate) async fn write_address(
    conn: &mut SqliteConnection,
    person_id: i64,
    address: Option<&Address>,
    temporary: bool,
) -> Result<(), StoreError> {
    let sql = if temporary {
        "UPDATE person SET temporary_settlement = ?2, temporary_street = ?3, temporary_house = ?4, \
         temporary_apartment = ?5 WHERE id = ?1"
    } else {
        "UPDATE person SET settlement = ?2, street = ?3, house = ?4, apartment = ?5 WHERE id = ?1"
    };
    sqlx::query(sql)
        .bind(person_id)
        .bind(address.map(|a| &a.settlement))
        .bind(address.map(|a| &a.street))
        .bind(address.map(|a| &a.house))
        .bind(address.and_then(|a| a.apartment.as_deref()))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The value in force of one of the person's data (a [`PersonChange::key`])
/// as the history stores it: JSON, `None` when there is none.
pub(crate) async fn held(
    conn: &mut SqliteConnection,
    person_id: i64,
    key: &str,
) -> Result<Option<String>, StoreError> {
    let value = match key {
        "address" => address_of(
            sqlx::query_as("SELECT settlement, street, house, apartment FROM person WHERE id = ?1")
                .bind(person_id)
                .fetch_one(&mut *conn)
                .await?,
        ),
        "temporary_address" => address_of(
            sqlx::query_as(
                "SELECT temporary_settlement, temporary_street, temporary_house, temporary_apartment \
                 FROM person WHERE id = ?1",
            )
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?,
        ),
        "phone" | "workplace" => {
            let value: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {key} FROM person WHERE id = ?1"
            )))
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?;
            value.map(|value| serde_json::json!(value))
        }
        "document" => {
            let (kind, number, issued_on): (Option<String>, Option<String>, Option<NaiveDate>) =
                sqlx::query_as(
                    "SELECT document_kind, document_number, document_issued_on FROM person WHERE id = ?1",
                )
                .bind(person_id)
                .fetch_one(&mut *conn)
                .await?;
            match (kind.as_deref().and_then(DocumentKind::parse), number, issued_on) {
                (Some(kind), Some(number), Some(issued_on)) => Some(serde_json::json!(IdentityDocument {
                    kind,
                    number,
                    issued_on,
                })),
                _ => None,
            }
        }
        relation => {
            let iin: Option<String> = sqlx::query_scalar(
                "SELECT r.iin FROM person_link l JOIN person r ON r.id = l.relative_id \
                 WHERE l.person_id = ?1 AND l.relation = ?2",
            )
            .bind(person_id)
            .bind(relation)
            .fetch_optional(&mut *conn)
            .await?;
            iin.map(|iin| serde_json::json!(iin))
        }
    };
    Ok(value.map(|value| value.to_string()))
}

/// The person's address and phone as the history stores them (JSON), to
/// see what the registry's data changed of them.
/// In one read: the feed reads it before and after each person it brings who is here.
pub(crate) async fn contact_of(
    conn: &mut SqliteConnection,
    person_id: i64,
) -> Result<(Option<String>, Option<String>), StoreError> {
    let (settlement, street, house, apartment, phone): (Option<String>, _, _, _, Option<String>) =
        sqlx::query_as("SELECT settlement, street, house, apartment, phone FROM person WHERE id = ?1")
            .bind(person_id)
            .fetch_one(&mut *conn)
            .await?;
    Ok((
        address_of((settlement, street, house, apartment)).map(|value| value.to_string()),
        phone.map(|phone| serde_json::json!(phone).to_string()),
    ))
}

type AddressParts = (Option<String>, Option<String>, Option<String>, Option<String>);

/// An address's columns as [`held`] stores it; `None` unless whole.
fn address_of((settlement, street, house, apartment): AddressParts) -> Option<serde_json::Value> {
    match (settlement, street, house) {
        (Some(settlement), Some(street), Some(house)) => Some(serde_json::json!(Address {
            settlement,
            street,
            house,
            apartment,
        })),
        _ => None,
    }
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

/// The person's details in force at the registry (the clinics' windows'
/// newest changes), written where they differ from what this PC holds —
/// into the history as the registry's when `as_history` (a person already
/// here; a person arriving has no history on this PC yet). A relative this
/// PC does not hold yet is linked when they arrive
/// ([`link_arrived_relatives`]).
pub(crate) async fn apply_registry_details(
    conn: &mut SqliteConnection,
    person_id: i64,
    details: &[PersonChange],
    as_history: bool,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    for detail in details.iter().filter(|detail| !detail.in_person_row()) {
        let key = detail.key();
        let before = held(conn, person_id, key).await?;
        if before == value_of(detail) {
            continue;
        }
        let unheld = write(conn, person_id, detail).await?.is_err();
        if let PersonChange::Relative { relation, iin } = detail {
            // a relative not here yet is linked when they arrive
            sqlx::query("DELETE FROM person_link_pending WHERE person_id = ?1 AND relation = ?2")
                .bind(person_id)
                .bind(relation.as_str())
                .execute(&mut *conn)
                .await?;
            if let (true, Some(iin)) = (unheld, iin) {
                sqlx::query(
                    "INSERT INTO person_link_pending (person_id, relation, relative_iin) VALUES (?1, ?2, ?3)",
                )
                .bind(person_id)
                .bind(relation.as_str())
                .bind(iin)
                .execute(&mut *conn)
                .await?;
            }
        }
        let after = held(conn, person_id, key).await?;
        if as_history && before != after {
            record_history(conn, person_id, key, before, after, None, at).await?;
        }
    }
    Ok(())
}

/// Links the relatives the registry named before this PC held them, now
/// that they are here (after each page of the feed).
pub(crate) async fn link_arrived_relatives(conn: &mut SqliteConnection) -> Result<u64, StoreError> {
    let linked = sqlx::query(
        "INSERT OR REPLACE INTO person_link (person_id, relative_id, relation) \
         SELECT w.person_id, r.id, w.relation FROM person_link_pending w JOIN person r ON r.iin = w.relative_iin \
         WHERE r.id <> w.person_id",
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if linked > 0 {
        sqlx::query(
            "DELETE FROM person_link_pending WHERE EXISTS (SELECT 1 FROM person r WHERE r.iin = relative_iin)",
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(linked)
}

/// The change's value as [`held`] stores it.
fn value_of(change: &PersonChange) -> Option<String> {
    let value = match change {
        PersonChange::Address { address } => Some(serde_json::json!(address)),
        PersonChange::Phone { phone } => phone.as_ref().map(|phone| serde_json::json!(phone)),
        PersonChange::Document { document } => Some(serde_json::json!(document)),
        PersonChange::TemporaryAddress { address } => {
            address.as_ref().map(|address| serde_json::json!(address))
        }
        PersonChange::Workplace { workplace } => {
            workplace.as_ref().map(|workplace| serde_json::json!(workplace))
        }
        PersonChange::Relative { iin, .. } => iin.as_ref().map(|iin| serde_json::json!(iin)),
    };
    value.map(|value| value.to_string())
}

/// One line of the person's history (`staff_id` none: from the registry),
/// in the table named when it held the address and phone only.
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

/// The person's details beyond the state's data, as the card shows them.
pub(crate) async fn person_details(
    pool: &sqlx::SqlitePool,
    person_id: i64,
) -> Result<PersonDetails, StoreError> {
    let mut conn = pool.acquire().await?;
    let document = parsed(held(&mut conn, person_id, "document").await?);
    let temporary_address: Option<Address> = parsed(held(&mut conn, person_id, "temporary_address").await?);
    let workplace = parsed(held(&mut conn, person_id, "workplace").await?);
    let rows: Vec<(String, i64, String, String)> = sqlx::query_as(concat!(
        "SELECT l.relation, r.id, r.iin, ",
        full_name_sql!("r"),
        " FROM person_link l JOIN person r ON r.id = l.relative_id WHERE l.person_id = ?1 ORDER BY l.relation"
    ))
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let relatives = rows
        .into_iter()
        .filter_map(|(relation, person_id, iin, full_name)| {
            Some(RelativeView {
                relation: Relation::parse(&relation)?,
                person_id,
                iin,
                full_name,
            })
        })
        .collect();
    Ok(PersonDetails {
        document,
        temporary_address: temporary_address.as_ref().map(address_line),
        workplace,
        relatives,
    })
}

/// A held value (JSON) read back; `None` when there is none.
fn parsed<T: serde::de::DeserializeOwned>(json: Option<String>) -> Option<T> {
    json.and_then(|json| serde_json::from_str(&json).ok())
}

async fn person_changes(
    pool: &sqlx::SqlitePool,
    person_id: i64,
) -> Result<Vec<PersonChangeEntry>, StoreError> {
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
    let mut entries = Vec::with_capacity(rows.len());
    for (field, before, after, by, changed_at) in rows {
        entries.push(PersonChangeEntry {
            before: shown(pool, &field, before.as_deref()).await?,
            after: shown(pool, &field, after.as_deref()).await?,
            field,
            by,
            changed_at,
        });
    }
    Ok(entries)
}

fn address_line(address: &Address) -> String {
    match &address.apartment {
        Some(apartment) => format!(
            "{}, {}, {}-{apartment}",
            address.settlement, address.street, address.house
        ),
        None => format!("{}, {}, {}", address.settlement, address.street, address.house),
    }
}

/// A stored value as the card writes it: an address on one line, a phone
/// formatted, a document by its number and date, a relative by name and IIN.
async fn shown(
    pool: &sqlx::SqlitePool,
    field: &str,
    json: Option<&str>,
) -> Result<Option<String>, StoreError> {
    let Some(json) = json else { return Ok(None) };
    let text = match field {
        "address" | "temporary_address" => {
            serde_json::from_str::<Address>(json).map(|address| address_line(&address))
        }
        "phone" => serde_json::from_str::<String>(json).map(|phone| emhana_domain::format_phone(&phone)),
        "document" => serde_json::from_str::<IdentityDocument>(json)
            .map(|document| format!("№ {}, {}", document.number, document.issued_on.format("%d.%m.%Y"))),
        "workplace" => serde_json::from_str::<String>(json),
        _ => match serde_json::from_str::<String>(json) {
            Ok(iin) => {
                let name: Option<String> = sqlx::query_scalar(concat!(
                    "SELECT ",
                    full_name_sql!("p"),
                    " FROM person p WHERE p.iin = ?1"
                ))
                .bind(&iin)
                .fetch_optional(pool)
                .await?;
                Ok(match name {
                    Some(name) => format!("{name} ({iin})"),
                    None => iin,
                })
            }
            Err(error) => Err(error),
        },
    };
    Ok(Some(text.unwrap_or_else(|_| json.to_owned())))
}
