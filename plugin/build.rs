//! Builds the core component and precompiles it for the host.
//!
//! 1. `wasm-core` is built for `wasm32-unknown-unknown` by a nested cargo with
//!    its own target dir (no deadlock on the outer one), `--locked`, with the
//!    outer RUSTFLAGS and wrappers removed. `UEPE_CORE_COMPONENT` may instead
//!    name a prebuilt component file.
//! 2. `wit-component` wraps the core module into a component (no imports:
//!    a pure cdylib built for wasm32-unknown-unknown needs none).
//! 3. wasmtime (with cranelift, here only) precompiles it for `$TARGET`, so
//!    the binary links wasmtime runtime-only and starts in about a millisecond.
//!
//! Outputs in OUT_DIR: `uepe_core.wasm` (the component), `uepe_core.cwasm`
//! (the artifact), `core_meta.rs` (sha256 and size of the component).

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};
use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "src/core/engine_config.rs"]
mod engine_config;

fn main() -> Result<()> {
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    println!("cargo::rerun-if-env-changed=UEPE_CORE_COMPONENT");
    println!("cargo::rerun-if-changed=src/core/engine_config.rs");

    let component = match env::var_os("UEPE_CORE_COMPONENT") {
        Some(path) => {
            let path = PathBuf::from(path);
            println!("cargo::rerun-if-changed={}", path.display());
            std::fs::read(&path)
                .with_context(|| format!("reading UEPE_CORE_COMPONENT={}", path.display()))?
        }
        None => {
            let module = build_core_module(&manifest_dir, &out_dir)?;
            wit_component::ComponentEncoder::default()
                .module(&module)?
                .validate(true)
                .encode()
                .context("turning the core module into a component")?
        }
    };

    let component_path = out_dir.join("uepe_core.wasm");
    std::fs::write(&component_path, &component)?;
    let sha256 = hex(&Sha256::digest(&component));
    std::fs::write(
        out_dir.join("core_meta.rs"),
        format!(
            "/// sha256 of the core component's bytes.\npub const CORE_SHA256: &str = \"{sha256}\";\n\
             /// Size of the core component in bytes.\npub const CORE_SIZE: u64 = {};\n",
            component.len()
        ),
    )?;
    // For the tests and the web build: where the component file is.
    println!(
        "cargo::rustc-env=UEPE_CORE_COMPONENT_PATH={}",
        component_path.display()
    );

    let mut config = engine_config::engine_config();
    config.target(&env::var("TARGET")?)?;
    let engine = wasmtime::Engine::new(&config)?;
    let artifact = engine.precompile_component(&component)?;
    std::fs::write(out_dir.join("uepe_core.cwasm"), artifact)?;
    Ok(())
}

/// Builds the core for wasm32-unknown-unknown and returns the module bytes.
fn build_core_module(manifest_dir: &Path, out_dir: &Path) -> Result<Vec<u8>> {
    let workspace = manifest_dir.parent().context("plugin/ has a parent")?;
    let target_dir = out_dir.join("core-target");
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace)
        .args(["build", "--release", "--locked", "--lib", "-p", "uepe-core"])
        .args(["--target", "wasm32-unknown-unknown", "--target-dir"])
        .arg(&target_dir)
        // The outer build's flags and wrappers are for the host, not the guest.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_MAKEFLAGS")
        .status()
        .context("running the nested cargo build of wasm-core")?;
    if !status.success() {
        bail!("building wasm-core for wasm32-unknown-unknown failed ({status})");
    }
    let release = target_dir.join("wasm32-unknown-unknown/release");
    // Rebuild when any source the core was built from changes.
    let dep_info =
        std::fs::read_to_string(release.join("uepe_core.d")).context("reading uepe_core.d")?;
    // Paths inside the workspace are given relative to plugin/: cargo
    // resolves them against the checkout being built, so a fresh clone that
    // shares this target dir (as CI does) watches its own files, not those
    // of the checkout that built here last.
    for path in dep_paths(&dep_info) {
        let path = match Path::new(&path).strip_prefix(workspace) {
            Ok(inside) => Path::new("..").join(inside),
            Err(_) => PathBuf::from(path),
        };
        println!("cargo::rerun-if-changed={}", path.display());
    }
    println!("cargo::rerun-if-changed=../Cargo.lock");
    Ok(std::fs::read(release.join("uepe_core.wasm"))?)
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
