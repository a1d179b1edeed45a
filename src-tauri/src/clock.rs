//! The app's clock. A registrar's "today" comes from here, never straight
//! from the system, so a training session or an end-to-end test can set the
//! day: `EMHANA_NOW=2026-10-01T10:30:00+05:00` fixes the instant.

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// `EMHANA_NOW` when set and valid (RFC 3339), else the system clock.
    pub fn from_env() -> Clock {
        match std::env::var("EMHANA_NOW") {
            Ok(text) => match DateTime::parse_from_rfc3339(text.trim()) {
                Ok(instant) => {
                    tracing::warn!(%instant, "the clock is fixed by EMHANA_NOW");
                    Clock::Fixed(instant.with_timezone(&Utc))
                }
                Err(error) => {
                    tracing::error!(%text, %error, "EMHANA_NOW is not an RFC 3339 instant; using the system clock");
                    Clock::System
                }
            },
            Err(_) => Clock::System,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(instant) => *instant,
        }
    }

    pub fn today(&self) -> chrono::NaiveDate {
        emhana_domain::kazakhstan_date(self.now())
    }
}
