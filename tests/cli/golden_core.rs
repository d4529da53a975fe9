//! The golden renderings of `images`, `secret create` and `commands`, asked
//! of the core in-process (`uepe_core::api`, no binary, no wasmtime): the
//! cheapest test of what the core prints. Each request is the one the CLI
//! command named beside it sends; `golden.rs` runs a few of those commands
//! through the binary against the same files, so the CLI's mapping from
//! flags to requests is held to the same bytes. `cronjob install` stays
//! there whole: its files include the plugin's own notes on stderr.

use serde_json::{Value, json};

use super::golden::{check_golden, report};
use super::{FAKE_PASSWORD, MIRROR};

/// (golden file, the CLI command, the core request it sends).
fn cases() -> Vec<(&'static str, &'static str, Value)> {
    let images = |version: &str, registry: Option<&str>, output: Option<&str>| json!({"render": "images", "version": version, "registry": registry, "output": output});
    let secret = |namespace: Value, output: Option<&str>| json!({"render": "pull-secret", "password": FAKE_PASSWORD, "namespace": namespace, "output": output});
    let several = json!(["uepe,uepe-test", "uepe-prod"]);
    let commands = |section: &str, more: Value| {
        let mut r = json!({"render": "commands", "section": section});
        if let (Some(r), Some(more)) = (r.as_object_mut(), more.as_object()) {
            r.extend(more.clone());
        }
        r
    };
    let mirror = |tool: Option<&str>| json!({"version": "4.3.0", "to": MIRROR, "tool": tool});
    vec![
        (
            "images/vendor.table",
            "images --version 4.3.0",
            images("4.3.0", None, None),
        ),
        (
            "images/vendor.json",
            "images --version 4.3.0 -o json",
            images("4.3.0", None, Some("json")),
        ),
        (
            "images/vendor.yaml",
            "images --version 4.3.0 -o yaml",
            images("4.3.0", None, Some("yaml")),
        ),
        (
            "images/vendor.name",
            "images --version 4.3.0 -o name",
            images("4.3.0", None, Some("name")),
        ),
        (
            "images/mirror.table",
            "images --registry MIRROR",
            images("4.3.0", Some(MIRROR), None),
        ),
        (
            "images/mirror.json",
            "images --registry MIRROR -o json",
            images("4.3.0", Some(MIRROR), Some("json")),
        ),
        (
            "images/mirror.yaml",
            "images --registry MIRROR -o yaml",
            images("4.3.0", Some(MIRROR), Some("yaml")),
        ),
        (
            "images/mirror.name",
            "images --registry MIRROR -o name",
            images("4.3.0", Some(MIRROR), Some("name")),
        ),
        (
            "images/mirror-host-only.name",
            "images --registry 127.0.0.1:5000 -o name",
            images("4.3.0", Some("127.0.0.1:5000"), Some("name")),
        ),
        (
            "images/single-arch.table",
            "images --version 3.0.2",
            images("3.0.2", None, None),
        ),
        (
            "images/single-arch.json",
            "images --version 3.0.2 -o json",
            images("3.0.2", None, Some("json")),
        ),
        (
            "images/v-prefix-components.table",
            "images --version v4.1.2 --components ec,ui",
            json!({"render": "images", "version": "v4.1.2", "components": ["ec", "ui"]}),
        ),
        ("secret/one.yaml", "secret create", secret(json!([]), None)),
        (
            "secret/one.json",
            "secret create -o json",
            secret(json!([]), Some("json")),
        ),
        (
            "secret/one.name",
            "secret create -o name",
            secret(json!([]), Some("name")),
        ),
        (
            "secret/several.yaml",
            "secret create -n uepe,uepe-test -n uepe-prod",
            secret(several.clone(), None),
        ),
        (
            "secret/several.json",
            "secret create -n ... -o json",
            secret(several.clone(), Some("json")),
        ),
        (
            "secret/several.name",
            "secret create -n ... -o name",
            secret(several, Some("name")),
        ),
        (
            "secret/mirror-name.yaml",
            "secret create --registry MIRROR --username AWS --name uepe-pull",
            json!({"render": "pull-secret", "password": FAKE_PASSWORD, "registry": MIRROR,
                   "username": "AWS", "name": "uepe-pull"}),
        ),
        ("commands/all.sh", "commands", commands("all", json!({}))),
        (
            "commands/all-mirror.sh",
            "commands all --version 4.3.0 --to MIRROR",
            commands("all", mirror(None)),
        ),
        (
            "commands/login.sh",
            "commands login",
            commands("login", json!({})),
        ),
        (
            "commands/login-other-registry.sh",
            "commands login --registry 123456789012.dkr.ecr.us-east-1.amazonaws.com",
            commands(
                "login",
                json!({"registry": "123456789012.dkr.ecr.us-east-1.amazonaws.com"}),
            ),
        ),
        (
            "commands/mirror.sh",
            "commands mirror --version 4.3.0 --to MIRROR",
            commands("mirror", mirror(None)),
        ),
        (
            "commands/mirror-skopeo.sh",
            "commands mirror ... --tool skopeo",
            commands("mirror", mirror(Some("skopeo"))),
        ),
        (
            "commands/mirror-crane.sh",
            "commands mirror ... --tool crane",
            commands("mirror", mirror(Some("crane"))),
        ),
        (
            "commands/mirror-components.sh",
            "commands mirror ... --tool skopeo --components ec,ui",
            commands(
                "mirror",
                json!({"version": "4.3.0", "to": MIRROR, "tool": "skopeo", "components": ["ec", "ui"]}),
            ),
        ),
        (
            "commands/mirror-docker.sh",
            "commands mirror ... --tool docker",
            commands("mirror", mirror(Some("docker"))),
        ),
        (
            "commands/mirror-docker-single-arch.sh",
            "commands mirror --version 3.0.2 --to 127.0.0.1:5000 --tool docker",
            commands(
                "mirror",
                json!({"version": "3.0.2", "to": "127.0.0.1:5000", "tool": "docker"}),
            ),
        ),
        (
            "commands/secret.sh",
            "commands secret",
            commands("secret", json!({})),
        ),
        (
            "commands/secret-several.sh",
            "commands secret -n uepe,uepe-test --name uepe-pull",
            commands(
                "secret",
                json!({"namespace": ["uepe,uepe-test"], "name": "uepe-pull"}),
            ),
        ),
        (
            "commands/credentials.sh",
            "commands credentials",
            commands("credentials", json!({})),
        ),
        (
            "commands/credentials-several.sh",
            "commands credentials -n uepe,uepe-test",
            commands("credentials", json!({"namespace": ["uepe,uepe-test"]})),
        ),
        (
            "commands/credentials-plugin.sh",
            "commands credentials --runner plugin",
            commands("credentials", json!({"runner": "plugin"})),
        ),
        (
            "commands/credentials-external-secrets.sh",
            "commands credentials --runner external-secrets -n uepe,uepe-test",
            commands(
                "credentials",
                json!({"runner": "external-secrets", "namespace": ["uepe,uepe-test"]}),
            ),
        ),
        (
            "commands/credentials-irsa.sh",
            "commands credentials --role-arn ROLE",
            commands("credentials", json!({"role-arn": super::ROLE})),
        ),
    ]
}

/// The golden files these cases produce.
pub(super) fn files() -> Vec<&'static str> {
    cases().into_iter().map(|(file, ..)| file).collect()
}

#[test]
fn golden_renderings_of_the_core_in_process() {
    let mut complaints = Vec::new();
    for (file, cli, request) in cases() {
        let complaint = match uepe_core::json::call(&request) {
            Ok(Value::String(text)) => check_golden(file, Some(&text)),
            Ok(other) => Some(format!("not a text answer: {other}")),
            Err(errors) => Some(format!("refused: {errors:?}")),
        };
        complaints.extend(complaint.map(|c| format!("{cli} ({request})\n{c}")));
    }
    report(&complaints);
}
