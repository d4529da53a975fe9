//! Syntax checks for every input the core accepts. Each function returns the
//! value in its canonical form or a message that says what is wrong and what
//! a valid value looks like; `error::Checker` attaches the field name.

/// A UEPE version: `MAJOR.MINOR.PATCH`, digits only (the tag suffixes
/// `-ec`, `-operator`, `-ui` are added by the core, never typed).
pub fn version(v: &str) -> Result<Version, String> {
    let v = v.trim();
    if v.is_empty() {
        return Err("a UEPE version is required, for example 4.3.0".into());
    }
    let bare = v.strip_prefix('v').unwrap_or(v);
    for suffix in ["-ec", "-operator", "-ui"] {
        if bare.ends_with(suffix) {
            return Err(format!(
                "give the version without the image suffix `{suffix}`: the four images are derived from it"
            ));
        }
    }
    let parts: Vec<&str> = bare.split('.').collect();
    let numbers: Option<Vec<u32>> = parts
        .iter()
        .map(|p| {
            // Digits only, at most six, no leading zero.
            let ok = !p.is_empty()
                && p.len() <= 6
                && p.bytes().all(|b| b.is_ascii_digit())
                && !(p.len() > 1 && p.starts_with('0'));
            if ok { p.parse().ok() } else { None }
        })
        .collect();
    match (parts.len(), numbers) {
        (3, Some(n)) => Ok(Version {
            major: n[0],
            minor: n[1],
            patch: n[2],
        }),
        _ => Err(format!(
            "`{v}` is not a UEPE version: expected MAJOR.MINOR.PATCH such as 4.3.0"
        )),
    }
}

/// A parsed UEPE version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    /// Major version.
    pub major: u32,
    /// Minor version.
    pub minor: u32,
    /// Patch version.
    pub patch: u32,
}

impl Version {
    /// Images are amd64 + arm64 since UEPE 3.1.
    pub fn is_multi_arch(self) -> bool {
        (self.major, self.minor) >= (3, 1)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// A DNS-1123 label (namespaces): at most 63 lowercase letters, digits and
/// `-`, starting and ending with a letter or digit.
pub fn dns_label(what: &str, v: &str) -> Result<String, String> {
    let ok = !v.is_empty()
        && v.len() <= 63
        && v.bytes().all(|b| is_lower_alnum(b) || b == b'-')
        && v.bytes().next().is_some_and(is_lower_alnum)
        && v.bytes().last().is_some_and(is_lower_alnum);
    if ok {
        Ok(v.to_owned())
    } else if v.is_empty() {
        Err(format!("a {what} is required"))
    } else if v.len() > 63 {
        Err(format!(
            "`{v}` is not a valid {what}: at most 63 characters (it has {})",
            v.len()
        ))
    } else {
        Err(format!(
            "`{v}` is not a valid {what}: use lowercase letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)"
        ))
    }
}

/// A DNS-1123 subdomain (object names): at most 253 characters, dot-separated
/// labels of lowercase letters, digits and `-`.
pub fn dns_subdomain(what: &str, v: &str) -> Result<String, String> {
    let labels_ok = v.split('.').all(|l| {
        !l.is_empty()
            && l.bytes().all(|b| is_lower_alnum(b) || b == b'-')
            && l.bytes().next().is_some_and(is_lower_alnum)
            && l.bytes().last().is_some_and(is_lower_alnum)
    });
    if v.is_empty() {
        Err(format!("a {what} is required"))
    } else if v.len() > 253 {
        Err(format!(
            "`{v}` is not a valid {what}: at most 253 characters"
        ))
    } else if !labels_ok {
        Err(format!(
            "`{v}` is not a valid {what}: use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (DNS-1123 subdomain)"
        ))
    } else {
        Ok(v.to_owned())
    }
}

/// An object name that other names are derived from (`NAME-refresher`,
/// `NAME-refresher-aws`): a DNS-1123 label short enough to take the suffix.
pub fn base_name(v: &str, longest_suffix: usize) -> Result<String, String> {
    let name = dns_label("secret name", v)?;
    if name.len() + longest_suffix > 52 {
        return Err(format!(
            "`{v}` is too long: the CronJob named after it must stay within 52 characters, so at most {} here",
            52 - longest_suffix
        ));
    }
    Ok(name)
}

/// An AWS region such as `eu-west-1`, `us-gov-west-1` or `cn-north-1`.
pub fn region(v: &str) -> Result<String, String> {
    let parts: Vec<&str> = v.split('-').collect();
    let ok = parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].bytes().all(|b| b.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts.last().is_some_and(|p| {
            !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit())
        });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(format!(
            "`{v}` is not an AWS region: expected a name such as eu-west-1, us-gov-west-1 or cn-north-1"
        ))
    }
}

