//! A deterministic synthetic population for demos, tests and benchmarks.
//!
//! From a seed, a person count and a reference date it makes a city with
//! clinics split into districts (therapeutic, pediatric, general practice)
//! that cover streets and house ranges, a feldsher's rural district, their
//! staff, and households of persons with valid unique IINs, Kazakh and Russian
//! names (Kazakh letters included), a young age pyramid like Kazakhstan's,
//! addresses inside the districts, and phones. The same inputs always give the
//! same population (ChaCha8, which is stable across platforms and versions).
//!
//! It depends on `emhana-domain` for the types and on `emhana-workstation` only
//! to write what it makes ([`load_into`]).

mod clinics;
mod demo;
mod names;
mod osms;
mod places;
#[cfg(feature = "registry")]
mod registry;

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate, TimeDelta};
use emhana_domain::attachment::AttachmentGround;
use emhana_domain::schedule::WeeklyTemplate;
use emhana_domain::{
    Address, Bin, Citizenship, ClinicKind, DistrictKind, Iin, Person, Sex, StaffRole, age_on,
};
use emhana_workstation::{
    AttachmentRecord, ClinicRecord, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord, Workstation,
};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub use demo::*;
use names::*;
pub use osms::{demo_minimum_wages, demo_osms, demo_policy};
use places::*;
#[cfg(feature = "registry")]
pub use registry::*;

/// The seed and size of the demo clinic a first start offers to load.
pub const DEMO_SEED: u64 = 2026;
pub const DEMO_PERSONS: usize = 20_000;

/// Persons a city territory (one district's area) holds on average.
const PERSONS_PER_TERRITORY: usize = 2_000;
/// City territories a polyclinic serves.
const TERRITORIES_PER_CLINIC: usize = 20;
/// Share of households in the home clinic's rural district.
const RURAL_SHARE: f64 = 0.03;
/// Share of households attached nowhere yet (recent arrivals).
const UNATTACHED_SHARE: f64 = 0.03;
/// Share of households that chose the neighbour practice in an earlier campaign.
const NEIGHBOUR_SHARE: f64 = 0.05;
/// The neighbour practice's districts and street.
const NEIGHBOUR_DISTRICTS: u32 = 2;
const NEIGHBOUR_STREET: &str = "Бейбітшілік көшесі";
/// Age from which a person is served on an adult district.
const ADULT_AGE: u32 = 18;
/// Households written per transaction by [`load_into`].
const HOUSEHOLDS_PER_BATCH: usize = 2_000;

#[derive(Debug, Clone, Copy)]
pub struct SynthConfig {
    pub seed: u64,
    pub persons: usize,
    /// Ages are counted back from this date.
    pub as_of: NaiveDate,
}

/// The area one district serves.
#[derive(Debug, Clone)]
struct Territory {
    clinic: usize,
    settlement: String,
    street: String,
    house_from: u32,
    house_to: u32,
    rural: bool,
    /// The districts (by number in the clinic) serving adults and children here.
    adult_district: u32,
    child_district: u32,
}

/// Gives each (birth date, sex) its next free serial, so IINs never repeat.
#[derive(Debug, Default)]
struct IinAllocator {
    next_serial: HashMap<(NaiveDate, Sex), u16>,
}

impl IinAllocator {
    fn allocate(&mut self, birth_date: NaiveDate, sex: Sex) -> Option<Iin> {
        let serial = self.next_serial.entry((birth_date, sex)).or_insert(0);
        while *serial <= 9999 {
            let candidate = Iin::compose(birth_date, sex, *serial);
            *serial += 1;
            if candidate.is_some() {
                return candidate;
            }
        }
        None
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("no IIN serial left for {birth_date} ({sex:?}); the population is too dense for one day")]
    SerialsExhausted { birth_date: NaiveDate, sex: Sex },
}

/// The generator. Make it with [`Synth::new`], take [`Synth::clinics`], then
/// draw households with [`Synth::next_batch`] until it returns none.
#[derive(Debug)]
pub struct Synth {
    config: SynthConfig,
    rng: ChaCha8Rng,
    iins: IinAllocator,
    territories: Vec<Territory>,
    clinics: Vec<ClinicRecord>,
    produced: usize,
}

