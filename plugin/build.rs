//! Gets the core component and precompiles it for the host.
//!
//! 1. `uepe-core-build` (`core-build/`, shared with `xtask web`, so the page
//!    embeds the same bytes) builds the component, or reads the file
//!    `UEPE_CORE_COMPONENT` names.
//! 2. wasmtime (with cranelift, here only) precompiles it for `$TARGET`, so
//!    the binary links wasmtime runtime-only and starts in about a millisecond.
//!
//! Outputs in OUT_DIR: `uepe_core.wasm` (the component), `uepe_core.cwasm`
//! (the artifact), `core_meta.rs` (sha256 and size of the component).

use anyhow::{Context, Result};
use std::env;
use std::path::{Path, PathBuf};

#[path = "src/core/engine_config.rs"]
mod engine_config;

fn main() -> Result<()> {
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir.parent().context("plugin/ has a parent")?;
    println!(
        "cargo::rerun-if-env-changed={}",
        uepe_core_build::OVERRIDE_ENV
    );
    println!("cargo::rerun-if-changed=src/core/engine_config.rs");

    // Its own target dir under OUT_DIR: the outer one is locked by this build.
    let component = uepe_core_build::build_component(workspace, &out_dir.join("core-target"))?;
    // Paths inside the workspace are given relative to plugin/: cargo
    // resolves them against the checkout being built, so a fresh clone that
    // shares this target dir (as CI does) watches its own files, not those
    // of the checkout that built here last.
    for path in &component.sources {
        let path = match path.strip_prefix(workspace) {
            Ok(inside) => Path::new("..").join(inside),
            Err(_) => path.clone(),
        };
        println!("cargo::rerun-if-changed={}", path.display());
    }

    let component_path = out_dir.join("uepe_core.wasm");
    std::fs::write(&component_path, &component.bytes)?;
    std::fs::write(
        out_dir.join("core_meta.rs"),
        format!(
            "/// sha256 of the core component's bytes.\npub const CORE_SHA256: &str = \"{}\";\n\
             /// Size of the core component in bytes.\npub const CORE_SIZE: u64 = {};\n",
            component.sha256(),
            component.bytes.len()
        ),
    )?;
    // For the tests: where the component file is.
    println!(
        "cargo::rustc-env=UEPE_CORE_COMPONENT_PATH={}",
        component_path.display()
    );

    let mut config = engine_config::engine_config();
    config.target(&env::var("TARGET")?)?;
    let engine = wasmtime::Engine::new(&config)?;
    let artifact = engine.precompile_component(&component.bytes)?;
    std::fs::write(out_dir.join("uepe_core.cwasm"), artifact)?;
    Ok(())
}