/// A 12-digit AWS account ID.
pub fn account(v: &str) -> Result<String, String> {
    if v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_owned())
    } else {
        Err(format!(
            "`{v}` is not an AWS account ID: expected 12 digits"
        ))
    }
}

/// An ECR repository name: 2 to 256 characters, `/`-separated components of
/// lowercase letters and digits joined by single `.`, `_` or `-` (ECR's rule
/// is stricter than the distribution spec's, which allows `__` and `--`).
pub fn ecr_repository(v: &str) -> Result<String, String> {
    let component_ok = |c: &str| {
        !c.is_empty()
            && c.split(['.', '_', '-']).all(|run| {
                !run.is_empty()
                    && run
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    };
    if (2..=256).contains(&v.len()) && v.split('/').all(component_ok) {
        Ok(v.to_owned())
    } else {
        Err(format!(
            "`{v}` is not an ECR repository name: 2 to 256 characters, lowercase letters and digits in `/`-separated parts, joined by single '.', '_' or '-'"
        ))
    }
}

/// An IAM role ARN for IRSA: `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`.
pub fn role_arn(v: &str) -> Result<String, String> {
    let bad = |why: &str| {
        Err(format!(
            "`{v}` is not an IAM role ARN ({why}): expected arn:aws:iam::123456789012:role/NAME"
        ))
    };
    let parts: Vec<&str> = v.splitn(6, ':').collect();
    if parts.len() != 6 || parts[0] != "arn" {
        return bad("it must have six ':'-separated parts starting with `arn`");
    }
    if !matches!(parts[1], "aws" | "aws-cn" | "aws-us-gov") {
        return bad("unknown partition");
    }
    if parts[2] != "iam" {
        return bad("the service must be `iam`");
    }
    if !parts[3].is_empty() {
        return bad("IAM ARNs have no region");
    }
    if account(parts[4]).is_err() {
        return bad("the account must be 12 digits");
    }
    let Some(name) = parts[5].strip_prefix("role/") else {
        return bad("the resource must start with `role/`");
    };
    let role_name = name.rsplit('/').next().unwrap_or_default();
    let chars_ok = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
    if role_name.is_empty() || role_name.len() > 64 || !chars_ok {
        return bad("the role name must be 1-64 of letters, digits and +=,.@_-");
    }
    Ok(v.to_owned())
}

/// A container image reference `[HOST[:PORT]/]PATH[:TAG][@sha256:DIGEST]`.
pub fn image(v: &str) -> Result<String, String> {
    let bad = |why: &str| Err(format!("`{v}` is not an image reference: {why}"));
    if v.is_empty() {
        return bad("it is empty");
    }
    if v.contains("://") {
        return bad("drop the scheme (`https://`)");
    }
    let (rest, digest) = match v.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (v, None),
    };
    if let Some(d) = digest {
        let hex = d.strip_prefix("sha256:").unwrap_or("");
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return bad("a digest must be sha256: followed by 64 lowercase hex digits");
        }
    }
    // A tag is after the last ':' that follows the last '/'.
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    if let Some(t) = tag {
        let ok = !t.is_empty()
            && t.len() <= 128
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
            && !t.starts_with(['.', '-']);
        if !ok {
            return bad("a tag is 1-128 letters, digits, '_', '.' and '-'");
        }
        if t == "latest" && digest.is_none() {
            return bad("pin a version tag or a digest rather than `latest`");
        }
    } else if digest.is_none() {
        return bad("pin a version tag (`:TAG`) or a digest (`@sha256:...`)");
    }
    registry_path(name).map_err(|m| format!("`{v}` is not an image reference: {m}"))?;
    Ok(v.to_owned())
}

