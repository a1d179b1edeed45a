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
