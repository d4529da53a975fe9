//! What `--dry-run` asks of `secret create` and `cronjob install`: apply,
//! print only, or apply with `dryRun=All`; and the one output format a live
//! apply reads from the core whatever `-o` says.

use crate::cli::ManifestArgs;
use crate::error::Error;

/// What `--dry-run` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Apply for real.
    Apply,
    /// Print only.
    Client,
    /// Apply with `dryRun=All`.
    Server,
}

/// Reads `--dry-run`.
pub fn mode(m: &ManifestArgs) -> Result<Mode, Error> {
    match m.dry_run.as_str() {
        "none" => Ok(Mode::Apply),
        "client" => Ok(Mode::Client),
        "server" => Ok(Mode::Server),
        other => Err(Error::Flags(format!(
            "--dry-run: `{other}` is not valid: choose one of none, client, server"
        ))),
    }
}

/// The `output` a live apply asks of the core: it reads the objects as
/// JSON, whatever `-o` says; the user sees kubectl-style result lines, not
/// the manifests.
pub fn live_output() -> Option<String> {
    Some("json".into())
}
