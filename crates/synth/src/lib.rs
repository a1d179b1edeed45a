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

mod names;
mod places;

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

use names::*;
use places::*;

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

    fn build_clinics(&mut self) -> Result<(), SynthError> {
        let city_territories = self.config.persons.div_ceil(PERSONS_PER_TERRITORY).max(1);
        let clinic_count = city_territories.div_ceil(TERRITORIES_PER_CLINIC);
        for t in 0..city_territories {
            let street = STREETS[t % STREETS.len()];
            let block = (t / STREETS.len()) as u32;
            self.territories.push(Territory {
                clinic: t / TERRITORIES_PER_CLINIC,
                settlement: CITY.to_owned(),
                street: street.to_owned(),
                house_from: block * HOUSES_PER_TERRITORY + 1,
                house_to: (block + 1) * HOUSES_PER_TERRITORY,
                rural: false,
                adult_district: 0,
                child_district: 0,
            });
        }
        // The home clinic also runs a feldsher post in a village.
        let village = VILLAGES[0];
        self.territories.push(Territory {
            clinic: 0,
            settlement: village.to_owned(),
            street: "Орталық көшесі".to_owned(),
            house_from: 1,
            house_to: 200,
            rural: true,
            adult_district: 0,
            child_district: 0,
        });

        for clinic_index in 0..clinic_count {
            let clinic = self.clinic(clinic_index)?;
            self.clinics.push(clinic);
        }
        let neighbour = self.neighbour_practice(clinic_count)?;
        self.clinics.push(neighbour);
        Ok(())
    }

    /// A private GP practice nearby that some of the city's people chose in
    /// past campaigns: the demo's persons "attached elsewhere".
    fn neighbour_practice(&mut self, index: usize) -> Result<ClinicRecord, SynthError> {
        let street = NEIGHBOUR_STREET;
        let mut districts = Vec::new();
        let mut staff = Vec::new();
        for number in 1..=NEIGHBOUR_DISTRICTS {
            districts.push(DistrictRecord {
                number,
                kind: DistrictKind::GeneralPractice,
                coverage: vec![CoverageRecord {
                    settlement: CITY.to_owned(),
                    street: street.to_owned(),
                    house_from: (number - 1) * 50 + 1,
                    house_to: number * 50,
                }],
            });
            staff.push(self.staff_member(
                StaffRole::DistrictDoctor,
                Some("general_practitioner"),
                Some(number),
            )?);
            staff.push(self.staff_member(StaffRole::DistrictNurse, None, Some(number))?);
        }
        staff.push(self.staff_member(StaffRole::Registrar, None, None)?);
        Ok(ClinicRecord {
            bin: self.bin(index),
            name_kk: "«Шипагер» жалпы практика орталығы".to_owned(),
            name_ru: "Центр общей практики «Шипагер»".to_owned(),
            kind: ClinicKind::GpPractice,
            settlement: CITY.to_owned(),
            address: format!("{CITY}, {street}, 7"),
            phone: "+7 7172 55 10 10".to_owned(),
            hours: "Дс–Жм / Пн–Пт 08:00–19:00".to_owned(),
            is_home: false,
            districts,
            staff,
        })
    }

    fn clinic(&mut self, index: usize) -> Result<ClinicRecord, SynthError> {
        let number = index + 1;
        let territories: Vec<Territory> = self
            .territories
            .iter()
            .filter(|t| t.clinic == index)
            .cloned()
            .collect();
        let mut districts = Vec::new();
        let mut staff = Vec::new();
        let mut serving = Vec::new();
        for (position, territory) in territories.iter().enumerate() {
            let coverage = vec![CoverageRecord {
                settlement: territory.settlement.clone(),
                street: territory.street.clone(),
                house_from: territory.house_from,
                house_to: territory.house_to,
            }];
            // Two of three city territories have a therapist and a pediatrician; the third a GP.
            let kinds: &[DistrictKind] = if territory.rural || position % 3 == 2 {
                &[DistrictKind::GeneralPractice]
            } else {
                &[DistrictKind::Therapeutic, DistrictKind::Pediatric]
            };
            let first_number = districts.len() as u32 + 1;
            // therapist first, then pediatrician: children go to the last district made here
            serving.push((first_number, first_number + kinds.len() as u32 - 1));
            for &kind in kinds {
                let district_number = districts.len() as u32 + 1;
                districts.push(DistrictRecord {
                    number: district_number,
                    kind,
                    coverage: coverage.clone(),
                });
                if territory.rural {
                    staff.push(self.staff_member(StaffRole::Feldsher, None, Some(district_number))?);
                    continue;
                }
                let specialty = match kind {
                    DistrictKind::Therapeutic => "therapist",
                    DistrictKind::Pediatric => "pediatrician",
                    DistrictKind::GeneralPractice => "general_practitioner",
                };
                staff.push(self.staff_member(
                    StaffRole::DistrictDoctor,
                    Some(specialty),
                    Some(district_number),
                )?);
                staff.push(self.staff_member(StaffRole::DistrictNurse, None, Some(district_number))?);
            }
        }
        let own = self.territories.iter_mut().filter(|t| t.clinic == index);
        for (territory, (adults, children)) in own.zip(serving) {
            territory.adult_district = adults;
            territory.child_district = children;
        }
        staff.push(self.staff_member(StaffRole::Head, None, None)?);
        for _ in 0..3 {
            staff.push(self.staff_member(StaffRole::Registrar, None, None)?);
        }
        let street = STREETS[(index * 7) % STREETS.len()];
        let house = 10 + (index as u32 * 13) % 90;
        Ok(ClinicRecord {
            bin: self.bin(index),
            name_kk: format!("№{number} қалалық емхана"),
            name_ru: format!("Городская поликлиника №{number}"),
            kind: ClinicKind::Polyclinic,
            settlement: CITY.to_owned(),
            address: format!("{CITY}, {street}, {house}"),
            phone: format!(
                "+7 7172 {:02} {:02} {:02}",
                20 + index % 70,
                (index * 37) % 100,
                (index * 91) % 100
            ),
            hours: "Дс–Жм / Пн–Пт 08:00–20:00, Сб 09:00–14:00".to_owned(),
            is_home: index == 0,
            districts,
            staff,
        })
    }

    /// A BIN of a legal entity registered in 2004 (YYMM, 4 = resident legal entity).
    fn bin(&self, index: usize) -> Bin {
        (index * 10..)
            .find_map(|serial| {
                let mut digits = [0, 4, 0, 3, 4, 0, 0, 0, 0, 0, 0];
                let mut rest = serial;
                for slot in digits[6..].iter_mut().rev() {
                    *slot = (rest % 10) as u8;
                    rest /= 10;
                }
                Bin::complete(digits)
            })
            .unwrap_or_else(|| unreachable!("some serial always has a check digit"))
    }

    fn staff_member(
        &mut self,
        role: StaffRole,
        specialty: Option<&str>,
        district_number: Option<u32>,
    ) -> Result<StaffRecord, SynthError> {
        // Nurses and feldshers are mostly women, as in Kazakhstan's clinics.
        let female_share = match role {
            StaffRole::DistrictNurse | StaffRole::Registrar => 0.95,
            StaffRole::Feldsher => 0.7,
            _ => 0.6,
        };
        let sex = if self.rng.random_bool(female_share) {
            Sex::Female
        } else {
            Sex::Male
        };
        let age = self.rng.random_range(24..62);
        let birth_date = self.birth_date(age);
        let kazakh = self.rng.random_bool(0.75);
        let father = self.father_name(kazakh);
        let (surname, first_name, patronymic) = self.names(kazakh, sex, None, &father);
        Ok(StaffRecord {
            iin: self.iin(birth_date, sex)?,
            surname,
            first_name,
            patronymic: Some(patronymic),
            role,
            specialty: specialty.map(str::to_owned),
            district_number,
            phone: Some(self.phone()),
        })
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

/// What [`load_into`] wrote.
#[derive(Debug, Clone, Copy)]
pub struct LoadSummary {
    pub clinics: usize,
    pub persons: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Synth(#[from] SynthError),
    #[error(transparent)]
    Store(#[from] emhana_workstation::StoreError),
    #[error(transparent)]
    Schedule(#[from] emhana_workstation::BookingError),
    #[error(transparent)]
    Plan(#[from] emhana_workstation::HomeVisitError),
}

/// Generates the population of `config` into `workstation`, a batch of
/// households per transaction; `progress` hears the persons written so far.
pub async fn load_into(
    workstation: &Workstation,
    config: SynthConfig,
    mut progress: impl FnMut(usize),
) -> Result<LoadSummary, LoadError> {
    let valid_from = NaiveDate::from_ymd_opt(config.as_of.year(), 1, 1).unwrap_or(config.as_of);
    let mut synth = Synth::new(config)?;
    workstation.import_clinics(synth.clinics()).await?;
    let mut persons = 0;
    loop {
        let batch = synth.next_batch(HOUSEHOLDS_PER_BATCH)?;
        if batch.is_empty() {
            break;
        }
        persons += workstation.import_households(&batch).await?;
        progress(persons);
    }
    for (index, doctor) in workstation.doctors().await?.iter().enumerate() {
        workstation
            .set_schedule_template(
                doctor.id,
                &doctor_week(index, valid_from),
                None,
                chrono::Utc::now(),
            )
            .await?;
    }
    Ok(LoadSummary {
        clinics: synth.clinics().len(),
        persons,
    })
}

/// The home clinic a benchmark builds by hand: its districts and staff as given.
pub fn bench_clinic(bin: Bin, districts: Vec<DistrictRecord>, staff: Vec<StaffRecord>) -> ClinicRecord {
    ClinicRecord {
        bin,
        name_kk: "Бенчмарк емханасы".into(),
        name_ru: "Поликлиника бенчмарка".into(),
        kind: ClinicKind::Polyclinic,
        settlement: "Астана".into(),
        address: "Астана, Абай даңғылы, 1".into(),
        phone: "+7 7172 00 00 00".into(),
        hours: "08:00–20:00".into(),
        is_home: true,
        districts,
        staff,
    }
}

/// The care plan a demo person is on, if any, chosen from the IIN so the
/// same person always gets the same plan: every child under 3 is on
/// patronage (one in ten with a recorded risk); of women 20–40 one in fifty
/// has a registered pregnancy; of adults from 40 about 14% are observed for
/// hypertension, from 45 5% for type 2 diabetes, from 55 2% for heart failure,
/// enrolled over the past year so that visits fall due every day.
pub fn demo_plan(person: &Person, as_of: NaiveDate) -> Option<emhana_workstation::PlanRequest> {
    use emhana_domain::care_plan::{BasisDocument, Condition, EnrolmentBasis, RiskLevel};
    use emhana_workstation::PlanRequest;
    let digits = person.iin.as_string();
    let h: u64 = digits
        .bytes()
        .fold(7u64, |acc, b| acc.wrapping_mul(31).wrapping_add(u64::from(b)))
        % 10_007;
    let age = emhana_domain::age_on(person.birth_date, as_of)?;
    let days_ago = |days: u64| as_of - TimeDelta::days(i64::try_from(days).unwrap_or(0));
    if age < 3 {
        let discharged = (person.birth_date + TimeDelta::days(3)).min(as_of);
        return Some(PlanRequest::Newborn {
            discharged,
            risk: h.is_multiple_of(10),
        });
    }
    let share = h % 100;
    if person.sex == Sex::Female && (20..=40).contains(&age) && h.is_multiple_of(50) {
        return Some(PlanRequest::Pregnancy {
            reported: days_ago(h % 120),
            weeks_at_report: 8 + u32::try_from(h % 5).unwrap_or(0),
        });
    }
    let enrolled = days_ago(20 + h % 340);
    // the seed's three documents in turn, each dated a few days before the enrolment
    let basis = EnrolmentBasis {
        document: BasisDocument::ALL[usize::try_from(h % 3).unwrap_or(0)],
        dated: enrolled - chrono::TimeDelta::days(i64::try_from(h % 7).unwrap_or(0)),
    };
    if age >= 40 && share < 14 {
        let risk = if h.is_multiple_of(3) {
            RiskLevel::High
        } else {
            RiskLevel::Medium
        };
        return Some(PlanRequest::Observation {
            condition: Condition::ArterialHypertension,
            risk,
            enrolled,
            basis,
        });
    }
    if age >= 45 && (14..19).contains(&share) {
        return Some(PlanRequest::Observation {
            condition: Condition::Diabetes2,
            risk: RiskLevel::Low,
            enrolled,
            basis,
        });
    }
    if age >= 55 && (19..21).contains(&share) {
        return Some(PlanRequest::Observation {
            condition: Condition::ChronicHeartFailure,
            risk: RiskLevel::Medium,
            enrolled,
            basis,
        });
    }
    None
}

/// Opens the demo plans ([`demo_plan`]) of the home clinic's attached
/// persons of `config`, a transaction per batch of households; returns how many.
pub async fn load_demo_plans(workstation: &Workstation, config: SynthConfig) -> Result<usize, LoadError> {
    let as_of = config.as_of;
    // 09:00 in Astana on the demo's day
    let now = as_of.and_hms_opt(4, 0, 0).unwrap_or_default().and_utc();
    let mut synth = Synth::new(config)?;
    let Some(home) = synth
        .clinics()
        .iter()
        .find(|clinic| clinic.is_home)
        .map(|clinic| clinic.bin)
    else {
        return Ok(0);
    };
    let mut opened = 0;
    loop {
        let batch = synth.next_batch(HOUSEHOLDS_PER_BATCH)?;
        if batch.is_empty() {
            break;
        }
        let mut wanted = Vec::new();
        for household in &batch {
            for (member, attachment) in household.members.iter().zip(&household.attachments) {
                if attachment.as_ref().is_some_and(|a| a.clinic_bin == home)
                    && let Some(request) = demo_plan(member, as_of)
                {
                    wanted.push((member.iin.as_string(), request));
                }
            }
        }
        let iins: Vec<String> = wanted.iter().map(|(iin, _)| iin.clone()).collect();
        let ids = workstation.person_ids(&iins).await?;
        let requests: Vec<(i64, emhana_workstation::PlanRequest)> = wanted
            .into_iter()
            .filter_map(|(iin, request)| ids.get(&iin).map(|id| (*id, request)))
            .collect();
        opened += workstation.open_plans(&requests, None, now).await?;
    }
    // The clinic kept these plans on paper until today: what fell due more
    // than three days ago was done; the rest is the nurses' work now.
    workstation
        .record_past_visits_done(as_of - TimeDelta::days(3))
        .await?;
    Ok(opened)
}

/// The demo clinic as a first start loads it: the population, the doctors'
/// weeks and the care plans.
pub async fn load_demo(workstation: &Workstation, config: SynthConfig) -> Result<LoadSummary, LoadError> {
    let summary = load_into(workstation, config, |_| {}).await?;
    load_demo_plans(workstation, config).await?;
    Ok(summary)
}

/// A district doctor's week as polyclinics run it: doctors take turns at
/// morning and afternoon reception (15-minute slots, a tea break, the other
/// half of the day on home visits), every other one receives on Saturday
/// morning; each has a room of their own.
pub fn doctor_week(index: usize, valid_from: NaiveDate) -> WeeklyTemplate {
    use chrono::{NaiveTime, Weekday};
    use emhana_domain::schedule::{Session, SessionKind, WORKING_WEEK};
    let stretch = |(h1, m1), (h2, m2), kind| Session {
        weekday: Weekday::Mon,
        starts: NaiveTime::from_hms_opt(h1, m1, 0).unwrap_or(NaiveTime::MIN),
        ends: NaiveTime::from_hms_opt(h2, m2, 0).unwrap_or(NaiveTime::MIN),
        kind,
        slot_minutes: 15,
        room: Some(format!("{}", 101 + index)),
    };
    let day = if index.is_multiple_of(2) {
        [
            stretch((8, 0), (12, 0), SessionKind::Reception),
            stretch((10, 0), (10, 15), SessionKind::Break),
            stretch((13, 0), (16, 0), SessionKind::HomeVisits),
        ]
    } else {
        [
            stretch((9, 0), (13, 0), SessionKind::HomeVisits),
            stretch((14, 0), (18, 0), SessionKind::Reception),
            stretch((16, 0), (16, 15), SessionKind::Break),
        ]
    };
    let mut sessions: Vec<Session> = day
        .iter()
        .flat_map(|s| Session::on_each(&WORKING_WEEK, s))
        .collect();
    if index % 4 < 2 {
        sessions.extend(Session::on_each(
            &[Weekday::Sat],
            &stretch((9, 0), (13, 0), SessionKind::Reception),
        ));
    }
    WeeklyTemplate { valid_from, sessions }
}

#[cfg(feature = "registry")]
/// Generates the population of `config` into the central registry on
/// `pool`: the clinics with their districts, every person (the state person
/// database's stand-in) and their attachments, a batch per transaction.
pub async fn seed_registry(
    pool: &sqlx::PgPool,
    config: SynthConfig,
    mut progress: impl FnMut(usize),
) -> Result<LoadSummary, SeedError> {
    use emhana_registry::seed::{PopulationRecord, load_population};
    let mut synth = Synth::new(config)?;
    seed_registry_clinics(pool, synth.clinics()).await?;
    let mut persons = 0;
    loop {
        let batch = synth.next_batch(HOUSEHOLDS_PER_BATCH * 5)?;
        if batch.is_empty() {
            break;
        }
        let records: Vec<PopulationRecord> = batch
            .into_iter()
            .flat_map(|household| {
                let attachments = household.attachments;
                household
                    .members
                    .into_iter()
                    .enumerate()
                    .map(move |(index, person)| PopulationRecord {
                        person,
                        attachment: attachments
                            .get(index)
                            .cloned()
                            .flatten()
                            .as_ref()
                            .map(seed_attachment),
                    })
            })
            .collect();
        persons += records.len();
        load_population(pool, &records).await?;
        progress(persons);
    }
    Ok(LoadSummary {
        clinics: synth.clinics().len(),
        persons,
    })
}

#[cfg(feature = "registry")]
/// Adds the clinics and their districts to the registry.
pub async fn seed_registry_clinics(
    pool: &sqlx::PgPool,
    clinics: &[ClinicRecord],
) -> Result<(), emhana_registry::RegistryError> {
    for clinic in clinics {
        let record = emhana_registry::clinics::ClinicRecord {
            bin: clinic.bin.as_string(),
            name_kk: clinic.name_kk.clone(),
            name_ru: clinic.name_ru.clone(),
            kind: clinic.kind,
            districts: clinic.districts.iter().map(|d| (d.number, d.kind)).collect(),
        };
        emhana_registry::clinics::upsert_clinic(pool, &record).await?;
    }
    Ok(())
}

#[cfg(feature = "registry")]
/// An attachment in force, as the registry loads it.
pub fn seed_attachment(attachment: &AttachmentRecord) -> emhana_registry::seed::SeedAttachment {
    emhana_registry::seed::SeedAttachment {
        clinic_bin: attachment.clinic_bin.as_string(),
        district_number: attachment.district_number,
        ground: attachment.ground,
        decided_on: attachment.decided_on,
    }
}

#[cfg(feature = "registry")]
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Synth(#[from] SynthError),
    #[error(transparent)]
    Registry(#[from] emhana_registry::RegistryError),
}

/// The demo clinic a first start offers: [`DEMO_PERSONS`] persons from [`DEMO_SEED`].
pub fn demo_config(as_of: NaiveDate) -> SynthConfig {
    SynthConfig {
        seed: DEMO_SEED,
        persons: DEMO_PERSONS,
        as_of,
    }
}
