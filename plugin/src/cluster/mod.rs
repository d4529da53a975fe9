//! The Kubernetes side: connecting as kubectl would (`--kubeconfig`,
//! `KUBECONFIG` with several files, `--context`, in-cluster), and the few
//! calls the plugin makes, all on untyped objects the core rendered:
//! server-side apply with field manager `kubectl-uepe`, get, list by label,
//! create, delete. Errors come back as one `ClusterError` per cause.

mod error;
pub mod kubeconfig;
mod warnings;

pub use error::ClusterError;

use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch,
    PatchParams, PostParams,
};
use kube::config::KubeConfigOptions;
use serde_json::Value;

/// Where the in-cluster config reads the pod's service account (`token`,
/// `ca.crt`, `namespace`); fixed in kube-rs, as in client-go.
pub const SERVICE_ACCOUNT_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// How to reach the cluster, as typed.
#[derive(Debug, Clone, Default)]
pub struct Connect {
    /// `--kubeconfig`.
    pub kubeconfig: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// The field manager of every apply (the core's `conventions`).
    pub field_manager: String,
}

/// A connected client and the server it talks to (for messages).
#[derive(Clone)]
pub struct Cluster {
    client: kube::Client,
    /// The API server URL.
    pub server: String,
    /// The field manager of every apply.
    field_manager: String,
}

/// What kind of object, as the API addresses it.
#[derive(Debug, Clone)]
pub struct Kind {
    /// `group/version` or `v1`.
    pub api_version: String,
    /// Kind.
    pub kind: String,
}

impl Kind {
    /// A kind from its apiVersion and kind.
    pub fn new(api_version: &str, kind: &str) -> Self {
        Self {
            api_version: api_version.into(),
            kind: kind.into(),
        }
    }

    /// The kind of a rendered object.
    pub fn of(obj: &Value) -> Self {
        Self::new(
            obj["apiVersion"].as_str().unwrap_or_default(),
            obj["kind"].as_str().unwrap_or_default(),
        )
    }

    fn resource(&self) -> ApiResource {
        let (group, version) = self
            .api_version
            .split_once('/')
            .unwrap_or(("", &self.api_version));
        ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, &self.kind))
    }

    /// `secret`, `cronjob.batch`: the prefix kubectl prints.
    pub fn display(&self) -> String {
        let kind = self.kind.to_ascii_lowercase();
        match self.api_version.split_once('/') {
            Some((group, _)) => format!("{kind}.{group}"),
            None => kind,
        }
    }
}

impl Cluster {
    /// Connects: `--kubeconfig` file, else `KUBECONFIG`/`~/.kube/config`,
    /// else the pod's service account.
    pub async fn connect(c: &Connect) -> Result<Self, ClusterError> {
        let options = KubeConfigOptions {
            context: c.context.clone(),
            ..KubeConfigOptions::default()
        };
        let source = kubeconfig::Source::find(c.kubeconfig.as_deref());
        let config = match (kubeconfig::load(&source)?, &c.context) {
            (kubeconfig::Found::Config(loaded), _) => {
                loaded.check_context(c.context.as_deref())?;
                kube::Config::from_custom_kubeconfig(loaded.config, &options)
                    .await
                    .map_err(|e| ClusterError::Config(crate::causes::chain(&e)))?
            }
            // A context lives in a kubeconfig: there is none to look in.
            (kubeconfig::Found::Nothing(looked), Some(name)) => {
                return Err(ClusterError::ContextNotFound {
                    name: name.clone(),
                    there: format!("no kubeconfig: {looked}"),
                });
            }
            (kubeconfig::Found::Nothing(looked), None) => {
                kube::Config::incluster().map_err(|e| ClusterError::NoConfig {
                    looked,
                    in_cluster: in_cluster_failure(&e),
                })?
            }
        };
        let server = config.cluster_url.to_string();
        let client = kube::client::ClientBuilder::try_from(config)
            .map_err(|e| ClusterError::Config(crate::causes::chain(&e)))?
            .with_layer(&tower::util::MapResponseLayer::new(warnings::print))
            .build();
        Ok(Self {
            client,
            server,
            field_manager: c.field_manager.clone(),
        })
    }

