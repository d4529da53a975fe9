//! The refresher set that keeps the pull Secret fresh: ServiceAccount, Role
//! and RoleBinding limited to the one Secret, the AWS credentials Secret, and
//! a CronJob for the `aws-cli` or `plugin` runner. The `external-secrets`
//! runner lives in `eso.rs`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};

use crate::cron::Schedule;
use crate::images::Registry;
use crate::render::pod::{self, AWS_CREDENTIALS, KUBE_API_ACCESS, SCRATCH, TMP};
use crate::render::secret::{PullSecret, docker_config_printf_format};
use crate::render::{component_labels, metadata};
use crate::types::AwsKeys;

/// Default image of the `aws-cli` runner's init container (AWS's own).
pub const DEFAULT_AWS_CLI_IMAGE: &str = "public.ecr.aws/aws-cli/aws-cli:2.27.0";
/// Default image of the `aws-cli` runner's apply container (Kubernetes' own).
pub const DEFAULT_KUBECTL_IMAGE: &str = "registry.k8s.io/kubectl:v1.34.0";
/// Field manager of every server-side apply the refresher makes.
pub const FIELD_MANAGER: &str = "kubectl-uepe";
/// Annotation that carries the IRSA role on the ServiceAccount.
pub const IRSA_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
/// The longest suffix added to the secret name (`-refresher-aws`).
pub const LONGEST_SUFFIX: &str = "-refresher-aws";

/// How the refresh is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    /// AWS CLI init container + kubectl apply container.
    AwsCli,
    /// One container running `kubectl-uepe secret refresh`.
    Plugin,
    /// External Secrets Operator generator + ExternalSecret.
    ExternalSecrets,
}

impl Runner {
    /// The runner names accepted by `--runner`.
    pub const NAMES: [&'static str; 3] = ["aws-cli", "plugin", "external-secrets"];

    /// The name `--runner` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::AwsCli => Self::NAMES[0],
            Self::Plugin => Self::NAMES[1],
            Self::ExternalSecrets => Self::NAMES[2],
        }
    }

    /// Maps an accepted name to the runner.
    pub fn from_name(name: &str) -> Self {
        match name {
            "plugin" => Self::Plugin,
            "external-secrets" => Self::ExternalSecrets,
            _ => Self::AwsCli,
        }
    }
}

/// Everything the refresher set is made from, checked.
pub struct Refresher<'a> {
    /// The runner.
    pub runner: Runner,
    /// Namespaces whose pull Secret is refreshed; the first hosts the refresher.
    pub namespaces: &'a [String],
    /// The pull Secret name.
    pub secret_name: &'a str,
    /// The registry the pull Secret is for.
    pub registry: &'a Registry,
    /// AWS region of the ECR API.
    pub region: &'a str,
    /// The schedule.
    pub schedule: &'a Schedule,
    /// IRSA role; no keys are stored when given.
    pub role_arn: Option<&'a str>,
    /// `aws-cli` runner images.
    pub aws_cli_image: &'a str,
    /// `aws-cli` runner kubectl image.
    pub kubectl_image: &'a str,
    /// `plugin` runner image.
    pub plugin_image: Option<&'a str>,
    /// Keys for the credentials Secret, when known.
    pub credentials: Option<&'a AwsKeys>,
    /// The pull Secret to apply first, when the password is known.
    pub pull_secret: Option<PullSecret<'a>>,
}

