//! The core's requests and answers: the types generated from `wit/core.wit`
//! (see `wit.rs`), named here so the rest of the crate and its callers need
//! not spell the generated module path.

pub use crate::wit::exports::uepe::core::decisions::{
    AwsCall, AwsEndpointRequest, AwsKeys, ChoiceSet, ClusterNames, CommandsRequest, CrdRequirement,
    Defaults, DockerConfigRequest, EcrCallRequest, EcrRegistry, FieldError, ImagesRequest,
    InventoryRequest, JobRequest, MirrorCopy, MirrorPlanRequest, ObjectRef, Place, Platform,
    PlatformChoice, PlatformsRequest, PullSecretRequest, RefresherInventory, RefresherKind,
    RefresherRequest, RegistryInfo, SuggestRequest,
};

/// An optional input: absent and empty are the same (a web form sends "").
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
