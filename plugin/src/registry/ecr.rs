//! ECR destinations need each repository to exist before a push. This asks
//! ECR (DescribeRepositories) and, with `--create-repositories`, creates the
//! missing ones (CreateRepository). Every call is what the core rendered
//! (`ecr-call` with an `action`, asked by `cmd/mirror.rs`); `aws/` signs
//! and sends it with the run's one [`Session`]. Here: which repositories,
//! in which order, and what a refusal means for the mirror.

use super::Error;
use crate::aws::ecr::EcrRequest;
use crate::aws::{AwsError, Session, repository};

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

/// A failed repository call, named by its action and repository: AWS's own
/// refusal as before, any other failure with its cause.
fn call_error(action: &'static str, repository: &str, e: AwsError) -> Error {
    match e {
        AwsError::Other { code, message } => Error::EcrApi {
            action,
            repository: repository.to_owned(),
            code,
            message,
        },
        source => Error::EcrCall {
            action,
            repository: repository.to_owned(),
            source,
        },
    }
}

/// Makes sure every repository of `repositories` exists: lists the missing
/// ones, creates them when their calls hold a CreateRepository, else fails
/// before anything is pushed. With `dry_run`, only reports (returns the
/// missing names). `base` (GetAuthorizationToken for the same host) names
/// the registry and the region to sign for.
pub async fn ensure_repositories(
    session: &Session,
    base: &EcrRequest,
    repositories: &[&RepositoryCalls],
    dry_run: bool,
) -> Result<Vec<String>, Error> {
    let keys = session
        .keys(base)
        .await
        .map_err(|source| Error::EcrPassword {
            registry: base.registry_host.clone(),
            source,
        })?;
    let mut missing = Vec::new();
    for repo in repositories {
        let there = repository::exists(session.http(), &repo.describe, &keys)
            .await
            .map_err(|e| call_error("DescribeRepositories", &repo.name, e))?;
        if !there {
            missing.push(*repo);
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
        repository::create(session.http(), create, &keys)
            .await
            .map_err(|e| call_error("CreateRepository", &repo.name, e))?;
    }
    Ok(names())
}
