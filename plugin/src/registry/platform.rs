//! Which children of an image index to copy, as the core decided it
//! (`render: platforms`, `wasm-core/src/platform.rs`: what `--platform`
//! accepts, normalisation, which variants match). Here only the mechanics:
//! reading the core's answer and comparing an index entry with it.

use serde::Deserialize;
use std::fmt;

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

/// One platform asked for, as the core normalised it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wanted {
    /// `os/arch[/variant]`, for messages.
    pub name: String,
    /// The entry's `os`.
    pub os: String,
    /// The entry's `architecture`.
    pub architecture: String,
    /// The entry's `variant` must be one of these (`None`: names none);
    /// absent: any variant.
    #[serde(default)]
    pub variants: Option<Vec<Option<String>>>,
}

impl Wanted {
    /// Whether an index entry for `p` is one of these.
    pub fn matches(&self, p: &Platform) -> bool {
        self.os == p.os
            && self.architecture == p.arch
            && self
                .variants
                .as_ref()
                .is_none_or(|list| list.contains(&p.variant))
    }
}

impl fmt::Display for Wanted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// What `--platform` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Every child of the index (the default).
    All,
    /// Only these platforms: a new index is written for them.
    Only(Vec<Wanted>),
}

/// The core's answer: `{"platforms": "all"}` or `{"platforms": [...]}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    platforms: Platforms,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Platforms {
    Keyword(String),
    List(Vec<Wanted>),
}

/// Reads the core's `platforms` answer.
pub fn from_core(json: &str) -> Result<Filter, String> {
    let answer: Answer = serde_json::from_str(json).map_err(|e| e.to_string())?;
    match answer.platforms {
        Platforms::Keyword(k) if k == "all" => Ok(Filter::All),
        Platforms::Keyword(k) => Err(format!("unknown keyword `{k}`")),
        Platforms::List(list) => Ok(Filter::Only(list)),
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

    /// The core's own answer (the pure crate, as the component runs it).
    fn core(values: &[&str]) -> Filter {
        let answer = uepe_core::render(
            &serde_json::json!({"render": "platforms", "platform": values}).to_string(),
        )
        .expect("core accepts");
        from_core(&answer).expect("answer read")
    }

    #[test]
    fn reads_the_core_answer_and_compares_entries() {
        assert_eq!(core(&[]), Filter::All);
        assert_eq!(core(&["all"]), Filter::All);
        assert!(from_core(r#"{"platforms": "some"}"#).is_err());
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
