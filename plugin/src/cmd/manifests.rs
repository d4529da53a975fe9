//! `kubectl uepe secret create` and `kubectl uepe cronjob install`: gather
//! the password (stdin, else ECR through the AWS credentials chain) and AWS
//! keys (environment), have the core render the objects, and print them
//! (`--dry-run=client`).

use serde_json::{Value, json};
use std::io::{Read, Write};

use super::apply::{OnError, apply_all, items};
use crate::aws::{AwsError, Target};
use crate::cli::{AwsArgs, CronjobInstallArgs, ManifestArgs, SecretCreateArgs, SecretRefreshArgs};
use crate::cluster::{Cluster, ClusterError, Connect, Kind};
use crate::core::Core;
use crate::error::{Error, write_err};

/// A registry password and its expiry (RFC 3339), when known.
struct Password {
    value: String,
    expires_at: Option<String>,
}

/// Reads the password from stdin, dropping the one line ending a pipe adds.
fn read_password(stdin: &mut dyn Read) -> Result<String, Error> {
    let mut s = String::new();
    stdin.read_to_string(&mut s).map_err(|source| Error::Io {
        context: "reading the password from standard input",
        source,
    })?;
    let trimmed = s.strip_suffix('\n').unwrap_or(&s);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned())
}

/// What `--dry-run` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Apply for real.
    Apply,
    /// Print only.
    Client,
    /// Apply with `dryRun=All`.
    Server,
}

fn mode(m: &ManifestArgs) -> Result<Mode, Error> {
    match m.dry_run.as_str() {
        "none" => Ok(Mode::Apply),
        "client" => Ok(Mode::Client),
        "server" => Ok(Mode::Server),
        other => Err(Error::Usage(format!(
            "--dry-run: `{other}` is not valid: choose one of none, client, server"
        ))),
    }
}

/// A live apply reads the core's objects as JSON, whatever `-o` says: the
/// user sees kubectl-style result lines, not the manifests.
fn live_output(core_request: &mut Value) {
    core_request["output"] = Value::String("json".into());
}

/// The password from stdin when `--password-stdin`, else from ECR.
async fn password(
    core: &Core,
    m: &ManifestArgs,
    aws: &AwsArgs,
    stdin: &mut dyn Read,
) -> Result<Password, Error> {
    if m.password_stdin {
        return Ok(Password {
            value: read_password(stdin)?,
            expires_at: None,
        });
    }
    let target = Target {
        registry: m.registry.clone(),
        region: aws.region.clone(),
        profile: aws.profile.clone(),
    };
    let (_, token) = crate::aws::password(core, &target).await?;
    Ok(Password {
        value: token.password,
        expires_at: Some(humantime::format_rfc3339_seconds(token.expires_at).to_string()),
    })
}

