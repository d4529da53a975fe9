//! Getting an ECR password without the AWS CLI: the credentials chain
//! (`credentials`, `profile`), web identity (`sts`), and the signed
//! GetAuthorizationToken call (`ecr`). The core decides the endpoints and the
//! request (`ecr-call`, also for the mirror's repository calls, and
//! `aws-endpoint` for STS), asked by the commands (`cmd/ecr.rs`); this
//! module signs, sends and parses.

pub mod credentials;
pub mod ecr;
mod error;
pub mod profile;
pub mod sts;

pub use error::AwsError;

use crate::error::Error;
use credentials::{ChainInputs, Source};
use ecr::{EcrRequest, Token};

/// An HTTP client for AWS calls.
pub fn client() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(concat!("kubectl-uepe/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(Error::Https)
}

/// Gets an ECR password with the call the core described and the standard
/// credentials chain (`profile`: `--profile`).
pub async fn password(req: &EcrRequest, profile: Option<String>) -> Result<Token, Error> {
    let client = client()?;
    let creds = match ChainInputs::gather(profile).resolve()? {
        Source::Keys(c, _) => c,
        Source::WebIdentity(wi) => sts::assume(&client, &wi, &req.sts_url).await?,
    };
    Ok(ecr::get_token(&client, req, &creds).await?)
}

/// The text of the first `<name>...</name>` element of an AWS XML answer.
pub(crate) fn xml_tag(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim().to_owned())
}
