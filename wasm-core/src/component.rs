//! The WebAssembly component export: `wit/core.wit` bound to [`crate::render`].
//! The generated bindings need `unsafe`; they are confined to this module.
#![allow(unsafe_code, missing_docs)]

wit_bindgen::generate!({
    world: "uepe-core",
    path: "wit",
});

struct Core;

impl exports::uepe::core::render::Guest for Core {
    fn render(request: String) -> Result<String, String> {
        crate::render(&request).map_err(|e| e.to_json())
    }

    fn version() -> String {
        crate::version().to_owned()
    }
}

export!(Core);