    fn api(&self, kind: &Kind, namespace: Option<&str>) -> (Api<DynamicObject>, ApiResource) {
        let ar = kind.resource();
        let api = match namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &ar),
            None => Api::all_with(self.client.clone(), &ar),
        };
        (api, ar)
    }

    /// Maps a kube error to its cause.
    pub fn error(
        &self,
        e: kube::Error,
        verb: &str,
        kind: &Kind,
        namespace: &str,
        name: &str,
    ) -> ClusterError {
        let ar = kind.resource();
        match e {
            kube::Error::Api(status) if status.code == 401 => ClusterError::Unauthorized {
                server: self.server.clone(),
            },
            kube::Error::Api(status) if status.code == 403 => ClusterError::Forbidden {
                // The verb RBAC refused, which is not always the request's:
                // server-side apply of a missing object is checked as `create`.
                verb: refused_verb(&status.message).unwrap_or(verb).into(),
                resource: ar.plural.clone(),
                group: ar.group.clone(),
                namespace: namespace.into(),
                message: status.message.clone(),
            },
            kube::Error::Api(status) => ClusterError::Api {
                verb: verb.into(),
                resource: ar.plural.clone(),
                name: name.into(),
                namespace: namespace.into(),
                code: status.code,
                message: status.message.clone(),
            },
            other => self.transport(&other),
        }
    }

    /// A failure below HTTP: a certificate the configured CA does not
    /// trust, or no answer at all.
    fn transport(&self, e: &kube::Error) -> ClusterError {
        match untrusted_certificate(e) {
            Some(cause) => ClusterError::Untrusted {
                server: self.server.clone(),
                cause,
            },
            None => ClusterError::Unreachable {
                server: self.server.clone(),
                cause: crate::causes::chain(e),
            },
        }
    }

    /// Server-side apply; returns kubectl's line (`secret/x serverside-applied`).
    pub async fn apply(&self, obj: &Value, dry_run: bool) -> Result<String, ClusterError> {
        let kind = Kind::of(obj);
        let ns = obj["metadata"]["namespace"].as_str();
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        let (api, _) = self.api(&kind, ns);
        let mut params = PatchParams::apply(&self.field_manager).force();
        params.dry_run = dry_run;
        // As kubectl's default (--validate=strict): a field the server's
        // schema (a CRD's included) does not know is an error, not dropped.
        params.field_validation = Some(kube::api::ValidationDirective::Strict);
        api.patch(name, &params, &Patch::Apply(obj))
            .await
            .map_err(|e| self.error(e, "patch", &kind, ns.unwrap_or_default(), name))?;
        let suffix = if dry_run { " (server dry run)" } else { "" };
        Ok(format!(
            "{}/{name} serverside-applied{suffix}",
            kind.display()
        ))
    }

    /// A strategic merge patch (lists with a merge key merged by it, atomic
    /// lists replaced).
    pub async fn strategic_patch(
        &self,
        kind: &Kind,
        namespace: &str,
        name: &str,
        patch: &Value,
    ) -> Result<(), ClusterError> {
        let (api, _) = self.api(kind, Some(namespace));
        api.patch(name, &PatchParams::default(), &Patch::Strategic(patch))
            .await
            .map_err(|e| self.error(e, "patch", kind, namespace, name))?;
        Ok(())
    }

    /// Gets one object; `None` when it does not exist.
    pub async fn get(
        &self,
        kind: &Kind,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, ClusterError> {
        let (api, _) = self.api(kind, namespace);
        match api.get_opt(name).await {
            Ok(o) => Ok(o.map(|o| serde_json::to_value(o).unwrap_or(Value::Null))),
            Err(e) if unserved(&e) => Ok(None),
            Err(e) => Err(self.error(e, "get", kind, namespace.unwrap_or_default(), name)),
        }
    }

    /// Lists objects matching a label selector.
    pub async fn list(
        &self,
        kind: &Kind,
        namespace: &str,
        selector: &str,
    ) -> Result<Vec<Value>, ClusterError> {
        let (api, _) = self.api(kind, Some(namespace));
        let list = match api.list(&ListParams::default().labels(selector)).await {
            Ok(list) => list,
            Err(e) if unserved(&e) => return Ok(Vec::new()),
            Err(e) => return Err(self.error(e, "list", kind, namespace, "")),
        };
        Ok(list
            .items
            .into_iter()
            .map(|o| serde_json::to_value(o).unwrap_or(Value::Null))
            .collect())
    }

    /// Creates an object (POST).
    pub async fn create(&self, obj: &Value) -> Result<Value, ClusterError> {
        let kind = Kind::of(obj);
        let ns = obj["metadata"]["namespace"].as_str();
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        let (api, ar) = self.api(&kind, ns);
        let dynamic: DynamicObject =
            serde_json::from_value(obj.clone()).map_err(|e| ClusterError::Api {
                verb: "create".into(),
                resource: ar.plural.clone(),
                name: name.into(),
                namespace: ns.unwrap_or_default().into(),
                code: 0,
                message: e.to_string(),
            })?;
        let created = api
            .create(&PostParams::default(), &dynamic)
            .await
            .map_err(|e| self.error(e, "create", &kind, ns.unwrap_or_default(), name))?;
        Ok(serde_json::to_value(created).unwrap_or(Value::Null))
    }

    /// Deletes an object with background propagation (its Jobs go too).
    pub async fn delete(
        &self,
        kind: &Kind,
        namespace: &str,
        name: &str,
    ) -> Result<String, ClusterError> {
        let (api, _) = self.api(kind, Some(namespace));
        api.delete(name, &DeleteParams::background())
            .await
            .map_err(|e| self.error(e, "delete", kind, namespace, name))?;
        Ok(format!("{} \"{name}\" deleted", kind.display()))
    }

    /// The log of a pod's container.
    pub async fn logs(&self, namespace: &str, pod: &str) -> Result<String, ClusterError> {
        let api: Api<k8s_openapi::api::core::v1::Pod> =
            Api::namespaced(self.client.clone(), namespace);
        let params = kube::api::LogParams {
            tail_lines: Some(200),
            ..kube::api::LogParams::default()
        };
        api.logs(pod, &params)
            .await
            .map_err(|e| self.error(e, "get", &Kind::new("v1", "Pod"), namespace, pod))
    }

    /// The server's version (the reachability check).
    pub async fn version(&self) -> Result<String, ClusterError> {
        self.client
            .apiserver_version()
            .await
            .map(|v| v.git_version)
            .map_err(|e| self.transport(&e))
    }
}

