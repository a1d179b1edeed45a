//! Seeding the central registry with the same population (feature `registry`:
//! tests, benches and `scripts/demo-registry.sh`; never the desktop app).

use super::*;

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

/// What [`seed_registry_osms`] loaded: lines of the Fund's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FundLoaded {
    pub payments: usize,
    /// Persons' categories the state pays for.
    pub state_paid: usize,
    pub policies: usize,
}

/// The Fund's side of the region ([`demo_osms`], [`demo_policy`]), loaded
/// into the registry through the same file imports the Fund's files go
/// through: the payments, the categories the state pays for, the digital
/// policies, and the demo's minimum wages. For the
/// demo registry; the benches' regions go without.
pub async fn seed_registry_osms(
    pool: &sqlx::PgPool,
    config: SynthConfig,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<FundLoaded, SeedError> {
    use std::fmt::Write as _;
    for wage in crate::demo_minimum_wages().years {
        emhana_registry::osms::set_minimum_wage(pool, wage.year, wage.tenge, "демо", now).await?;
    }
    let mut synth = Synth::new(config)?;
    let (mut payments, mut state_paid, mut issued) = (0, 0, 0);
    loop {
        let batch = synth.next_batch(HOUSEHOLDS_PER_BATCH * 5)?;
        if batch.is_empty() {
            break;
        }
        let mut paid =
            String::from("payment_id,iin,paid_on,amount,kind,period,payer,refund_amount,refund_date\n");
        let mut paid_for = String::from("iin,category,from,until\n");
        let mut policies = String::from(
            "number;iin;issuer_name;issuer_location;issuer_bin;holder_name;holder_address;holder_document;\
             issued_on;valid_from;valid_until;services;registrar_name;registrar_location;status\n",
        );
        for person in batch.iter().flat_map(|household| &household.members) {
            let iin = person.iin.as_string();
            let facts = crate::demo_osms(person, config.as_of);
            for payment in &facts.payments {
                let refund = match (payment.refund_tiyn, payment.refunded_on) {
                    (Some(tiyn), Some(on)) => format!("{}.{:02},{on}", tiyn / 100, tiyn % 100),
                    _ => ",".to_owned(),
                };
                let _ = writeln!(
                    paid,
                    "DEMO-{iin}-{}{:02},{iin},{},{}.{:02},{},{}-{:02},{},{refund}",
                    payment.period.year,
                    payment.period.month,
                    payment.paid_on,
                    payment.amount_tiyn / 100,
                    payment.amount_tiyn % 100,
                    payment.kind.as_str(),
                    payment.period.year,
                    payment.period.month,
                    payment.payer
                );
                payments += 1;
            }
            if let Some(policy) = crate::demo_policy(person, config.as_of) {
                let day = |day: chrono::NaiveDate| day.format("%d.%m.%Y").to_string();
                let _ = writeln!(
                    policies,
                    "{};{iin};{};{};{};{};{};{};{};{};{};{};{};{};{}",
                    policy.number,
                    policy.issuer_name,
                    policy.issuer_location,
                    policy.issuer_bin,
                    policy.holder_full_name,
                    policy.holder_address,
                    policy.holder_document,
                    day(policy.issued_on),
                    day(policy.valid_from),
                    day(policy.valid_until),
                    policy.services.join("|"),
                    policy.registrar_name,
                    policy.registrar_location,
                    policy.status.as_str()
                );
                issued += 1;
            }
            for category in &facts.state_paid {
                let until = category.until.map(|day| day.to_string()).unwrap_or_default();
                let _ = writeln!(
                    paid_for,
                    "{iin},{},{},{until}",
                    category.category.as_str(),
                    category.from
                );
                state_paid += 1;
            }
        }
        emhana_registry::osms::import_payments(pool, paid.as_bytes(), now).await?;
        emhana_registry::osms::import_state_paid(pool, paid_for.as_bytes(), now).await?;
        emhana_registry::osms::import_policies(pool, policies.as_bytes(), now).await?;
    }
    Ok(FundLoaded {
        payments,
        state_paid,
        policies: issued,
    })
}

/// Adds the clinics to the registry with their whole organization —
/// profile, districts, coverage and staff — as the workstation loads them,
/// so a workstation that syncs takes from the registry what it already has.
pub async fn seed_registry_clinics(
    pool: &sqlx::PgPool,
    clinics: &[ClinicRecord],
) -> Result<(), emhana_registry::organization::SetupError> {
    // the staff sign in at the region's PCs with the demo's password
    let hash = emhana_protocol::PasswordHash::new(crate::DEMO_PASSWORD).map_err(|error| {
        emhana_registry::organization::SetupError::Refused(vec![emhana_registry::organization::Problem {
            line: None,
            code: "bad_password",
            reason: error.to_string(),
        }])
    })?;
    for clinic in clinics {
        emhana_registry::organization::load_unit(pool, &clinic_unit_with_accounts(clinic, &hash)).await?;
    }
    Ok(())
}

/// [`clinic_unit`] with an account for every member of staff, all with
/// [`crate::DEMO_PASSWORD`]: a seeded region whose staff sign in at its PCs.
pub fn clinic_unit_with_accounts(
    clinic: &ClinicRecord,
    hash: &emhana_protocol::PasswordHash,
) -> emhana_protocol::ClinicUnit {
    let mut unit = clinic_unit(clinic);
    unit.accounts = unit
        .staff
        .iter()
        .map(|member| emhana_protocol::Account {
            iin: member.iin.as_string(),
            password_hash: hash.clone(),
            disabled: false,
            changed_at: chrono::Utc::now(),
        })
        .collect();
    unit
}

/// The region of the synthetic city and its villages.
pub const REGION: &str = "Астана";

/// A clinic as the registry's organization holds it.
pub fn clinic_unit(clinic: &ClinicRecord) -> emhana_protocol::ClinicUnit {
    use emhana_domain::organization::{
        ClinicProfile, CoveredArea, District, HouseParity, HouseRange, StaffMember,
    };
    emhana_protocol::ClinicUnit {
        profile: ClinicProfile {
            bin: clinic.bin,
            name_kk: clinic.name_kk.clone(),
            name_ru: clinic.name_ru.clone(),
            kind: clinic.kind,
            region: REGION.to_owned(),
            parent_bin: None,
            settlement: clinic.settlement.clone(),
            address: clinic.address.clone(),
            phone: clinic.phone.clone(),
            hours: clinic.hours.clone(),
        },
        districts: clinic
            .districts
            .iter()
            .map(|district| District {
                number: district.number,
                kind: district.kind,
                list_norm: None,
                coverage: district
                    .coverage
                    .iter()
                    .map(|range| CoveredArea {
                        settlement: range.settlement.clone(),
                        street: Some(range.street.clone()),
                        houses: Some(HouseRange {
                            from: range.house_from,
                            to: range.house_to,
                            parity: HouseParity::All,
                        }),
                    })
                    .collect(),
            })
            .collect(),
        staff: clinic
            .staff
            .iter()
            .map(|member| StaffMember {
                iin: member.iin,
                surname: member.surname.clone(),
                first_name: member.first_name.clone(),
                patronymic: member.patronymic.clone(),
                roles: vec![member.role],
                specialty: member.specialty.clone(),
                districts: member.district_number.into_iter().collect(),
                room: None,
                phone: member.phone.clone(),
                works_from: None,
                works_to: None,
            })
            .collect(),
        accounts: Vec::new(),
    }
}

/// An attachment in force, as the registry loads it.
pub fn seed_attachment(attachment: &AttachmentRecord) -> emhana_registry::seed::SeedAttachment {
    emhana_registry::seed::SeedAttachment {
        clinic_bin: attachment.clinic_bin.as_string(),
        district_number: attachment.district_number,
        ground: attachment.ground,
        decided_on: attachment.decided_on,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Synth(#[from] SynthError),
    #[error(transparent)]
    Registry(#[from] emhana_registry::RegistryError),
    #[error(transparent)]
    Organization(#[from] emhana_registry::organization::SetupError),
}
