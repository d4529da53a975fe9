//! Real peers the tests run against. `require` skips with a loud message
//! when a peer is missing locally, and fails the test under `CI=true`.

use std::path::PathBuf;

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
        None if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("peer `{name}` is missing in CI: {install_hint}")
        }
        None => {
            eprintln!("\n!!!!! SKIPPED: peer `{name}` not found on PATH ({install_hint}) !!!!!\n");
            None
        }
    }
}
