//! What real kubectl asks before it touches an object: the legacy
//! (unaggregated) discovery documents and the OpenAPI v3 index, just enough
//! for `kubectl create|label|apply` on the built-in kinds the double stores.
//!
//! - `/api`, `/api/v1`, `/apis`, `/apis/GROUP/VERSION`: plain JSON, so
//!   kubectl falls back from aggregated discovery (it asks for both and
//!   reads the Content-Type). Groups backed by CRDs (External Secrets) are
//!   not listed: the double has no CRD machinery behind them.
//! - `/openapi/v3` and `/openapi/v3/api/v1`: one PATCH operation per kind
//!   that declares the `fieldValidation` query parameter. kubectl's
//!   `--validate=strict` (its default) reads that to decide that the server
//!   validates, and then sends `fieldValidation=Strict` instead of
//!   validating against `/openapi/v2` itself. The double accepts the
//!   parameter and does NOT validate: no schemas are served.

use serde_json::{Map, Value, json};

/// (group, version, plural, kind, namespaced) of every kind in discovery.
const RESOURCES: &[(&str, &str, &str, &str, bool)] = &[
    ("", "v1", "namespaces", "Namespace", false),
    ("", "v1", "secrets", "Secret", true),
    ("", "v1", "serviceaccounts", "ServiceAccount", true),
    ("", "v1", "pods", "Pod", true),
    ("batch", "v1", "jobs", "Job", true),
    ("batch", "v1", "cronjobs", "CronJob", true),
    ("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "rolebindings",
        "RoleBinding",
        true,
    ),
];

const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// The answer to a discovery or OpenAPI GET at `segs`, if it is one.
pub(super) fn answer(segs: &[&str]) -> Option<Value> {
    match segs {
        ["api"] => Some(json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]})),
        ["apis"] => Some(group_list()),
        ["api", "v1"] => Some(resource_list("", "v1")),
        ["apis", group, version] => known(group, version).then(|| resource_list(group, version)),
        ["openapi", "v3"] => Some(openapi_index()),
        ["openapi", "v3", "api", "v1"] => Some(openapi_doc("", "v1")),
        ["openapi", "v3", "apis", group, version] if known(group, version) => {
            Some(openapi_doc(group, version))
        }
        _ => None,
    }
}

fn known(group: &str, version: &str) -> bool {
    !group.is_empty()
        && RESOURCES
            .iter()
            .any(|(g, v, ..)| *g == group && *v == version)
}

/// The named groups, each with its one version.
fn groups() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for (g, v, ..) in RESOURCES {
        if !g.is_empty() && !out.contains(&(g, v)) {
            out.push((g, v));
        }
    }
    out
}

fn group_list() -> Value {
    let groups: Vec<Value> = groups()
        .into_iter()
        .map(|(g, v)| {
            let gv = json!({"groupVersion": format!("{g}/{v}"), "version": v});
            json!({"name": g, "versions": [gv], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    }
}

fn resource_list(group: &str, version: &str) -> Value {
    let resources: Vec<Value> = RESOURCES
        .iter()
        .filter(|(g, v, ..)| *g == group && *v == version)
        .map(|(_, _, plural, kind, namespaced)| {
            json!({"name": plural, "singularName": kind.to_ascii_lowercase(),
                "namespaced": namespaced, "kind": kind, "verbs": VERBS})
        })
        .collect();
    json!({"kind": "APIResourceList", "apiVersion": "v1",
        "groupVersion": group_version(group, version), "resources": resources})
}

/// `/openapi/v3`: where each group version's document lives.
fn openapi_index() -> Value {
    let mut paths = Map::new();
    paths.insert(
        "api/v1".into(),
        json!({"serverRelativeURL": "/openapi/v3/api/v1?hash=double"}),
    );
    for (g, v) in groups() {
        paths.insert(
            format!("apis/{g}/{v}"),
            json!({"serverRelativeURL": format!("/openapi/v3/apis/{g}/{v}?hash=double")}),
        );
    }
    json!({ "paths": paths })
}

/// A group version's document: only each kind's PATCH operation, tagged
/// with its group-version-kind and declaring `fieldValidation`.
fn openapi_doc(group: &str, version: &str) -> Value {
    let prefix = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    let mut paths = Map::new();
    for (_, _, plural, kind, namespaced) in RESOURCES
        .iter()
        .filter(|(g, v, ..)| *g == group && *v == version)
    {
        let path = if *namespaced {
            format!("{prefix}/namespaces/{{namespace}}/{plural}/{{name}}")
        } else {
            format!("{prefix}/{plural}/{{name}}")
        };
        let patch = json!({
            "x-kubernetes-group-version-kind": {"group": group, "version": version, "kind": kind},
            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "OK"}},
        });
        paths.insert(path, json!({ "patch": patch }));
    }
    json!({"openapi": "3.0.0", "info": {"title": "Kubernetes API server double", "version": version}, "paths": paths})
}
