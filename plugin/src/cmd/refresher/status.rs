//! `kubectl uepe cronjob status`: the refresher installed (CronJob and its
//! Jobs, or ESO's ExternalSecret) and each pull Secret's expiry, one line
//! each; fails when something needs attention.

use std::io::Write;

use super::super::suggest::Given;
use super::expiry::{seconds_until, when};
use super::plan::{Installed, Plan, eso_ready, kind};
use crate::cli::SecretTarget;
use crate::cluster::{Cluster, Connect, Kind};
use crate::core::Core;
use crate::error::{Error, write_err};

/// `cronjob status`.
pub async fn status(
    core: &Core,
    connect: &Connect,
    t: &SecretTarget,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let plan = Plan::of(core, t)?;
    let cluster = Cluster::connect(connect).await?;
    let installed = plan.installed(&cluster).await?;
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    match &installed {
        Installed::Nothing => {
            lines.push(format!("CronJob:       {}/{}", plan.home(), plan.name()));
            lines.push(format!(
                "               not installed ({})",
                Given::of(connect, t).line(core, "cronjob install")?
            ));
        }
        Installed::ExternalSecret(es) => {
            let (ready, message) = eso_ready(es);
            lines.push(format!(
                "ExternalSecret: {}/{} (runner external-secrets)",
                plan.home(),
                es["metadata"]["name"].as_str().unwrap_or_default()
            ));
            lines.push(format!(
                "Refresh:       every {}",
                es["spec"]["refreshInterval"].as_str().unwrap_or("-")
            ));
            lines.push(format!(
                "Last refresh:  {}",
                es["status"]["refreshTime"]
                    .as_str()
                    .map_or("never".into(), when)
            ));
            lines.push(format!(
                "Ready:         {}{}",
                if ready { "yes" } else { "NO" },
                if message.is_empty() {
                    String::new()
                } else {
                    format!(": {message}")
                }
            ));
            if !ready {
                problems.push(format!("externalsecret is not ready: {message}"));
            }
        }
        Installed::CronJob(cj) => {
            lines.push(format!("CronJob:       {}/{}", plan.home(), plan.name()));
            let s = &cj["status"];
            lines.push(format!(
                "Schedule:      {}",
                cj["spec"]["schedule"].as_str().unwrap_or("-")
            ));
            lines.push(format!(
                "Suspended:     {}",
                cj["spec"]["suspend"].as_bool().unwrap_or(false)
            ));
            lines.push(format!(
                "Last schedule: {}",
                s["lastScheduleTime"].as_str().map_or("never".into(), when)
            ));
            lines.push(format!(
                "Last success:  {}",
                s["lastSuccessfulTime"]
                    .as_str()
                    .map_or("never".into(), when)
            ));
            let jobs = cluster
                .list(&Kind::new("batch/v1", "Job"), plan.home(), &plan.selector())
                .await?;
            let running: Vec<&str> = jobs
                .iter()
                .filter(|j| j["status"]["active"].as_i64().unwrap_or(0) > 0)
                .filter_map(|j| j["metadata"]["name"].as_str())
                .collect();
            lines.push(format!(
                "Running jobs:  {}",
                if running.is_empty() {
                    "none".into()
                } else {
                    running.join(", ")
                }
            ));
            let last_failed = jobs
                .iter()
                .filter_map(|j| {
                    let cond = j["status"]["conditions"]
                        .as_array()?
                        .iter()
                        .find(|c| c["type"] == "Failed" && c["status"] == "True")?;
                    Some((
                        cond["lastTransitionTime"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned(),
                        j,
                        cond,
                    ))
                })
                .max_by(|a, b| a.0.cmp(&b.0));
            if let Some((_, j, cond)) = last_failed {
                lines.push(format!(
                    "Last failure:  job {}: {}: {}",
                    j["metadata"]["name"].as_str().unwrap_or_default(),
                    cond["reason"].as_str().unwrap_or("Failed"),
                    cond["message"].as_str().unwrap_or_default()
                ));
            }
        }
    }
    for ps in plan.pull_secrets() {
        let (ns, name) = (&ps.namespace, &ps.name);
        let got = cluster.get(&kind(ps), Some(ns), name).await?;
        let line = match got {
            None => {
                problems.push(format!("pull secret {ns}/{name} is missing"));
                "missing".to_owned()
            }
            Some(s) => match plan.expiry(&s) {
                Some(t) if seconds_until(t).is_some_and(|s| s <= 0) => {
                    problems.push(format!("pull secret {ns}/{name} expired"));
                    format!("EXPIRED at {}", when(t))
                }
                Some(t) => format!("expires {}", when(t)),
                None => "present (expiry unknown: not made by kubectl-uepe)".into(),
            },
        };
        lines.push(format!("Pull secret:   {ns}/{name}: {line}"));
    }
    for l in lines {
        writeln!(out, "{l}").map_err(write_err)?;
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Failed(problems.join("; ")))
    }
}
