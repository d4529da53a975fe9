//! Why a call to the Kubernetes API failed, one variant per cause, each with
//! what to do. A refused call names the verb, resource and namespace and the
//! RBAC rule that would allow it.

/// Kubernetes failures.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No usable kubeconfig and not in a pod.
    #[error(
        "no Kubernetes configuration: {0}; pass --kubeconfig, set KUBECONFIG, or run inside a pod"
    )]
    Config(String),
    /// The API server does not answer.
    #[error("cannot reach the Kubernetes API server at {server}: {cause}")]
    Unreachable {
        /// Server URL.
        server: String,
        /// Why.
        cause: String,
    },
    /// The server's certificate is not signed by the CA we were given.
    #[error(
        "the API server at {server} is not trusted: {cause}; check the cluster's certificate-authority in the kubeconfig (in a pod: the service account's ca.crt)"
    )]
    Untrusted {
        /// Server URL.
        server: String,
        /// rustls's reason.
        cause: String,
    },
    /// 401: the credentials were not accepted.
    #[error(
        "the API server at {server} did not accept your credentials (401): log in again or check the kubeconfig user"
    )]
    Unauthorized {
        /// Server URL.
        server: String,
    },
    /// 403: RBAC refused one call.
    #[error(
        "forbidden: you may not {verb} {resource} in namespace {namespace}; it needs an RBAC rule like {{apiGroups: [\"{group}\"], resources: [\"{resource}\"], verbs: [\"{verb}\"]}} ({message})"
    )]
    Forbidden {
        /// The verb.
        verb: String,
        /// Resource (plural).
        resource: String,
        /// API group ("" for core).
        group: String,
        /// Namespace.
        namespace: String,
        /// The server's message.
        message: String,
    },
    /// A namespace that does not exist.
    #[error("namespace {0} does not exist: create it, or pass --create-namespace")]
    NamespaceMissing(String),
    /// A CRD that is not installed.
    #[error("{what} is not installed in this cluster (no CustomResourceDefinition {crd}): {fix}")]
    CrdMissing {
        /// What it belongs to.
        what: &'static str,
        /// The CRD name.
        crd: String,
        /// How to install it.
        fix: &'static str,
    },
    /// Any other answer from the API server.
    #[error("{verb} {resource} {name} in namespace {namespace} failed: {message} ({code})")]
    Api {
        /// The verb.
        verb: String,
        /// Resource.
        resource: String,
        /// Object name.
        name: String,
        /// Namespace.
        namespace: String,
        /// HTTP status.
        code: u16,
        /// The server's message.
        message: String,
    },
    /// Waiting took longer than allowed.
    #[error("{0}")]
    Timeout(String),
}
