//! `xtask web`: builds the page into `web/dist/`.
//!
//! 1. `uepe-core-build` (`core-build/`) builds the core component, the
//!    one step the plugin's build script calls too: the same bytes it
//!    embeds, without compiling the plugin (wasmtime, cranelift, kube).
//! 2. js-component-bindgen transpiles that component to an ES module
//!    (`core/core.js`) and its core wasm, kept as files; the JS is
//!    minified (`minify.rs`).
//! 3. `cargo build -p uepe-web --target wasm32-unknown-unknown --release`,
//!    then wasm-bindgen's library (the same version as the `wasm-bindgen`
//!    crate in Cargo.lock) writes the UI's JS glue (minified too) and wasm.
//! 4. The static files from `web/static/`, with the component's sha256 in
//!    `index.html`.
//!
//! Everything is written to `web/dist.new/` first and moved into place at
//! the end, so a failed build leaves no half-written page. No tool is
//! downloaded and nothing goes to the network but cargo's own registry.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (xtask lives one level below it). Read at run time
/// (`cargo run` sets `CARGO_MANIFEST_DIR`): a binary built in another
/// checkout that shares the target dir must still work on this one.
pub fn workspace() -> PathBuf {
    let here = std::env::var_os("CARGO_MANIFEST_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
    here.parent()
        .map_or_else(|| here.clone(), Path::to_path_buf)
}

/// Where the built page goes.
pub fn dist() -> PathBuf {
    workspace().join("web/dist")
}

/// The files the page loads when it opens, in load order.
pub const PAGE_FILES: [&str; 7] = [
    "index.html",
    "style.css",
    "main.js",
    "core/core.js",
    "core/core.core.wasm",
    "uepe_web.js",
    "uepe_web_bg.wasm",
];

/// What a build made.
pub struct Built {
    /// The component's sha256, as `kubectl uepe version` prints it.
    pub sha256: String,
}

/// The lock file that keeps builds of `web/dist/` apart from each other and
/// from readers (the web tests and the size benchmark hold it shared while
/// they serve the page).
pub fn lock_path() -> PathBuf {
    workspace().join("web/dist.lock")
}

/// Takes the dist lock, shared (to read `web/dist/`) or exclusive (to build it).
pub fn lock(shared: bool) -> Result<std::fs::File> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path())
        .with_context(|| format!("opening {}", lock_path().display()))?;
    let free = if shared {
        file.try_lock_shared()
    } else {
        file.try_lock()
    };
    match free {
        Ok(()) => return Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => eprintln!(
            "xtask: waiting for {} (a build or a web test is using web/dist)",
            lock_path().display()
        ),
        Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
    }
    if shared {
        file.lock_shared()?;
    } else {
        file.lock()?;
    }
    Ok(file)
}

/// Builds `web/dist/`.
pub fn build() -> Result<Built> {
    let root = workspace();
    // Another build, or a test serving the page, waits or is waited for.
    let _lock = lock(false)?;
    let staging = root.join("web/dist.new");
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    std::fs::create_dir_all(staging.join("core"))?;

    eprintln!("xtask: building the core component");
    let component = uepe_core_build::build_component(&root, &core_target_dir()?)?;
    let sha256 = component.sha256();

    eprintln!("xtask: transpiling the component (sha256 {sha256})");
    transpile(&component.bytes, &staging.join("core"))?;
    // The component itself, so anyone can check its sha256 against the plugin's.
    std::fs::write(staging.join("core/uepe_core.wasm"), &component.bytes)?;

    eprintln!("xtask: building the UI for wasm32-unknown-unknown");
    let ui_wasm = ui_module(&root)?;
    wasm_bindgen(&ui_wasm, &staging)?;

    static_files(&root.join("web/static"), &staging, &sha256)?;

    let dist = dist();
    if dist.exists() {
        std::fs::remove_dir_all(&dist)?;
    }
    std::fs::rename(&staging, &dist)?;
    Ok(Built { sha256 })
}

/// The cargo that runs this program (cargo sets `CARGO` for `cargo run`).
fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.current_dir(workspace());
    c
}

