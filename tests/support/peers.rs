//! Real peers the tests run against. `require` skips with a loud message
//! when a peer is missing locally, and fails the test under `CI=true`.
//! `tests/peers/install.sh` installs them all.
//!
//! A local run ends with `N tests skipped for a missing peer: NAMES`, after
//! libtest's summary, so skips are not lost in the scroll. libtest has no
//! end-of-run hook; the line is printed by a handler registered with the C
//! library's `atexit` at the first skip, which runs when `main` returns (all
//! tests passed) and on libtest's `process::exit(101)` (some failed); only a
//! run killed by a signal ends without it.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once, PoisonError};

/// Finds an executable on PATH.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The peer's path, or `None` after a loud skip message; panics in CI.
pub fn require(name: &str, install_hint: &str) -> Option<PathBuf> {
    match which(name) {
        Some(p) => Some(p),
        None => missing(name, install_hint),
    }
}

/// Where `tests/peers/install.sh` puts peers that are not commands on PATH
/// (`UEPE_PEERS_DIR`, as for the installer; default `/opt/uepe-peers`).
pub fn peers_dir() -> PathBuf {
    std::env::var_os("UEPE_PEERS_DIR")
        .map_or_else(|| PathBuf::from("/opt/uepe-peers"), PathBuf::from)
}

/// Like `require`, for a peer that is a file or directory (`name` is only
/// for the message).
pub fn require_path(name: &str, path: &Path, install_hint: &str) -> Option<PathBuf> {
    if path.exists() {
        Some(path.to_path_buf())
    } else {
        missing(name, install_hint)
    }
}

/// Like `require`, for something the machine can or cannot do (`present`,
/// as the caller probed it): true when present, else a loud skip (CI: panic).
pub fn require_that(name: &str, present: bool, install_hint: &str) -> bool {
    present || missing(name, install_hint).is_some()
}

fn missing(name: &str, install_hint: &str) -> Option<PathBuf> {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("peer `{name}` is missing in CI: {install_hint}")
    }
    eprintln!("\n!!!!! SKIPPED: peer `{name}` not found ({install_hint}) !!!!!\n");
    record_skip(name);
    None
}

/// The peers each skipping test missed, by test name.
static SKIPS: Mutex<BTreeMap<String, BTreeSet<String>>> = Mutex::new(BTreeMap::new());

/// Notes a skip of the running test (libtest names each test's thread after
/// the test) and makes sure the run's end reports it.
fn record_skip(peer: &str) {
    static AT_EXIT: Once = Once::new();
    let test = std::thread::current().name().map_or_else(
        || format!("{:?}", std::thread::current().id()),
        str::to_owned,
    );
    SKIPS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(test)
        .or_default()
        .insert(peer.to_owned());
    AT_EXIT.call_once(|| {
        // SAFETY: `atexit` only stores the pointer to a function with the C
        // ABI that takes nothing and returns nothing; registered once.
        #[allow(unsafe_code)]
        let failed = unsafe { libc::atexit(report_skips) } != 0;
        if failed {
            eprintln!("(the count of skipped tests cannot be printed at the end of this run)");
        }
    });
}

/// The line a run ends with, or `None` when no test was skipped.
pub fn skips_line(skips: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    if skips.is_empty() {
        return None;
    }
    let peers: BTreeSet<&str> = skips.values().flatten().map(String::as_str).collect();
    let n = skips.len();
    let tests = if n == 1 { "test" } else { "tests" };
    let names: Vec<&str> = peers.into_iter().collect();
    Some(format!(
        "{n} {tests} skipped for a missing peer: {}",
        names.join(", ")
    ))
}

/// The `atexit` handler. It must not unwind into C: nothing here panics (a
/// poisoned lock is read anyway, a failed write is ignored).
extern "C" fn report_skips() {
    let skips = SKIPS.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(line) = skips_line(&skips) {
        // stdout is flushed by now (libtest's summary is out): this comes last.
        let _ = writeln!(std::io::stderr(), "\n{line}");
    }
}
