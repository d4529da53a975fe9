//! `kubectl uepe cronjob uninstall`: deletes what install created for one
//! pull secret, found by its labels, dependents first; the pull Secrets
//! too with `--delete-secret`.

use std::io::Write;

use super::plan::{Plan, kind};
use crate::cli::CronjobUninstallArgs;
use crate::cluster::{Cluster, ClusterError, Connect};
use crate::core::Core;
use crate::error::{Error, write_err};

/// `cronjob uninstall`.
pub async fn uninstall(
    core: &Core,
    connect: &Connect,
    a: &CronjobUninstallArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let plan = Plan::of(core, &a.target)?;
    let cluster = Cluster::connect(connect).await?;
    let selector = plan.selector();
    let mut deleted = 0;
    for kind in plan.refresher_kinds() {
        for ns in plan.namespaces() {
            // A CRD that is not installed (ESO) lists nothing to delete.
            let found = cluster.list(&kind, ns, &selector).await?;
            for o in found {
                let name = o["metadata"]["name"].as_str().unwrap_or_default();
                let line = cluster.delete(&kind, ns, name).await?;
                writeln!(out, "{line}").map_err(write_err)?;
                deleted += 1;
            }
        }
    }
    if a.delete_secret {
        for ps in plan.pull_secrets() {
            match cluster.delete(&kind(ps), &ps.namespace, &ps.name).await {
                Ok(line) => {
                    writeln!(out, "{line}").map_err(write_err)?;
                    deleted += 1;
                }
                Err(ClusterError::Api { code: 404, .. }) => {}
                Err(e) => return Err(e.into()),
            }
        }
    }
    if deleted == 0 {
        writeln!(
            out,
            "nothing to delete: no refresher for {} in {}",
            plan.secret_name(),
            plan.namespaces().join(", ")
        )
        .map_err(write_err)?;
    }
    Ok(())
}
