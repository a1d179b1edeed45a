//! A hybrid logical clock stamp: orders one workstation's ops even when its
//! wall clock steps back (a feldsher's PC with a flat CMOS battery), while
//! staying close to wall time for people reading it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, never less than the previous stamp's.
    pub wall_ms: i64,
    /// Ties within one millisecond, or while the wall clock lags behind.
    pub counter: u32,
}

impl Hlc {
    /// The stamp after `previous` at wall time `now_ms`: later than
    /// `previous` whatever the wall clock says.
    pub fn next(previous: Option<Hlc>, now_ms: i64) -> Hlc {
        match previous {
            Some(previous) if previous.wall_ms >= now_ms => Hlc {
                wall_ms: previous.wall_ms,
                counter: previous.counter.saturating_add(1),
            },
            _ => Hlc {
                wall_ms: now_ms,
                counter: 0,
            },
        }
    }

    /// The local clock after seeing a stamp from elsewhere (the registry's), so
    /// the next local stamp sorts after everything seen.
    pub fn observe(local: Option<Hlc>, remote: Hlc, now_ms: i64) -> Hlc {
        let latest = local.map_or(remote, |local| local.max(remote));
        Hlc::next(Some(latest), now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_grow_when_the_wall_clock_steps_back_or_stands_still() {
        let first = Hlc::next(None, 1_000);
        let same_ms = Hlc::next(Some(first), 1_000);
        let clock_back = Hlc::next(Some(same_ms), 400);
        let clock_on = Hlc::next(Some(clock_back), 2_000);
        assert!(first < same_ms && same_ms < clock_back && clock_back < clock_on);
        assert_eq!(
            clock_back,
            Hlc {
                wall_ms: 1_000,
                counter: 2
            }
        );
        assert_eq!(
            clock_on,
            Hlc {
                wall_ms: 2_000,
                counter: 0
            }
        );
    }

    #[test]
    fn a_stamp_seen_from_elsewhere_orders_the_next_local_one() {
        let remote = Hlc {
            wall_ms: 5_000,
            counter: 3,
        };
        let local = Hlc::observe(Some(Hlc::next(None, 1_000)), remote, 1_500);
        assert!(local > remote);
    }
}
