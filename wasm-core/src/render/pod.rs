//! The pieces every refresher pod shares: the restricted security context,
//! resource bounds, the memory-backed scratch volumes, the AWS credentials
//! file mount and the API token mounted only where it is needed. Together
//! they pass Pod Security Standards "restricted" and checkov.

use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMapProjection, DownwardAPIProjection, DownwardAPIVolumeFile,
    EmptyDirVolumeSource, EnvVar, KeyToPath, ObjectFieldSelector, PodSecurityContext,
    ProjectedVolumeSource, ResourceRequirements, SeccompProfile, SecretVolumeSource,
    SecurityContext, ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

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

/// Pod-level security context: non-root, RuntimeDefault seccomp.
pub fn pod_security() -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(USER),
        run_as_group: Some(USER),
        fs_group: Some(USER),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..SeccompProfile::default()
        }),
        ..PodSecurityContext::default()
    }
}

/// Container-level security context: no privilege, no capability, read-only root.
pub fn container_security() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(USER),
        run_as_group: Some(USER),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Capabilities::default()
        }),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..SeccompProfile::default()
        }),
        ..SecurityContext::default()
    }
}

/// Requests and limits for one container.
pub fn resources(
    cpu_request: &str,
    cpu_limit: &str,
    memory_request: &str,
    memory_limit: &str,
) -> ResourceRequirements {
    let q = |cpu: &str, mem: &str| {
        BTreeMap::from([
            ("cpu".to_owned(), Quantity(cpu.to_owned())),
            ("memory".to_owned(), Quantity(mem.to_owned())),
        ])
    };
    ResourceRequirements {
        requests: Some(q(cpu_request, memory_request)),
        limits: Some(q(cpu_limit, memory_limit)),
        ..ResourceRequirements::default()
    }
}

/// A memory-backed emptyDir of `size`.
pub fn memory_volume(name: &str, size: &str) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource {
            medium: Some("Memory".into()),
            size_limit: Some(Quantity(size.into())),
        }),
        ..Volume::default()
    }
}

/// The AWS credentials Secret as a read-only file for the fsGroup.
pub fn aws_credentials_volume(secret: &str) -> Volume {
    Volume {
        name: AWS_CREDENTIALS.into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.into()),
            default_mode: Some(0o440),
            ..SecretVolumeSource::default()
        }),
        ..Volume::default()
    }
}

/// The API token, CA and namespace, projected as the kubelet would, so only
/// the container that mounts this volume can talk to the API server.
pub fn kube_api_access_volume() -> Volume {
    Volume {
        name: KUBE_API_ACCESS.into(),
        projected: Some(ProjectedVolumeSource {
            default_mode: Some(0o440),
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        path: "token".into(),
                        expiration_seconds: Some(3607),
                        ..ServiceAccountTokenProjection::default()
                    }),
                    ..VolumeProjection::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath {
                            key: "ca.crt".into(),
                            path: "ca.crt".into(),
                            ..KeyToPath::default()
                        }]),
                        ..ConfigMapProjection::default()
                    }),
                    ..VolumeProjection::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![DownwardAPIVolumeFile {
                            path: "namespace".into(),
                            field_ref: Some(ObjectFieldSelector {
                                field_path: "metadata.namespace".into(),
                                ..ObjectFieldSelector::default()
                            }),
                            ..DownwardAPIVolumeFile::default()
                        }]),
                    }),
                    ..VolumeProjection::default()
                },
            ]),
        }),
        ..Volume::default()
    }
}

/// A read-only (or writable) mount.
pub fn mount(name: &str, path: &str, read_only: bool) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        read_only: Some(read_only),
        ..VolumeMount::default()
    }
}

/// A plain environment variable.
pub fn env(name: &str, value: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..EnvVar::default()
    }
}

/// The environment that points the AWS tools at the region and, without
/// IRSA, at the mounted credentials file; never at the instance metadata.
pub fn aws_env(region: &str, keys_mounted: bool) -> Vec<EnvVar> {
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
