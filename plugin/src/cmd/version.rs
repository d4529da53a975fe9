//! `kubectl uepe version`: the plugin's version and the identity of the core
//! component it runs (sha256, size, imports), so a user can check that the
//! web page runs the very same logic.

use serde_json::json;
use std::io::Write;

use crate::cli::VersionArgs;
use crate::core::{CORE_SHA256, CORE_SIZE, Core};
use crate::error::{Error, write_err};

/// Prints the versions.
pub fn run(core: &Core, a: &VersionArgs, out: &mut dyn Write) -> Result<(), Error> {
    let imports = core.imports();
    let core_version = core.version()?;
    let text = match a.output.as_deref() {
        Some("json") => {
            let v = json!({
                "version": env!("CARGO_PKG_VERSION"),
                "core": {
                    "version": core_version,
                    "sha256": CORE_SHA256,
                    "size": CORE_SIZE,
                    "imports": imports,
                },
            });
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        None | Some("text") => format!(
            "kubectl-uepe {}\ncore component {core_version}: sha256:{CORE_SHA256}, {CORE_SIZE} bytes, imports: {}\n",
            env!("CARGO_PKG_VERSION"),
            if imports.is_empty() {
                "none".to_owned()
            } else {
                imports.join(", ")
            },
        ),
        Some(other) => {
            return Err(Error::Flags(format!(
                "--output: `{other}` is not a valid output format: choose one of text, json"
            )));
        }
    };
    out.write_all(text.as_bytes()).map_err(write_err)
}
