//! The ECR calls the commands make, as the core decides them: the shell
//! gathers what the user said and the endpoint overrides the AWS SDKs
//! honour, the core answers the call (`ecr-call`) and the STS endpoint of
//! its region (`aws-endpoint`), and `aws/` signs and sends with no core
//! call of its own.

use crate::aws::Session;
use crate::aws::ecr::{EcrRequest, Token};
use crate::core::{AwsEndpointRequest, Core, EcrCallRequest};
use crate::error::Error;

/// What the user said about where to log in.
#[derive(Debug, Clone, Default)]
pub struct Target {
    /// `--registry`, when given.
    pub registry: Option<String>,
    /// `--region`, when given.
    pub region: Option<String>,
    /// `--profile`, when given.
    pub profile: Option<String>,
}

impl Target {
    /// GetAuthorizationToken for this target.
    pub fn login(&self) -> EcrCallRequest {
        EcrCallRequest {
            registry: self.registry.clone(),
            region: self.region.clone(),
            endpoint_url: None,
            action: None,
            repository: None,
            immutable_tags: false,
            scan_on_push: false,
        }
    }
}

/// The endpoint override the SDKs honour for `service` (`ECR`, `STS`):
/// `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`.
fn endpoint_override(service: &str) -> Option<String> {
    [
        format!("AWS_ENDPOINT_URL_{service}"),
        "AWS_ENDPOINT_URL".into(),
    ]
    .iter()
    .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// The call `request` describes, with the endpoint overrides of the
/// environment, ready for `aws/` to sign and send.
pub fn call(core: &Core, request: EcrCallRequest) -> Result<EcrRequest, Error> {
    let call = core.ecr_call(&EcrCallRequest {
        endpoint_url: endpoint_override("ECR"),
        ..request
    })?;
    let sts_url = core.aws_endpoint(&AwsEndpointRequest {
        service: "sts".into(),
        region: call.region.clone(),
        endpoint_url: endpoint_override("STS"),
    })?;
    Ok(EcrRequest {
        region: call.region,
        signing_name: call.signing_name,
        url: call.url,
        target: call.target,
        content_type: call.content_type,
        body: call.body,
        registry_host: call.registry_host,
        server: call.server,
        known_region: call.known_region,
        sts_url,
    })
}

/// An ECR password for `target`: the core describes the call, the session
/// (its credentials chain resolved once per run) makes it.
pub async fn password(
    core: &Core,
    target: &Target,
    session: &Session,
) -> Result<(EcrRequest, Token), Error> {
    let req = call(core, target.login())?;
    let token = session.password(&req).await?;
    Ok((req, token))
}