impl Refresher<'_> {
    /// Namespace that hosts the ServiceAccount and the CronJob.
    pub fn home(&self) -> &str {
        self.namespaces.first().map_or("uepe", String::as_str)
    }

    /// Name of the ServiceAccount, Role, RoleBinding and CronJob.
    pub fn name(&self) -> String {
        format!("{}-refresher", self.secret_name)
    }

    /// Name of the AWS credentials Secret.
    pub fn credentials_secret(&self) -> String {
        format!("{}{LONGEST_SUFFIX}", self.secret_name)
    }

    fn meta(&self, name: &str, namespace: &str) -> Value {
        metadata(
            name,
            namespace,
            component_labels(self.secret_name, "refresher"),
        )
    }

    /// Every object, in apply order: pull Secrets, credentials, identity,
    /// permissions, then the CronJob (or the ESO objects).
    pub fn objects(&self) -> Vec<Value> {
        let mut out: Vec<Value> = Vec::new();
        if let Some(ps) = &self.pull_secret {
            out.extend(self.namespaces.iter().map(|ns| ps.secret(ns)));
        }
        if self.runner == Runner::ExternalSecrets {
            out.extend(crate::render::eso::objects(self));
            return out;
        }
        if let (None, Some(keys)) = (self.role_arn, self.credentials) {
            out.push(self.credentials_file_secret(keys));
        }
        out.push(self.service_account(self.home()));
        for ns in self.namespaces {
            out.push(self.role(ns));
            out.push(self.role_binding(ns));
        }
        out.push(self.cron_job());
        out
    }

    /// The AWS keys as a shared-credentials file.
    fn credentials_file_secret(&self, keys: &AwsKeys) -> Value {
        let mut file = format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            keys.access_key_id, keys.secret_access_key
        );
        if let Some(token) = keys.session_token.as_deref().filter(|t| !t.is_empty()) {
            file.push_str(&format!("aws_session_token = {token}\n"));
        }
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": self.meta(&self.credentials_secret(), self.home()),
            "type": "Opaque",
            "data": { "credentials": B64.encode(file) },
        })
    }

    /// The identity the Job runs as; carries the IRSA role when given.
    pub fn service_account(&self, namespace: &str) -> Value {
        let mut meta = self.meta(&self.name(), namespace);
        if let Some(arn) = self.role_arn {
            meta["annotations"] = json!({ IRSA_ANNOTATION: arn });
        }
        json!({
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": meta,
            "automountServiceAccountToken": false,
        })
    }

    /// get, create and patch of the one pull Secret, nothing else: server-side
    /// apply of a Secret that does not exist is authorized as a `create` of
    /// that name, so the refresher recreates a deleted pull Secret (issue 12).
    fn role(&self, namespace: &str) -> Value {
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": self.meta(&self.name(), namespace),
            "rules": [{
                "apiGroups": [""],
                "resources": ["secrets"],
                "resourceNames": [self.secret_name],
                "verbs": ["get", "create", "patch"],
            }],
        })
    }

    fn role_binding(&self, namespace: &str) -> Value {
        json!({
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": self.meta(&self.name(), namespace),
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": self.name(),
            },
            "subjects": [{
                "kind": "ServiceAccount",
                "name": self.name(),
                "namespace": self.home(),
            }],
        })
    }

    fn cron_job(&self) -> Value {
        let keys_mounted = self.role_arn.is_none();
        let mut volumes = vec![
            pod::memory_volume(TMP, "16Mi"),
            pod::kube_api_access_volume(),
        ];
        if keys_mounted {
            volumes.push(pod::aws_credentials_volume(&self.credentials_secret()));
        }
        let mut pod_spec = json!({
            "serviceAccountName": self.name(),
            "automountServiceAccountToken": false,
            "restartPolicy": "Never",
            "securityContext": pod::pod_security(),
        });
        match self.runner {
            Runner::Plugin => pod_spec["containers"] = json!([self.plugin_container(keys_mounted)]),
            _ => {
                volumes.push(pod::memory_volume(SCRATCH, "1Mi"));
                pod_spec["initContainers"] = json!([self.aws_cli_container(keys_mounted)]);
                pod_spec["containers"] = json!([self.kubectl_container()]);
            }
        }
        pod_spec["volumes"] = Value::Array(volumes);
        let labels = component_labels(self.secret_name, "refresher");
        json!({
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": self.meta(&self.name(), self.home()),
            "spec": {
                "schedule": self.schedule.text,
                "concurrencyPolicy": "Forbid",
                "startingDeadlineSeconds": 600,
                "successfulJobsHistoryLimit": 1,
                "failedJobsHistoryLimit": 3,
                "suspend": false,
                "jobTemplate": {
                    "metadata": { "labels": labels },
                    "spec": {
                        "backoffLimit": 3,
                        "activeDeadlineSeconds": 600,
                        "template": {
                            "metadata": { "labels": labels },
                            "spec": pod_spec,
                        },
                    },
                },
            },
        })
    }

    fn aws_mounts(&self, keys_mounted: bool) -> Vec<Value> {
        let mut m = vec![pod::mount(TMP, "/tmp", false)];
        if keys_mounted {
            m.push(pod::mount(AWS_CREDENTIALS, pod::AWS_CREDENTIALS_DIR, true));
        }
        m
    }

    /// Gets the token and writes the Secrets as JSON; holds no API token.
    fn aws_cli_container(&self, keys_mounted: bool) -> Value {
        let mut mounts = self.aws_mounts(keys_mounted);
        mounts.push(pod::mount(SCRATCH, "/work", false));
        json!({
            "name": "get-token",
            "image": self.aws_cli_image,
            "imagePullPolicy": "Always",
            "command": ["/bin/sh", "-ec", self.aws_cli_script()],
            "env": pod::aws_env(self.region, keys_mounted),
            "volumeMounts": mounts,
            "securityContext": pod::container_security(),
            "resources": pod::resources("50m", "500m", "128Mi", "256Mi"),
        })
    }

    /// The init container's script: one ECR call, then the Secrets written
    /// with printf (a shell builtin: the password is never on an argv).
    fn aws_cli_script(&self) -> String {
        const CONFIG: &str = "@CONFIG@";
        const EXPIRES: &str = "@EXPIRES@";
        let template = PullSecret {
            name: self.secret_name,
            registry: self.registry,
            username: "AWS",
            password: "",
            expires_at: Some(EXPIRES),
        };
        let mut secrets: Vec<Value> = self
            .namespaces
            .iter()
            .map(|ns| template.secret(ns))
            .collect();
        for s in &mut secrets {
            s["data"][".dockerconfigjson"] = Value::String(CONFIG.into());
        }
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": secrets});
        let skeleton = serde_json::to_string(&list).unwrap_or_default();
        // printf arguments in the order the placeholders occur.
        let mut args = Vec::new();
        let mut rest = skeleton.as_str();
        while let Some(i) = rest.find('@') {
            let tail = &rest[i..];
            if let Some(after) = tail.strip_prefix(CONFIG) {
                args.push("\"$config\"");
                rest = after;
            } else if let Some(after) = tail.strip_prefix(EXPIRES) {
                args.push("\"$expires\"");
                rest = after;
            } else {
                rest = &tail[1..];
            }
        }
        let format = skeleton.replace(CONFIG, "%s").replace(EXPIRES, "%s");
        let config_format = docker_config_printf_format(self.registry);
        format!(
            "out=$(aws ecr get-authorization-token --output text --query 'authorizationData[0].[authorizationToken,expiresAt]')\n\
             set -- $out\n\
             token=$1\n\
             expires=$2\n\
             password=$(printf '%s' \"$token\" | base64 -d | cut -d: -f2-)\n\
             config=$(printf '{config_format}' \"$password\" \"$token\" | base64 -w0)\n\
             printf '{format}' {args} > /work/secrets.json\n\
             echo \"ECR password fetched; it expires at $expires\"\n",
            args = args.join(" "),
        )
    }

    /// Applies the Secrets; the only container that holds the API token.
    fn kubectl_container(&self) -> Value {
        json!({
            "name": "apply-secret",
            "image": self.kubectl_image,
            "imagePullPolicy": "Always",
            "args": [
                "apply",
                "--server-side",
                format!("--field-manager={FIELD_MANAGER}"),
                "--force-conflicts",
                "--filename=/work/secrets.json",
            ],
            "env": [pod::env("HOME", "/tmp")],
            "volumeMounts": [
                pod::mount(SCRATCH, "/work", true),
                pod::mount(TMP, "/tmp", false),
                pod::mount(KUBE_API_ACCESS, pod::TOKEN_DIR, true),
            ],
            "securityContext": pod::container_security(),
            "resources": pod::resources("10m", "200m", "32Mi", "128Mi"),
        })
    }

    /// `kubectl-uepe secret refresh` in one container.
    fn plugin_container(&self, keys_mounted: bool) -> Value {
        let mut mounts = self.aws_mounts(keys_mounted);
        mounts.push(pod::mount(KUBE_API_ACCESS, pod::TOKEN_DIR, true));
        json!({
            "name": "refresh",
            "image": self.plugin_image.unwrap_or_default(),
            "imagePullPolicy": "Always",
            "command": ["kubectl-uepe"],
            "args": [
                "secret",
                "refresh",
                format!("--name={}", self.secret_name),
                format!("--namespace={}", self.namespaces.join(",")),
                format!("--registry={}", self.registry.display()),
                format!("--region={}", self.region),
            ],
            "env": pod::aws_env(self.region, keys_mounted),
            "volumeMounts": mounts,
            "securityContext": pod::container_security(),
            "resources": pod::resources("10m", "200m", "32Mi", "64Mi"),
        })
    }
}
