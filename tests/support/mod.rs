//! Helpers shared by the test modules: the binary under test, running it
//! with stdin and environment, temp dirs, and peers that must be present
//! (missing peers skip loudly locally and fail under `CI=true`).

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

// First: its macros are then known to the modules below.
#[macro_use]
pub mod assert;
pub mod control_plane;
pub mod moto;
#[cfg(test)]
mod peer_skips;
pub mod peers;
pub mod registry;
pub mod shell;

/// The `kubectl-uepe` binary cargo built for these tests.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kubectl-uepe"))
}

/// The component file build.rs wrote (the bytes the binary embeds).
pub fn component_path() -> PathBuf {
    PathBuf::from(env!("UEPE_CORE_COMPONENT_PATH"))
}

/// What one run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// A command for the binary with a clean environment: no AWS keys, no
/// kubeconfig, nothing from the developer's shell leaks into a test.
pub fn uepe(args: &[&str]) -> Command {
    let mut c = Command::new(bin());
    c.args(args);
    c.env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c.env("HOME", std::env::temp_dir());
    c.env("NO_COLOR", "1");
    c
}

/// Runs a command, feeding `stdin`.
pub fn run_with_stdin(mut cmd: Command, stdin: &str) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    // A program may exit before reading its stdin (a flag error): a broken
    // pipe here is not the test's failure.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("wait").into()
}

/// Runs a command with empty stdin.
pub fn run(cmd: Command) -> Run {
    run_with_stdin(cmd, "")
}

/// Runs `kubectl-uepe ARGS` and expects success; returns stdout.
pub fn ok(args: &[&str]) -> String {
    let r = run(uepe(args));
    assert_eq!(r.code, 0, "kubectl-uepe {args:?} failed: {}", r.stderr);
    r.stdout
}

/// A fresh temporary directory, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

/// The workspace root. Read at run time (cargo sets `CARGO_MANIFEST_DIR`
/// for the tests it runs): a test binary built in another checkout that
/// shares the target dir must still read this checkout's files.
pub fn workspace() -> &'static Path {
    static ROOT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ROOT.get_or_init(|| {
        let plugin = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        plugin.parent().expect("workspace root").to_path_buf()
    })
}

/// Asserts equality, printing both sides in full, one per block, so a diff
/// of rendered YAML reads easily.
#[track_caller]
pub fn assert_same(what: &str, expected: &str, actual: &str) {
    if expected != actual {
        panic!(
            "{what} differs\n--- expected ---\n{expected}\n--- actual ---\n{actual}\n--- end ---"
        );
    }
}

/// Now as RFC 3339 in UTC, seconds precision, from `date` (the test crate
/// has no time library).
pub fn now_rfc3339() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Fails when a `: `-separated part of an error line comes twice: a chain
/// that repeats a cause its parent already said (issue 11, item 13).
#[track_caller]
pub fn assert_each_part_once(line: &str) {
    let parts: Vec<&str> = line.split(": ").collect();
    for (i, p) in parts.iter().enumerate() {
        assert!(
            !parts[i + 1..].contains(p),
            "`{p}` is said twice in: {line}"
        );
    }
}
