//! The installer (issue 18): the `.deb` a clinic installs, installed with
//! `dpkg -i` on this machine, the installed app started from where the
//! package put it — with its own data folder under a fresh home, as on a new
//! PC — and its first screen seen; then removed.
//!
//! `scripts/test.sh` bundles the package from the binary the tests were built
//! with (`tauri bundle --debug`) and names it in `EMHANA_DEB`;
//! `scripts/package.sh` builds the release one the same way.

use super::*;

/// The package, removed again when the test ends (also when it fails).
struct Installed {
    name: String,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = as_root("dpkg", &["--remove", &self.name]);
    }
}

/// Runs a package command as root: directly when the tests run as root (CI
/// machines and this one), else through sudo.
fn as_root(program: &str, args: &[&str]) -> Result<std::process::Output> {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0");
    let output = if root {
        Command::new(program).args(args).output()
    } else {
        Command::new("sudo").arg("-n").arg(program).args(args).output()
    }
    .with_context(|| format!("running {program}"))?;
    anyhow::ensure!(
        output.status.success(),
        "{program} {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(output)
}

fn deb_field(deb: &Path, field: &str) -> Result<String> {
    let output = Command::new("dpkg-deb")
        .arg("--field")
        .arg(deb)
        .arg(field)
        .output()?;
    anyhow::ensure!(
        output.status.success(),
        "dpkg-deb could not read {}",
        deb.display()
    );
    Ok(String::from_utf8(output.stdout)?.trim().to_owned())
}

#[tokio::test]
#[ignore = "needs a display, tauri-driver, root for dpkg and the bundled .deb: run by scripts/test.sh"]
async fn the_deb_installs_and_the_installed_app_starts_on_a_new_pc() -> Result<()> {
    let deb = PathBuf::from(
        std::env::var_os("EMHANA_DEB")
            .context("EMHANA_DEB names no package: scripts/test.sh bundles it before this test")?,
    );
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-artifacts");
    std::fs::create_dir_all(&artifacts)?;

    // What the package says of itself: a desktop app on WebKitGTK, nothing built from source.
    let name = deb_field(&deb, "Package")?;
    let depends = deb_field(&deb, "Depends")?;
    assert!(depends.contains("libwebkit2gtk-4.1-0"), "Depends: {depends}");
    assert!(depends.contains("libgtk-3-0"), "Depends: {depends}");

    as_root("dpkg", &["--install", &deb.to_string_lossy()])?;
    let installed = Installed { name };
    let files = String::from_utf8(as_root("dpkg", &["--listfiles", &installed.name])?.stdout)?;
    let app = files
        .lines()
        .find(|line| line.starts_with("/usr/bin/"))
        .map(PathBuf::from)
        .context("the package installs no program in /usr/bin")?;
    let desktop = files
        .lines()
        .find(|line| line.starts_with("/usr/share/applications/") && line.ends_with(".desktop"))
        .context("the package installs no menu entry")?;
    let entry = std::fs::read_to_string(desktop)?;
    assert!(
        entry.contains(&format!(
            "Exec={}",
            app.file_name().context("name")?.to_string_lossy()
        )),
        "the menu entry starts another program: {entry}"
    );
    assert!(
        files.lines().any(|line| line.starts_with("/usr/share/icons/")),
        "the package has no icon"
    );

    // A new PC: a home of its own, no test switches, the app finds its own data folder.
    let home = tempfile::tempdir()?;
    let mut command = driver_command(DRIVER_PORT);
    command
        .env("HOME", home.path())
        .env_remove("EMHANA_DATA_DIR")
        .env_remove("EMHANA_NOW")
        .env_remove("XDG_DATA_HOME")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_CACHE_HOME");
    let (_driver, client) = connect(DRIVER_PORT, command, &app).await?;
    let result = async {
        // the first screen of an empty database: the clinic's registry, or the demo
        wait_for(&client, "#first-run-enrol #first-run-registry-url").await?;
        wait_for(&client, "#first-run-code").await?;
        let demo = wait_for(&client, "#load-demo").await?;
        std::fs::write(
            artifacts.join("e2e-installed-first-run.png"),
            client.screenshot().await?,
        )?;
        // the installed app writes where an installed app keeps its data
        demo.click().await?;
        sign_in_demo(&client, &demo_role("registrar")).await?;
        let search = wait_for(&client, "#search").await?;
        search.send_keys("Ах").await?;
        wait_for(&client, "#results .hit").await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    finish(client, &artifacts.join("e2e-installed-failure.png"), result).await?;
    let database = home
        .path()
        .join(".local/share/kz.emhana.workstation")
        .join(emhana_workstation::DATABASE_FILE_NAME);
    assert!(database.is_file(), "no database at {}", database.display());

    drop(installed);
    assert!(!app.exists(), "{} is still there after removal", app.display());
    Ok(())
}
