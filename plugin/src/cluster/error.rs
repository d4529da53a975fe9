//! Why a call to the Kubernetes API failed, one variant per cause, each with
//! what to do. A refused call names the verb, resource and namespace and the
//! RBAC rule that would allow it.

/// Kubernetes failures.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No kubeconfig file and not in a pod.
    #[error(
        "no Kubernetes configuration: kubeconfig: {looked}; in-cluster{in_cluster}; pass --kubeconfig, set KUBECONFIG, or run inside a pod"
    )]
    NoConfig {
        /// Which file was looked for, and why that one.
        looked: String,
        /// Why the pod's service account could not be used (with a leading
        /// ` (where): ` or `: `).
        in_cluster: String,
    },
    /// `--kubeconfig` names a file that is not there.
    #[error("kubeconfig {0}")]
    KubeconfigMissing(String),
    /// A kubeconfig file is not YAML (or not a kubeconfig's shape).
    #[error("kubeconfig {at}: {message}")]
    KubeconfigSyntax {
        /// `FILE:LINE:COLUMN`.
        at: String,
        /// The parser's message, without the lines of the file.
        message: String,
    },
    /// A kubeconfig file cannot be read or used.
    #[error("kubeconfig {file}: {reason}")]
    Kubeconfig {
        /// The file.
        file: String,
        /// Why.
        reason: String,
    },
    /// The context asked for is not defined (kubectl's own wording).
    #[error("context was not found for specified context: {name}; {there}")]
    ContextNotFound {
        /// The context.
        name: String,
        /// The contexts there are, and where.
        there: String,
    },
    /// Neither `--context` nor `current-context`.
    #[error(
        "kubeconfig {files}: no current-context is set; pass --context (contexts: {available})"
    )]
    NoCurrentContext {
        /// The kubeconfig files.
        files: String,
        /// The contexts there are.
        available: String,
    },
    /// The configuration was read but cannot make a client.
    #[error("cannot use the Kubernetes configuration: {0}")]
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
        "forbidden: you may not {verb} {resource}{}; it needs {} rule like {{apiGroups: [\"{group}\"], resources: [\"{resource}\"], verbs: [\"{verb}\"]}} ({message})",
        in_namespace(.namespace),
        if .namespace.is_empty() { "a ClusterRole" } else { "an RBAC" }
    )]
    Forbidden {
        /// The verb.
        verb: String,
        /// Resource (plural).
        resource: String,
        /// API group ("" for core).
        group: String,
        /// Namespace ("" for a cluster-scoped resource).
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
        what: String,
        /// The CRD name.
        crd: String,
        /// How to install it.
        fix: String,
    },
    /// Any other answer from the API server.
    #[error("{verb} {resource} {name}{} failed: {message} ({code})", in_namespace(.namespace))]
    Api {
        /// The verb.
        verb: String,
        /// Resource.
        resource: String,
        /// Object name.
        name: String,
        /// Namespace ("" for a cluster-scoped resource).
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

/// ` in namespace NS`, or nothing for a cluster-scoped resource.
fn in_namespace(namespace: &str) -> String {
    if namespace.is_empty() {
        String::new()
    } else {
        format!(" in namespace {namespace}")
    }
}
