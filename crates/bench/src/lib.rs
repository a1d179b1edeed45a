//! Emhana's bench binaries and the statistics they report (medians, p99 over
//! many runs, as `docs/benchmarks.md` records them). Their own crate, so the
//! desktop app never compiles what they need: a registry served for them,
//! PostgreSQL, argument parsing.

pub mod stats;
