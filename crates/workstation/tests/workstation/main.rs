//! The workstation against a real SQLite file in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly, which is its job

mod appointments;
mod at_rest;
mod attachment;
mod audit;
mod card;
mod fixture;
mod home_visits;
mod open;
mod search;
