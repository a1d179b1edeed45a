//! Staff accounts as the registry hands them to a clinic's PCs, so that a
//! member of staff signs in at any of them, offline too (a post's link is
//! down for days). A PC holds the password's argon2id hash, never the
//! password; the hash's parameters travel in it (a PHC string), and one
//! weaker than [`PasswordHash::new`] makes is refused wherever it arrives.

use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One member of staff's account: the IIN they sign in with (their staff
/// entry's), the hash of their password, and whether it is disabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Account {
    pub iin: String,
    pub password_hash: PasswordHash,
    /// A disabled account signs in nowhere, from the PC's next sync on.
    pub disabled: bool,
    /// When the password or the disabling was last set.
    pub changed_at: DateTime<Utc>,
}

/// Memory of one hash, in KiB (OWASP's argon2id minimum, 19 MiB).
const MEMORY_KIB: u32 = 19 * 1024;
/// Passes over the memory.
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// An argon2id hash of a password, as a PHC string
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct PasswordHash(String);

/// Why a text is not a password hash this protocol takes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordHashError {
    #[error("not a PHC hash string")]
    Unreadable,
    #[error("the hash is not argon2id version 19")]
    NotArgon2id,
    #[error("the hash's parameters are weaker than m={MEMORY_KIB},t={ITERATIONS}")]
    TooWeak,
    #[error("the password could not be hashed: {0}")]
    Hashing(String),
}

impl PasswordHash {
    /// Hashes `password` with a fresh random salt.
    pub fn new(password: &str) -> Result<PasswordHash, PasswordHashError> {
        let salt = SaltString::generate(&mut OsRng);
        let hash = hasher()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|error| PasswordHashError::Hashing(error.to_string()))?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// Reads a hash that came from elsewhere: argon2id, version 19, and no
    /// weaker than this side would make.
    pub fn parse(text: &str) -> Result<PasswordHash, PasswordHashError> {
        let parsed =
            argon2::password_hash::PasswordHash::new(text).map_err(|_| PasswordHashError::Unreadable)?;
        if parsed.algorithm != argon2::Algorithm::Argon2id.ident() || parsed.version != Some(0x13) {
            return Err(PasswordHashError::NotArgon2id);
        }
        let params = argon2::Params::try_from(&parsed).map_err(|_| PasswordHashError::Unreadable)?;
        if params.m_cost() < MEMORY_KIB || params.t_cost() < ITERATIONS || parsed.hash.is_none() {
            return Err(PasswordHashError::TooWeak);
        }
        Ok(PasswordHash(text.to_owned()))
    }

    /// Whether `password` is the one hashed. Takes the time the hash's
    /// parameters ask for (tens of milliseconds), whatever the answer.
    pub fn verify(&self, password: &str) -> bool {
        match argon2::password_hash::PasswordHash::new(&self.0) {
            Ok(parsed) => hasher().verify_password(password.as_bytes(), &parsed).is_ok(),
            Err(_) => false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn hasher() -> argon2::Argon2<'static> {
    let params = argon2::Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
}

// The hash is not a secret one shows: logs and debug output say only that one is there.
impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

impl TryFrom<String> for PasswordHash {
    type Error = PasswordHashError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        PasswordHash::parse(&text)
    }
}

impl From<PasswordHash> for String {
    fn from(hash: PasswordHash) -> String {
        hash.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_and_no_other() {
        let hash = PasswordHash::new("correct horse").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hash.verify("correct horse"));
        assert!(!hash.verify("correct horse "));
        assert!(!hash.verify(""));
        // salted: the same password never hashes alike twice
        assert_ne!(PasswordHash::new("correct horse").unwrap(), hash);
        assert_eq!(PasswordHash::parse(hash.as_str()).unwrap(), hash);
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
    }

    #[test]
    fn a_hash_from_elsewhere_is_argon2id_and_no_weaker_than_ours() {
        let weak = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$2ZoXRzDrW1g6GVE9HVPAsQ";
        assert_eq!(PasswordHash::parse(weak), Err(PasswordHashError::TooWeak));
        let argon2i = "$argon2i$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$2ZoXRzDrW1g6GVE9HVPAsQ";
        assert_eq!(PasswordHash::parse(argon2i), Err(PasswordHashError::NotArgon2id));
        assert_eq!(PasswordHash::parse("hunter2"), Err(PasswordHashError::Unreadable));
        let no_hash = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ";
        assert_eq!(PasswordHash::parse(no_hash), Err(PasswordHashError::TooWeak));
        let json = serde_json::to_string(&serde_json::json!({ "h": weak })).unwrap();
        #[derive(Deserialize)]
        struct Holder {
            #[allow(dead_code)]
            h: PasswordHash,
        }
        assert!(serde_json::from_str::<Holder>(&json).is_err());
    }
}
