//! The synthetic population is deterministic, valid and shaped like a Kazakhstan city.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test fails loudly, which is its job

use std::collections::HashSet;

use chrono::NaiveDate;
use emhana_domain::{Iin, StaffRole, age_on};
use emhana_synth::{Synth, SynthConfig, load_into};
use emhana_workstation::{HouseholdRecord, Workstation};

fn config(persons: usize) -> SynthConfig {
    SynthConfig {
        seed: 7,
        persons,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
    }
}

fn everyone(persons: usize) -> (Synth, Vec<HouseholdRecord>) {
    let mut synth = Synth::new(config(persons)).unwrap();
    let mut households = Vec::new();
    loop {
        let batch = synth.next_batch(500).unwrap();
        if batch.is_empty() {
            break;
        }
        households.extend(batch);
    }
    (synth, households)
}

#[test]
fn the_same_seed_gives_the_same_population() {
    let (_, first) = everyone(3_000);
    let (_, second) = everyone(3_000);
    let key = |h: &[HouseholdRecord]| -> Vec<(String, String)> {
        h.iter()
            .flat_map(|h| h.members.iter().map(|p| (p.iin.to_string(), p.full_name())))
            .collect()
    };
    assert_eq!(key(&first), key(&second));
    let other = Synth::new(SynthConfig {
        seed: 8,
        ..config(3_000)
    })
    .unwrap()
    .next_batch(10)
    .unwrap();
    assert_ne!(key(&first[..10]), key(&other), "another seed gives other people");
}

#[test]
fn exactly_the_asked_number_of_persons_with_valid_unique_iins_that_agree_with_their_data() {
    let (synth, households) = everyone(20_000);
    let persons: Vec<_> = households.iter().flat_map(|h| &h.members).collect();
    assert_eq!(persons.len(), 20_000);
    assert_eq!(synth.produced(), 20_000);
    let mut seen = HashSet::new();
    let staff = synth.clinics().iter().flat_map(|c| &c.staff).map(|s| s.iin);
    for iin in persons.iter().map(|p| p.iin).chain(staff) {
        assert!(seen.insert(iin), "{iin} is issued twice");
        assert_eq!(Iin::parse(&iin.to_string()), Ok(iin));
    }
    for person in &persons {
        let birth = person.iin.birth().expect("synthetic IINs carry a birth date");
        assert_eq!(
            (birth.birth_date, birth.sex),
            (person.birth_date, person.sex),
            "{}",
            person.iin
        );
    }
}

#[test]
fn the_age_pyramid_is_young_like_kazakhstans() {
    let (_, households) = everyone(20_000);
    let as_of = config(0).as_of;
    let ages: Vec<u32> = households
        .iter()
        .flat_map(|h| &h.members)
        .map(|p| age_on(p.birth_date, as_of).unwrap())
        .collect();
    let share = |range: std::ops::Range<u32>| {
        ages.iter().filter(|a| range.contains(a)).count() as f64 / ages.len() as f64
    };
    // Kazakhstan 2024: about 29% under 15, 8% aged 65 and over.
    let children = share(0..15);
    let elderly = share(65..200);
    assert!((0.22..0.36).contains(&children), "under 15: {children:.3}");
    assert!((0.05..0.15).contains(&elderly), "65 and over: {elderly:.3}");
    assert!(ages.iter().all(|&a| a <= 100));
}

#[test]
fn names_are_kazakh_and_russian_with_kazakh_letters() {
    let (_, households) = everyone(5_000);
    let names: Vec<String> = households
        .iter()
        .flat_map(|h| &h.members)
        .map(|p| p.full_name())
        .collect();
    let kazakh_letters = names
        .iter()
        .filter(|n| n.chars().any(|c| "ӘәҒғҚқҢңӨөҰұҮүҺһІі".contains(c)))
        .count();
    let russian = names
        .iter()
        .filter(|n| n.ends_with("вич") || n.ends_with("вна"))
        .count();
    assert!(
        kazakh_letters > names.len() / 3,
        "{kazakh_letters} of {} have Kazakh letters",
        names.len()
    );
    assert!(
        russian > names.len() / 10,
        "{russian} of {} have Russian patronymics",
        names.len()
    );
}

#[test]
fn every_address_lies_inside_a_district_and_every_district_has_its_staff() {
    let (synth, households) = everyone(10_000);
    let clinics = synth.clinics();
    let coverage: Vec<_> = clinics
        .iter()
        .flat_map(|c| &c.districts)
        .flat_map(|d| &d.coverage)
        .collect();
    for household in &households {
        let a = &household.address;
        let house: u32 = a.house.parse().unwrap();
        assert!(
            coverage.iter().any(|r| r.settlement == a.settlement
                && r.street == a.street
                && (r.house_from..=r.house_to).contains(&house)),
            "{a:?} is outside every district"
        );
        assert!(household.members.iter().all(|p| p.address.as_ref() == Some(a)));
    }
    for clinic in clinics {
        for district in &clinic.districts {
            let serving: Vec<StaffRole> = clinic
                .staff
                .iter()
                .filter(|s| s.district_number == Some(district.number))
                .map(|s| s.role)
                .collect();
            let staffed = serving.contains(&StaffRole::Feldsher)
                || (serving.contains(&StaffRole::DistrictDoctor)
                    && serving.contains(&StaffRole::DistrictNurse));
            assert!(staffed, "district {} has {serving:?}", district.number);
        }
        assert!(clinic.staff.iter().any(|s| s.role == StaffRole::Registrar));
    }
    assert!(clinics[0].is_home && clinics.iter().filter(|c| c.is_home).count() == 1);
    let kinds: HashSet<_> = clinics[0].districts.iter().map(|d| d.kind).collect();
    assert_eq!(
        kinds.len(),
        3,
        "therapeutic, pediatric and general practice districts"
    );
}

