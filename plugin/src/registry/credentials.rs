//! Where a registry's credentials come from: ECR registries get an ECR
//! password from the AWS credentials chain (falling back to docker config
//! when no AWS keys are set), every other registry reads docker config
//! (`DOCKER_CONFIG`, `auths`, `credsStore`, `credHelpers`) through the
//! `docker_credential` crate. Asked again on every re-authentication, so a
//! refreshed login or a new ECR password is picked up mid-copy.

use std::sync::Arc;

use super::Error;
use super::auth::Credential;
use crate::aws::ecr::EcrRequest;
use crate::aws::{AwsError, Session};

/// A source of credentials for one registry.
// Two per mirror run (source and destination): their size costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Provider {
    /// Docker config, under this server key.
    DockerConfig {
        /// The key (`HOST[:PORT]`, or Docker Hub's `https://index.docker.io/v1/`).
        server: String,
    },
    /// An ECR password for the request the core described.
    Ecr {
        /// GetAuthorizationToken, as the core rendered it.
        request: EcrRequest,
        /// The run's AWS session (its credentials chain resolved once).
        session: Arc<Session>,
    },
}

/// The docker config key of a registry host, as `docker login` writes it.
pub fn docker_config_server(host: &str) -> String {
    match host {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => {
            "https://index.docker.io/v1/".into()
        }
        h => h.into(),
    }
}

impl Provider {
    /// The current credentials (`None`: anonymous).
    pub async fn fetch(&self, registry: &str) -> Result<Option<Credential>, Error> {
        match self {
            Provider::DockerConfig { server } => docker_config(server.clone(), registry).await,
            Provider::Ecr { request, session } => {
                match session.password(request).await {
                    Ok(token) => Ok(Some(Credential::Basic {
                        username: token.username,
                        password: token.password,
                    })),
                    // No AWS keys at all: a `docker login` may still be there.
                    Err(AwsError::NoCredentials) => {
                        match docker_config(docker_config_server(registry), registry).await? {
                            Some(c) => Ok(Some(c)),
                            None => Err(Error::EcrPassword {
                                registry: registry.into(),
                                source: AwsError::NoCredentials,
                            }),
                        }
                    }
                    Err(source) => Err(Error::EcrPassword {
                        registry: registry.into(),
                        source,
                    }),
                }
            }
        }
    }
}

async fn docker_config(server: String, registry: &str) -> Result<Option<Credential>, Error> {
    let fail = |reason: String| Error::ReadCredentials {
        registry: registry.into(),
        reason,
    };
    // Credential helpers are processes: keep them off the async threads.
    let key = server.clone();
    let found = tokio::task::spawn_blocking(move || docker_credential::get_credential(&key))
        .await
        .map_err(|e| fail(format!("internal: {e}")))?;
    use docker_credential::{CredentialRetrievalError as E, DockerCredential as D};
    match found {
        Ok(D::UsernamePassword(username, password)) => {
            Ok(Some(Credential::Basic { username, password }))
        }
        Ok(D::IdentityToken(t)) => Ok(Some(Credential::IdentityToken(t))),
        Err(E::NoCredentialConfigured | E::ConfigNotFound) => Ok(None),
        Err(E::ConfigReadError) => {
            let path = crate::docker_config::path();
            if path.exists() {
                Err(fail(format!(
                    "{} cannot be read or is not docker config JSON",
                    path.display()
                )))
            } else {
                Ok(None)
            }
        }
        // What helpers print when they hold nothing for the host.
        Err(E::HelperFailure { stdout, .. }) if stdout.contains("credentials not found") => {
            Ok(None)
        }
        // Only the helper's name: its output is not ours to repeat.
        Err(E::HelperFailure { helper, .. }) => Err(fail(format!(
            "the credential helper `{helper}` failed; run `{helper} get` by hand to see why"
        ))),
        Err(E::HelperCommunicationError) => Err(fail(unrunnable_helper(&server))),
        Err(E::MalformedHelperResponse) => {
            Err(fail("the credential helper's answer is not JSON".into()))
        }
        Err(E::CredentialDecodingError | E::CredentialMismatchError) => Err(fail(
            "the `auth` entry is not base64 of USER:PASSWORD (or disagrees with username/password)"
                .into(),
        )),
    }
}

/// Why a helper could not be run, naming it: the crate's error does not
/// say which, so the config is read again to find the one docker would run.
fn unrunnable_helper(server: &str) -> String {
    let path = crate::docker_config::path();
    let named = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| crate::docker_config::helper_for(&text, server));
    match named {
        Some((helper, key)) => format!(
            "the credential helper `docker-credential-{helper}` ({key} in {}) cannot be run: install it and put it on PATH, or remove that setting",
            path.display()
        ),
        None => format!(
            "a credential helper named in {} (credsStore / credHelpers) cannot be run: is it on PATH?",
            path.display()
        ),
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn docker_hub_has_its_own_key() {
        assert_eq!(
            docker_config_server("docker.io"),
            "https://index.docker.io/v1/"
        );
        assert_eq!(docker_config_server("127.0.0.1:5000"), "127.0.0.1:5000");
    }
}
