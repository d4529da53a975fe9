//! The API server's warnings (deprecated APIs, Pod Security `warn`,
//! admission policies in Warn mode, unknown fields): each `Warning` header
//! of every response is printed on stderr as `Warning: TEXT`, as kubectl
//! prints it, and the call goes on.

use http::Response;

/// Prints the warnings of one response and hands it on unchanged.
pub fn print<B>(response: Response<B>) -> Response<B> {
    for value in response.headers().get_all(http::header::WARNING) {
        if let Some(text) = value.to_str().ok().and_then(text) {
            eprintln!("Warning: {text}");
        }
    }
    response
}

/// The text of a `Warning` header value (RFC 7234: `299 - "text"` with an
/// optional date), quotes and backslash escapes undone; `None` when it is
/// not of that form.
fn text(value: &str) -> Option<String> {
    let (_code, rest) = value.split_once(' ')?;
    let (_agent, quoted) = rest.split_once(' ')?;
    let mut chars = quoted.strip_prefix('"')?.chars();
    let mut out = String::new();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push(chars.next()?),
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn the_text_is_unquoted_and_unescaped() {
        assert_eq!(
            text(r#"299 - "would violate PodSecurity \"restricted:latest\"""#).as_deref(),
            Some(r#"would violate PodSecurity "restricted:latest""#)
        );
        assert_eq!(
            text(r#"299 kube-apiserver "text" "Thu, 03 Dec 2026 10:00:00 GMT""#).as_deref(),
            Some("text")
        );
        assert_eq!(text("garbage"), None);
        assert_eq!(text(r#"299 - "unterminated"#), None);
    }
}
