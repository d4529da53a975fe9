//! ECR destinations need each repository to exist before a push. This asks
//! ECR (DescribeRepositories) and, with `--create-repositories`, creates the
//! missing ones (CreateRepository), over the AWS JSON 1.1 protocol, signed
//! with SigV4 by the same code as GetAuthorizationToken (`aws::ecr::sign`).
//! The endpoint and region come from the request the core rendered for the
//! destination host.

use serde_json::json;
use std::time::SystemTime;

use super::Error;
use super::client::{MAX_ATTEMPTS, backoff};
use super::credentials::aws_keys;
use crate::aws::credentials::Credentials;
use crate::aws::ecr::{EcrRequest, sign};

/// Settings of created repositories.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreateSettings {
    /// `imageTagMutability: IMMUTABLE`.
    pub immutable_tags: bool,
    /// `imageScanningConfiguration.scanOnPush`.
    pub scan_on_push: bool,
}

const PREFIX: &str = "AmazonEC2ContainerRegistry_V20150921.";

/// The account of `ACCOUNT.dkr.ecr.REGION.amazonaws.com` (a host the core
/// already accepted as ECR).
pub fn account(registry_host: &str) -> &str {
    registry_host.split('.').next().unwrap_or_default()
}

/// The body of DescribeRepositories for one repository.
pub fn describe_body(account: &str, repository: &str) -> String {
    json!({"registryId": account, "repositoryNames": [repository]}).to_string()
}

/// The body of CreateRepository.
pub fn create_body(account: &str, repository: &str, s: CreateSettings) -> String {
    json!({
        "registryId": account,
        "repositoryName": repository,
        "imageTagMutability": if s.immutable_tags { "IMMUTABLE" } else { "MUTABLE" },
        "imageScanningConfiguration": {"scanOnPush": s.scan_on_push},
    })
    .to_string()
}

/// An ECR API answer: success, or the error's `__type` and message.
async fn call(
    http: &reqwest::Client,
    base: &EcrRequest,
    keys: &Credentials,
    action: &'static str,
    body: String,
) -> Result<Result<(), (String, String)>, Error> {
    let req = EcrRequest {
        target: format!("{PREFIX}{action}"),
        body,
        ..base.clone()
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let headers = sign(&req, keys, SystemTime::now()).map_err(|source| Error::EcrPassword {
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

/// Makes sure every repository exists: lists the missing ones, creates them
/// when `create` is given, else fails before anything is pushed. With
/// `dry_run`, only reports (returns the missing names).
pub async fn ensure_repositories(
    http: &reqwest::Client,
    base: &EcrRequest,
    profile: Option<String>,
    repositories: &[String],
    create: Option<CreateSettings>,
    dry_run: bool,
) -> Result<Vec<String>, Error> {
    let keys = aws_keys(http, profile, &base.region)
        .await
        .map_err(|source| Error::EcrPassword {
            registry: base.registry_host.clone(),
            source,
        })?;
    let account = account(&base.registry_host);
    let mut missing = Vec::new();
    for repo in repositories {
        match call(
            http,
            base,
            &keys,
            "DescribeRepositories",
            describe_body(account, repo),
        )
        .await?
        {
            Ok(()) => {}
            Err((code, _)) if code == "RepositoryNotFoundException" => missing.push(repo.clone()),
            Err((code, message)) => {
                return Err(Error::EcrApi {
                    action: "DescribeRepositories",
                    repository: repo.clone(),
                    code,
                    message,
                });
            }
        }
    }
    if dry_run || missing.is_empty() {
        return Ok(missing);
    }
    let Some(settings) = create else {
        return Err(Error::MissingRepositories {
            registry: base.registry_host.clone(),
            names: missing,
        });
    };
    for repo in &missing {
        match call(
            http,
            base,
            &keys,
            "CreateRepository",
            create_body(account, repo, settings),
        )
        .await?
        {
            Ok(()) => {}
            // Someone else made it meanwhile: fine.
            Err((code, _)) if code == "RepositoryAlreadyExistsException" => {}
            Err((code, message)) => {
                return Err(Error::EcrApi {
                    action: "CreateRepository",
                    repository: repo.clone(),
                    code,
                    message,
                });
            }
        }
    }
    Ok(missing)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn bodies() {
        assert_eq!(
            account("123456789012.dkr.ecr.us-east-1.amazonaws.com"),
            "123456789012"
        );
        let v: serde_json::Value = serde_json::from_str(&create_body(
            "123456789012",
            "team/usage-engine-private-edition",
            CreateSettings {
                immutable_tags: true,
                scan_on_push: false,
            },
        ))
        .expect("json");
        assert_eq!(v["imageTagMutability"], "IMMUTABLE");
        assert_eq!(v["imageScanningConfiguration"]["scanOnPush"], false);
        assert_eq!(v["repositoryName"], "team/usage-engine-private-edition");
        let d: serde_json::Value = serde_json::from_str(&describe_body("1", "r")).expect("json");
        assert_eq!(d["repositoryNames"][0], "r");
    }
}
