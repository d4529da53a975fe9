//! Benchmark (issue 3): `kubectl-uepe login --print-password` against
//! `aws ecr get-login-password` (the AWS CLI from PyPI), both asking the same
//! moto server for a token, alternating, whole-process wall time. Reports
//! both medians and their ratio (target: at most 0.1).
//!
//! Run: `cargo bench -p kubectl-uepe --bench login` (needs `moto_server` and
//! `aws` on PATH: `pip install 'moto[server]' awscli`).

#![allow(clippy::expect_used)] // a benchmark stops at the first broken run

use std::net::{TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn timed(cmd: &mut Command) -> Duration {
    let start = Instant::now();
    let out = cmd.output().expect("run");
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let mut moto = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("moto_server on PATH (pip install 'moto[server]')");
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let url = format!("http://127.0.0.1:{port}");
    let env = [
        ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("AWS_SECRET_ACCESS_KEY", "bench-only-not-a-secret"),
        ("AWS_ENDPOINT_URL_ECR", url.as_str()),
        ("AWS_ENDPOINT_URL", url.as_str()),
    ];
    let ours = || {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kubectl-uepe"));
        c.args(["login", "--print-password"]).envs(env);
        c
    };
    let theirs = || {
        let mut c = Command::new("aws");
        c.args([
            "ecr",
            "get-login-password",
            "--region",
            "eu-west-1",
            "--endpoint-url",
            &url,
        ])
        .envs(env);
        c
    };
    // Warm both (page cache, Python bytecode).
    timed(&mut ours());
    timed(&mut theirs());
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        a.push(timed(&mut ours()));
        b.push(timed(&mut theirs()));
    }
    let _ = moto.kill();
    let _ = moto.wait();
    let (ma, mb) = (median(a), median(b));
    println!(
        "login --print-password vs aws ecr get-login-password, {RUNS} alternating runs each, same moto server"
    );
    println!(
        "  kubectl-uepe login --print-password  median {:>8.1} ms",
        ma.as_secs_f64() * 1e3
    );
    println!(
        "  aws ecr get-login-password           median {:>8.1} ms",
        mb.as_secs_f64() * 1e3
    );
    println!(
        "  ratio                                 {:.3} (target <= 0.1)",
        ma.as_secs_f64() / mb.as_secs_f64()
    );
}
