//! Where a registry's API is and how to speak to it, decided from its host
//! alone: whether the host is this machine, the schemes to try (plain HTTP
//! only for loopback or `--insecure`) and the API host (Docker Hub's is not
//! its name). Pure; `client.rs` tries them.

use std::net::IpAddr;

/// Whether `host` (`NAME[:PORT]`, `[V6]:PORT`) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The schemes to try, in order: HTTPS only, unless `--insecure` allows
/// plain HTTP after it (as docker does) or the registry is on loopback,
/// where plain HTTP is the common case and is tried first (the first
/// request carries no credentials).
pub fn schemes(host: &str, insecure: bool) -> &'static [&'static str] {
    if is_loopback(host) {
        &["http", "https"]
    } else if insecure {
        &["https", "http"]
    } else {
        &["https"]
    }
}

/// The host the registry API is served from (Docker Hub's differs from its name).
pub fn api_host(host: &str) -> &str {
    match host {
        "docker.io" | "index.docker.io" => "registry-1.docker.io",
        h => h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_or_insecure() {
        for h in [
            "127.0.0.1:5000",
            "localhost:5000",
            "[::1]:5000",
            "127.8.9.1",
            "a.localhost",
        ] {
            assert!(is_loopback(h), "{h}");
            assert_eq!(schemes(h, false), ["http", "https"]);
        }
        for h in [
            "registry.example.com",
            "10.0.0.1:5000",
            "[fe80::1]:5000",
            "localhost.example.com",
        ] {
            assert!(!is_loopback(h), "{h}");
            assert_eq!(schemes(h, false), ["https"]);
        }
        assert_eq!(schemes("registry.example.com", true), ["https", "http"]);
        assert_eq!(api_host("docker.io"), "registry-1.docker.io");
    }
}
