//! A clinic's organization as its administrator sets it up (DOMAIN.md §1):
//! the clinic and its posts, its districts with the addresses each covers,
//! and its staff. The checks an import or an administrator's change must pass
//! are here, as plain functions, so the registry and the workstation refuse
//! the same things with the same reasons.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Bin, ClinicKind, DistrictKind, Iin, StaffRole};

text_enum!(
    /// Which house numbers of a range a district takes: streets are often
    /// split between districts by side, odd numbers on one, even on the other.
    HouseParity {
        All => "all",
        Even => "even",
        Odd => "odd",
    }
);

impl HouseParity {
    fn admits(self, house: u32) -> bool {
        match self {
            HouseParity::All => true,
            HouseParity::Even => house.is_multiple_of(2),
            HouseParity::Odd => !house.is_multiple_of(2),
        }
    }
}

/// House numbers on one street, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct HouseRange {
    pub from: u32,
    pub to: u32,
    pub parity: HouseParity,
}

impl HouseRange {
    pub fn holds(&self, house: u32) -> bool {
        self.from <= house && house <= self.to && self.parity.admits(house)
    }

    /// Whether some house number is in both ranges.
    pub fn overlaps(&self, other: &HouseRange) -> bool {
        let from = self.from.max(other.from);
        let to = self.to.min(other.to);
        if from > to {
            return false;
        }
        match (self.parity, other.parity) {
            (HouseParity::Even, HouseParity::Odd) | (HouseParity::Odd, HouseParity::Even) => false,
            (HouseParity::All, HouseParity::All) => true,
            // one side's parity decides: is there such a number in [from, to]?
            (HouseParity::Even, _) | (_, HouseParity::Even) => from.div_ceil(2) * 2 <= to,
            (HouseParity::Odd, _) | (_, HouseParity::Odd) => {
                let first_odd = if from % 2 == 1 { from } else { from + 1 };
                first_odd <= to
            }
        }
    }
}

/// An address a district serves: a whole settlement (a village with no
/// street names or house numbers), a whole street, or a street's houses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CoveredArea {
    pub settlement: String,
    /// None: the whole settlement.
    pub street: Option<String>,
    /// None: every house of the street.
    pub houses: Option<HouseRange>,
}

/// Names of places are compared as a registrar reads them: case and the
/// spaces around them do not count.
fn same_place(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The house number a written house begins with: "12А" is house 12, "12/3" is 12.
pub fn house_number(house: &str) -> Option<u32> {
    house
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

impl CoveredArea {
    /// Whether the address (settlement, street, house as written) is in this area.
    pub fn holds(&self, settlement: &str, street: &str, house: &str) -> bool {
        if !same_place(&self.settlement, settlement) {
            return false;
        }
        let Some(own_street) = &self.street else {
            return true;
        };
        if !same_place(own_street, street) {
            return false;
        }
        match &self.houses {
            None => true,
            Some(range) => house_number(house).is_some_and(|house| range.holds(house)),
        }
    }

    /// Whether some address is in both areas.
    pub fn overlaps(&self, other: &CoveredArea) -> bool {
        if !same_place(&self.settlement, &other.settlement) {
            return false;
        }
        let (Some(a), Some(b)) = (&self.street, &other.street) else {
            return true;
        };
        if !same_place(a, b) {
            return false;
        }
        match (&self.houses, &other.houses) {
            (Some(a), Some(b)) => a.overlaps(b),
            _ => true,
        }
    }

    /// What is wrong with the area on its own, if anything.
    pub fn check(&self) -> Result<(), OrganizationError> {
        if self.settlement.trim().is_empty() {
            return Err(OrganizationError::NoSettlement);
        }
        if self
            .street
            .as_deref()
            .is_some_and(|street| street.trim().is_empty())
        {
            return Err(OrganizationError::NoStreet);
        }
        if let Some(range) = &self.houses {
            if self.street.is_none() {
                return Err(OrganizationError::HousesWithoutStreet);
            }
            if range.from == 0 || range.from > range.to {
                return Err(OrganizationError::BadHouseRange {
                    from: range.from,
                    to: range.to,
                });
            }
        }
        Ok(())
    }
}

/// Whether districts of these kinds may cover the same houses: a pediatric
/// district beside a therapeutic or a general-practice one (the children go
/// to the pediatrician first, `attachment::suggest_district`); two of one
/// kind, or a therapeutic and a general practice, would both claim the adults.
pub fn may_share_houses(a: DistrictKind, b: DistrictKind) -> bool {
    (a == DistrictKind::Pediatric) != (b == DistrictKind::Pediatric)
}

/// A district as the organization defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct District {
    pub number: u32,
    pub kind: DistrictKind,
    /// Persons per district doctor when this district's norm differs from
    /// the clinic's norm for its kind.
    pub list_norm: Option<u32>,
    pub coverage: Vec<CoveredArea>,
}

/// Two districts of a clinic that would both take some address for the same ages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageConflict {
    /// The district whose area is in question (the later of the two in the
    /// list), and the area's place in its coverage.
    pub district: u32,
    pub area: usize,
    /// The district that already covers part of it, and its area.
    pub other_district: u32,
    pub other_area: usize,
}

