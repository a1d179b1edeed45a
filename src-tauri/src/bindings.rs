//! `ui/src/lib/bindings.ts`, written from the Rust types: every type a
//! command takes or returns (with the types they hold), the value lists the
//! forms offer, the command names and the closed set of error codes. The UI
//! imports them instead of copying them; the test below fails when the file
//! differs from what the Rust types say (run it with `EMHANA_WRITE_BINDINGS=1`
//! to write it).

use std::collections::BTreeMap;

use ts_rs::{Config, TS, TypeVisitor};

/// Where the generated file lives, from the package root.
const BINDINGS: &str = "ui/src/lib/bindings.ts";

/// The declarations of the visited types and of every type they hold, by name.
struct Declarations<'a> {
    cfg: &'a Config,
    by_name: BTreeMap<String, String>,
    /// Every type walked, declared or not (JSON values hold themselves).
    seen: std::collections::HashSet<std::any::TypeId>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(std::any::TypeId::of::<T>()) {
            return;
        }
        // primitives, Option, Vec, maps and chrono's types have no declaration of their own
        if T::output_path().is_none() {
            T::visit_dependencies(self);
            return;
        }
        let name = T::ident(self.cfg);
        let decl = T::decl(self.cfg);
        if let Some(other) = self.by_name.insert(name.clone(), decl.clone()) {
            assert_eq!(other, decl, "two Rust types are both called {name} in TypeScript");
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

/// The codes of an enum serialized with `tag`, read from its declaration
/// (`{ "code": "slot_taken", ... } | ...`), or its string variants when untagged.
fn variant_codes<T: TS + 'static>(cfg: &Config, tag: Option<&str>) -> Vec<String> {
    let decl = T::decl(cfg);
    let body = decl.split_once('=').map_or(decl.as_str(), |(_, body)| body);
    let pattern = match tag {
        Some(tag) => format!("\"{tag}\": \""),
        None => "\"".to_owned(),
    };
    let mut codes = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find(&pattern) {
        let after = &rest[start + pattern.len()..];
        let Some(end) = after.find('"') else { break };
        codes.push(after[..end].to_owned());
        // an untagged union is `"a" | "b"`: skip past the closing quote
        rest = &after[end + 1..];
    }
    assert!(!codes.is_empty(), "no codes in {decl}");
    codes
}

/// `prefix.code` for each variant, but the ones sent under another prefix.
fn prefixed(prefix: &str, codes: Vec<String>, sent_elsewhere: &[&str]) -> Vec<String> {
    codes
        .into_iter()
        .filter(|code| !sent_elsewhere.contains(&code.as_str()))
        .map(|code| format!("{prefix}.{code}"))
        .collect()
}

/// Every code a command error can carry, as `crate::error` maps the errors.
fn error_codes(cfg: &Config) -> Vec<String> {
    use emhana_domain::booking::{BookingRefusal, StatusRefusal};
    use emhana_domain::calendar::CalendarError;
    use emhana_domain::care_plan::PlanError;
    use emhana_domain::home_call::{CallRefusal, TriageError};
    use emhana_domain::schedule::ScheduleError;
    use emhana_workstation::{BookingError, HomeVisitError, OpenError, StoreError};
    let tag = Some("code");
    let mut codes: Vec<String> = crate::error::ShellCode::ALL
        .iter()
        .map(|code| code.as_str().to_owned())
        .collect();
    codes.extend(prefixed("open", variant_codes::<OpenError>(cfg, tag), &[]));
    codes.extend(prefixed("store", variant_codes::<StoreError>(cfg, tag), &[]));
    codes.extend(prefixed(
        "booking",
        variant_codes::<BookingError>(cfg, tag),
        &["store", "refused", "status", "schedule", "calendar"],
    ));
    codes.extend(prefixed(
        "booking",
        variant_codes::<BookingRefusal>(cfg, tag),
        &[],
    ));
    codes.extend(prefixed(
        "booking_status",
        variant_codes::<StatusRefusal>(cfg, tag),
        &[],
    ));
    codes.extend(prefixed(
        "schedule",
        variant_codes::<ScheduleError>(cfg, tag),
        &[],
    ));
    codes.extend(prefixed(
        "calendar",
        variant_codes::<CalendarError>(cfg, tag),
        &[],
    ));
    codes.extend(prefixed(
        "home_visit",
        variant_codes::<HomeVisitError>(cfg, tag),
        &["store", "triage", "call_refused", "plan"],
    ));
    codes.extend(prefixed("triage", variant_codes::<TriageError>(cfg, tag), &[]));
    codes.extend(prefixed(
        "call_refused",
        variant_codes::<CallRefusal>(cfg, tag),
        &[],
    ));
    codes.extend(prefixed("plan", variant_codes::<PlanError>(cfg, tag), &[]));
    codes.extend(prefixed(
        "sign_in",
        variant_codes::<emhana_workstation::SignInError>(cfg, tag),
        &["store"],
    ));
    codes.sort();
    codes.dedup();
    codes
}

