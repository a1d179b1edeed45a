//! A person's OSMS status, asked of the registry while the registrar waits
//! (docs/osms.md): the answer is kept as the last known one; when the
//! registry cannot be asked or refuses, the card shows the last known
//! status with its date and why it is not current.

use chrono::NaiveDate;
use emhana_workstation::{OsmsUnavailable, OsmsView, StoreError, Workstation};

use crate::{HttpTransport, TransportError};

/// Asks the registry (`None`: this PC has none) about the person for the
/// signed-in member of staff, keeps its answer, and gives what the card shows.
pub async fn person_osms(
    store: &Workstation,
    registry: Option<&HttpTransport>,
    person_id: i64,
    today: NaiveDate,
) -> Result<OsmsView, StoreError> {
    let request = store.osms_request(person_id, today).await?;
    let unavailable = match registry {
        None => Some(OsmsUnavailable::NoRegistry),
        Some(registry) => match registry.osms(&request.iin, &request.actor_iin).await {
            Ok(answer) => {
                store.record_osms(person_id, &answer).await?;
                None
            }
            Err(error) => {
                tracing::info!(
                    code = error_code(&error),
                    "the OSMS status could not be asked now"
                );
                Some(unavailable(&error))
            }
        },
    };
    store.osms_view(person_id, today, unavailable).await
}

fn unavailable(error: &TransportError) -> OsmsUnavailable {
    match error {
        TransportError::Offline(_) | TransportError::Unreachable(_) | TransportError::Server { .. } => {
            OsmsUnavailable::Offline
        }
        TransportError::Refused { status: 403, .. } => OsmsUnavailable::NotServedHere,
        TransportError::Refused { status: 404, .. } => OsmsUnavailable::UnknownPerson,
        TransportError::Refused { .. } | TransportError::InsecureAddress(_) => OsmsUnavailable::Refused,
    }
}

fn error_code(error: &TransportError) -> &str {
    match error {
        TransportError::Offline(_) => "offline",
        TransportError::Unreachable(_) => "unreachable",
        TransportError::Server { .. } => "server",
        TransportError::Refused { code, .. } => code,
        TransportError::InsecureAddress(_) => "insecure_address",
    }
}
