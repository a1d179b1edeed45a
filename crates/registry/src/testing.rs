//! For tests of the registry and of its clients (the sync engine, the app
//! end to end): a database of their own on the throwaway PostgreSQL that
//! `scripts/throwaway-postgres.sh` starts, and the API served on a local
//! port. Behind the `testing` feature: never in the server binary.

use std::str::FromStr;
use std::sync::Arc;

use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use crate::{AppState, RegistryError};

/// The variable `scripts/throwaway-postgres.sh` sets.
pub const DATABASE_URL_VARIABLE: &str = "EMHANA_TEST_DATABASE_URL";

/// A new, empty database named `<prefix>_<unique>` on the throwaway server,
/// with the registry's schema applied.
pub async fn fresh_database(
    prefix: &str,
    pool_size: u32,
) -> Result<(PgPool, PgConnectOptions), RegistryError> {
    let url = std::env::var(DATABASE_URL_VARIABLE).map_err(|_| {
        RegistryError::Config(format!(
            "{DATABASE_URL_VARIABLE} is not set: run the tests under scripts/throwaway-postgres.sh"
        ))
    })?;
    let admin = PgConnectOptions::from_str(&url)?;
    let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
    let maintenance = PgPool::connect_with(admin.clone()).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&maintenance)
        .await?;
    maintenance.close().await;
    let options = admin.database(&name);
    // unbounded, as an administrator's commands run: tests and benches seed
    // large regions through it (adversarial/limits.rs bounds its own)
    let pool = crate::connect_with(options.clone(), pool_size).await?;
    Ok((pool, options))
}

/// The API served on a free local port until [`Served::stop`] or drop: then it
/// stops accepting and closes idle connections, as a registry going down does.
#[derive(Debug)]
pub struct Served {
    pub base: String,
    stop: Arc<tokio::sync::Notify>,
}

impl Served {
    pub fn stop(&self) {
        self.stop.notify_one();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.stop();
    }
}

pub async fn serve(state: AppState) -> Result<Served, RegistryError> {
    serve_with(state, crate::serve::Limits::default()).await
}

/// [`serve`] with other bounds (a test of the bounds themselves).
pub async fn serve_with(state: AppState, limits: crate::serve::Limits) -> Result<Served, RegistryError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|error| RegistryError::Config(format!("binding a local port: {error}")))?;
    let base = format!(
        "http://{}",
        listener
            .local_addr()
            .map_err(|error| RegistryError::Config(error.to_string()))?
    );
    let stop = Arc::new(tokio::sync::Notify::new());
    let stopped = stop.clone();
    let app = crate::router(state, limits.request_timeout);
    tokio::spawn(async move {
        let _ = crate::serve::serve(
            listener,
            app,
            None,
            &limits,
            async move { stopped.notified().await },
        )
        .await;
    });
    Ok(Served { base, stop })
}

/// The registry's persons with these IINs, in the order given, as the
/// register holds them (for tests and benches that send them in ops).
pub async fn persons_by_iin(
    pool: &PgPool,
    iins: &[String],
) -> Result<Vec<emhana_domain::Person>, RegistryError> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        crate::people::person_columns!(),
        " FROM person p WHERE p.iin = ANY($1) ORDER BY array_position($1, p.iin)"
    ))
    .bind(iins)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| crate::people::person_from_row(row).map(|(person, _)| person))
        .collect()
}