/// Every other code the core sends for the UI to translate, with the
/// catalog prefix it is translated under.
fn message_codes(cfg: &Config) -> Vec<String> {
    use emhana_domain::attachment::{AttachmentGround, Channel, DistrictSource, RefusalGround};
    use emhana_domain::booking::{BookingChannel, BookingStatus, VisitCategory, VisitReason};
    use emhana_domain::calendar::DayKind;
    use emhana_domain::care_plan::{
        BasisDocument, Condition, PlanClosure, PlanKind, PregnancyOutcome, RiskLevel, VisitOutcome,
        VisitPurpose, VisitState, VisitWho,
    };
    use emhana_domain::home_call::{CallStatus, Indication, Responder, TriageReason};
    use emhana_domain::registration::DocumentKind;
    use emhana_domain::registration::FieldProblem;
    use emhana_domain::schedule::{DayClosed, ExceptionKind, SessionKind};
    use emhana_domain::{AgeGroup, Citizenship, DistrictKind, IdentifierError, Sex};
    use emhana_protocol::RejectGround;
    use emhana_workstation::AttentionAction;
    let mut codes = Vec::new();
    // tagged enums (and one plain serde enum): their codes read off the declaration
    codes.extend(prefixed(
        "identifier",
        variant_codes::<IdentifierError>(cfg, Some("code")),
        &[],
    ));
    codes.extend(prefixed(
        "field",
        variant_codes::<FieldProblem>(cfg, Some("code")),
        &[],
    ));
    codes.extend(prefixed(
        "reject",
        variant_codes::<RejectGround>(cfg, Some("code")),
        &[],
    ));
    codes.extend(prefixed(
        "person_problem",
        variant_codes::<emhana_domain::PersonProblem>(cfg, None),
        &[],
    ));
    codes.extend(prefixed(
        "attention.action",
        variant_codes::<AttentionAction>(cfg, None),
        &[],
    ));
    codes.extend(
        emhana_protocol::OrganizationProblem::CODES
            .iter()
            .map(|code| format!("organization.problem.{code}")),
    );
    codes.extend(
        emhana_protocol::OpBody::KINDS
            .iter()
            .map(|kind| format!("attention.kind.{kind}")),
    );
    codes.extend(prefixed(
        "day.closed",
        variant_codes::<DayClosed>(cfg, Some("reason")),
        &[],
    ));
    // the domain's text enums: their own list, spelled as serde spells them
    macro_rules! texts {
        ($($prefix:literal => $enum:ty),+ $(,)?) => {
            $(codes.extend(<$enum>::ALL.iter().map(|value| format!("{}.{}", $prefix, value.as_str())));)+
        };
    }
    texts!(
        "action" => emhana_domain::access::Action,
        "refusal" => RefusalGround,
        "reason" => VisitReason,
        "status" => BookingStatus,
        "call_status" => CallStatus,
        "triage_reason" => TriageReason,
        "purpose" => VisitPurpose,
        "plan_closure" => PlanClosure,
        "basis" => BasisDocument,
        "age_group" => AgeGroup,
        "attach.source" => DistrictSource,
        "calendar.kind" => DayKind,
        "category" => VisitCategory,
        "channel" => Channel,
        "citizenship" => Citizenship,
        "district_kind" => DistrictKind,
        "document" => DocumentKind,
        "relation" => emhana_domain::registration::Relation,
        "exception_kind" => ExceptionKind,
        "ground" => AttachmentGround,
        "indication" => Indication,
        "plan.kind" => PlanKind,
        "pregnancy_outcome" => PregnancyOutcome,
        "responder" => Responder,
        "risk" => RiskLevel,
        "session_kind" => SessionKind,
        "sex" => Sex,
        "visit_outcome" => VisitOutcome,
        "visit_state" => VisitState,
        "visit_who" => VisitWho,
        "booking_channel" => BookingChannel,
        "condition" => Condition,
        "role" => emhana_domain::StaffRole,
        "clinic_kind" => emhana_domain::ClinicKind,
        "parity" => emhana_domain::organization::HouseParity,
        "osms.category" => emhana_domain::osms::StatePaidCategory,
        "osms.kind" => emhana_domain::osms::PaymentKind,
        "osms.policy_status" => emhana_domain::osms::PolicyStatus,
    );
    codes.extend(prefixed(
        "lookup.unavailable",
        variant_codes::<emhana_workstation::LookupUnavailable>(cfg, None),
        &[],
    ));
    codes.extend(prefixed(
        "osms.unavailable",
        variant_codes::<emhana_workstation::OsmsUnavailable>(cfg, None),
        &[],
    ));
    codes.extend(
        emhana_sync::SyncError::CODES
            .iter()
            .map(|code| format!("sync.error.{code}")),
    );
    codes.sort();
    codes.dedup();
    codes
}

