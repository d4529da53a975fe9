//! Real peers the tests run against. `require` skips with a loud message
//! when a peer is missing locally, and fails the test under `CI=true`.
//! `tests/peers/install.sh` installs them all.

use std::path::{Path, PathBuf};

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
    None
}
