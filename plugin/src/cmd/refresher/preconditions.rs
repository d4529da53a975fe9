//! What must be in the cluster before `cronjob install` writes anything:
//! the CRDs of the runner chosen, and, when no AWS keys are stored, the
//! credentials Secret someone made by hand. Which CRDs and which Secret is
//! the core's inventory.

use std::io::Write;

use super::super::suggest;
use super::plan::kind;
use crate::cluster::{Cluster, ClusterError, Kind};
use crate::core::{Core, RefresherInventory};
use crate::error::Error;

/// Fails when the cluster lacks a CRD the runner's objects need (the core's
/// inventory names them, what serves them and what to do).
pub async fn require_crds(
    cluster: &Cluster,
    inventory: &RefresherInventory,
    runner: &str,
) -> Result<(), Error> {
    let kind = Kind::new("apiextensions.k8s.io/v1", "CustomResourceDefinition");
    for need in inventory
        .required_crds
        .iter()
        .filter(|n| n.runner == runner)
    {
        for crd in &need.crds {
            if cluster.get(&kind, None, crd).await?.is_none() {
                return Err(ClusterError::CrdMissing {
                    what: need.provider.clone(),
                    crd: crd.clone(),
                    fix: need.fix.clone(),
                }
                .into());
            }
        }
    }
    Ok(())
}

/// With no keys to store, the refresher can only work with the credentials
/// Secret someone made by hand (`commands credentials`): it must exist
/// before anything is applied, else the CronJob mounts a Secret that is not
/// there and the pull secret dies with the password 12 hours later.
pub async fn require_credentials_secrets(
    core: &Core,
    cluster: &Cluster,
    inventory: &RefresherInventory,
    hint: &suggest::Given,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let secret = &inventory.credentials_secret;
    let (ns, name) = (&secret.namespace, &secret.name);
    if cluster.get(&kind(secret), Some(ns), name).await?.is_none() {
        return Err(Error::NoRefresherKeys {
            namespace: ns.clone(),
            name: name.clone(),
            create: hint.line(core, "commands credentials")?,
        });
    }
    let _ = writeln!(
        err,
        "note: no AWS keys given: the refresher uses the existing Secret {ns}/{name}"
    );
    Ok(())
}
