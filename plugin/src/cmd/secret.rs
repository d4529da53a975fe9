//! `kubectl uepe secret create` and `kubectl uepe secret refresh`: the core
//! renders the pull Secrets; this applies them (or prints them with
//! `--dry-run=client`), then adds the secret to the ServiceAccounts asked for.

use serde_json::json;
use std::io::{Read, Write};

use super::apply::{OnError, apply_all, items};
use super::dry_run::{Mode, live_output, mode};
use super::password::password;
use super::placement::{check_placement, patch_service_accounts};
use crate::aws::Target;
use crate::cli::{SecretCreateArgs, SecretRefreshArgs};
use crate::cluster::{Cluster, Connect};
use crate::core::Core;
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
    check_placement(&cluster, &namespaces, &a.placement).await?;
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
pub async fn refresh(
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
