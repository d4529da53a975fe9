//! The one retry helper every network call goes through (`aws/`, `registry/`):
//! one backoff — the AWS SDKs' "standard" strategy, capped exponential with
//! full jitter, a server's `Retry-After` honoured up to the same cap — and
//! the one place that says which failures are worth another attempt
//! ([`transient_status`], [`throttling_code`], [`transient_transport`]).
//! Only the attempt budget differs by protocol: [`AWS`] keeps the SDKs'
//! three attempts, [`REGISTRY`] allows five, because a mirror makes hundreds
//! of requests and each may meet a passing fault on its own.
//!
//! Contract of [`Policy::run`]: the operation is called once per attempt and
//! builds its request afresh, body included. A body that cannot be replayed
//! (a blob streamed from the source) is re-opened from its source inside the
//! operation, or the operation must answer [`Failure::Fatal`] once the body
//! has started. Re-authentication is [`Failure::Again`]: tried at once and
//! not counted, the caller bounding how often.

use std::future::Future;
use std::time::Duration;

/// The first backoff's ceiling; each further attempt doubles it.
pub const BASE: Duration = Duration::from_secs(1);
/// No backoff (and no `Retry-After`) waits longer than this.
pub const CAP: Duration = Duration::from_secs(20);

/// An attempt budget; the backoff is the module's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
}

/// AWS API calls: the SDKs' standard mode, 3 attempts.
pub const AWS: Policy = Policy { max_attempts: 3 };

/// Registry requests and blob copies: 5 attempts.
pub const REGISTRY: Policy = Policy { max_attempts: 5 };

/// How one attempt failed.
#[derive(Debug)]
pub enum Failure<E> {
    /// Another attempt may pass: after `after` if the server said, else
    /// after the backoff.
    Transient {
        /// What went wrong.
        error: E,
        /// The server's `Retry-After`.
        after: Option<Duration>,
    },
    /// Try again at once without counting an attempt (fresh credentials).
    Again,
    /// No attempt will pass.
    Fatal(E),
}

impl<E> Failure<E> {
    /// A transient failure with no `Retry-After`.
    pub fn transient(error: E) -> Self {
        Failure::Transient { error, after: None }
    }
}

impl<E> From<E> for Failure<E> {
    fn from(e: E) -> Self {
        Failure::Fatal(e)
    }
}

/// Why [`Policy::run`] stopped without a result.
#[derive(Debug, PartialEq, Eq)]
pub struct Stopped<E> {
    /// The last attempt's error.
    pub error: E,
    /// Attempts made (re-authentications not counted).
    pub attempts: u32,
    /// True when the error was transient and the budget ran out; false when
    /// it was fatal.
    pub exhausted: bool,
}

impl Policy {
    /// The pause after `attempt` attempts failed (1 after the first):
    /// `Retry-After` if given, else uniform in `[0, min(CAP, BASE·2^(attempt-1)))`,
    /// `unit` being the random draw in `[0, 1)`.
    pub fn delay(attempt: u32, after: Option<Duration>, unit: f64) -> Duration {
        if let Some(after) = after {
            return after.min(CAP);
        }
        let ceiling = BASE
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(CAP);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// Runs `op` (given the attempt number, from 1) until it succeeds, fails
    /// fatally or the attempts run out, sleeping between attempts.
    /// `on_retry` hears each transient failure that is retried, with the
    /// attempt number and the pause.
    pub async fn run<T, E, F, Fut>(
        &self,
        mut op: F,
        mut on_retry: impl FnMut(&E, u32, Duration),
    ) -> Result<T, Stopped<E>>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, Failure<E>>>,
    {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match op(attempt).await {
                Ok(t) => return Ok(t),
                Err(Failure::Again) => attempt -= 1,
                Err(Failure::Fatal(error)) => {
                    return Err(Stopped {
                        error,
                        attempts: attempt,
                        exhausted: false,
                    });
                }
                Err(Failure::Transient { error, after }) => {
                    if attempt >= self.max_attempts {
                        return Err(Stopped {
                            error,
                            attempts: attempt,
                            exhausted: true,
                        });
                    }
                    let pause = Self::delay(attempt, after, fastrand::f64());
                    on_retry(&error, attempt, pause);
                    tokio::time::sleep(pause).await;
                }
            }
        }
    }
}

/// HTTP statuses worth another attempt: timeout, throttling, server errors.
pub fn transient_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// AWS error codes that mean "slow down" whatever the status.
pub fn throttling_code(code: &str) -> bool {
    code.contains("Throttl")
        || matches!(
            code,
            "RequestLimitExceeded" | "TooManyRequestsException" | "SlowDown"
        )
}

