//! Offline bundles: the same ops and answers as push and pull, carried as
//! files by a post with no link (a USB stick to the district centre).
//!
//! A workstation seals its outbox into an **ops file**; the registry opens
//! it, applies the ops exactly as a push (same op ids, same idempotency), and
//! seals an **answers file**: one answer per op and the clinic's feed after
//! the post's cursor. The post opens that and records both.
//!
//! A file is JSON: a header in clear (format, kind, workstation, when made,
//! a nonce) and the body — gzip-compressed JSON — encrypted and sealed with
//! ChaCha20-Poly1305 (an AEAD), the header its associated data. Nothing of
//! the body is read, or even decompressed, before the seal checks.
//!
//! The key is agreed (X25519, then HKDF-SHA256 bound to the workstation)
//! between the post's bundle key pair and the registry's: the post keeps its
//! private key in its encrypted database, the registry its private key in a
//! file of its administrator's (`emhana-registry bundle-key`), never in its
//! database, which holds only the public halves. So a file can be made and
//! read only by the post or by the holder of the registry's key file: not
//! by whoever reads it on the way, nor from a copy of the registry's
//! database.

use std::io::{Read, Write};

use aws_lc_rs::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey, X25519};
use aws_lc_rs::encoding::{AsBigEndian, Curve25519SeedBin};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AuditHeadAnswer, AuditHeadReport, Op, OpResult, PullResponse};

/// The format this version writes and reads.
pub const BUNDLE_FORMAT: &str = "emhana-bundle/2";
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
    /// The head of the post's audit log, as a sync reports it: a post that
    /// syncs only by files is held to its log too.
    #[serde(default)]
    pub audit: Option<AuditHeadReport>,
}

/// What the registry sends back: one answer per op, in order, and the
/// clinic's feed read from `after` (the post's cursor) on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AnswersBundle {
    pub results: Vec<OpResult>,
    pub after: Option<String>,
    pub pages: Vec<PullResponse>,
    /// The registry's answer to the audit head the ops file carried.
    #[serde(default)]
    pub audit: Option<AuditHeadAnswer>,
}

/// A sealed file, read but not yet opened: only its header is known, and
/// nothing of it is trusted until [`SealedFile::open`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SealedFile {
    pub format: String,
    pub kind: BundleKind,
    pub workstation: Uuid,
    pub made_at: DateTime<Utc>,
    /// The AEAD's nonce, hex; random for each file.
    nonce: String,
    /// The compressed body, encrypted, with its tag; base64.
    sealed: String,
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
    /// No key to seal with: the PC was enrolled before bundles were
    /// encrypted, or with a registry that had no bundle key yet.
    #[error("this workstation has no bundle key: enrol it again (after the registry's bundle-key)")]
    NoKey,
    /// A bundle key that is not one: damaged in storage, or never made.
    #[error("the bundle key is not a key: {0}")]
    BadKey(String),
    #[error("the bundle's content cannot be read: {0}")]
    Malformed(String),
}

/// One side's bundle key pair: its private half, kept by its owner (the
/// post in its encrypted database, the registry in its key file).
#[derive(Clone, PartialEq, Eq)]
pub struct BundleSecret([u8; 32]);

impl std::fmt::Debug for BundleSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BundleSecret(…)")
    }
}

fn bad_key(what: &str) -> BundleError {
    BundleError::BadKey(what.to_owned())
}

impl BundleSecret {
    /// A new key pair's private half.
    pub fn generate() -> Result<Self, BundleError> {
        let private = PrivateKey::generate(&X25519).map_err(|_| bad_key("no randomness"))?;
        let seed: Curve25519SeedBin<'static> = private.as_be_bytes().map_err(|_| bad_key("not X25519"))?;
        let bytes: [u8; 32] = seed.as_ref().try_into().map_err(|_| bad_key("not 32 bytes"))?;
        Ok(BundleSecret(bytes))
    }