impl Synth {
    pub fn new(config: SynthConfig) -> Result<Self, SynthError> {
        let mut synth = Synth {
            config,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            iins: IinAllocator::default(),
            territories: Vec::new(),
            clinics: Vec::new(),
            produced: 0,
        };
        synth.build_clinics()?;
        Ok(synth)
    }

    /// The clinics with districts, coverage and staff; the first is the home clinic.
    pub fn clinics(&self) -> &[ClinicRecord] {
        &self.clinics
    }

    /// Persons made so far.
    pub fn produced(&self) -> usize {
        self.produced
    }

    /// Up to `max_households` more households; empty once `persons` are made.
    pub fn next_batch(&mut self, max_households: usize) -> Result<Vec<HouseholdRecord>, SynthError> {
        let mut batch = Vec::new();
        while batch.len() < max_households && self.produced < self.config.persons {
            let mut household = self.household()?;
            household.members.truncate(self.config.persons - self.produced);
            self.produced += household.members.len();
            batch.push(household);
        }
        Ok(batch)
    }

    fn iin(&mut self, birth_date: NaiveDate, sex: Sex) -> Result<Iin, SynthError> {
        self.iins
            .allocate(birth_date, sex)
            .ok_or(SynthError::SerialsExhausted { birth_date, sex })
    }

    /// A birth date `age` full years before `as_of`.
    fn birth_date(&mut self, age: u32) -> NaiveDate {
        let as_of = self.config.as_of;
        let latest = as_of.checked_sub_months(Months::new(12 * age)).unwrap_or(as_of);
        let days_back = self.rng.random_range(0..365);
        let date = latest - TimeDelta::days(days_back);
        // Never born in the future, never a year older than `age`.
        date.min(as_of)
    }

    fn phone(&mut self) -> String {
        const OPERATOR_CODES: &[&str] = &[
            "700", "701", "702", "705", "707", "708", "747", "771", "775", "777", "778",
        ];
        let code = OPERATOR_CODES.choose(&mut self.rng).copied().unwrap_or("701");
        format!("{code}{:07}", self.rng.random_range(0..10_000_000))
    }

    /// A father's first name, which gives patronymics.
    fn father_name(&mut self, kazakh: bool) -> String {
        let name = if kazakh {
            KAZAKH_MALE.choose(&mut self.rng).copied()
        } else {
            RUSSIAN_MALE.choose(&mut self.rng).map(|(name, _, _)| *name)
        };
        name.unwrap_or("Серік").to_owned()
    }

    /// Surname, first name and patronymic for a person of `sex`, taking the
    /// family's masculine `surname` when given, the father's name for the patronymic.
    fn names(
        &mut self,
        kazakh: bool,
        sex: Sex,
        surname: Option<&str>,
        father: &str,
    ) -> (String, String, String) {
        let male = sex == Sex::Male;
        let masculine = match surname {
            Some(s) => s.to_owned(),
            None => {
                let pool = if kazakh { KAZAKH_SURNAMES } else { RUSSIAN_SURNAMES };
                pool.choose(&mut self.rng)
                    .copied()
                    .unwrap_or("Ахметов")
                    .to_owned()
            }
        };
        let surname = if male {
            masculine
        } else {
            feminine_surname(&masculine)
        };
        let first_name = match (kazakh, male) {
            (true, true) => KAZAKH_MALE.choose(&mut self.rng).copied(),
            (true, false) => KAZAKH_FEMALE.choose(&mut self.rng).copied(),
            (false, true) => RUSSIAN_MALE.choose(&mut self.rng).map(|(name, _, _)| *name),
            (false, false) => RUSSIAN_FEMALE.choose(&mut self.rng).copied(),
        }
        .unwrap_or("Дана")
        .to_owned();
        let patronymic = match RUSSIAN_MALE.iter().find(|(name, _, _)| *name == father) {
            Some((_, son, daughter)) => if male { son } else { daughter }.to_string(),
            None if self.rng.random_bool(0.5) => kazakh_patronymic(father, male),
            None => russian_style_patronymic(father, male),
        };
        (surname, first_name, patronymic)
    }

