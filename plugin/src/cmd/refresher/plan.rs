//! The refresher of one pull secret as install would make it, asked of the
//! core, and what of it the cluster holds: shared by `cronjob status`,
//! `run`, `uninstall` and `doctor`.

use serde_json::{Value, json};

use super::super::apply::items;
use crate::cli::SecretTarget;
use crate::cluster::{Cluster, Kind};
use crate::core::Core;
use crate::error::Error;

/// The refresher as install would make it, for every runner: its CronJob,
/// and every kind of object install may create, each object once.
pub struct Plan {
    /// The CronJob object (name, namespace, labels).
    pub cron_job: Value,
    /// Every object of every runner (the pull Secret included).
    pub objects: Vec<Value>,
    /// The namespaces.
    pub namespaces: Vec<String>,
}

impl Plan {
    /// Asks the core.
    pub fn of(core: &Core, t: &SecretTarget) -> Result<Self, Error> {
        let mut objects = Vec::new();
        for runner in ["aws-cli", "plugin", "external-secrets"] {
            // Placeholders make every optional object appear; nothing is applied.
            let text = core.render(&json!({
                "render": "refresher",
                "runner": runner,
                "namespace": t.namespace,
                "name": t.name,
                "image": if runner == "plugin" { Some("placeholder.invalid/kubectl-uepe:v0") } else { None },
                "credentials": {"access-key-id": "placeholder", "secret-access-key": "placeholder"},
                "password": "placeholder",
                "output": "json",
            }))?;
            // Every runner renders the same pull Secrets (and aws-cli and
            // plugin the same CronJob): keep each object once, so each is
            // read, shown and counted once.
            for o in items(&text)? {
                let id = |v: &Value| {
                    (
                        v["apiVersion"].clone(),
                        v["kind"].clone(),
                        v["metadata"]["namespace"].clone(),
                        v["metadata"]["name"].clone(),
                    )
                };
                if !objects.iter().any(|seen| id(seen) == id(&o)) {
                    objects.push(o);
                }
            }
        }
        let cron_job = objects
            .iter()
            .find(|o| o["kind"] == "CronJob")
            .cloned()
            .ok_or_else(|| Error::CoreAnswer("the core rendered no CronJob".into()))?;
        let mut namespaces: Vec<String> = objects
            .iter()
            .filter_map(|o| o["metadata"]["namespace"].as_str().map(str::to_owned))
            .collect();
        namespaces.sort();
        namespaces.dedup();
        Ok(Self {
            cron_job,
            objects,
            namespaces,
        })
    }

    /// Name of the CronJob.
    pub fn name(&self) -> &str {
        self.cron_job["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
    }

    /// Namespace of the CronJob.
    pub fn home(&self) -> &str {
        self.cron_job["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
    }

    /// `k=v,...` selecting what install created for this pull secret.
    pub fn selector(&self) -> String {
        self.cron_job["metadata"]["labels"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default()
    }

    /// What refreshes the pull secret in the cluster, found once: the
    /// CronJob (runners aws-cli and plugin share its name), else the
    /// `external-secrets` runner's ExternalSecret in the same namespace
    /// (a cluster without the ESO CRDs answers 404: not installed).
    pub async fn installed(&self, cluster: &Cluster) -> Result<Installed, Error> {
        let cron_job = Kind::new("batch/v1", "CronJob");
        if let Some(cj) = cluster
            .get(&cron_job, Some(self.home()), self.name())
            .await?
        {
            return Ok(Installed::CronJob(cj));
        }
        let es = self
            .objects
            .iter()
            .find(|o| o["kind"] == "ExternalSecret" && o["metadata"]["namespace"] == self.home());
        if let Some(es) = es {
            let name = es["metadata"]["name"].as_str().unwrap_or_default();
            // Without ESO's CRDs the kind is not served: nothing found.
            if let Some(found) = cluster.get(&Kind::of(es), Some(self.home()), name).await? {
                return Ok(Installed::ExternalSecret(found));
            }
        }
        Ok(Installed::Nothing)
    }

    /// The pull Secret objects (one per namespace).
    pub fn pull_secrets(&self) -> impl Iterator<Item = &Value> {
        self.objects
            .iter()
            .filter(|o| o["metadata"]["labels"]["app.kubernetes.io/component"] == "pull-secret")
    }

    /// Distinct kinds of the refresher's own objects (not the pull Secret),
    /// in reverse apply order so dependents go first.
    pub fn refresher_kinds(&self) -> Vec<Kind> {
        let mut kinds: Vec<(String, String)> = Vec::new();
        for o in self
            .objects
            .iter()
            .filter(|o| o["metadata"]["labels"]["app.kubernetes.io/component"] == "refresher")
        {
            let k = (
                o["apiVersion"].as_str().unwrap_or_default().to_owned(),
                o["kind"].as_str().unwrap_or_default().to_owned(),
            );
            if !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        kinds.reverse();
        kinds.into_iter().map(|(v, k)| Kind::new(&v, &k)).collect()
    }
}

/// The refresher found in the cluster.
pub enum Installed {
    /// Runner aws-cli or plugin: the CronJob as stored.
    CronJob(Value),
    /// Runner external-secrets: the ExternalSecret as stored.
    ExternalSecret(Value),
    /// Neither.
    Nothing,
}

/// An ExternalSecret's `Ready` condition: (ready, its message).
pub fn eso_ready(es: &Value) -> (bool, String) {
    let cond = es["status"]["conditions"]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["type"] == "Ready"));
    match cond {
        Some(c) => (
            c["status"] == "True",
            c["message"]
                .as_str()
                .or(c["reason"].as_str())
                .unwrap_or_default()
                .to_owned(),
        ),
        None => (false, "no Ready condition yet".into()),
    }
}
