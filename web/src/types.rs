//! The core's types, generated from the same `wit/core.wit` the component
//! is built from: the page builds its requests and reads the answers as
//! these (`marshal` gives them the JS form the transpiled component
//! takes). Only the types are used: the functions are called through
//! `bindings`. The generated code needs `unsafe`; it is confined here.
#![allow(unsafe_code, missing_docs, dead_code, clippy::all)]

wit_bindgen::generate!({
    world: "uepe-core",
    path: "../wasm-core/wit",
    additional_derives: [PartialEq, Default],
    additional_derives_ignore: ["platform-choice"],
});

pub use exports::uepe::core::decisions::{
    AwsKeys, ChoiceSet, CommandsRequest, Defaults, FieldError, ImagesRequest, RefresherRequest,
};
