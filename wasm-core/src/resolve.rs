//! Turns the raw inputs shared by several renderings (registry, namespaces,
//! secret name, region, output format) into checked values, recording a
//! field error for each bad one. Defaults are decided here and only here.

use crate::error::Checker;
use crate::images::Registry;
use crate::types::given;
use crate::validate;

/// Default pull secret name, as on the vendor's page.
pub const DEFAULT_SECRET_NAME: &str = "ecr-cred";
/// Default namespace, as on the vendor's page.
pub const DEFAULT_NAMESPACE: &str = "uepe";
/// Default refresher schedule: every 8 hours, 4 hours before expiry.
pub const DEFAULT_SCHEDULE: &str = "0 */8 * * *";
/// ECR's user name.
pub const DEFAULT_USERNAME: &str = "AWS";

/// The registry input, the vendor's when absent.
pub fn registry(c: &mut Checker, field: &str, v: &Option<String>) -> Option<Registry> {
    match given(v) {
        None => Some(Registry::vendor()),
        Some(r) => c
            .check(field, validate::registry(r))
            .map(|(host, path)| Registry { host, path }),
    }
}

/// Namespaces: entries split on commas, trimmed, de-duplicated in order.
pub fn namespaces(c: &mut Checker, v: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for ns in v.iter().flat_map(|e| e.split(',')).map(str::trim) {
        if ns.is_empty() {
            continue;
        }
        if let Some(ns) = c.check("namespace", validate::dns_label("namespace", ns))
            && !out.contains(&ns)
        {
            out.push(ns);
        }
    }
    if out.is_empty() && v.iter().all(|e| e.split(',').all(|s| s.trim().is_empty())) {
        out.push(DEFAULT_NAMESPACE.into());
    }
    out
}

/// The pull secret name, `ecr-cred` when absent.
pub fn secret_name(c: &mut Checker, v: &Option<String>) -> Option<String> {
    c.check(
        "name",
        validate::dns_subdomain("secret name", given(v).unwrap_or(DEFAULT_SECRET_NAME)),
    )
}

/// The AWS region: the one given, else the one in the ECR registry host.
pub fn region(c: &mut Checker, v: &Option<String>, registry: Option<&Registry>) -> Option<String> {
    match (given(v), registry) {
        (Some(r), _) => c.check("region", validate::region(r)),
        (None, Some(reg)) => match reg.ecr() {
            Some(ecr) => Some(ecr.region),
            None => {
                c.push(
                    "region",
                    format!(
                        "`{}` is not an ECR registry host, so the region cannot be taken from it: give --region",
                        reg.host
                    ),
                );
                None
            }
        },
        (None, None) => None,
    }
}

/// An output format among `allowed`, the first of them when absent.
pub fn output<'a>(c: &mut Checker, v: &Option<String>, allowed: &[&'a str]) -> Option<&'a str> {
    match given(v) {
        None => allowed.first().copied(),
        Some(o) => c.check("output", validate::one_of("output format", o, allowed)),
    }
}

/// A password or key: non-empty, one line, no surrounding blanks.
pub fn secret_text(c: &mut Checker, field: &str, what: &str, v: &str) -> Option<String> {
    let ok = !v.is_empty() && !v.chars().any(|ch| ch.is_control()) && v.trim() == v;
    if ok {
        Some(v.to_owned())
    } else if v.is_empty() {
        c.push(field, format!("the {what} is empty"));
        None
    } else {
        // Never echo the value: it is a secret.
        c.push(
            field,
            format!("the {what} has blanks at its ends or control characters; pass it exactly"),
        );
        None
    }
}

/// An RFC 3339 UTC timestamp (`2026-11-28T12:00:00Z`), checked by shape.
pub fn timestamp(c: &mut Checker, field: &str, v: &Option<String>) -> Option<String> {
    let t = given(v)?;
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let ok = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && (t.ends_with('Z') || t[19..].contains(['+', '-']));
    c.check(
        field,
        if ok {
            Ok(t.to_owned())
        } else {
            Err(format!(
                "`{t}` is not an RFC 3339 time such as 2026-11-28T20:00:00Z"
            ))
        },
    )
}
