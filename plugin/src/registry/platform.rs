//! `--platform all|os/arch[/variant],...`: which children of an image index
//! to copy. Pure: parsing the flag and matching an index entry's platform.

use std::fmt;

/// One platform, as `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// `amd64`, `arm64`, ...
    pub arch: String,
    /// `v8`, `v7`, ...
    pub variant: Option<String>,
}

impl Platform {
    /// Whether an index entry for `other` is what `self` asks for: os and
    /// architecture equal, the variant only compared when asked for
    /// (`arm64` with no variant is `arm64/v8`, as containerd normalises it).
    pub fn matches(&self, other: &Platform) -> bool {
        let norm = |p: &Platform| match (p.arch.as_str(), p.variant.as_deref()) {
            ("arm64", None) => Some("v8".to_owned()),
            (_, v) => v.map(str::to_owned),
        };
        self.os == other.os
            && self.arch == other.arch
            && (self.variant.is_none() || norm(self) == norm(other))
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// What `--platform` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Every child of the index (the default).
    All,
    /// Only these platforms: a new index is written for them.
    Only(Vec<Platform>),
}

/// Parses the `--platform` values (comma-separated or repeated).
pub fn parse(values: &[String]) -> Result<Filter, String> {
    let items: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() || items == ["all"] {
        return Ok(Filter::All);
    }
    let mut out: Vec<Platform> = Vec::new();
    for item in items {
        if item == "all" {
            return Err("`all` cannot be combined with other platforms".into());
        }
        let parts: Vec<&str> = item.split('/').collect();
        let ok_part = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| ok_part(p)) {
            return Err(format!(
                "`{item}` is not a platform: give os/arch[/variant] in lowercase, such as linux/arm64, or all"
            ));
        }
        let p = Platform {
            os: parts[0].to_owned(),
            arch: parts[1].to_owned(),
            variant: parts.get(2).map(|v| (*v).to_owned()),
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(Filter::Only(out))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(os: &str, arch: &str, variant: Option<&str>) -> Platform {
        Platform {
            os: os.into(),
            arch: arch.into(),
            variant: variant.map(Into::into),
        }
    }

    #[test]
    fn parses_the_flag() {
        assert_eq!(parse(&[]), Ok(Filter::All));
        assert_eq!(parse(&["all".into()]), Ok(Filter::All));
        assert_eq!(
            parse(&["linux/arm64,linux/amd64".into(), "linux/arm64".into()]),
            Ok(Filter::Only(vec![
                p("linux", "arm64", None),
                p("linux", "amd64", None)
            ]))
        );
        assert_eq!(
            parse(&["linux/arm/v7".into()]),
            Ok(Filter::Only(vec![p("linux", "arm", Some("v7"))]))
        );
        for bad in [
            "linux",
            "Linux/amd64",
            "linux/amd64/v1/x",
            "all,linux/amd64",
            "linux//x",
        ] {
            assert!(parse(&[bad.into()]).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn matches_variants_as_containerd() {
        let arm64 = p("linux", "arm64", None);
        assert!(arm64.matches(&p("linux", "arm64", Some("v8"))));
        assert!(p("linux", "arm64", Some("v8")).matches(&arm64));
        assert!(!p("linux", "arm", Some("v7")).matches(&p("linux", "arm", Some("v6"))));
        assert!(p("linux", "arm", None).matches(&p("linux", "arm", Some("v6"))));
        assert!(!arm64.matches(&p("linux", "amd64", None)));
        assert_eq!(p("linux", "arm", Some("v7")).to_string(), "linux/arm/v7");
    }
}
