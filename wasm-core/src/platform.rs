//! `--platform all|os/arch[/variant],...`: which children of an image index
//! a mirror copies. Every rule of the flag lives here and only here — what is
//! accepted, how a platform is normalised, and which index entries each one
//! matches — and goes out as data (the `platforms` function), so the plugin's
//! matching is a plain comparison. Normalisation follows containerd's
//! `platforms.Normalize`, the rule registries and runtimes agree on.

/// What completion offers for `--platform`: every value, then the two
/// architectures UEPE images carry since 3.1 (any `os/arch` is accepted).
pub const KNOWN: [&str; 3] = ["all", "linux/amd64", "linux/arm64"];

pub use crate::types::{Platform, PlatformChoice as Choice};

/// Spellings of an architecture that name another (as `uname -m` prints them).
fn architecture(arch: &str) -> &str {
    match arch {
        "x86_64" | "x86-64" => "amd64",
        "aarch64" => "arm64",
        "i386" => "386",
        other => other,
    }
}

/// The variant an entry without one stands for, per architecture (containerd:
/// an `arm64` entry is `v8`, `amd64` is `v1`, `arm` is `v7`).
fn implied_variant(arch: &str) -> Option<&'static str> {
    match arch {
        "arm64" => Some("v8"),
        "amd64" => Some("v1"),
        "arm" => Some("v7"),
        _ => None,
    }
}

fn lower_alnum(p: &str) -> bool {
    !p.is_empty()
        && p.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn one(item: &str) -> Result<Platform, String> {
    let bad = || {
        format!(
            "`{item}` is not a platform: give os/arch[/variant] in lowercase, such as linux/arm64, or all"
        )
    };
    let parts: Vec<&str> = item.split('/').collect();
    let (os, arch, variant) = match parts.as_slice() {
        [os, arch] => (*os, architecture(arch), None),
        [os, arch, v] => (*os, architecture(arch), Some(*v)),
        _ => return Err(bad()),
    };
    if !lower_alnum(os) || !lower_alnum(arch) || !variant.is_none_or(lower_alnum) {
        return Err(bad());
    }
    // A bare number is how people write an ARM variant (`linux/arm/7`).
    let variant = variant.map(|v| {
        if v.bytes().all(|b| b.is_ascii_digit()) {
            format!("v{v}")
        } else {
            v.to_owned()
        }
    });
    let name = match &variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    };
    let variants = variant.map(|v| {
        let mut list = vec![Some(v.clone())];
        if implied_variant(arch) == Some(v.as_str()) {
            list.push(None);
        }
        list
    });
    Ok(Platform {
        name,
        os: os.to_owned(),
        architecture: arch.to_owned(),
        variants,
    })
}

/// Reads the `--platform` values (each may hold a comma-separated list).
pub fn choice(values: &[String]) -> Result<Choice, String> {
    let items: Vec<&str> = values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.iter().all(|i| *i == "all") {
        return Ok(Choice::All);
    }
    if items.contains(&"all") {
        return Err("`all` cannot be combined with other platforms".into());
    }
    let mut out: Vec<Platform> = Vec::new();
    for item in items {
        let p = one(item)?;
        if !out.contains(&p) {
            out.push(p);
        }
    }
    Ok(Choice::Only(out))
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn only(values: &[&str]) -> Vec<Platform> {
        let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        match choice(&values) {
            Ok(Choice::Only(list)) => list,
            other => panic!("{values:?}: {other:?}"),
        }
    }

    fn names(values: &[&str]) -> Vec<String> {
        only(values).into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn all_is_the_default_and_stands_alone() {
        assert_eq!(choice(&[]), Ok(Choice::All));
        assert_eq!(choice(&["all".into()]), Ok(Choice::All));
        assert_eq!(choice(&[" all ".into(), "".into()]), Ok(Choice::All));
        assert_eq!(
            choice(&["all,linux/amd64".into()]),
            Err("`all` cannot be combined with other platforms".into())
        );
    }

    #[test]
    fn lists_split_trim_and_drop_duplicates_in_order() {
        assert_eq!(
            names(&["linux/arm64, linux/amd64", "linux/arm64"]),
            ["linux/arm64", "linux/amd64"]
        );
        // Duplicates after normalisation too.
        assert_eq!(
            names(&["linux/aarch64,linux/arm64", "linux/x86_64"]),
            ["linux/arm64", "linux/amd64"]
        );
        assert_eq!(names(&["linux/arm/7,linux/arm/v7"]), ["linux/arm/v7"]);
    }

    #[test]
    fn rejects_what_is_not_os_arch_variant() {
        for bad in [
            "linux",
            "Linux/amd64",
            "linux/AMD64",
            "linux/amd64/v1/x",
            "linux//x",
            "linux/arm64/",
            "/amd64",
            "linux/amd 64",
        ] {
            let err = choice(&[bad.into()]).expect_err(bad);
            assert_eq!(
                err,
                format!(
                    "`{bad}` is not a platform: give os/arch[/variant] in lowercase, such as linux/arm64, or all"
                )
            );
        }
    }

    #[test]
    fn variants_match_as_containerd_normalises_them() {
        let p = |v: &str| only(&[v]).remove(0);
        // No variant asked: any entry of that os and architecture.
        assert_eq!(p("linux/arm64").variants, None);
        // The implied variant also matches an entry that names none.
        assert_eq!(
            p("linux/arm64/v8").variants,
            Some(vec![Some("v8".into()), None])
        );
        assert_eq!(
            p("linux/amd64/v1").variants,
            Some(vec![Some("v1".into()), None])
        );
        assert_eq!(
            p("linux/arm/v7").variants,
            Some(vec![Some("v7".into()), None])
        );
        // Any other variant only matches itself.
        assert_eq!(p("linux/arm/v6").variants, Some(vec![Some("v6".into())]));
        assert_eq!(p("linux/arm64/v9").variants, Some(vec![Some("v9".into())]));
        assert_eq!(p("linux/amd64/v3").variants, Some(vec![Some("v3".into())]));
        let w = p("windows/x86-64");
        assert_eq!(
            (w.name.as_str(), w.os.as_str(), w.architecture.as_str()),
            ("windows/amd64", "windows", "amd64")
        );
    }
}
