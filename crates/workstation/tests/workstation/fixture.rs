//! A small hand-made population whose search results can be predicted.

use chrono::NaiveDate;
use emhana_domain::{Address, Bin, Citizenship, ClinicKind, DistrictKind, Iin, Person, Sex, StaffRole};
use emhana_workstation::{
    ClinicRecord, CoverageRecord, DistrictRecord, HouseholdRecord, StaffRecord, Workstation,
};
use tempfile::TempDir;

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub fn iin(birth_date: NaiveDate, sex: Sex) -> Iin {
    (0..)
        .find_map(|serial| Iin::compose(birth_date, sex, serial))
        .unwrap()
}

fn address(house: &str, apartment: Option<&str>) -> Address {
    Address {
        settlement: "Астана".into(),
        street: "Абай даңғылы".into(),
        house: house.into(),
        apartment: apartment.map(Into::into),
    }
}

pub fn person(surname: &str, first: &str, patronymic: Option<&str>, born: NaiveDate, sex: Sex) -> Person {
    Person {
        iin: iin(born, sex),
        surname: surname.into(),
        first_name: first.into(),
        patronymic: patronymic.map(Into::into),
        birth_date: born,
        sex,
        citizenship: Citizenship::Citizen,
        address: None,
        phone: None,
    }
}

pub fn clinic() -> ClinicRecord {
    ClinicRecord {
        bin: Bin::complete([0, 4, 0, 3, 4, 0, 0, 0, 0, 1, 0]).unwrap(),
        name_kk: "№1 қалалық емхана".into(),
        name_ru: "Городская поликлиника №1".into(),
        kind: ClinicKind::Polyclinic,
        settlement: "Астана".into(),
        address: "Астана, Абай даңғылы, 1".into(),
        phone: "+7 7172 20 00 00".into(),
        hours: "08:00–20:00".into(),
        is_home: true,
        districts: vec![DistrictRecord {
            number: 1,
            kind: DistrictKind::Therapeutic,
            coverage: vec![CoverageRecord {
                settlement: "Астана".into(),
                street: "Абай даңғылы".into(),
                house_from: 1,
                house_to: 20,
            }],
        }],
        staff: vec![
            StaffRecord {
                iin: iin(date(1980, 1, 1), Sex::Female),
                surname: "Сейітова".into(),
                first_name: "Гүлнұр".into(),
                patronymic: None,
                role: StaffRole::DistrictNurse,
                specialty: None,
                district_number: Some(1),
                phone: None,
            },
            StaffRecord {
                iin: iin(date(1975, 6, 15), Sex::Male),
                surname: "Жұмабаев".into(),
                first_name: "Ерлан".into(),
                patronymic: Some("Маратұлы".into()),
                role: StaffRole::DistrictDoctor,
                specialty: Some("therapist".into()),
                district_number: Some(1),
                phone: None,
            },
            StaffRecord {
                iin: iin(date(1990, 2, 2), Sex::Female),
                surname: "Оспанова".into(),
                first_name: "Дана".into(),
                patronymic: None,
                role: StaffRole::Registrar,
                specialty: None,
                district_number: None,
                phone: None,
            },
            StaffRecord {
                iin: iin(date(1970, 4, 4), Sex::Female),
                surname: "Бекмұратова".into(),
                first_name: "Сәуле".into(),
                patronymic: None,
                role: StaffRole::Head,
                specialty: None,
                district_number: None,
                phone: None,
            },
        ],
    }
}

/// Another clinic in town, where some persons are attached.
pub fn other_clinic() -> ClinicRecord {
    ClinicRecord {
        bin: Bin::complete([0, 4, 0, 3, 4, 0, 0, 0, 0, 2, 0]).unwrap(),
        name_kk: "№2 қалалық емхана".into(),
        name_ru: "Городская поликлиника №2".into(),
        is_home: false,
        address: "Астана, Сарыарқа даңғылы, 2".into(),
        districts: vec![DistrictRecord {
            number: 1,
            kind: DistrictKind::Therapeutic,
            coverage: vec![CoverageRecord {
                settlement: "Астана".into(),
                street: "Сарыарқа даңғылы".into(),
                house_from: 1,
                house_to: 40,
            }],
        }],
        staff: vec![],
        ..clinic()
    }
}

/// The Әлібековs at Абай 12-5 (with Қайрат's real-world-shaped IIN
/// 780322300458), a man whose first name is Әлібек, and others.
pub fn households() -> Vec<HouseholdRecord> {
    let home = address("12", Some("5"));
    let mut kairat = person(
        "Әлібеков",
        "Қайрат",
        Some("Серікұлы"),
        date(1978, 3, 22),
        Sex::Male,
    );
    kairat.iin = Iin::parse("780322300458").unwrap();
    kairat.phone = Some("7012345678".into());
    let mut aigerim = person(
        "Әлібекова",
        "Айгерім",
        Some("Болатқызы"),
        date(1981, 7, 9),
        Sex::Female,
    );
    aigerim.phone = Some("7771112233".into());
    let child = person(
        "Әлібеков",
        "Нұрсұлтан",
        Some("Қайратұлы"),
        date(2020, 2, 29),
        Sex::Male,
    );
    let alibek = person(
        "Ахметов",
        "Әлібек",
        Some("Серікович"),
        date(1990, 1, 1),
        Sex::Male,
    );
    let ivanov = person("Иванов", "Пётр", Some("Ильич"), date(1955, 5, 5), Sex::Male);
    let zhanna = person("Серікова", "Жанна", None, date(1999, 12, 31), Sex::Female);
    let mut family = vec![kairat, aigerim, child];
    for member in &mut family {
        member.address = Some(home.clone());
    }
    vec![
        HouseholdRecord {
            address: home,
            members: family,
            attachments: vec![],
        },
        HouseholdRecord {
            address: address("3", None),
            members: vec![alibek],
            attachments: vec![],
        },
        HouseholdRecord {
            address: address("4", Some("10")),
            members: vec![ivanov],
            attachments: vec![],
        },
        HouseholdRecord {
            address: address("4", Some("11")),
            members: vec![zhanna],
            attachments: vec![],
        },
    ]
}

