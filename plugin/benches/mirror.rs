//! Benchmark (issue 5): `kubectl-uepe mirror` against `skopeo copy --all
//! --preserve-digests` (run once per image, as people do) for the same four
//! multi-arch images (two platforms each, over 512 MiB in all) between the
//! same two loopback CNCF distribution registries, a fresh destination
//! registry for every run, alternating. Reports both medians, their ratio
//! (target: at most 0.8), our peak RSS (target: at most 64 MiB) and the
//! no-op rerun time.
//!
//! Run: `cargo bench -p kubectl-uepe --bench mirror` (needs `docker-registry`
//! and `skopeo`: `apt-get install docker-registry skopeo`). `UEPE_BENCH_RUNS`
//! sets the runs per tool (default 5).

#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

#[path = "../../tests/support/peers.rs"]
#[allow(dead_code)]
mod peers;
#[path = "../../tests/support/registry.rs"]
mod registry;

use registry::Registry;
use registry::fixture::{self, REPO, Spec};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const VERSION: &str = "4.3.0";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Runs `cmd`, returning wall time, the peak RSS seen (VmHWM, KiB) and the
/// CPU time it used (user + system, last seen).
fn timed(cmd: &mut Command) -> (Duration, u64, Duration) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let status_file = format!("/proc/{}/status", child.id());
    let stat_file = format!("/proc/{}/stat", child.id());
    let mut peak = 0;
    let mut cpu_ticks = 0u64;
    loop {
        if let Ok(stat) = std::fs::read_to_string(&stat_file) {
            let rest = stat.rsplit(')').next().unwrap_or_default();
            let f: Vec<&str> = rest.split_whitespace().collect();
            // After the state field: utime and stime are the 12th and 13th.
            if let (Some(u), Some(s)) = (
                f.get(11).and_then(|v| v.parse::<u64>().ok()),
                f.get(12).and_then(|v| v.parse::<u64>().ok()),
            ) {
                cpu_ticks = cpu_ticks.max(u + s);
            }
        }
        if let Ok(text) = std::fs::read_to_string(&status_file)
            && let Some(kb) = text
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<u64>().ok())
        {
            peak = peak.max(kb);
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = start.elapsed();
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Clock ticks are 1/100 s on Linux.
    (took, peak, Duration::from_millis(cpu_ticks * 10))
}

fn ours(src: &str, dst: &str, config: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kubectl-uepe"));
    c.args(["mirror", "--version", VERSION, "--from", src, "--to", dst])
        .env("DOCKER_CONFIG", config);
    c
}

fn skopeo_all(src: &str, dst: &str, authfile: &Path) -> Duration {
    let start = Instant::now();
    for tag in fixture::tags(VERSION) {
        let mut c = Command::new("skopeo");
        c.args(["copy", "--all", "--preserve-digests", "--quiet"])
            .args([
                "--src-tls-verify=false",
                "--dest-tls-verify=false",
                "--authfile",
            ])
            .arg(authfile)
            .arg(format!("docker://{src}/{REPO}:{tag}"))
            .arg(format!("docker://{dst}/{REPO}:{tag}"));
        timed(&mut c);
    }
    start.elapsed()
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    if !registry::peers_present() {
        return;
    }
    let runs: usize = std::env::var("UEPE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let t = Instant::now();
    let f = fixture::build(
        &dir.join("layout"),
        &Spec {
            tags: fixture::tags(VERSION),
            shared: 16 << 20,
            layers: vec![40 << 20, 20 << 20, 4 << 20],
            big: 0,
        },
    );
    println!(
        "fixture: 4 images x 2 platforms, {} blobs, {:.0} MiB (built in {:.1?})",
        f.blobs().len(),
        f.bytes as f64 / (1 << 20) as f64,
        t.elapsed()
    );
    let src = Registry::start_default(&dir.join("src"));
    let t = Instant::now();
    fixture::seed(&f, &src, REPO, dir);
    println!("source seeded by skopeo in {:.1?}", t.elapsed());
    let (mut mine, mut theirs, mut peaks, mut noops) = (vec![], vec![], vec![], vec![]);
    for run in 0..runs {
        let dst = Registry::start_default(&dir.join(format!("dst-ours-{run}")));
        let config =
            registry::docker_config(&dir.join(format!("cfg-{run}")), &[&src.host, &dst.host]);
        let (took, peak, cpu) = timed(&mut ours(&src.host, &dst.host, &config));
        let (noop, _, _) = timed(&mut ours(&src.host, &dst.host, &config));
        drop(dst);
        let _ = std::fs::remove_dir_all(dir.join(format!("dst-ours-{run}")));
        let dst = Registry::start_default(&dir.join(format!("dst-skopeo-{run}")));
        let auth =
            registry::docker_config(&dir.join(format!("auth-{run}")), &[&src.host, &dst.host])
                .join("config.json");
        let skopeo = skopeo_all(&src.host, &dst.host, &auth);
        drop(dst);
        let _ = std::fs::remove_dir_all(dir.join(format!("dst-skopeo-{run}")));
        println!(
            "run {}: kubectl-uepe {took:.2?} (cpu {cpu:.2?}, peak RSS {:.1} MiB, no-op rerun {noop:.0?}), skopeo {skopeo:.2?}",
            run + 1,
            peak as f64 / 1024.0
        );
        mine.push(took);
        theirs.push(skopeo);
        peaks.push(peak);
        noops.push(noop);
    }
    // Runs alternate, so each pair shares the machine's state: the median of
    // the pairs' ratios is the steadier figure on a busy machine.
    let mut ratios: Vec<f64> = mine
        .iter()
        .zip(&theirs)
        .map(|(a, b)| a.as_secs_f64() / b.as_secs_f64())
        .collect();
    ratios.sort_by(f64::total_cmp);
    let paired = ratios[ratios.len() / 2];
    let (m, s) = (median(mine), median(theirs));
    let peak = peaks.into_iter().max().unwrap_or(0);
    println!("median kubectl-uepe mirror:          {m:.2?}");
    println!("median skopeo copy --all (4 images):  {s:.2?}");
    println!(
        "ratio of medians: {:.2}, median of paired ratios: {paired:.2} (target <= 0.8); peak RSS {:.1} MiB (target <= 64); no-op rerun median {:.0?}",
        m.as_secs_f64() / s.as_secs_f64(),
        peak as f64 / 1024.0,
        median(noops)
    );
}
