//! The types of `wit/core.wit`, generated on every target: the core's
//! requests and answers are these very types, so a field added to the WIT
//! file fails to compile wherever it is not handled. The generated glue
//! needs `unsafe`; it is confined to this module. Only the wasm32 build
//! exports the functions (`component.rs`).
#![allow(unsafe_code, missing_docs, clippy::all)]

wit_bindgen::generate!({
    world: "uepe-core",
    path: "wit",
    pub_export_macro: true,
    additional_derives: [PartialEq, Default, serde::Serialize, serde::Deserialize],
    additional_derives_ignore: ["platform-choice"],
    // Tests and examples spell requests in JSON, named as the CLI's flags.
    additional_type_attributes: {
        "uepe:core/decisions@0.2.0/platform-choice": [#[derive(PartialEq)]],
        "uepe:core/decisions@0.2.0/field-error": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/images-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/docker-config-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/pull-secret-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/aws-keys": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/refresher-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/commands-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/ecr-call-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/aws-call": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/aws-endpoint-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/registry-info": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/ecr-registry": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/platforms-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/platform": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/mirror-plan-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/place": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/mirror-copy": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/suggest-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/defaults": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/choice-set": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/cluster-names": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/inventory-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/object-ref": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/refresher-kind": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/refresher-inventory": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/crd-requirement": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
        "uepe:core/decisions@0.2.0/job-request": [#[serde(rename_all = "kebab-case", default, deny_unknown_fields)]],
    },
});
