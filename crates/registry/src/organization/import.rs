//! Bulk import of staff lists and address coverage from CSV files, in the
//! format docs/organization.md describes: a header naming the columns (in
//! any order), UTF-8 (a byte-order mark is skipped), comma- or
//! semicolon-separated as the spreadsheet saved it. Every line is checked
//! before anything is written; one bad line refuses the whole file with
//! every problem listed by line.

use std::collections::{BTreeMap, HashMap};

use emhana_domain::organization::{
    CoveredArea, District, HouseParity, HouseRange, OrganizationError, StaffMember,
};
use emhana_domain::{Bin, Iin, StaffRole};
use sqlx::PgPool;

use super::ImportReport;
use super::write::{bump, conflicts_as_problems, lock, replace_coverage, upsert_staff};
use crate::file_import::{Line, Problem, SetupError, date, problem, read_lines};

fn bin_of(line: &Line, problems: &mut Vec<Problem>) -> Option<Bin> {
    match line.get("clinic_bin").map(Bin::parse) {
        Some(Ok(bin)) => Some(bin),
        Some(Err(error)) => {
            problems.push(problem(line.number, "bad_bin", format!("clinic_bin: {error}")));
            None
        }
        None => {
            problems.push(problem(line.number, "bad_bin", "clinic_bin is empty"));
            None
        }
    }
}

/// Values of a list column: separated by spaces or `|`.
fn list(text: Option<&str>) -> Vec<&str> {
    text.unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == '|')
        .filter(|v| !v.is_empty())
        .collect()
}

const STAFF_COLUMNS: &[&str] = &[
    "clinic_bin",
    "iin",
    "surname",
    "first_name",
    "patronymic",
    "roles",
    "specialty",
    "districts",
    "room",
    "phone",
    "works_from",
    "works_to",
];