    pub fn from_hex(text: &str) -> Result<Self, BundleError> {
        let bytes = from_hex(text.trim()).ok_or_else(|| bad_key("not hex"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad_key("not 32 bytes"))?;
        Ok(BundleSecret(bytes))
    }

    /// The private half as kept (never printed, never sent).
    pub fn to_hex(&self) -> String {
        to_hex(&self.0)
    }

    fn private(&self) -> Result<PrivateKey, BundleError> {
        PrivateKey::from_private_key(&X25519, &self.0).map_err(|_| bad_key("not an X25519 key"))
    }

    /// The public half, hex: what the other side is given.
    pub fn public_hex(&self) -> Result<String, BundleError> {
        let public = self
            .private()?
            .compute_public_key()
            .map_err(|_| bad_key("no public half"))?;
        Ok(to_hex(public.as_ref()))
    }

    /// The key this side shares with the holder of `peer_public` for the
    /// bundles of `workstation`.
    pub fn key_with(&self, peer_public: &str, workstation: Uuid) -> Result<BundleKey, BundleError> {
        let peer = from_hex(peer_public.trim()).ok_or_else(|| bad_key("the other side's key is not hex"))?;
        let private = self.private()?;
        let mut key = [0u8; 32];
        agreement::agree(
            &private,
            UnparsedPublicKey::new(&X25519, &peer),
            bad_key("the other side's key is not an X25519 public key"),
            |shared| {
                // bound to the workstation: one pair of keys, one key per post
                let salt = aws_lc_rs::hkdf::Salt::new(aws_lc_rs::hkdf::HKDF_SHA256, workstation.as_bytes());
                salt.extract(shared)
                    .expand(&[BUNDLE_FORMAT.as_bytes()], aws_lc_rs::hkdf::HKDF_SHA256)
                    .and_then(|okm| okm.fill(&mut key))
                    .map_err(|_| bad_key("key derivation failed"))
            },
        )?;
        Ok(BundleKey(key))
    }
}

/// The symmetric key a post and the registry seal its bundles with.
#[derive(Clone, PartialEq, Eq)]
pub struct BundleKey([u8; 32]);

impl std::fmt::Debug for BundleKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BundleKey(…)")
    }
}

impl BundleKey {
    fn aead(&self) -> Result<LessSafeKey, BundleError> {
        UnboundKey::new(&CHACHA20_POLY1305, &self.0)
            .map(LessSafeKey::new)
            .map_err(|_| bad_key("not a ChaCha20-Poly1305 key"))
    }
}

