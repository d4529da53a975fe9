//! `kubectl uepe cronjob status|run|uninstall`. What the refresher is called
//! and what install creates are asked of the core (its rendering of the
//! refresher), never re-derived here.

use serde_json::{Value, json};
use std::io::Write;
use std::time::{Duration, SystemTime};

use super::apply::items;
use super::suggest::Given;
use crate::cli::{CronjobRunArgs, CronjobUninstallArgs, SecretTarget};
use crate::cluster::{Cluster, ClusterError, Connect, Kind};
use crate::core::Core;
use crate::error::{Error, write_err};

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
            .ok_or_else(|| Error::Usage("internal: the core rendered no CronJob".into()))?;
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

/// A time as RFC 3339 and how long ago / until.
fn when(t: &str) -> String {
    match humantime::parse_rfc3339_weak(t.trim_end_matches('Z')) {
        Ok(at) => match at.duration_since(SystemTime::now()) {
            Ok(d) => format!("{t} (in {})", short(d)),
            Err(e) => format!("{t} ({} ago)", short(e.duration())),
        },
        Err(_) => t.to_owned(),
    }
}

fn short(d: Duration) -> String {
    let m = d.as_secs() / 60;
    if m >= 60 {
        format!("{}h{:02}m", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

/// Seconds from now to an RFC 3339 time (negative when past).
pub fn seconds_until(t: &str) -> Option<i64> {
    let at = humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok()?;
    Some(match at.duration_since(SystemTime::now()) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    })
}

/// The annotation that records the password's expiry.
pub const EXPIRES: &str = "kubectl-uepe/password-expires-at";

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
        let ns = ps["metadata"]["namespace"].as_str().unwrap_or_default();
        let name = ps["metadata"]["name"].as_str().unwrap_or_default();
        let got = cluster
            .get(&Kind::new("v1", "Secret"), Some(ns), name)
            .await?;
        let line = match got {
            None => {
                problems.push(format!("pull secret {ns}/{name} is missing"));
                "missing".to_owned()
            }
            Some(s) => match s["metadata"]["annotations"][EXPIRES].as_str() {
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

/// Parses `90s`, `5m`, `1h`.
fn parse_timeout(s: &str) -> Result<Duration, Error> {
    humantime::parse_duration(s).map_err(|_| {
        Error::Usage(format!(
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
            return Err(Error::Usage(format!(
                "the external-secrets runner has no Job to run: External Secrets Operator renews the pull secret every {}; check it with `{}`",
                es["spec"]["refreshInterval"].as_str().unwrap_or("-"),
                hint.line(core, "doctor")?
            )));
        }
        Installed::Nothing => {
            return Err(Error::Usage(format!(
                "cronjob {}/{} is not installed: run `{}` first",
                plan.home(),
                plan.name(),
                hint.line(core, "cronjob install")?
            )));
        }
    };
    let job = job_from_cron_job(&cj, &format!("{}-manual-{}", plan.name(), suffix()));
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

/// A Job from a CronJob's template, as `kubectl create job --from=cronjob/X`
/// makes it: the template's labels and annotations plus
/// `cronjob.kubernetes.io/instantiate: manual`, and a controller owner
/// reference without blockOwnerDeletion.
pub fn job_from_cron_job(cj: &Value, name: &str) -> Value {
    let tpl = &cj["spec"]["jobTemplate"];
    let mut annotations = tpl["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": cj["metadata"]["namespace"],
            "labels": tpl["metadata"]["labels"],
            "annotations": annotations,
            "ownerReferences": [{
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": cj["metadata"]["name"],
                "uid": cj["metadata"]["uid"],
                "controller": true,
            }],
        },
        "spec": tpl["spec"],
    })
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
        for ns in &plan.namespaces {
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
            let ns = ps["metadata"]["namespace"].as_str().unwrap_or_default();
            let name = ps["metadata"]["name"].as_str().unwrap_or_default();
            match cluster.delete(&Kind::new("v1", "Secret"), ns, name).await {
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
            a.target.name,
            plan.namespaces.join(", ")
        )
        .map_err(write_err)?;
    }
    Ok(())
}
