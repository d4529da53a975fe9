//! AWS credentials and the standard provider chain, in the SDKs' order:
//! environment keys, then the shared files' profile (`--profile`,
//! `AWS_PROFILE`, else `default`), then web identity (what IRSA sets in a
//! pod). Gathering (env, files) is separated from deciding (`resolve`), so
//! the decision is tested without touching the machine.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use super::AwsError;
use super::profile::{self, Ini};

/// Keys that sign a request. `Debug` never prints the secret parts.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Access key ID (not secret: AWS prints it in errors too).
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token of temporary keys.
    pub session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A web identity to exchange for keys through STS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebIdentity {
    /// Role to assume.
    pub role_arn: String,
    /// File holding the OIDC token (re-read on every use: kubelet rotates it).
    pub token_file: PathBuf,
    /// Session name.
    pub session_name: String,
}

/// Where the keys come from, with a description for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Static or temporary keys, and where they were found.
    Keys(Credentials, String),
    /// A role assumed with a web identity token.
    WebIdentity(WebIdentity),
}

/// What the chain looks at, gathered from the environment and files.
#[derive(Debug, Default)]
pub struct ChainInputs {
    /// Environment variables the chain reads.
    pub env: BTreeMap<String, String>,
    /// `--profile`, when given.
    pub profile_flag: Option<String>,
    /// Parsed shared credentials file.
    pub credentials_file: Ini,
    /// Parsed shared config file.
    pub config_file: Ini,
}

/// The environment variables the chain reads.
pub const ENV_VARS: [&str; 9] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
];

impl ChainInputs {
    /// Reads the environment and the shared files (missing files are empty).
    pub fn gather(profile_flag: Option<String>) -> Self {
        let env: BTreeMap<String, String> = ENV_VARS
            .iter()
            .filter_map(|k| {
                std::env::var(k)
                    .ok()
                    .filter(|v| !v.is_empty())
                    .map(|v| ((*k).to_owned(), v))
            })
            .collect();
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        let read = |var: &str, default: &str| {
            let path = env
                .get(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| home.join(".aws").join(default));
            std::fs::read_to_string(path)
                .map(|t| profile::parse(&t))
                .unwrap_or_default()
        };
        let credentials_file = read("AWS_SHARED_CREDENTIALS_FILE", "credentials");
        let config_file = read("AWS_CONFIG_FILE", "config");
        Self {
            env,
            profile_flag,
            credentials_file,
            config_file,
        }
    }

    fn var(&self, k: &str) -> Option<&str> {
        self.env.get(k).map(String::as_str)
    }

    /// Decides where the keys come from.
    pub fn resolve(&self) -> Result<Source, AwsError> {
        let explicit_profile = self.profile_flag.as_deref().or(self.var("AWS_PROFILE"));
        // Environment keys come first, unless a profile was asked for on the command line.
        if self.profile_flag.is_none() {
            match (
                self.var("AWS_ACCESS_KEY_ID"),
                self.var("AWS_SECRET_ACCESS_KEY"),
            ) {
                (Some(id), Some(secret)) => {
                    return Ok(Source::Keys(
                        Credentials {
                            access_key_id: id.to_owned(),
                            secret_access_key: secret.to_owned(),
                            session_token: self.var("AWS_SESSION_TOKEN").map(str::to_owned),
                        },
                        "the environment (AWS_ACCESS_KEY_ID)".into(),
                    ));
                }
                (Some(_), None) => return Err(AwsError::IncompleteEnv("AWS_SECRET_ACCESS_KEY")),
                (None, Some(_)) => return Err(AwsError::IncompleteEnv("AWS_ACCESS_KEY_ID")),
                (None, None) => {}
            }
        }
        let name = explicit_profile.unwrap_or("default");
        match profile::profile(&self.credentials_file, &self.config_file, name) {
            Some(p) => return self.profile_source(name, &p),
            None if explicit_profile.is_some() => {
                return Err(AwsError::NoSuchProfile(name.to_owned()));
            }
            None => {}
        }
        if let (Some(role), Some(file)) = (
            self.var("AWS_ROLE_ARN"),
            self.var("AWS_WEB_IDENTITY_TOKEN_FILE"),
        ) {
            return Ok(Source::WebIdentity(WebIdentity {
                role_arn: role.to_owned(),
                token_file: PathBuf::from(file),
                session_name: self
                    .var("AWS_ROLE_SESSION_NAME")
                    .unwrap_or("kubectl-uepe")
                    .to_owned(),
            }));
        }
        Err(AwsError::NoCredentials)
    }

