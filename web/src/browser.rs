//! The few things the page asks of the browser: the query string, the
//! core's sha256 from `index.html`, the clipboard and downloads. Kept apart
//! so the components stay plain and the I/O is in one place.

use wasm_bindgen::{JsCast, JsValue};

/// The page's query string (`?...`), empty when there is none.
pub fn query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces the query string in place (no reload, no history entry), so
/// the address bar always holds a link to what is on screen.
pub fn replace_query(query: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    if let Ok(history) = window.history() {
        // Failing to update the address bar only loses the shareable link.
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&url));
    }
}

/// The content of `<meta name=NAME>` in `index.html`, written by the build.
pub fn meta(name: &str) -> Option<String> {
    let document = web_sys::window()?.document()?;
    let el = document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()??;
    el.get_attribute("content")
}

/// The element the page mounts into.
pub fn mount_point() -> Option<web_sys::HtmlElement> {
    let document = web_sys::window()?.document()?;
    document.get_element_by_id("app")?.dyn_into().ok()
}

/// Copies `text` to the clipboard; `Err` says why it could not.
pub async fn copy(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let promise = window.navigator().clipboard().write_text(text);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| {
            js_sys::Reflect::get(&e, &JsValue::from_str("message"))
                .ok()
                .and_then(|m| m.as_string())
                .unwrap_or_else(|| "the browser refused".into())
        })
}

/// Offers `text` as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, text: &str) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // Revoked a moment later: some browsers read the blob after click returns.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}
