//! Build tasks of the kubectl-uepe workspace, run as `cargo run -p xtask -- TASK`:
//!
//! - `web`: builds the web page into `web/dist/` (see `web.rs`);
//! - `web-size`: builds it and reports its gzipped size and the time to the
//!   first rendered YAML in headless Chromium (see `size.rs`).
//!
//! `serve.rs` and `webdriver.rs` depend on std and serde_json only, because
//! `tests/web.rs` includes them too.

// Shared with tests/web.rs, which uses parts this program does not.
#[allow(dead_code)]
mod minify;
mod serve;
mod size;
mod web;
#[allow(dead_code)]
mod webdriver;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo run -p xtask -- <web | web-size>\n  web       build the web page into web/dist/\n  web-size  build it, then report its gzipped size and its time to first YAML";

fn main() -> ExitCode {
    let task = std::env::args().nth(1).unwrap_or_default();
    let result = match task.as_str() {
        "web" => web::build().map(|b| {
            println!(
                "web/dist built: {} (core component sha256 {})",
                web::dist().display(),
                b.sha256
            );
        }),
        "web-size" => size::run(),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
