//! The docker config JSON and the image pull Secret, shaped exactly as
//! `kubectl create secret docker-registry` shapes them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::images::Registry;
use crate::render::{component_labels, metadata};

/// Annotation that records when the password in the Secret expires.
pub const EXPIRES_ANNOTATION: &str = "kubectl-uepe/password-expires-at";

#[derive(Serialize)]
struct AuthEntry<'a> {
    username: &'a str,
    password: &'a str,
    auth: String,
}

#[derive(Serialize)]
struct DockerConfig<'a> {
    auths: BTreeMap<String, AuthEntry<'a>>,
}

/// `{"auths":{"https://HOST":{"username":..,"password":..,"auth":..}}}`, compact,
/// field order as kubectl writes it.
pub fn docker_config_json(registry: &Registry, username: &str, password: &str) -> String {
    let entry = AuthEntry {
        username,
        password,
        auth: auth_of(username, password),
    };
    let config = DockerConfig {
        auths: BTreeMap::from([(registry.server(), entry)]),
    };
    // Strings only: serialization cannot fail.
    serde_json::to_string(&config).unwrap_or_default()
}

/// `{"auths":{"HOST":{"auth":..}}}`: the entry `docker login` writes into
/// `config.json`, keyed on the bare host as docker keys it.
pub fn docker_login_json(registry: &Registry, username: &str, password: &str) -> String {
    let entry = serde_json::json!({ "auth": auth_of(username, password) });
    serde_json::json!({ "auths": { registry.host.clone(): entry } }).to_string()
}

/// The `auth` member: base64 of `USER:PASSWORD`.
pub fn auth_of(username: &str, password: &str) -> String {
    B64.encode(format!("{username}:{password}"))
}

/// The docker config JSON as a printf format with two `%s`: the password,
/// then the `auth` value. Scripts fill it with the shell builtin so the
/// password is never an argument of a process.
pub fn docker_config_printf_format(registry: &Registry) -> String {
    docker_config_json(registry, "AWS", "%s").replace(&auth_of("AWS", "%s"), "%s")
}

/// What a pull Secret holds.
pub struct PullSecret<'a> {
    /// Secret name.
    pub name: &'a str,
    /// Registry it authenticates to.
    pub registry: &'a Registry,
    /// User name.
    pub username: &'a str,
    /// Password.
    pub password: &'a str,
    /// Password expiry, recorded as an annotation.
    pub expires_at: Option<&'a str>,
}

impl PullSecret<'_> {
    /// The `kubernetes.io/dockerconfigjson` Secret in `namespace`.
    pub fn secret(&self, namespace: &str) -> Value {
        let config = docker_config_json(self.registry, self.username, self.password);
        let mut meta = metadata(
            self.name,
            namespace,
            component_labels(self.name, "pull-secret"),
        );
        if let Some(t) = self.expires_at {
            meta["annotations"] = json!({ EXPIRES_ANNOTATION: t });
        }
        json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": meta,
            "type": "kubernetes.io/dockerconfigjson",
            "data": { ".dockerconfigjson": B64.encode(config) },
        })
    }
}
