//! Why an AWS call failed, one variant per step or cause, each message
//! naming the cause and the fix. No variant holds a secret. `Clone`, so the
//! credentials chain is resolved once and its verdict handed to every call
//! of the run (lower errors are shared through `Arc`).

use std::sync::Arc;

/// AWS failures.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AwsError {
    /// The HTTPS client for AWS calls could not be set up.
    #[error("cannot set up HTTPS: {0}")]
    SetUpHttps(#[source] Arc<reqwest::Error>),
    /// No credentials anywhere in the chain.
    #[error(
        "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / --profile with ~/.aws/credentials, or AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE"
    )]
    NoCredentials,
    /// Only half of the environment keys are set.
    #[error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together: {0} is missing")]
    IncompleteEnv(&'static str),
    /// The profile asked for does not exist.
    #[error(
        "AWS profile `{0}` is not in ~/.aws/credentials or ~/.aws/config (or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE)"
    )]
    NoSuchProfile(String),
    /// The profile uses a credential source this tool does not implement.
    #[error(
        "AWS profile `{profile}` has no keys kubectl-uepe can use ({setting}); export keys with `aws configure export-credentials --profile {profile} --format env` and retry"
    )]
    UnsupportedProfile {
        /// Profile name.
        profile: String,
        /// The setting found instead of keys.
        setting: String,
    },
    /// The web identity token file could not be read.
    #[error("cannot read the web identity token file {path}: {source}")]
    TokenFile {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: Arc<std::io::Error>,
    },
    /// AWS does not know the access key.
    #[error(
        "AWS does not recognise access key ID {0}: check AWS_ACCESS_KEY_ID or the profile's aws_access_key_id"
    )]
    UnknownAccessKey(String),
    /// The signature did not match: wrong secret key.
    #[error(
        "the secret access key does not match access key ID {0}: check AWS_SECRET_ACCESS_KEY or the profile's aws_secret_access_key"
    )]
    SignatureMismatch(String),
    /// The session token has expired.
    #[error(
        "the AWS session token has expired: get fresh temporary credentials (for example `aws sso login` or a new STS session) and retry"
    )]
    ExpiredToken,
    /// The request time is too far from AWS's clock.
    #[error(
        "AWS rejected the request time (RequestExpired): this machine's clock is off by more than 5 minutes; sync it (NTP) and retry"
    )]
    ClockSkew,
    /// Not allowed.
    #[error(
        "access denied: {principal} may not call ecr:GetAuthorizationToken; ask for an IAM policy that allows it ({message})"
    )]
    AccessDenied {
        /// The access key or role.
        principal: String,
        /// AWS's own message.
        message: String,
    },
    /// The endpoint's host does not resolve, and AWS has no such region.
    #[error(
        "cannot resolve {host}: `{region}` is not an AWS region; check --region (or the registry host), or set AWS_ENDPOINT_URL_ECR"
    )]
    UnknownRegion {
        /// Endpoint host.
        host: String,
        /// The region.
        region: String,
    },
    /// The endpoint of a region that exists does not resolve here.
    #[error(
        "cannot resolve {host} ({cause}): check DNS, the proxy (HTTPS_PROXY) or the network; or set AWS_ENDPOINT_URL_ECR to an endpoint this machine can reach"
    )]
    CannotResolve {
        /// Endpoint host.
        host: String,
        /// The resolver's error, without secrets.
        cause: String,
    },
    /// The endpoint does not answer.
    #[error(
        "cannot reach the ECR API at {url}: {cause}; check the network, proxy or AWS_ENDPOINT_URL_ECR"
    )]
    Unreachable {
        /// The URL.
        url: String,
        /// The connection error, without secrets.
        cause: String,
    },
    /// Throttled or server errors until the attempts ran out.
    #[error("the ECR API kept failing ({code}) after {attempts} attempts: try again later")]
    GaveUp {
        /// Last error code or HTTP status.
        code: String,
        /// Attempts made.
        attempts: u32,
    },
    /// Any other AWS error.
    #[error("AWS refused the request: {code}: {message}")]
    Other {
        /// The error code.
        code: String,
        /// AWS's message.
        message: String,
    },
    /// The answer could not be understood.
    #[error("unexpected answer from the ECR API: {0}")]
    BadResponse(String),
    /// Signing failed (bad region or header).
    #[error("cannot sign the request: {0}")]
    Signing(String),
}
