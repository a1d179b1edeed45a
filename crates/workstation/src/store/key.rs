//! The key the workstation's file is encrypted with (SQLCipher): 32 random
//! bytes, used as a raw key so that opening a connection costs no key
//! derivation. The shell keeps it in the OS keyring; it never touches the
//! disk in clear, and it is never printed (its `Debug` says nothing).

use std::fmt;
use std::path::Path;

/// A database key. Made by [`DatabaseKey::generate`] once per database.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseKey([u8; 32]);

/// Why a stored key could not be read back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a database key is 64 hexadecimal digits; the one stored has {0} characters or a non-hex digit")]
    Malformed(usize),
    #[error("the system's random source failed: {0}")]
    NoRandomness(String),
}

impl DatabaseKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, KeyError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| KeyError::NoRandomness(e.to_string()))?;
        Ok(DatabaseKey(bytes))
    }

    /// The key as it is kept in the keyring.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(text: &str) -> Result<Self, KeyError> {
        let text = text.trim();
        let malformed = || KeyError::Malformed(text.chars().count());
        if text.len() != 64 || !text.is_ascii() {
            return Err(malformed());
        }
        let mut bytes = [0u8; 32];
        for (byte, pair) in bytes.iter_mut().zip(text.as_bytes().chunks(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| malformed())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| malformed())?;
        }
        Ok(DatabaseKey(bytes))
    }

    /// The value of `PRAGMA key` (and of an ATTACH's KEY) for this raw key.
    pub(crate) fn pragma_value(&self) -> String {
        format!("\"x'{}'\"", self.to_hex())
    }
}

impl fmt::Debug for DatabaseKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DatabaseKey(…)")
    }
}

/// The name the keyring keeps a database's key under: one per database file.
pub fn keyring_account(database: &Path) -> String {
    format!("database:{}", database.display())
}

/// Whether the file at `path` is there and not a SQLite file in clear: an
/// encrypted database (or no database at all) that a new key cannot open.
pub fn is_encrypted_file(path: &Path) -> bool {
    file_kind(path).is_ok_and(|kind| kind == FileKind::Opaque)
}

/// What the first bytes of a file say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileKind {
    /// No file, or an empty one: a new database.
    Absent,
    /// A SQLite file in clear (its header is readable).
    Plain,
    /// Anything else: encrypted (or not a database at all).
    Opaque,
}

pub(crate) fn file_kind(path: &Path) -> std::io::Result<FileKind> {
    use std::io::Read;
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileKind::Absent),
        Err(e) => return Err(e),
    };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..])? {
            0 => break,
            n => read += n,
        }
    }
    Ok(match read {
        0 => FileKind::Absent,
        _ if &header[..read] == b"SQLite format 3\0" => FileKind::Plain,
        _ => FileKind::Opaque,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_goes_to_hex_and_back_and_never_shows() -> Result<(), KeyError> {
        let key = DatabaseKey::generate()?;
        assert_eq!(DatabaseKey::from_hex(&key.to_hex())?, key);
        assert_eq!(format!("{key:?}"), "DatabaseKey(…)");
        assert_ne!(DatabaseKey::generate()?, key);
        Ok(())
    }

    #[test]
    fn a_damaged_stored_key_is_refused() {
        assert_eq!(DatabaseKey::from_hex("abc"), Err(KeyError::Malformed(3)));
        let not_hex = "zz".repeat(32);
        assert_eq!(DatabaseKey::from_hex(&not_hex), Err(KeyError::Malformed(64)));
        let cyrillic = "ж".repeat(32);
        assert!(DatabaseKey::from_hex(&cyrillic).is_err());
    }
}
