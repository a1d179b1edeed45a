//! Reference data the registry hands out: the year's attachment campaign
//! (set by the administrator when the year's order is published).

use chrono::Datelike;
use emhana_domain::attachment::Campaign;
use sqlx::PgPool;

use crate::RegistryError;

/// Sets a year's campaign (the order of that year); every workstation gets it
/// with its next sync.
pub async fn set_campaign(pool: &PgPool, campaign: &Campaign) -> Result<(), RegistryError> {
    if campaign.first_day > campaign.last_day || campaign.first_day.year() != campaign.year {
        return Err(RegistryError::Malformed(format!(
            "campaign {}: {} – {} is not a window within the year",
            campaign.year, campaign.first_day, campaign.last_day
        )));
    }
    sqlx::query(
        "INSERT INTO attachment_campaign (year, first_day, last_day, free_choice_limit, takes_effect) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (year) DO UPDATE SET first_day = EXCLUDED.first_day, \
         last_day = EXCLUDED.last_day, free_choice_limit = EXCLUDED.free_choice_limit, \
         takes_effect = EXCLUDED.takes_effect",
    )
    .bind(campaign.year)
    .bind(campaign.first_day)
    .bind(campaign.last_day)
    .bind(i32::try_from(campaign.free_choice_limit).unwrap_or(i32::MAX))
    .bind(campaign.takes_effect.as_str())
    .execute(pool)
    .await?;
    Ok(())
}
