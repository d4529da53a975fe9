//! The ECR GetAuthorizationToken call, described as data (kube-rs style:
//! the core builds the request, the shell signs and sends it): which region,
//! which endpoint (partitions, FIPS, the standard endpoint overrides), which
//! headers and body, and which registry the pull secret is then keyed on.

use serde::Serialize;

use crate::images::Registry;

/// The call the plugin signs (SigV4, service `ecr`) and sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EcrRequest {
    /// Region to sign for.
    pub region: String,
    /// SigV4 service name.
    pub signing_name: &'static str,
    /// Full URL to POST to.
    pub url: String,
    /// `X-Amz-Target`.
    pub target: &'static str,
    /// `Content-Type`.
    pub content_type: &'static str,
    /// The body.
    pub body: &'static str,
    /// The registry host to log in to.
    pub registry_host: String,
    /// The key of the pull secret / docker config entry (`https://` + host).
    pub server: String,
}

/// The endpoint of the ECR API in `region`, by partition, as the AWS SDKs
/// resolve it; FIPS when the registry host is an `ecr-fips` one.
pub fn endpoint(region: &str, fips: bool) -> String {
    let dns_suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else if region.starts_with("us-isob-") {
        "sc2s.sgov.gov"
    } else if region.starts_with("us-iso-") {
        "c2s.ic.gov"
    } else {
        "amazonaws.com"
    };
    if fips {
        format!("https://ecr-fips.{region}.{dns_suffix}/")
    } else {
        format!("https://api.ecr.{region}.{dns_suffix}/")
    }
}

/// The request for `registry` in `region`; `override_url` is the value of
/// `AWS_ENDPOINT_URL_ECR` or else `AWS_ENDPOINT_URL`, when set.
pub fn request(registry: &Registry, region: &str, override_url: Option<&str>) -> EcrRequest {
    let fips = registry.host.contains(".dkr.ecr-fips.");
    let url = match override_url {
        Some(u) if u.ends_with('/') => u.to_owned(),
        Some(u) => format!("{u}/"),
        None => endpoint(region, fips),
    };
    EcrRequest {
        region: region.to_owned(),
        signing_name: "ecr",
        url,
        target: "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken",
        content_type: "application/x-amz-json-1.1",
        body: "{}",
        registry_host: registry.host.clone(),
        server: registry.server(),
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
        );
        assert_eq!(r.url, "http://127.0.0.1:5000/");
        assert_eq!(
            r.server,
            "https://462803626708.dkr.ecr.eu-west-1.amazonaws.com"
        );
    }
}
