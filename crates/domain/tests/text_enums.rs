//! Every coded value travels with one spelling: the UI sends `as_str`'s text,
//! serde reads it, and what Rust sends back is that text again. The register's
//! age filter once failed for every group because serde spelled `under_1` as
//! `under1` (issue 14); this checks every `text_enum!` so it cannot return.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use emhana_domain::access::Action;
use emhana_domain::attachment::{
    AttachmentGround, CampaignEffect, Channel, DistrictSource, EndReason, RefusalGround,
};
use emhana_domain::booking::{BookingChannel, BookingStatus, VisitCategory, VisitReason};
use emhana_domain::calendar::DayKind;
use emhana_domain::care_plan::{
    BasisDocument, Condition, PlanClosure, PlanKind, PregnancyOutcome, RiskLevel, VisitOutcome, VisitPurpose,
    VisitState, VisitWho,
};
use emhana_domain::documents::{SlipFormat, StatementRefusalGround};
use emhana_domain::home_call::{CallStatus, Indication, Responder, TriageReason};
use emhana_domain::organization::HouseParity;
use emhana_domain::osms::{PaymentKind, PolicyStatus, StatePaidCategory};
use emhana_domain::registration::{DocumentKind, Field, Relation};
use emhana_domain::schedule::{ExceptionKind, SessionKind};
use emhana_domain::{AgeGroup, Citizenship, ClinicKind, DistrictKind, Sex, StaffRole};

/// For each value: JSON of its text → Rust → JSON is the same text, and
/// `parse` reads it back. Returns how many values were checked.
macro_rules! round_trip {
    ($($enum:ty),+ $(,)?) => {{
        let mut enums = 0;
        $(
            for value in <$enum>::ALL {
                let text = value.as_str();
                let from_ui: $enum = serde_json::from_str(&format!("\"{text}\"")).unwrap_or_else(|e| {
                    panic!("{} {text:?} sent by the UI is not read: {e}", stringify!($enum))
                });
                assert_eq!(from_ui, *value);
                assert_eq!(serde_json::to_string(value).unwrap(), format!("\"{text}\""), "{}", stringify!($enum));
                assert_eq!(<$enum>::parse(text), Some(*value));
            }
            enums += 1;
        )+
        enums
    }};
}

#[test]
fn every_text_enum_has_one_spelling_through_serde_both_ways() {
    let checked = round_trip!(
        Channel,
        AttachmentGround,
        RefusalGround,
        EndReason,
        CampaignEffect,
        DistrictSource,
        VisitCategory,
        VisitReason,
        BookingChannel,
        BookingStatus,
        DayKind,
        VisitWho,
        VisitPurpose,
        PlanKind,
        PlanClosure,
        BasisDocument,
        PregnancyOutcome,
        Condition,
        RiskLevel,
        VisitState,
        VisitOutcome,
        ClinicKind,
        DistrictKind,
        StaffRole,
        SlipFormat,
        Indication,
        Responder,
        TriageReason,
        CallStatus,
        Sex,
        Citizenship,
        AgeGroup,
        DocumentKind,
        Field,
        SessionKind,
        ExceptionKind,
        HouseParity,
        Action,
        PaymentKind,
        StatePaidCategory,
        PolicyStatus,
        StatementRefusalGround,
        Relation,
    );
    // every text_enum! in the crate is in the list above
    fn count_in(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .map(|path| match path.is_dir() {
                true => count_in(&path),
                false => std::fs::read_to_string(&path)
                    .unwrap()
                    .matches("text_enum!(")
                    .count(),
            })
            .sum()
    }
    let declared = count_in(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert_eq!(checked, declared, "a text_enum! is missing from this test's list");
    // and a spelling no enum has is refused, not read as something else
    assert!(serde_json::from_str::<AgeGroup>("\"under1\"").is_err());
}