/// The path part of a registry or image name: `/`-separated components of
/// lowercase letters and digits joined by `.`, `_`, `__` or `-`.
fn registry_path(name: &str) -> Result<(), String> {
    let mut parts = name.split('/');
    let first = parts.next().unwrap_or_default();
    let first_is_host = first.contains(['.', ':']) || first == "localhost";
    if first_is_host {
        host(first)?;
    } else {
        path_component(first)?;
    }
    parts.try_for_each(path_component)
}

fn path_component(c: &str) -> Result<(), String> {
    let ok = !c.is_empty()
        && c.bytes().all(|b| is_lower_alnum(b) || b"._-".contains(&b))
        && c.bytes().next().is_some_and(is_lower_alnum)
        && c.bytes().last().is_some_and(is_lower_alnum)
        && !c.contains("..")
        && !c.contains("--.");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "path component `{c}` must be lowercase letters and digits, separated by '.', '_' or '-'"
        ))
    }
}

/// A registry host: a DNS name, IPv4 address or `[IPv6]`, optional `:PORT`.
pub fn host(h: &str) -> Result<(), String> {
    let (name, port) = if let Some(rest) = h.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip6, tail)) => {
                if ip6.is_empty() || !ip6.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
                    return Err(format!("`{h}` is not a valid IPv6 host"));
                }
                (None, tail.strip_prefix(':'))
            }
            None => return Err(format!("`{h}` opens '[' without ']'")),
        }
    } else {
        match h.rsplit_once(':') {
            Some((n, p)) => (Some(n), Some(p)),
            None => (Some(h), None),
        }
    };
    if let Some(p) = port
        && (p.is_empty()
            || p.len() > 5
            || !p.bytes().all(|b| b.is_ascii_digit())
            || p.parse::<u32>().map_or(true, |n| n == 0 || n > 65535))
    {
        return Err(format!("`{h}` has an invalid port"));
    }
    if let Some(n) = name {
        let labels_ok = n.len() <= 253
            && n.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            });
        if !labels_ok {
            return Err(format!("`{h}` is not a valid host name"));
        }
    }
    Ok(())
}

/// A registry `HOST[:PORT][/PATH]` with no scheme, tag or digest. Returns
/// (host, path) with the trailing slash dropped.
pub fn registry(v: &str) -> Result<(String, String), String> {
    let trimmed = v.trim_end_matches('/');
    if trimmed.is_empty() {
        return Err("a registry is required, as HOST[:PORT][/PATH]".into());
    }
    if trimmed.contains("://") {
        return Err(format!(
            "`{v}` is not a registry: drop the scheme and give HOST[:PORT][/PATH]"
        ));
    }
    if trimmed.contains('@')
        || trimmed
            .rsplit('/')
            .next()
            .is_some_and(|l| l.contains(':') && trimmed.contains('/'))
    {
        return Err(format!(
            "`{v}` is not a registry: give HOST[:PORT][/PATH] without a tag or digest"
        ));
    }
    let (h, path) = trimmed.split_once('/').unwrap_or((trimmed, ""));
    host(h).map_err(|m| format!("`{v}` is not a registry: {m}"))?;
    if h.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "`{v}` is not a registry: write the host in lowercase"
        ));
    }
    if !path.is_empty() {
        path.split('/')
            .try_for_each(path_component)
            .map_err(|m| format!("`{v}` is not a registry: {m}"))?;
    }
    Ok((h.to_owned(), path.to_owned()))
}

