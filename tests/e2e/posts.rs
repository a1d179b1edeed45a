//! A feldsher post and its parent polyclinic in the real app (issue 17): the
//! post's PC takes a villager's call and opens her care plan; the app, the
//! parent's PC, shows them on its posts screen, sends the post's other
//! feldsher to the call, and the post's PC learns of it at its next sync.

use emhana_domain::care_plan::{BasisDocument, Condition, EnrolmentBasis, RiskLevel};
use emhana_domain::organization::ClinicProfile;
use emhana_domain::registration::{DocumentKind, RegistrationForm};
use emhana_domain::{Address, Bin, Citizenship, ClinicKind, DistrictKind, Iin, Sex};
use emhana_registry::organization::{import_coverage, import_staff, set_clinic, set_district};
use emhana_workstation::{CallForm, PlanRequest};

use super::*;

fn staff_iin(n: u32) -> Result<Iin> {
    let birth = chrono::NaiveDate::from_ymd_opt(1981, 5, n).context("date")?;
    (100..)
        .find_map(|serial| Iin::compose(birth, Sex::Female, serial))
        .context("an IIN")
}

fn profile(
    bin: Bin,
    kind: ClinicKind,
    parent: Option<Bin>,
    kk: &str,
    ru: &str,
    settlement: &str,
) -> ClinicProfile {
    ClinicProfile {
        bin,
        name_kk: kk.into(),
        name_ru: ru.into(),
        kind,
        region: "Ақмола облысы".into(),
        parent_bin: parent,
        settlement: settlement.into(),
        address: String::new(),
        phone: String::new(),
        hours: String::new(),
    }
}

/// The district polyclinic and the post of the village of Қоянды under it.
async fn set_up(registry: &sqlx::PgPool) -> Result<(Bin, Bin)> {
    let bin = |serial: u8| {
        (0u8..10)
            .find_map(|n| Bin::complete([1, 5, 0, 3, 4, 0, 0, 0, serial, 7, n]))
            .context("a BIN")
    };
    let (parent, post) = (bin(5)?, bin(6)?);
    let refused = |e| anyhow::anyhow!("{e:?}");
    set_clinic(
        registry,
        &profile(
            parent,
            ClinicKind::Polyclinic,
            None,
            "Қосшы аудандық емханасы",
            "Районная поликлиника Косшы",
            "Қосшы",
        ),
    )
    .await
    .map_err(refused)?;
    set_clinic(
        registry,
        &profile(
            post,
            ClinicKind::FeldsherPost,
            Some(parent),
            "Қоянды ФАП",
            "ФАП села Коянды",
            "Қоянды",
        ),
    )
    .await
    .map_err(refused)?;
    set_district(registry, &parent, 1, DistrictKind::Therapeutic, None)
        .await
        .map_err(refused)?;
    set_district(registry, &post, 1, DistrictKind::GeneralPractice, None)
        .await
        .map_err(refused)?;
    let staff = format!(
        "clinic_bin,iin,surname,first_name,roles,specialty,districts,room\n\
         {parent},{},Ахметова,Айгерім,district_nurse,,1,203\n\
         {parent},{},Жұмабаева,Сәуле,registrar,,,101\n\
         {post},{},Серікова,Мәдина,feldsher,,1,\n\
         {post},{},Оспанов,Ерлан,feldsher,,1,\n",
        staff_iin(1)?,
        staff_iin(2)?,
        staff_iin(3)?,
        staff_iin(4)?,
    );
    import_staff(registry, staff.as_bytes()).await.map_err(refused)?;
    // the parent's registrar and the post's first feldsher sign in
    set_passwords(registry, &parent, &[staff_iin(2)?]).await?;
    set_passwords(registry, &post, &[staff_iin(3)?]).await?;
    let coverage = format!(
        "clinic_bin,district,settlement,street,house_from,house_to,parity\n\
         {parent},1,Қосшы,Абай көшесі,1,99,all\n\
         {post},1,Қоянды,,,,\n"
    );
    import_coverage(registry, coverage.as_bytes())
        .await
        .map_err(refused)?;
    Ok((parent, post))
}

