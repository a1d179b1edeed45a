//! A clinic's organization set up from nothing at the registry — by command
//! and CSV import — and handed to its workstations; files with errors
//! refused line by line with nothing written.

use anyhow::{Context, Result, bail};
use emhana_domain::organization::{ClinicProfile, CoveredArea, HouseParity, HouseRange};
use emhana_domain::{Bin, ClinicKind, DistrictKind, StaffRole};
use emhana_protocol::{Organization, OrganizationAnswer};
use emhana_registry::organization::{
    Problem, SetupError, import_coverage, import_staff, set_clinic, set_district,
};

use super::support::{TestRegistry, at, bin, iin};

fn profile(bin: &str, kind: ClinicKind, region: &str, parent: Option<&str>) -> Result<ClinicProfile> {
    Ok(ClinicProfile {
        bin: Bin::parse(bin)?,
        name_kk: "Қалалық емхана № 7".into(),
        name_ru: "Городская поликлиника № 7".into(),
        kind,
        region: region.into(),
        parent_bin: parent.map(Bin::parse).transpose()?,
        settlement: "Астана".into(),
        address: "Астана, Сарыарқа даңғылы, 12".into(),
        phone: "+7 7172 55 00 07".into(),
        hours: "Дс–Жм / Пн–Пт 08:00–20:00".into(),
    })
}

fn refused(result: Result<impl std::fmt::Debug, SetupError>) -> Result<Vec<(Option<u64>, &'static str)>> {
    match result {
        Err(SetupError::Refused(problems)) => {
            Ok(problems.iter().map(|p: &Problem| (p.line, p.code)).collect())
        }
        other => bail!("expected a refusal, got {other:?}"),
    }
}

async fn fetch(
    registry: &TestRegistry,
    client: &super::support::Client,
    known: Option<i64>,
) -> Result<OrganizationAnswer> {
    let query = known.map(|known| format!("?known={known}")).unwrap_or_default();
    let response = client
        .http
        .get(format!("{}/v1/organization{query}", registry.base))
        .bearer_auth(&client.enrolment.credential)
        .send()
        .await?;
    anyhow::ensure!(
        response.status().is_success(),
        "organization: {}",
        response.status()
    );
    Ok(response.json().await?)
}

fn changed(answer: OrganizationAnswer) -> Result<Organization> {
    match answer {
        OrganizationAnswer::Changed { organization } => Ok(*organization),
        OrganizationAnswer::Unchanged { version } => bail!("unchanged at {version}"),
    }
}

/// The clinic of the "done when": a polyclinic with two therapeutic
/// districts splitting a street by side, a pediatric one over both, and a
/// feldsher post in a village with no street names.
async fn set_up_polyclinic(registry: &TestRegistry) -> Result<(String, String)> {
    let (polyclinic, post) = (bin(7), bin(8));
    set_clinic(
        &registry.pool,
        &profile(&polyclinic, ClinicKind::Polyclinic, "Астана", None)?,
    )
    .await?;
    let mut post_profile = profile(&post, ClinicKind::FeldsherPost, "астана", Some(&polyclinic))?;
    post_profile.name_ru = "ФАП села Қоянды".into();
    post_profile.settlement = "Қоянды".into();
    set_clinic(&registry.pool, &post_profile).await?;
    let polyclinic_bin = Bin::parse(&polyclinic)?;
    set_district(
        &registry.pool,
        &polyclinic_bin,
        1,
        DistrictKind::Therapeutic,
        None,
    )
    .await?;
    set_district(
        &registry.pool,
        &polyclinic_bin,
        2,
        DistrictKind::Therapeutic,
        Some(1900),
    )
    .await?;
    set_district(&registry.pool, &polyclinic_bin, 3, DistrictKind::Pediatric, None).await?;
    set_district(
        &registry.pool,
        &Bin::parse(&post)?,
        1,
        DistrictKind::GeneralPractice,
        None,
    )
    .await?;

    // as a Russian-locale spreadsheet saves it: a byte-order mark, semicolons, dd.mm.yyyy
    let staff = format!(
        "\u{feff}clinic_bin;iin;surname;first_name;patronymic;roles;specialty;districts;room;phone;works_from;works_to\n\
         {polyclinic};{};Омарова;Гүлнар;Серікқызы;district_doctor head;therapist;1;214;;01.09.2020;\n\
         {polyclinic};{};Ахметова;Айгерім;;district_nurse;;1 2;215;;;\n\
         {polyclinic};{};Жұмабаев;Ерлан;;registrar;;;101;;2024-01-15;\n\
         {polyclinic};{};Ким;Ольга;Викторовна;district_doctor;pediatrician;3;301;;;\n\
         {post};{};Сейітова;Раушан;;feldsher;;1;;;;\n",
        iin(1),
        iin(2),
        iin(3),
        iin(4),
        iin(5),
    );
    import_staff(&registry.pool, staff.as_bytes()).await?;
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n\
         {polyclinic},1,Астана,Абай даңғылы,1,99,odd\n\
         {polyclinic},2,Астана,Абай даңғылы,2,98,even\n\
         {polyclinic},2,Астана,Сарыарқа даңғылы,,,\n\
         {polyclinic},3,Астана,Абай даңғылы,1,99,\n\
         {post},1,Қоянды,,,,\n"
    );
    import_coverage(&registry.pool, coverage.as_bytes()).await?;
    Ok((polyclinic, post))
}

