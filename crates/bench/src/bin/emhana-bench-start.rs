//! The app's cold start and idle memory on a city-sized database (issue 18
//! asks ≤2 s to a usable search box and ≤150 MB idle with 1M persons).
//!
//! Each run starts the app as the e2e tests do — tauri-driver launches it
//! under the display and a WebDriver session watches the window — on a copy
//! of the database, and measures from the session's request (the program not
//! yet started) to the search box shown, and to the first results of a name
//! typed into it. The driver's own start is inside the figure, so it is an
//! upper bound. With `--cold` the kernel's page cache is dropped before each
//! run (root only): the program, its libraries and the database are read
//! from disk as after a reboot. Then the window sits idle and the resident
//! memory of the app and of the WebKit processes it started is read from
//! /proc (RSS, and PSS, which shares each shared page among its users).
//!
//! ```sh
//! emhana-synth --persons 1000000 --db /tmp/city/emhana.sqlite
//! xvfb-run -a -s '-screen 0 1280x800x24' \
//!   emhana-bench-start --app target/release/emhana --data /tmp/city --runs 10 --cold
//! ```

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;
use emhana_bench::stats::summary;
use fantoccini::{Client, ClientBuilder, Locator, key::Key};
use hyper_util::client::legacy::connect::HttpConnector;

#[derive(Debug, Parser)]
struct Args {
    /// The app's binary (a release build, or the installed /usr/bin/emhana).
    #[arg(long)]
    app: PathBuf,
    /// A data folder holding emhana.sqlite (left as it is: each run gets a copy).
    #[arg(long)]
    data: PathBuf,
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Drop the page cache before each run (needs root).
    #[arg(long)]
    cold: bool,
    /// Seconds the window sits idle before its memory is read.
    #[arg(long, default_value_t = 10)]
    idle: u64,
    /// What is typed into the search box.
    #[arg(long, default_value = "Ахмет")]
    query: String,
    #[arg(long, default_value_t = 4460)]
    port: u16,
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

/// A process's parent and resident memory, read from /proc.
struct Process {
    pid: u32,
    parent: u32,
    name: String,
}

fn processes() -> Vec<Process> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (name) state ppid ...": the name may hold spaces, so split at its last ')'
            let (head, rest) = stat.rsplit_once(')')?;
            let name = head.split_once('(')?.1.to_owned();
            let parent = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some(Process { pid, parent, name })
        })
        .collect()
}

/// The kB figure of `key` in a /proc file ("VmRSS:   1234 kB").
fn kb(path: &str, key: &str) -> Option<u64> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .find(|line| line.starts_with(key))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// RSS and PSS in MiB of the app (by its program name) and of everything it started.
fn memory(app_name: &str) -> Result<(f64, f64, f64, f64)> {
    let all = processes();
    let app = all
        .iter()
        .find(|p| app_name.starts_with(&p.name))
        .context("the app's process is not running")?;
    let mut tree = vec![app.pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(all.iter().filter(|p| p.parent == parent).map(|p| p.pid));
        i += 1;
    }
    let mib = |kb: u64| kb as f64 / 1024.0;
    let rss = |pid: u32| kb(&format!("/proc/{pid}/status"), "VmRSS:").unwrap_or(0);
    let pss = |pid: u32| kb(&format!("/proc/{pid}/smaps_rollup"), "Pss:").unwrap_or(0);
    Ok((
        mib(rss(app.pid)),
        mib(pss(app.pid)),
        mib(tree.iter().map(|&p| rss(p)).sum()),
        mib(tree.iter().map(|&p| pss(p)).sum()),
    ))
}

async fn connect(port: u16, app: &Path) -> Result<Client> {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("browserName".into(), "wry".into());
    capabilities.insert("tauri:options".into(), serde_json::json!({ "application": app }));
    ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .context("opening a WebDriver session")
}

async fn wait_for(client: &Client, css: &str) -> Result<()> {
    client
        .wait()
        .at_most(Duration::from_secs(120))
        .for_element(Locator::Css(css))
        .await
        .with_context(|| format!("waiting for {css}"))?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let database = args.data.join(emhana_workstation::DATABASE_FILE_NAME);
    if !database.is_file() {
        bail!("no database at {}", database.display());
    }
    let app_name = args
        .app
        .file_name()
        .and_then(|n| n.to_str())
        .context("the app's file name")?
        .to_owned();
    let persons: i64 = {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", database.display())).await?;
        let n = sqlx::query_scalar("SELECT count(*) FROM person")
            .fetch_one(&pool)
            .await?;
        pool.close().await;
        n
    };
    println!(
        "{} persons; app {} ({:.1} MiB)",
        persons,
        args.app.display(),
        std::fs::metadata(&args.app)?.len() as f64 / 1048576.0
    );

    let mut to_search_box = Vec::new();
    let mut to_results = Vec::new();
    let mut app_rss = Vec::new();
    let mut all_pss = Vec::new();
    for run in 0..args.runs {
        let data = tempfile::tempdir()?;
        std::fs::copy(
            &database,
            data.path().join(emhana_workstation::DATABASE_FILE_NAME),
        )?;
        let _driver = Driver(
            Command::new("tauri-driver")
                .arg("--port")
                .arg(args.port.to_string())
                .arg("--native-port")
                .arg((args.port + 1).to_string())
                .env("EMHANA_DATA_DIR", data.path())
                .env("EMHANA_SYNC_INTERVAL_SECS", "3600")
                .spawn()
                .context("starting tauri-driver")?,
        );
        // the driver listens before anything of the app exists
        let ready = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", args.port)).is_err() {
            anyhow::ensure!(
                ready.elapsed() < Duration::from_secs(20),
                "tauri-driver did not start"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        if args.cold {
            Command::new("sync").status()?;
            std::fs::write("/proc/sys/vm/drop_caches", "3").context("dropping the page cache (root only)")?;
        }
        let started = Instant::now();
        let client = connect(args.port, &args.app).await?;
        let measured = async {
            wait_for(&client, "#search").await?;
            let search_box = started.elapsed();
            client
                .find(Locator::Css("#search"))
                .await?
                .send_keys(&format!("{}{}", args.query, Key::End))
                .await?;
            wait_for(&client, "#results .hit").await?;
            let results = started.elapsed();
            tokio::time::sleep(Duration::from_secs(args.idle)).await;
            let (rss, pss, tree_rss, tree_pss) = memory(&app_name)?;
            println!(
                "run {run}: search box {:.0} ms, results {:.0} ms; idle: app RSS {rss:.0} MiB (PSS {pss:.0}), \
                 with WebKit's processes RSS {tree_rss:.0} MiB (PSS {tree_pss:.0})",
                search_box.as_secs_f64() * 1e3,
                results.as_secs_f64() * 1e3,
            );
            Ok::<_, anyhow::Error>((search_box, results, rss, tree_pss))
        }
        .await;
        client.close().await?;
        let (search_box, results, rss, tree_pss) = measured?;
        to_search_box.push(search_box);
        to_results.push(results);
        app_rss.push(rss);
        all_pss.push(tree_pss);
    }
    summary("start to the search box", to_search_box);
    summary("start to the first results", to_results);
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(0.0)
    };
    let max = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "idle memory: app RSS median {:.0} MiB max {:.0}; app and WebKit PSS median {:.0} MiB max {:.0}",
        median(app_rss.clone()),
        max(&app_rss),
        median(all_pss.clone()),
        max(&all_pss)
    );
    Ok(())
}