/// A value list as TypeScript: `export const NAME: Type[] = ['a', 'b'];`.
fn value_list(name: &str, type_name: &str, values: impl IntoIterator<Item = &'static str>) -> String {
    let values: Vec<String> = values.into_iter().map(|value| format!("'{value}'")).collect();
    format!("export const {name}: {type_name}[] = [{}];\n", values.join(", "))
}

/// A list of strings as a TypeScript constant with its union type.
fn string_list(name: &str, type_name: &str, values: &[String]) -> String {
    let mut out = format!("export const {name} = [\n");
    for value in values {
        out.push_str(&format!("  '{value}',\n"));
    }
    out.push_str(&format!(
        "] as const;\nexport type {type_name} = (typeof {name})[number];\n"
    ));
    out
}

/// The whole file.
fn generate() -> String {
    use emhana_domain::attachment::{AttachmentGround, Channel};
    use emhana_domain::booking::{BookingChannel, BookingStatus, VisitCategory, VisitReason};
    use emhana_domain::care_plan::{BasisDocument, Condition, RiskLevel};
    use emhana_domain::home_call::{Indication, Responder};
    use emhana_domain::organization::HouseParity;
    use emhana_domain::registration::{DocumentKind, Relation};
    use emhana_domain::schedule::{ExceptionKind, SessionKind};
    use emhana_domain::{AgeGroup, Citizenship, DistrictKind, StaffRole};

    let cfg = Config::new().with_large_int("number");
    let mut declarations = Declarations {
        cfg: &cfg,
        by_name: BTreeMap::new(),
        seen: std::collections::HashSet::new(),
    };
    roots(&mut declarations);

    let mut out = String::from(
        "// Generated from the Rust types by src-tauri/src/bindings.rs. Do not edit: change the Rust\n\
         // type, then EMHANA_WRITE_BINDINGS=1 cargo test --workspace --features custom-protocol --bin emhana bindings\n\n",
    );
    for decl in declarations.by_name.values() {
        out.push_str("export ");
        out.push_str(decl);
        out.push_str("\n\n");
    }
    out.push_str(&format!(
        "/** Kazakhstan's one offset from UTC (emhana_domain::time): instants are shown at it. */\n\
         export const KAZAKHSTAN_UTC_OFFSET_HOURS = {};\n\n",
        emhana_domain::time::KAZAKHSTAN_UTC_OFFSET_HOURS
    ));
    out.push_str("// The value lists the forms offer, in the core's order.\n");
    macro_rules! lists {
        ($($name:literal => $enum:ident),+ $(,)?) => {
            $(out.push_str(&value_list($name, stringify!($enum), $enum::ALL.iter().map(|value| value.as_str())));)+
        };
    }
    lists!(
        "DOCUMENT_KINDS" => DocumentKind,
        "RELATIONS" => Relation,
        "CITIZENSHIPS" => Citizenship,
        "CHANNELS" => Channel,
        "GROUNDS" => AttachmentGround,
        "AGE_GROUPS" => AgeGroup,
        "BOOKING_CHANNELS" => BookingChannel,
        "BOOKING_STATUSES" => BookingStatus,
        "SESSION_KINDS" => SessionKind,
        "EXCEPTION_KINDS" => ExceptionKind,
        "INDICATIONS" => Indication,
        "RESPONDERS" => Responder,
        "CONDITIONS" => Condition,
        "RISK_LEVELS" => RiskLevel,
        "BASIS_DOCUMENTS" => BasisDocument,
        "STAFF_ROLES" => StaffRole,
        "DISTRICT_KINDS" => DistrictKind,
        "HOUSE_PARITIES" => HouseParity,
    );
    // chrono's weekdays, as serde writes them ("Mon") in schedules
    let weekdays: Vec<String> = [
        chrono::Weekday::Mon,
        chrono::Weekday::Tue,
        chrono::Weekday::Wed,
        chrono::Weekday::Thu,
        chrono::Weekday::Fri,
        chrono::Weekday::Sat,
        chrono::Weekday::Sun,
    ]
    .iter()
    .map(|day| {
        format!(
            "'{}'",
            serde_json::to_string(day).unwrap_or_default().trim_matches('"')
        )
    })
    .collect();
    out.push_str(&format!(
        "export type Weekday = {};\nexport const WEEKDAYS: Weekday[] = [{}];\n",
        weekdays.join(" | "),
        weekdays.join(", ")
    ));
    out.push_str(
        "/** Seed 000's reasons of a visit, grouped by category (the order the form lists them in). */\n",
    );
    out.push_str("export const VISIT_REASONS: [VisitCategory, VisitReason[]][] = [\n");
    for category in VisitCategory::ALL {
        let reasons: Vec<String> = VisitReason::ALL
            .iter()
            .filter(|reason| reason.category() == *category)
            .map(|reason| format!("'{}'", reason.as_str()))
            .collect();
        out.push_str(&format!(
            "  ['{}', [{}]],\n",
            category.as_str(),
            reasons.join(", ")
        ));
    }
    out.push_str("];\n");
    out.push_str("/** Seed 000's names of the reasons, as the slip prints them; the catalogs take theirs from here. */\n");
    out.push_str("export const VISIT_REASON_NAMES: Record<VisitReason, { kk: string; ru: string }> = {\n");
    for reason in VisitReason::ALL {
        out.push_str(&format!(
            "  {}: {{ kk: {}, ru: {} }},\n",
            reason.as_str(),
            serde_json::Value::from(reason.name_kk()),
            serde_json::Value::from(reason.name_ru())
        ));
    }
    out.push_str("};\n");
    out.push('\n');

    let names: Vec<String> = crate::command_names()
        .iter()
        .map(|path| path.rsplit("::").next().unwrap_or(path).trim().to_owned())
        .collect();
    out.push_str("// Every command the shell answers (src-tauri/src/main.rs).\n");
    out.push_str(&string_list("COMMANDS", "CommandName", &names));
    out.push('\n');
    out.push_str("// Every code a command error can carry (src-tauri/src/error.rs).\n");
    out.push_str(&string_list("ERROR_CODES", "ErrorCode", &error_codes(&cfg)));
    out.push('\n');
    out.push_str("// Every other code the core sends to be translated, under its catalog prefix.\n");
    out.push_str(&string_list("MESSAGE_CODES", "MessageCode", &message_codes(&cfg)));
    out
}

