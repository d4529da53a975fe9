//! `kubectl uepe images`.

use std::io::Write;

use crate::cli::ImagesArgs;
use crate::core::{Core, ImagesRequest};
use crate::error::{Error, write_err};

/// Prints the images of a version.
pub fn run(core: &Core, a: &ImagesArgs, out: &mut dyn Write) -> Result<(), Error> {
    let text = core.images(&ImagesRequest {
        version: a.version.clone(),
        registry: a.registry.clone(),
        components: a.components.clone(),
        output: a.output.clone(),
    })?;
    out.write_all(text.as_bytes()).map_err(write_err)
}