    fn profile_source(&self, name: &str, p: &BTreeMap<String, String>) -> Result<Source, AwsError> {
        let get = |k: &str| p.get(k).filter(|v| !v.is_empty()).cloned();
        if let (Some(id), Some(secret)) = (get("aws_access_key_id"), get("aws_secret_access_key")) {
            return Ok(Source::Keys(
                Credentials {
                    access_key_id: id,
                    secret_access_key: secret,
                    session_token: get("aws_session_token"),
                },
                format!("profile `{name}` of the shared credentials files"),
            ));
        }
        if let (Some(role), Some(file)) = (get("role_arn"), get("web_identity_token_file")) {
            return Ok(Source::WebIdentity(WebIdentity {
                role_arn: role,
                token_file: PathBuf::from(file),
                session_name: get("role_session_name").unwrap_or_else(|| "kubectl-uepe".into()),
            }));
        }
        let unsupported = [
            "credential_process",
            "sso_session",
            "sso_start_url",
            "source_profile",
        ]
        .into_iter()
        .find(|k| p.contains_key(*k));
        Err(AwsError::UnsupportedProfile {
            profile: name.to_owned(),
            setting: unsupported.unwrap_or("(no aws_access_key_id)").to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(env: &[(&str, &str)], creds: &str, config: &str, flag: Option<&str>) -> ChainInputs {
        ChainInputs {
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            profile_flag: flag.map(str::to_owned),
            credentials_file: profile::parse(creds),
            config_file: profile::parse(config),
        }
    }

    fn key_id(s: Result<Source, AwsError>) -> String {
        match s {
            Ok(Source::Keys(c, _)) => c.access_key_id,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn order() {
        let files = "[default]\naws_access_key_id=FILE\naws_secret_access_key=x\n[p]\naws_access_key_id=P\naws_secret_access_key=y\n";
        let env = [("AWS_ACCESS_KEY_ID", "ENV"), ("AWS_SECRET_ACCESS_KEY", "z")];
        assert_eq!(key_id(inputs(&env, files, "", None).resolve()), "ENV");
        assert_eq!(key_id(inputs(&env, files, "", Some("p")).resolve()), "P");
        assert_eq!(key_id(inputs(&[], files, "", None).resolve()), "FILE");
        assert_eq!(
            key_id(inputs(&[("AWS_PROFILE", "p")], files, "", None).resolve()),
            "P"
        );
        assert!(matches!(
            inputs(&[("AWS_PROFILE", "q")], files, "", None).resolve(),
            Err(AwsError::NoSuchProfile(_))
        ));
        assert!(matches!(
            inputs(&[], "", "", None).resolve(),
            Err(AwsError::NoCredentials)
        ));
        assert!(matches!(
            inputs(&[("AWS_ACCESS_KEY_ID", "A")], "", "", None).resolve(),
            Err(AwsError::IncompleteEnv("AWS_SECRET_ACCESS_KEY"))
        ));
        let wi = [
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/r"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", "/t"),
        ];
        assert!(matches!(
            inputs(&wi, "", "", None).resolve(),
            Ok(Source::WebIdentity(_))
        ));
        let sso = "[profile s]\nsso_session = corp\n";
        assert!(matches!(
            inputs(&[], "", sso, Some("s")).resolve(),
            Err(AwsError::UnsupportedProfile { .. })
        ));
    }

    #[test]
    fn debug_redacts() {
        let c = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "very-secret".into(),
            session_token: Some("tok-secret".into()),
        };
        let d = format!("{c:?}");
        assert!(
            !d.contains("very-secret") && !d.contains("tok-secret"),
            "{d}"
        );
    }
}