#[tokio::test]
async fn a_clinic_set_up_by_command_and_csv_reaches_its_workstations_and_its_posts() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 12, 2)).await?;
    let (polyclinic, post) = set_up_polyclinic(&registry).await?;
    // the support's own clinics stay as they are; this one is added after them
    let index = registry.clinics.len();
    let mut registry = registry;
    for bin in [&polyclinic, &post] {
        let id: i64 = sqlx::query_scalar("SELECT id FROM clinic WHERE bin = $1")
            .bind(bin)
            .fetch_one(&registry.pool)
            .await?;
        registry.clinics.push((id, bin.clone()));
    }
    let desk = registry.enrolled(index).await?;
    let organization = changed(fetch(&registry, &desk, None).await?)?;
    let own = organization.clinics.first().context("own clinic")?;
    assert_eq!(own.profile.bin.as_string(), polyclinic);
    assert_eq!(own.profile.region, "Астана");
    assert_eq!(organization.parent, None);
    let numbers: Vec<(u32, DistrictKind, Option<u32>)> = own
        .districts
        .iter()
        .map(|d| (d.number, d.kind, d.list_norm))
        .collect();
    assert_eq!(
        numbers,
        vec![
            (1, DistrictKind::Therapeutic, None),
            (2, DistrictKind::Therapeutic, Some(1900)),
            (3, DistrictKind::Pediatric, None)
        ]
    );
    assert_eq!(
        own.districts[1].coverage,
        vec![
            CoveredArea {
                settlement: "Астана".into(),
                street: Some("Абай даңғылы".into()),
                houses: Some(HouseRange {
                    from: 2,
                    to: 98,
                    parity: HouseParity::Even
                }),
            },
            CoveredArea {
                settlement: "Астана".into(),
                street: Some("Сарыарқа даңғылы".into()),
                houses: None,
            },
        ]
    );
    let head = own
        .staff
        .iter()
        .find(|s| s.iin == iin(1))
        .context("the head in the staff")?;
    assert_eq!(head.roles, vec![StaffRole::DistrictDoctor, StaffRole::Head]);
    assert_eq!(head.room.as_deref(), Some("214"));
    assert_eq!(head.works_from, chrono::NaiveDate::from_ymd_opt(2020, 9, 1));
    let nurse = own.staff.iter().find(|s| s.iin == iin(2)).context("nurse")?;
    assert_eq!(nurse.districts, vec![1, 2]);
    // the post, with its village taken whole and its feldsher
    let post_unit = organization.clinics.get(1).context("the post")?;
    assert_eq!(
        post_unit.profile.parent_bin.as_ref().map(Bin::as_string),
        Some(polyclinic.clone())
    );
    assert_eq!(post_unit.districts[0].coverage[0].street, None);
    assert_eq!(post_unit.staff.len(), 1);

    // nothing new: only the version
    let again = fetch(&registry, &desk, Some(organization.version)).await?;
    assert_eq!(
        again,
        OrganizationAnswer::Unchanged {
            version: organization.version
        }
    );
    // a room change at the post moves the parent's version too
    let change = format!(
        "clinic_bin,iin,surname,first_name,roles,room\n{post},{},Сейітова,Раушан,feldsher,2\n",
        iin(5)
    );
    import_staff(&registry.pool, change.as_bytes()).await?;
    let newer = changed(fetch(&registry, &desk, Some(organization.version)).await?)?;
    assert!(newer.version > organization.version);
    assert_eq!(newer.clinics[1].staff[0].room.as_deref(), Some("2"));

    // the post's own workstation sees the post, and who runs it
    let feldsher_pc = registry.enrolled(index + 1).await?;
    let post_view = changed(fetch(&registry, &feldsher_pc, None).await?)?;
    assert_eq!(post_view.clinics.len(), 1);
    assert_eq!(post_view.clinics[0].profile.bin.as_string(), post);
    assert_eq!(post_view.parent.map(|p| p.bin.as_string()), Some(polyclinic));
    Ok(())
}

