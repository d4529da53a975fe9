//! `kubectl uepe secret create` and `kubectl uepe secret refresh`: the core
//! renders the pull Secrets; this applies them (or prints them with
//! `--dry-run=client`), then adds the secret to the ServiceAccounts asked for.

use std::io::{Read, Write};

use super::apply::{OnError, apply_all, items};
use super::dry_run::{Mode, live_output, mode};
use super::ecr::Target;
use super::password::{Password, password};
use super::placement::{check_placement, patch_service_accounts};
use crate::aws::Session;
use crate::cli::{SecretCreateArgs, SecretRefreshArgs};
use crate::cluster::{Cluster, Connect};
use crate::core::{Core, PullSecretRequest};
use crate::error::{Error, write_err};

/// `secret create`.
pub async fn create(
    core: &Core,
    connect: &Connect,
    a: &SecretCreateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    let mode = mode(m)?;
    let request = |password: &Password, output: Option<String>| PullSecretRequest {
        registry: m.registry.clone(),
        namespace: m.target.namespace.clone(),
        name: m.target.name.clone(),
        username: a.username.clone(),
        password: password.value.clone(),
        expires_at: password.expires_at.clone(),
        create_namespace: a.placement.create_namespace,
        output,
    };
    // Check every flag (`-o` included) before asking AWS for a password or
    // the cluster for anything.
    let placeholder = Password::placeholder();
    core.pull_secret(&request(&placeholder, m.output.clone()))?;
    let plan = core.pull_secret(&request(&placeholder, live_output()))?;
    let session = Session::new(a.aws.profile.clone())?;
    if mode == Mode::Client {
        let password = password(core, m, &a.aws, &session, stdin).await?;
        let text = core.pull_secret(&request(&password, m.output.clone()))?;
        return out.write_all(text.as_bytes()).map_err(write_err);
    }
    // Where the pull Secrets go, and their name, as the core rendered them.
    let secrets: Vec<(String, String)> = items(&plan)?
        .iter()
        .filter(|o| o["kind"] == "Secret")
        .filter_map(|o| {
            let meta = &o["metadata"];
            Some((
                meta["namespace"].as_str()?.into(),
                meta["name"].as_str()?.into(),
            ))
        })
        .collect();
    let namespaces: Vec<String> = secrets.iter().map(|(ns, _)| ns.clone()).collect();
    let name = secrets.first().map(|(_, n)| n.clone()).unwrap_or_default();
    let cluster = Cluster::connect(connect).await?;
    check_placement(&cluster, &namespaces, &a.placement).await?;
    let password = password(core, m, &a.aws, &session, stdin).await?;
    let objs = items(&core.pull_secret(&request(&password, live_output()))?)?;
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
        patch_service_accounts(&cluster, &namespaces, &a.placement, &name, out, err).await?;
    }
    applied
}

/// `secret refresh`: what the `plugin` runner runs in the cluster. It only
/// patches the Secrets install created (its Role allows nothing else).
pub async fn refresh(
    core: &Core,
    connect: &Connect,
    a: &SecretRefreshArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let request = |password: &Password| PullSecretRequest {
        registry: a.registry.clone(),
        namespace: a.target.namespace.clone(),
        name: a.target.name.clone(),
        username: None,
        password: password.value.clone(),
        expires_at: password.expires_at.clone(),
        create_namespace: false,
        output: live_output(),
    };
    core.pull_secret(&request(&Password::placeholder()))?;
    let cluster = Cluster::connect(connect).await?;
    let target = Target {
        registry: a.registry.clone(),
        region: a.aws.region.clone(),
        profile: a.aws.profile.clone(),
    };
    let session = Session::new(target.profile.clone())?;
    let (_, token) = super::ecr::password(core, &target, &session).await?;
    let expires = humantime::format_rfc3339_seconds(token.expires_at).to_string();
    let objs = items(&core.pull_secret(&request(&Password {
        value: token.password,
        expires_at: Some(expires.clone()),
    }))?)?;
    apply_all(&cluster, &objs, false, OnError::Continue, out, err).await?;
    writeln!(out, "the password expires at {expires}").map_err(write_err)
}
