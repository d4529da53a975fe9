//! Where the pull secret lands, shared by `secret create` and `cronjob
//! install` (`--create-namespace`, `--service-account`): checked before any
//! write, and the ServiceAccounts patched after the apply.

use serde_json::{Value, json};
use std::io::Write;

use crate::cli::PlacementArgs;
use crate::cluster::{Cluster, ClusterError, Kind};
use crate::error::{Error, write_err};

/// Before any write: the namespaces exist (unless `--create-namespace`)
/// and so does the `--service-account` in each.
pub async fn check_placement(
    cluster: &Cluster,
    namespaces: &[String],
    p: &PlacementArgs,
) -> Result<(), Error> {
    if !p.create_namespace {
        require_namespaces(cluster, namespaces).await?;
    }
    if let Some(sa) = &p.service_account {
        require_service_accounts(cluster, namespaces, sa).await?;
    }
    Ok(())
}

/// After the apply: `--service-account` lists the pull secret in each
/// namespace. A failure in one namespace is reported and the others go on.
pub async fn patch_service_accounts(
    cluster: &Cluster,
    namespaces: &[String],
    p: &PlacementArgs,
    secret: &str,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let Some(sa) = &p.service_account else {
        return Ok(());
    };
    for ns in namespaces {
        match add_pull_secret(cluster, ns, sa, secret).await {
            Ok(line) => writeln!(out, "{line}").map_err(write_err)?,
            Err(e) => {
                let _ = writeln!(err, "error: serviceaccount/{sa} (namespace {ns}): {e}");
            }
        }
    }
    Ok(())
}

/// Fails before any write when a namespace does not exist.
async fn require_namespaces(cluster: &Cluster, namespaces: &[String]) -> Result<(), Error> {
    for ns in namespaces {
        if cluster
            .get(&Kind::new("v1", "Namespace"), None, ns)
            .await?
            .is_none()
        {
            return Err(ClusterError::NamespaceMissing(ns.clone()).into());
        }
    }
    Ok(())
}

/// Fails before any write when the ServiceAccount is missing somewhere.
async fn require_service_accounts(
    cluster: &Cluster,
    namespaces: &[String],
    sa: &str,
) -> Result<(), Error> {
    for ns in namespaces {
        if cluster
            .get(&Kind::new("v1", "ServiceAccount"), Some(ns), sa)
            .await?
            .is_none()
        {
            return Err(Error::ServiceAccountMissing {
                service_account: sa.to_owned(),
                namespace: ns.clone(),
            });
        }
    }
    Ok(())
}

/// Adds the pull secret to a ServiceAccount's imagePullSecrets unless it is
/// there already. That list is atomic for the server (a patch replaces it
/// whole), so the patch carries every entry already there plus ours, and
/// the resourceVersion read: a concurrent change fails it (409) rather than
/// being lost.
async fn add_pull_secret(
    cluster: &Cluster,
    ns: &str,
    sa: &str,
    secret: &str,
) -> Result<String, Error> {
    let kind = Kind::new("v1", "ServiceAccount");
    let current = cluster
        .get(&kind, Some(ns), sa)
        .await?
        .unwrap_or(Value::Null);
    let mut list = current["imagePullSecrets"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if list.iter().any(|e| e["name"] == secret) {
        return Ok(format!("serviceaccount/{sa} unchanged (namespace {ns})"));
    }
    list.push(json!({ "name": secret }));
    let patch = json!({
        "metadata": { "resourceVersion": current["metadata"]["resourceVersion"] },
        "imagePullSecrets": list,
    });
    cluster.strategic_patch(&kind, ns, sa, &patch).await?;
    Ok(format!("serviceaccount/{sa} patched (namespace {ns})"))
}
