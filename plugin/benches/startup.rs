//! Startup benchmark (issue 2): what a user waits for.
//!
//! 1. Whole-process time of `kubectl-uepe cronjob install --dry-run=client
//!    -o yaml` against the named baseline, kubectl's own `create secret
//!    docker-registry ... --dry-run=client -o yaml`, run alternately (which
//!    goes first swaps every round) so that both see the same machine state.
//!    The figure is the median ratio; the target is at most 0.25.
//! 2. One in-process call into the core (median over many, after warm-up)
//!    and `Core::load`.
//! 3. The size of the binary under test; under `cargo bench` that is the
//!    release build (the bench profile inherits the release profile, which
//!    strips). Target: at most 20 MB.
//!
//! Run: `cargo bench -p kubectl-uepe --bench startup`. `UEPE_BENCH_RUNS`
//! sets the process runs per side (default 200); `KUBECTL` the baseline
//! binary (default `/usr/bin/kubectl`). Without `--bench` (as `cargo test
//! --benches` runs it) it does a few rounds only, as a smoke test. It prints
//! a report and asserts nothing: timings are not test outcomes.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kubectl_uepe::core::{Core, CoreError, ImagesRequest, RefresherRequest};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

const RATIO_TARGET: f64 = 0.25;
const SIZE_TARGET_BYTES: u64 = 20 * 1000 * 1000;

fn main() -> Result<()> {
    let full = std::env::args().any(|a| a == "--bench");
    let runs: usize = match std::env::var("UEPE_BENCH_RUNS") {
        Ok(v) => v.parse()?,
        Err(_) if full => 200,
        Err(_) => 3,
    };
    let renders = if full { 5000 } else { 20 };

    let ours = PathBuf::from(env!("CARGO_BIN_EXE_kubectl-uepe"));
    let kubectl = std::env::var_os("KUBECTL")
        .map_or_else(|| PathBuf::from("/usr/bin/kubectl"), PathBuf::from);
    let home = std::env::temp_dir().join(format!("uepe-bench-{}", std::process::id()));
    std::fs::create_dir_all(&home)?;

    println!("kubectl-uepe startup benchmark (issue 2)");
    println!("  date:     {} (UTC)", today());
    println!("  machine:  {} CPUs, {}", cpus(), cpu_model());
    println!("  binary:   {}", ours.display());
    println!();

    let ours_cmd = || {
        let mut c = clean(&ours, &home);
        c.args(["cronjob", "install", "--dry-run=client", "-o", "yaml"]);
        // No AWS credentials and no network: the dry-run renders offline.
        c.env("AWS_SHARED_CREDENTIALS_FILE", home.join("none"))
            .env("AWS_CONFIG_FILE", home.join("none"))
            .env("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:9");
        c
    };
    let kubectl_cmd = || {
        let mut c = clean(&kubectl, &home);
        c.args([
            "create",
            "secret",
            "docker-registry",
            "x",
            "--docker-server=S",
            "--docker-username=AWS",
            "--docker-password=P",
            "--dry-run=client",
            "-o",
            "yaml",
        ]);
        c
    };

    if kubectl.is_file() {
        processes(runs, ours_cmd, kubectl_cmd, &kubectl)?;
    } else {
        println!(
            "process start: SKIPPED, no baseline at {} (set KUBECTL)",
            kubectl.display()
        );
        let ours = time_runs(runs, ours_cmd)?;
        println!("  kubectl-uepe alone: {}", summary(&ours));
    }
    println!();
    in_process(renders)?;
    println!();
    binary_size(&ours)?;
    let _ = std::fs::remove_dir_all(&home);
    Ok(())
}

/// A command with nothing from the caller's environment but PATH, and a
/// throwaway HOME.
fn clean(program: &Path, home: &Path) -> Command {
    let mut c = Command::new(program);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Spawns, reads all output, waits: the time a user waits for the answer.
fn time_once(mut cmd: Command) -> Result<Duration> {
    let start = Instant::now();
    let out = cmd.output()?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        )
        .into());
    }
    if out.stdout.is_empty() {
        return Err(format!("{cmd:?} printed nothing").into());
    }
    Ok(elapsed)
}

fn time_runs(runs: usize, cmd: impl Fn() -> Command) -> Result<Vec<Duration>> {
    (0..runs).map(|_| time_once(cmd())).collect()
}