/// The password every member of the fixture's staff signs in with.
pub const PASSWORD: &str = "correct horse battery";

/// `workstation` acting as the first member of its home clinic's staff with
/// `role`, signed in with [`PASSWORD`] (every member gets an account).
pub async fn acting(workstation: &Workstation, role: StaffRole) -> Workstation {
    let hash = emhana_protocol::PasswordHash::new(PASSWORD).unwrap();
    let staff = workstation.organization().await.unwrap().staff;
    let accounts: Vec<_> = staff
        .iter()
        .map(|member| emhana_protocol::Account {
            iin: member.iin.clone(),
            password_hash: hash.clone(),
            disabled: false,
            changed_at: chrono::Utc::now(),
        })
        .collect();
    workstation.import_accounts(&accounts).await.unwrap();
    let member = staff
        .iter()
        .find(|member| member.roles.contains(&role))
        .unwrap_or_else(|| panic!("no {role:?} on the fixture's staff"));
    let session = workstation
        .sign_in(&member.iin, PASSWORD, chrono::Utc::now())
        .await
        .unwrap();
    workstation.acting_as(session)
}

/// `workstation` acting as the member of staff `staff_id` (given an account by [`acting`]).
pub async fn acting_staff(workstation: &Workstation, staff_id: i64) -> Workstation {
    let staff = workstation.organization().await.unwrap().staff;
    let member = staff.iter().find(|member| member.id == staff_id).unwrap();
    let session = workstation
        .sign_in(&member.iin, PASSWORD, chrono::Utc::now())
        .await
        .unwrap();
    workstation.acting_as(session)
}

/// A fresh database file in its own folder, holding the fixture; the
/// workstation acts as the clinic's head, who may do everything.
pub async fn loaded() -> (TempDir, Workstation) {
    let dir = tempfile::tempdir().unwrap();
    let (workstation, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    workstation.import_clinics(&[clinic()]).await.unwrap();
    workstation.import_households(&households()).await.unwrap();
    let head = acting(&workstation, StaffRole::Head).await;
    (dir, head)
}

/// The fixture clinic with a feldsher post: district 9 in the village of
/// Қоянды, a general practice with a feldsher and no doctor, and Омаров Серік
/// (born 1960) attached to it. A fresh database file in its own folder.
pub async fn with_a_feldsher_post() -> (TempDir, Workstation) {
    let dir = tempfile::tempdir().unwrap();
    let (workstation, _) = Workstation::open(&dir.path().join("emhana.sqlite"))
        .await
        .unwrap();
    let mut here = clinic();
    let village = |house: &str| Address {
        settlement: "Қоянды".into(),
        street: "Орталық көшесі".into(),
        house: house.into(),
        apartment: None,
    };
    here.districts.push(DistrictRecord {
        number: 9,
        kind: DistrictKind::GeneralPractice,
        coverage: vec![CoverageRecord {
            settlement: "Қоянды".into(),
            street: "Орталық көшесі".into(),
            house_from: 1,
            house_to: 200,
        }],
    });
    here.staff.push(StaffRecord {
        iin: iin(date(1979, 9, 9), Sex::Female),
        surname: "Қасымова".into(),
        first_name: "Айгүл".into(),
        patronymic: None,
        role: StaffRole::Feldsher,
        specialty: None,
        district_number: Some(9),
        phone: None,
    });
    workstation
        .import_clinics(std::slice::from_ref(&here))
        .await
        .unwrap();
    workstation
        .import_households(&[HouseholdRecord {
            address: village("14"),
            members: vec![person("Омаров", "Серік", None, date(1960, 2, 2), Sex::Male)],
            attachments: vec![Some(emhana_workstation::AttachmentRecord {
                clinic_bin: here.bin,
                district_number: 9,
                ground: emhana_domain::attachment::AttachmentGround::FirstAttachment,
                decided_on: date(2020, 1, 10),
            })],
        }])
        .await
        .unwrap();
    let head = acting(&workstation, StaffRole::Head).await;
    (dir, head)
}

/// The audit log's rows after row `after`, as (action, detail), read through
/// a connection of its own.
pub async fn audit_after(workstation: &Workstation, after: i64) -> Vec<(String, String)> {
    let url = format!("sqlite://{}?mode=ro", workstation.path().display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rows = sqlx::query_as("SELECT action, detail FROM audit_event WHERE id > ?1 ORDER BY id")
        .bind(after)
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows
}

/// A connection of its own to the workstation's file, as any other program could open.
pub async fn connection(workstation: &Workstation) -> sqlx::SqliteConnection {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(workstation.path())
        .connect()
        .await
        .unwrap()
}
