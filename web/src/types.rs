//! The core's types, generated from the same `wit/core.wit` the component
//! is built from: the page builds its requests and reads the answers as
//! these, and they cross into the transpiled component as the JS values
//! js-component-bindgen expects (records as objects with lowerCamelCase
//! fields, variants as `{tag, val}`, an `option` as the value or
//! `undefined`). Only the types are used: the functions are called through
//! `bindings`. The generated code needs `unsafe`; it is confined here.
#![allow(unsafe_code, missing_docs, dead_code, clippy::all)]

wit_bindgen::generate!({
    world: "uepe-core",
    path: "../wasm-core/wit",
    additional_derives: [PartialEq, Default, serde::Serialize, serde::Deserialize],
    additional_derives_ignore: ["platform-choice"],
    additional_type_attributes: {
        "uepe:core/decisions@0.2.0/field-error": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/images-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/docker-config-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/pull-secret-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/aws-keys": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/refresher-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/commands-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/ecr-call-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/aws-call": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/aws-endpoint-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/registry-info": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/ecr-registry": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/platforms-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/platform": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/mirror-plan-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/place": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/mirror-copy": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/suggest-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/defaults": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/choice-set": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/cluster-names": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/inventory-request": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/object-ref": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/refresher-kind": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/refresher-inventory": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/crd-requirement": [#[serde(rename_all = "camelCase")]],
        "uepe:core/decisions@0.2.0/job-request": [#[serde(rename_all = "camelCase")]],
    },
});

pub use exports::uepe::core::decisions::{
    ChoiceSet, CommandsRequest, Defaults, FieldError, ImagesRequest, RefresherRequest,
};