fn processes(
    runs: usize,
    ours: impl Fn() -> Command,
    kubectl: impl Fn() -> Command,
    kubectl_path: &Path,
) -> Result<()> {
    let version = Command::new(kubectl_path)
        .args(["version", "--client"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .next()
                .unwrap_or_default()
                .to_owned()
        })
        .unwrap_or_default();
    println!(
        "process start, {runs} runs each, alternating (baseline: {}, {version})",
        kubectl_path.display()
    );
    // Warm the page cache and the dynamic loader for both.
    for _ in 0..5.min(runs.max(1)) {
        time_once(ours())?;
        time_once(kubectl())?;
    }
    let (mut a, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        let (x, y) = if i % 2 == 0 {
            let x = time_once(ours())?;
            (x, time_once(kubectl())?)
        } else {
            let y = time_once(kubectl())?;
            (time_once(ours())?, y)
        };
        ratios.push(x.as_secs_f64() / y.as_secs_f64());
        a.push(x);
        b.push(y);
    }
    println!(
        "  kubectl-uepe cronjob install --dry-run=client -o yaml:  {}",
        summary(&a)
    );
    println!(
        "  kubectl create secret docker-registry --dry-run=client: {}",
        summary(&b)
    );
    ratios.sort_by(f64::total_cmp);
    let median_ratio = ratios[ratios.len() / 2];
    let ratio_of_medians = median(&a).as_secs_f64() / median(&b).as_secs_f64();
    println!(
        "  median of paired ratios: {median_ratio:.3} (ratio of medians {ratio_of_medians:.3}); target <= {RATIO_TARGET}: {}",
        verdict(median_ratio <= RATIO_TARGET)
    );
    Ok(())
}

/// One call into the core, timed.
type Call<'a> = dyn Fn() -> std::result::Result<String, CoreError> + 'a;

fn in_process(renders: usize) -> Result<()> {
    println!("in process ({renders} render calls after warm-up)");
    let start = Instant::now();
    let core = Core::load()?;
    let first_load = start.elapsed();
    let mut loads: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            Core::load().map(|_| start.elapsed())
        })
        .collect::<std::result::Result<_, _>>()?;
    loads.sort();
    println!(
        "  Core::load: first {}, then median {}",
        ms(first_load),
        ms(median(&loads))
    );
    let refresher = RefresherRequest {
        runner: None,
        namespace: Vec::new(),
        name: None,
        registry: None,
        region: None,
        schedule: None,
        role_arn: None,
        aws_cli_image: None,
        kubectl_image: None,
        image: None,
        credentials: None,
        create_namespace: false,
        password: None,
        expires_at: None,
        output: Some("yaml".into()),
    };
    let images = ImagesRequest {
        version: "4.3.0".into(),
        registry: None,
        components: Vec::new(),
        output: None,
    };
    let calls: [(&str, &Call); 2] = [
        ("refresher (cronjob install -o yaml)", &|| {
            core.refresher(&refresher)
        }),
        ("images (-o table)", &|| core.images(&images)),
    ];
    for (what, call) in calls {
        for _ in 0..renders.min(200) {
            call()?;
        }
        let mut times = Vec::with_capacity(renders);
        for _ in 0..renders {
            let start = Instant::now();
            let out = call()?;
            times.push(start.elapsed());
            std::hint::black_box(out);
        }
        println!("  Core {what}: {}", summary(&times));
    }
    Ok(())
}

fn binary_size(path: &Path) -> Result<()> {
    let bytes = std::fs::read(path)?;
    let size = bytes.len() as u64;
    let stripped = match has_symbol_table(&bytes) {
        Some(false) => "yes",
        Some(true) => "no",
        None => "unknown (not a 64-bit little-endian ELF)",
    };
    let profile = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    println!(
        "binary: {:.2} MB ({size} bytes), profile dir `{profile}`, stripped: {}; target <= 20 MB: {}",
        size as f64 / 1e6,
        stripped,
        verdict(size <= SIZE_TARGET_BYTES)
    );
    if profile != "release" {
        println!(
            "  (not the release build: run `cargo bench`, or `cargo build --release -p kubectl-uepe`)"
        );
    }
    Ok(())
}

/// Whether a 64-bit little-endian ELF file has a symbol table section
/// (`SHT_SYMTAB`): a stripped binary has none. (Searching the bytes for
/// `.symtab` would not do: the embedded precompiled core is an ELF too.)
fn has_symbol_table(elf: &[u8]) -> Option<bool> {
    const SHT_SYMTAB: u32 = 2;
    if elf.get(..6)? != b"\x7fELF\x02\x01" {
        return None;
    }
    let u16_at = |at: usize| Some(u16::from_le_bytes(elf.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(elf.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| Some(u64::from_le_bytes(elf.get(at..at + 8)?.try_into().ok()?));
    let offset = usize::try_from(u64_at(0x28)?).ok()?;
    let size = usize::from(u16_at(0x3A)?);
    let count = usize::from(u16_at(0x3C)?);
    let mut found = false;
    for i in 0..count {
        found |= u32_at(offset + i * size + 4)? == SHT_SYMTAB;
    }
    Some(found)
}

fn median(sorted_or_not: &[Duration]) -> Duration {
    let mut v = sorted_or_not.to_vec();
    v.sort();
    v[v.len() / 2]
}

fn summary(times: &[Duration]) -> String {
    let mut v = times.to_vec();
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {} (min {}, p10 {}, p90 {})",
        ms(at(0.5)),
        ms(v[0]),
        ms(at(0.1)),
        ms(at(0.9))
    )
}

fn ms(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT MET" }
}

fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// Today's date (UTC) from the system clock, as YYYY-MM-DD.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
