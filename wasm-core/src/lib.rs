//! The decisions of kubectl-uepe, as a pure crate: UEPE image references,
//! input validation, the pull Secret and docker config, the refresher
//! manifests for each runner, the shell commands people would otherwise
//! type, the ECR API calls to sign and send, and which platforms a mirror
//! copies. No I/O, no clock, no randomness: the same request gives the same
//! bytes, whether called natively, from the plugin through wasmtime, or from
//! the web page.
//!
//! The entry points are the functions of [`api`], one per function of the
//! `decisions` interface in `wit/core.wit`, taking and returning its types
//! ([`types`]); built for `wasm32` they are exported as that component
//! interface.

pub mod api;
pub mod cron;
mod dispatch;
pub mod error;
pub mod images;
pub mod inventory;
#[cfg(feature = "json-requests")]
pub mod json;
pub mod mirror;
pub mod platform;
pub mod regions;
pub mod render;
pub mod resolve;
pub mod types;
pub mod validate;
mod wit;

#[cfg(target_arch = "wasm32")]
mod component;

pub use error::{Errors, FieldError};
