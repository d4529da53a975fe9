//! The AWS regions that exist, by partition: the one table the plugin asks
//! (through `ecr-call`'s `known-region`) when an ECR endpoint's name does
//! not resolve, to tell a mistyped region from a DNS, proxy or network
//! problem. Taken from botocore's `partitions.json` (the AWS CLI's own
//! list); a region missing here only loses that hint, nothing is refused.

/// Every region of every partition (aws, aws-cn, aws-us-gov, aws-iso*,
/// aws-eusc), sorted.
pub const REGIONS: [&str; 48] = [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-isoe-west-1",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "me-west-1",
    "mx-central-1",
    "sa-east-1",
    "sa-west-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
    "us-isob-west-1",
    "us-isof-east-1",
    "us-isof-south-1",
    "us-west-1",
    "us-west-2",
];

/// True when `region` is one AWS has.
pub fn exists(region: &str) -> bool {
    REGIONS.binary_search(&region).is_ok()
}

/// The partition a region belongs to: its name (as ARNs spell it) and the
/// DNS suffix of its endpoints. Every endpoint the core builds takes it
/// from here.
pub fn partition(region: &str) -> (&'static str, &'static str) {
    if region.starts_with("cn-") {
        ("aws-cn", "amazonaws.com.cn")
    } else if region.starts_with("us-isob-") {
        ("aws-iso-b", "sc2s.sgov.gov")
    } else if region.starts_with("us-iso-") {
        ("aws-iso", "c2s.ic.gov")
    } else if region.starts_with("us-gov-") {
        ("aws-us-gov", "amazonaws.com")
    } else {
        ("aws", "amazonaws.com")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_for_the_search_and_each_a_region_name() {
        assert!(
            REGIONS.windows(2).all(|w| w[0] < w[1]),
            "sorted, no repeats"
        );
        for r in REGIONS {
            assert!(exists(r), "{r}");
        }
        assert!(!exists("xx-nowhere-9") && !exists("eu-west-9") && !exists(""));
    }

    #[test]
    fn each_partition_has_its_dns_suffix() {
        assert_eq!(partition("eu-west-1"), ("aws", "amazonaws.com"));
        assert_eq!(partition("cn-north-1"), ("aws-cn", "amazonaws.com.cn"));
        assert_eq!(partition("us-gov-west-1"), ("aws-us-gov", "amazonaws.com"));
        assert_eq!(partition("us-iso-east-1"), ("aws-iso", "c2s.ic.gov"));
        assert_eq!(partition("us-isob-east-1"), ("aws-iso-b", "sc2s.sgov.gov"));
    }
}
