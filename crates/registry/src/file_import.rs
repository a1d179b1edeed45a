//! What the registry's file imports share (the organization's staff and
//! coverage, the Fund's payments): CSV read by the header's column names,
//! every problem named with its line, and nothing written when one is found.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::RegistryError;

/// What is wrong with one entry of a change: its line in the file (or the
/// command's argument), a stable code and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line of the CSV file (the header is line 1); none for a command.
    pub line: Option<u64>,
    pub code: &'static str,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// Nothing was written.
    #[error("{} problem(s), nothing written:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Refused(Vec<Problem>),
    #[error(transparent)]
    Registry(#[from] RegistryError),
}

impl From<sqlx::Error> for SetupError {
    fn from(error: sqlx::Error) -> Self {
        SetupError::Registry(error.into())
    }
}

impl SetupError {
    pub(crate) fn one(code: &'static str, reason: impl Into<String>) -> Self {
        SetupError::Refused(vec![Problem {
            line: None,
            code,
            reason: reason.into(),
        }])
    }
}

/// One line of a file, by column name.
pub(crate) struct Line {
    pub number: u64,
    fields: HashMap<String, String>,
}

impl Line {
    pub fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }
}

pub(crate) fn problem(line: u64, code: &'static str, reason: impl Into<String>) -> Problem {
    Problem {
        line: Some(line),
        code,
        reason: reason.into(),
    }
}

/// Reads the file's lines; a file that is not CSV, or lacks a required
/// column, is refused as a whole.
pub(crate) fn read_lines(bytes: &[u8], required: &[&str], known: &[&str]) -> Result<Vec<Line>, SetupError> {
    let bytes = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first_line.contains(&b';') && !first_line.contains(&b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|error| SetupError::one("not_csv", format!("the header cannot be read: {error}")))?
        .iter()
        .map(|h| h.trim().to_lowercase())
        .collect();
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|column| !headers.iter().any(|h| h == column))
        .collect();
    if !missing.is_empty() {
        return Err(SetupError::one(
            "missing_column",
            format!("line 1: the header lacks {}", missing.join(", ")),
        ));
    }
    if let Some(unknown) = headers.iter().find(|h| !known.contains(&h.as_str())) {
        return Err(SetupError::one(
            "unknown_column",
            format!("line 1: unknown column {unknown:?} (known: {})", known.join(", ")),
        ));
    }
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let number = record.position().map_or(0, |p| p.line());
                if record.iter().all(|field| field.trim().is_empty()) {
                    continue;
                }
                lines.push(Line {
                    number,
                    fields: headers
                        .iter()
                        .cloned()
                        .zip(record.iter().map(str::to_owned))
                        .collect(),
                });
            }
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line());
                problems.push(problem(line, "bad_line", format!("cannot be read: {error}")));
            }
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(SetupError::Refused(problems))
    }
}

/// A date as ISO (2026-09-01) or as a Russian-locale spreadsheet writes it (01.09.2026).
pub(crate) fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d.%m.%Y"))
        .ok()
}
