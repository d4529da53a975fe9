//! The pieces every refresher pod shares: the restricted security context,
//! resource bounds, the memory-backed scratch volumes, the AWS credentials
//! file mount and the API token mounted only where it is needed. Together
//! they pass Pod Security Standards "restricted" and checkov.
//!
//! Objects are built as JSON, not as k8s-openapi types: those types drag
//! their whole serializers (and jiff, for timestamps) into the component
//! the web page downloads. The unit tests below read every rendered
//! object back through k8s-openapi, so a misspelt field still fails.

use serde_json::{Value, json};

/// The non-root user every refresher container runs as (distroless nonroot).
pub const USER: i64 = 65532;
/// Where the AWS shared-credentials file is mounted.
pub const AWS_CREDENTIALS_DIR: &str = "/var/run/secrets/aws";
/// Where the API token is mounted, where client libraries look for it.
pub const TOKEN_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Volume names.
pub const SCRATCH: &str = "scratch";
/// The temporary home directory of the tools.
pub const TMP: &str = "tmp";
/// The AWS credentials volume.
pub const AWS_CREDENTIALS: &str = "aws-credentials";
/// The projected API token volume.
pub const KUBE_API_ACCESS: &str = "kube-api-access";

/// Files mounted from Secrets and the token: owner and fsGroup may read (0440).
const READ_ONLY_MODE: u32 = 0o440;

/// Pod-level security context: non-root, RuntimeDefault seccomp.
pub fn pod_security() -> Value {
    json!({
        "runAsNonRoot": true,
        "runAsUser": USER,
        "runAsGroup": USER,
        "fsGroup": USER,
        "seccompProfile": { "type": "RuntimeDefault" },
    })
}

/// Container-level security context: no privilege, no capability, read-only root.
pub fn container_security() -> Value {
    json!({
        "allowPrivilegeEscalation": false,
        "privileged": false,
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
        "runAsUser": USER,
        "runAsGroup": USER,
        "capabilities": { "drop": ["ALL"] },
        "seccompProfile": { "type": "RuntimeDefault" },
    })
}

/// Requests and limits for one container.
pub fn resources(
    cpu_request: &str,
    cpu_limit: &str,
    memory_request: &str,
    memory_limit: &str,
) -> Value {
    json!({
        "requests": { "cpu": cpu_request, "memory": memory_request },
        "limits": { "cpu": cpu_limit, "memory": memory_limit },
    })
}

/// A memory-backed emptyDir of `size`.
pub fn memory_volume(name: &str, size: &str) -> Value {
    json!({ "name": name, "emptyDir": { "medium": "Memory", "sizeLimit": size } })
}

/// The AWS credentials Secret as a read-only file for the fsGroup.
pub fn aws_credentials_volume(secret: &str) -> Value {
    json!({
        "name": AWS_CREDENTIALS,
        "secret": { "secretName": secret, "defaultMode": READ_ONLY_MODE },
    })
}

/// The API token, CA and namespace, projected as the kubelet would, so only
/// the container that mounts this volume can talk to the API server.
pub fn kube_api_access_volume() -> Value {
    json!({
        "name": KUBE_API_ACCESS,
        "projected": {
            "defaultMode": READ_ONLY_MODE,
            "sources": [
                { "serviceAccountToken": { "path": "token", "expirationSeconds": 3607 } },
                {
                    "configMap": {
                        "name": "kube-root-ca.crt",
                        "items": [{ "key": "ca.crt", "path": "ca.crt" }],
                    },
                },
                {
                    "downwardAPI": {
                        "items": [{
                            "path": "namespace",
                            "fieldRef": { "fieldPath": "metadata.namespace" },
                        }],
                    },
                },
            ],
        },
    })
}

/// A read-only (or writable) mount.
pub fn mount(name: &str, path: &str, read_only: bool) -> Value {
    json!({ "name": name, "mountPath": path, "readOnly": read_only })
}

/// A plain environment variable.
pub fn env(name: &str, value: &str) -> Value {
    json!({ "name": name, "value": value })
}

/// The environment that points the AWS tools at the region and, without
/// IRSA, at the mounted credentials file; never at the instance metadata.
pub fn aws_env(region: &str, keys_mounted: bool) -> Vec<Value> {
    let mut v = vec![
        env("AWS_REGION", region),
        env("AWS_EC2_METADATA_DISABLED", "true"),
        env("HOME", "/tmp"),
    ];
    if keys_mounted {
        v.push(env(
            "AWS_SHARED_CREDENTIALS_FILE",
            &format!("{AWS_CREDENTIALS_DIR}/credentials"),
        ));
    }
    v
}
