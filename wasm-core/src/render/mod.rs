//! Renderers: each turns checked inputs into output text. Nothing here reads
//! or validates input; `dispatch.rs` checks requests and calls these.

pub mod commands;
pub mod ecr;
pub mod eso;
pub mod images;
pub mod output;
pub mod pod;
pub mod refresher;
pub mod secret;
pub mod suggest;

use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The label every object the plugin makes carries.
pub const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "kubectl-uepe");
/// The label that names the pull Secret an object belongs to.
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The label that tells the pull Secret (`pull-secret`) from the refresher (`refresher`).
pub const COMPONENT_LABEL: &str = "app.kubernetes.io/component";

/// Labels of an object that belongs to pull Secret `instance`.
pub fn component_labels(instance: &str, component: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        (MANAGED_BY.0.to_owned(), MANAGED_BY.1.to_owned()),
        (INSTANCE_LABEL.to_owned(), instance.to_owned()),
        (COMPONENT_LABEL.to_owned(), component.to_owned()),
    ])
}

/// `metadata` of a namespaced object.
pub fn metadata(name: &str, namespace: &str, labels: BTreeMap<String, String>) -> Value {
    json!({ "name": name, "namespace": namespace, "labels": labels })
}
