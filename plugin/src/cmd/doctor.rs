//! `kubectl uepe doctor`: the cluster side checked end to end, one row per
//! check with a fix for each failing one. Gathering is async I/O; judging
//! each check is a plain function of what was gathered.

use base64::Engine as _;
use serde_json::Value;
use std::io::Write;

use super::refresher::expiry::seconds_until;
use super::refresher::plan::{Installed, Plan, eso_ready, kind};
use super::suggest::Given;
use crate::cli::DoctorArgs;
use crate::cluster::{Cluster, Connect, Kind};
use crate::core::Core;
use crate::error::{Error, write_err};

/// One row of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Passed?
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// What to do when it failed.
    pub fix: String,
}

fn check(name: &str, ok: bool, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        ok,
        detail: detail.into(),
        fix: if ok { String::new() } else { fix.into() },
    }
}

/// Judges a pull Secret: present, right type, a key for `server`, its
/// password's expiry as recorded (`expiry`, read by [`Plan::expiry`]).
/// `create` is the command that makes it; `by_eso`: an ExternalSecret
/// renews it, and ESO records no expiry (its own readiness is judged instead).
pub fn judge_secret(
    ns: &str,
    name: &str,
    secret: Option<(&Value, Option<&str>)>,
    server: &str,
    create: &str,
    by_eso: bool,
) -> Vec<Check> {
    let label = format!("pull secret {ns}/{name}");
    let create = create.to_owned();
    let Some((s, expiry)) = secret else {
        return vec![check(&label, false, "missing", create)];
    };
    let ty = s["type"].as_str().unwrap_or_default();
    if ty != "kubernetes.io/dockerconfigjson" {
        return vec![check(
            &label,
            false,
            format!("type is {ty}"),
            format!("delete it, then {create}"),
        )];
    }
    let config = s["data"][".dockerconfigjson"]
        .as_str()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .unwrap_or(Value::Null);
    let has_key = config["auths"].get(server).is_some();
    let mut out = vec![check(
        &label,
        has_key,
        if has_key {
            format!("holds {server}")
        } else {
            format!("no entry for {server}")
        },
        create.clone(),
    )];
    let expiry = match expiry {
        Some(t) => match seconds_until(t) {
            Some(left) if left > 0 => check(
                "password expiry",
                true,
                format!("{t} (in {}h{:02}m)", left / 3600, left % 3600 / 60),
                "",
            ),
            _ => check(
                "password expiry",
                false,
                format!("expired at {t}"),
                format!("{create}, and check the refresher"),
            ),
        },
        None if by_eso => check(
            "password expiry",
            true,
            "renewed by the ExternalSecret (no expiry recorded)",
            "",
        ),
        None => check(
            "password expiry",
            false,
            "unknown (no expiry annotation)",
            create,
        ),
    };
    out.push(expiry);
    out
}

/// The commands the CronJob's fixes suggest.
pub struct CronFixes {
    /// Makes it.
    pub install: String,
    /// Runs it now.
    pub run: String,
}

/// Judges the CronJob: present, not suspended, and a success within 12
/// hours. A suspended CronJob makes no Job whatever its last success was.
pub fn judge_cron_job(ns: &str, name: &str, cj: Option<&Value>, fix: &CronFixes) -> Check {
    let label = format!("cronjob {ns}/{name}");
    let Some(cj) = cj else {
        return check(&label, false, "not installed", fix.install.as_str());
    };
    if cj["spec"]["suspend"].as_bool() == Some(true) {
        return check(
            &label,
            false,
            "suspended: it schedules no Job",
            format!(
                r#"kubectl -n {ns} patch cronjob {name} --type=merge -p '{{"spec":{{"suspend":false}}}}'"#
            ),
        );
    }
    match cj["status"]["lastSuccessfulTime"].as_str() {
        Some(t) if seconds_until(t).is_some_and(|s| s > -12 * 3600) => {
            check(&label, true, format!("last success {t}"), "")
        }
        Some(t) => check(
            &label,
            false,
            format!("last success {t}, over 12 h ago"),
            fix.run.as_str(),
        ),
        None => check(&label, false, "never succeeded", fix.run.as_str()),
    }
}

