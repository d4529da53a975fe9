//! ECR repositories for the mirror: does one exist (DescribeRepositories),
//! create it (CreateRepository). The calls themselves — endpoint, target,
//! body, a new repository's settings — are what the core rendered; here
//! they go through the one signed-call path (`call`) and their answers are
//! read. AWS's other refusals come back as [`AwsError::Other`] with its
//! code and message, for the caller to name the repository.

use super::AwsError;
use super::call::{Answer, signed};
use super::credentials::Credentials;
use super::ecr::EcrRequest;

/// Whether the repository `describe` (a DescribeRepositories call) names exists.
pub async fn exists(
    http: &reqwest::Client,
    describe: &EcrRequest,
    keys: &Credentials,
) -> Result<bool, AwsError> {
    match signed(http, describe, keys).await? {
        Answer::Accepted(_) => Ok(true),
        Answer::Refused { code, .. } if code == "RepositoryNotFoundException" => Ok(false),
        Answer::Refused { code, message } => Err(AwsError::Other { code, message }),
    }
}

/// Creates the repository `create` (a CreateRepository call) names; one
/// someone else made meanwhile is fine.
pub async fn create(
    http: &reqwest::Client,
    create: &EcrRequest,
    keys: &Credentials,
) -> Result<(), AwsError> {
    match signed(http, create, keys).await? {
        Answer::Accepted(_) => Ok(()),
        Answer::Refused { code, .. } if code == "RepositoryAlreadyExistsException" => Ok(()),
        Answer::Refused { code, message } => Err(AwsError::Other { code, message }),
    }
}