/// One of the accepted values of a choice input.
pub fn one_of<'a>(what: &str, v: &str, choices: &[&'a str]) -> Result<&'a str, String> {
    choices.iter().copied().find(|c| *c == v).ok_or_else(|| {
        format!(
            "`{v}` is not a valid {what}: choose one of {}",
            choices.join(", ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(version("4.3.0").map(|v| v.to_string()), Ok("4.3.0".into()));
        assert_eq!(version("v3.1.0").map(|v| v.is_multi_arch()), Ok(true));
        assert_eq!(version("3.0.9").map(|v| v.is_multi_arch()), Ok(false));
        for bad in [
            "", "4", "4.3", "4.3.0.1", "4.03.0", "4.3.0-ec", "latest", "4.x.0", " ",
        ] {
            assert!(version(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn ecr_repositories() {
        assert!(ecr_repository("team/usage-engine-private-edition").is_ok());
        assert!(ecr_repository("a.b_c-d/e1").is_ok());
        for bad in [
            "", "a", "team//x", "/x", "x/", "Team/x", "a--b", "a__b", "a.-b", "-a",
        ] {
            assert!(ecr_repository(bad).is_err(), "{bad} accepted");
        }
        assert!(ecr_repository(&"a".repeat(257)).is_err());
    }

    #[test]
    fn registries() {
        assert_eq!(
            registry("registry.example.com:5000/team/uepe/"),
            Ok(("registry.example.com:5000".into(), "team/uepe".into()))
        );
        assert!(registry("127.0.0.1:5000").is_ok());
        assert!(registry("[::1]:5000/x").is_ok());
        for bad in [
            "https://x.io",
            "x.io/UEPE",
            "x.io/a:1",
            "x.io:99999",
            "x..io",
            "-x.io",
            "X.io",
            "x.io/a//b",
            "x.io@sha256:aa",
        ] {
            assert!(registry(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn images() {
        assert!(image("public.ecr.aws/aws-cli/aws-cli:2.27.0").is_ok());
        assert!(image("registry.k8s.io/kubectl:v1.34.0").is_ok());
        assert!(image(&format!("x.io/y@sha256:{}", "a".repeat(64))).is_ok());
        for bad in [
            "x.io/y",
            "x.io/y:latest",
            "x.io/Y:1",
            "x.io/y@sha256:zz",
            "https://x.io/y:1",
            "",
        ] {
            assert!(image(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn arns_regions() {
        assert!(role_arn("arn:aws:iam::123456789012:role/ecr-reader").is_ok());
        assert!(role_arn("arn:aws-us-gov:iam::123456789012:role/path/x").is_ok());
        for bad in [
            "arn:aws:iam::12345:role/x",
            "arn:aws:s3:::b",
            "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam:eu-west-1:123456789012:role/x",
            "role/x",
        ] {
            assert!(role_arn(bad).is_err(), "{bad:?} accepted");
        }
        for good in [
            "eu-west-1",
            "us-gov-west-1",
            "cn-north-1",
            "ap-southeast-3",
            "us-isob-east-1",
        ] {
            assert!(region(good).is_ok(), "{good}");
        }
        for bad in ["eu-west", "EU-WEST-1", "euwest1", "e-west-1", "eu-west-123"] {
            assert!(region(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names() {
        assert!(dns_label("namespace", "uepe-prod").is_ok());
        assert!(dns_label("namespace", &"a".repeat(64)).is_err());
        assert!(dns_label("namespace", "Uepe").is_err());
        assert!(dns_label("namespace", "uepe-").is_err());
        assert!(dns_subdomain("name", "ecr.cred").is_ok());
        assert!(dns_subdomain("name", "ecr..cred").is_err());
    }
}
