//! Who made an op: the registry checks the author named by the PC against the
//! clinic's staff list and accounts as it holds them, and the author's roles
//! against what the op does ([`emhana_domain::access::check_author`]). A PC
//! that names someone else, or a member of staff who left, was disabled or
//! may not do it, gets the op refused alone.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::access::{AuthorRefusal, AuthorStanding, check_author};
use emhana_protocol::{Op, RejectGround};
use sqlx::PgConnection;

use crate::RegistryError;

/// The authors a push names, each read once.
#[derive(Default)]
pub(super) struct Authors {
    known: HashMap<String, Option<AuthorStanding>>,
}

impl Authors {
    /// Why `op` is refused for its author, if it is; `clinic_id` is the
    /// sending workstation's clinic, whose staff sign in at its PCs.
    pub(super) async fn refusal(
        &mut self,
        conn: &mut PgConnection,
        clinic_id: i64,
        op: &Op,
    ) -> Result<Option<RejectGround>, RegistryError> {
        let Some(iin) = &op.actor_iin else {
            return Ok((!op.body.may_come_unauthored()).then_some(RejectGround::NoAuthor));
        };
        if !self.known.contains_key(iin) {
            let standing = standing(conn, clinic_id, iin).await?;
            self.known.insert(iin.clone(), standing);
        }
        let standing = self.known.get(iin).and_then(Option::as_ref);
        Ok(match check_author(standing, op.body.action(), op.made_at) {
            Ok(()) => None,
            Err(AuthorRefusal::NotStaff) => Some(RejectGround::AuthorNotStaff),
            Err(AuthorRefusal::Disabled) => Some(RejectGround::AuthorDisabled),
            Err(AuthorRefusal::NotAllowed(action)) => Some(RejectGround::AuthorNotAllowed { action }),
        })
    }
}

pub(crate) async fn standing(
    conn: &mut PgConnection,
    clinic_id: i64,
    iin: &str,
) -> Result<Option<AuthorStanding>, RegistryError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        roles: Vec<String>,
        works_from: Option<NaiveDate>,
        works_to: Option<NaiveDate>,
        disabled_since: Option<DateTime<Utc>>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.roles, s.works_from, s.works_to, CASE WHEN a.disabled THEN a.changed_at END AS disabled_since \
         FROM staff s LEFT JOIN account a ON a.staff_id = s.id WHERE s.clinic_id = $1 AND s.iin = $2",
    )
    .bind(clinic_id)
    .bind(iin)
    .fetch_optional(conn)
    .await?;
    let Some(Row {
        roles,
        works_from,
        works_to,
        disabled_since,
    }) = row
    else {
        return Ok(None);
    };
    Ok(Some(AuthorStanding {
        roles: crate::organization::staff_roles(&roles)?,
        works_from,
        works_to,
        disabled_since,
    }))
}
