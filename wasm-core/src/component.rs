//! The WebAssembly component export: each function of `wit/core.wit`'s
//! `decisions` interface is the function of the same name in [`crate::api`].
#![allow(unsafe_code, missing_docs)]

use crate::types::*;
use crate::wit::exports::uepe::core::decisions::Guest;

struct Core;

impl Guest for Core {
    fn images(r: ImagesRequest) -> Result<String, Vec<FieldError>> {
        crate::api::images(&r)
    }
    fn docker_config(r: DockerConfigRequest) -> Result<String, Vec<FieldError>> {
        crate::api::docker_config(&r)
    }
    fn pull_secret(r: PullSecretRequest) -> Result<String, Vec<FieldError>> {
        crate::api::pull_secret(&r)
    }
    fn refresher(r: RefresherRequest) -> Result<String, Vec<FieldError>> {
        crate::api::refresher(&r)
    }
    fn commands(r: CommandsRequest) -> Result<String, Vec<FieldError>> {
        crate::api::commands(&r)
    }
    fn ecr_call(r: EcrCallRequest) -> Result<AwsCall, Vec<FieldError>> {
        crate::api::ecr_call(&r)
    }
    fn aws_endpoint(r: AwsEndpointRequest) -> Result<String, Vec<FieldError>> {
        crate::api::aws_endpoint(&r)
    }
    fn registry(r: String) -> Result<RegistryInfo, Vec<FieldError>> {
        crate::api::registry(&r)
    }
    fn platforms(r: PlatformsRequest) -> Result<PlatformChoice, Vec<FieldError>> {
        crate::api::platforms(&r)
    }
    fn mirror_plan(r: MirrorPlanRequest) -> Result<Vec<MirrorCopy>, Vec<FieldError>> {
        crate::api::mirror_plan(&r)
    }
    fn suggest(r: SuggestRequest) -> Result<String, Vec<FieldError>> {
        crate::api::suggest(&r)
    }
    fn choices() -> ChoiceSet {
        crate::api::choices()
    }
    fn conventions() -> ClusterNames {
        crate::api::conventions()
    }
    fn inventory(r: InventoryRequest) -> Result<RefresherInventory, Vec<FieldError>> {
        crate::api::inventory(&r)
    }
    fn job_from_cron_job(r: JobRequest) -> Result<String, Vec<FieldError>> {
        crate::api::job_from_cron_job(&r)
    }
    fn version() -> String {
        crate::api::version().to_owned()
    }
}

crate::wit::export!(Core with_types_in crate::wit);
