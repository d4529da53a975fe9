//! The JavaScript this UI calls into. The core component, transpiled by
//! js-component-bindgen, sits in `core/core.js` beside the UI's own JS and
//! exports its WIT interface `uepe:core/render` as the object `render`.
//! wasm-bindgen's generated glue needs `unsafe`; it is confined here.
#![allow(unsafe_code)]

use wasm_bindgen::prelude::*;

#[wasm_bindgen(raw_module = "./core/core.js")]
extern "C" {
    /// `render.render(request)`: the rendered text, or the thrown error
    /// string (`{"errors":[...]}`) as the `Err` value.
    #[wasm_bindgen(catch, js_namespace = render, js_name = render)]
    pub fn core_render(request: &str) -> Result<String, JsValue>;

    /// `render.version()`: the core crate's version.
    #[wasm_bindgen(catch, js_namespace = render, js_name = version)]
    pub fn core_version() -> Result<String, JsValue>;
}

/// Runs when `main.js` initialises the UI module: mounts the page.
#[wasm_bindgen(start)]
pub fn start() {
    crate::mount();
}
