//! ECR API calls described as data (kube-rs style: the core builds the
//! request, the shell signs and sends it): GetAuthorizationToken for a
//! password, DescribeRepositories and CreateRepository for a mirror's ECR
//! destination. Which region, which endpoint (partitions, FIPS, the standard
//! endpoint overrides), which `X-Amz-Target` and body (AWS JSON 1.1), what a
//! created repository's settings are, and which registry the pull secret is
//! then keyed on.

use serde::Serialize;

use crate::images::Registry;

pub use crate::types::AwsCall;

/// The actions a caller may ask for; the first is the default.
pub const ACTIONS: [&str; 3] = [
    "GetAuthorizationToken",
    "DescribeRepositories",
    "CreateRepository",
];

/// Settings a created repository gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Settings {
    /// `imageTagMutability: IMMUTABLE`; else `MUTABLE`, so a rerun (or one
    /// with another `--platform`) may point a tag at a new index.
    pub immutable_tags: bool,
    /// `imageScanningConfiguration.scanOnPush` (a registry-level scanning
    /// configuration, where the account has one, overrides it).
    pub scan_on_push: bool,
}

/// One call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call<'a> {
    /// A registry password.
    GetAuthorizationToken,
    /// Whether `repository` exists in account `registry_id`.
    DescribeRepositories {
        /// The 12-digit account of the registry host.
        registry_id: &'a str,
        /// The repository.
        repository: &'a str,
    },
    /// Creates `repository` in account `registry_id`.
    CreateRepository {
        /// The 12-digit account of the registry host.
        registry_id: &'a str,
        /// The repository.
        repository: &'a str,
        /// Its settings.
        settings: Settings,
    },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Describe<'a> {
    registry_id: &'a str,
    repository_names: [&'a str; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Create<'a> {
    registry_id: &'a str,
    repository_name: &'a str,
    image_tag_mutability: &'static str,
    image_scanning_configuration: Scanning,
    encryption_configuration: Encryption,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Scanning {
    scan_on_push: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Encryption {
    encryption_type: &'static str,
}

impl Call<'_> {
    fn action(&self) -> &'static str {
        match self {
            Call::GetAuthorizationToken => "GetAuthorizationToken",
            Call::DescribeRepositories { .. } => "DescribeRepositories",
            Call::CreateRepository { .. } => "CreateRepository",
        }
    }

    fn body(&self) -> String {
        let body = match *self {
            Call::GetAuthorizationToken => return "{}".into(),
            Call::DescribeRepositories {
                registry_id,
                repository,
            } => serde_json::to_string(&Describe {
                registry_id,
                repository_names: [repository],
            }),
            Call::CreateRepository {
                registry_id,
                repository,
                settings,
            } => serde_json::to_string(&Create {
                registry_id,
                repository_name: repository,
                image_tag_mutability: if settings.immutable_tags {
                    "IMMUTABLE"
                } else {
                    "MUTABLE"
                },
                image_scanning_configuration: Scanning {
                    scan_on_push: settings.scan_on_push,
                },
                // What ECR does when asked nothing, said out loud: the
                // repository's encryption cannot be changed after creation,
                // and a KMS key is the account owner's choice to make.
                encryption_configuration: Encryption {
                    encryption_type: "AES256",
                },
            }),
        };
        // Structs of strings and booleans always serialize.
        body.unwrap_or_default()
    }
}

/// The endpoint of the ECR API in `region`, by partition, as the AWS SDKs
/// resolve it; FIPS when the registry host is an `ecr-fips` one.
pub fn endpoint(region: &str, fips: bool) -> String {
    let (_, dns_suffix) = crate::regions::partition(region);
    if fips {
        format!("https://ecr-fips.{region}.{dns_suffix}/")
    } else {
        format!("https://api.ecr.{region}.{dns_suffix}/")
    }
}

/// The request for `call` to `registry`'s API in `region`; `override_url` is
/// the value of `AWS_ENDPOINT_URL_ECR` or else `AWS_ENDPOINT_URL`, when set.
pub fn request(
    registry: &Registry,
    region: &str,
    override_url: Option<&str>,
    call: &Call<'_>,
) -> AwsCall {
    let fips = registry.host.contains(".dkr.ecr-fips.");
    let url = match override_url {
        Some(u) if u.ends_with('/') => u.to_owned(),
        Some(u) => format!("{u}/"),
        None => endpoint(region, fips),
    };
    AwsCall {
        region: region.to_owned(),
        signing_name: "ecr".into(),
        url,
        target: format!("AmazonEC2ContainerRegistry_V20150921.{}", call.action()),
        content_type: "application/x-amz-json-1.1".into(),
        body: call.body(),
        registry_host: registry.host.clone(),
        server: registry.server(),
        known_region: crate::regions::exists(region),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions() {
        assert_eq!(
            endpoint("eu-west-1", false),
            "https://api.ecr.eu-west-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint("cn-north-1", false),
            "https://api.ecr.cn-north-1.amazonaws.com.cn/"
        );
        assert_eq!(
            endpoint("us-gov-west-1", true),
            "https://ecr-fips.us-gov-west-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint("us-iso-east-1", false),
            "https://api.ecr.us-iso-east-1.c2s.ic.gov/"
        );
    }

    #[test]
    fn override_wins() {
        let r = request(
            &Registry::vendor(),
            "eu-west-1",
            Some("http://127.0.0.1:5000"),
            &Call::GetAuthorizationToken,
        );
        assert_eq!(r.url, "http://127.0.0.1:5000/");
        assert!(r.known_region);
        let nowhere = request(
            &Registry::vendor(),
            "xx-nowhere-9",
            None,
            &Call::GetAuthorizationToken,
        );
        assert!(!nowhere.known_region);
        assert_eq!(
            r.server,
            "https://462803626708.dkr.ecr.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            (r.target.as_str(), r.body.as_str()),
            (
                "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
                "{}"
            )
        );
    }

    #[test]
    fn repository_calls() {
        let reg = Registry {
            host: "123456789012.dkr.ecr.us-east-1.amazonaws.com".into(),
            path: "team".into(),
        };
        let describe = request(
            &reg,
            "us-east-1",
            None,
            &Call::DescribeRepositories {
                registry_id: "123456789012",
                repository: "team/usage-engine-private-edition",
            },
        );
        assert_eq!(
            describe.target,
            "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories"
        );
        assert_eq!(describe.url, "https://api.ecr.us-east-1.amazonaws.com/");
        assert_eq!(
            describe.body,
            r#"{"registryId":"123456789012","repositoryNames":["team/usage-engine-private-edition"]}"#
        );
        let create = |settings| {
            request(
                &reg,
                "us-east-1",
                None,
                &Call::CreateRepository {
                    registry_id: "123456789012",
                    repository: "team/x",
                    settings,
                },
            )
        };
        let plain = create(Settings::default());
        assert_eq!(
            plain.target,
            "AmazonEC2ContainerRegistry_V20150921.CreateRepository"
        );
        assert_eq!(
            plain.body,
            r#"{"registryId":"123456789012","repositoryName":"team/x","imageTagMutability":"MUTABLE","imageScanningConfiguration":{"scanOnPush":false},"encryptionConfiguration":{"encryptionType":"AES256"}}"#
        );
        let strict = create(Settings {
            immutable_tags: true,
            scan_on_push: true,
        });
        assert!(
            strict.body.contains(r#""imageTagMutability":"IMMUTABLE""#)
                && strict.body.contains(r#""scanOnPush":true"#),
            "{}",
            strict.body
        );
    }
}
