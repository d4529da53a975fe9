//! The host side of the core component: loads the artifact that build.rs
//! precompiled from `wasm-core`, and calls its one `render` function. Every
//! rendering decision of the CLI goes through here; the plugin holds no
//! second copy of that logic.

mod engine_config;

use serde::Deserialize;
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// Host bindings generated from the one WIT package (`wasm-core/wit`).
#[allow(missing_docs)]
mod bindings {
    wasmtime::component::bindgen!({
        world: "uepe-core",
        path: "../wasm-core/wit",
    });
}
use bindings::UepeCore;

include!(concat!(env!("OUT_DIR"), "/core_meta.rs"));

/// The precompiled component, made by build.rs for this exact wasmtime and target.
static ARTIFACT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/uepe_core.cwasm"));

/// Why a call into the core failed.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The embedded component could not be loaded or run: a build problem.
    #[error("the embedded core component failed: {0}")]
    Runtime(#[source] wasmtime::Error),
    /// The inputs are invalid; one entry per field.
    #[error("{}", .0.iter().map(|e| format!("{}: {}", flag_of(&e.field), e.message)).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<FieldError>),
}

/// How the CLI spells the input a core field came from. The core names
/// fields as the web page and the CLI share them; a few come to the CLI
/// another way (stdin, the environment, a positional argument).
pub fn flag_of(field: &str) -> String {
    match field {
        "password" => "--password-stdin".into(),
        "credentials" => "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY".into(),
        "section" => "SECTION".into(),
        other => format!("--{other}"),
    }
}

/// One invalid input, as the core reports it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct FieldError {
    /// Input name, as the CLI flag without dashes.
    pub field: String,
    /// What is wrong and what to do.
    pub message: String,
}

#[derive(Deserialize)]
struct ErrorList {
    errors: Vec<FieldError>,
}

/// A loaded core component, ready to render.
pub struct Core {
    engine: Engine,
    component: Component,
}

impl Core {
    /// Loads the embedded artifact.
    pub fn load() -> Result<Self, CoreError> {
        let engine = Engine::new(&engine_config::engine_config()).map_err(CoreError::Runtime)?;
        // SAFETY: `ARTIFACT` was produced by `Engine::precompile_component` in
        // build.rs with this crate's locked wasmtime version, the same engine
        // configuration and this target; wasmtime checks the version and
        // configuration again and refuses a mismatch.
        #[allow(unsafe_code)]
        let component =
            unsafe { Component::deserialize(&engine, ARTIFACT) }.map_err(CoreError::Runtime)?;
        Ok(Self { engine, component })
    }

    fn instantiate(&self) -> Result<(Store<()>, UepeCore), CoreError> {
        let mut store = Store::new(&self.engine, ());
        // The component imports nothing, so the linker stays empty.
        let linker = Linker::new(&self.engine);
        let bindings = UepeCore::instantiate(&mut store, &self.component, &linker)
            .map_err(CoreError::Runtime)?;
        Ok((store, bindings))
    }

    /// Renders one request (a JSON object, see `wasm-core/wit/core.wit`).
    pub fn render(&self, request: &serde_json::Value) -> Result<String, CoreError> {
        let (mut store, core) = self.instantiate()?;
        let answer = core
            .uepe_core_render()
            .call_render(&mut store, &request.to_string())
            .map_err(CoreError::Runtime)?;
        answer.map_err(|errors| match serde_json::from_str::<ErrorList>(&errors) {
            Ok(list) => CoreError::Invalid(list.errors),
            Err(_) => CoreError::Invalid(vec![FieldError {
                field: "request".into(),
                message: errors,
            }]),
        })
    }

    /// The core's own version string.
    pub fn version(&self) -> Result<String, CoreError> {
        let (mut store, core) = self.instantiate()?;
        core.uepe_core_render()
            .call_version(&mut store)
            .map_err(CoreError::Runtime)
    }

    /// Names of the component's imports, read from its type: empty by design.
    pub fn imports(&self) -> Vec<String> {
        self.component
            .component_type()
            .imports(&self.engine)
            .map(|(name, _)| name.to_owned())
            .collect()
    }
}