/// Every pair of districts of one clinic whose areas overlap for the same
/// ages, each reported once, on the later district's area.
pub fn coverage_conflicts(districts: &[District]) -> Vec<CoverageConflict> {
    let mut conflicts = Vec::new();
    // areas grouped by settlement and street, so a clinic of 50,000 ranges
    // compares only the ranges of one street with each other
    // (district index, area index, area)
    type Entry<'a> = (usize, usize, &'a CoveredArea);
    let mut by_street: std::collections::HashMap<(String, String), Vec<Entry>> =
        std::collections::HashMap::new();
    for (index, district) in districts.iter().enumerate() {
        for (area_index, area) in district.coverage.iter().enumerate() {
            let key = (
                area.settlement.trim().to_lowercase(),
                area.street.as_deref().unwrap_or("").trim().to_lowercase(),
            );
            by_street.entry(key).or_default().push((index, area_index, area));
        }
    }
    let whole_settlements: Vec<Entry> = districts
        .iter()
        .enumerate()
        .flat_map(|(index, d)| {
            d.coverage
                .iter()
                .enumerate()
                .map(move |(i, area)| (index, i, area))
        })
        .filter(|(_, _, area)| area.street.is_none())
        .collect();
    let mut report = |a: Entry, b: Entry| {
        let (da, db) = (&districts[a.0], &districts[b.0]);
        if a.0 != b.0 && !may_share_houses(da.kind, db.kind) && a.2.overlaps(b.2) {
            let (later, earlier) = if a.0 > b.0 {
                ((da, a.1), (db, b.1))
            } else {
                ((db, b.1), (da, a.1))
            };
            conflicts.push(CoverageConflict {
                district: later.0.number,
                area: later.1,
                other_district: earlier.0.number,
                other_area: earlier.1,
            });
        }
    };
    let mut keys: Vec<_> = by_street.keys().cloned().collect();
    keys.sort();
    for key in keys {
        let areas = &by_street[&key];
        for (i, a) in areas.iter().enumerate() {
            for b in &areas[i + 1..] {
                report(*a, *b);
            }
            // a street of a settlement another district takes whole
            if a.2.street.is_some() {
                for whole in &whole_settlements {
                    report(*a, *whole);
                }
            }
        }
    }
    conflicts
}

/// A member of staff, as the clinic's staff list has them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StaffMember {
    pub iin: Iin,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    /// The first is the one shown beside the name; the others widen what
    /// the person may do (a head who also registers).
    pub roles: Vec<StaffRole>,
    /// therapist, pediatrician, general_practitioner, ... for doctors.
    pub specialty: Option<String>,
    /// The districts (numbers in the clinic) a district doctor, nurse or feldsher serves.
    pub districts: Vec<u32>,
    pub room: Option<String>,
    pub phone: Option<String>,
    /// The first and the last day of work here, when known.
    pub works_from: Option<NaiveDate>,
    pub works_to: Option<NaiveDate>,
}

/// Whether someone whose work here runs from `from` to `to` (each day
/// included; `None`: open) works here on `day`.
pub fn works_between(from: Option<NaiveDate>, to: Option<NaiveDate>, day: NaiveDate) -> bool {
    from.is_none_or(|from| from <= day) && to.is_none_or(|to| day <= to)
}

impl StaffMember {
    /// Whether they work here on `day`.
    pub fn works_on(&self, day: NaiveDate) -> bool {
        works_between(self.works_from, self.works_to, day)
    }

    /// What is wrong with the entry on its own, if anything; `districts`
    /// are the clinic's district numbers.
    pub fn check(&self, districts: &[u32]) -> Result<(), OrganizationError> {
        if self.surname.trim().is_empty() || self.first_name.trim().is_empty() {
            return Err(OrganizationError::NoName);
        }
        if self.roles.is_empty() {
            return Err(OrganizationError::NoRole);
        }
        if let Some(number) = self.districts.iter().find(|n| !districts.contains(n)) {
            return Err(OrganizationError::NotOurDistrict { number: *number });
        }
        if let (Some(from), Some(to)) = (self.works_from, self.works_to)
            && from > to
        {
            return Err(OrganizationError::WorksToBeforeFrom { from, to });
        }
        Ok(())
    }
}

