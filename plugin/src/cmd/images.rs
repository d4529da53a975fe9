//! `kubectl uepe images`.

use serde_json::json;
use std::io::Write;

use crate::cli::ImagesArgs;
use crate::core::Core;
use crate::error::{Error, write_err};

/// Prints the images of a version.
pub fn run(core: &Core, a: &ImagesArgs, out: &mut dyn Write) -> Result<(), Error> {
    let text = core.render(&json!({
        "render": "images",
        "version": a.version,
        "registry": a.registry,
        "components": a.components,
        "output": a.output,
    }))?;
    out.write_all(text.as_bytes()).map_err(write_err)
}
