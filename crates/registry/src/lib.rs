//! The central registry: the attached-population register that no single
//! workstation can hold, and the server workstations sync with.
//!
//! An axum service on PostgreSQL. The invariants that span workstations are
//! PostgreSQL constraints (one attachment without an end per person, one
//! booking per slot), and every attachment is decided again here with the
//! same rule the workstation used (`emhana_domain::attachment::decide`).
//! The protocol is `emhana_protocol`; `docs/sync.md` describes it.

pub mod audit;
pub mod auth;
pub mod bundle;
pub mod clinics;
pub mod config;
mod error;
pub mod feed;
pub mod file_import;
pub mod organization;
pub mod osms;
mod people;
pub mod push;
pub mod reference;
pub mod seed;
pub mod serve;
pub mod snapshot;
#[cfg(feature = "testing")]
pub mod testing;
pub mod tls;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use emhana_domain::Iin;
use emhana_protocol::{
    EnrolRequest, Enrolment, MAX_BODY_BYTES, PersonLookup, PullQuery, PullResponse, PushRequest, PushResponse,
};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::trace::TraceLayer;

pub use auth::Workstation;
pub use config::Config;
pub use error::RegistryError;

/// The registry's schema, applied at start.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/registry");

/// The registry's notion of now: the system clock, or a fixed one in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub clock: Clock,
    /// The clinics' snapshots (`snapshot`), when the registry offers them.
    pub snapshots: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// Connects to PostgreSQL and brings the schema up to date.
pub async fn connect(database_url: &str, pool_size: u32) -> Result<PgPool, RegistryError> {
    connect_with(database_url.parse()?, pool_size).await
}

/// [`connect`] with options already parsed.
pub async fn connect_with(options: PgConnectOptions, pool_size: u32) -> Result<PgPool, RegistryError> {
    let pool = PgPoolOptions::new()
        .max_connections(pool_size)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// The registry's HTTP API (see `openapi.yaml` in this crate), each
/// request bounded by `request_timeout` but the snapshot's download (a
/// city's file over a slow link takes what it takes, resumable).
pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let api = Router::new()
        .route("/enrol", post(enrol))
        .route("/push", post(push))
        .route("/audit-head", post(audit_head))
        .route("/changes", get(changes))
        .route("/persons/{iin}", get(person))
        .route("/persons/{iin}/osms", get(person_osms))
        .route("/reference", get(reference))
        .route("/organization", get(organization))
        .route("/snapshot", get(snapshot_info))
        .route_layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ))
        .route("/snapshot/file", get(snapshot_file));
    Router::new()
        .route("/health", get(health))
        .route("/openapi.yaml", get(openapi))
        .nest(emhana_protocol::PREFIX, api)
        .layer(axum::middleware::from_fn(run_to_the_end))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Runs a request's handler in a task of its own, so that a caller who hangs
