//! `kubectl uepe commands`.

use serde_json::json;
use std::io::Write;

use crate::cli::CommandsArgs;
use crate::core::Core;
use crate::error::{Error, write_err};

/// Prints the shell commands of a section.
pub fn run(core: &Core, a: &CommandsArgs, out: &mut dyn Write) -> Result<(), Error> {
    let text = core.render(&json!({
        "render": "commands",
        "section": a.section,
        "tool": a.tool,
        "version": a.version,
        "registry": a.registry,
        "to": a.to,
        "components": a.components,
        "namespace": a.target.namespace,
        "name": a.target.name,
        "region": a.region,
        "runner": a.runner,
        "role-arn": a.role_arn,
    }))?;
    out.write_all(text.as_bytes()).map_err(write_err)
}
