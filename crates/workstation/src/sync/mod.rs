//! The workstation's side of sync with the central registry: ops recorded in
//! the outbox in the same transaction as the change they carry, the registry's
//! answers recorded (a rejected op undoes its provisional effect and lands in
//! "needs attention"), and the registry's change feed applied together with
//! its cursor. The sync engine (`emhana-sync`) drives these; it never touches
//! the tables itself.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use emhana_domain::attachment::RefusalGround;
use emhana_domain::time::kazakhstan_date;
use emhana_domain::{Address, Citizenship, Iin, Person, Sex};
use emhana_protocol::{
    AttachmentState, Change, Enrolment, Hlc, LeftReason, Op, OpBody, OpOutcome, OpResult, PullResponse,
    RejectGround,
};
use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use uuid::Uuid;

use crate::error::StoreError;
use crate::import::insert_search_keys;

const ROWS_PER_STATEMENT: usize = 400;

mod answers;
mod feed;
mod outbox;
mod status;

pub use answers::*;
pub use feed::*;
pub use outbox::*;
pub use status::*;
