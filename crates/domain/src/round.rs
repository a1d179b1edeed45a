//! A nurse's round (обход): the day's visits ordered into a route and given
//! estimated times (DOMAIN.md §5–6).

use chrono::{NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// Where a visit of the round is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    /// Latitude and longitude, when the address has them.
    pub coordinates: Option<(f64, f64)>,
    pub settlement: String,
    pub street: String,
    pub house: String,
}

/// The number a house is ordered by: "12/2" and "12А" come after "12", before "13".
fn house_key(house: &str) -> (u32, String) {
    let digits: String = house.chars().take_while(char::is_ascii_digit).collect();
    (
        digits.parse().unwrap_or(u32::MAX),
        house[digits.len()..].to_owned(),
    )
}

/// Orders stops into a route: those with coordinates by nearest neighbour
/// from `start` (or the first of them), then the rest by settlement, street
/// and house number, so neighbours follow each other. Returns indexes into `stops`.
pub fn order_route(stops: &[Stop], start: Option<(f64, f64)>) -> Vec<usize> {
    let mut located: Vec<usize> = (0..stops.len())
        .filter(|&i| stops[i].coordinates.is_some())
        .collect();
    let mut route = Vec::with_capacity(stops.len());
    let mut here = start.or_else(|| located.first().and_then(|&i| stops[i].coordinates));
    while let Some(position) = here {
        let distance = |i: usize| {
            stops[i].coordinates.map_or(f64::MAX, |(lat, lon)| {
                (lat - position.0).powi(2) + (lon - position.1).powi(2)
            })
        };
        let nearest = located
            .iter()
            .enumerate()
            .min_by(|a, b| distance(*a.1).total_cmp(&distance(*b.1)));
        let Some((slot, &index)) = nearest else { break };
        located.swap_remove(slot);
        route.push(index);
        here = stops[index].coordinates;
    }
    let mut rest: Vec<usize> = (0..stops.len())
        .filter(|&i| stops[i].coordinates.is_none())
        .collect();
    rest.sort_by(|&a, &b| {
        let key = |i: usize| {
            (
                stops[i].settlement.clone(),
                stops[i].street.clone(),
                house_key(&stops[i].house),
            )
        };
        key(a).cmp(&key(b))
    });
    route.extend(rest);
    route
}

/// How a round's times are estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundPace {
    pub starts: NaiveTime,
    pub visit_minutes: u32,
    /// Walking or driving between two addresses.
    pub travel_minutes: u32,
}

impl Default for RoundPace {
    /// A district nurse's afternoon: from 13:00, 30 minutes a visit, 15 between.
    fn default() -> Self {
        RoundPace {
            starts: NaiveTime::from_hms_opt(13, 0, 0).unwrap_or(NaiveTime::MIN),
            visit_minutes: 30,
            travel_minutes: 15,
        }
    }
}

/// The estimated arrival at each of `count` visits in route order. A day
/// longer than the clock stays at 23:59 rather than wrapping to the morning.
pub fn estimated_times(count: usize, pace: RoundPace) -> Vec<NaiveTime> {
    let step = TimeDelta::minutes(i64::from(pace.visit_minutes + pace.travel_minutes));
    let last = NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN);
    (0..count)
        .scan(pace.starts, |at, _| {
            let this = *at;
            let (next, wrapped) = at.overflowing_add_signed(step);
            *at = if wrapped != 0 { last } else { next };
            Some(this)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop(street: &str, house: &str, coordinates: Option<(f64, f64)>) -> Stop {
        Stop {
            coordinates,
            settlement: "Астана".into(),
            street: street.into(),
            house: house.into(),
        }
    }

    #[test]
    fn addresses_without_coordinates_go_by_street_and_house_number() {
        let stops = [
            stop("Абай даңғылы", "12", None),
            stop("Абай даңғылы", "3", None),
            stop("Кенесары көшесі", "1", None),
            stop("Абай даңғылы", "12А", None),
        ];
        assert_eq!(order_route(&stops, None), vec![1, 0, 3, 2]);
    }

    #[test]
    fn coordinates_go_nearest_first_then_the_rest_by_street() {
        let stops = [
            stop("Х", "1", Some((51.20, 71.50))),
            stop("Абай даңғылы", "3", None),
            stop("Х", "2", Some((51.10, 71.40))),
            stop("Х", "3", Some((51.12, 71.41))),
        ];
        assert_eq!(order_route(&stops, Some((51.09, 71.39))), vec![2, 3, 0, 1]);
    }

    #[test]
    fn times_step_by_visit_and_travel() {
        let times = estimated_times(3, RoundPace::default());
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN);
        assert_eq!(times, vec![at(13, 0), at(13, 45), at(14, 30)]);
        let long = estimated_times(20, RoundPace::default());
        assert_eq!(long.last().copied(), Some(at(23, 59)), "no wrap past midnight");
        assert!(long.windows(2).all(|pair| pair[0] <= pair[1]));
    }
}
