//! An error and its causes as one line, each said once. A leaf: `error.rs`
//! (the edge) and the I/O layers (`aws/`, `registry/`, `cluster/`, `retry`)
//! all use it, so it imports nothing of the crate.

/// An error and its causes on one line, each said once: a cause whose text
/// is already there (`client error (Connect)` under `HyperError: client
/// error (Connect)`) is left out.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut src = e.source();
    while let Some(cause) = src {
        let said = cause.to_string();
        if !text.contains(&said) {
            text = format!("{text}: {said}");
        }
        src = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::chain;

    #[derive(Debug, thiserror::Error)]
    #[error("{text}")]
    struct Link {
        text: &'static str,
        #[source]
        source: Option<Box<Link>>,
    }

    fn link(text: &'static str, source: Option<Link>) -> Link {
        Link {
            text,
            source: source.map(Box::new),
        }
    }

    #[test]
    fn each_cause_once() {
        let e = link(
            "HyperError: client error (Connect)",
            Some(link(
                "client error (Connect)",
                Some(link(
                    "tcp connect error",
                    Some(link("Connection refused (os error 111)", None)),
                )),
            )),
        );
        assert_eq!(
            chain(&e),
            "HyperError: client error (Connect): tcp connect error: Connection refused (os error 111)"
        );
    }
}