/// Runs a `cargo build ... --message-format=json` with extra environment
/// and returns its messages.
fn cargo_json(args: &[&str], env: &[(&str, &str)]) -> Result<Vec<Value>> {
    let out = cargo()
        .envs(env.iter().copied())
        .arg("build")
        .args(args)
        .args(["--locked", "--message-format=json-render-diagnostics"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo")?;
    if !out.status.success() {
        bail!("cargo build {} failed ({})", args.join(" "), out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect())
}

/// The nested cargo's target dir for the core: `uepe-core/` in this
/// workspace's target dir (as `cargo metadata` reports it, so
/// `CARGO_TARGET_DIR` and cargo's config count), apart from the outer
/// build's own directories.
fn core_target_dir() -> Result<PathBuf> {
    let out = cargo()
        .args(["metadata", "--format-version=1", "--no-deps", "--locked"])
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!("cargo metadata failed ({})", out.status);
    }
    let meta: Value = serde_json::from_slice(&out.stdout).context("reading cargo metadata")?;
    let target = meta["target_directory"]
        .as_str()
        .context("cargo metadata gave no target_directory")?;
    Ok(Path::new(target).join("uepe-core"))
}

/// Transpiles the component into `core.js` + `core.core.wasm` in `out`.
fn transpile(component: &[u8], out: &Path) -> Result<()> {
    let opts = js_component_bindgen::TranspileOpts {
        name: "core".into(),
        no_typescript: true,
        // A plain ES module that instantiates itself on import.
        instantiation_mode: None,
        // Core wasm as its own file: compiled while streaming, cached apart.
        base64_cutoff: 0,
        nodejs_compat_disabled: true,
        // A `result`'s error (the field errors) is thrown as is.
        no_component_error_wrapping: true,
        // The component's answers are trusted (it is the one built here):
        // skip re-validating what it lifts, which halves that code.
        valid_lifting_optimization: true,
        ..Default::default()
    };
    let t = js_component_bindgen::transpile(component, opts)
        .map_err(|e| anyhow::anyhow!("{e:#}"))
        .context("transpiling the core component")?;
    if !t.imports.is_empty() {
        bail!(
            "the core component imports {:?}; it must import nothing",
            t.imports
        );
    }
    for (name, bytes) in &t.files {
        std::fs::write(out.join(name), bytes)?;
    }
    for f in ["core.js", "core.core.wasm"] {
        if !out.join(f).is_file() {
            let names: Vec<_> = t.files.iter().map(|(n, _)| n.as_str()).collect();
            bail!("the transpiled component has no {f} (files: {names:?})");
        }
    }
    crate::minify::file(&out.join("core.js"))
}

/// Builds the UI crate for the browser and returns its wasm module.
fn ui_module(root: &Path) -> Result<PathBuf> {
    let messages = cargo_json(
        &[
            "-p",
            "uepe-web",
            "--lib",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            // Not stripped: wasm-bindgen reads the `target_features` section
            // to know which wasm features the module uses, then removes the
            // name and producers sections itself.
            "--config",
            "profile.release.strip=false",
            // Built for size: the page downloads it.
            "--config",
            "profile.release.opt-level=\"z\"",
        ],
        &[],
    )?;
    messages
        .iter()
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "uepe_web")
        .flat_map(|m| m["filenames"].as_array().cloned().unwrap_or_default())
        .filter_map(|f| f.as_str().map(PathBuf::from))
        .find(|f| f.extension().is_some_and(|e| e == "wasm"))
        .with_context(|| {
            format!(
                "cargo made no uepe_web.wasm (is {} a cdylib?)",
                root.join("web/Cargo.toml").display()
            )
        })
}

/// wasm-bindgen: the UI's ES module glue and its processed wasm.
fn wasm_bindgen(module: &Path, out: &Path) -> Result<()> {
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(module)
        .out_name("uepe_web")
        .web(true)?
        // Keep `init()`'s default URL of the wasm, beside the JS.
        .omit_default_module_path(false)
        .typescript(false)
        .remove_name_section(true)
        .remove_producers_section(true)
        .generate(out)
        .context("wasm-bindgen")?;
    crate::minify::file(&out.join("uepe_web.js"))
}

/// Copies `web/static/`, putting the component's sha256 into `index.html`.
fn static_files(from: &Path, to: &Path, sha256: &str) -> Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let dest = to.join(&name);
        if name == "index.html" {
            let html = std::fs::read_to_string(entry.path())?;
            if !html.contains("{{CORE_SHA256}}") {
                bail!("web/static/index.html lost its {{{{CORE_SHA256}}}} placeholder");
            }
            std::fs::write(dest, html.replace("{{CORE_SHA256}}", sha256))?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}
