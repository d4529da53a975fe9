//! The refresher of one pull secret as the core's inventory describes it
//! (what install may create: names, kinds, labels), and what of it the
//! cluster holds: shared by `cronjob status`, `run`, `uninstall` and
//! `doctor`. Nothing here is derived from a rendering: the core answers.

use serde_json::Value;

use crate::cli::SecretTarget;
use crate::cluster::{Cluster, Kind};
use crate::core::{Core, InventoryRequest, ObjectRef, RefresherInventory};
use crate::error::Error;

/// What install may create for one pull secret, and the annotation that
/// records a pull Secret's expiry.
pub struct Plan {
    inventory: RefresherInventory,
    expires_annotation: String,
}

impl Plan {
    /// Asks the core.
    pub fn of(core: &Core, t: &SecretTarget) -> Result<Self, Error> {
        let inventory = core.inventory(&InventoryRequest {
            namespace: t.namespace.clone(),
            name: t.name.clone(),
        })?;
        let expires_annotation = core.conventions()?.expires_annotation;
        Ok(Self {
            inventory,
            expires_annotation,
        })
    }

    /// Name of the CronJob.
    pub fn name(&self) -> &str {
        &self.inventory.cron_job.name
    }

    /// Namespace of the CronJob.
    pub fn home(&self) -> &str {
        &self.inventory.home
    }

    /// Every namespace install writes to, sorted.
    pub fn namespaces(&self) -> &[String] {
        &self.inventory.namespaces
    }

    /// `k=v,...` selecting what install created for this pull secret.
    pub fn selector(&self) -> String {
        self.inventory
            .selector
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The expiry recorded on a pull Secret as stored, if any.
    pub fn expiry<'a>(&self, secret: &'a Value) -> Option<&'a str> {
        secret["metadata"]["annotations"][self.expires_annotation.as_str()].as_str()
    }

    /// What refreshes the pull secret in the cluster, found once: the
    /// CronJob (runners aws-cli and plugin share its name), else the
    /// `external-secrets` runner's ExternalSecret in the same namespace
    /// (a cluster without the ESO CRDs answers 404: not installed).
    pub async fn installed(&self, cluster: &Cluster) -> Result<Installed, Error> {
        for (object, found) in [
            (
                &self.inventory.cron_job,
                Installed::CronJob as fn(Value) -> Installed,
            ),
            (&self.inventory.external_secret, Installed::ExternalSecret),
        ] {
            // Without ESO's CRDs the kind is not served: nothing found.
            if let Some(o) = cluster
                .get(&kind(object), Some(&object.namespace), &object.name)
                .await?
            {
                return Ok(found(o));
            }
        }
        Ok(Installed::Nothing)
    }

    /// The pull secret's name.
    pub fn secret_name(&self) -> &str {
        self.inventory
            .pull_secrets
            .first()
            .map_or("", |s| s.name.as_str())
    }

    /// The pull Secrets (one per namespace).
    pub fn pull_secrets(&self) -> &[ObjectRef] {
        &self.inventory.pull_secrets
    }

    /// The kinds of the refresher's own objects (not the pull Secret),
    /// dependents first.
    pub fn refresher_kinds(&self) -> Vec<Kind> {
        self.inventory
            .refresher_kinds
            .iter()
            .map(|k| Kind::new(&k.api_version, &k.kind))
            .collect()
    }
}

/// The kind of an object the core named.
pub fn kind(o: &ObjectRef) -> Kind {
    Kind::new(&o.api_version, &o.kind)
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
