//! `kubectl uepe cronjob run [--wait]`: a Job the core makes from the
//! refresher's CronJob, as `kubectl create job --from=cronjob/...` does, and with
//! `--wait` its outcome (and its pods' logs when it failed).

use serde_json::Value;
use std::io::Write;
use std::time::Duration;

use super::super::suggest::Given;
use super::plan::{Installed, Plan};
use crate::cli::CronjobRunArgs;
use crate::cluster::{Cluster, ClusterError, Connect, Kind};
use crate::core::{Core, JobRequest};
use crate::error::{Error, write_err};

/// Parses `90s`, `5m`, `1h`.
fn parse_timeout(s: &str) -> Result<Duration, Error> {
    humantime::parse_duration(s).map_err(|_| {
        Error::Flags(format!(
            "--timeout: `{s}` is not a duration such as 90s or 5m"
        ))
    })
}

/// `cronjob run [--wait]`.
pub async fn run(
    core: &Core,
    connect: &Connect,
    a: &CronjobRunArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let timeout = parse_timeout(&a.timeout)?;
    let plan = Plan::of(core, &a.target)?;
    let cluster = Cluster::connect(connect).await?;
    let hint = Given::of(connect, &a.target);
    let cj = match plan.installed(&cluster).await? {
        Installed::CronJob(cj) => cj,
        Installed::ExternalSecret(es) => {
            return Err(Error::NoJobToRun {
                interval: es["spec"]["refreshInterval"]
                    .as_str()
                    .unwrap_or("-")
                    .to_owned(),
                doctor: hint.line(core, "doctor")?,
            });
        }
        Installed::Nothing => {
            return Err(Error::NotInstalled {
                namespace: plan.home().to_owned(),
                name: plan.name().to_owned(),
                install: hint.line(core, "cronjob install")?,
            });
        }
    };
    // The Job is the core's (as `kubectl create job --from=cronjob/X`
    // makes it); only the random suffix is the shell's.
    let job = core.job_from_cron_job(&JobRequest {
        cron_job: cj.to_string(),
        name: format!("{}-manual-{}", plan.name(), suffix()),
    })?;
    let job: Value = serde_json::from_str(&job)
        .map_err(|e| Error::CoreAnswer(format!("the core's Job is not understood: {e}")))?;
    let created = cluster.create(&job).await?;
    let name = created["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    writeln!(out, "job.batch/{name} created").map_err(write_err)?;
    if !a.wait {
        return Ok(());
    }
    let deadline = tokio::time::Instant::now() + timeout;
    let kind = Kind::new("batch/v1", "Job");
    loop {
        let j = cluster
            .get(&kind, Some(plan.home()), &name)
            .await?
            .unwrap_or(Value::Null);
        let conds = j["status"]["conditions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let is = |t: &str| {
            conds
                .iter()
                .any(|c| c["type"] == t && c["status"] == "True")
        };
        if is("Complete") || j["status"]["succeeded"].as_i64().unwrap_or(0) > 0 {
            return writeln!(out, "job.batch/{name} succeeded").map_err(write_err);
        }
        if is("Failed") {
            let reason = conds
                .iter()
                .find(|c| c["type"] == "Failed")
                .map(|c| {
                    format!(
                        "{}: {}",
                        c["reason"].as_str().unwrap_or("Failed"),
                        c["message"].as_str().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            let pods = cluster
                .list(
                    &Kind::new("v1", "Pod"),
                    plan.home(),
                    &format!("job-name={name}"),
                )
                .await?;
            for p in pods {
                let pod = p["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let log = cluster
                    .logs(plan.home(), &pod)
                    .await
                    .unwrap_or_else(|e| format!("(no log: {e})"));
                writeln!(out, "--- log of pod {pod} ---\n{}", log.trim_end()).map_err(write_err)?;
            }
            return Err(Error::Failed(format!("job.batch/{name} failed: {reason}")));
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(ClusterError::Timeout(format!(
                "job.batch/{name} did not finish within {}: see `kubectl -n {} describe job {name}`",
                a.timeout,
                plan.home()
            ))
            .into());
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Five lowercase letters and digits, as generated names end.
fn suffix() -> String {
    (0..5)
        .map(|_| {
            let i = fastrand::usize(..36);
            char::from_digit(i as u32, 36).unwrap_or('x')
        })
        .collect()
}