/// A clinic or a post as the registry knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ClinicProfile {
    pub bin: Bin,
    pub name_kk: String,
    pub name_ru: String,
    pub kind: ClinicKind,
    /// The region (oblast or city of republican significance) it is in.
    pub region: String,
    /// The clinic that runs it, for a post.
    pub parent_bin: Option<Bin>,
    pub settlement: String,
    pub address: String,
    pub phone: String,
    pub hours: String,
}

impl ClinicProfile {
    pub fn check(&self) -> Result<(), OrganizationError> {
        if self.name_kk.trim().is_empty() || self.name_ru.trim().is_empty() {
            return Err(OrganizationError::NoName);
        }
        if self.region.trim().is_empty() {
            return Err(OrganizationError::NoRegion);
        }
        if self.parent_bin.as_ref() == Some(&self.bin) {
            return Err(OrganizationError::OwnParent);
        }
        Ok(())
    }

    /// Whether `parent` may run this clinic as its post: a clinic that is
    /// not itself a post, in the same region (a post is run by the clinic
    /// whose territory it serves).
    pub fn check_parent(&self, parent: &ClinicProfile) -> Result<(), OrganizationError> {
        if parent.parent_bin.is_some() {
            return Err(OrganizationError::ParentIsAPost);
        }
        if !same_place(&parent.region, &self.region) {
            return Err(OrganizationError::ParentInAnotherRegion {
                region: self.region.clone(),
                parent_region: parent.region.clone(),
            });
        }
        Ok(())
    }
}

/// Why an organization's entry is refused. Each has a stable code the
/// registry answers and the UI's catalogs translate (`organization.error.<code>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("the name is empty")]
    NoName,
    #[error("no role")]
    NoRole,
    #[error("unknown role {role:?}")]
    UnknownRole { role: String },
    #[error("the region is empty")]
    NoRegion,
    #[error("a clinic cannot be its own parent")]
    OwnParent,
    #[error("the parent is itself a post")]
    ParentIsAPost,
    #[error("the post is in {region}, its parent in {parent_region}")]
    ParentInAnotherRegion { region: String, parent_region: String },
    #[error("district {number} is not a district of this clinic")]
    NotOurDistrict { number: u32 },
    #[error("works to {to} before works from {from}")]
    WorksToBeforeFrom { from: NaiveDate, to: NaiveDate },
    #[error("no settlement")]
    NoSettlement,
    #[error("an empty street name")]
    NoStreet,
    #[error("house numbers without a street")]
    HousesWithoutStreet,
    #[error("houses {from}–{to} are not a range")]
    BadHouseRange { from: u32, to: u32 },
}

