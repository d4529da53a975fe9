//! `xtask web-size`: the page's weight and speed, as a benchmark (printed,
//! never asserted). Builds the page, then reports
//! - each file the page loads, raw and gzipped (level 9, as a static host
//!   or CDN would serve it), against the 300 KB budget;
//! - in headless Chromium, the time from navigation start to the first
//!   rendered YAML (the `uepe-rendered` performance mark the page sets once
//!   its outputs are in the DOM), cold (fresh profile) and warm (reload),
//!   next to a baseline measured in the same run: a static HTML page with
//!   the same stylesheet and a YAML block, no script.

use anyhow::{Context, Result};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::serve::Server;
use crate::web;
use crate::webdriver::{Driver, Session};

/// The transfer budget of the whole page, gzipped.
const BUDGET: usize = 300 * 1024;
/// Browser sessions for cold starts, and reloads for warm ones.
const COLD_RUNS: usize = 5;
const WARM_RUNS: usize = 10;

/// Runs the benchmark.
pub fn run() -> Result<()> {
    let built = web::build()?;
    let _reading = web::lock(true)?;
    let dist = web::dist();
    println!("web/dist, component sha256 {}", built.sha256);
    println!("{:<22} {:>10} {:>10}", "file", "raw", "gzip -9");
    let (mut raw_total, mut gz_total) = (0, 0);
    for f in web::PAGE_FILES.iter().chain(&["favicon.svg"]) {
        let bytes = std::fs::read(dist.join(f)).with_context(|| format!("reading {f}"))?;
        let gz = gzip_len(&bytes)?;
        raw_total += bytes.len();
        gz_total += gz;
        println!("{f:<22} {:>10} {:>10}", bytes.len(), gz);
    }
    println!("{:<22} {raw_total:>10} {gz_total:>10}", "total");
    println!(
        "gzipped transfer: {:.1} KB of a {} KB budget ({})",
        gz_total as f64 / 1024.0,
        BUDGET / 1024,
        if gz_total <= BUDGET { "within" } else { "OVER" }
    );
    timing(&dist)
}

fn gzip_len(bytes: &[u8]) -> Result<usize> {
    let mut e = GzEncoder::new(Vec::new(), Compression::best());
    e.write_all(bytes)?;
    Ok(e.finish()?.len())
}

fn find(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn timing(dist: &Path) -> Result<()> {
    let (Some(chromium), Some(chromedriver)) = (find("chromium"), find("chromedriver")) else {
        println!(
            "timing skipped: chromium and chromedriver are not on PATH (apt-get install chromium chromium-driver)"
        );
        return Ok(());
    };
    let server = Server::start(dist, Vec::new())?;
    let driver = Driver::start(&chromedriver)?;
    let page = format!("{}/?version=4.3.0", server.origin());
    // The baseline shows the very YAML the page renders, without any script.
    let yaml = {
        let s = driver.session(&chromium, None)?;
        s.goto(&page)?;
        rendered(&s)?;
        s.script(
            "return document.getElementById('out-refresher-text').textContent;",
            json!([]),
        )?
        .as_str()
        .unwrap_or_default()
        .to_owned()
    };
    report_loaded(&server.requests());
    let baseline = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"/style.css\"><title>baseline</title></head><body><main><pre id=\"out-refresher-text\"><code>{}</code></pre></main></body></html>",
        yaml.replace('&', "&amp;").replace('<', "&lt;")
    );
    let base_server = Server::start(
        dist,
        vec![(
            "/__baseline.html".into(),
            "text/html; charset=utf-8",
            baseline.into_bytes(),
        )],
    )?;
    let base = format!("{}/__baseline.html", base_server.origin());

    let mut cold = Vec::new();
    let mut cold_base = Vec::new();
    for _ in 0..COLD_RUNS {
        let s = driver.session(&chromium, None)?;
        cold_base.push(measure(&s, &base, BASELINE_METRIC)?);
        drop(s);
        let s = driver.session(&chromium, None)?;
        cold.push(measure(&s, &page, PAGE_METRIC)?);
    }
    let s = driver.session(&chromium, None)?;
    measure(&s, &page, PAGE_METRIC)?;
    measure(&s, &base, BASELINE_METRIC)?;
    let mut warm = Vec::new();
    let mut warm_base = Vec::new();
    for _ in 0..WARM_RUNS {
        warm.push(measure(&s, &page, PAGE_METRIC)?);
        warm_base.push(measure(&s, &base, BASELINE_METRIC)?);
    }
    let report = |what: &str, page: &mut Vec<f64>, base: &mut Vec<f64>| {
        let (p, b) = (median(page), median(base));
        println!(
            "{what}: first YAML {p:.0} ms (median of {}), baseline static page {b:.0} ms, ratio {:.1}x",
            page.len(),
            p / b.max(1.0)
        );
    };
    println!("navigation start to the first rendered YAML, headless Chromium:");
    report("cold (fresh profile)", &mut cold, &mut cold_base);
    report("warm (reload)", &mut warm, &mut warm_base);
    Ok(())
}

/// Milliseconds from navigation start until the page's YAML is in the DOM.
const PAGE_METRIC: &str = "const m = performance.getEntriesByName('uepe-rendered'); return m.length ? m[0].startTime : null;";
/// The same for the static baseline: its DOM is complete at DOMContentLoaded.
const BASELINE_METRIC: &str = "const n = performance.getEntriesByType('navigation')[0]; return n && n.domContentLoadedEventEnd > 0 ? n.domContentLoadedEventEnd : null;";

fn measure(s: &Session, url: &str, metric: &str) -> Result<f64> {
    s.goto(url)?;
    rendered(s)?;
    for _ in 0..100 {
        if let Some(ms) = s.script(metric, json!([]))?.as_f64() {
            return Ok(ms);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    anyhow::bail!("{url}: no timing after the YAML appeared")
}

/// Says whether the sizes above cover every file the page loaded (from
/// the server's own log of the first visit).
fn report_loaded(requests: &[String]) {
    let counted: Vec<String> = web::PAGE_FILES
        .iter()
        .chain(&["favicon.svg"])
        .map(|f| format!("/{f}"))
        .collect();
    let mut loaded: Vec<String> = requests
        .iter()
        .map(|r| match r.split(['?', '#']).next().unwrap_or(r) {
            "/" => "/index.html".to_owned(),
            p => p.to_owned(),
        })
        .collect();
    loaded.sort();
    loaded.dedup();
    let missing: Vec<&String> = loaded.iter().filter(|p| !counted.contains(p)).collect();
    if missing.is_empty() {
        println!("the page loaded {} files, all counted above", loaded.len());
    } else {
        println!("WARNING: the page also loaded {missing:?}, not counted above");
    }
}

/// Waits for the refresher YAML; on failure says what the browser logged.
fn rendered(s: &Session) -> Result<()> {
    if let Err(e) = s.wait_for("#out-refresher-text", Duration::from_secs(30)) {
        let status = s
            .script(
                "const e = document.getElementById('status'); return e ? e.textContent : '';",
                json!([]),
            )
            .unwrap_or_default();
        anyhow::bail!(
            "{e}; page status {status}; console: {:?}",
            s.console().unwrap_or_default()
        );
    }
    Ok(())
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
