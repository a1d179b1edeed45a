//! The district a person is placed on: the choice, the household, the address; children and adults; the list norm.

use super::*;

fn houses(district_id: i64, kind: DistrictKind, from: u32, to: u32, parity: HouseParity) -> Coverage {
    Coverage {
        district_id,
        kind,
        area: CoveredArea {
            settlement: "Астана".into(),
            street: Some("Абай даңғылы".into()),
            houses: Some(HouseRange { from, to, parity }),
        },
    }
}

/// A street split by side between two districts, and a village taken whole
/// by its feldsher's district: the person lands where their house is.
#[test]
fn the_side_of_the_street_and_a_whole_village_decide_the_district() {
    let mut coverage = vec![
        houses(1, DistrictKind::Therapeutic, 1, 99, HouseParity::Odd),
        houses(2, DistrictKind::Therapeutic, 2, 98, HouseParity::Even),
    ];
    coverage.push(Coverage {
        district_id: 9,
        kind: DistrictKind::GeneralPractice,
        area: CoveredArea {
            settlement: "Қоянды".into(),
            street: None,
            houses: None,
        },
    });
    let ages = DistrictAges::default();
    let suggest = |address| {
        suggest_district(
            SuggestionFacts {
                chosen: None,
                household: None,
                address: Some(address),
                age_years: 40,
            },
            &coverage,
            &ages,
        )
        .map(|s| s.district_id)
    };
    assert_eq!(suggest(("Астана", "Абай даңғылы", "15")), Some(1));
    assert_eq!(suggest(("Астана", "Абай даңғылы", "16/2")), Some(2));
    assert_eq!(suggest(("Астана", "Абай даңғылы", "100")), None);
    assert_eq!(suggest(("Қоянды", "", "")), Some(9));
    assert_eq!(suggest(("қоянды", "Мектеп көшесі", "3")), Some(9));
}

#[test]
fn the_district_follows_the_choice_the_household_then_the_address() {
    let coverage = vec![
        houses(1, DistrictKind::Therapeutic, 1, 20, HouseParity::All),
        houses(2, DistrictKind::Therapeutic, 21, 60, HouseParity::All),
    ];
    let address = Some(("астана", "Абай даңғылы ", "21А"));
    let ages = DistrictAges::default();
    let suggest = |chosen, household: Option<i64>, address| {
        suggest_district(
            SuggestionFacts {
                chosen,
                household: household.map(|id| (id, DistrictKind::Therapeutic)),
                address,
                age_years: 40,
            },
            &coverage,
            &ages,
        )
    };
    let by_address = suggest(None, None, address).unwrap();
    assert_eq!(
        (by_address.district_id, by_address.source),
        (2, DistrictSource::Address)
    );
    let by_household = suggest(None, Some(1), address).unwrap();
    assert_eq!(
        (by_household.district_id, by_household.source),
        (1, DistrictSource::Household)
    );
    let chosen = suggest(Some(5), Some(1), address).unwrap();
    assert_eq!((chosen.district_id, chosen.source), (5, DistrictSource::Chosen));
    assert_eq!(suggest(None, None, Some(("Астана", "Абай даңғылы", "61"))), None);
    assert_eq!(suggest(None, None, Some(("Астана", "Абай даңғылы", "б/н"))), None);
    assert_eq!(suggest(None, None, None), None);
}

/// Seed 000: free choice of "врач общей практики, участковый терапевт,
/// участковый педиатр" — a pediatric district serves the children, a
/// therapeutic one the adults, a general practice both; a child is under 18.
#[test]
fn a_child_goes_to_the_pediatrician_covering_the_street_and_an_adult_never_does() {
    let street = |district_id, kind| houses(district_id, kind, 1, 99, HouseParity::All);
    use DistrictKind::{GeneralPractice as Gp, Pediatric as Ped, Therapeutic as Ther};
    let ages = DistrictAges::default();
    let address = Some(("Астана", "Абай даңғылы", "9"));
    // (coverage, household, age) → district
    type Case<'a> = (
        &'a [(i64, DistrictKind)],
        Option<(i64, DistrictKind)>,
        u32,
        Option<(i64, DistrictSource)>,
    );
    let cases: &[Case] = &[
        // the 17-year-old of issue 14: a pediatric district covers the street
        (
            &[(1, Ther), (7, Ped)],
            None,
            17,
            Some((7, DistrictSource::Address)),
        ),
        (
            &[(1, Ther), (7, Ped)],
            None,
            18,
            Some((1, DistrictSource::Address)),
        ),
        (
            &[(7, Ped), (1, Ther)],
            None,
            30,
            Some((1, DistrictSource::Address)),
        ),
        // the household on the therapist's list: the child still goes to the pediatrician
        (
            &[(1, Ther), (7, Ped)],
            Some((1, Ther)),
            17,
            Some((7, DistrictSource::Address)),
        ),
        (
            &[(1, Ther), (7, Ped)],
            Some((1, Ther)),
            45,
            Some((1, DistrictSource::Household)),
        ),
        // a general practice serves everyone; a pediatrician beside it takes the child
        (&[(3, Gp), (7, Ped)], None, 5, Some((7, DistrictSource::Address))),
        (&[(3, Gp), (7, Ped)], None, 50, Some((3, DistrictSource::Address))),
        (&[(3, Gp)], Some((3, Gp)), 2, Some((3, DistrictSource::Household))),
        // no district of the right kind anywhere: the household's, else the one covering
        (
            &[(1, Ther)],
            Some((2, Ther)),
            10,
            Some((2, DistrictSource::Household)),
        ),
        (&[(1, Ther)], None, 10, Some((1, DistrictSource::Address))),
    ];
    for (districts, household, age, expected) in cases {
        let coverage: Vec<Coverage> = districts.iter().map(|(id, kind)| street(*id, *kind)).collect();
        let got = suggest_district(
            SuggestionFacts {
                chosen: None,
                household: *household,
                address,
                age_years: *age,
            },
            &coverage,
            &ages,
        )
        .map(|s| (s.district_id, s.source));
        assert_eq!(
            got, *expected,
            "{districts:?}, household {household:?}, {age} years"
        );
    }
}

#[test]
fn the_list_norm_warns_at_the_norm() {
    let norms = ListNorms {
        therapeutic: 2200,
        pediatric: 900,
        general_practice: 1700,
    };
    assert!(!exceeds_list_norm(DistrictKind::Pediatric, None, 899, &norms));
    assert!(exceeds_list_norm(DistrictKind::Pediatric, None, 900, &norms));
    assert!(!exceeds_list_norm(DistrictKind::Therapeutic, None, 900, &norms));
    // a district the organization gives a norm of its own (a mountain district of 700)
    assert!(exceeds_list_norm(DistrictKind::Pediatric, Some(700), 700, &norms));
    assert!(!exceeds_list_norm(
        DistrictKind::Pediatric,
        Some(1000),
        950,
        &norms
    ));
}
