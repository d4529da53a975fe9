//! Why a mirror failed, one variant per step. No variant holds a secret:
//! request URLs are left out of transport errors (a redirect to object
//! storage carries a signature in its query), and credentials never enter.

use crate::aws::AwsError;

/// Mirror failures.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No answer from the registry on any allowed scheme.
    #[error("cannot reach registry {registry}: {cause}")]
    Connect {
        /// Registry host.
        registry: String,
        /// Transport error, without URL.
        cause: String,
    },
    /// Reading docker config or running a credential helper failed.
    #[error("reading the credentials for {registry} from docker config: {reason}")]
    ReadCredentials {
        /// Registry host.
        registry: String,
        /// Why.
        reason: String,
    },
    /// Getting an ECR password for the registry failed.
    #[error("getting an ECR password for {registry}: {source}")]
    EcrPassword {
        /// Registry host.
        registry: String,
        /// The AWS failure.
        #[source]
        source: AwsError,
    },
    /// The token server refused or failed.
    #[error("getting a token for {registry} from {realm}: {reason}")]
    GetToken {
        /// Registry host.
        registry: String,
        /// Token endpoint (without query).
        realm: String,
        /// Why.
        reason: String,
    },
    /// The credentials are refused, even fresh ones.
    #[error("{registry} refused the credentials ({status}) for {what}: {hint}")]
    Authenticate {
        /// Registry host.
        registry: String,
        /// HTTP status (401 or 403).
        status: u16,
        /// The request.
        what: String,
        /// What to do.
        hint: String,
    },
    /// An answer the step cannot go on with.
    #[error("{registry}: {what} answered {status}{detail}")]
    Request {
        /// Registry host.
        registry: String,
        /// The request.
        what: String,
        /// HTTP status.
        status: u16,
        /// The registry's own error message, if any.
        detail: String,
    },
    /// Retries did not help.
    #[error("{registry}: {what} failed after {attempts} attempts: {last}")]
    GaveUp {
        /// Registry host.
        registry: String,
        /// The request.
        what: String,
        /// How many.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The image (tag) is not in the source.
    #[error("{reference} is not in {registry}: check --version, --from and your access")]
    FindImage {
        /// The image reference.
        reference: String,
        /// Source registry.
        registry: String,
    },
    /// A manifest cannot be read.
    #[error("{reference}: the manifest cannot be copied: {reason}")]
    ParseManifest {
        /// The reference.
        reference: String,
        /// Why.
        reason: String,
    },
    /// The manifest bytes do not hash to the digest they were asked by.
    #[error(
        "{reference}: the source served a manifest with digest {actual}, not the {expected} asked for"
    )]
    VerifyManifest {
        /// The reference.
        reference: String,
        /// Expected.
        expected: String,
        /// Got.
        actual: String,
    },
    /// `--platform` asks for something the image does not have.
    #[error("{reference}: --platform: {reason}")]
    SelectPlatforms {
        /// The reference.
        reference: String,
        /// Why.
        reason: String,
    },
    /// A blob's bytes are not what its digest says: nothing of it is kept.
    #[error("blob {0}")]
    VerifyBlob(#[from] super::digest::Mismatch),
    /// The upload itself failed.
    #[error("{registry}: uploading blob {digest}: {reason}")]
    UploadBlob {
        /// Destination host.
        registry: String,
        /// The blob.
        digest: String,
        /// Why.
        reason: String,
    },
    /// Repositories an ECR destination lacks.
    #[error(
        "{registry} has no repository {names}: ECR needs it before a push; rerun with --create-repositories, or create it (aws ecr create-repository --repository-name NAME)",
        names = .names.join(", ")
    )]
    MissingRepositories {
        /// Destination host.
        registry: String,
        /// Missing repository names.
        names: Vec<String>,
    },
    /// An ECR API call failed.
    #[error("ECR {action} {repository}: {code}: {message}")]
    EcrApi {
        /// `CreateRepository` or `DescribeRepositories`.
        action: &'static str,
        /// Repository name.
        repository: String,
        /// AWS error code (or HTTP status).
        code: String,
        /// AWS message.
        message: String,
    },
    /// An ECR API call did not get an answer (unreachable, signing, gave up).
    #[error("ECR {action} {repository}: {source}")]
    EcrCall {
        /// `CreateRepository` or `DescribeRepositories`.
        action: &'static str,
        /// Repository name.
        repository: String,
        /// The AWS failure.
        #[source]
        source: AwsError,
    },
    /// Some images could not be copied; the others were.
    #[error("{} of {total} images were not copied:\n{}", .failures.len(), .failures.join("\n"))]
    CopyImages {
        /// `IMAGE: reason` lines.
        failures: Vec<String>,
        /// Images asked for.
        total: usize,
    },
    /// Writing the plan, progress or summary failed.
    #[error("writing output: {0}")]
    WriteOutput(#[source] std::io::Error),
    /// Ctrl-C.
    #[error(
        "interrupted: {done} of {total} images complete, nothing half-written is visible; run the same command again to finish"
    )]
    Interrupted {
        /// Images complete.
        done: usize,
        /// Images asked for.
        total: usize,
    },
}

/// A transport error's text with its causes and without its URL.
pub fn transport(e: reqwest::Error) -> String {
    crate::causes::chain(&e.without_url())
}

/// `: CODE: message` from a registry's JSON error body, if it has one.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct E {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<E>,
    }
    match serde_json::from_slice::<Errors>(body) {
        Ok(e) => e
            .errors
            .iter()
            .map(|e| format!(": {}: {}", e.code, e.message))
            .collect(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::error_detail;

    #[test]
    fn reads_registry_errors() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#;
        assert_eq!(
            error_detail(body),
            ": NAME_UNKNOWN: repository name not known to registry"
        );
        assert_eq!(error_detail(b"oops"), "");
    }
}
