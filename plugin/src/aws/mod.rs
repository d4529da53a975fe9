//! Every AWS call the plugin makes, below everything that uses it: the
//! credentials chain (`credentials`, `profile`), web identity (`sts`), the
//! one signed-call path (`call`: SigV4, send, retry, errors), and what goes
//! through it — GetAuthorizationToken (`ecr`) and the mirror's repository
//! calls (`repository`). The core decides each call and its region's STS
//! endpoint (`ecr-call`, `aws-endpoint`); the command layer asks it
//! (`cmd/ecr.rs`) and passes the answer, an [`ecr::EcrRequest`], down. A [`Session`] resolves the chain once per
//! run. This module imports nothing above it: its errors are [`AwsError`].

pub mod call;
pub mod credentials;
pub mod ecr;
mod error;
pub mod profile;
pub mod repository;
pub mod sts;

pub use error::AwsError;

use std::sync::Arc;

use credentials::{ChainInputs, Credentials, Source};
use ecr::{EcrRequest, Token};

/// An HTTP client for AWS calls.
pub fn client() -> Result<reqwest::Client, AwsError> {
    reqwest::Client::builder()
        .user_agent(concat!("kubectl-uepe/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(std::time::Duration::from_secs(10))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| AwsError::SetUpHttps(Arc::new(e)))
}

/// One run's AWS access: an HTTP client and the credentials chain's verdict,
/// resolved once (a failure is kept and reported by whichever call needs
/// keys, so a run that needs none never fails for lack of them).
#[derive(Debug)]
pub struct Session {
    http: reqwest::Client,
    chain: Result<Source, AwsError>,
}

impl Session {
    /// Reads the chain (environment and shared files) for `profile`.
    pub fn new(profile: Option<String>) -> Result<Self, AwsError> {
        Self::from_inputs(&ChainInputs::gather(profile))
    }

    /// Resolves already gathered chain inputs.
    pub fn from_inputs(inputs: &ChainInputs) -> Result<Self, AwsError> {
        Ok(Self {
            http: client()?,
            chain: inputs.resolve(),
        })
    }

    /// Where the keys come from.
    pub fn source(&self) -> Result<&Source, AwsError> {
        self.chain.as_ref().map_err(Clone::clone)
    }

    /// The client AWS calls are made with.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Keys to sign `req` with: the chain's, or a web identity's temporary
    /// ones from the STS endpoint the core chose for its region (asked each
    /// time: the token file rotates).
    pub async fn keys(&self, req: &EcrRequest) -> Result<Credentials, AwsError> {
        match self.source()? {
            Source::Keys(c, _) => Ok(c.clone()),
            Source::WebIdentity(wi) => sts::assume(&self.http, wi, &req.sts_url).await,
        }
    }

    /// An ECR password for the GetAuthorizationToken call `req`.
    pub async fn password(&self, req: &EcrRequest) -> Result<Token, AwsError> {
        let keys = self.keys(req).await?;
        ecr::get_token(&self.http, req, &keys).await
    }
}

/// The text of the first `<name>...</name>` element of an AWS XML answer.
pub(crate) fn xml_tag(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(xml[start..end].trim().to_owned())
}
