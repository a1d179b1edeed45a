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
}
