//! Every Kubernetes object the core renders, read back through k8s-openapi's
//! typed API and written out again, must come back unchanged. The core
//! builds its objects as JSON (to keep the component small), so this is
//! what catches a field that is misspelt (k8s-openapi drops unknown fields)
//! or has the wrong type (it refuses to deserialize).

// A panic in a helper is the failure report.
#![allow(clippy::unwrap_used)]

use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{Namespace, Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Renders `request` as JSON and returns its objects (a `List` is unpacked).
fn objects(mut request: Value) -> Vec<Value> {
    request["output"] = json!("json");
    let out = uepe_core::json::call(&request).unwrap_or_else(|e| panic!("{request}: {e:?}"));
    let v: Value = serde_json::from_str(out.as_str().unwrap()).unwrap();
    match v["kind"].as_str() {
        Some("List") => v["items"].as_array().unwrap().clone(),
        _ => vec![v],
    }
}

fn round_trip<T: DeserializeOwned + Serialize>(obj: &Value) -> Value {
    let typed: T = serde_json::from_value(obj.clone())
        .unwrap_or_else(|e| panic!("not a valid {}: {e}\n{obj:#}", obj["kind"]));
    serde_json::to_value(typed).unwrap()
}

/// Checks each object against its typed form; returns the kinds seen.
fn check(request: Value) -> Vec<String> {
    let mut kinds = Vec::new();
    for obj in objects(request) {
        let kind = obj["kind"].as_str().unwrap().to_owned();
        let back = match kind.as_str() {
            "Secret" => round_trip::<Secret>(&obj),
            "ServiceAccount" => round_trip::<ServiceAccount>(&obj),
            "Role" => round_trip::<Role>(&obj),
            "RoleBinding" => round_trip::<RoleBinding>(&obj),
            "CronJob" => round_trip::<CronJob>(&obj),
            "Namespace" => round_trip::<Namespace>(&obj),
            // ESO's kinds have no k8s-openapi type; the ESO CRD test covers them.
            "ECRAuthorizationToken" | "ExternalSecret" => obj.clone(),
            other => panic!("unexpected kind {other}"),
        };
        assert_eq!(back, obj, "{kind} changed going through k8s-openapi");
        kinds.push(kind);
    }
    kinds
}

const KEYS: &str = r#"{"access-key-id": "AKIDEXAMPLE", "secret-access-key": "c2VjcmV0", "session-token": "dG9rZW4="}"#;

#[test]
fn every_refresher_object_survives_the_typed_api() {
    let keys: Value = serde_json::from_str(KEYS).unwrap();
    let mut seen = Vec::new();
    for runner in ["aws-cli", "plugin", "external-secrets"] {
        let mut base = json!({
            "render": "refresher",
            "runner": runner,
            "namespace": ["uepe", "uepe-dev"],
            "password": "pass word",
            "expires-at": "2026-11-28T12:00:00Z",
        });
        if runner == "plugin" {
            base["image"] = json!("ghcr.io/example/kubectl-uepe:0.1.0");
        }
        let mut with_keys = base.clone();
        with_keys["credentials"] = keys.clone();
        let mut irsa = base;
        irsa["role-arn"] = json!("arn:aws:iam::123456789012:role/uepe-pull");
        seen.extend(check(with_keys));
        seen.extend(check(irsa));
    }
    for kind in ["Secret", "ServiceAccount", "Role", "RoleBinding", "CronJob"] {
        assert!(seen.iter().any(|k| k == kind), "no {kind} was rendered");
    }
}

#[test]
fn pull_secrets_and_namespaces_survive_the_typed_api() {
    let kinds = check(json!({
        "render": "pull-secret",
        "namespace": ["a,b"],
        "password": "p",
        "expires-at": "2026-11-28T12:00:00Z",
        "create-namespace": true,
    }));
    assert_eq!(kinds, ["Namespace", "Namespace", "Secret", "Secret"]);
}

#[test]
fn a_misspelt_field_is_caught() {
    // The check itself: a field k8s-openapi does not know does not come back.
    let mut obj = objects(json!({ "render": "pull-secret", "password": "p" })).remove(0);
    obj["metadata"]["lables"] = json!({ "a": "b" });
    assert_ne!(round_trip::<Secret>(&obj), obj);
}
