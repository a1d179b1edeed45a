//! The documents as a person gets them: real PDFs read back with poppler's
//! `pdftotext`, checked with `qpdf --check`, the QR code decoded with `zbarimg`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{NaiveDate, TimeZone, Utc};
use emhana_domain::attachment::{AttachmentGround, Campaign, Channel, RefusalGround};
use emhana_domain::booking::{BookingStatus, VisitReason};
use emhana_domain::documents::{
    ApplicationDocument, BookingSlip, ClinicHeader, ConsentDocument, DayListBooking, DayListRow,
    DoctorDayList, DocumentOutcome, PersonLine, SlipFormat, TeamMember,
};
use emhana_domain::{Address, DistrictKind, StaffRole};
use emhana_print::{Printer, application_qr_text};

mod appointments;
mod attachment;
mod osms;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn clinic() -> ClinicHeader {
    ClinicHeader {
        name_kk: "№1 қалалық емхана".into(),
        name_ru: "Городская поликлиника №1".into(),
        bin: "040340000018".into(),
        address: "Астана, Абай даңғылы, 10".into(),
        phone: "+7 7172 20 00 00".into(),
        hours: "Дс–Жм / Пн–Пт 08:00–20:00".into(),
    }
}

fn person() -> PersonLine {
    PersonLine {
        full_name: "Әбдірахманова Гүлнұр Серікқызы".into(),
        iin: "850412400123".into(),
        birth_date: date(1985, 4, 12),
        address: Some(Address {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house: "12".into(),
            apartment: Some("5".into()),
        }),
    }
}

fn application(outcome: DocumentOutcome) -> ApplicationDocument {
    ApplicationDocument {
        clinic: clinic(),
        application_id: 4711,
        application_number: "2026/17".into(),
        submitted_at: Utc.with_ymd_and_hms(2026, 10, 1, 5, 30, 0).unwrap(),
        decided_on: date(2026, 10, 1),
        channel: Channel::InPerson,
        ground: AttachmentGround::FreeChoice,
        person: person(),
        registrar: "Оспанова Дана Құрманғазықызы".into(),
        outcome,
    }
}

/// Writes a PDF into the test's folder, or into `EMHANA_PRINT_OUT` when set,
/// to look at the pages.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::var_os("EMHANA_PRINT_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.to_path_buf());
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn text_of(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn qpdf_check(pdf: &Path) {
    let out = Command::new("qpdf").arg("--check").arg(pdf).output().unwrap();
    assert!(
        out.status.success(),
        "qpdf --check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn qr_of(pdf: &Path) -> String {
    let prefix = pdf.with_extension("");
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "150", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .unwrap();
    assert!(status.success());
    let out = Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(prefix.with_extension("png"))
        .output()
        .unwrap();
    assert!(out.status.success(), "zbarimg found no code");
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Every fragment, in the order given, with whitespace runs as pdftotext lays them out.
fn assert_contains_all(text: &str, fragments: &[&str]) {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for fragment in fragments {
        assert!(flat.contains(fragment), "{fragment:?} not in:\n{text}");
    }
}
