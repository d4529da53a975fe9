//! The kubectl-uepe web page: a Leptos client-side UI around the core
//! component, the very bytes the plugin embeds, transpiled to JS + core wasm
//! by `cargo run -p xtask -- web`. The UI gathers inputs and shows what the
//! core renders; it holds no rendering logic of its own.
//!
//! `form` and `outputs` are plain data (unit tested natively), `types` the
//! core's WIT types (generated) and `marshal` their JS form, `core` and
//! `browser` do the calls out of Rust, `app`, `field` and `block` are the components.

mod app;
mod bindings;
mod block;
mod browser;
mod core;
mod field;
mod form;
mod marshal;
mod outputs;
mod types;

use leptos::prelude::*;

/// Mounts the page into `#app`, replacing its loading text.
fn mount() {
    let Some(root) = browser::mount_point() else {
        return;
    };
    let Some(choices) = core::choices() else {
        root.set_inner_html("The core component failed to load; reload the page.");
        return;
    };
    root.set_inner_html("");
    let initial = form::Inputs::from_query(&browser::query(), &choices.defaults);
    let sha256 = browser::meta("uepe-core-sha256").unwrap_or_else(|| "unknown".into());
    let core_version = core::version();
    leptos::mount::mount_to(root, move || {
        view! { <app::App initial=initial sha256=sha256 core_version=core_version choices=choices /> }
    })
    .forget();
    // The outputs are in the DOM now: the size benchmark times this mark.
    if let Some(perf) = web_sys::window().and_then(|w| w.performance()) {
        let _ = perf.mark("uepe-rendered");
    }
}
