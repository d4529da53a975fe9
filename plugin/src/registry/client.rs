//! One registry endpoint as the copier talks to it: the scheme it answers on
//! (`endpoint.rs` says which to try), its authentication (`authorizer.rs`),
//! and `send`, which goes through the crate's retry helper — 408/429/5xx
//! and broken connections are retried with its backoff — and re-authenticates
//! on 401 and on 403 (an expired ECR password answers 403), at most twice,
//! without counting an attempt. `send` builds its request afresh for each
//! attempt, so its body must be replayable; a request whose body is not
//! (a streamed blob upload) uses `send_once` and is retried whole by its
//! caller (`upload.rs`), which re-opens the source each time.

use reqwest::header::WWW_AUTHENTICATE;
use reqwest::{Method, Response, Url};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use super::Error;
use super::auth;
use super::authorizer::Authorizer;
use super::credentials::Provider;
use super::endpoint::{api_host, schemes};
use super::error::transport;
use crate::retry::{self, Failure, Stopped};

/// Re-authentications per request: once to learn a challenge, once with
/// fresh credentials.
pub const MAX_REAUTHS: u32 = 2;

/// A connected registry.
pub struct Registry {
    /// The host as given (`HOST[:PORT]`).
    pub host: String,
    base: Url,
    http: reqwest::Client,
    auth: Authorizer,
}

/// What one try of a request came to.
pub enum Sent {
    /// An answer to act on (any status but auth failures).
    Answer(Response),
    /// 401/403: re-authenticate (generation seen, challenge) and try again.
    Reauth(u64, Option<String>, u16),
    /// Worth another try after a pause (why, Retry-After).
    Retry(String, Option<Duration>),
}

/// How an attempt of `send` failed: a passing fault, or for good.
enum Trouble {
    Passing(String),
    Failed(Error),
}

impl From<Error> for Failure<Trouble> {
    fn from(e: Error) -> Self {
        Failure::Fatal(Trouble::Failed(e))
    }
}

impl Registry {
    /// Finds the scheme the registry answers on, reads its challenge and
    /// the credentials.
    pub async fn connect(
        host: &str,
        insecure: bool,
        provider: Provider,
        http: reqwest::Client,
    ) -> Result<Self, Error> {
        let mut last = String::new();
        let candidates = schemes(host, insecure);
        for (n, scheme) in candidates.iter().enumerate() {
            let base = Url::parse(&format!("{scheme}://{}/", api_host(host))).map_err(|e| {
                Error::Connect {
                    registry: host.into(),
                    cause: e.to_string(),
                }
            })?;
            let ping = base.join("v2/").map_err(|e| Error::Connect {
                registry: host.into(),
                cause: e.to_string(),
            })?;
            // A TLS hello to a plain-HTTP peer may get no answer at all: do
            // not wait long before trying the next scheme.
            let patience = if n + 1 < candidates.len() { 5 } else { 30 };
            match http
                .get(ping)
                .timeout(Duration::from_secs(patience))
                .send()
                .await
            {
                // A TLS port's answer to plain HTTP: try the next scheme.
                Ok(resp)
                    if *scheme == "http"
                        && resp.status().as_u16() == 400
                        && n + 1 < candidates.len() =>
                {
                    last = "plain HTTP refused".into();
                }
                Ok(resp) => {
                    let challenge = resp
                        .headers()
                        .get(WWW_AUTHENTICATE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(auth::parse_challenge);
                    let credential = provider.fetch(host).await?;
                    let auth = Authorizer::new(host, http.clone(), provider, challenge, credential);
                    return Ok(Self {
                        host: host.into(),
                        base,
                        http,
                        auth,
                    });
                }
                Err(e) => last = transport(e),
            }
        }
        Err(Error::Connect {
            registry: host.into(),
            cause: last,
        })
    }

    /// `base` + `path` (`v2/...`).
    pub fn url(&self, path: &str) -> Url {
        // `base` is `scheme://host/`, so joining a relative path cannot fail
        // for the paths this module builds; fall back to the base if it does.
        self.base.join(path).unwrap_or_else(|_| self.base.clone())
    }

    /// A `Location` header resolved against the registry (it may be relative).
    pub fn location(&self, headers: &reqwest::header::HeaderMap, what: &str) -> Result<Url, Error> {
        headers
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|l| self.base.join(l).ok())
            .ok_or_else(|| Error::Request {
                registry: self.host.clone(),
                what: what.into(),
                status: 0,
                detail: ": no Location header".into(),
            })
    }

    /// Whether the registry is the scheme's plain-HTTP one.
    pub fn is_plain_http(&self) -> bool {
        self.base.scheme() == "http"
    }

    /// Forgets tokens and asks the provider again, unless another request
    /// already did since generation `seen`.
    pub async fn reauthenticate(&self, seen: u64, www: Option<&str>) -> Result<(), Error> {
        self.auth.reauthenticate(seen, www).await
    }

    /// The error for credentials refused even after re-authenticating.
    pub fn refused(&self, status: u16, what: &str) -> Error {
        self.auth.refused(status, what)
    }

    /// One try of `req` with the authorization for `scope`.
    pub async fn send_once(
        &self,
        scope: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<Result<Sent, reqwest::Error>, Error> {
        let (value, generation) = self.auth.authorization(scope).await?;
        let req = match value {
            Some(v) => req.header(reqwest::header::AUTHORIZATION, v),
            None => req,
        };
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        let status = resp.status().as_u16();
        if status == 401 || status == 403 {
            let www = resp
                .headers()
                .get(WWW_AUTHENTICATE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            return Ok(Ok(Sent::Reauth(generation, www, status)));
        }
        if retry::transient_status(status) {
            let after = retry::retry_after(resp.headers());
            return Ok(Ok(Sent::Retry(format!("status {status}"), after)));
        }
        Ok(Ok(Sent::Answer(resp)))
    }

    /// Sends a replayable request (`make` builds it afresh each try),
    /// retrying and re-authenticating; any other status is the caller's.
    pub async fn send(
        &self,
        scope: &str,
        what: &str,
        make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Response, Error> {
        let reauths = AtomicU32::new(0);
        let (reauths, make) = (&reauths, &make);
        let attempt = move |_| async move {
            match self.send_once(scope, make(&self.http)).await? {
                Ok(Sent::Answer(r)) => Ok(r),
                Ok(Sent::Reauth(generation, www, status)) => {
                    if reauths.fetch_add(1, Ordering::Relaxed) == MAX_REAUTHS {
                        return Err(self.refused(status, what).into());
                    }
                    self.reauthenticate(generation, www.as_deref()).await?;
                    Err(Failure::Again)
                }
                Ok(Sent::Retry(why, after)) => Err(Failure::Transient {
                    error: Trouble::Passing(why),
                    after,
                }),
                Err(e) if retry::transient_transport(&e) => {
                    Err(Failure::transient(Trouble::Passing(transport(e))))
                }
                Err(e) => Err(Error::Connect {
                    registry: self.host.clone(),
                    cause: transport(e),
                }
                .into()),
            }
        };
        retry::REGISTRY.run(attempt, |_, _, _| {}).await.map_err(
            |Stopped {
                 error, attempts, ..
             }| match error {
                Trouble::Passing(last) => Error::GaveUp {
                    registry: self.host.clone(),
                    what: what.into(),
                    attempts,
                    last,
                },
                Trouble::Failed(e) => e,
            },
        )
    }

    /// A request builder for `method` on `url`.
    pub fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.http.request(method, url)
    }
}
