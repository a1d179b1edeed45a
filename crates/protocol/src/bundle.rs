//! Offline bundles: the same ops and answers as push and pull, carried as
//! files by a post with no link (a USB stick to the district centre).
//!
//! A workstation seals its outbox into an **ops file**; the registry opens
//! it, applies the ops exactly as a push (same op ids, same idempotency), and
//! seals an **answers file**: one answer per op and the clinic's feed after
//! the post's cursor. The post opens that and records both.
//!
//! A file is gzip-compressed JSON: a header (format, kind, workstation,
//! when made), the body as JSON text, and an HMAC-SHA256 over the header and
//! the body. The key is SHA-256 of the workstation's credential secret —
//! what the post holds in its keyring and the registry keeps (it never keeps
//! the secret) — so a file can only be made by the post or the registry, and
//! a file changed on the way is refused whole.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Op, OpResult, PullResponse};

/// The format this version writes and reads.
pub const BUNDLE_FORMAT: &str = "emhana-bundle/1";
/// The most a bundle may hold, decompressed (a bomb is refused, not expanded).
pub const MAX_BUNDLE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum BundleKind {
    /// From a post: its outbox.
    Ops,
    /// From the registry: the answers and the feed.
    Answers,
}

/// What a post sends: its ops in outbox order, and where its feed stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OpsBundle {
    pub ops: Vec<Op>,
    pub cursor: Option<String>,
}

/// What the registry sends back: one answer per op, in order, and the
/// clinic's feed read from `after` (the post's cursor) on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AnswersBundle {
    pub results: Vec<OpResult>,
    pub after: Option<String>,
    pub pages: Vec<PullResponse>,
}

/// A sealed file, opened but not yet verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SealedFile {
    pub format: String,
    pub kind: BundleKind,
    pub workstation: Uuid,
    pub made_at: DateTime<Utc>,
    body: String,
    mac: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("the file is not an Emhana bundle")]
    NotABundle,
    #[error("the bundle is of format {0}, this version reads {BUNDLE_FORMAT}")]
    UnknownFormat(String),
    #[error("the file is larger than {MAX_BUNDLE_BYTES} bytes unpacked")]
    TooLarge,
    #[error("the file holds {found:?}, not {expected:?}")]
    WrongKind { expected: BundleKind, found: BundleKind },
    #[error("the file was made for another workstation ({0})")]
    OtherWorkstation(Uuid),
    #[error("the file's seal does not match: it was changed, or made with another key")]
    BadSeal,
    #[error("the bundle's content cannot be read: {0}")]
    Malformed(String),
}

/// The key both sides seal with: SHA-256 of the credential's secret (the part
/// after the workstation id), which is also what the registry stores.
pub fn bundle_key(credential: &str) -> Option<Vec<u8>> {
    let (_, secret) = credential.split_once('.')?;
    Some(Sha256::digest(secret.as_bytes()).to_vec())
}

