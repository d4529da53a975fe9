//! The host side of the core component: loads the artifact that build.rs
//! precompiled from `wasm-core`, and calls the `decisions` interface of
//! `wasm-core/wit/core.wit`, one typed method per function. Every decision
//! of the CLI goes through here; the plugin holds no second copy of it, and
//! no request is spelt as JSON: a field added to the WIT file fails to
//! compile wherever it is missing.

mod engine_config;

use std::sync::{Mutex, PoisonError};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// Host bindings generated from the one WIT package (`wasm-core/wit`).
#[allow(missing_docs)]
mod bindings {
    wasmtime::component::bindgen!({
        world: "uepe-core",
        path: "../wasm-core/wit",
        // The mirror compares platform choices; the tests compare the
        // component's answers with the pure crate's through serde.
        additional_derives: [PartialEq, Eq, serde::Serialize, serde::Deserialize],
    });
}
use bindings::UepeCore;

/// The core's requests and answers, as generated from the WIT file: plain
/// data the I/O layers may hold (a platform choice, a described call)
/// without calling the core.
pub mod types {
    pub use super::bindings::exports::uepe::core::decisions::*;
}

pub use types::{
    AwsCall, AwsEndpointRequest, AwsKeys, ChoiceSet, ClusterNames, CommandsRequest, Defaults,
    DockerConfigRequest, EcrCallRequest, EcrRegistry, FieldError, ImagesRequest, InventoryRequest,
    JobRequest, MirrorCopy, MirrorPlanRequest, ObjectRef, Place, Platform, PlatformChoice,
    PlatformsRequest, PullSecretRequest, RefresherInventory, RefresherKind, RefresherRequest,
    RegistryInfo, SuggestRequest,
};

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

/// A loaded core component, ready to answer.
pub struct Core {
    engine: Engine,
    component: Component,
    /// The instance the calls share, made on the first call: the core
    /// keeps no state between calls, so one serves them all.
    instance: Mutex<Option<(Store<()>, UepeCore)>>,
}

/// Calls `decisions.$method` with `$arg`s.
macro_rules! call {
    ($self:ident, $method:ident $(, $arg:expr)*) => {
        $self.with(|store, core| core.uepe_core_decisions().$method(store $(, $arg)*))?
    };
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
        Ok(Self {
            engine,
            component,
            instance: Mutex::new(None),
        })
    }

    fn instantiate(&self) -> Result<(Store<()>, UepeCore), CoreError> {
        let mut store = Store::new(&self.engine, ());
        // The component imports nothing, so the linker stays empty.
        let linker = Linker::new(&self.engine);
        let bindings = UepeCore::instantiate(&mut store, &self.component, &linker)
            .map_err(CoreError::Runtime)?;
        Ok((store, bindings))
    }

    /// Runs `f` on the shared instance. A call that failed (a trap) may
    /// have left the instance unusable: the next call makes a new one.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Store<()>, &UepeCore) -> wasmtime::Result<T>,
    ) -> Result<T, CoreError> {
        let mut slot = self.instance.lock().unwrap_or_else(PoisonError::into_inner);
        let (mut store, core) = match slot.take() {
            Some(instance) => instance,
            None => self.instantiate()?,
        };
        let answer = f(&mut store, &core).map_err(CoreError::Runtime)?;
        *slot = Some((store, core));
        Ok(answer)
    }

    /// `images`: the image references, as a table, JSON, YAML or names.
    pub fn images(&self, r: &ImagesRequest) -> Result<String, CoreError> {
        call!(self, call_images, r).map_err(CoreError::Invalid)
    }

    /// `docker-config`: a docker config JSON with one registry entry.
    pub fn docker_config(&self, r: &DockerConfigRequest) -> Result<String, CoreError> {
        call!(self, call_docker_config, r).map_err(CoreError::Invalid)
    }

    /// `pull-secret`: the pull Secret manifests.
    pub fn pull_secret(&self, r: &PullSecretRequest) -> Result<String, CoreError> {
        call!(self, call_pull_secret, r).map_err(CoreError::Invalid)
    }

    /// `refresher`: the refresher's manifests for a runner.
    pub fn refresher(&self, r: &RefresherRequest) -> Result<String, CoreError> {
        call!(self, call_refresher, r).map_err(CoreError::Invalid)
    }

    /// `commands`: shell commands a person would otherwise type.
    pub fn commands(&self, r: &CommandsRequest) -> Result<String, CoreError> {
        call!(self, call_commands, r).map_err(CoreError::Invalid)
    }

    /// `ecr-call`: an ECR API call to sign and send.
    pub fn ecr_call(&self, r: &EcrCallRequest) -> Result<AwsCall, CoreError> {
        call!(self, call_ecr_call, r).map_err(CoreError::Invalid)
    }

    /// `aws-endpoint`: another AWS service's endpoint URL (STS).
    pub fn aws_endpoint(&self, r: &AwsEndpointRequest) -> Result<String, CoreError> {
        call!(self, call_aws_endpoint, r).map_err(CoreError::Invalid)
    }

    /// `registry`: what a registry (`HOST[/PATH]`) is, and whether it is ECR.
    pub fn registry(&self, registry: &str) -> Result<RegistryInfo, CoreError> {
        call!(self, call_registry, registry).map_err(CoreError::Invalid)
    }

    /// `platforms`: the platforms a mirror copies.
    pub fn platforms(&self, r: &PlatformsRequest) -> Result<PlatformChoice, CoreError> {
        call!(self, call_platforms, r).map_err(CoreError::Invalid)
    }

    /// `mirror-plan`: the copies of a mirror.
    pub fn mirror_plan(&self, r: &MirrorPlanRequest) -> Result<Vec<MirrorCopy>, CoreError> {
        call!(self, call_mirror_plan, r).map_err(CoreError::Invalid)
    }

    /// `suggest`: a `kubectl uepe` command line to suggest.
    pub fn suggest(&self, r: &SuggestRequest) -> Result<String, CoreError> {
        call!(self, call_suggest, r).map_err(CoreError::Invalid)
    }

    /// `choices`: the defaults and accepted values of the inputs.
    pub fn choices(&self) -> Result<ChoiceSet, CoreError> {
        Ok(call!(self, call_choices))
    }

    /// `conventions`: the names written to and read from the cluster.
    pub fn conventions(&self) -> Result<ClusterNames, CoreError> {
        Ok(call!(self, call_conventions))
    }

    /// `inventory`: what `cronjob install` may create for a pull secret.
    pub fn inventory(&self, r: &InventoryRequest) -> Result<RefresherInventory, CoreError> {
        call!(self, call_inventory, r).map_err(CoreError::Invalid)
    }

    /// `job-from-cron-job`: a Job (JSON) made from a CronJob.
    pub fn job_from_cron_job(&self, r: &JobRequest) -> Result<String, CoreError> {
        call!(self, call_job_from_cron_job, r).map_err(CoreError::Invalid)
    }

    /// The core's own version string.
    pub fn version(&self) -> Result<String, CoreError> {
        Ok(call!(self, call_version))
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
