//! Enrolment and authentication of workstations.
//!
//! An administrator adds a workstation to a clinic and reads out a one-time
//! enrolment code; the workstation exchanges it, once, for its credential
//! (`<workstation id>.<secret>`), which it keeps in the OS keyring and sends as
//! a bearer token. The registry keeps only SHA-256 hashes of both secrets.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use emhana_protocol::Enrolment;
use rand::Rng;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

use crate::{AppState, RegistryError};

/// How long an enrolment code stays usable.
pub const CODE_LIFETIME_DAYS: i64 = 7;

/// Letters and digits that cannot be misread aloud or on paper (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LEN: usize = 12;

/// A workstation the request is authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workstation {
    pub id: Uuid,
    pub clinic_id: i64,
    pub clinic_bin: String,
}

/// A new workstation of the clinic, and the one-time code it enrols with
/// (grouped by four for reading out: `ABCD-EFGH-JKMN`).
pub async fn add_workstation(
    pool: &PgPool,
    clinic_bin: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(Uuid, String), RegistryError> {
    let clinic: Option<i64> = sqlx::query_scalar("SELECT id FROM clinic WHERE bin = $1")
        .bind(clinic_bin)
        .fetch_optional(pool)
        .await?;
    let clinic_id = clinic.ok_or_else(|| RegistryError::UnknownClinic {
        bin: clinic_bin.to_owned(),
    })?;
    let code = new_code();
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO workstation (id, clinic_id, name, created_at, code_hash, code_expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(clinic_id)
    .bind(name)
    .bind(now)
    .bind(hash(&normalize_code(&code)))
    .bind(now + Duration::days(CODE_LIFETIME_DAYS))
    .execute(pool)
    .await?;
    tracing::info!(workstation = %id, clinic = clinic_bin, "workstation added");
    Ok((id, code))
}

/// Exchanges an enrolment code for the workstation's credential; the code is
/// spent in the same transaction, so it works once.
pub async fn enrol(
    pool: &PgPool,
    code: &str,
    bundle_public_key: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Enrolment, RegistryError> {
    if let Some(key) = bundle_public_key
        && !(key.len() == 64
            && key
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    {
        return Err(RegistryError::Malformed(
            "the bundle public key is 64 lowercase hexadecimal digits".to_owned(),
        ));
    }
    let mut tx = pool.begin().await?;
    let row: Option<(Uuid, i64, String, String, String)> = sqlx::query_as(
        "SELECT w.id, c.id, c.bin, c.name_kk, c.name_ru FROM workstation w JOIN clinic c ON c.id = w.clinic_id \
         WHERE w.code_hash = $1 AND w.code_expires_at > $2 AND w.revoked_at IS NULL FOR UPDATE OF w, c",
    )
    .bind(hash(&normalize_code(code)))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let (workstation, clinic_id, clinic_bin, clinic_name_kk, clinic_name_ru) =
        row.ok_or(RegistryError::BadEnrolmentCode)?;
    // The clinic's row is locked above: two of its workstations enrolling at
    // once take the next series one after the other. A re-enrolled one keeps its own.
    let series: i32 = sqlx::query_scalar(
        "UPDATE workstation SET series = coalesce(series, \
           (SELECT coalesce(max(series), 0) + 1 FROM workstation WHERE clinic_id = $2)) \
         WHERE id = $1 RETURNING series",
    )
    .bind(workstation)
    .bind(clinic_id)
    .fetch_one(&mut *tx)
    .await?;
    let secret = URL_SAFE_NO_PAD.encode(rand::rng().random::<[u8; 32]>());
    sqlx::query(
        "UPDATE workstation SET code_hash = NULL, code_expires_at = NULL, credential_hash = $2, enrolled_at = $3, \
                bundle_public_key = $4 \
         WHERE id = $1",
    )
    .bind(workstation)
    .bind(hash(&secret))
    .bind(now)
    .bind(bundle_public_key)
    .execute(&mut *tx)
    .await?;
    let registry_bundle_key: Option<String> = sqlx::query_scalar("SELECT public_key FROM bundle_key")
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(%workstation, clinic = %clinic_bin, "workstation enrolled");
    Ok(Enrolment {
        workstation,
        clinic_bin,
        clinic_name_kk,
        clinic_name_ru,
        credential: format!("{workstation}.{secret}"),
        series: u32::try_from(series).unwrap_or(0),
        registry_bundle_key,
        bundle_secret: None,
    })
}

/// The workstation a bearer credential belongs to; its last contact is
/// noted (at most once a minute, not to write on every page of a pull).
pub async fn authenticate(
    pool: &PgPool,
    header: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Workstation, RegistryError> {
    let token = header
        .and_then(|value| value.strip_prefix("Bearer "))
        .ok_or(RegistryError::Unauthorized)?;
    let (id, secret) = token.split_once('.').ok_or(RegistryError::Unauthorized)?;
    let id = Uuid::parse_str(id).map_err(|_| RegistryError::Unauthorized)?;
    let found: Option<Credentialed> = sqlx::query_as(
        "SELECT w.clinic_id, c.bin AS clinic_bin, w.credential_hash, w.last_contact_at FROM workstation w \
         JOIN clinic c ON c.id = w.clinic_id WHERE w.id = $1 AND w.revoked_at IS NULL",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    let found = found.ok_or(RegistryError::Unauthorized)?;
    let stored = found.credential_hash.ok_or(RegistryError::Unauthorized)?;
    if !same_bytes(&stored, &hash(secret)) {
        return Err(RegistryError::Unauthorized);
    }
    let workstation = Workstation {
        id,
        clinic_id: found.clinic_id,
        clinic_bin: found.clinic_bin,
    };
    // read with the credential: the write is made only when a minute has passed
    if found
        .last_contact_at
        .is_none_or(|at| at < now - Duration::minutes(1))
    {
        sqlx::query("UPDATE workstation SET last_contact_at = $2 WHERE id = $1")
            .bind(workstation.id)
            .bind(now)
            .execute(pool)
            .await?;
    }
    Ok(workstation)
}

/// A workstation as its clinic's administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct WorkstationInfo {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub last_contact_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// An enrolment code is waiting to be used (a new PC, or a rotation).
    pub code_waiting: bool,
}

/// A clinic's workstations, the last to have reached the registry first.
pub async fn workstations(pool: &PgPool, clinic_bin: &str) -> Result<Vec<WorkstationInfo>, RegistryError> {
    let clinic: Option<i64> = sqlx::query_scalar("SELECT id FROM clinic WHERE bin = $1")
        .bind(clinic_bin)
        .fetch_optional(pool)
        .await?;
    let clinic_id = clinic.ok_or_else(|| RegistryError::UnknownClinic {
        bin: clinic_bin.to_owned(),
    })?;
    Ok(sqlx::query_as(
        "SELECT id, name, created_at, enrolled_at, last_contact_at, revoked_at, code_hash IS NOT NULL AS code_waiting \
         FROM workstation WHERE clinic_id = $1 ORDER BY last_contact_at DESC NULLS LAST, created_at",
    )
    .bind(clinic_id)
    .fetch_all(pool)
    .await?)
}

/// Revokes a workstation (lost, stolen, retired): its credential is refused
/// from now on, for pushes, pulls and bundles alike. Its ops already taken stand.
pub async fn revoke(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<(), RegistryError> {
    let revoked = sqlx::query(
        "UPDATE workstation SET revoked_at = $2, code_hash = NULL, code_expires_at = NULL \
         WHERE id = $1 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    if revoked == 0 {
        return Err(RegistryError::NotFound);
    }
    tracing::warn!(workstation = %id, "workstation revoked");
    Ok(())
}

/// Rotates a workstation's credential: the old one is refused at once, and
/// the one-time code returned enrols the same workstation again — its id,
/// its number series and the ops in its outbox stay its own. Also brings a
/// revoked workstation back, when the administrator chooses to.
pub async fn rotate(pool: &PgPool, id: Uuid, now: DateTime<Utc>) -> Result<String, RegistryError> {
    let code = new_code();
    let rotated = sqlx::query(
        "UPDATE workstation SET credential_hash = NULL, revoked_at = NULL, code_hash = $2, code_expires_at = $3, \
                credential_rotated_at = $4 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(hash(&normalize_code(&code)))
    .bind(now + Duration::days(CODE_LIFETIME_DAYS))
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    if rotated == 0 {
        return Err(RegistryError::NotFound);
    }
    tracing::warn!(workstation = %id, "workstation credential rotated");
    Ok(code)
}

/// An enrolled, not revoked workstation as its credential is checked.
#[derive(sqlx::FromRow)]
struct Credentialed {
    clinic_id: i64,
    clinic_bin: String,
    credential_hash: Option<Vec<u8>>,
    last_contact_at: Option<DateTime<Utc>>,
}

impl FromRequestParts<AppState> for Workstation {
    type Rejection = RegistryError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        authenticate(&state.pool, header, (state.clock)()).await
    }
}

fn new_code() -> String {
    let mut rng = rand::rng();
    let letters: Vec<char> = (0..CODE_LEN)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect();
    letters
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A code as typed: any case, with or without dashes and spaces.
fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// Compares in time independent of where the bytes differ.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_reads_out_in_groups_and_is_typed_in_any_case() {
        let code = new_code();
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert_eq!(
            normalize_code(&code.to_lowercase().replace('-', " ")),
            code.replace('-', "")
        );
        assert!(
            code.chars()
                .all(|c| c == '-' || CODE_ALPHABET.contains(&(c as u8)))
        );
    }
}