/// The types the commands take and return; the types they hold follow.
fn roots(visit: &mut Declarations<'_>) {
    use emhana_domain::attachment::{AttachmentGround, Campaign, Channel, ListNorms};
    use emhana_domain::booking::{BookingChannel, BookingStatus, VisitReason};
    use emhana_domain::calendar::CalendarDay;
    use emhana_domain::care_plan::{BasisDocument, Condition, PregnancyOutcome, RiskLevel, VisitOutcome};
    use emhana_domain::documents::SlipFormat;
    use emhana_domain::home_call::{CallStatus, Indication, Responder};
    use emhana_domain::registration::{DocumentKind, FieldError, RegistrationForm};
    use emhana_domain::round::RoundPace;
    use emhana_domain::schedule::{ExceptionKind, ScheduleException, SessionKind, Slot, WeeklyTemplate};
    use emhana_domain::{AgeGroup, Citizenship, IdentifierError};
    use emhana_workstation as ws;

    use crate::commands::attachment::{ApplicationPaper, Printed};
    use crate::commands::search::IinReading;
    use crate::commands::setup::{AttachmentReference, RulesInForce, Startup};
    use crate::commands::sync::{ExportedBundle, SyncView};
    use crate::error::CommandError;

    macro_rules! visit {
        ($($ty:ty),+ $(,)?) => { $(visit.visit::<$ty>();)+ };
    }
    visit!(
        CommandError,
        Startup,
        crate::session::SessionState,
        ws::StaffSession,
        IinReading,
        IdentifierError,
        ws::SearchOutcome,
        ws::PersonCard,
        ws::OsmsView,
        ws::LookupOutcome,
        emhana_domain::registration::PersonChange,
        ws::AuditCheck,
        ws::StoreStatus,
        ws::Language,
        RegistrationForm,
        FieldError,
        DocumentKind,
        Citizenship,
        Channel,
        AttachmentGround,
        AgeGroup,
        ws::AttachmentOptions,
        ws::ApplicationForm,
        ws::ApplicationOutcome,
        ws::AttachmentEntry,
        ApplicationPaper,
        Printed,
        ws::RegisterFilter,
        ws::RegisterPage,
        AttachmentReference,
        Campaign,
        ListNorms,
        RulesInForce,
        RoundPace,
        SlipFormat,
        SyncView,
        ws::AttentionItem,
        ExportedBundle,
        emhana_sync::bundle::ImportedAnswers,
        ws::Doctor,
        ws::BookingOptions,
        ws::BookingView,
        ws::BookingForm,
        ws::BookingDetail,
        BookingStatus,
        BookingChannel,
        VisitReason,
        emhana_domain::booking::VisitCategory,
        Slot,
        ws::DoctorDay,
        ws::ClinicDayLine,
        ws::ScheduleView,
        ws::ScheduleChange,
        WeeklyTemplate,
        ScheduleException,
        SessionKind,
        ExceptionKind,
        CalendarDay,
        ws::CallForm,
        ws::CallPreview,
        ws::CallView,
        CallStatus,
        Indication,
        Responder,
        ws::PlanRequest,
        ws::PlanView,
        ws::Unassigned,
        ws::PostCallView,
        ws::PostPlanView,
        PregnancyOutcome,
        RiskLevel,
        Condition,
        BasisDocument,
        ws::Nurse,
        ws::RoundView,
        ws::StopRef,
        VisitOutcome,
        ws::VisitHistoryEvent,
        ws::VisitView,
        ws::DueVisit,
        ws::OrganizationView,
        emhana_protocol::OrganizationChange,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bindings_are_what_the_rust_types_say() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS);
        // ts-rs walks deep type trees recursively: more stack than a test thread's 2 MiB
        let generated = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(generate)
            .expect("a thread for the generator")
            .join()
            .expect("the generator finished");
        if std::env::var_os("EMHANA_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &generated).expect("bindings.ts is writable");
            return;
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            kept == generated,
            "{BINDINGS} is not what the Rust types say: run `EMHANA_WRITE_BINDINGS=1 cargo test \
             --workspace --features custom-protocol --bin emhana bindings` and commit it"
        );
    }
}
