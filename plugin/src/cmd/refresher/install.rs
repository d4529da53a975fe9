//! `kubectl uepe cronjob install`: reads the refresher's AWS keys, has the
//! core render the refresher set, checks the cluster is ready for it, then
//! applies it after the pull Secret (or prints it with `--dry-run=client`)
//! and says what to run next. Names, kinds and CRDs come from the core's
//! inventory, defaults from its choices.

use std::io::{Read, Write};

use super::super::apply::{OnError, apply_all, items};
use super::super::dry_run::{Mode, live_output, mode};
use super::super::password::{Password, password};
use super::super::placement::{check_placement, patch_service_accounts};
use super::super::suggest;
use super::keys::{ENV_KEYS, RefresherKeys, refresher_keys};
use super::preconditions::{require_crds, require_credentials_secrets};
use crate::aws::credentials::ChainInputs;
use crate::aws::{AwsError, Session};
use crate::cli::CronjobInstallArgs;
use crate::cluster::{Cluster, Connect};
use crate::core::{AwsKeys, Core, InventoryRequest, RefresherInventory, RefresherRequest};
use crate::error::{Error, write_err};

/// What a suggested command carries from `cronjob install`'s flags.
fn given(connect: &Connect, a: &CronjobInstallArgs) -> suggest::Given {
    suggest::Given {
        registry: a.manifest.registry.clone(),
        runner: a.runner.clone(),
        role_arn: a.role_arn.clone(),
        region: a.aws.region.clone(),
        profile: a.aws.profile.clone(),
        ..suggest::Given::of(connect, &a.manifest.target)
    }
}

/// The refresher request for the flags, with these keys and password.
fn request(
    a: &CronjobInstallArgs,
    credentials: Option<&AwsKeys>,
    password: Option<&Password>,
    output: Option<String>,
) -> RefresherRequest {
    let m = &a.manifest;
    RefresherRequest {
        runner: a.runner.clone(),
        namespace: m.target.namespace.clone(),
        name: m.target.name.clone(),
        registry: m.registry.clone(),
        region: a.aws.region.clone(),
        schedule: a.schedule.clone(),
        role_arn: a.role_arn.clone(),
        aws_cli_image: a.aws_cli_image.clone(),
        kubectl_image: a.kubectl_image.clone(),
        image: a.image.clone(),
        credentials: credentials.cloned(),
        create_namespace: a.placement.create_namespace,
        password: password.map(|p| p.value.clone()),
        expires_at: password.and_then(|p| p.expires_at.clone()),
        output,
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
    // Check the flags before asking AWS or the cluster for anything.
    core.refresher(&request(a, None, None, m.output.clone()))?;
    let inventory = core.inventory(&InventoryRequest {
        namespace: m.target.namespace.clone(),
        name: m.target.name.clone(),
    })?;
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
        let rendered =
            |p: Option<&Password>| core.refresher(&request(a, credentials, p, m.output.clone()));
        let dry = DryRun {
            inventory: &inventory,
            keys: keys.as_ref(),
            hint: &hint,
            session: &session,
        };
        return dry.print(core, a, &rendered, out, err, stdin).await;
    }
    let runner = match &a.runner {
        Some(r) => r.clone(),
        None => core.choices()?.defaults.runner,
    };
    let cluster = Cluster::connect(connect).await?;
    let plan = items(&core.refresher(&request(a, credentials, None, live_output()))?)?;
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
    require_crds(&cluster, &inventory, &runner).await?;
    if keys.is_none() && a.role_arn.is_none() {
        require_credentials_secrets(core, &cluster, &inventory, &hint, err).await?;
    }
    // The pull Secret goes first, so the refresher never needs `create`.
    let password = password(core, m, &a.aws, &session, stdin).await?;
    let objs = items(&core.refresher(&request(a, credentials, Some(&password), live_output()))?)?;
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
        let name = inventory
            .pull_secrets
            .first()
            .map_or("", |s| s.name.as_str());
        patch_service_accounts(&cluster, &namespaces, &a.placement, name, out, err).await?;
        next_steps(core, &inventory, &runner, &hint, err)?;
    }
    Ok(())
}

/// What to do after an install: prove the refresher now (when the runner
/// has a CronJob to run), then check all. A hint, not data: on stderr, as
/// kubectl prints its hints.
fn next_steps(
    core: &Core,
    inventory: &RefresherInventory,
    runner: &str,
    hint: &suggest::Given,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let doctor = hint.line(core, "doctor")?;
    let has_cron_job = inventory
        .refresher_kinds
        .iter()
        .any(|k| k.kind == inventory.cron_job.kind && k.runners.iter().any(|r| r == runner));
    let _ = if has_cron_job {
        writeln!(
            err,
            "next: run the refresher now with `{}`, then check everything with `{doctor}`",
            hint.line(core, "cronjob run --wait")?
        )
    } else {
        writeln!(
            err,
            "next: check the pull secret end to end with `{doctor}`"
        )
    };
    Ok(())
}

/// `cronjob install --dry-run=client`: print, with the pull Secret when a
/// password can be had. Rendering without keys is allowed here (GitOps
/// keeps keys out of the repository): a note says what is left out.
struct DryRun<'a> {
    /// The objects' names.
    inventory: &'a RefresherInventory,
    /// The keys stored, if any.
    keys: Option<&'a RefresherKeys>,
    /// Options for the suggested commands.
    hint: &'a suggest::Given,
    /// The run's AWS session.
    session: &'a Session,
}

impl DryRun<'_> {
    async fn print(
        &self,
        core: &Core,
        a: &CronjobInstallArgs,
        rendered: &dyn Fn(Option<&Password>) -> Result<String, crate::core::CoreError>,
        out: &mut dyn Write,
        err: &mut dyn Write,
        stdin: &mut dyn Read,
    ) -> Result<(), Error> {
        let m = &a.manifest;
        let pull_secret = self
            .inventory
            .pull_secrets
            .first()
            .map_or("", |s| s.name.as_str());
        let credentials_secret = &self.inventory.credentials_secret.name;
        let password = match password(core, m, &a.aws, self.session, stdin).await {
            Ok(p) => Some(p),
            Err(Error::Aws(e)) if matches!(*e, AwsError::NoCredentials) => {
                let _ = writeln!(
                    err,
                    "note: no AWS credentials, so the pull Secret {pull_secret} is left out; give --password-stdin or AWS credentials to include it"
                );
                None
            }
            Err(e) => return Err(e),
        };
        let text = rendered(password.as_ref())?;
        let output = match &m.output {
            Some(o) => o.clone(),
            None => core.choices()?.defaults.objects_output,
        };
        if let Some(k) = self.keys
            && output != "name"
        {
            // Say so on stderr: the printed YAML now holds a secret key.
            let _ = writeln!(
                err,
                "note: the output holds the AWS keys from {} in Secret {credentials_secret}; keep it out of version control",
                k.from
            );
        }
        if self.keys.is_none() && a.role_arn.is_none() {
            let _ = writeln!(
                err,
                "note: no long-lived AWS keys (environment or AWS profile), so Secret {credentials_secret} is left out; create it with `{}`, or use --role-arn",
                self.hint.line(core, "commands credentials")?
            );
        }
        out.write_all(text.as_bytes()).map_err(write_err)
    }
}
