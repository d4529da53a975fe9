//! Assertions on text that say, when they fail, what was looked for and
//! print the whole text it was looked for in, one block, as `assert_same`
//! does:
//!
//! - `assert_contains!(text, needle)` and `assert_not_contains!(text, needle)`,
//!   `needle` a `&str`, `String` or `char`;
//! - `assert_no_secret!(text, secret)`: like `assert_not_contains!`, but the
//!   failure shows the text with the secret masked and never the secret.
//!
//! Each takes an optional context message, as `assert!` does:
//! `assert_contains!(r.stderr, "denied", "the second try: {}", n)`.

use std::fmt;

/// What `assert_contains!` looks for.
pub trait Needle {
    /// Whether `haystack` holds it.
    fn found_in(&self, haystack: &str) -> bool;
    /// How a failure names it.
    fn show(&self) -> String;
}

impl Needle for str {
    fn found_in(&self, haystack: &str) -> bool {
        haystack.contains(self)
    }
    fn show(&self) -> String {
        format!("{self:?}")
    }
}

impl Needle for String {
    fn found_in(&self, haystack: &str) -> bool {
        self.as_str().found_in(haystack)
    }
    fn show(&self) -> String {
        self.as_str().show()
    }
}

impl Needle for char {
    fn found_in(&self, haystack: &str) -> bool {
        haystack.contains(*self)
    }
    fn show(&self) -> String {
        format!("{self:?}")
    }
}

impl<T: Needle + ?Sized> Needle for &T {
    fn found_in(&self, haystack: &str) -> bool {
        (**self).found_in(haystack)
    }
    fn show(&self) -> String {
        (**self).show()
    }
}

/// The check behind `assert_contains!` (`want` true) and
/// `assert_not_contains!` (`want` false).
#[track_caller]
pub fn contains(
    want: bool,
    what: &str,
    haystack: &str,
    needle: &dyn Needle,
    context: Option<fmt::Arguments<'_>>,
) {
    if needle.found_in(haystack) == want {
        return;
    }
    let verb = if want { "does not contain" } else { "contains" };
    panic!(
        "{}`{what}` {verb} {}\n--- {what} ---\n{haystack}\n--- end ---",
        prefix(context),
        needle.show()
    );
}

/// The check behind `assert_no_secret!`.
#[track_caller]
pub fn no_secret(what: &str, haystack: &str, secret: &str, context: Option<fmt::Arguments<'_>>) {
    // An empty secret is in every text: a broken test, not a leak.
    assert!(!secret.is_empty(), "assert_no_secret!: the secret is empty");
    if !haystack.contains(secret) {
        return;
    }
    panic!(
        "{}`{what}` holds the secret\n--- {what}, the secret shown as <SECRET> ---\n{}\n--- end ---",
        prefix(context),
        haystack.replace(secret, "<SECRET>")
    );
}

fn prefix(context: Option<fmt::Arguments<'_>>) -> String {
    context.map(|c| format!("{c}: ")).unwrap_or_default()
}

/// Asserts that a text contains a `&str`, `String` or `char`; on failure
/// prints what was looked for and the whole text.
macro_rules! assert_contains {
    ($haystack:expr, $needle:expr $(,)?) => {
        $crate::support::assert::contains(
            true,
            ::std::stringify!($haystack),
            ::std::convert::AsRef::<str>::as_ref(&$haystack),
            &$needle,
            ::std::option::Option::None,
        )
    };
    ($haystack:expr, $needle:expr, $($context:tt)+) => {
        $crate::support::assert::contains(
            true,
            ::std::stringify!($haystack),
            ::std::convert::AsRef::<str>::as_ref(&$haystack),
            &$needle,
            ::std::option::Option::Some(::std::format_args!($($context)+)),
        )
    };
}

/// Asserts that a text does not contain a `&str`, `String` or `char`; on
/// failure prints what was found and the whole text.
macro_rules! assert_not_contains {
    ($haystack:expr, $needle:expr $(,)?) => {
        $crate::support::assert::contains(
            false,
            ::std::stringify!($haystack),
            ::std::convert::AsRef::<str>::as_ref(&$haystack),
            &$needle,
            ::std::option::Option::None,
        )
    };
    ($haystack:expr, $needle:expr, $($context:tt)+) => {
        $crate::support::assert::contains(
            false,
            ::std::stringify!($haystack),
            ::std::convert::AsRef::<str>::as_ref(&$haystack),
            &$needle,
            ::std::option::Option::Some(::std::format_args!($($context)+)),
        )
    };
}

/// Asserts that a text does not hold a secret; on failure prints the text
/// with the secret masked, never the secret itself.
macro_rules! assert_no_secret {
    ($haystack:expr, $secret:expr $(,)?) => {
        $crate::support::assert::no_secret(
            ::std::stringify!($haystack),
            ::std::convert::AsRef::<str>::as_ref(&$haystack),
            ::std::convert::AsRef::<str>::as_ref(&$secret),
            ::std::option::Option::None,
        )
    };
    ($haystack:expr, $secret:expr, $($context:tt)+) => {
        $crate::support::assert::no_secret(
            ::std::stringify!($haystack),
            ::std::convert::AsRef::<str>::as_ref(&$haystack),
            ::std::convert::AsRef::<str>::as_ref(&$secret),
            ::std::option::Option::Some(::std::format_args!($($context)+)),
        )
    };
}

#[cfg(test)]
mod tests {
    use std::panic::catch_unwind;

    fn message(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
        let err = catch_unwind(f).expect_err("the assertion failed");
        err.downcast_ref::<String>().cloned().unwrap_or_default()
    }

    #[test]
    fn contains_passes_and_fails_with_the_text() {
        let out = String::from("line one\nline two\n");
        assert_contains!(out, "two");
        assert_contains!(out, '\n');
        assert_not_contains!(out, "three");
        let m = message(|| assert_contains!(out, "three", "step {}", 2));
        assert_eq!(
            m,
            "step 2: `out` does not contain \"three\"\n--- out ---\nline one\nline two\n\n--- end ---"
        );
        let m = message(|| assert_not_contains!(out, &String::from("one")));
        assert!(
            m.starts_with("`out` contains \"one\"\n--- out ---\nline one"),
            "{m}"
        );
    }

    #[test]
    fn a_leaked_secret_is_masked_in_the_failure() {
        let secret = String::from("s3cr3t-key");
        let stderr = format!("error: bad key {secret} for user");
        assert_no_secret!("nothing here", secret);
        let m = message(|| assert_no_secret!(stderr, &secret, "login"));
        assert!(!m.contains(&secret), "{m}");
        assert!(m.contains("error: bad key <SECRET> for user"), "{m}");
        assert!(m.starts_with("login: `stderr` holds the secret"), "{m}");
    }
}
