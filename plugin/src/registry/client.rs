//! One registry endpoint as the copier talks to it: the scheme (HTTPS, plain
//! HTTP only for loopback hosts or `--insecure`), the authentication state
//! (challenge, credentials, bearer tokens per scope) and `send`, which
//! retries 408/429/5xx and broken connections with backoff and
//! re-authenticates on 401 and on 403 (an expired ECR password answers 403).
//! Requests whose body cannot be replayed (blob uploads) use `send_once` and
//! are retried whole by their caller.

use reqwest::header::{AUTHORIZATION, HeaderMap, RETRY_AFTER, WWW_AUTHENTICATE};
use reqwest::{Method, Response, Url};
use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::Mutex;

use super::Error;
use super::auth::{self, Challenge, Credential, TokenRequest};
use super::credentials::Provider;
use super::error::transport;

/// Attempts per request before giving up.
pub const MAX_ATTEMPTS: u32 = 5;

/// Whether `host` (`NAME[:PORT]`, `[V6]:PORT`) is this machine.
pub fn is_loopback(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host.rsplit_once(':').map_or(host, |(n, _)| n)
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The schemes to try, in order: HTTPS only, unless `--insecure` allows
/// plain HTTP after it (as docker does) or the registry is on loopback,
/// where plain HTTP is the common case and is tried first (the first
/// request carries no credentials).
pub fn schemes(host: &str, insecure: bool) -> &'static [&'static str] {
    if is_loopback(host) {
        &["http", "https"]
    } else if insecure {
        &["https", "http"]
    } else {
        &["https"]
    }
}

/// The host the registry API is served from (Docker Hub's differs from its name).
pub fn api_host(host: &str) -> &str {
    match host {
        "docker.io" | "index.docker.io" => "registry-1.docker.io",
        h => h,
    }
}

/// Whether a status is worth another try.
pub fn retryable(status: u16) -> bool {
    status == 408 || status == 429 || (500..=599).contains(&status)
}

/// Backoff before attempt `attempt + 1`: exponential with full jitter,
/// 250 ms doubling up to 8 s, or the server's `Retry-After` (at most 30 s).
pub fn backoff(attempt: u32, retry_after: Option<u64>) -> Duration {
    if let Some(s) = retry_after {
        return Duration::from_secs(s.min(30));
    }
    let cap = (250u64 << attempt.min(5)).min(8000);
    Duration::from_millis(cap / 2 + fastrand::u64(0..=cap / 2))
}

