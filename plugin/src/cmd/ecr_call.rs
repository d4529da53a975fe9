//! Asking the core for an ECR call (`render: ecr-request`): the
//! GetAuthorizationToken of `login`, `secret` and `cronjob install`, and the
//! mirror's repository calls. The one place the plugin builds that request
//! and reads the core's answer into an [`EcrRequest`], which the commands
//! then hand down to `aws/`; switching to a typed core interface changes
//! only this file.

use serde_json::json;

use crate::aws::ecr::{EcrRequest, Token};
use crate::aws::{Session, Target};
use crate::core::Core;
use crate::error::Error;

/// The ECR endpoint override the SDKs honour, service-specific first.
fn endpoint_override() -> Option<String> {
    ["AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// The GetAuthorizationToken request the core describes for `target`.
pub fn describe(core: &Core, target: &Target) -> Result<EcrRequest, Error> {
    describe_call(core, target, &json!({}))
}

/// The request the core describes for `target` and the members of `call`
/// (`action`, `repository`, a new repository's settings).
pub fn describe_call(
    core: &Core,
    target: &Target,
    call: &serde_json::Value,
) -> Result<EcrRequest, Error> {
    let mut request = json!({
        "render": "ecr-request",
        "registry": target.registry,
        "region": target.region,
        "endpoint-url": endpoint_override(),
    });
    if let (Some(members), Some(call)) = (request.as_object_mut(), call.as_object()) {
        members.extend(call.clone());
    }
    let text = core.render(&request)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "internal: the core's ecr-request is not understood: {e}"
        ))
    })
}

/// Whether the core takes `host` for an ECR registry: without a region it
/// only describes a call for a host it can read one from.
pub fn is_ecr(core: &Core, host: &str) -> bool {
    core.render(&json!({"render": "ecr-request", "registry": host}))
        .is_ok()
}

/// Gets an ECR password for `target`: the core describes the call, the
/// session (its chain resolved once) makes it.
pub async fn password(
    core: &Core,
    target: &Target,
    session: &Session,
) -> Result<(EcrRequest, Token), Error> {
    let req = describe(core, target)?;
    let token = session.password(&req).await?;
    Ok((req, token))
}