/// The header fields under the seal with the body, each length-prefixed
/// so that no two headers read alike.
fn associated_data(kind: BundleKind, workstation: Uuid, made_at: DateTime<Utc>) -> Vec<u8> {
    let kind = match kind {
        BundleKind::Ops => "ops",
        BundleKind::Answers => "answers",
    };
    let mut aad = Vec::new();
    for part in [
        BUNDLE_FORMAT,
        kind,
        &workstation.to_string(),
        &made_at.to_rfc3339(),
    ] {
        aad.extend_from_slice(&(part.len() as u64).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
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
    key: &BundleKey,
) -> Result<Vec<u8>, BundleError> {
    let malformed = |error: &dyn std::fmt::Display| BundleError::Malformed(error.to_string());
    let json = serde_json::to_vec(body).map_err(|e| malformed(&e))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut sealed = encoder
        .write_all(&json)
        .and_then(|()| encoder.finish())
        .map_err(|e| malformed(&e))?;
    let mut nonce = [0u8; NONCE_LEN];
    aws_lc_rs::rand::fill(&mut nonce).map_err(|_| bad_key("no randomness"))?;
    key.aead()?
        .seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(associated_data(kind, workstation, made_at)),
            &mut sealed,
        )
        .map_err(|_| BundleError::BadSeal)?;
    let file = SealedFile {
        format: BUNDLE_FORMAT.to_owned(),
        kind,
        workstation,
        made_at,
        nonce: to_hex(&nonce),
        sealed: BASE64.encode(&sealed),
    };
    serde_json::to_vec(&file).map_err(|e| malformed(&e))
}

impl SealedFile {
    /// Reads a file's header; nothing in it is trusted until [`SealedFile::open`].
    pub fn read(bytes: &[u8]) -> Result<SealedFile, BundleError> {
        // base64 of at most the largest body, and a header
        if bytes.len() as u64 > MAX_BUNDLE_BYTES / 3 * 4 + 4096 {
            return Err(BundleError::TooLarge);
        }
        let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|_| BundleError::NotABundle)?;
        match value.get("format").and_then(|format| format.as_str()) {
            Some(BUNDLE_FORMAT) => {}
            Some(other) => return Err(BundleError::UnknownFormat(other.to_owned())),
            None => return Err(BundleError::NotABundle),
        }
        serde_json::from_value(value).map_err(|error| BundleError::Malformed(error.to_string()))
    }

    /// Checks the seal with `key`, then decrypts, decompresses (within
    /// [`MAX_BUNDLE_BYTES`]) and reads the body, of the `expected` kind.
    pub fn open<T: DeserializeOwned>(&self, expected: BundleKind, key: &BundleKey) -> Result<T, BundleError> {
        if self.kind != expected {
            return Err(BundleError::WrongKind {
                expected,
                found: self.kind,
            });
        }
        let nonce = from_hex(&self.nonce)
            .and_then(|nonce| Nonce::try_assume_unique_for_key(&nonce).ok())
            .ok_or(BundleError::BadSeal)?;
        let mut sealed = BASE64.decode(&self.sealed).map_err(|_| BundleError::BadSeal)?;
        let compressed = key
            .aead()?
            .open_in_place(
                nonce,
                Aad::from(associated_data(self.kind, self.workstation, self.made_at)),
                &mut sealed,
            )
            .map_err(|_| BundleError::BadSeal)?;
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .take(MAX_BUNDLE_BYTES + 1)
            .read_to_end(&mut json)
            .map_err(|error| BundleError::Malformed(error.to_string()))?;
        if json.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        serde_json::from_slice(&json).map_err(|error| BundleError::Malformed(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A post's and the registry's key pairs, and the key each side agrees.
    fn keys(workstation: Uuid) -> Result<(BundleKey, BundleKey), BundleError> {
        let (post, registry) = (BundleSecret::generate()?, BundleSecret::generate()?);
        let at_post = post.key_with(&registry.public_hex()?, workstation)?;
        let at_registry = registry.key_with(&post.public_hex()?, workstation)?;
        Ok((at_post, at_registry))
    }

    fn bundle() -> OpsBundle {
        OpsBundle {
            ops: Vec::new(),
            cursor: Some("42:7 Әлібеков".into()),
            audit: None,
        }
    }

    #[test]
    fn both_sides_agree_one_key_per_post_and_the_file_opens_only_with_it() -> Result<(), BundleError> {
        let workstation = Uuid::now_v7();
        let (at_post, at_registry) = keys(workstation)?;
        assert_eq!(at_post, at_registry);
        let bytes = seal(BundleKind::Ops, workstation, Utc::now(), &bundle(), &at_post)?;
        let file = SealedFile::read(&bytes)?;
        assert_eq!(file.workstation, workstation);
        assert_eq!(file.open::<OpsBundle>(BundleKind::Ops, &at_registry)?, bundle());
        let (stranger, _) = keys(workstation)?;
        assert_eq!(
            file.open::<OpsBundle>(BundleKind::Ops, &stranger),
            Err(BundleError::BadSeal)
        );
        assert!(matches!(
            file.open::<AnswersBundle>(BundleKind::Answers, &at_post),
            Err(BundleError::WrongKind { .. })
        ));
        // the same pairs agree another key for another post
        let secret = BundleSecret::generate()?;
        let public = BundleSecret::generate()?.public_hex()?;
        assert_ne!(
            secret.key_with(&public, Uuid::now_v7())?,
            secret.key_with(&public, Uuid::now_v7())?
        );
        Ok(())
    }

    #[test]
    fn a_file_read_on_the_way_shows_nothing_of_its_body() -> Result<(), BundleError> {
        let workstation = Uuid::now_v7();
        let (key, _) = keys(workstation)?;
        let bytes = seal(BundleKind::Ops, workstation, Utc::now(), &bundle(), &key)?;
        for text in ["42:7", "Әлібеков", "cursor"] {
            assert!(
                !bytes.windows(text.len()).any(|w| w == text.as_bytes()),
                "the file shows {text}"
            );
        }
        // two files of the same body differ (a nonce each)
        assert_ne!(
            bytes,
            seal(BundleKind::Ops, workstation, Utc::now(), &bundle(), &key)?
        );
        Ok(())
    }

    #[test]
    fn a_bundle_changed_on_the_way_is_refused_whole() -> Result<(), BundleError> {
        let workstation = Uuid::now_v7();
        let (key, _) = keys(workstation)?;
        let bytes = seal(BundleKind::Ops, workstation, Utc::now(), &bundle(), &key)?;
        let mut file = SealedFile::read(&bytes)?;
        let mut sealed = BASE64.decode(&file.sealed).map_err(|_| BundleError::BadSeal)?;
        sealed[3] ^= 1;
        file.sealed = BASE64.encode(&sealed);
        assert_eq!(
            file.open::<OpsBundle>(BundleKind::Ops, &key),
            Err(BundleError::BadSeal)
        );
        let mut file = SealedFile::read(&bytes)?;
        file.made_at -= chrono::Duration::days(30);
        assert_eq!(
            file.open::<OpsBundle>(BundleKind::Ops, &key),
            Err(BundleError::BadSeal)
        );
        Ok(())
    }

    #[test]
    fn keys_go_to_hex_and_back_and_never_show() -> Result<(), BundleError> {
        let secret = BundleSecret::generate()?;
        assert_eq!(BundleSecret::from_hex(&secret.to_hex())?, secret);
        assert_eq!(format!("{secret:?}"), "BundleSecret(…)");
        assert!(matches!(
            BundleSecret::from_hex("abc"),
            Err(BundleError::BadKey(_))
        ));
        assert!(matches!(
            secret.key_with("00", Uuid::now_v7()),
            Err(BundleError::BadKey(_))
        ));
        Ok(())
    }

    #[test]
    fn other_files_are_named_for_what_they_are() {
        assert_eq!(SealedFile::read(b"%PDF-1.7"), Err(BundleError::NotABundle));
        assert_eq!(
            SealedFile::read(br#"{"format":"emhana-bundle/9"}"#),
            Err(BundleError::UnknownFormat("emhana-bundle/9".into()))
        );
    }
}
