//! Builds the core component, the one way both its users do: the plugin's
//! build script (which embeds it, precompiled) and `xtask web` (which
//! transpiles it for the page). Both therefore get the same bytes, and the
//! page's build compiles neither wasmtime nor the plugin.
//!
//! 1. `wasm-core` is built for `wasm32-unknown-unknown` (release, `--locked`)
//!    by a nested cargo with its own target dir (no deadlock on the outer
//!    one's lock), without the outer build's RUSTFLAGS and wrappers: they are
//!    for the host, not the guest, and would make the two users' bytes differ.
//! 2. `wit-component` wraps the core module into a component (no imports: a
//!    pure cdylib built for wasm32-unknown-unknown needs none).
//!
//! `UEPE_CORE_COMPONENT` may instead name a prebuilt component file (a
//! relative path is taken from the workspace root).
//!
//! Nothing here knows the core's WIT interface: it is in the module that
//! wit-bindgen made, and wit-component reads it from there.

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The environment variable naming a prebuilt component to use instead.
pub const OVERRIDE_ENV: &str = "UEPE_CORE_COMPONENT";

/// A built core component.
pub struct Component {
    /// The component's bytes.
    pub bytes: Vec<u8>,
    /// The files the bytes were made from, absolute: the core's sources and
    /// `Cargo.lock` (from the nested cargo's dep-info), or the file
    /// `UEPE_CORE_COMPONENT` names. A build script reruns when one changes.
    pub sources: Vec<PathBuf>,
}

impl Component {
    /// The sha256 of the bytes, lowercase hex, as `kubectl uepe version`
    /// prints it and the page shows it.
    pub fn sha256(&self) -> String {
        Sha256::digest(&self.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Builds the component of the workspace at `workspace`, with the nested
/// cargo's target dir at `target_dir`, or reads the `UEPE_CORE_COMPONENT` file.
pub fn build_component(workspace: &Path, target_dir: &Path) -> Result<Component> {
    if let Some(path) = std::env::var_os(OVERRIDE_ENV) {
        let path = workspace.join(path);
        let bytes = std::fs::read(&path)
            .with_context(|| format!("reading {OVERRIDE_ENV}={}", path.display()))?;
        return Ok(Component {
            bytes,
            sources: vec![path],
        });
    }
    let (module, mut sources) = build_core_module(workspace, target_dir)?;
    let bytes = wit_component::ComponentEncoder::default()
        .module(&module)?
        .validate(true)
        .encode()
        .context("turning the core module into a component")?;
    sources.push(workspace.join("Cargo.lock"));
    Ok(Component { bytes, sources })
}

/// Builds the core for wasm32-unknown-unknown; returns the module's bytes
/// and the sources it was built from.
fn build_core_module(workspace: &Path, target_dir: &Path) -> Result<(Vec<u8>, Vec<PathBuf>)> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "--locked", "--lib", "-p", "uepe-core"])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(target_dir)
        // Built for size, every crate of it: the web page downloads it, and
        // a render takes microseconds either way.
        .args(["--config", "profile.release.opt-level=\"z\""])
        // The outer build's flags and wrappers are for the host, not the guest.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MAKEFLAGS")
        // A build script's stdout is read by cargo as directives, the
        // xtask's as its result: cargo's own output belongs on stderr.
        .stdout(std::io::stderr())
        .status()
        .context("running the nested cargo build of wasm-core")?;
    if !status.success() {
        bail!("building wasm-core for wasm32-unknown-unknown failed ({status})");
    }
    let release = target_dir.join("wasm32-unknown-unknown/release");
    let dep_info = std::fs::read_to_string(release.join("uepe_core.d"))
        .with_context(|| format!("reading {}", release.join("uepe_core.d").display()))?;
    let module = std::fs::read(release.join("uepe_core.wasm"))
        .with_context(|| format!("reading {}", release.join("uepe_core.wasm").display()))?;
    Ok((
        module,
        dep_paths(&dep_info)
            .into_iter()
            .map(PathBuf::from)
            .collect(),
    ))
}

/// The prerequisites of a Makefile-style dep-info file (`\ ` escapes a space).
fn dep_paths(dep_info: &str) -> Vec<String> {
    let Some((_, deps)) = dep_info.lines().next().and_then(|l| l.split_once(": ")) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    let mut cur = String::new();
    let mut chars = deps.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                cur.push(' ');
                chars.next();
            }
            ' ' => {
                if !cur.is_empty() {
                    paths.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        paths.push(cur);
    }
    paths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_prerequisites_with_escaped_spaces() {
        let d = "/t/uepe_core.wasm: /w/src/lib.rs /w/my\\ dir/a.rs  /w/b.rs\n\n/w/src/lib.rs:\n";
        assert_eq!(dep_paths(d), ["/w/src/lib.rs", "/w/my dir/a.rs", "/w/b.rs"]);
    }

    #[test]
    fn dep_info_without_prerequisites() {
        assert!(dep_paths("").is_empty());
        assert!(dep_paths("/t/uepe_core.wasm:\n").is_empty());
    }

    #[test]
    fn sha256_is_lowercase_hex_of_the_bytes() {
        let c = Component {
            bytes: b"abc".to_vec(),
            sources: Vec::new(),
        };
        assert_eq!(
            c.sha256(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
