//! The person look-up at registration, asked of the registry while the
//! registrar waits (the workstation's `lookup` module says what it is for).

use emhana_workstation::{LookupOutcome, LookupUnavailable, StoreError, Workstation};

use crate::{HttpTransport, TransportError};

/// Asks the registry (`None`: this PC has none) for the person of `iin`
/// on behalf of the signed-in member of staff.
pub async fn look_up(
    store: &Workstation,
    registry: Option<&HttpTransport>,
    iin: &str,
) -> Result<LookupOutcome, StoreError> {
    let request = store.lookup_request(iin).await?;
    let Some(registry) = registry else {
        return Ok(LookupOutcome::Unavailable {
            reason: LookupUnavailable::NoRegistry,
        });
    };
    Ok(match registry.lookup(&request.iin, &request.actor_iin).await {
        Ok(answer) => {
            store.keep_state_answer(&answer.person).await?;
            LookupOutcome::found(answer)
        }
        Err(TransportError::Refused { status: 404, .. }) => {
            store.keep_state_absence(&request.iin).await?;
            LookupOutcome::NotFound
        }
        Err(TransportError::Offline(_) | TransportError::Unreachable(_) | TransportError::Server { .. }) => {
            LookupOutcome::Unavailable {
                reason: LookupUnavailable::Offline,
            }
        }
        Err(error) => {
            tracing::info!(%error, "the person look-up was refused");
            LookupOutcome::Unavailable {
                reason: LookupUnavailable::Refused,
            }
        }
    })
}
