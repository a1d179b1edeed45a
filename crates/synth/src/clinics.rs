//! The clinics of the synthetic city: a polyclinic per twenty territories with
//! its districts, their coverage and staff, a feldsher's rural district, and
//! the neighbour general practice some persons chose earlier.

use super::*;

impl Synth {
    pub(super) fn build_clinics(&mut self) -> Result<(), SynthError> {
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
        // its head signs in to set it up, as every clinic's does
        staff.push(self.staff_member(StaffRole::Head, None, None)?);
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
}