#[tokio::test]
async fn a_population_loads_into_a_workstation_database() {
    let dir = tempfile::tempdir().unwrap();
    let (workstation, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let mut reported = Vec::new();
    let summary = load_into(&workstation, config(5_000), |n| reported.push(n))
        .await
        .unwrap();
    assert_eq!(summary.persons, 5_000);
    assert_eq!(reported.last(), Some(&5_000));
    let status = workstation.status().await.unwrap();
    assert_eq!(status.persons, 5_000);
    assert_eq!(status.clinic.unwrap().name_ru, "Городская поликлиника №1");
}

/// Issue 14's day: the demo clinic loaded on 1 October, then 53 days in which
/// no nurse recorded an outcome (a clinic's reality). Her day on the busiest
/// district still fits her hours, each person once, the calls first; the rest
/// is listed for the next working days; the printed schedule has every stop.
#[tokio::test]
async fn the_busiest_nurse_s_day_after_a_month_without_outcomes_fits_her_hours_each_person_once() {
    use emhana_domain::round::RoundPace;
    let dir = tempfile::tempdir().unwrap();
    let (workstation, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let loaded_on = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    // as the app's first start loads it: persons, schedules and care plans
    emhana_synth::load_demo(&workstation, emhana_synth::demo_config(loaded_on))
        .await
        .unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let pace = RoundPace::default();
    let mut busiest = None;
    for nurse in workstation.nurses().await.unwrap() {
        let round = workstation.round(nurse.id, day, pace).await.unwrap();
        let waiting: usize =
            round.stops.len() + round.later.iter().map(|d| d.stops.len()).sum::<usize>() + round.beyond;
        if busiest.as_ref().is_none_or(|(_, w, _)| waiting > *w) {
            busiest = Some((nurse, waiting, round));
        }
    }
    let (nurse, waiting, round) = busiest.unwrap();
    println!(
        "district {:?}: {waiting} persons waiting, {} today, later {:?}, beyond {}",
        nurse.district_number,
        round.stops.len(),
        round
            .later
            .iter()
            .map(|d| (d.day, d.stops.len()))
            .collect::<Vec<_>>(),
        round.beyond
    );
    assert!(
        waiting > pace.stops_per_day(),
        "a month without outcomes is more than a day"
    );
    assert_eq!(
        round.stops.len(),
        pace.stops_per_day(),
        "her day is full, and no more"
    );
    let last = round.stops.last().unwrap().estimated;
    assert!(
        last + chrono::TimeDelta::minutes(i64::from(pace.visit_minutes)) <= pace.ends,
        "the last visit, at {last}, is over by {}",
        pace.ends
    );
    let mut persons = HashSet::new();
    for stop in round
        .stops
        .iter()
        .chain(round.later.iter().flat_map(|d| &d.stops))
    {
        assert!(
            persons.insert(stop.person_id),
            "{} appears twice",
            stop.person_name
        );
    }
    let most_overdue_later = round
        .later
        .iter()
        .flat_map(|d| &d.stops)
        .flat_map(|s| &s.visits)
        .count();
    assert!(most_overdue_later > 0);

    // A call for a person of her district comes first in her day.
    let someone = round.later[0].stops[0].person_id;
    let call = emhana_workstation::CallForm {
        person_id: someone,
        caller: "Мама / Мать".into(),
        caller_phone: Some("+7 701 555 44 33".into()),
        complaint: "қызуы / температура".into(),
        temperature: Some(37.8),
        indications: vec![],
        pregnant: false,
        registrar_wants_doctor: false,
        goes: None,
    };
    let now = day.and_hms_opt(4, 0, 0).unwrap().and_utc();
    // taken at the desk by a registrar, signed in with the demo's password
    let desk = emhana_synth::sign_in_as(&workstation, emhana_domain::StaffRole::Registrar, now)
        .await
        .unwrap();
    desk.register_call(&call, now).await.unwrap();
    let round = workstation.round(nurse.id, day, pace).await.unwrap();
    assert_eq!(round.stops[0].person_id, someone, "the call first");
    assert_eq!(round.stops[0].calls.len(), 1);
    assert_eq!(round.stops.iter().filter(|s| s.person_id == someone).count(), 1);

    // Printed: every stop of the day, the call's phone and temperature; kept to look at.
    let schedule = workstation.round_schedule(nurse.id, day, pace).await.unwrap();
    assert_eq!(schedule.rows.len(), round.stops.len());
    let pdf = emhana_print::Printer::new()
        .unwrap()
        .round_schedule(&schedule)
        .unwrap();
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("busiest-round.pdf");
    std::fs::write(&path, pdf).unwrap();
    let check = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .unwrap();
    assert!(check.status.success(), "qpdf --check");
    let text = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    for expected in ["+7 701 555 44 33", "37,8 °C", "Барулар / Посещений: 7"] {
        assert!(
            text.contains(expected),
            "{expected:?} not on the schedule:\n{text}"
        );
    }
    workstation.close().await;
}
