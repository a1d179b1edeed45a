//! A nurse's round (обход): the day's visits ordered into a route and given
//! estimated times (DOMAIN.md §5–6).

use chrono::{NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// Where a visit of the round is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
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

/// How a round's times are estimated, and the hours it must fit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct RoundPace {
    pub starts: NaiveTime,
    /// The end of the nurse's hours for home visits: the last visit is over by then.
    #[serde(default = "default_round_end")]
    pub ends: NaiveTime,
    pub visit_minutes: u32,
    /// Walking or driving between two addresses.
    pub travel_minutes: u32,
}

fn default_round_end() -> NaiveTime {
    NaiveTime::from_hms_opt(18, 0, 0).unwrap_or(NaiveTime::MIN)
}

impl Default for RoundPace {
    /// A district nurse's afternoon: 13:00 to 18:00, 30 minutes a visit, 15 between.
    fn default() -> Self {
        RoundPace {
            starts: NaiveTime::from_hms_opt(13, 0, 0).unwrap_or(NaiveTime::MIN),
            ends: default_round_end(),
            visit_minutes: 30,
            travel_minutes: 15,
        }
    }
}

impl RoundPace {
    /// How many stops fit between `starts` and `ends`, each visit over by `ends`.
    pub fn stops_per_day(self) -> usize {
        let hours = (self.ends - self.starts).num_minutes() - i64::from(self.visit_minutes);
        let step = i64::from(self.visit_minutes + self.travel_minutes).max(1);
        if hours < 0 {
            0
        } else {
            usize::try_from(hours / step + 1).unwrap_or(0)
        }
    }
}

/// One thing a nurse has to do at a person's home on a day: a call sent to
/// her, or a plan visit due or overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct DayItem<K> {
    pub key: K,
    pub person_id: i64,
    pub at: Stop,
    pub kind: DayItemKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DayItemKind {
    /// A call: served today, before any visit, the most urgent first.
    Call {
        urgency: CallUrgency,
        received_at: chrono::NaiveDateTime,
    },
    /// A plan visit whose window closes on `due_to` (overdue when past).
    Visit { due_to: chrono::NaiveDate },
}

/// How urgent a call is for the nurse's order: a child under 5 or a pregnant
/// woman (served at home on any deterioration, seed 000) first, then the
/// higher temperature.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CallUrgency {
    pub always_at_home: bool,
    pub temperature: Option<f64>,
}

impl CallUrgency {
    /// A key that sorts the most urgent first.
    fn rank(self) -> (bool, i64) {
        let tenths = self.temperature.map_or(0, |t| (t * 10.0).round() as i64);
        (!self.always_at_home, -tenths)
    }
}

/// A stop of the day: one person, every item due at their home.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStop {
    /// Indexes into the items, the calls first, then the visits by due date.
    pub items: Vec<usize>,
}

/// A nurse's day: the stops that fit her hours, in order, and what did not
/// fit, spread over the next working days.
#[derive(Debug, Clone, PartialEq)]
pub struct DayPlan {
    pub today: Vec<PlannedStop>,
    /// (day, stops) for each of the next working days that gets any.
    pub later: Vec<(chrono::NaiveDate, Vec<PlannedStop>)>,
    /// Stops waiting beyond the last of those days (said, never dropped in silence).
    pub beyond: usize,
}

