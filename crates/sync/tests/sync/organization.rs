//! A real clinic set up from nothing (issue 18): the registry's
//! administrator enters the clinic by command and CSV import; two PCs on
//! empty databases enrol and the clinic arrives with their first sync; a
//! person registered at one window lands on the district of their side of
//! the street; the head enters a doctor's schedule on her PC and the
//! registrar books with that doctor on hers; a later change of the staff
//! list reaches both PCs.

use chrono::NaiveDate;
use emhana_domain::attachment::{AttachmentGround, Channel, DistrictSource};
use emhana_domain::booking::{BookingChannel, VisitReason};
use emhana_domain::organization::ClinicProfile;
use emhana_domain::registration::{DocumentKind, RegistrationForm};
use emhana_domain::{Address, Bin, Citizenship, ClinicKind, DistrictKind, Iin, Sex};
use emhana_registry::organization::{import_coverage, import_staff, set_clinic, set_district, set_password};
use emhana_workstation::{ApplicationForm, BookingForm, ConsentForm, Workstation};

use super::*;

fn bin() -> Result<Bin> {
    (0u8..10)
        .find_map(|n| Bin::complete([1, 5, 0, 3, 4, 0, 0, 0, 7, 7, n]))
        .ok_or_else(|| anyhow::anyhow!("a BIN"))
}

pub(super) fn staff_iin(n: u16) -> Result<Iin> {
    let birth = NaiveDate::from_ymd_opt(1980, 3, 1 + u32::from(n)).unwrap_or_default();
    (100 * n..)
        .find_map(|serial| Iin::compose(birth, Sex::Female, serial))
        .ok_or_else(|| anyhow::anyhow!("an IIN"))
}

/// The clinic as its administrator enters it at the registry.
async fn set_up(region: &Region, bin: Bin) -> Result<()> {
    set_clinic(
        &region.pool,
        &ClinicProfile {
            bin,
            name_kk: "№ 9 қалалық емхана".into(),
            name_ru: "Городская поликлиника № 9".into(),
            kind: ClinicKind::Polyclinic,
            region: "Астана".into(),
            parent_bin: None,
            settlement: "Астана".into(),
            address: "Астана, Абай даңғылы, 50".into(),
            phone: "+7 7172 40 90 90".into(),
            hours: "Дс–Жм / Пн–Пт 08:00–20:00".into(),
        },
    )
    .await?;
    set_district(&region.pool, &bin, 1, DistrictKind::Therapeutic, None).await?;
    set_district(&region.pool, &bin, 2, DistrictKind::Therapeutic, None).await?;
    set_district(&region.pool, &bin, 3, DistrictKind::Pediatric, None).await?;
    let staff = format!(
        "clinic_bin,iin,surname,first_name,roles,specialty,districts,room\n\
         {bin},{},Омарова,Гүлнар,head district_doctor,therapist,1,201\n\
         {bin},{},Бекова,Дана,district_doctor,therapist,2,202\n\
         {bin},{},Ким,Ольга,district_doctor,pediatrician,3,301\n\
         {bin},{},Ахметова,Айгерім,district_nurse,,1 2,203\n\
         {bin},{},Жұмабаева,Сәуле,registrar,,,101\n",
        staff_iin(1)?,
        staff_iin(2)?,
        staff_iin(3)?,
        staff_iin(4)?,
        staff_iin(5)?,
    );
    import_staff(&region.pool, staff.as_bytes()).await?;
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n\
         {bin},1,Астана,Абай даңғылы,1,99,odd\n\
         {bin},2,Астана,Абай даңғылы,2,98,even\n\
         {bin},3,Астана,Абай даңғылы,1,99,all\n"
    );
    import_coverage(&region.pool, coverage.as_bytes()).await?;
    // the head's and the registrar's passwords, as the registry's administrator sets them
    let now = *region.now.lock().map_err(|_| anyhow::anyhow!("clock"))?;
    for n in [1, 5] {
        set_password(&region.pool, &bin, &staff_iin(n)?.to_string(), PASSWORD, now).await?;
    }
    Ok(())
}