    /// An address and the index of the territory it lies in.
    fn address(&mut self) -> (Address, usize) {
        let rural = self.rng.random_bool(RURAL_SHARE);
        // The city's territories come first and the rural one last (see build_clinics).
        let rural_index = self.territories.len() - 1;
        let index = if rural {
            rural_index
        } else {
            self.rng.random_range(0..rural_index)
        };
        let territory = &self.territories[index];
        let (settlement, street, from, to) = (
            territory.settlement.clone(),
            territory.street.clone(),
            territory.house_from,
            territory.house_to,
        );
        let house = self.rng.random_range(from..=to).to_string();
        let apartment = (!rural).then(|| self.rng.random_range(1..=180).to_string());
        (
            Address {
                settlement,
                street,
                house,
                apartment,
            },
            index,
        )
    }

    fn household(&mut self) -> Result<HouseholdRecord, SynthError> {
        let (address, territory) = self.address();
        let kazakh = self.rng.random_bool(0.7);
        let surname = {
            let pool = if kazakh { KAZAKH_SURNAMES } else { RUSSIAN_SURNAMES };
            pool.choose(&mut self.rng)
                .copied()
                .unwrap_or("Ахметов")
                .to_owned()
        };
        let mut plan: Vec<(Sex, u32, Role)> = Vec::new();
        let roll: f64 = self.rng.random();
        if roll < 0.47 {
            // parents with children, sometimes a grandparent
            let father_age: u32 = self.rng.random_range(24..56);
            let mother_age = father_age.saturating_sub(self.rng.random_range(0..6)).max(21);
            plan.push((Sex::Male, father_age, Role::Father));
            plan.push((Sex::Female, mother_age, Role::Mother));
            let children = *[1u32, 1, 1, 2, 2, 2, 2, 3, 3, 4]
                .choose(&mut self.rng)
                .unwrap_or(&2);
            for _ in 0..children {
                let oldest = (mother_age - 19).min(18);
                plan.push((self.sex(), self.rng.random_range(0..=oldest), Role::Child));
            }
            if self.rng.random_bool(0.25) {
                plan.push((
                    self.sex(),
                    self.rng.random_range(father_age + 22..father_age + 36),
                    Role::Grandparent,
                ));
            }
        } else if roll < 0.57 {
            let age: u32 = self.rng.random_range(20..36);
            plan.push((Sex::Male, age, Role::Father));
            plan.push((Sex::Female, age.saturating_sub(2).max(19), Role::Mother));
        } else if roll < 0.69 {
            plan.push((self.sex(), self.rng.random_range(18..60), Role::Single));
        } else if roll < 0.79 {
            let mother_age: u32 = self.rng.random_range(22..50);
            plan.push((Sex::Female, mother_age, Role::Mother));
            for _ in 0..self.rng.random_range(1..=3) {
                let oldest = (mother_age - 19).min(18);
                plan.push((self.sex(), self.rng.random_range(0..=oldest), Role::Child));
            }
        } else if roll < 0.91 {
            let age: u32 = self.rng.random_range(60..86);
            plan.push((Sex::Male, age, Role::Father));
            plan.push((Sex::Female, age.saturating_sub(3).max(58), Role::Mother));
        } else {
            let sex = if self.rng.random_bool(0.7) {
                Sex::Female
            } else {
                Sex::Male
            };
            plan.push((sex, self.rng.random_range(62..96), Role::Single));
        }

        let family_father = match plan.iter().find(|(_, _, role)| *role == Role::Father) {
            Some(_) => None,
            None => Some(self.father_name(kazakh)),
        };
        let mut father_first_name = family_father.unwrap_or_default();
        let mut members = Vec::with_capacity(plan.len());
        for (sex, age, role) in plan {
            let birth_date = self.birth_date(age);
            let (surname_given, own_father) = match role {
                Role::Child => (Some(surname.as_str()), father_first_name.clone()),
                Role::Father | Role::Single => (Some(surname.as_str()), self.father_name(kazakh)),
                // Many married women in Kazakhstan keep their own surname.
                Role::Mother if self.rng.random_bool(0.5) => {
                    (Some(surname.as_str()), self.father_name(kazakh))
                }
                Role::Mother | Role::Grandparent => (None, self.father_name(kazakh)),
            };
            let (person_surname, first_name, patronymic) =
                self.names(kazakh, sex, surname_given, &own_father);
            if role == Role::Father {
                father_first_name = first_name.clone();
            }
            let citizenship = match self.rng.random_range(0..100) {
                0..97 => Citizenship::Citizen,
                97..99 => Citizenship::Kandas,
                _ => Citizenship::ForeignPermanentResident,
            };
            let phone = (age >= 16 && self.rng.random_bool(0.85)).then(|| self.phone());
            members.push(Person {
                iin: self.iin(birth_date, sex)?,
                surname: person_surname,
                first_name,
                patronymic: Some(patronymic),
                birth_date,
                sex,
                citizenship,
                address: Some(address.clone()),
                phone,
            });
        }
        // Oldest first, as the household is shown on the person card.
        members.sort_by_key(|p| p.birth_date);
        let attachments = self.attachments(territory, &members);
        Ok(HouseholdRecord {
            address,
            members,
            attachments,
        })
    }