/// Plans a nurse's day (DOMAIN.md §4–6): a person appears once however many
/// of their visits are due, with every item on one stop; calls go first, the
/// most urgent and then the earliest received; then the stops she placed
/// herself, in her order; then the visits that still fit her hours, chosen
/// most overdue first and walked in route order. Visits that do not fit are
/// listed for `next_days` (working days, in order), each as full as her hours
/// allow; calls are never put off. `placed` is her saved order of item keys.
pub fn plan_day<K: Copy + Eq + std::hash::Hash>(
    items: &[DayItem<K>],
    placed: &[K],
    pace: RoundPace,
    next_days: &[chrono::NaiveDate],
) -> DayPlan {
    use std::collections::HashMap;
    let position: HashMap<K, usize> = placed.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    // One stop per person, in the order persons first appear.
    let mut by_person: HashMap<i64, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let group = *by_person.entry(item.person_id).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[group].push(index);
    }
    let call_of = |i: usize| match items[i].kind {
        DayItemKind::Call { urgency, received_at } => Some((urgency.rank(), received_at)),
        DayItemKind::Visit { .. } => None,
    };
    let due_of = |i: usize| match items[i].kind {
        DayItemKind::Visit { due_to } => Some(due_to),
        DayItemKind::Call { .. } => None,
    };
    for group in &mut groups {
        group.sort_by_key(|&i| (call_of(i).is_none(), call_of(i), due_of(i)));
    }
    let is_call = |g: &[usize]| g.iter().any(|&i| call_of(i).is_some());
    let placed_at = |g: &[usize]| {
        g.iter()
            .filter_map(|i| position.get(&items[*i].key))
            .min()
            .copied()
    };
    let earliest_due = |g: &[usize]| g.iter().filter_map(|&i| due_of(i)).min();

    let (mut placed_groups, unplaced): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
        groups.into_iter().partition(|g| placed_at(g).is_some());
    placed_groups.sort_by_key(|g| placed_at(g));
    let (mut calls, mut visits): (Vec<Vec<usize>>, Vec<Vec<usize>>) =
        unplaced.into_iter().partition(|g| is_call(g));
    calls.sort_by_key(|g| call_of(g[0]));
    visits.sort_by_key(|g| (earliest_due(g), g[0]));

    let capacity = pace.stops_per_day();
    let mut today: Vec<Vec<usize>> = calls;
    let mut put_off: Vec<Vec<usize>> = Vec::new();
    for group in placed_groups {
        if is_call(&group) || today.len() < capacity {
            today.push(group);
        } else {
            put_off.push(group);
        }
    }
    let room = capacity.saturating_sub(today.len()).min(visits.len());
    let rest = visits.split_off(room);
    let stops: Vec<Stop> = visits.iter().map(|g| items[g[0]].at.clone()).collect();
    let mut route: Vec<Option<Vec<usize>>> = visits.into_iter().map(Some).collect();
    today.extend(
        order_route(&stops, None)
            .into_iter()
            .filter_map(|k| route[k].take()),
    );
    put_off.extend(rest);
    put_off.sort_by_key(|g| (earliest_due(g), g[0]));

    let mut later = Vec::new();
    let mut waiting = put_off.into_iter().peekable();
    for day in next_days {
        if waiting.peek().is_none() || capacity == 0 {
            break;
        }
        let stops: Vec<PlannedStop> = waiting
            .by_ref()
            .take(capacity)
            .map(|items| PlannedStop { items })
            .collect();
        later.push((*day, stops));
    }
    DayPlan {
        today: today.into_iter().map(|items| PlannedStop { items }).collect(),
        later,
        beyond: waiting.count(),
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

    fn day(d: u32) -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
    }

    fn visit(key: u32, person: i64, house: &str, due_to: u32) -> DayItem<u32> {
        DayItem {
            key,
            person_id: person,
            at: stop("Абай даңғылы", house, None),
            kind: DayItemKind::Visit { due_to: day(due_to) },
        }
    }

    fn call(key: u32, person: i64, house: &str, at: (u32, u32), urgency: CallUrgency) -> DayItem<u32> {
        DayItem {
            key,
            person_id: person,
            at: stop("Абай даңғылы", house, None),
            kind: DayItemKind::Call {
                urgency,
                received_at: day(1).and_hms_opt(at.0, at.1, 0).unwrap(),
            },
        }
    }

    const PLAIN: CallUrgency = CallUrgency {
        always_at_home: false,
        temperature: None,
    };

    fn keys(items: &[DayItem<u32>], stops: &[PlannedStop]) -> Vec<Vec<u32>> {
        stops
            .iter()
            .map(|s| s.items.iter().map(|&i| items[i].key).collect())
            .collect()
    }

    #[test]
    fn the_default_afternoon_holds_seven_stops() {
        // 13:00, 13:45, … 17:30: the last visit is over at 18:00.
        assert_eq!(RoundPace::default().stops_per_day(), 7);
        let short = RoundPace {
            ends: NaiveTime::from_hms_opt(13, 20, 0).unwrap(),
            ..RoundPace::default()
        };
        assert_eq!(short.stops_per_day(), 0, "no visit fits in 20 minutes");
        let times = estimated_times(7, RoundPace::default());
        assert_eq!(times.last().copied(), NaiveTime::from_hms_opt(17, 30, 0));
    }

    #[test]
    fn a_person_is_one_stop_however_many_visits_are_due() {
        let items = [
            visit(1, 7, "3", 5),
            visit(2, 8, "9", 4),
            visit(3, 7, "3", 2),
            visit(4, 7, "3", 9),
        ];
        let plan = plan_day(&items, &[], RoundPace::default(), &[]);
        assert_eq!(keys(&items, &plan.today), vec![vec![3, 1, 4], vec![2]]);
    }

    #[test]
    fn calls_go_first_the_child_or_pregnant_then_the_hotter_then_the_earlier() {
        let child = CallUrgency {
            always_at_home: true,
            temperature: Some(37.2),
        };
        let fever = CallUrgency {
            always_at_home: false,
            temperature: Some(37.9),
        };
        let items = [
            visit(1, 1, "1", 5),
            call(2, 2, "50", (9, 0), PLAIN),
            call(3, 3, "40", (10, 30), fever),
            call(4, 4, "30", (11, 45), child),
            call(5, 5, "20", (8, 15), PLAIN),
            // the morning's call for a person with a visit due: one stop, the call first
            call(6, 1, "1", (9, 30), PLAIN),
        ];
        let plan = plan_day(&items, &[], RoundPace::default(), &[]);
        assert_eq!(
            keys(&items, &plan.today),
            vec![vec![4], vec![3], vec![5], vec![2], vec![6, 1]]
        );
    }

    #[test]
    fn her_own_order_is_kept_and_a_new_call_goes_before_it() {
        let items = [
            visit(1, 1, "1", 5),
            visit(2, 2, "2", 5),
            visit(3, 3, "3", 5),
            call(4, 4, "9", (12, 0), PLAIN),
        ];
        let plan = plan_day(&items, &[3, 1], RoundPace::default(), &[]);
        assert_eq!(
            keys(&items, &plan.today),
            vec![vec![4], vec![3], vec![1], vec![2]]
        );
    }

    #[test]
    fn what_does_not_fit_her_hours_goes_to_the_next_working_days_most_overdue_first() {
        // 53 days without outcomes: 20 persons with a visit each, due on different days.
        let items: Vec<DayItem<u32>> = (0..20)
            .map(|k| visit(k, i64::from(k), &(20 - k).to_string(), 1 + (k * 7) % 20))
            .collect();
        let plan = plan_day(&items, &[], RoundPace::default(), &[day(2), day(5), day(6)]);
        assert_eq!(plan.today.len(), 7);
        let due = |s: &PlannedStop| match items[s.items[0]].kind {
            DayItemKind::Visit { due_to } => due_to,
            DayItemKind::Call { .. } => unreachable!(),
        };
        let latest_today = plan.today.iter().map(due).max().unwrap();
        let earliest_later = plan
            .later
            .iter()
            .flat_map(|(_, s)| s.iter().map(due))
            .min()
            .unwrap();
        assert!(
            latest_today <= earliest_later,
            "the most overdue are walked today"
        );
        // and walked in route order: by house number here
        let houses: Vec<u32> = plan
            .today
            .iter()
            .map(|s| items[s.items[0]].at.house.parse().unwrap())
            .collect();
        assert!(houses.windows(2).all(|w| w[0] < w[1]), "{houses:?}");
        assert_eq!(
            plan.later.iter().map(|(d, s)| (*d, s.len())).collect::<Vec<_>>(),
            vec![(day(2), 7), (day(5), 6)]
        );
        assert_eq!(plan.beyond, 0);
        let one_day = plan_day(&items, &[], RoundPace::default(), &[day(2)]);
        assert_eq!(one_day.beyond, 6, "what no listed day holds is counted");
    }

    #[test]
    fn calls_are_never_put_off_even_past_her_hours() {
        let items: Vec<DayItem<u32>> = (0..9)
            .map(|k| call(k, i64::from(k), "1", (9, k), PLAIN))
            .collect();
        let plan = plan_day(&items, &[], RoundPace::default(), &[day(2)]);
        assert_eq!(plan.today.len(), 9);
        assert!(plan.later.is_empty());
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
