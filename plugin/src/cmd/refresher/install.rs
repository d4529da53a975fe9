//! `kubectl uepe cronjob install`: reads the refresher's AWS keys, has the
//! core render the refresher set, checks the cluster is ready for it, then
//! applies it after the pull Secret (or prints it with `--dry-run=client`)
//! and says what to run next.

use serde_json::{Value, json};
use std::io::{Read, Write};

use super::super::apply::{OnError, apply_all, items};
use super::super::dry_run::{Mode, live_output, mode};
use super::super::password::{Password, password};
use super::super::placement::{check_placement, patch_service_accounts};
use super::super::suggest;
use super::keys::{ENV_KEYS, RefresherKeys, refresher_keys};
use super::preconditions::{require_crds, require_credentials_secrets};
use crate::aws::AwsError;
use crate::cli::CronjobInstallArgs;
use crate::cluster::{Cluster, Connect};
use crate::core::Core;
use crate::error::{Error, write_err};

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
pub async fn install(
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
    // With IRSA no keys are stored, so none are read.
    let keys = match a.role_arn {
        Some(_) => None,
        None => refresher_keys(a.aws.profile.clone())?,
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
        return cronjob_dry_run(core, a, &request, keys.as_ref(), &hint, out, err, stdin).await;
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
    require_crds(&cluster, &a.runner).await?;
    if keys.is_none() && a.role_arn.is_none() {
        require_credentials_secrets(core, &cluster, &request, &hint, err).await?;
    }
    // The pull Secret goes first, so the refresher never needs `create`.
    let password = password(core, m, &a.aws, stdin).await?;
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
