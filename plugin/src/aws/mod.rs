//! Getting an ECR password without the AWS CLI: the credentials chain
//! (`credentials`, `profile`), web identity (`sts`), and the signed
//! GetAuthorizationToken call (`ecr`). The core decides the endpoint and the
//! request (`render: ecr-request`, also for the mirror's repository calls);
//! this module signs, sends and parses.

pub mod credentials;
pub mod ecr;
mod error;
pub mod profile;
pub mod sts;

pub use error::AwsError;

use serde_json::json;

use crate::core::Core;
use crate::error::Error;
use credentials::{ChainInputs, Source};
use ecr::{EcrRequest, Token};

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
    serde_json::from_str(&text)
        .map_err(|e| Error::CoreAnswer(format!("the core's ecr-request is not understood: {e}")))
}

/// An HTTP client for AWS calls.
pub fn client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(concat!("kubectl-uepe/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(Error::Https)
}

/// Gets an ECR password for `target` with the standard credentials chain.
pub async fn password(core: &Core, target: &Target) -> Result<(EcrRequest, Token), Error> {
    let req = describe(core, target)?;
    let client = client()?;
    let creds = match ChainInputs::gather(target.profile.clone()).resolve()? {
        Source::Keys(c, _) => c,
        Source::WebIdentity(wi) => sts::assume(&client, &wi, &req.region).await?,
    };
    let token = ecr::get_token(&client, &req, &creds).await?;
    Ok((req, token))
}

/// The text of the first `<name>...</name>` element of an AWS XML answer.
pub(crate) fn xml_tag(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim().to_owned())
}
