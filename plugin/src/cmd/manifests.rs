//! `kubectl uepe secret create` and `kubectl uepe cronjob install`: gather
//! the password (stdin, else ECR through the AWS credentials chain) and AWS
//! keys (environment), have the core render the objects, and print them
//! (`--dry-run=client`).

use serde_json::{Value, json};
use std::io::{Read, Write};

use crate::aws::{AwsError, Target};
use crate::cli::{AwsArgs, CronjobInstallArgs, ManifestArgs, SecretCreateArgs};
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
    a: &SecretCreateArgs,
    out: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    require_client_dry_run(m)?;
    let request = |password: &str, expires_at: Option<&String>| {
        json!({
            "render": "pull-secret",
            "registry": m.registry,
            "namespace": m.namespace,
            "name": m.name,
            "password": password,
            "expires-at": expires_at,
            "output": m.output,
        })
    };
    // Check the flags before asking AWS for a password.
    core.render(&request("x", None))?;
    let password = password(core, m, &a.aws, stdin).await?;
    let text = core.render(&request(&password.value, password.expires_at.as_ref()))?;
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
pub async fn cronjob_install(
    core: &Core,
    a: &CronjobInstallArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    let m = &a.manifest;
    require_client_dry_run(m)?;
    // With IRSA no keys are stored, so none are read.
    let credentials = if a.role_arn.is_some() {
        None
    } else {
        env_keys()
    };
    let request = |password: Option<&Password>| {
        json!({
            "render": "refresher",
            "runner": a.runner,
            "namespace": m.namespace,
            "name": m.name,
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
    // Check the flags before asking AWS for a password.
    core.render(&request(None))?;
    // The pull Secret leads the output when its password can be had; without
    // any AWS credentials a dry-run still prints the refresher.
    let password = match password(core, m, &a.aws, stdin).await {
        Ok(p) => Some(p),
        Err(Error::Aws(AwsError::NoCredentials)) => {
            let _ = writeln!(
                err,
                "note: no AWS credentials, so the pull Secret {} is left out; give --password-stdin or AWS credentials to include it",
                m.name
            );
            None
        }
        Err(e) => return Err(e),
    };
    let text = core.render(&request(password.as_ref()))?;
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