fn mac(
    key: &[u8],
    kind: BundleKind,
    workstation: Uuid,
    made_at: DateTime<Utc>,
    body: &str,
) -> Result<Hmac<Sha256>, BundleError> {
    // HMAC takes keys of any length; an empty key is not one of ours.
    if key.is_empty() {
        return Err(BundleError::BadSeal);
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| BundleError::BadSeal)?;
    // Every header field goes under the seal with the body, unambiguously.
    let kind = match kind {
        BundleKind::Ops => "ops",
        BundleKind::Answers => "answers",
    };
    for part in [
        BUNDLE_FORMAT,
        kind,
        &workstation.to_string(),
        &made_at.to_rfc3339(),
    ] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    mac.update(&(body.len() as u64).to_be_bytes());
    mac.update(body.as_bytes());
    Ok(mac)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Seals `body` for `workstation` into the bytes of a file.
pub fn seal<T: Serialize>(
    kind: BundleKind,
    workstation: Uuid,
    made_at: DateTime<Utc>,
    body: &T,
    key: &[u8],
) -> Result<Vec<u8>, BundleError> {
    let body = serde_json::to_string(body).map_err(|error| BundleError::Malformed(error.to_string()))?;
    let mac = to_hex(
        &mac(key, kind, workstation, made_at, &body)?
            .finalize()
            .into_bytes(),
    );
    let file = SealedFile {
        format: BUNDLE_FORMAT.to_owned(),
        kind,
        workstation,
        made_at,
        body,
        mac,
    };
    let json = serde_json::to_vec(&file).map_err(|error| BundleError::Malformed(error.to_string()))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(&json)
        .and_then(|()| encoder.finish())
        .map_err(|error| BundleError::Malformed(error.to_string()))
}

impl SealedFile {
    /// Reads a file's header; nothing in it is trusted until [`SealedFile::open`].
    pub fn read(bytes: &[u8]) -> Result<SealedFile, BundleError> {
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_BUNDLE_BYTES + 1)
            .read_to_end(&mut json)
            .map_err(|_| BundleError::NotABundle)?;
        if json.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        let value: serde_json::Value = serde_json::from_slice(&json).map_err(|_| BundleError::NotABundle)?;
        match value.get("format").and_then(|format| format.as_str()) {
            Some(BUNDLE_FORMAT) => {}
            Some(other) => return Err(BundleError::UnknownFormat(other.to_owned())),
            None => return Err(BundleError::NotABundle),
        }
        serde_json::from_value(value).map_err(|error| BundleError::Malformed(error.to_string()))
    }

    /// Verifies the seal with `key` and reads the body, of the `expected` kind.
    pub fn open<T: DeserializeOwned>(&self, expected: BundleKind, key: &[u8]) -> Result<T, BundleError> {
        if self.kind != expected {
            return Err(BundleError::WrongKind {
                expected,
                found: self.kind,
            });
        }
        let tag = from_hex(&self.mac).ok_or(BundleError::BadSeal)?;
        mac(key, self.kind, self.workstation, self.made_at, &self.body)?
            .verify_slice(&tag)
            .map_err(|_| BundleError::BadSeal)?;
        serde_json::from_str(&self.body).map_err(|error| BundleError::Malformed(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Vec<u8> {
        bundle_key("0190a1b2-0000-7000-8000-000000000001.secret").unwrap_or_default()
    }

    #[test]
    fn a_sealed_bundle_opens_with_its_key_and_only_with_it() -> Result<(), BundleError> {
        let workstation = Uuid::now_v7();
        let bundle = OpsBundle {
            ops: Vec::new(),
            cursor: Some("42:7".into()),
        };
        let bytes = seal(BundleKind::Ops, workstation, Utc::now(), &bundle, &key())?;
        let file = SealedFile::read(&bytes)?;
        assert_eq!(file.workstation, workstation);
        assert_eq!(file.open::<OpsBundle>(BundleKind::Ops, &key())?, bundle);
        let other = bundle_key("x.another").unwrap_or_default();
        assert_eq!(
            file.open::<OpsBundle>(BundleKind::Ops, &other),
            Err(BundleError::BadSeal)
        );
        assert!(matches!(
            file.open::<AnswersBundle>(BundleKind::Answers, &key()),
            Err(BundleError::WrongKind { .. })
        ));
        Ok(())
    }

    #[test]
    fn a_bundle_changed_on_the_way_is_refused_whole() -> Result<(), BundleError> {
        let bundle = OpsBundle {
            ops: Vec::new(),
            cursor: Some("42:7".into()),
        };
        let bytes = seal(BundleKind::Ops, Uuid::now_v7(), Utc::now(), &bundle, &key())?;
        let mut file = SealedFile::read(&bytes)?;
        file.body = file.body.replace("42:7", "0:0");
        assert_eq!(
            file.open::<OpsBundle>(BundleKind::Ops, &key()),
            Err(BundleError::BadSeal)
        );
        let mut file = SealedFile::read(&bytes)?;
        file.workstation = Uuid::now_v7();
        assert_eq!(
            file.open::<OpsBundle>(BundleKind::Ops, &key()),
            Err(BundleError::BadSeal)
        );
        Ok(())
    }

    #[test]
    fn other_files_are_named_for_what_they_are() {
        assert_eq!(SealedFile::read(b"%PDF-1.7"), Err(BundleError::NotABundle));
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = encoder.write_all(br#"{"format":"emhana-bundle/9"}"#);
        let bytes = encoder.finish().unwrap_or_default();
        assert_eq!(
            SealedFile::read(&bytes),
            Err(BundleError::UnknownFormat("emhana-bundle/9".into()))
        );
    }
}
