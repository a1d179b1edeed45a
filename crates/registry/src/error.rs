//! The registry's errors, and how each answers over HTTP.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use emhana_protocol::ErrorBody;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("missing or wrong workstation credential")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Malformed(String),
    #[error("the body is larger than the registry accepts")]
    TooLarge,
    #[error("{0}")]
    TooManyRequests(String),
    #[error("not found")]
    NotFound,
    #[error("the enrolment code is unknown, used or expired")]
    BadEnrolmentCode,
    #[error("no clinic with BIN {bin}")]
    UnknownClinic { bin: String },
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("bundle: {0}")]
    Bundle(#[from] emhana_protocol::bundle::BundleError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl RegistryError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            RegistryError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            RegistryError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            RegistryError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed"),
            RegistryError::Bundle(_) => (StatusCode::BAD_REQUEST, "bad_bundle"),
            RegistryError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "too_large"),
            RegistryError::TooManyRequests(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            RegistryError::NotFound => (StatusCode::NOT_FOUND, "not_found"),
            RegistryError::BadEnrolmentCode => (StatusCode::FORBIDDEN, "bad_enrolment_code"),
            RegistryError::UnknownClinic { .. } => (StatusCode::NOT_FOUND, "unknown_clinic"),
            RegistryError::Database(sqlx::Error::PoolTimedOut) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            RegistryError::Config(_) | RegistryError::Database(_) | RegistryError::Migration(_) => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal")
            }
        }
    }
}

impl IntoResponse for RegistryError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = if status.is_server_error() {
            // The detail goes to the log, not to the caller.
            tracing::error!(error = %self, "request failed");
            "the registry could not answer; try again later".to_owned()
        } else {
            self.to_string()
        };
        (
            status,
            Json(ErrorBody {
                code: code.to_owned(),
                message,
            }),
        )
            .into_response()
    }
}

impl From<axum::extract::rejection::JsonRejection> for RegistryError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            RegistryError::TooLarge
        } else {
            RegistryError::Malformed(rejection.body_text())
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for RegistryError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        RegistryError::Malformed(rejection.body_text())
    }
}
