//! Which children of an image index to copy, as the core decided it
//! (`platforms`, `wasm-core/src/platform.rs`: what `--platform` accepts,
//! normalisation, which variants match). Here only the mechanics:
//! comparing an index entry with the core's answer.

use std::fmt;

use crate::core::types as core;

/// The platform an index entry names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Platform {
    /// `linux`, `windows`, ...
    pub os: String,
    /// `amd64`, `arm64`, ...
    pub arch: String,
    /// `v8`, `v7`, ...
    pub variant: Option<String>,
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

/// What `--platform` asks for, as the core decided it: every child of the
/// index, or only these platforms (a new index is written for them).
pub type Filter = core::PlatformChoice;

impl core::Platform {
    /// Whether an index entry for `p` is this platform.
    pub fn matches(&self, p: &Platform) -> bool {
        self.os == p.os
            && self.architecture == p.arch
            && self
                .variants
                .as_ref()
                .is_none_or(|list| list.contains(&p.variant))
    }
}

impl fmt::Display for core::Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
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

    /// The core's own answer (the embedded component).
    fn core(values: &[&str]) -> Filter {
        crate::core::Core::load()
            .expect("core")
            .platforms(&crate::core::PlatformsRequest {
                platform: values.iter().map(|v| (*v).to_owned()).collect(),
            })
            .expect("core accepts")
    }

    #[test]
    fn reads_the_core_answer_and_compares_entries() {
        assert_eq!(core(&[]), Filter::All);
        assert_eq!(core(&["all"]), Filter::All);
        let Filter::Only(list) = core(&["linux/aarch64/8", "linux/amd64"]) else {
            panic!("not a list");
        };
        let (arm64, amd64) = (&list[0], &list[1]);
        assert!(arm64.matches(&p("linux", "arm64", Some("v8"))));
        assert!(arm64.matches(&p("linux", "arm64", None)));
        assert!(!arm64.matches(&p("linux", "arm64", Some("v9"))));
        assert!(!arm64.matches(&p("windows", "arm64", Some("v8"))));
        assert!(amd64.matches(&p("linux", "amd64", Some("v3"))));
        assert!(!amd64.matches(&p("linux", "arm64", None)));
        assert_eq!(arm64.to_string(), "linux/arm64/v8");
        assert_eq!(p("linux", "arm", Some("v7")).to_string(), "linux/arm/v7");
    }
}