/// up (a PC killed, a timeout, a lost link) does not cancel it midway: hyper
/// drops the handler's future when its connection goes, and a database call
/// cancelled at the wrong moment — a `BEGIN` in flight — hands its pooled
/// connection on inside a transaction nothing rolls back (sqlx #4393, not
/// fixed in 0.9.0), which fails the next requests that get it. Each handler's
/// work is short and bounded by its own timeouts, so finishing it costs
/// little; its answer is dropped.
async fn run_to_the_end(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(error) => {
            tracing::error!(%error, "a request's handler panicked");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The OpenAPI description of this API, committed beside the code.
pub const OPENAPI: &str = include_str!("../openapi.yaml");

async fn openapi() -> ([(axum::http::HeaderName, &'static str); 1], &'static str) {
    ([(axum::http::header::CONTENT_TYPE, "application/yaml")], OPENAPI)
}

async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>, RegistryError> {
    sqlx::query("SELECT 1").execute(&state.pool).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

async fn enrol(
    State(state): State<AppState>,
    body: Result<Json<EnrolRequest>, JsonRejection>,
) -> Result<Json<Enrolment>, RegistryError> {
    let Json(request) = body?;
    Ok(Json(
        auth::enrol(
            &state.pool,
            &request.code,
            request.bundle_public_key.as_deref(),
            (state.clock)(),
        )
        .await?,
    ))
}

async fn push(
    State(state): State<AppState>,
    workstation: Workstation,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Json<PushResponse>, RegistryError> {
    let Json(request) = body?;
    Ok(Json(
        push::push(&state.pool, &workstation, request, (state.clock)()).await?,
    ))
}

async fn audit_head(
    State(state): State<AppState>,
    workstation: Workstation,
    body: Result<Json<emhana_protocol::AuditHeadReport>, JsonRejection>,
) -> Result<Json<emhana_protocol::AuditHeadAnswer>, RegistryError> {
    let Json(report) = body?;
    Ok(Json(
        audit::report_head(&state.pool, &workstation, &report, (state.clock)()).await?,
    ))
}

async fn changes(
    State(state): State<AppState>,
    workstation: Workstation,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Json<PullResponse>, RegistryError> {
    let Query(query) = query?;
    Ok(Json(feed::pull(&state.pool, &workstation, &query).await?))
}

async fn reference(
    State(state): State<AppState>,
    _workstation: Workstation,
) -> Result<Json<emhana_protocol::ReferenceData>, RegistryError> {
    let mut conn = state.pool.acquire().await?;
    Ok(Json(emhana_protocol::ReferenceData {
        campaigns: people::attachment_rules(&mut conn).await?.campaigns,
        calendars: reference::calendars(&mut conn).await?,
        triage_rules: reference::rule_tables(&mut conn, "triage").await?,
        plan_rules: reference::rule_tables(&mut conn, "care_plan").await?,
        minimum_wages: osms::minimum_wages(&mut conn).await?,
    }))
}

/// The workstation's clinic's organization, or only its version when the
/// workstation holds that one already.
async fn organization(
    State(state): State<AppState>,
    workstation: Workstation,
    query: Result<Query<emhana_protocol::OrganizationQuery>, QueryRejection>,
) -> Result<Json<emhana_protocol::OrganizationAnswer>, RegistryError> {
    let Query(query) = query?;
    let mut conn = state.pool.acquire().await?;
    let version = organization::organization_version(&mut conn, workstation.clinic_id).await?;
    if query.known == Some(version) {
        return Ok(Json(emhana_protocol::OrganizationAnswer::Unchanged { version }));
    }
    let organization = organization::organization(&mut conn, workstation.clinic_id).await?;
    Ok(Json(emhana_protocol::OrganizationAnswer::Changed {
        organization: Box::new(organization),
    }))
}

/// The workstation's clinic's snapshot, when one is offered.
async fn snapshot_info(
    State(state): State<AppState>,
    workstation: Workstation,
) -> Result<Json<emhana_protocol::SnapshotInfo>, RegistryError> {
    let dir = state.snapshots.as_deref().ok_or(RegistryError::NotFound)?;
    Ok(Json(
        snapshot::info(dir, &workstation.clinic_bin, (state.clock)()).await?,
    ))
}

/// The snapshot's file, whole or from a byte on (a broken download resumed).
async fn snapshot_file(
    State(state): State<AppState>,
    workstation: Workstation,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, RegistryError> {
    let dir = state.snapshots.as_deref().ok_or(RegistryError::NotFound)?;
    snapshot::file(dir, &workstation.clinic_bin, &headers).await
}

/// A person by IIN, as the state person database would answer, as far as
/// the asking clinic needs: its own people in full, anyone else without
/// contact details. The member of staff who asks is named and checked;
/// every look-up is logged and a PC's look-ups are rate-limited.
async fn person(
    State(state): State<AppState>,
    workstation: Workstation,
    Path(iin): Path<String>,
    query: Result<Query<emhana_protocol::LookupQuery>, QueryRejection>,
) -> Result<Json<PersonLookup>, RegistryError> {
    let Query(query) = query?;
    let now = (state.clock)();
    let iin = Iin::parse(&iin).map_err(|error| RegistryError::Malformed(format!("IIN {iin:?}: {error}")))?;
    let actor = Iin::parse(&query.actor)
        .map_err(|error| RegistryError::Malformed(format!("actor {:?}: {error}", query.actor)))?;
    people::lookup(&state.pool, &workstation, &actor.as_string(), &iin, now)
        .await
        .map(Json)
}

/// A person's OSMS status and payments, as the Fund's digital service would
/// answer, for a person the asking clinic serves; the member of staff who
/// asks is named and checked, and the request logged and counted with the
/// PC's look-ups.
async fn person_osms(
    State(state): State<AppState>,
    workstation: Workstation,
    Path(iin): Path<String>,
    query: Result<Query<emhana_protocol::LookupQuery>, QueryRejection>,
) -> Result<Json<emhana_protocol::OsmsAnswer>, RegistryError> {
    let Query(query) = query?;
    let now = (state.clock)();
    let iin = Iin::parse(&iin).map_err(|error| RegistryError::Malformed(format!("IIN {iin:?}: {error}")))?;
    let actor = Iin::parse(&query.actor)
        .map_err(|error| RegistryError::Malformed(format!("actor {:?}: {error}", query.actor)))?;
    let fund = osms::StandInFund::new(state.pool.clone());
    osms::status(&state.pool, &fund, &workstation, &actor.as_string(), &iin, now)
        .await
        .map(Json)
}
