//! External Secrets Operator's own CRDs on the shared control plane: the
//! YAML of the `github.com/external-secrets/external-secrets` Go module
//! (`tests/peers/install.sh eso_crds` copies it to `$UEPE_GO_DIR/eso-crds`),
//! so the `external-secrets` runner's objects meet ESO's real schemas under
//! strict field validation.
//!
//! CRDs are cluster-wide and the control plane is shared by every test, so
//! installing them and checking behaviour without them go through one lock:
//! `while_absent` runs its check only before anyone installed them, and no
//! one installs them while it runs.

use std::path::PathBuf;
use std::sync::Mutex;

use super::control_plane::{ControlPlane, go_bin};
use super::peers;

/// The CRDs the `external-secrets` runner's objects need.
pub const CRDS: [(&str, &str); 2] = [
    ("external-secrets.io", "externalsecrets"),
    ("generators.external-secrets.io", "ecrauthorizationtokens"),
];

static INSTALLED: Mutex<bool> = Mutex::new(false);

fn crds_dir() -> Option<PathBuf> {
    let dir = go_bin("x")
        .parent()
        .and_then(|bin| bin.parent())
        .map(|go| go.join("eso-crds"))?;
    peers::require_path(
        "External Secrets Operator CRDs",
        &dir,
        "bash tests/peers/install.sh eso_crds",
    )
}

fn on_server(cp: &ControlPlane) -> bool {
    CRDS.iter().all(|(group, plural)| {
        cp.get_json(&["crd", &format!("{plural}.{group}")])
            .is_some()
    })
}

/// Runs `check` if ESO's CRDs are not installed, holding off every install
/// meanwhile; false when they already were (the check did not run).
pub fn while_absent(cp: &ControlPlane, check: impl FnOnce()) -> bool {
    let installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if *installed || on_server(cp) {
        return false;
    }
    check();
    true
}

/// Installs ESO's CRDs (once per control plane) and waits until they are
/// served; false after a loud skip when the CRD files are missing.
pub fn install(cp: &ControlPlane) -> bool {
    let Some(dir) = crds_dir() else { return false };
    let mut installed = INSTALLED.lock().unwrap_or_else(|e| e.into_inner());
    if *installed {
        return true;
    }
    for (group, plural) in CRDS {
        let file = dir.join(format!("{group}_{plural}.yaml"));
        // Server-side: ESO's CRDs are too large for the last-applied annotation.
        cp.kubectl_ok(&["apply", "--server-side", "-f", &file.to_string_lossy()]);
        cp.kubectl_ok(&[
            "wait",
            "--for=condition=Established",
            &format!("crd/{plural}.{group}"),
        ]);
    }
    *installed = true;
    true
}
