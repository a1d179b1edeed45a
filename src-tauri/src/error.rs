//! The error every command returns: a stable `code` the UI translates, the
//! English message for logs, and the details (path, expected digit, ...).
//!
//! The codes are a closed set: the shell's own ([`ShellCode`]) and the
//! workstation's errors under their prefix (`store.<code>`, `booking.<code>`,
//! ...), both listed in `ui/src/lib/bindings.ts` (`ERROR_CODES`), which the
//! catalogs' test reads.

use serde::Serialize;

#[derive(Debug, Clone, Serialize, ts_rs::TS)]
pub struct CommandError {
    /// One of `ERROR_CODES`.
    pub code: String,
    pub message: String,
    /// The error's fields (the expected digit, the path, the field's problems): an object, or null.
    #[ts(type = "Record<string, unknown> | null")]
    pub details: serde_json::Value,
}

/// One spelling per code: what the shell sends and what the catalogs translate.
macro_rules! shell_codes {
    ($($(#[$meta:meta])* $variant:ident => $text:literal),+ $(,)?) => {
        /// The codes the shell itself sends (not a workstation error's).
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ShellCode { $($(#[$meta])* $variant),+ }

        impl ShellCode {
            pub const ALL: &'static [ShellCode] = &[$(ShellCode::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(ShellCode::$variant => $text),+ }
            }
        }
    };
}

shell_codes! {
    NoAppDataFolder => "store.no_app_data_folder",
    DemoFailed => "demo.failed",
    /// The form's field problems, in `details.errors`.
    FormFields => "form.fields",
    PrintFonts => "print.fonts",
    PrintFailed => "print.failed",
    PrintNoFolder => "print.no_folder",
    PrintCannotSave => "print.cannot_save",
    SyncKeyring => "sync.keyring",
    SyncTransport => "sync.transport",
    SyncBadUrl => "sync.bad_url",
    SyncBadEnrolmentCode => "sync.bad_enrolment_code",
    SyncRefused => "sync.refused",
    SyncUnreachable => "sync.unreachable",
    SyncOffline => "sync.offline",
    SyncServer => "sync.server",
    BundleNotABundle => "bundle.not_a_bundle",
    BundleUnknownFormat => "bundle.unknown_format",
    BundleTooLarge => "bundle.too_large",
    BundleWrongKind => "bundle.wrong_kind",
    BundleOtherWorkstation => "bundle.other_workstation",
    BundleBadSeal => "bundle.bad_seal",
    BundleNoKey => "bundle.no_key",
    BundleFailed => "bundle.failed",
    BundleCannotSave => "bundle.cannot_save",
    NotSignedIn => "session.not_signed_in",
    Locked => "session.locked",
}

impl CommandError {
    pub fn new(code: ShellCode, message: String) -> Self {
        CommandError {
            code: code.as_str().to_owned(),
            message,
            details: serde_json::Value::Null,
        }
    }

    /// From an error serialized as `{"code": ..., field: ...}` (the workstation's errors).
    fn from_tagged<E: Serialize + std::fmt::Display>(prefix: &str, error: &E) -> Self {
        let details = serde_json::to_value(error).unwrap_or(serde_json::Value::Null);
        let code = details.get("code").and_then(|c| c.as_str()).unwrap_or("unknown");
        CommandError {
            code: format!("{prefix}.{code}"),
            message: error.to_string(),
            details,
        }
    }
}

impl From<emhana_workstation::OpenError> for CommandError {
    fn from(error: emhana_workstation::OpenError) -> Self {
        CommandError::from_tagged("open", &error)
    }
}

impl From<emhana_workstation::StoreError> for CommandError {
    fn from(error: emhana_workstation::StoreError) -> Self {
        CommandError::from_tagged("store", &error)
    }
}

impl From<emhana_workstation::SignInError> for CommandError {
    fn from(error: emhana_workstation::SignInError) -> Self {
        match error {
            emhana_workstation::SignInError::Store(store) => store.into(),
            other => CommandError::from_tagged("sign_in", &other),
        }
    }
}

impl From<emhana_synth::LoadError> for CommandError {
    fn from(error: emhana_synth::LoadError) -> Self {
        match error {
            emhana_synth::LoadError::Store(store) => store.into(),
            other => CommandError::new(ShellCode::DemoFailed, other.to_string()),
        }
    }
}

impl From<emhana_workstation::FormError> for CommandError {
    /// Field problems go out as `form.fields` with `details.errors`, one per field.
    fn from(error: emhana_workstation::FormError) -> Self {
        match error {
            emhana_workstation::FormError::Store(store) => store.into(),
            emhana_workstation::FormError::Fields { errors } => CommandError {
                code: ShellCode::FormFields.as_str().to_owned(),
                message: format!("{} field(s) to correct", errors.len()),
                details: serde_json::json!({ "errors": errors }),
            },
        }
    }
}

impl From<emhana_print::PrintError> for CommandError {
    fn from(error: emhana_print::PrintError) -> Self {
        CommandError::new(ShellCode::PrintFailed, error.to_string())
    }
}

impl From<emhana_workstation::BookingError> for CommandError {
    /// Refusals go out as `booking.<refusal>` with `details.field` to show
    /// them at; schedule problems as `schedule.<problem>`.
    fn from(error: emhana_workstation::BookingError) -> Self {
        use emhana_workstation::BookingError;
        match error {
            BookingError::Store(store) => store.into(),
            BookingError::Refused { field, refusal } => {
                let mut command = CommandError::from_tagged("booking", &refusal);
                if let serde_json::Value::Object(details) = &mut command.details {
                    details.insert("field".into(), field.into());
                }
                command
            }
            BookingError::Status { refusal } => CommandError::from_tagged("booking_status", &refusal),
            BookingError::Schedule { problem } => CommandError::from_tagged("schedule", &problem),
            BookingError::Calendar { problem } => CommandError::from_tagged("calendar", &problem),
            other => CommandError::from_tagged("booking", &other),
        }
    }
}

impl From<emhana_workstation::HomeVisitError> for CommandError {
    /// The rules' refusals go out under their own prefix: `triage.<problem>`,
    /// `call_refused.<ground>`, `plan.<problem>`; the rest as `home_visit.<code>`.
    fn from(error: emhana_workstation::HomeVisitError) -> Self {
        use emhana_workstation::HomeVisitError;
        match error {
            HomeVisitError::Store(store) => store.into(),
            HomeVisitError::Triage { problem } => CommandError::from_tagged("triage", &problem),
            HomeVisitError::CallRefused { refusal } => CommandError::from_tagged("call_refused", &refusal),
            HomeVisitError::Plan { problem } => CommandError::from_tagged("plan", &problem),
            other => CommandError::from_tagged("home_visit", &other),
        }
    }
}