/// The password of the staff with an account in these tests.
pub(super) const PASSWORD: &str = "Көктем-2026!";

/// `pc` acting as the member of staff with `iin`, signed in with [`PASSWORD`]
/// (their account came with the PC's sync).
pub(super) async fn signed_in(
    pc: &Workstation,
    iin: Iin,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Workstation> {
    let session = pc
        .sign_in(&iin.to_string(), PASSWORD, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(pc.acting_as(session))
}

/// A PC on an empty database, enrolled with a code the administrator read out.
pub(super) async fn empty_pc(
    region: &Region,
    dir: &std::path::Path,
    bin: Bin,
) -> Result<(Workstation, String)> {
    let (workstation, _) = Workstation::open(&dir.join("emhana.sqlite")).await?;
    anyhow::ensure!(workstation.is_empty().await?, "a new database is empty");
    let now = *region.now.lock().map_err(|_| anyhow::anyhow!("clock"))?;
    let (_, code) =
        emhana_registry::auth::add_workstation(&region.pool, &bin.as_string(), "Тіркеу орны", now).await?;
    let enrolment = emhana_sync::enrol(&region.base, &code).await?;
    workstation.save_enrolment(&region.base, &enrolment, now).await?;
    Ok((workstation, enrolment.credential))
}

pub(super) fn adult(n: u16, house: &str) -> RegistrationForm {
    let birth = NaiveDate::from_ymd_opt(1985, 6, 10).unwrap_or_default();
    let iin = (2000 + 10 * n..)
        .find_map(|serial| Iin::compose(birth, Sex::Male, serial))
        .map(|iin| iin.to_string())
        .unwrap_or_default();
    RegistrationForm {
        iin,
        surname: "Нұрланов".into(),
        first_name: "Асқар".into(),
        patronymic: "Серікұлы".into(),
        birth_date: Some(birth),
        sex: Some(Sex::Male),
        citizenship: Some(Citizenship::Citizen),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "045612378".into(),
        document_issued_on: NaiveDate::from_ymd_opt(2020, 1, 15),
        registered_address: Some(Address {
            settlement: "Астана".into(),
            street: "Абай даңғылы".into(),
            house: house.into(),
            apartment: Some("12".into()),
        }),
        temporary_address: None,
        workplace: String::new(),
        phone: String::new(),
        mother_iin: String::new(),
    }
}

#[tokio::test]
async fn a_new_pc_on_an_empty_database_gets_its_clinic_and_works_with_it() -> Result<()> {
    let now = kz(2026, 12, 2, 10);
    let region = Region::start(60, now).await?;
    let bin = bin()?;
    set_up(&region, bin).await?;
    let dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (head_pc, head_credential) = empty_pc(&region, dirs.0.path(), bin).await?;
    let (desk, desk_credential) = empty_pc(&region, dirs.1.path(), bin).await?;
    let head_engine = region.engine(&head_pc, &head_credential, small_pages())?;
    let desk_engine = region.engine(&desk, &desk_credential, small_pages())?;
    let first = sync_round(&desk_engine).await?;
    assert!(first.organization_changed);
    sync_round(&head_engine).await?;

    // the clinic arrived: its name, districts and staff as the registry holds them
    let status = desk.status().await?;
    let clinic = status
        .clinic
        .ok_or_else(|| anyhow::anyhow!("no clinic after the first sync"))?;
    assert_eq!(
        (clinic.bin.as_str(), clinic.districts, clinic.staff),
        (bin.as_string().as_str(), 3, 5)
    );
    assert_eq!(clinic.name_ru, "Городская поликлиника № 9");
    let doctors = desk.doctors().await?;
    assert_eq!(doctors.len(), 3);
    // a second round brings nothing new
    assert!(!sync_round(&desk_engine).await?.organization_changed);
    // the accounts came with it: the registrar signs in at the desk, the head at hers
    let desk = signed_in(&desk, staff_iin(5)?, now).await?;
    let head_pc = signed_in(&head_pc, staff_iin(1)?, now).await?;

    // a man from house 16 — the even side — goes to district 2 by his address
    let person = desk
        .register_person(&adult(1, "16"), now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let options = desk.attachment_options(person, now).await?;
    let suggestion = options
        .suggestion
        .ok_or_else(|| anyhow::anyhow!("no district suggested"))?;
    let district = options
        .districts
        .iter()
        .find(|d| d.id == suggestion.district_id)
        .ok_or_else(|| anyhow::anyhow!("the suggested district"))?;
    assert_eq!((district.number, suggestion.source), (2, DistrictSource::Address));
    assert_eq!(district.doctor.as_deref(), Some("Бекова Дана"));
    desk.apply_for_attachment(
        &ApplicationForm {
            person_id: person,
            channel: Channel::InPerson,
            ground: AttachmentGround::FirstAttachment,
            district_id: Some(district.id),
            document_kind: Some(DocumentKind::IdCard),
            document_number: "045612378".into(),
            consent: ConsentForm {
                given: Some(true),
                ..ConsentForm::default()
            },
            new_residence: None,
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    // the head enters district 2's doctor's week on her PC
    let doctor_at_head = head_pc
        .doctors()
        .await?
        .into_iter()
        .find(|d| d.district_number == Some(2))
        .ok_or_else(|| anyhow::anyhow!("district 2's doctor at the head's PC"))?;
    let week = emhana_synth::doctor_week(0, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default());
    head_pc
        .set_schedule_template(doctor_at_head.id, &week, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    sync_round(&head_engine).await?;
    sync_round(&desk_engine).await?;

    // and the registrar books the man with that doctor
    let booking = desk.booking_options(person, now).await?;
    assert_eq!(booking.refusal, None);
    let doctor = booking
        .district_doctor_id
        .ok_or_else(|| anyhow::anyhow!("the man's district doctor"))?;
    assert_eq!(
        doctors.iter().find(|d| d.id == doctor).map(|d| d.iin.as_str()),
        Some(doctor_at_head.iin.as_str())
    );
    let slot = booking
        .free
        .first()
        .ok_or_else(|| anyhow::anyhow!("no free slot: the schedule did not arrive"))?;
    desk.book(
        &BookingForm {
            person_id: person,
            staff_id: doctor,
            starts_at: slot.starts,
            reason: VisitReason::AcuteOrExacerbation,
            channel: BookingChannel::InPerson,
        },
        now,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    // the attachment went with the round before, the booking with this one
    let report = sync_round(&desk_engine).await?;
    assert_eq!((report.confirmed, report.rejected), (1, 0), "the booking applied");
    assert!(desk.pending_ops(10).await?.is_empty());
    assert_eq!(
        region
            .count(&format!(
                "SELECT count(*) FROM attachment a JOIN clinic c ON c.id = a.clinic_id JOIN district d ON d.id = a.district_id \
                 WHERE c.bin = '{bin}' AND d.number = 2 AND a.ended_on IS NULL"
            ))
            .await?,
        1,
        "the registry holds him on district 2"
    );

    // a nurse joins the staff list: both PCs have her after their next round
    let joiner = format!(
        "clinic_bin,iin,surname,first_name,roles,districts,works_from\n{bin},{},Сейітова,Раушан,district_nurse,3,2026-12-03\n",
        staff_iin(6)?
    );
    import_staff(&region.pool, joiner.as_bytes()).await?;
    for engine in [&desk_engine, &head_engine] {
        assert!(sync_round(engine).await?.organization_changed);
    }
    for pc in [&desk, &head_pc] {
        assert_eq!(pc.status().await?.clinic.map(|c| c.staff), Some(6));
    }
    Ok(())
}

/// The head changes the organization at her PC: a nurse joins, a street is
/// added to district 1's coverage. The registry applies them with the rules
/// an import passes; the desk's PC has them after its next round. A change
/// that would make two districts claim the same houses is refused before it
/// leaves her PC; one that only the registry can see is wrong (another PC
/// gave the street to district 2 meanwhile) is refused there and listed in
/// needs attention.
#[tokio::test]
async fn the_head_changes_the_organization_at_her_pc_and_the_registry_checks_it() -> Result<()> {
    use emhana_domain::StaffRole;
    use emhana_domain::organization::{CoveredArea, HouseParity, HouseRange, StaffMember};
    use emhana_protocol::OrganizationChange;
    let now = kz(2026, 12, 2, 10);
    let region = Region::start(60, now).await?;
    let bin = bin()?;
    set_up(&region, bin).await?;
    let dirs = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (head_pc, head_credential) = empty_pc(&region, dirs.0.path(), bin).await?;
    let (desk, desk_credential) = empty_pc(&region, dirs.1.path(), bin).await?;
    let head_engine = region.engine(&head_pc, &head_credential, small_pages())?;
    let desk_engine = region.engine(&desk, &desk_credential, small_pages())?;
    sync_round(&head_engine).await?;
    sync_round(&desk_engine).await?;
    let head_pc = signed_in(&head_pc, staff_iin(1)?, now).await?;

    let nurse = StaffMember {
        iin: staff_iin(7)?,
        surname: "Сейітова".into(),
        first_name: "Раушан".into(),
        patronymic: None,
        roles: vec![StaffRole::DistrictNurse],
        specialty: None,
        districts: vec![3],
        room: Some("302".into()),
        phone: None,
        works_from: NaiveDate::from_ymd_opt(2026, 12, 3),
        works_to: None,
    };
    head_pc
        .change_organization(
            None,
            &OrganizationChange::Staff {
                member: nurse.clone(),
            },
            now,
        )
        .await?;
    let street = |name: &str| CoveredArea {
        settlement: "Астана".into(),
        street: Some(name.into()),
        houses: Some(HouseRange {
            from: 1,
            to: 40,
            parity: HouseParity::All,
        }),
    };
    let mut district_1 = head_pc.organization().await?.districts[0].coverage.clone();
    district_1.push(street("Бейбітшілік көшесі"));
    head_pc
        .change_organization(
            None,
            &OrganizationChange::Coverage {
                district: 1,
                areas: district_1.clone(),
            },
            now,
        )
        .await?;
    // waiting for the registry, and not yet in the organization
    let before = head_pc.organization().await?;
    assert_eq!(before.pending.len(), 2);
    assert_eq!(before.staff.len(), 5);

    // the same houses for district 2 as well: refused on her PC, nothing sent
    let refused = head_pc
        .change_organization(
            None,
            &OrganizationChange::Coverage {
                district: 2,
                areas: vec![street("Бейбітшілік көшесі")],
            },
            now,
        )
        .await;
    match refused {
        Err(emhana_workstation::StoreError::OrganizationRefused { problems }) => {
            assert_eq!(problems[0].code, "coverage_overlap")
        }
        other => anyhow::bail!("expected a refusal, got {other:?}"),
    }

    // applied, and taken back with the same round
    let report = sync_round(&head_engine).await?;
    assert_eq!((report.confirmed, report.rejected), (2, 0));
    assert!(report.organization_changed);
    let after = head_pc.organization().await?;
    assert!(after.pending.is_empty());
    assert_eq!(after.staff.len(), 6);
    assert_eq!(after.districts[0].coverage, district_1);
    sync_round(&desk_engine).await?;
    assert_eq!(desk.organization().await?.staff.len(), 6);
    assert!(
        desk.organization().await?.districts[2]
            .staff
            .contains(&"Сейітова Раушан".to_owned())
    );

    // the desk gives Сарыарқа to district 2 while the head, not yet synced,
    // gives it to district 1: hers passes her PC's check, the registry refuses it
    let desk = signed_in(&desk, staff_iin(1)?, now).await?;
    desk.change_organization(
        None,
        &OrganizationChange::Coverage {
            district: 2,
            areas: vec![street("Сарыарқа даңғылы")],
        },
        now,
    )
    .await?;
    let mut district_1_more = district_1.clone();
    district_1_more.push(street("Сарыарқа даңғылы"));
    head_pc
        .change_organization(
            None,
            &OrganizationChange::Coverage {
                district: 1,
                areas: district_1_more,
            },
            now,
        )
        .await?;
    sync_round(&desk_engine).await?;
    let report = sync_round(&head_engine).await?;
    assert_eq!(report.rejected, 1);
    let attention = head_pc.needs_attention().await?;
    assert_eq!(attention.len(), 1);
    assert_eq!(attention[0].kind, "change_organization");
    assert_eq!(
        attention[0].action,
        emhana_workstation::AttentionAction::CheckOrganization
    );
    match &attention[0].ground {
        emhana_protocol::RejectGround::OrganizationRefused { problems } => {
            assert_eq!(problems[0].code, "coverage_overlap")
        }
        other => anyhow::bail!("refused for {other:?}"),
    }
    // and her PC shows the street where the registry put it
    sync_round(&head_engine).await?;
    let final_view = head_pc.organization().await?;
    assert_eq!(final_view.districts[0].coverage, district_1);
    assert_eq!(final_view.districts[1].coverage, vec![street("Сарыарқа даңғылы")]);
    Ok(())
}

/// The registry's administrator sets passwords (a weak one refused, staff of
/// no clinic refused) and disables an account: the PC, offline in between,
/// still signs her in; from its next sync on it refuses her.
#[tokio::test]
async fn an_account_disabled_at_the_registry_is_refused_at_the_pc_from_its_next_sync() -> Result<()> {
    use emhana_registry::organization::{SetupError, set_disabled};
    use emhana_workstation::SignInError;
    let now = kz(2026, 12, 2, 10);
    let region = Region::start(60, now).await?;
    let bin = bin()?;
    set_up(&region, bin).await?;
    let registrar = staff_iin(5)?.to_string();
    let refused = |result: Result<(), SetupError>| match result {
        Err(SetupError::Refused(problems)) => problems.into_iter().map(|p| p.code).collect::<Vec<_>>(),
        other => panic!("refused expected: {other:?}"),
    };
    assert_eq!(
        refused(set_password(&region.pool, &bin, &registrar, "short", now).await),
        ["bad_password"]
    );
    assert_eq!(
        refused(set_password(&region.pool, &bin, "800101400001", PASSWORD, now).await),
        ["not_staff"]
    );
    assert_eq!(
        refused(set_disabled(&region.pool, &bin, &staff_iin(2)?.to_string(), true, now).await),
        ["no_account"]
    );

    let dir = tempfile::tempdir()?;
    let (desk, credential) = empty_pc(&region, dir.path(), bin).await?;
    let engine = region.engine(&desk, &credential, small_pages())?;
    sync_round(&engine).await?;
    assert!(desk.sign_in(&registrar, PASSWORD, now).await.is_ok());

    set_disabled(&region.pool, &bin, &registrar, true, now).await?;
    // not synced yet: the PC knows only what it was told
    assert!(desk.sign_in(&registrar, PASSWORD, now).await.is_ok());
    assert!(sync_round(&engine).await?.organization_changed);
    assert!(matches!(
        desk.sign_in(&registrar, PASSWORD, now).await,
        Err(SignInError::Disabled)
    ));
    // enabled again, with her next sync
    set_disabled(&region.pool, &bin, &registrar, false, now).await?;
    sync_round(&engine).await?;
    assert!(desk.sign_in(&registrar, PASSWORD, now).await.is_ok());
    Ok(())
}