/// `secret create`.
pub async fn secret_create(
    core: &Core,
    connect: &Connect,
    a: &SecretCreateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    let mode = mode(m)?;
    let request = |password: &str, expires_at: Option<&String>| {
        json!({
            "render": "pull-secret",
            "registry": m.registry,
            "namespace": m.target.namespace,
            "name": m.target.name,
            "password": password,
            "expires-at": expires_at,
            "create-namespace": a.create_namespace,
            "output": m.output,
        })
    };
    // Check every flag (`-o` included) before asking AWS for a password or
    // the cluster for anything.
    core.render(&request("x", None))?;
    let plan = core.render(&{
        let mut r = request("x", None);
        live_output(&mut r);
        r
    })?;
    if mode == Mode::Client {
        let password = password(core, m, &a.aws, stdin).await?;
        let text = core.render(&request(&password.value, password.expires_at.as_ref()))?;
        return out.write_all(text.as_bytes()).map_err(write_err);
    }
    let namespaces: Vec<String> = items(&plan)?
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .filter_map(|o| o["metadata"]["namespace"].as_str().map(str::to_owned))
        .collect();
    let cluster = Cluster::connect(connect).await?;
    if !a.create_namespace {
        require_namespaces(&cluster, &namespaces).await?;
    }
    if let Some(sa) = &a.service_account {
        require_service_accounts(&cluster, &namespaces, sa).await?;
    }
    let password = password(core, m, &a.aws, stdin).await?;
    let mut req = request(&password.value, password.expires_at.as_ref());
    live_output(&mut req);
    let objs = items(&core.render(&req)?)?;
    let applied = apply_all(
        &cluster,
        &objs,
        mode == Mode::Server,
        OnError::Continue,
        out,
        err,
    )
    .await;
    if let (Some(sa), Mode::Apply) = (&a.service_account, mode) {
        for ns in &namespaces {
            match add_pull_secret(&cluster, ns, sa, &m.target.name).await {
                Ok(line) => writeln!(out, "{line}").map_err(write_err)?,
                Err(e) => {
                    let _ = writeln!(err, "error: serviceaccount/{sa} (namespace {ns}): {e}");
                }
            }
        }
    }
    applied
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
            return Err(Error::Usage(format!(
                "serviceaccount {sa} does not exist in namespace {ns}: create it or drop --service-account"
            )));
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

/// `secret refresh`: what the `plugin` runner runs in the cluster. It only
/// patches the Secrets install created (its Role allows nothing else).
pub async fn secret_refresh(
    core: &Core,
    connect: &Connect,
    a: &SecretRefreshArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let request = |password: &str, expires_at: Option<&String>| {
        json!({
            "render": "pull-secret",
            "registry": a.registry,
            "namespace": a.target.namespace,
            "name": a.target.name,
            "password": password,
            "expires-at": expires_at,
            "output": "json",
        })
    };
    core.render(&request("x", None))?;
    let cluster = Cluster::connect(connect).await?;
    let target = Target {
        registry: a.registry.clone(),
        region: a.aws.region.clone(),
        profile: a.aws.profile.clone(),
    };
    let (_, token) = crate::aws::password(core, &target).await?;
    let expires = humantime::format_rfc3339_seconds(token.expires_at).to_string();
    let objs = items(&core.render(&request(&token.password, Some(&expires)))?)?;
    apply_all(&cluster, &objs, false, OnError::Continue, out, err).await?;
    writeln!(out, "the password expires at {expires}").map_err(write_err)
}

/// AWS keys from the environment, as the standard chain's first link.
fn env_keys() -> Option<Value> {
    let id = std::env::var("AWS_ACCESS_KEY_ID")
        .ok()
        .filter(|v| !v.is_empty())?;
    let secret = std::env::var("AWS_SECRET_ACCESS_KEY")
        .ok()
        .filter(|v| !v.is_empty())?;
    let token = std::env::var("AWS_SESSION_TOKEN")
        .ok()
        .filter(|v| !v.is_empty());
    Some(json!({ "access-key-id": id, "secret-access-key": secret, "session-token": token }))
}

/// CRDs the `external-secrets` runner needs.
const ESO_CRDS: [&str; 2] = [
    "externalsecrets.external-secrets.io",
    "ecrauthorizationtokens.generators.external-secrets.io",
];

/// `cronjob install`.
pub async fn cronjob_install(
    core: &Core,
    connect: &Connect,
    a: &CronjobInstallArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    let mode = mode(m)?;
    // With IRSA no keys are stored, so none are read.
    let credentials = if a.role_arn.is_some() {
        None
    } else {
        env_keys()
    };
    if credentials
        .as_ref()
        .is_some_and(|c| !c["session-token"].is_null())
    {
        let _ = writeln!(
            err,
            "note: AWS_SESSION_TOKEN is set: these are temporary keys and the refresher will fail once they expire; use long-lived keys of a dedicated IAM user, or --role-arn"
        );
    }
    let request = |password: Option<&Password>| {
        json!({
            "render": "refresher",
            "runner": a.runner,
            "namespace": m.target.namespace,
            "name": m.target.name,
            "registry": m.registry,
            "region": a.aws.region,
            "schedule": a.schedule,
            "role-arn": a.role_arn,
            "aws-cli-image": a.aws_cli_image,
            "kubectl-image": a.kubectl_image,
            "image": a.image,
            "credentials": credentials,
            "password": password.map(|p| &p.value),
            "expires-at": password.and_then(|p| p.expires_at.as_ref()),
            "output": m.output,
        })
    };
    // Check the flags before asking AWS or the cluster for anything.
    core.render(&request(None))?;
    if mode == Mode::Client {
        return cronjob_dry_run(core, a, &request, credentials.is_some(), out, err, stdin).await;
    }
    let cluster = Cluster::connect(connect).await?;
    let mut plan_req = request(None);
    live_output(&mut plan_req);
    let plan = items(&core.render(&plan_req)?)?;
    let mut namespaces: Vec<String> = plan
        .iter()
        .filter_map(|o| o["metadata"]["namespace"].as_str().map(str::to_owned))
        .collect();
    namespaces.dedup();
    require_namespaces(&cluster, &namespaces).await?;
    if a.runner == "external-secrets" {
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
    }
    if credentials.is_none() && a.role_arn.is_none() && a.runner != "external-secrets" {
        let _ = writeln!(
            err,
            "note: no AWS keys in the environment: create Secret {}-refresher-aws (`kubectl uepe commands credentials`) or use --role-arn",
            m.target.name
        );
    }
    // The pull Secret goes first, so the refresher never needs `create`.
    let password = password(core, m, &a.aws, stdin).await?;
    let mut req = request(Some(&password));
    live_output(&mut req);
    let objs = items(&core.render(&req)?)?;
    apply_all(
        &cluster,
        &objs,
        mode == Mode::Server,
        OnError::Stop,
        out,
        err,
    )
    .await
}

/// `cronjob install --dry-run=client`: print, with the pull Secret when a
/// password can be had.
async fn cronjob_dry_run(
    core: &Core,
    a: &CronjobInstallArgs,
    request: &dyn Fn(Option<&Password>) -> Value,
    has_keys: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    let password = match password(core, m, &a.aws, stdin).await {
        Ok(p) => Some(p),
        Err(Error::Aws(e)) if matches!(*e, AwsError::NoCredentials) => {
            let _ = writeln!(
                err,
                "note: no AWS credentials, so the pull Secret {} is left out; give --password-stdin or AWS credentials to include it",
                m.target.name
            );
            None
        }
        Err(e) => return Err(e),
    };
    let text = core.render(&request(password.as_ref()))?;
    if has_keys && m.output != "name" {
        // Say so on stderr: the printed YAML now holds a secret key.
        let _ = writeln!(
            err,
            "note: the output holds the AWS keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in Secret {}-refresher-aws; keep it out of version control",
            m.target.name
        );
    }
    if !has_keys && a.role_arn.is_none() {
        let _ = writeln!(
            err,
            "note: no AWS keys in the environment, so Secret {}-refresher-aws is left out; create it with `kubectl uepe commands credentials`, or use --role-arn",
            m.target.name
        );
    }
    out.write_all(text.as_bytes()).map_err(write_err)
}
