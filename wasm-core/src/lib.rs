//! The decisions of kubectl-uepe, as a pure crate: UEPE image references,
//! input validation, the pull Secret and docker config, the refresher
//! manifests for each runner, the shell commands people would otherwise
//! type, the ECR API calls to sign and send, and which platforms a mirror
//! copies. No I/O, no clock, no randomness: the same request gives the same
//! bytes, whether called natively, from the plugin through wasmtime, or from
//! the web page.
//!
//! The one entry point is [`render`]; built for `wasm32` it is exported as
//! the `uepe:core/render` WebAssembly component interface (`wit/core.wit`).

pub mod cron;
mod dispatch;
pub mod error;
pub mod images;
pub mod mirror;
pub mod platform;
pub mod regions;
pub mod render;
pub mod request;
pub mod resolve;
pub mod validate;

#[cfg(target_arch = "wasm32")]
mod component;

pub use error::{Errors, FieldError};

/// Renders one JSON request (see `wit/core.wit` and [`request::Request`]).
pub fn render(request: &str) -> Result<String, Errors> {
    let req: request::Request = serde_json::from_str(request).map_err(|e| {
        // serde's message names the unknown field or the missing member.
        Errors::one("request", format!("the request is not valid: {e}"))
    })?;
    dispatch::request(&req)
}

/// The core's version.
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
