//! Calls into the core component (see `bindings`) with typed requests and
//! turns its answers into Rust values: the rendered text, or the field
//! errors.

use wasm_bindgen::JsValue;

use crate::bindings;
use crate::marshal::{FromJs, ToJs};
use crate::types::{ChoiceSet, CommandsRequest, FieldError, ImagesRequest, RefresherRequest};

/// What the core answered to one request.
pub type Rendered = Result<String, Vec<FieldError>>;

/// A request the page sends, one variant per core function it calls.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `images`.
    Images(ImagesRequest),
    /// `commands`.
    Commands(CommandsRequest),
    /// `refresher`.
    Refresher(RefresherRequest),
}

/// Renders one request.
pub fn render(request: &Request) -> Rendered {
    let answer = match request {
        Request::Images(r) => bindings::core_images(r.to_js()),
        Request::Commands(r) => bindings::core_commands(r.to_js()),
        Request::Refresher(r) => bindings::core_refresher(r.to_js()),
    };
    match answer {
        Ok(text) => text.as_string().ok_or_else(failed),
        Err(thrown) => Err(field_errors(&thrown).unwrap_or_else(failed)),
    }
}

/// The defaults and accepted values of every input, as the core decides
/// them; `None` when the component cannot answer.
pub fn choices() -> Option<ChoiceSet> {
    bindings::core_choices()
        .ok()
        .and_then(|v| ChoiceSet::from_js(&v))
}

/// The core's own version, or `?` when it cannot say.
pub fn version() -> String {
    bindings::core_version().unwrap_or_else(|_| "?".into())
}

/// The field errors of a `result`'s error: js-component-bindgen throws the
/// error value itself (older versions wrapped it in a `ComponentError`'s
/// `payload`; both are read). Anything else thrown is a failure of the
/// component, not an answer.
fn field_errors(thrown: &JsValue) -> Option<Vec<FieldError>> {
    let payload = js_sys::Reflect::get(thrown, &JsValue::from_str("payload"))
        .ok()
        .filter(|p| !p.is_undefined())
        .unwrap_or_else(|| thrown.clone());
    Vec::<FieldError>::from_js(&payload).filter(|e| !e.is_empty())
}

/// The component itself failed (not an answer about the inputs).
fn failed() -> Vec<FieldError> {
    vec![FieldError {
        field: "request".into(),
        message: "the core component failed; reload the page".into(),
    }]
}
