//! The real krew tools, built from `sigs.k8s.io/krew` by
//! `tests/peers/install.sh go`: `validate-krew-manifest` (what krew-index's
//! CI runs on a submitted manifest) and `krew install --manifest --archive`
//! (what a user runs to try a local archive).

// A test that cannot run its peer has failed; `expect` says where.
#![allow(clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, control_plane};

/// `validate-krew-manifest -skip-install` on `text` stored as `file_name`
/// (the plugin name must equal it). `None` after a loud skip.
pub(super) fn validate(text: &str, file_name: &str) -> Option<support::Run> {
    let tool = control_plane::require_go_bin("validate-krew-manifest")?;
    let dir = support::tempdir();
    let path = dir.path().join(file_name);
    fs::write(&path, text).expect("write manifest");
    let mut cmd = Command::new(tool);
    // -skip-install: installing every platform would download each archive
    // from its release URL; the host's archive is installed by `install`.
    cmd.arg("-skip-install").arg("-manifest").arg(&path);
    Some(support::run(cmd))
}

/// `krew install --manifest M --archive A` into a fresh `KREW_ROOT` under
/// `root`, offline (with `--manifest`, krew ignores the plugin names it
/// would otherwise read from stdin).
/// Returns the KREW_ROOT, or `None` after a loud skip.
pub(super) fn install(root: &Path, manifest: &Path, archive: &Path) -> Option<PathBuf> {
    let krew = control_plane::require_go_bin("krew")?;
    let krew_root = root.join("krew");
    let home = root.join("krew-home");
    fs::create_dir_all(&home).expect("mkdir home");
    let mut cmd = Command::new(krew);
    cmd.arg("install")
        .arg(format!("--manifest={}", manifest.display()))
        .arg(format!("--archive={}", archive.display()))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .env("KREW_ROOT", &krew_root);
    let r = support::run(cmd);
    assert_eq!(
        r.code, 0,
        "krew install --manifest --archive: {}{}",
        r.stdout, r.stderr
    );
    Some(krew_root)
}
