//! The workstation against a real SQLite file in a temporary folder.

mod card;
mod fixture;
mod open;
mod search;
