//! Calls into the core component (see `bindings`) and turns its answers into
//! Rust values: the rendered text, or the field errors.

use crate::bindings;
use crate::outputs::{FieldError, parse_errors};

/// What the core answered to one request.
pub type Rendered = Result<String, Vec<FieldError>>;

/// Renders one request (a JSON object, see `outputs`).
pub fn render(request: &str) -> Rendered {
    bindings::core_render(request).map_err(|thrown| match thrown.as_string() {
        Some(answer) => parse_errors(&answer),
        // Not the documented error string: the component itself failed.
        None => vec![FieldError {
            field: "request".into(),
            message: "the core component failed; reload the page".into(),
        }],
    })
}

/// The core's own version, or `?` when it cannot say.
pub fn version() -> String {
    bindings::core_version().unwrap_or_else(|_| "?".into())
}