    /// Where the household's members are attached: mostly all to their
    /// territory's clinic (children on the pediatric district where there is
    /// one), some to the neighbour practice by an earlier free choice, and a
    /// few nowhere yet (recent arrivals).
    fn attachments(&mut self, territory: usize, members: &[Person]) -> Vec<Option<AttachmentRecord>> {
        let as_of = self.config.as_of;
        let roll: f64 = self.rng.random();
        if roll < UNATTACHED_SHARE {
            return Vec::new();
        }
        let neighbour = roll < UNATTACHED_SHARE + NEIGHBOUR_SHARE;
        let Some(neighbour_clinic) = self.clinics.last() else {
            return Vec::new();
        };
        let territory = &self.territories[territory];
        let clinic = if neighbour {
            neighbour_clinic.bin
        } else {
            match self.clinics.get(territory.clinic) {
                Some(clinic) => clinic.bin,
                None => return Vec::new(),
            }
        };
        let (adult_district, child_district) = (territory.adult_district, territory.child_district);
        let neighbour_district = self.rng.random_range(1..=NEIGHBOUR_DISTRICTS);
        let years_ago = self.rng.random_range(0..12u32);
        let chosen_on = NaiveDate::from_ymd_opt(as_of.year() - 1, 10, 1).unwrap_or(as_of);
        members
            .iter()
            .map(|person| {
                let (district_number, ground, decided_on) = if neighbour && person.birth_date > chosen_on {
                    // born after the family's choice: attached there at birth
                    (
                        neighbour_district,
                        AttachmentGround::FirstAttachment,
                        person.birth_date,
                    )
                } else if neighbour {
                    (neighbour_district, AttachmentGround::FreeChoice, chosen_on)
                } else {
                    let adult = age_on(person.birth_date, as_of).unwrap_or(0) >= ADULT_AGE;
                    let district = if adult { adult_district } else { child_district };
                    let since = as_of
                        .checked_sub_months(Months::new(12 * years_ago))
                        .unwrap_or(as_of);
                    (
                        district,
                        AttachmentGround::FirstAttachment,
                        since.max(person.birth_date),
                    )
                };
                Some(AttachmentRecord {
                    clinic_bin: clinic,
                    district_number,
                    ground,
                    decided_on,
                })
            })
            .collect()
    }

    fn sex(&mut self) -> Sex {
        if self.rng.random_bool(0.51) {
            Sex::Female
        } else {
            Sex::Male
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Father,
    Mother,
    Child,
    Grandparent,
    Single,
}