fn villager() -> Result<RegistrationForm> {
    let birth = chrono::NaiveDate::from_ymd_opt(1958, 3, 14).context("date")?;
    let iin = (4000..)
        .find_map(|serial| Iin::compose(birth, Sex::Female, serial))
        .context("an IIN")?;
    Ok(RegistrationForm {
        iin: iin.as_string(),
        surname: "Бекенова".into(),
        first_name: "Зәуре".into(),
        patronymic: "Қасымқызы".into(),
        birth_date: Some(birth),
        sex: Some(Sex::Female),
        citizenship: Some(Citizenship::Citizen),
        document_kind: Some(DocumentKind::IdCard),
        document_number: "031122334".into(),
        document_issued_on: chrono::NaiveDate::from_ymd_opt(2019, 4, 2),
        registered_address: Some(Address {
            settlement: "Қоянды".into(),
            street: "Бірлік".into(),
            house: "7".into(),
            apartment: None,
        }),
        temporary_address: None,
        workplace: String::new(),
        phone: String::new(),
        mother_iin: String::new(),
    })
}

#[tokio::test]
#[ignore = "needs a display and tauri-driver: run by scripts/test.sh under xvfb-run"]
async fn the_parent_clinic_sees_its_posts_call_and_plan_and_sends_the_posts_other_feldsher() -> Result<()> {
    let (app, data, artifacts) = paths()?;
    const NOW: &str = "2026-12-02T10:00:00+05:00";
    let at_now = chrono::DateTime::parse_from_rfc3339(NOW)?.with_timezone(&chrono::Utc);
    let today = emhana_domain::kazakhstan_date(at_now);
    let (registry, base, _server) = start_registry(emhana_synth::SynthConfig {
        persons: 100,
        ..emhana_synth::demo_config(today)
    })
    .await?;
    let (parent, post) = set_up(&registry).await?;

    // The post's PC: the villager attached by her address, her call, her plan.
    let post_dir = tempfile::tempdir()?;
    let (post_pc, _) = Workstation::open(&post_dir.path().join("emhana.sqlite")).await?;
    let post_engine = enrolled_beside(&registry, &base, &post.as_string(), "ФАП", &post_pc, at_now).await?;
    post_engine.sync_once(|_| {}).await?;
    let post_pc = acting_on(&post_pc, &staff_iin(3)?, at_now).await?;
    let person = post_pc
        .register_person(&villager()?, at_now)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let options = post_pc.attachment_options(person, at_now).await?;
    post_pc
        .apply_for_attachment(
            &emhana_workstation::ApplicationForm {
                person_id: person,
                channel: emhana_domain::attachment::Channel::InPerson,
                ground: emhana_domain::attachment::AttachmentGround::FirstAttachment,
                district_id: options.suggestion.map(|s| s.district_id),
                document_kind: Some(DocumentKind::IdCard),
                document_number: "031122334".into(),
                consent: emhana_workstation::ConsentForm {
                    given: Some(true),
                    ..emhana_workstation::ConsentForm::default()
                },
                new_residence: None,
            },
            at_now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    post_engine.sync_once(|_| {}).await?;
    let call = post_pc
        .register_call(
            &CallForm {
                person_id: person,
                caller: "қызы".into(),
                caller_phone: Some("8 701 555 12 34".into()),
                complaint: "қысым көтерілді, бас ауырады".into(),
                temperature: Some(36.9),
                indications: vec![],
                pregnant: false,
                registrar_wants_doctor: false,
                goes: None,
            },
            at_now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    post_pc
        .open_plan(
            person,
            &PlanRequest::Observation {
                condition: Condition::ArterialHypertension,
                risk: RiskLevel::Medium,
                enrolled: today,
                basis: EnrolmentBasis {
                    document: BasisDocument::DistrictDoctorConclusion,
                    dated: today,
                },
            },
            at_now,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    post_engine.sync_once(|_| {}).await?;

    let (_, code) =
        emhana_registry::auth::add_workstation(&registry, &parent.as_string(), "Тіркеу орны", at_now).await?;
    let (driver, client) = start_app(&app, data.path(), Some(NOW)).await?;
    let db = app_database(data.path()).await?;
    let result = async {
        wait_for(&client, "#first-run-registry-url")
            .await?
            .send_keys(&base)
            .await?;
        client
            .find(Locator::Css("#first-run-code"))
            .await?
            .send_keys(&code)
            .await?;
        client
            .find(Locator::Css("#first-run-enrol-submit"))
            .await?
            .click()
            .await?;
        wait_for_text(&client, "#clinic-name", "Қосшы аудандық емханасы").await?;
        sign_in_with(&client, &staff_iin(2)?.as_string(), STAFF_PASSWORD).await?;

        // The posts screen: the post's call, who goes, and the plan.
        click_until(&client, "[data-nav=posts]", "#posts").await?;
        let row = format!(
            "#post-calls [data-post-call=\"{}\"]",
            shared_call_id(&registry, &post).await?
        );
        wait_for_text(&client, &row, "Қоянды ФАП").await?;
        wait_for_text(&client, &row, &call.number).await?;
        wait_for_text(&client, &row, "Серікова Мәдина").await?;
        wait_for_text(&client, "#post-plans", "Бекенова Зәуре").await?;
        wait_for_text(&client, "#post-plans", "артериялық гипертензия").await?;
        std::fs::write(artifacts.join("e2e-posts.png"), client.screenshot().await?)?;

        // The post's other feldsher is sent: marked as waiting, then confirmed.
        let other: i64 = sqlx::query_scalar("SELECT id FROM staff WHERE iin = ?1")
            .bind(staff_iin(4)?.as_string())
            .fetch_one(&db)
            .await?;
        select_when_listed(&client, &format!("{row} select.reassign"), &other.to_string()).await?;
        wait_for_text(&client, &row, "Оспанов Ерлан").await?;
        wait_for(&client, &format!("{row}[data-waiting=true]")).await?;
        std::fs::write(artifacts.join("e2e-posts-sent.png"), client.screenshot().await?)?;
        client
            .find(Locator::Css("#sync-indicator"))
            .await?
            .click()
            .await?;
        wait_for(&client, "#sync-now").await?.click().await?;
        click_until(&client, "[data-nav=posts]", "#posts").await?;
        let started = Instant::now();
        while client
            .find(Locator::Css(&format!("{row}[data-waiting=false]")))
            .await
            .is_err()
        {
            anyhow::ensure!(
                started.elapsed() < Duration::from_secs(30),
                "the registry never answered the change"
            );
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        wait_for_text(&client, &row, "Оспанов Ерлан").await?;

        // The post's PC learns who goes at its next sync.
        post_engine.sync_once(|_| {}).await?;
        let at_post = post_pc.calls_on(today).await?;
        anyhow::ensure!(
            at_post.first().and_then(|c| c.assigned_staff.as_deref()) == Some("Оспанов Ерлан"),
            "the post's journal: {at_post:?}"
        );
        Ok(())
    }
    .await;
    db.close().await;
    drop(driver);
    finish(client, &artifacts.join("e2e-posts-failure.png"), result).await
}

/// The id the registry keeps the post's only call under.
async fn shared_call_id(registry: &sqlx::PgPool, post: &Bin) -> Result<uuid::Uuid> {
    Ok(sqlx::query_scalar(
        "SELECT r.id FROM clinic_record r JOIN clinic c ON c.id = r.clinic_id \
         WHERE c.bin = $1 AND r.kind = 'call'",
    )
    .bind(post.as_string())
    .fetch_one(registry)
    .await?)
}
