//! What must be in the cluster before `cronjob install` writes anything:
//! the CRDs of the runner chosen, and, when no AWS keys are stored, the
//! credentials Secrets someone made by hand.

use serde_json::{Value, json};
use std::io::Write;

use super::super::apply::items;
use super::super::dry_run::live_output;
use super::super::password::Password;
use super::super::suggest;
use crate::cluster::{Cluster, ClusterError, Kind};
use crate::core::Core;
use crate::error::Error;

/// CRDs the `external-secrets` runner needs.
const ESO_CRDS: [&str; 2] = [
    "externalsecrets.external-secrets.io",
    "ecrauthorizationtokens.generators.external-secrets.io",
];

/// Fails when the cluster lacks a CRD the runner's objects need.
pub async fn require_crds(cluster: &Cluster, runner: &str) -> Result<(), Error> {
    if runner != "external-secrets" {
        return Ok(());
    }
    for crd in ESO_CRDS {
        let kind = Kind::new("apiextensions.k8s.io/v1", "CustomResourceDefinition");
        if cluster.get(&kind, None, crd).await?.is_none() {
            return Err(ClusterError::CrdMissing {
                what: "External Secrets Operator",
                crd: crd.into(),
                fix: "install it (helm install external-secrets external-secrets/external-secrets -n external-secrets --create-namespace) or choose --runner aws-cli",
            }
            .into());
        }
    }
    Ok(())
}

/// With no keys to store, the refresher can only work with the credentials
/// Secrets someone made by hand (`commands credentials`): each must exist
/// before anything is applied, else the CronJob mounts a Secret that is not
/// there and the pull secret dies with the password 12 hours later.
pub async fn require_credentials_secrets(
    core: &Core,
    cluster: &Cluster,
    request: &dyn Fn(Option<&Value>, Option<&Password>) -> Value,
    hint: &suggest::Given,
    err: &mut dyn Write,
) -> Result<(), Error> {
    // Placeholder keys make the core name the credentials Secrets; nothing
    // of this rendering is applied.
    let placeholder = json!({"access-key-id": "placeholder", "secret-access-key": "placeholder"});
    let mut req = request(Some(&placeholder), None);
    live_output(&mut req);
    let wanted: Vec<(String, String)> = items(&core.render(&req)?)?
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .filter(|o| o["metadata"]["labels"]["app.kubernetes.io/component"] == "refresher")
        .filter_map(|o| {
            Some((
                o["metadata"]["namespace"].as_str()?.to_owned(),
                o["metadata"]["name"].as_str()?.to_owned(),
            ))
        })
        .collect();
    for (ns, name) in &wanted {
        if cluster
            .get(&Kind::new("v1", "Secret"), Some(ns), name)
            .await?
            .is_none()
        {
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
    }
    Ok(())
}
