//! Minifies the page's generated JavaScript (js-component-bindgen's
//! `core.js`, wasm-bindgen's `uepe_web.js`) with oxc, as a production build
//! of any web page would: 40% less to download gzipped. Exports keep their
//! names; only local names are shortened. Behaviour is held by the browser
//! tests, which compare every output with the CLI's.

use anyhow::{Result, bail};
use oxc_allocator::Allocator;
use oxc_codegen::{Codegen, CodegenOptions};
use oxc_minifier::{Minifier, MinifierOptions};
use oxc_parser::Parser;
use oxc_span::SourceType;
use std::path::Path;

/// Rewrites the ES module at `path` minified.
pub fn file(path: &Path) -> Result<()> {
    let source = std::fs::read_to_string(path)?;
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, &source, SourceType::mjs()).parse();
    if let Some(e) = parsed.diagnostics.first() {
        bail!("{} does not parse as an ES module: {e}", path.display());
    }
    let mut program = parsed.program;
    let minified = Minifier::new(MinifierOptions::default()).minify(&allocator, &mut program);
    let code = Codegen::new()
        .with_options(CodegenOptions::minify())
        .with_scoping(minified.scoping)
        .build(&program)
        .code;
    std::fs::write(path, code)?;
    Ok(())
}
