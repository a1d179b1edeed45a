//! Clinics' snapshots for a new workstation's first sync (docs/sync.md
//! "Snapshots"): ready-made workstation databases that `emhana-snapshot`
//! builds beside the registry — in `<dir>/<clinic BIN>/snapshot.sqlite`
//! with its `snapshot.json` (`protocol::SnapshotInfo`), the file first, the
//! description last, each by rename — and the registry hands out to the
//! clinic's workstations: the description, then the file, resumable.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use emhana_protocol::{SNAPSHOT_MAX_AGE_DAYS, SnapshotInfo};

use crate::RegistryError;

fn folder(dir: &Path, clinic_bin: &str) -> Result<PathBuf, RegistryError> {
    // a BIN is 12 digits: nothing else names a folder here
    if clinic_bin.len() != 12 || !clinic_bin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(RegistryError::NotFound);
    }
    Ok(dir.join(clinic_bin))
}

/// The clinic's snapshot, when one is there, whole, and young enough to install.
pub async fn info(dir: &Path, clinic_bin: &str, now: DateTime<Utc>) -> Result<SnapshotInfo, RegistryError> {
    let folder = folder(dir, clinic_bin)?;
    let text = match tokio::fs::read(folder.join("snapshot.json")).await {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(RegistryError::NotFound),
        Err(error) => {
            return Err(RegistryError::Config(format!(
                "snapshot of {clinic_bin}: {error}"
            )));
        }
    };
    let info: SnapshotInfo = serde_json::from_slice(&text)
        .map_err(|error| RegistryError::Config(format!("snapshot.json of {clinic_bin}: {error}")))?;
    let size = tokio::fs::metadata(folder.join("snapshot.sqlite"))
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    if info.clinic_bin != clinic_bin || size != info.size {
        tracing::warn!(
            clinic = clinic_bin,
            "snapshot file and its description disagree: not offered"
        );
        return Err(RegistryError::NotFound);
    }
    if now - info.built_at > Duration::days(SNAPSHOT_MAX_AGE_DAYS) {
        return Err(RegistryError::NotFound);
    }
    Ok(info)
}

/// The snapshot's file from byte `Range: bytes=<from>-` on (206), or whole (200).
pub async fn file(dir: &Path, clinic_bin: &str, headers: &HeaderMap) -> Result<Response, RegistryError> {
    use tokio::io::AsyncSeekExt;
    let path = folder(dir, clinic_bin)?.join("snapshot.sqlite");
    let mut file = match tokio::fs::File::open(&path).await {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Err(RegistryError::NotFound),
        Err(error) => {
            return Err(RegistryError::Config(format!(
                "snapshot of {clinic_bin}: {error}"
            )));
        }
    };
    let size = file
        .metadata()
        .await
        .map_err(|error| RegistryError::Config(format!("snapshot of {clinic_bin}: {error}")))?
        .len();
    let from = headers
        .get(header::RANGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("bytes="))
        .and_then(|value| value.strip_suffix('-'))
        .and_then(|value| value.parse::<u64>().ok());
    let (status, from) = match from {
        Some(from) if from >= size && size > 0 => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
        Some(from) => (StatusCode::PARTIAL_CONTENT, from),
        None => (StatusCode::OK, 0),
    };
    file.seek(std::io::SeekFrom::Start(from))
        .await
        .map_err(|error| RegistryError::Config(format!("snapshot of {clinic_bin}: {error}")))?;
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.sqlite3"),
    );
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(value) = HeaderValue::from_str(&(size - from).to_string()) {
        headers.insert(header::CONTENT_LENGTH, value);
    }
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(value) = HeaderValue::from_str(&format!("bytes {from}-{}/{size}", size.saturating_sub(1)))
    {
        headers.insert(header::CONTENT_RANGE, value);
    }
    Ok(response)
}