/// A kind the server does not serve (a CRD not installed, such as ESO's):
/// the path does not exist and the server answers a bare `404 page not
/// found`, not a NotFound Status (which `get_opt` already turns into
/// `None`). Such a kind has no objects.
fn unserved(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(status) if status.code == 404)
}

/// The verb in an RBAC refusal (`User "u" cannot create resource "secrets" ...`).
fn refused_verb(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once(" cannot ")?;
    let (verb, rest) = rest.split_once(' ')?;
    rest.starts_with("resource ").then_some(verb)
}

/// rustls's certificate error, if that is why `e` happened. It reaches us
/// inside `io::Error`s (two, nested), whose `source()` skips the error they
/// wrap, so each link is also unwrapped through `get_ref`.
fn untrusted_certificate(e: &kube::Error) -> Option<String> {
    let mut link: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = link {
        let mut inner: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(candidate) = inner {
            if let Some(tls @ rustls::Error::InvalidCertificate(_)) =
                candidate.downcast_ref::<rustls::Error>()
            {
                return Some(tls.to_string());
            }
            inner = candidate
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .map(|wrapped| wrapped as &(dyn std::error::Error + 'static));
        }
        link = err.source();
    }
    None
}

/// Why the pod's service account was not used: outside a pod, briefly;
/// in one, where kube looked and what failed.
fn in_cluster_failure(e: &kube::config::InClusterError) -> String {
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
        ": not in a pod (KUBERNETES_SERVICE_HOST is not set)".into()
    } else {
        format!(
            " ({SERVICE_ACCOUNT_DIR}, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT): {}",
            crate::causes::chain(e)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::refused_verb;

    #[test]
    fn the_refused_verb_is_read_from_the_servers_message() {
        assert_eq!(
            refused_verb(
                "secrets \"ecr-cred\" is forbidden: User \"bob\" cannot create resource \"secrets\" in API group \"\" in the namespace \"x\""
            ),
            Some("create")
        );
        assert_eq!(refused_verb("forbidden for another reason"), None);
    }
}