/// Judges the newest of the CronJob's Jobs still kept: failed or not. `run`
/// is the command that runs it again and waits.
pub fn judge_last_job(ns: &str, jobs: &[Value], run: &str) -> Check {
    let label = "last job";
    let created = |j: &&Value| {
        (
            j["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            j["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let Some(job) = jobs.iter().max_by_key(created) else {
        return check(label, true, "none kept", "");
    };
    let name = job["metadata"]["name"].as_str().unwrap_or_default();
    let condition = |t: &str| {
        job["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|c| c["type"] == t && c["status"] == "True")
    };
    if let Some(failed) = condition("Failed") {
        return check(
            label,
            false,
            format!(
                "job.batch/{name} failed: {}: {}",
                failed["reason"].as_str().unwrap_or("Failed"),
                failed["message"].as_str().unwrap_or_default()
            ),
            format!("read why with `kubectl -n {ns} logs job/{name}`, then {run}"),
        );
    }
    let state = if condition("Complete").is_some() {
        "succeeded"
    } else {
        "running"
    };
    check(label, true, format!("job.batch/{name} {state}"), "")
}

/// Judges a ServiceAccount the UEPE pods run as: present, and its
/// imagePullSecrets list the pull secret. `add` is the command that adds it.
pub fn judge_service_account(
    ns: &str,
    sa: &str,
    secret: &str,
    found: Option<&Value>,
    add: &str,
) -> Check {
    let label = format!("serviceaccount {ns}/{sa}");
    let Some(found) = found else {
        return check(
            &label,
            false,
            "missing",
            format!("kubectl -n {ns} create serviceaccount {sa}, then {add}"),
        );
    };
    let listed = found["imagePullSecrets"]
        .as_array()
        .is_some_and(|l| l.iter().any(|e| e["name"] == secret));
    check(
        &label,
        listed,
        if listed {
            format!("lists {secret}")
        } else {
            format!("does not list {secret} in imagePullSecrets")
        },
        add,
    )
}

/// Judges the `external-secrets` runner: its ExternalSecret is Ready.
pub fn judge_external_secret(ns: &str, es: &Value) -> Check {
    let name = es["metadata"]["name"].as_str().unwrap_or_default();
    let (ready, message) = eso_ready(es);
    check(
        &format!("externalsecret {ns}/{name}"),
        ready,
        if ready {
            format!(
                "ready, last refresh {}",
                es["status"]["refreshTime"].as_str().unwrap_or("unknown")
            )
        } else {
            format!("not ready: {message}")
        },
        format!(
            "read the External Secrets Operator's events: kubectl -n {ns} describe externalsecret {name}"
        ),
    )
}

/// Pods stuck pulling a UEPE image.
pub fn judge_pods(ns: &str, pods: &[Value]) -> Check {
    let stuck: Vec<String> = pods
        .iter()
        .flat_map(|p| {
            let name = p["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let statuses: Vec<Value> = ["initContainerStatuses", "containerStatuses"]
                .iter()
                .flat_map(|k| p["status"][*k].as_array().cloned().unwrap_or_default())
                .collect();
            statuses.into_iter().filter_map(move |c| {
                let reason = c["state"]["waiting"]["reason"].as_str()?;
                let image = c["image"].as_str().unwrap_or_default();
                (matches!(reason, "ErrImagePull" | "ImagePullBackOff")
                    && image.contains("usage-engine-private-edition"))
                .then(|| format!("{name} ({reason})"))
            })
        })
        .collect();
    check(
        &format!("UEPE image pulls in {ns}"),
        stuck.is_empty(),
        if stuck.is_empty() {
            "no pod stuck".to_owned()
        } else {
            stuck.join(", ")
        },
        "check the pull secret above and that the pods' ServiceAccount lists it (kubectl uepe secret create --service-account NAME)",
    )
}

/// Prints the report; fails when a check failed.
pub fn print(checks: &[Check], out: &mut dyn Write) -> Result<(), Error> {
    let w = checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(out, "{:<w$}   RESULT   DETAIL", "CHECK").map_err(write_err)?;
    for c in checks {
        writeln!(
            out,
            "{:<w$}   {:<6}   {}",
            c.name,
            if c.ok { "ok" } else { "FAIL" },
            c.detail
        )
        .map_err(write_err)?;
    }
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    if failed.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nTo fix:").map_err(write_err)?;
    for c in &failed {
        writeln!(out, "  {}: {}", c.name, c.fix).map_err(write_err)?;
    }
    Err(Error::Failed(format!(
        "{} of {} checks failed",
        failed.len(),
        checks.len()
    )))
}

/// `doctor`.
pub async fn run(
    core: &Core,
    connect: &Connect,
    a: &DoctorArgs,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let plan = Plan::of(core, &a.target)?;
    let hint = Given {
        registry: a.registry.clone(),
        ..Given::of(connect, &a.target)
    };
    let server = core
        .registry(a.registry.as_deref().unwrap_or_default())?
        .server;
    let mut checks = Vec::new();
    let cluster = match Cluster::connect(connect).await {
        Ok(c) => c,
        Err(e) => {
            checks.push(check(
                "cluster reachable",
                false,
                e.to_string(),
                "fix the kubeconfig or --context",
            ));
            return print(&checks, out);
        }
    };
    match cluster.version().await {
        Ok(v) => checks.push(check(
            "cluster reachable",
            true,
            format!("{} ({v})", cluster.server),
            "",
        )),
        Err(e) => {
            checks.push(check(
                "cluster reachable",
                false,
                e.to_string(),
                "check the network or VPN, and --context",
            ));
            return print(&checks, out);
        }
    }
    let installed = plan.installed(&cluster).await?;
    let by_eso = matches!(installed, Installed::ExternalSecret(_));
    for ps in plan.pull_secrets() {
        let (ns, name) = (ps.namespace.as_str(), ps.name.as_str());
        let exists = cluster
            .get(&Kind::new("v1", "Namespace"), None, ns)
            .await?
            .is_some();
        checks.push(check(
            &format!("namespace {ns}"),
            exists,
            if exists { "exists" } else { "missing" },
            hint.in_namespaces(&[ns.to_owned()])
                .line(core, "secret create --create-namespace")?,
        ));
        if !exists {
            continue;
        }
        let secret = cluster.get(&kind(ps), Some(ns), name).await?;
        let create = hint
            .in_namespaces(&[ns.to_owned()])
            .line(core, "secret create")?;
        checks.extend(judge_secret(
            ns,
            name,
            secret.as_ref().map(|s| (s, plan.expiry(s))),
            &server,
            &create,
            by_eso,
        ));
        if let Some(sa) = &a.service_account {
            let found = cluster
                .get(&Kind::new("v1", "ServiceAccount"), Some(ns), sa)
                .await?;
            let add = Given {
                service_account: Some(sa.clone()),
                ..hint.in_namespaces(&[ns.to_owned()])
            }
            .line(core, "secret create")?;
            checks.push(judge_service_account(ns, sa, name, found.as_ref(), &add));
        }
        let pods = cluster.list(&Kind::new("v1", "Pod"), ns, "").await?;
        checks.push(judge_pods(ns, &pods));
    }
    let fix = CronFixes {
        install: hint.line(core, "cronjob install")?,
        run: hint.line(core, "cronjob run --wait")?,
    };
    match &installed {
        Installed::ExternalSecret(es) => checks.push(judge_external_secret(plan.home(), es)),
        Installed::CronJob(cj) => {
            checks.push(judge_cron_job(plan.home(), plan.name(), Some(cj), &fix));
            let jobs = cluster
                .list(&Kind::new("batch/v1", "Job"), plan.home(), &plan.selector())
                .await?;
            checks.push(judge_last_job(plan.home(), &jobs, &fix.run));
        }
        Installed::Nothing => checks.push(judge_cron_job(plan.home(), plan.name(), None, &fix)),
    }
    print(&checks, out)
}
