//! The `external-secrets` runner: for clusters that run External Secrets
//! Operator, an `ECRAuthorizationToken` generator and an `ExternalSecret`
//! whose template writes the `.dockerconfigjson` itself, in each namespace.

use serde_json::{Value, json};

use crate::render::component_labels;
use crate::render::refresher::Refresher;

/// API version of the ExternalSecret.
pub const EXTERNAL_SECRET_API: &str = "external-secrets.io/v1";
/// API version of the generator.
pub const GENERATOR_API: &str = "generators.external-secrets.io/v1alpha1";

/// What serves the runner's CRDs.
pub const PROVIDER: &str = "External Secrets Operator";
/// What to do when the cluster lacks them.
pub const INSTALL: &str = "install it (helm install external-secrets external-secrets/external-secrets -n external-secrets --create-namespace)";

/// Credentials Secret, generator and ExternalSecret per namespace.
pub fn objects(r: &Refresher<'_>) -> Vec<Value> {
    let mut out = Vec::new();
    let labels = component_labels(r.secret_name, "refresher");
    for ns in r.namespaces {
        let auth = match r.role_arn {
            Some(_) => {
                out.push(r.service_account(ns));
                json!({ "jwt": { "serviceAccountRef": { "name": r.name() } } })
            }
            None => {
                if let Some(keys) = r.credentials {
                    let mut data = serde_json::Map::new();
                    data.insert("access-key-id".into(), b64(&keys.access_key_id));
                    data.insert("secret-access-key".into(), b64(&keys.secret_access_key));
                    if let Some(t) = keys.session_token.as_deref().filter(|t| !t.is_empty()) {
                        data.insert("session-token".into(), b64(t));
                    }
                    out.push(json!({
                        "apiVersion": "v1",
                        "kind": "Secret",
                        "metadata": { "name": r.credentials_secret(), "namespace": ns, "labels": labels },
                        "type": "Opaque",
                        "data": data,
                    }));
                }
                let key = |k: &str| json!({ "name": r.credentials_secret(), "key": k });
                let mut secret_ref = json!({
                    "accessKeyIDSecretRef": key("access-key-id"),
                    "secretAccessKeySecretRef": key("secret-access-key"),
                });
                if r.credentials
                    .and_then(|k| k.session_token.as_deref())
                    .is_some_and(|t| !t.is_empty())
                {
                    secret_ref["sessionTokenSecretRef"] = key("session-token");
                }
                json!({ "secretRef": secret_ref })
            }
        };
        out.push(json!({
            "apiVersion": GENERATOR_API,
            "kind": "ECRAuthorizationToken",
            "metadata": { "name": r.name(), "namespace": ns, "labels": labels },
            "spec": { "region": r.region, "auth": auth },
        }));
        out.push(json!({
            "apiVersion": EXTERNAL_SECRET_API,
            "kind": "ExternalSecret",
            "metadata": { "name": r.name(), "namespace": ns, "labels": labels },
            "spec": {
                "refreshInterval": crate::cron::human_gap(r.schedule.max_gap_minutes),
                // Orphan: no owner reference, so removing the ExternalSecret
                // (uninstall) keeps the pull Secret, as for the other runners.
                "target": {
                    "name": r.secret_name,
                    "creationPolicy": "Orphan",
                    "deletionPolicy": "Retain",
                    "template": {
                        "type": "kubernetes.io/dockerconfigjson",
                        "engineVersion": "v2",
                        "metadata": { "labels": crate::render::component_labels(r.secret_name, "pull-secret") },
                        "data": { ".dockerconfigjson": template(r) },
                    },
                },
                "dataFrom": [{
                    "sourceRef": {
                        "generatorRef": {
                            "apiVersion": GENERATOR_API,
                            "kind": "ECRAuthorizationToken",
                            "name": r.name(),
                        },
                    },
                }],
            },
        }));
    }
    out
}

fn b64(s: &str) -> Value {
    use base64::Engine as _;
    Value::String(base64::engine::general_purpose::STANDARD.encode(s))
}

/// The docker config as an ESO template: the same shape the core writes,
/// filled from the generator's `username` and `password`.
fn template(r: &Refresher<'_>) -> String {
    format!(
        r#"{{"auths":{{"{}":{{"username":"{{{{ .username }}}}","password":"{{{{ .password }}}}","auth":"{{{{ printf "%s:%s" .username .password | b64enc }}}}"}}}}}}"#,
        r.registry.server()
    )
}