/// `: CODE: message` from a registry's JSON error body, if it has one.
pub fn error_detail(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct E {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    #[derive(serde::Deserialize)]
    struct Errors {
        errors: Vec<E>,
    }
    match serde_json::from_slice::<Errors>(body) {
        Ok(e) => e
            .errors
            .iter()
            .map(|e| format!(": {}: {}", e.code, e.message))
            .collect(),
        Err(_) => String::new(),
    }
}

#[derive(Default)]
struct AuthState {
    credential: Option<Credential>,
    challenge: Option<Challenge>,
    tokens: HashMap<String, String>,
    generation: u64,
}

/// A connected registry.
pub struct Registry {
    /// The host as given (`HOST[:PORT]`).
    pub host: String,
    base: Url,
    http: reqwest::Client,
    provider: Provider,
    auth: Mutex<AuthState>,
}

/// What one try of a request came to.
pub enum Sent {
    /// An answer to act on (any status but auth failures).
    Answer(Response),
    /// 401/403: re-authenticate (generation seen, challenge) and try again.
    Reauth(u64, Option<String>, u16),
    /// Worth another try after a pause (why, Retry-After).
    Retry(String, Option<u64>),
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
                    return Ok(Self {
                        host: host.into(),
                        base,
                        http,
                        provider,
                        auth: Mutex::new(AuthState {
                            credential,
                            challenge,
                            ..AuthState::default()
                        }),
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
    pub fn location(&self, headers: &HeaderMap, what: &str) -> Result<Url, Error> {
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

    /// The `Authorization` value for `scope`, and the state generation it
    /// belongs to.
    pub async fn authorization(&self, scope: &str) -> Result<(Option<String>, u64), Error> {
        let mut st = self.auth.lock().await;
        let generation = st.generation;
        let value = match st.challenge.clone() {
            None => None,
            Some(Challenge::Basic) => st.credential.as_ref().and_then(Credential::basic_header),
            Some(Challenge::Bearer { realm, service }) => match st.tokens.get(scope) {
                Some(t) => Some(t.clone()),
                None => {
                    let t = self
                        .token(&realm, service.as_deref(), scope, st.credential.as_ref())
                        .await?;
                    st.tokens.insert(scope.into(), t.clone());
                    Some(t)
                }
            },
        };
        Ok((value, generation))
    }

    async fn token(
        &self,
        realm: &str,
        service: Option<&str>,
        scope: &str,
        cred: Option<&Credential>,
    ) -> Result<String, Error> {
        let realm_shown = realm.split('?').next().unwrap_or_default().to_owned();
        let fail = |reason: String| Error::GetToken {
            registry: self.host.clone(),
            realm: realm_shown.clone(),
            reason,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let req = match auth::token_request(service, scope, cred) {
                TokenRequest::Get { query } => {
                    let mut r = self.http.get(realm).query(&query);
                    if let Some(b) = cred.and_then(Credential::basic_header) {
                        r = r.header(AUTHORIZATION, b);
                    }
                    r
                }
                TokenRequest::Post { form } => self.http.post(realm).form(&form),
            };
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) if attempt < MAX_ATTEMPTS => {
                    let _ = e;
                    tokio::time::sleep(backoff(attempt, None)).await;
                    continue;
                }
                Err(e) => return Err(fail(transport(e))),
            };
            let status = resp.status().as_u16();
            if retryable(status) && attempt < MAX_ATTEMPTS {
                tokio::time::sleep(backoff(attempt, None)).await;
                continue;
            }
            if status == 401 || status == 403 {
                return Err(Error::Authenticate {
                    registry: self.host.clone(),
                    status,
                    what: "a token".into(),
                    hint: format!("log in again (docker login {})", self.host),
                });
            }
            if !resp.status().is_success() {
                return Err(fail(format!("status {status}")));
            }
            let body = resp.bytes().await.unwrap_or_default();
            let answer: auth::TokenAnswer = serde_json::from_slice(&body)
                .map_err(|_| fail("the answer is not a token".into()))?;
            return answer
                .header()
                .ok_or_else(|| fail("the answer holds no token".into()));
        }
    }

    /// Forgets tokens and asks the provider again, unless another request
    /// already did since generation `seen`.
    pub async fn reauthenticate(&self, seen: u64, www: Option<&str>) -> Result<(), Error> {
        let mut st = self.auth.lock().await;
        if st.generation != seen {
            return Ok(());
        }
        if let Some(c) = www.and_then(auth::parse_challenge) {
            st.challenge = Some(c);
        }
        st.credential = self.provider.fetch(&self.host).await?;
        st.tokens.clear();
        st.generation += 1;
        Ok(())
    }

    /// One try of `req` with the authorization for `scope`.
    pub async fn send_once(
        &self,
        scope: &str,
        req: reqwest::RequestBuilder,
    ) -> Result<Result<Sent, reqwest::Error>, Error> {
        let (value, generation) = self.authorization(scope).await?;
        let req = match value {
            Some(v) => req.header(AUTHORIZATION, v),
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
        if retryable(status) {
            let after = resp
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok());
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
        let mut attempt = 0;
        let mut reauths = 0;
        loop {
            attempt += 1;
            let last = match self.send_once(scope, make(&self.http)).await? {
                Ok(Sent::Answer(r)) => return Ok(r),
                Ok(Sent::Reauth(generation, www, status)) => {
                    // Twice: once to learn a challenge, once with fresh credentials.
                    if reauths == 2 {
                        return Err(self.refused(status, what));
                    }
                    reauths += 1;
                    attempt -= 1;
                    self.reauthenticate(generation, www.as_deref()).await?;
                    continue;
                }
                Ok(Sent::Retry(why, after)) => (why, after),
                Err(e) => (transport(e), None),
            };
            if attempt >= MAX_ATTEMPTS {
                return Err(Error::GaveUp {
                    registry: self.host.clone(),
                    what: what.into(),
                    attempts: attempt,
                    last: last.0,
                });
            }
            tokio::time::sleep(backoff(attempt, last.1)).await;
        }
    }

    /// The error for credentials refused even after re-authenticating.
    pub fn refused(&self, status: u16, what: &str) -> Error {
        let hint = match (status, &self.provider) {
            (_, Provider::Ecr { .. }) => {
                "check that the AWS principal may use this ECR repository (ecr:BatchGetImage, ecr:GetDownloadUrlForLayer to read; ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload, ecr:PutImage, ecr:BatchCheckLayerAvailability to write)".to_owned()
            }
            (401, _) => format!(
                "log in to it (docker login {}) or fix its entry in docker config",
                self.host
            ),
            _ => "the account lacks permission for this repository".to_owned(),
        };
        Error::Authenticate {
            registry: self.host.clone(),
            status,
            what: what.into(),
            hint,
        }
    }

    /// A request builder for `method` on `url`.
    pub fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.http.request(method, url)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_for_loopback_or_insecure() {
        for h in [
            "127.0.0.1:5000",
            "localhost:5000",
            "[::1]:5000",
            "127.8.9.1",
            "a.localhost",
        ] {
            assert!(is_loopback(h), "{h}");
            assert_eq!(schemes(h, false), ["http", "https"]);
        }
        for h in [
            "registry.example.com",
            "10.0.0.1:5000",
            "[fe80::1]:5000",
            "localhost.example.com",
        ] {
            assert!(!is_loopback(h), "{h}");
            assert_eq!(schemes(h, false), ["https"]);
        }
        assert_eq!(schemes("registry.example.com", true), ["https", "http"]);
    }

    #[test]
    fn retries_and_backoff() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(retryable(s));
        }
        for s in [200, 201, 400, 401, 403, 404] {
            assert!(!retryable(s));
        }
        assert_eq!(backoff(1, Some(3)), Duration::from_secs(3));
        assert_eq!(backoff(1, Some(3600)), Duration::from_secs(30));
        let d = backoff(10, None);
        assert!(
            d >= Duration::from_secs(4) && d <= Duration::from_secs(8),
            "{d:?}"
        );
    }

    #[test]
    fn reads_registry_errors() {
        let body = br#"{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}"#;
        assert_eq!(
            error_detail(body),
            ": NAME_UNKNOWN: repository name not known to registry"
        );
        assert_eq!(error_detail(b"oops"), "");
        assert_eq!(api_host("docker.io"), "registry-1.docker.io");
    }
}
