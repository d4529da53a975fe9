//! The JavaScript this UI calls into. The core component, transpiled by
//! js-component-bindgen, sits in `core/core.js` beside the UI's own JS and
//! exports its WIT interface `uepe:core/decisions` as the object
//! `decisions`. Each function takes and returns the JS form of the WIT
//! types (see `types`); a `result`'s error is thrown (the error value
//! itself: a list of field errors). wasm-bindgen's generated glue needs
//! `unsafe`; it is confined here.
#![allow(unsafe_code)]

use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "./core/core.js")]
extern "C" {
    /// `decisions.images(request)`.
    #[wasm_bindgen(catch, js_namespace = decisions, js_name = images)]
    pub fn core_images(request: JsValue) -> Result<JsValue, JsValue>;

    /// `decisions.commands(request)`.
    #[wasm_bindgen(catch, js_namespace = decisions, js_name = commands)]
    pub fn core_commands(request: JsValue) -> Result<JsValue, JsValue>;

    /// `decisions.refresher(request)`.
    #[wasm_bindgen(catch, js_namespace = decisions, js_name = refresher)]
    pub fn core_refresher(request: JsValue) -> Result<JsValue, JsValue>;

    /// `decisions.choices()`: the defaults and accepted values.
    #[wasm_bindgen(catch, js_namespace = decisions, js_name = choices)]
    pub fn core_choices() -> Result<JsValue, JsValue>;

    /// `decisions.version()`: the core crate's version.
    #[wasm_bindgen(catch, js_namespace = decisions, js_name = version)]
    pub fn core_version() -> Result<String, JsValue>;
}

/// Runs when `main.js` initialises the UI module: mounts the page.
#[wasm_bindgen(start)]
pub fn start() {
    crate::mount();
}
