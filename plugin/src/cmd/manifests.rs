//! `kubectl uepe secret create` and `kubectl uepe cronjob install`: gather
//! the password (stdin, else ECR through the AWS credentials chain) and the
//! refresher's AWS keys (the same chain), have the core render the objects,
//! and apply them or print them (`--dry-run=client`).

use serde_json::{Value, json};
use std::io::{Read, Write};

use super::apply::{OnError, apply_all, items};
use super::ecr_call;
use super::placement::{check_placement, patch_service_accounts};
use super::suggest;
use crate::aws::credentials::{ChainInputs, Source};
use crate::aws::{AwsError, Session, Target};
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

/// The password from stdin when `--password-stdin`, else from ECR with the
/// run's one AWS session.
async fn password(
    core: &Core,
    m: &ManifestArgs,
    aws: &AwsArgs,
    session: &Session,
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
    let (_, token) = ecr_call::password(core, &target, session).await?;
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
            "username": a.username,
            "password": password,
            "expires-at": expires_at,
            "create-namespace": a.placement.create_namespace,
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
    let session = Session::new(a.aws.profile.clone())?;
    if mode == Mode::Client {
        let password = password(core, m, &a.aws, &session, stdin).await?;
        let text = core.render(&request(&password.value, password.expires_at.as_ref()))?;
        return out.write_all(text.as_bytes()).map_err(write_err);
    }
    let namespaces: Vec<String> = items(&plan)?
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .filter_map(|o| o["metadata"]["namespace"].as_str().map(str::to_owned))
        .collect();
    let cluster = Cluster::connect(connect).await?;
    check_placement(&cluster, &namespaces, &a.placement).await?;
    let password = password(core, m, &a.aws, &session, stdin).await?;
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
    if mode == Mode::Apply {
        patch_service_accounts(
            &cluster,
            &namespaces,
            &a.placement,
            &m.target.name,
            out,
            err,
        )
        .await?;
    }
    applied
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
    let session = Session::new(target.profile.clone())?;
    let (_, token) = ecr_call::password(core, &target, &session).await?;
    let expires = humantime::format_rfc3339_seconds(token.expires_at).to_string();
    let objs = items(&core.render(&request(&token.password, Some(&expires)))?)?;
    apply_all(&cluster, &objs, false, OnError::Continue, out, err).await?;
    writeln!(out, "the password expires at {expires}").map_err(write_err)
}

/// Long-lived AWS keys for the refresher, from the same chain as the ECR
/// password (environment, then `--profile`/`AWS_PROFILE` profile). A web
/// identity or no credentials at all give none: what STS hands out expires
/// within hours, and the refresher runs for months.
struct RefresherKeys {
    /// The keys, as the core's `credentials` input.
    keys: Value,
    /// Where they were found, for the notes.
    from: String,
    /// A session token came with them: temporary keys.
    temporary: bool,
}

/// How the notes name keys that came from the environment.
const ENV_KEYS: &str = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";

