//! The registry password `secret create` and `cronjob install` put in the
//! pull Secret: read from standard input with `--password-stdin`, else got
//! from ECR through the AWS credentials chain.

use std::io::Read;

use super::ecr::Target;
use crate::aws::Session;
use crate::cli::{AwsArgs, ManifestArgs};
use crate::core::Core;
use crate::error::Error;

/// A registry password and its expiry (RFC 3339), when known.
pub struct Password {
    /// The password.
    pub value: String,
    /// When it expires (RFC 3339), when known.
    pub expires_at: Option<String>,
}

impl Password {
    /// Stands in for the password when only the flags are checked or the
    /// objects' names and namespaces are wanted; never applied.
    pub fn placeholder() -> Self {
        Self {
            value: "x".into(),
            expires_at: None,
        }
    }
}

/// Reads the password from stdin, dropping the one line ending a pipe adds.
fn read_password(stdin: &mut dyn Read) -> Result<String, Error> {
    let mut s = String::new();
    stdin.read_to_string(&mut s).map_err(Error::Stdin)?;
    let trimmed = s.strip_suffix('\n').unwrap_or(&s);
    Ok(trimmed.strip_suffix('\r').unwrap_or(trimmed).to_owned())
}

/// The password from stdin when `--password-stdin`, else from ECR with the
/// run's one AWS session.
pub async fn password(
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
    let (_, token) = super::ecr::password(core, &target, session).await?;
    Ok(Password {
        value: token.password,
        expires_at: Some(humantime::format_rfc3339_seconds(token.expires_at).to_string()),
    })
}
