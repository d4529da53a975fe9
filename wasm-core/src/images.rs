//! The four UEPE images: which tag each component has, which pod runs it, and
//! where it lives (the vendor's ECR registry, or any `HOST[/PATH]` it was
//! mirrored to, with the repository name kept under the path).

use crate::validate::Version;
use serde::Serialize;

/// The vendor's registry host.
pub const VENDOR_REGISTRY: &str = "462803626708.dkr.ecr.eu-west-1.amazonaws.com";
/// The repository every UEPE image lives in.
pub const REPOSITORY: &str = "usage-engine-private-edition";

/// One of the four UEPE images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Component {
    /// Short name used on the CLI (`--components`) and in output.
    pub name: &'static str,
    /// Tag suffix after the version.
    pub suffix: &'static str,
    /// The pod that runs it.
    pub pod: &'static str,
}

/// The four images, in the vendor's order.
pub const COMPONENTS: [Component; 4] = [
    Component {
        name: "platform",
        suffix: "",
        pod: "platform",
    },
    Component {
        name: "ec",
        suffix: "-ec",
        pod: "EC pods",
    },
    Component {
        name: "operator",
        suffix: "-operator",
        pod: "uepe-operator",
    },
    Component {
        name: "ui",
        suffix: "-ui",
        pod: "desktop-online",
    },
];

/// A registry the images live in: `host` and an optional `path` prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registry {
    /// `HOST[:PORT]`.
    pub host: String,
    /// Path under the host, without leading or trailing `/`; may be empty.
    pub path: String,
}

impl Registry {
    /// The vendor's ECR registry.
    pub fn vendor() -> Self {
        Self {
            host: VENDOR_REGISTRY.into(),
            path: String::new(),
        }
    }

    /// `HOST[/PATH]/usage-engine-private-edition`.
    pub fn repository(&self) -> String {
        if self.path.is_empty() {
            format!("{}/{REPOSITORY}", self.host)
        } else {
            format!("{}/{}/{REPOSITORY}", self.host, self.path)
        }
    }

    /// The server key of a docker config and pull secret, as
    /// `kubectl create secret docker-registry --docker-server` writes it.
    pub fn server(&self) -> String {
        format!("https://{}", self.host)
    }

    /// `HOST[/PATH]`, as typed.
    pub fn display(&self) -> String {
        if self.path.is_empty() {
            self.host.clone()
        } else {
            format!("{}/{}", self.host, self.path)
        }
    }

    /// The ECR facts of the host, when it is an ECR registry.
    pub fn ecr(&self) -> Option<EcrHost> {
        EcrHost::parse(&self.host)
    }
}

/// What an ECR registry host tells: account, region, FIPS, partition suffix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrHost {
    /// The 12-digit account.
    pub account: String,
    /// The region, e.g. `eu-west-1`.
    pub region: String,
}

impl EcrHost {
    /// Parses `ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn]`.
    pub fn parse(host: &str) -> Option<Self> {
        let rest = host
            .strip_suffix(".amazonaws.com")
            .or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
        let mut parts = rest.split('.');
        let account = parts.next()?;
        let (dkr, ecr, region) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = parts.next().is_none()
            && dkr == "dkr"
            && (ecr == "ecr" || ecr == "ecr-fips")
            && crate::validate::account(account).is_ok()
            && crate::validate::region(region).is_ok();
        ok.then(|| Self {
            account: account.into(),
            region: region.into(),
        })
    }
}

/// One image of a version, as listed by `kubectl uepe images`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Component name (`platform`, `ec`, `operator`, `ui`).
    pub component: &'static str,
    /// The pod that runs it.
    pub pod: &'static str,
    /// Full reference `HOST[/PATH]/usage-engine-private-edition:TAG`.
    pub image: String,
    /// Repository without tag.
    pub repository: String,
    /// The tag.
    pub tag: String,
    /// Whether the image is an amd64 + arm64 index.
    pub multi_arch: bool,
}

/// The images of `version` in `registry`, for the chosen components.
pub fn images(version: Version, registry: &Registry, components: &[Component]) -> Vec<Image> {
    components
        .iter()
        .map(|c| {
            let tag = format!("{version}{}", c.suffix);
            Image {
                component: c.name,
                pod: c.pod,
                image: format!("{}:{tag}", registry.repository()),
                repository: registry.repository(),
                tag,
                multi_arch: version.is_multi_arch(),
            }
        })
        .collect()
}

/// Parses a `--components` list (`platform,ec`); empty means all four.
pub fn components(list: &[String]) -> Result<Vec<Component>, String> {
    if list.is_empty() {
        return Ok(COMPONENTS.to_vec());
    }
    let mut chosen = Vec::new();
    for name in list {
        let c = COMPONENTS
            .iter()
            .find(|c| c.name == name.as_str())
            .ok_or_else(|| {
                format!("`{name}` is not a UEPE component: choose from platform, ec, operator, ui")
            })?;
        if !chosen.contains(c) {
            chosen.push(*c);
        }
    }
    // Keep the vendor's order whatever order they were typed in.
    chosen.sort_by_key(|c| COMPONENTS.iter().position(|k| k == c));
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecr_hosts() {
        let h = EcrHost::parse(VENDOR_REGISTRY).expect("vendor host parses");
        assert_eq!(
            (h.account.as_str(), h.region.as_str()),
            ("462803626708", "eu-west-1")
        );
        let fips = EcrHost::parse("123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com");
        assert_eq!(fips.map(|h| h.region), Some("us-gov-west-1".into()));
        let cn = EcrHost::parse("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn");
        assert_eq!(cn.map(|h| h.region), Some("cn-north-1".into()));
        assert_eq!(EcrHost::parse("registry.example.com"), None);
        assert_eq!(EcrHost::parse("1234.dkr.ecr.eu-west-1.amazonaws.com"), None);
    }

    #[test]
    fn mirrored_path_keeps_repository() {
        let r = Registry {
            host: "reg.example.com:5000".into(),
            path: "team/uepe".into(),
        };
        let v = crate::validate::version("4.3.0").expect("valid");
        let imgs = images(v, &r, &COMPONENTS);
        assert_eq!(
            imgs[2].image,
            "reg.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-operator"
        );
        assert_eq!(r.server(), "https://reg.example.com:5000");
    }
}