/// Whether a transport failure may pass on another attempt: anything but a
/// request that could not be built, a redirect loop, or a host name that
/// does not resolve (which no pause fixes, and is best reported at once).
pub fn transient_transport(e: &reqwest::Error) -> bool {
    if e.is_builder() || e.is_redirect() {
        return false;
    }
    !is_dns_failure(&crate::causes::chain(e))
}

/// Whether an error's text (with its causes) is the resolver's.
pub fn is_dns_failure(text: &str) -> bool {
    resolver_words(text).is_some()
}

/// The resolver's own words in an error's text, if it failed.
pub fn resolver_words(text: &str) -> Option<&str> {
    ["dns error", "failed to lookup address"]
        .iter()
        .find_map(|m| text.find(m))
        .map(|at| &text[at..])
}

/// `Retry-After` in seconds (the HTTP-date form is not used by registries).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn backoff_is_capped_exponential_with_full_jitter() {
        // The ceiling doubles from BASE and stops at CAP.
        let ceilings: Vec<u64> = (1..=7)
            .map(|n| Policy::delay(n, None, 1.0).as_millis() as u64)
            .collect();
        assert_eq!(ceilings, [1000, 2000, 4000, 8000, 16000, 20000, 20000]);
        assert_eq!(Policy::delay(40, None, 1.0), CAP);
        // Full jitter: anywhere from zero up to the ceiling.
        assert_eq!(Policy::delay(3, None, 0.0), Duration::ZERO);
        assert_eq!(Policy::delay(3, None, 0.5), Duration::from_secs(2));
        for _ in 0..200 {
            let d = Policy::delay(2, None, fastrand::f64());
            assert!(d < Duration::from_secs(2), "{d:?}");
        }
        // The server's word, within the cap.
        let after = Some(Duration::from_secs(3));
        assert_eq!(Policy::delay(1, after, 0.9), Duration::from_secs(3));
        let long = Some(Duration::from_secs(3600));
        assert_eq!(Policy::delay(1, long, 0.9), CAP);
    }

    #[test]
    fn transient_failures_use_the_whole_budget_and_no_more() {
        let calls = AtomicU32::new(0);
        let heard = AtomicU32::new(0);
        let policy = Policy { max_attempts: 3 };
        let r: Result<(), _> = runtime().block_on(policy.run(
            |_| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Failure::Transient {
                    error: "busy",
                    after: Some(Duration::from_millis(1)),
                })
            },
            |_, _, _| {
                heard.fetch_add(1, Ordering::SeqCst);
            },
        ));
        assert_eq!(
            r,
            Err(Stopped {
                error: "busy",
                attempts: 3,
                exhausted: true
            })
        );
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(heard.load(Ordering::SeqCst), 2, "no pause after the last");
        assert_eq!(REGISTRY.max_attempts, 5);
        assert_eq!(AWS.max_attempts, 3);
    }

    #[test]
    fn a_fatal_failure_stops_at_once() {
        let calls = AtomicU32::new(0);
        let r: Result<(), _> = runtime().block_on(REGISTRY.run(
            |_| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Failure::Fatal("denied"))
            },
            |_, _, _| panic!("a fatal failure is not retried"),
        ));
        assert_eq!(
            r,
            Err(Stopped {
                error: "denied",
                attempts: 1,
                exhausted: false
            })
        );
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn success_after_failures_and_reauthentication_is_not_an_attempt() {
        let calls = AtomicU32::new(0);
        let r = runtime().block_on(AWS.run(
            |attempt| {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                async move {
                    match n {
                        // Two re-authentications, then two transient
                        // failures: attempt numbers 1, 1, 1, 2, 3.
                        0 | 1 => Err(Failure::Again),
                        2 | 3 => Err(Failure::Transient {
                            error: "503",
                            after: Some(Duration::ZERO),
                        }),
                        _ => Ok(attempt),
                    }
                }
            },
            |_, _, _| {},
        ));
        assert_eq!(r, Ok(3));
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[test]
    fn decides_what_is_transient() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(transient_status(s), "{s}");
        }
        for s in [200, 201, 400, 401, 403, 404, 405] {
            assert!(!transient_status(s), "{s}");
        }
        for c in [
            "ThrottlingException",
            "Throttling",
            "RequestLimitExceeded",
            "TooManyRequestsException",
        ] {
            assert!(throttling_code(c), "{c}");
        }
        assert!(!throttling_code("AccessDeniedException"));
        assert!(is_dns_failure(
            "error sending request: client error (Connect): dns error: failed to lookup address information"
        ));
        assert!(!is_dns_failure(
            "client error (Connect): tcp connect error: Connection refused (os error 111)"
        ));
    }
}
