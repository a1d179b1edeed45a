//! "Denial of service": no header-read timeout on either listener, no
//! statement or lock timeouts, no limit on connections. Each bound, tested
//! with small values against the real listener and PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use emhana_registry::serve::Limits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;

fn small() -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(1),
        max_connections: 2,
        // shorter than the idle timeout: the holder below waits idle
        lock_timeout: Duration::from_millis(300),
        idle_in_transaction_timeout: Duration::from_secs(1),
        ..Limits::default()
    }
}

async fn served(limits: Limits) -> Result<(sqlx::PgPool, emhana_registry::testing::Served)> {
    let (pool, options) = emhana_registry::testing::fresh_database("limits", 8).await?;
    // the test's own bounds, smaller than a serving registry's
    pool.close().await;
    let pool = emhana_registry::connect_with(limits.bound(options), 8).await?;
    let state = emhana_registry::AppState {
        pool: pool.clone(),
        clock: Arc::new(chrono::Utc::now),
        snapshots: None,
    };
    Ok((pool, emhana_registry::testing::serve_with(state, limits).await?))
}

#[tokio::test]
async fn a_client_that_never_finishes_its_request_is_cut_off_and_holds_no_slot_for_long() -> Result<()> {
    let (_pool, server) = served(small()).await?;
    let address = server.base.trim_start_matches("http://").to_owned();
    // a slow client: half a request head, then nothing
    let mut slow = tokio::net::TcpStream::connect(&address).await?;
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: registry\r\n")
        .await?;
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was closed, not held");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"));

    // two silent connections fill the slots: the next request waits...
    let _held = [
        tokio::net::TcpStream::connect(&address).await?,
        tokio::net::TcpStream::connect(&address).await?,
    ];
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::new();
    let waiting = client
        .get(format!("{}/health", server.base))
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(waiting.is_err(), "served beyond the limit: {waiting:?}");
    // ...until their header timeout frees them
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let served = client.get(format!("{}/health", server.base)).send().await?;
    assert_eq!(served.status(), 200);
    Ok(())
}

#[tokio::test]
async fn a_push_waiting_on_a_lock_gives_up_and_an_idle_transaction_is_ended() -> Result<()> {
    let limits = small();
    let (pool, _server) = served(limits.clone()).await?;
    // an idle transaction on a bounded connection is ended by the server
    let mut idle = pool.begin().await?;
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *idle)
        .await?;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        sqlx::query("SELECT 1").execute(&mut *idle).await.is_err(),
        "the idle transaction was ended"
    );
    drop(idle);
    // a statement waiting on a lock another holds gives up after lock_timeout
    let mut holder = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(42)")
        .execute(&mut *holder)
        .await?;
    let started = Instant::now();
    let mut waiter = pool.acquire().await?;
    let waited = sqlx::query("SELECT pg_advisory_xact_lock(42)")
        .execute(&mut *waiter)
        .await;
    assert!(
        waited.is_err(),
        "gave up: {waited:?} after {:?}",
        started.elapsed()
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    holder.rollback().await?;
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(&pool)
        .await?;
    assert_eq!(shown, "1min", "every connection of the pool bounded");
    Ok(())
}