impl OrganizationError {
    pub fn code(&self) -> &'static str {
        match self {
            OrganizationError::NoName => "no_name",
            OrganizationError::NoRole => "no_role",
            OrganizationError::UnknownRole { .. } => "unknown_role",
            OrganizationError::NoRegion => "no_region",
            OrganizationError::OwnParent => "own_parent",
            OrganizationError::ParentIsAPost => "parent_is_a_post",
            OrganizationError::ParentInAnotherRegion { .. } => "parent_in_another_region",
            OrganizationError::NotOurDistrict { .. } => "not_our_district",
            OrganizationError::WorksToBeforeFrom { .. } => "works_to_before_from",
            OrganizationError::NoSettlement => "no_settlement",
            OrganizationError::NoStreet => "no_street",
            OrganizationError::HousesWithoutStreet => "houses_without_street",
            OrganizationError::BadHouseRange { .. } => "bad_house_range",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(from: u32, to: u32, parity: HouseParity) -> HouseRange {
        HouseRange { from, to, parity }
    }

    fn street(name: &str, houses: Option<HouseRange>) -> CoveredArea {
        CoveredArea {
            settlement: "Астана".into(),
            street: Some(name.into()),
            houses,
        }
    }

    #[test]
    fn ranges_overlap_only_on_a_house_both_take() {
        use HouseParity::*;
        let cases = [
            (range(1, 99, All), range(2, 50, Even), true),
            (range(1, 99, Odd), range(2, 50, Even), false),
            (range(1, 9, All), range(10, 20, All), false),
            (range(1, 10, Even), range(10, 20, All), true),
            (range(1, 10, Odd), range(10, 20, All), false),
            (range(11, 11, Odd), range(1, 20, All), true),
            (range(12, 12, Odd), range(1, 20, All), false),
            (range(1, 99, Even), range(2, 98, Even), true),
        ];
        for (a, b, overlap) in cases {
            assert_eq!(a.overlaps(&b), overlap, "{a:?} / {b:?}");
            assert_eq!(b.overlaps(&a), overlap, "{b:?} / {a:?}");
            // the same answer as trying every house
            let brute = (1..=100).any(|h| a.holds(h) && b.holds(h));
            assert_eq!(brute, overlap, "{a:?} / {b:?}");
        }
    }

    #[test]
    fn an_area_holds_an_address_as_the_registrar_writes_it() {
        let village = CoveredArea {
            settlement: "Қоянды".into(),
            street: None,
            houses: None,
        };
        let even = street("Абай даңғылы", Some(range(2, 40, HouseParity::Even)));
        let whole = street("Сарыарқа", None);
        assert!(village.holds(" қоянды ", "", ""));
        assert!(village.holds("Қоянды", "Орталық", "7"));
        assert!(even.holds("астана", "абай даңғылы", "12А"));
        assert!(!even.holds("Астана", "Абай даңғылы", "13"));
        assert!(!even.holds("Астана", "Абай даңғылы", "42"));
        assert!(!even.holds("Астана", "Абай даңғылы", "б/н"));
        assert!(whole.holds("Астана", "Сарыарқа", ""));
        assert!(!whole.holds("Қоянды", "Сарыарқа", "1"));
    }

    #[test]
    fn districts_claiming_the_same_persons_may_not_share_a_house() {
        let district = |number, kind, coverage| District {
            number,
            kind,
            list_norm: None,
            coverage,
        };
        let districts = [
            district(
                1,
                DistrictKind::Therapeutic,
                vec![street("Абай", Some(range(1, 99, HouseParity::Odd)))],
            ),
            // the children of the same houses: allowed
            district(
                2,
                DistrictKind::Pediatric,
                vec![street("Абай", Some(range(1, 99, HouseParity::All)))],
            ),
            // the other side of the street: allowed
            district(
                3,
                DistrictKind::Therapeutic,
                vec![street("Абай", Some(range(2, 98, HouseParity::Even)))],
            ),
            // house 51 is district 1's (its children may go to district 2)
            district(
                4,
                DistrictKind::GeneralPractice,
                vec![street("абай ", Some(range(51, 51, HouseParity::All)))],
            ),
            // the whole city: district 2's children too
            district(
                5,
                DistrictKind::Pediatric,
                vec![CoveredArea {
                    settlement: "Астана".into(),
                    street: None,
                    houses: None,
                }],
            ),
        ];
        let found: Vec<(u32, u32)> = coverage_conflicts(&districts)
            .iter()
            .map(|c| (c.district, c.other_district))
            .collect();
        assert_eq!(found, vec![(4, 1), (5, 2)]);
    }

    #[test]
    fn a_post_is_run_by_a_clinic_of_its_region() {
        let clinic = |bin: &str, region: &str, parent: Option<&str>| ClinicProfile {
            bin: Bin::parse(bin).expect("test BIN"),
            name_kk: "Емхана".into(),
            name_ru: "Поликлиника".into(),
            kind: ClinicKind::Polyclinic,
            region: region.into(),
            parent_bin: parent.map(|p| Bin::parse(p).expect("test BIN")),
            settlement: "Астана".into(),
            address: "Астана".into(),
            phone: "".into(),
            hours: "".into(),
        };
        // BINs with a valid check digit
        let bins: Vec<String> = (0u8..)
            .filter_map(|n| Bin::complete([1, 9, 0, 4, 4, 0, 0, 0, 0, 0, n % 10]))
            .take(1)
            .chain(
                (0u8..10)
                    .filter_map(|n| Bin::complete([1, 9, 0, 4, 4, 0, 0, 0, 0, 1, n]))
                    .take(2),
            )
            .map(|bin| bin.as_string())
            .collect();
        let parent = clinic(&bins[0], "Астана", None);
        let post = clinic(&bins[1], "астана", Some(&bins[0]));
        assert_eq!(post.check_parent(&parent), Ok(()));
        let far = clinic(&bins[1], "Ақмола облысы", Some(&bins[0]));
        assert_eq!(
            far.check_parent(&parent).map_err(|e| e.code()),
            Err("parent_in_another_region")
        );
        let post_of_post = clinic(&bins[2], "Астана", Some(&bins[1]));
        assert_eq!(
            post_of_post.check_parent(&post).map_err(|e| e.code()),
            Err("parent_is_a_post")
        );
        let own = clinic(&bins[0], "Астана", Some(&bins[0]));
        assert_eq!(own.check().map_err(|e| e.code()), Err("own_parent"));
    }
}
