//! Field-level validation errors: what the core returns instead of output
//! when an input is wrong. Each error names the input as the CLI flag does,
//! so the plugin can print `error: --schedule: ...` and the web page can put
//! the message beside the field.

pub use crate::types::FieldError;

/// Every invalid input of one request, in the order they were checked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct Errors {
    /// The errors, never empty when returned.
    pub errors: Vec<FieldError>,
}

impl Errors {
    /// An error list with one entry.
    pub fn one(field: &str, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field: field.to_owned(),
                message: message.into(),
            }],
        }
    }

    fn describe(&self) -> String {
        self.errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Collects field errors while a request is checked, so one pass reports
/// every bad input rather than only the first.
#[derive(Debug, Default)]
pub struct Checker {
    errors: Vec<FieldError>,
}

impl Checker {
    /// Checks one field; keeps the value when it is valid.
    pub fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(message) => {
                self.errors.push(FieldError {
                    field: field.to_owned(),
                    message,
                });
                None
            }
        }
    }

    /// Records an error found outside `check`.
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Ok when nothing failed.
    pub fn finish(self) -> Result<(), Errors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(Errors {
                errors: self.errors,
            })
        }
    }
}
