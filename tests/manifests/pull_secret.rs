//! The pull Secret as kubectl makes it, and the comparison of ours with it
//! that never shows a value.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

use super::cases::{NAME, PASSWORD, redact};

/// Standard base64 with padding, as Kubernetes writes Secret data.
pub(super) fn b64decode(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().take_while(|&c| c != b'=') {
        let v = ALPHABET
            .iter()
            .position(|&a| a == c)
            .unwrap_or_else(|| panic!("not base64: byte {c}")) as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

pub(super) fn b64encode(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A Secret's `.dockerconfigjson`, decoded and parsed.
pub(super) fn docker_config(secret: &Value) -> Value {
    let data = secret["data"][".dockerconfigjson"]
        .as_str()
        .expect("the pull Secret has data.\".dockerconfigjson\"");
    serde_json::from_slice(&b64decode(data)).expect("the .dockerconfigjson is JSON")
}

/// What `kubectl create secret docker-registry` makes for `server` in `ns`.
pub(super) fn kubectl_secret(kubectl: &Path, server: &str, ns: &str) -> Value {
    // The password is fake, so it may sit on kubectl's command line here.
    let out = Command::new(kubectl)
        .args(["create", "secret", "docker-registry", NAME])
        .arg(format!("--docker-server={server}"))
        .args([
            "--docker-username=AWS",
            &format!("--docker-password={PASSWORD}"),
        ])
        .args(["-n", ns, "--dry-run=client", "-o", "json"])
        .env("KUBECONFIG", "/dev/null")
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "kubectl create secret docker-registry failed: {}",
        redact(&String::from_utf8_lossy(&out.stderr))
    );
    serde_json::from_slice(&out.stdout).expect("kubectl printed JSON")
}

/// Asserts that the pull Secrets among `objects` are kubectl's, one per
/// namespace of `namespaces`. Messages name fields, never values.
#[track_caller]
pub(super) fn assert_pull_secrets(
    what: &str,
    objects: &[Value],
    namespaces: &[String],
    server: &str,
    kubectl: &Path,
) {
    let secrets: Vec<&Value> = objects
        .iter()
        .filter(|o| o["kind"] == "Secret" && o["type"] == "kubernetes.io/dockerconfigjson")
        .collect();
    let got: Vec<&str> = secrets
        .iter()
        .filter_map(|s| s["metadata"]["namespace"].as_str())
        .collect();
    assert_eq!(got, namespaces, "{what}: namespaces of the pull Secrets");
    for s in secrets {
        let ns = s["metadata"]["namespace"].as_str().unwrap_or_default();
        let want = kubectl_secret(kubectl, server, ns);
        assert_eq!(
            s["metadata"]["name"], want["metadata"]["name"],
            "{what}: name"
        );
        assert_eq!(s["type"], want["type"], "{what}: type");
        assert_eq!(
            s["data"].as_object().map(|d| d.keys().collect::<Vec<_>>()),
            want["data"]
                .as_object()
                .map(|d| d.keys().collect::<Vec<_>>()),
            "{what}: data keys"
        );
        let (ours, theirs) = (docker_config(s), docker_config(&want));
        // Compare first by shape so a failure says where, without values.
        assert_eq!(
            ours["auths"]
                .as_object()
                .map(|a| a.keys().collect::<Vec<_>>()),
            Some(vec![&server.to_owned()]),
            "{what}: in {ns}, the .dockerconfigjson is keyed on another server"
        );
        assert!(
            ours == theirs,
            "{what}: in {ns}, the .dockerconfigjson differs from kubectl's (values not shown)"
        );
    }
}