/// The chain's keys (resolved once, in `session`, from `inputs`);
/// `Ok(None)` when it holds no keys to store.
fn refresher_keys(inputs: &ChainInputs, session: &Session) -> Result<Option<RefresherKeys>, Error> {
    match session.source() {
        Ok(Source::Keys(c, from)) => {
            let from = from.clone();
            // Say it as before when the keys are the environment's.
            let from = if inputs.env.get("AWS_ACCESS_KEY_ID") == Some(&c.access_key_id) {
                ENV_KEYS.to_owned()
            } else {
                from
            };
            Ok(Some(RefresherKeys {
                keys: json!({
                    "access-key-id": c.access_key_id,
                    "secret-access-key": c.secret_access_key,
                    "session-token": c.session_token,
                }),
                from,
                temporary: c.session_token.is_some(),
            }))
        }
        Ok(Source::WebIdentity(_)) | Err(AwsError::NoCredentials) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// CRDs the `external-secrets` runner needs.
const ESO_CRDS: [&str; 2] = [
    "externalsecrets.external-secrets.io",
    "ecrauthorizationtokens.generators.external-secrets.io",
];

/// What a suggested command carries from `cronjob install`'s flags.
fn given(connect: &Connect, a: &CronjobInstallArgs) -> suggest::Given {
    suggest::Given {
        registry: a.manifest.registry.clone(),
        runner: Some(a.runner.clone()),
        role_arn: a.role_arn.clone(),
        region: a.aws.region.clone(),
        profile: a.aws.profile.clone(),
        ..suggest::Given::of(connect, &a.manifest.target)
    }
}

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
    let request = |credentials: Option<&Value>, password: Option<&Password>| {
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
            "create-namespace": a.placement.create_namespace,
            "password": password.map(|p| &p.value),
            "expires-at": password.and_then(|p| p.expires_at.as_ref()),
            "output": m.output,
        })
    };
    // Check the flags before asking AWS or the cluster for anything.
    core.render(&request(None, None))?;
    // One chain for the refresher's keys and the password.
    let inputs = ChainInputs::gather(a.aws.profile.clone());
    let session = Session::from_inputs(&inputs)?;
    // With IRSA no keys are stored, so none are read.
    let keys = match a.role_arn {
        Some(_) => None,
        None => refresher_keys(&inputs, &session)?,
    };
    if let Some(k) = keys.as_ref().filter(|k| k.temporary) {
        let what = if k.from == ENV_KEYS {
            "AWS_SESSION_TOKEN is set".to_owned()
        } else {
            format!("{} has a session token", k.from)
        };
        let _ = writeln!(
            err,
            "note: {what}: these are temporary keys and the refresher will fail once they expire; use long-lived keys of a dedicated IAM user, or --role-arn"
        );
    }
    let credentials = keys.as_ref().map(|k| &k.keys);
    let hint = given(connect, a);
    if mode == Mode::Client {
        let request = |p: Option<&Password>| request(credentials, p);
        return cronjob_dry_run(
            core,
            a,
            &request,
            keys.as_ref(),
            &hint,
            &session,
            out,
            err,
            stdin,
        )
        .await;
    }
    let cluster = Cluster::connect(connect).await?;
    let mut plan_req = request(credentials, None);
    live_output(&mut plan_req);
    let plan = items(&core.render(&plan_req)?)?;
    let mut namespaces: Vec<String> = Vec::new();
    for ns in plan
        .iter()
        .filter_map(|o| o["metadata"]["namespace"].as_str())
    {
        if !namespaces.iter().any(|n| n == ns) {
            namespaces.push(ns.to_owned());
        }
    }
    check_placement(&cluster, &namespaces, &a.placement).await?;
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
    if keys.is_none() && a.role_arn.is_none() {
        require_credentials_secrets(core, &cluster, &request, &hint, err).await?;
    }
    // The pull Secret goes first, so the refresher never needs `create`.
    let password = password(core, m, &a.aws, &session, stdin).await?;
    let mut req = request(credentials, Some(&password));
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
    .await?;
    if mode == Mode::Apply {
        patch_service_accounts(
            &cluster,
            &namespaces,
            &a.placement,
            &m.target.name,
            out,
            err,
        )
        .await?;
        next_steps(core, a, &hint, err)?;
    }
    Ok(())
}

/// With no keys to store, the refresher can only work with the credentials
/// Secrets someone made by hand (`commands credentials`): each must exist
/// before anything is applied, else the CronJob mounts a Secret that is not
/// there and the pull secret dies with the password 12 hours later.
async fn require_credentials_secrets(
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
            return Err(Error::Usage(format!(
                "no long-lived AWS keys for the refresher: none in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or the AWS profile, and no Secret {ns}/{name} in the cluster; give the keys of a dedicated IAM user (environment or --profile), create the Secret with `{}`, or use --role-arn",
                hint.line(core, "commands credentials")?
            )));
        }
        let _ = writeln!(
            err,
            "note: no AWS keys given: the refresher uses the existing Secret {ns}/{name}"
        );
    }
    Ok(())
}

/// What to do after an install: prove the refresher now, then check all.
/// A hint, not data: on stderr, as kubectl prints its hints.
fn next_steps(
    core: &Core,
    a: &CronjobInstallArgs,
    hint: &suggest::Given,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let doctor = hint.line(core, "doctor")?;
    let _ = if a.runner == "external-secrets" {
        writeln!(
            err,
            "next: check the pull secret end to end with `{doctor}`"
        )
    } else {
        writeln!(
            err,
            "next: run the refresher now with `{}`, then check everything with `{doctor}`",
            hint.line(core, "cronjob run --wait")?
        )
    };
    Ok(())
}

/// `cronjob install --dry-run=client`: print, with the pull Secret when a
/// password can be had. Rendering without keys is allowed here (GitOps
/// keeps keys out of the repository): a note says what is left out.
#[allow(clippy::too_many_arguments)]
async fn cronjob_dry_run(
    core: &Core,
    a: &CronjobInstallArgs,
    request: &dyn Fn(Option<&Password>) -> Value,
    keys: Option<&RefresherKeys>,
    hint: &suggest::Given,
    session: &Session,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    let password = match password(core, m, &a.aws, session, stdin).await {
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
    if let Some(k) = keys
        && m.output != "name"
    {
        // Say so on stderr: the printed YAML now holds a secret key.
        let _ = writeln!(
            err,
            "note: the output holds the AWS keys from {} in Secret {}-refresher-aws; keep it out of version control",
            k.from, m.target.name
        );
    }
    if keys.is_none() && a.role_arn.is_none() {
        let _ = writeln!(
            err,
            "note: no long-lived AWS keys (environment or AWS profile), so Secret {}-refresher-aws is left out; create it with `{}`, or use --role-arn",
            m.target.name,
            hint.line(core, "commands credentials")?
        );
    }
    out.write_all(text.as_bytes()).map_err(write_err)
}