/// Adds or replaces the staff the file lists (by clinic and IIN); staff it
/// does not list stay as they are (a leaver gets a `works_to`).
pub async fn import_staff(pool: &PgPool, bytes: &[u8]) -> Result<ImportReport, SetupError> {
    let lines = read_lines(
        bytes,
        &["clinic_bin", "iin", "surname", "first_name", "roles"],
        STAFF_COLUMNS,
    )?;
    let mut problems = Vec::new();
    let mut by_clinic: BTreeMap<String, (Bin, Vec<(u64, StaffMember)>)> = BTreeMap::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    for line in &lines {
        let bin = bin_of(line, &mut problems);
        let iin = match line.get("iin").map(Iin::parse) {
            Some(Ok(iin)) => Some(iin),
            Some(Err(error)) => {
                problems.push(problem(line.number, "bad_iin", format!("iin: {error}")));
                None
            }
            None => {
                problems.push(problem(line.number, "bad_iin", "iin is empty"));
                None
            }
        };
        let mut roles = Vec::new();
        for text in list(line.get("roles")) {
            match StaffRole::parse(&text.to_lowercase()) {
                Some(role) if !roles.contains(&role) => roles.push(role),
                Some(_) => {}
                None => problems.push(problem(
                    line.number,
                    "unknown_role",
                    format!(
                        "unknown role {text:?} (roles: {})",
                        StaffRole::ALL
                            .iter()
                            .map(|r| r.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
            }
        }
        let mut districts = Vec::new();
        for text in list(line.get("districts")) {
            match text.parse::<u32>() {
                Ok(number) if number > 0 => districts.push(number),
                _ => problems.push(problem(
                    line.number,
                    "bad_district_number",
                    format!("district {text:?} is not a number"),
                )),
            }
        }
        let mut dates = [None, None];
        for (slot, column) in dates.iter_mut().zip(["works_from", "works_to"]) {
            if let Some(text) = line.get(column) {
                *slot = date(text);
                if slot.is_none() {
                    problems.push(problem(
                        line.number,
                        "bad_date",
                        format!("{column} {text:?} is not a date (2026-09-01 or 01.09.2026)"),
                    ));
                }
            }
        }
        let (Some(bin), Some(iin)) = (bin, iin) else {
            continue;
        };
        if let Some(first) = seen.insert((bin.as_string(), iin.as_string()), line.number) {
            problems.push(problem(
                line.number,
                "duplicate_iin",
                format!("IIN {iin} is already on line {first} for the same clinic"),
            ));
            continue;
        }
        let member = StaffMember {
            iin,
            surname: line.get("surname").unwrap_or("").to_owned(),
            first_name: line.get("first_name").unwrap_or("").to_owned(),
            patronymic: line.get("patronymic").map(str::to_owned),
            roles,
            specialty: line.get("specialty").map(str::to_owned),
            districts,
            room: line.get("room").map(str::to_owned),
            phone: line.get("phone").map(str::to_owned),
            works_from: dates[0],
            works_to: dates[1],
        };
        by_clinic
            .entry(bin.as_string())
            .or_insert_with(|| (bin, Vec::new()))
            .1
            .push((line.number, member));
    }

    // in BIN order, so two imports touching the same clinics wait, never deadlock
    let mut tx = pool.begin().await?;
    let mut locked = Vec::new();
    for (bin, members) in by_clinic.values() {
        let Some(clinic) = lock(&mut tx, bin).await? else {
            for (line, _) in members {
                problems.push(problem(
                    *line,
                    "unknown_clinic",
                    format!("no clinic with BIN {bin}"),
                ));
            }
            continue;
        };
        let numbers = clinic.district_numbers();
        for (line, member) in members {
            match member.check(&numbers) {
                Ok(()) => {}
                Err(OrganizationError::NotOurDistrict { number }) => problems.push(problem(
                    *line,
                    "not_our_district",
                    format!("district {number} is not a district of clinic {bin}"),
                )),
                // an unknown role is already reported, with its name
                Err(OrganizationError::NoRole) if problems.iter().any(|p| p.line == Some(*line)) => {}
                Err(error) => problems.push(problem(*line, error.code(), error.to_string())),
            }
        }
        locked.push((clinic, members));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(SetupError::Refused(problems));
    }
    for (clinic, members) in &locked {
        let members: Vec<&StaffMember> = members.iter().map(|(_, m)| m).collect();
        upsert_staff(&mut tx, clinic.id, &members, &clinic.district_ids()).await?;
        bump(&mut tx, clinic.id).await?;
    }
    tx.commit().await?;
    Ok(ImportReport {
        lines: lines.len(),
        clinics: locked.len(),
    })
}

/// A clinic's districts named in a file, each with its areas and their lines.
type AreasByDistrict = BTreeMap<u32, Vec<(u64, CoveredArea)>>;

const COVERAGE_COLUMNS: &[&str] = &[
    "clinic_bin",
    "district",
    "settlement",
    "street",
    "house_from",
    "house_to",
    "parity",
];

/// Replaces the coverage of every district the file names with the areas it
/// lists for it; districts it does not name keep theirs. Refused when two
/// districts of a clinic would claim the same persons.
pub async fn import_coverage(pool: &PgPool, bytes: &[u8]) -> Result<ImportReport, SetupError> {
    let lines = read_lines(bytes, &["clinic_bin", "district", "settlement"], COVERAGE_COLUMNS)?;
    let mut problems = Vec::new();
    let mut by_clinic: BTreeMap<String, (Bin, AreasByDistrict)> = BTreeMap::new();
    for line in &lines {
        let bin = bin_of(line, &mut problems);
        let district = match line.get("district").map(str::parse::<u32>) {
            Some(Ok(number)) if number > 0 => Some(number),
            _ => {
                problems.push(problem(
                    line.number,
                    "bad_district_number",
                    "district is not a number",
                ));
                None
            }
        };
        let number = |column: &str, problems: &mut Vec<Problem>| match line.get(column) {
            None => None,
            Some(text) => match text.parse::<u32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    problems.push(problem(
                        line.number,
                        "bad_house_range",
                        format!("{column} {text:?} is not a house number"),
                    ));
                    None
                }
            },
        };
        let from = number("house_from", &mut problems);
        let to = number("house_to", &mut problems);
        let parity = match line.get("parity").map(str::to_lowercase) {
            None => Some(HouseParity::All),
            Some(text) => {
                let parity = HouseParity::parse(&text);
                if parity.is_none() {
                    problems.push(problem(
                        line.number,
                        "bad_parity",
                        format!("parity {text:?}: all, even or odd"),
                    ));
                }
                parity
            }
        };
        let houses = match (from, to, line.get("house_from"), line.get("house_to")) {
            (Some(from), Some(to), _, _) => Some(HouseRange {
                from,
                to,
                parity: parity.unwrap_or(HouseParity::All),
            }),
            (None, None, None, None) => None,
            // one end without the other (or an unreadable one, already reported)
            (_, _, from_text, to_text) => {
                if from_text.is_none() || to_text.is_none() {
                    problems.push(problem(
                        line.number,
                        "bad_house_range",
                        "give both house_from and house_to, or neither",
                    ));
                }
                None
            }
        };
        let area = CoveredArea {
            settlement: line.get("settlement").unwrap_or("").to_owned(),
            street: line.get("street").map(str::to_owned),
            houses,
        };
        if let Err(error) = area.check() {
            problems.push(problem(line.number, error.code(), error.to_string()));
        }
        let (Some(bin), Some(district)) = (bin, district) else {
            continue;
        };
        by_clinic
            .entry(bin.as_string())
            .or_insert_with(|| (bin, BTreeMap::new()))
            .1
            .entry(district)
            .or_default()
            .push((line.number, area));
    }

    let mut tx = pool.begin().await?;
    let mut plans = Vec::new();
    for (bin, districts) in by_clinic.values() {
        let Some(clinic) = lock(&mut tx, bin).await? else {
            for (line, _) in districts.values().flatten() {
                problems.push(problem(
                    *line,
                    "unknown_clinic",
                    format!("no clinic with BIN {bin}"),
                ));
            }
            continue;
        };
        // the clinic as it would be, and where each new area came from
        let mut after: Vec<District> = clinic.districts.iter().map(|(_, d)| d.clone()).collect();
        let mut lines_of: HashMap<u32, Vec<u64>> = HashMap::new();
        for (number, areas) in districts {
            match after.iter_mut().find(|d| d.number == *number) {
                Some(district) => {
                    district.coverage = areas.iter().map(|(_, area)| area.clone()).collect();
                    lines_of.insert(*number, areas.iter().map(|(line, _)| *line).collect());
                }
                None => {
                    for (line, _) in areas {
                        problems.push(problem(
                            *line,
                            "not_our_district",
                            format!("district {number} is not a district of clinic {bin}"),
                        ));
                    }
                }
            }
        }
        problems.extend(conflicts_as_problems(&after, |district, area| {
            lines_of.get(&district).and_then(|lines| lines.get(area)).copied()
        }));
        plans.push((clinic, districts));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(SetupError::Refused(problems));
    }
    for (clinic, districts) in &plans {
        let ids = clinic.district_ids();
        let named: Vec<i64> = districts.keys().filter_map(|n| ids.get(n).copied()).collect();
        let areas: Vec<(i64, &CoveredArea)> = districts
            .iter()
            .filter_map(|(n, areas)| ids.get(n).map(|id| (*id, areas)))
            .flat_map(|(id, areas)| areas.iter().map(move |(_, area)| (id, area)))
            .collect();
        replace_coverage(&mut tx, &named, &areas).await?;
        bump(&mut tx, clinic.id).await?;
    }
    tx.commit().await?;
    Ok(ImportReport {
        lines: lines.len(),
        clinics: plans.len(),
    })
}
