//! `kubectl uepe secret create` and `kubectl uepe cronjob install`: gather
//! the password (stdin) and AWS keys (environment), have the core render the
//! objects, and print them (`--dry-run=client`).

use serde_json::{Value, json};
use std::io::{Read, Write};

use crate::cli::{CronjobInstallArgs, ManifestArgs, SecretCreateArgs};
use crate::core::Core;
use crate::error::{Error, write_err};

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

/// Checks `--dry-run`: only `client` works until the cluster side exists.
fn require_client_dry_run(m: &ManifestArgs) -> Result<(), Error> {
    match m.dry_run.as_str() {
        "client" => Ok(()),
        "none" | "server" => Err(Error::Usage(format!(
            "--dry-run={}: this build cannot reach a cluster yet; use --dry-run=client and pipe the output to `kubectl apply -f -`",
            m.dry_run
        ))),
        other => Err(Error::Usage(format!(
            "--dry-run: `{other}` is not valid: choose one of none, client, server"
        ))),
    }
}

fn password(m: &ManifestArgs, stdin: &mut dyn Read) -> Result<Option<String>, Error> {
    if m.password_stdin {
        read_password(stdin).map(Some)
    } else {
        Ok(None)
    }
}

/// `secret create`.
pub fn secret_create(
    core: &Core,
    a: &SecretCreateArgs,
    out: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    require_client_dry_run(m)?;
    let Some(password) = password(m, stdin)? else {
        return Err(Error::Usage(
            "no password: pipe it in with --password-stdin, e.g. `aws ecr get-login-password --region eu-west-1 | kubectl uepe secret create --password-stdin --dry-run=client`".into(),
        ));
    };
    let text = core.render(&json!({
        "render": "pull-secret",
        "registry": m.registry,
        "namespace": m.namespace,
        "name": m.name,
        "password": password,
        "output": m.output,
    }))?;
    out.write_all(text.as_bytes()).map_err(write_err)
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

/// `cronjob install`.
pub fn cronjob_install(
    core: &Core,
    a: &CronjobInstallArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    require_client_dry_run(m)?;
    let password = password(m, stdin)?;
    // With IRSA no keys are stored, so none are read.
    let credentials = if a.role_arn.is_some() {
        None
    } else {
        env_keys()
    };
    let text = core.render(&json!({
        "render": "refresher",
        "runner": a.runner,
        "namespace": m.namespace,
        "name": m.name,
        "registry": m.registry,
        "region": a.region,
        "schedule": a.schedule,
        "role-arn": a.role_arn,
        "aws-cli-image": a.aws_cli_image,
        "kubectl-image": a.kubectl_image,
        "image": a.image,
        "credentials": credentials,
        "password": password,
        "output": m.output,
    }))?;
    if credentials.is_some() && m.output != "name" {
        // Say so on stderr: the printed YAML now holds a secret key.
        let _ = writeln!(
            err,
            "note: the output holds the AWS keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in Secret {}-refresher-aws; keep it out of version control",
            m.name
        );
    }
    if credentials.is_none() && a.role_arn.is_none() {
        let _ = writeln!(
            err,
            "note: no AWS keys in the environment, so Secret {}-refresher-aws is left out; create it with `kubectl uepe commands credentials`, or use --role-arn",
            m.name
        );
    }
    out.write_all(text.as_bytes()).map_err(write_err)
}