#[tokio::test]
async fn a_file_with_bad_lines_is_refused_line_by_line_and_writes_nothing() -> Result<()> {
    let registry = TestRegistry::start(at(2026, 12, 2)).await?;
    let (polyclinic, _post) = set_up_polyclinic(&registry).await?;
    let staff_before = registry.count("SELECT count(*) FROM staff").await?;
    let coverage_before = registry.count("SELECT count(*) FROM district_coverage").await?;
    let other_clinic = &registry.clinics[0].1;

    let staff = format!(
        "clinic_bin,iin,surname,first_name,roles,districts\n\
         {polyclinic},{},Нұрланов,Асқар,registrar,\n\
         {polyclinic},{},Нұрланов,Асқар,registrar,\n\
         {polyclinic},{},Бекова,Дана,surgeon,\n\
         {polyclinic},{},Серікова,Әйгерім,district_nurse,9\n\
         {other_clinic},{},Серікова,Әйгерім,district_nurse,3\n\
         {polyclinic},12345,Ким,Ольга,registrar,\n",
        iin(20),
        iin(20),
        iin(21),
        iin(22),
        iin(22),
    );
    assert_eq!(
        refused(import_staff(&registry.pool, staff.as_bytes()).await)?,
        vec![
            (Some(3), "duplicate_iin"),
            (Some(4), "unknown_role"),
            (Some(5), "not_our_district"),
            (Some(7), "bad_iin"),
        ]
    );
    // the good lines were not written either
    assert_eq!(registry.count("SELECT count(*) FROM staff").await?, staff_before);

    // district 2 reaching into district 1's odd side; a house range without a street
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n\
         {polyclinic},2,Астана,Абай даңғылы,2,98,even\n\
         {polyclinic},2,Астана,Абай даңғылы,101,121,odd\n\
         {polyclinic},2,Астана,Абай даңғылы,51,51,all\n\
         {polyclinic},3,Астана,,1,5,\n\
         {polyclinic},4,Астана,Бейбітшілік,,,\n"
    );
    assert_eq!(
        refused(import_coverage(&registry.pool, coverage.as_bytes()).await)?,
        vec![
            (Some(4), "coverage_overlap"),
            (Some(5), "houses_without_street"),
            (Some(6), "not_our_district"),
        ]
    );
    assert_eq!(
        registry.count("SELECT count(*) FROM district_coverage").await?,
        coverage_before
    );

    // a post run from another region, a post under a post
    let far = profile(
        &bin(9),
        ClinicKind::FeldsherPost,
        "Ақмола облысы",
        Some(&polyclinic),
    )?;
    assert_eq!(
        refused(set_clinic(&registry.pool, &far).await)?,
        vec![(None, "parent_in_another_region")]
    );
    let under_post = profile(&bin(9), ClinicKind::MedicalPoint, "Астана", Some(&_post))?;
    assert_eq!(
        refused(set_clinic(&registry.pool, &under_post).await)?,
        vec![(None, "parent_is_a_post")]
    );
    assert_eq!(
        registry
            .count(&format!("SELECT count(*) FROM clinic WHERE bin = '{}'", bin(9)))
            .await?,
        0
    );
    // a file that is not what it says
    assert_eq!(
        refused(import_staff(&registry.pool, b"name,age\nx,1\n").await)?,
        vec![(None, "missing_column")]
    );
    Ok(())
}
