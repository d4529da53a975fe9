//! `kubectl uepe commands`.

use std::io::Write;

use crate::cli::CommandsArgs;
use crate::core::{CommandsRequest, Core};
use crate::error::{Error, write_err};

/// Prints the shell commands of a section.
pub fn run(core: &Core, a: &CommandsArgs, out: &mut dyn Write) -> Result<(), Error> {
    let text = core.commands(&CommandsRequest {
        section: a.section.clone(),
        tool: a.tool.clone(),
        version: a.version.clone(),
        registry: a.registry.clone(),
        to: a.to.clone(),
        components: a.components.clone(),
        namespace: a.target.namespace.clone(),
        name: a.target.name.clone(),
        region: a.region.clone(),
        runner: a.runner.clone(),
        role_arn: a.role_arn.clone(),
    })?;
    out.write_all(text.as_bytes()).map_err(write_err)
}
