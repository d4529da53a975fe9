//! ECR destinations need each repository to exist before a push. This asks
//! ECR (DescribeRepositories) and, with `--create-repositories`, creates the
//! missing ones (CreateRepository), over the AWS JSON 1.1 protocol. Every
//! call — endpoint, target, body, a new repository's settings — is what the
//! core rendered (`ecr-call` with an `action`, gathered by
//! `cmd/mirror.rs`); here it is only signed with SigV4 by the same code as
//! GetAuthorizationToken (`aws::ecr::sign`), sent, and its answer read.

use std::time::SystemTime;

use super::Error;
use super::client::{MAX_ATTEMPTS, backoff};
use super::credentials::aws_keys;
use crate::aws::credentials::Credentials;
use crate::aws::ecr::{EcrRequest, sign};

/// The calls the core rendered for one destination repository.
#[derive(Debug, Clone)]
pub struct RepositoryCalls {
    /// The repository (`team/usage-engine-private-edition`).
    pub name: String,
    /// DescribeRepositories for it.
    pub describe: EcrRequest,
    /// CreateRepository for it, with `--create-repositories`.
    pub create: Option<EcrRequest>,
}

/// An ECR API answer: success, or the error's `__type` and message.
async fn call(
    http: &reqwest::Client,
    req: &EcrRequest,
    keys: &Credentials,
) -> Result<Result<(), (String, String)>, Error> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let headers = sign(req, keys, SystemTime::now()).map_err(|source| Error::EcrPassword {
            registry: req.registry_host.clone(),
            source,
        })?;
        let mut builder = http.post(&req.url).body(req.body.clone());
        for (k, v) in &headers {
            builder = builder.header(k, v);
        }
        let retry = match builder.send().await {
            Ok(resp) => {
                let status = resp.status();
                let bytes = resp.bytes().await.unwrap_or_default();
                if status.is_success() {
                    return Ok(Ok(()));
                }
                let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                let code = v["__type"]
                    .as_str()
                    .and_then(|t| t.rsplit('#').next())
                    .unwrap_or_default()
                    .to_owned();
                let message = v["message"]
                    .as_str()
                    .or(v["Message"].as_str())
                    .unwrap_or_default()
                    .to_owned();
                if status.is_server_error() || code.contains("Throttl") {
                    format!("{status} {code}")
                } else {
                    let code = if code.is_empty() {
                        status.to_string()
                    } else {
                        code
                    };
                    return Ok(Err((code, message)));
                }
            }
            Err(e) => super::error::transport(e),
        };
        if attempt >= MAX_ATTEMPTS {
            return Ok(Err((retry, "gave up after retries".into())));
        }
        tokio::time::sleep(backoff(attempt, None)).await;
    }
}

/// Makes sure every repository of `repositories` exists: lists the missing
/// ones, creates them when their calls hold a CreateRepository, else fails
/// before anything is pushed. With `dry_run`, only reports (returns the
/// missing names). `base` (GetAuthorizationToken for the same host) names
/// the registry and the region to find AWS keys for.
pub async fn ensure_repositories(
    http: &reqwest::Client,
    base: &EcrRequest,
    profile: Option<String>,
    repositories: &[&RepositoryCalls],
    dry_run: bool,
) -> Result<Vec<String>, Error> {
    let keys = aws_keys(http, profile, &base.sts_url)
        .await
        .map_err(|source| Error::EcrPassword {
            registry: base.registry_host.clone(),
            source,
        })?;
    let mut missing = Vec::new();
    for repo in repositories {
        match call(http, &repo.describe, &keys).await? {
            Ok(()) => {}
            Err((code, _)) if code == "RepositoryNotFoundException" => missing.push(*repo),
            Err((code, message)) => {
                return Err(Error::EcrApi {
                    action: "DescribeRepositories",
                    repository: repo.name.clone(),
                    code,
                    message,
                });
            }
        }
    }
    let names = || missing.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    if dry_run || missing.is_empty() {
        return Ok(names());
    }
    // Not allowed to create one: fail before creating any.
    let creates: Option<Vec<(&RepositoryCalls, &EcrRequest)>> = missing
        .iter()
        .map(|r| r.create.as_ref().map(|c| (*r, c)))
        .collect();
    let Some(creates) = creates else {
        return Err(Error::MissingRepositories {
            registry: base.registry_host.clone(),
            names: names(),
        });
    };
    for (repo, create) in creates {
        match call(http, create, &keys).await? {
            Ok(()) => {}
            // Someone else made it meanwhile: fine.
            Err((code, _)) if code == "RepositoryAlreadyExistsException" => {}
            Err((code, message)) => {
                return Err(Error::EcrApi {
                    action: "CreateRepository",
                    repository: repo.name.clone(),
                    code,
                    message,
                });
            }
        }
    }
    Ok(names())
}
