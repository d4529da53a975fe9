//! The authentication state of one registry: its challenge, the credential
//! its [`Provider`] gave, and bearer tokens per scope, with a generation
//! number so that of many requests refused at once only the first asks the
//! provider again. Token requests go through the crate's retry helper. The
//! pure parts (challenges, scopes, token requests) are in `auth.rs`.

use reqwest::header::AUTHORIZATION;
use std::collections::HashMap;
use tokio::sync::Mutex;

use super::Error;
use super::auth::{self, Challenge, Credential, TokenRequest};
use super::credentials::Provider;
use super::error::transport;
use crate::retry::{self, Failure, Stopped};

#[derive(Default)]
struct State {
    credential: Option<Credential>,
    challenge: Option<Challenge>,
    tokens: HashMap<String, String>,
    generation: u64,
}

/// How a token request failed: a passing fault (retried), or for good.
enum Trouble {
    Passing(String),
    Failed(Error),
}

/// One registry's authentication.
pub struct Authorizer {
    host: String,
    http: reqwest::Client,
    provider: Provider,
    state: Mutex<State>,
}

impl Authorizer {
    /// The state after connecting: the challenge the registry answered
    /// with, and the provider's credential.
    pub fn new(
        host: &str,
        http: reqwest::Client,
        provider: Provider,
        challenge: Option<Challenge>,
        credential: Option<Credential>,
    ) -> Self {
        Self {
            host: host.into(),
            http,
            provider,
            state: Mutex::new(State {
                credential,
                challenge,
                ..State::default()
            }),
        }
    }

    /// The `Authorization` value for `scope`, and the state generation it
    /// belongs to.
    pub async fn authorization(&self, scope: &str) -> Result<(Option<String>, u64), Error> {
        let mut st = self.state.lock().await;
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
        let attempt = move |_| async move {
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
                Err(e) if retry::transient_transport(&e) => {
                    return Err(Failure::transient(Trouble::Passing(transport(e))));
                }
                Err(e) => return Err(Failure::Fatal(Trouble::Failed(fail(transport(e))))),
            };
            let status = resp.status().as_u16();
            if retry::transient_status(status) {
                return Err(Failure::Transient {
                    error: Trouble::Passing(format!("status {status}")),
                    after: retry::retry_after(resp.headers()),
                });
            }
            if status == 401 || status == 403 {
                return Err(Failure::Fatal(Trouble::Failed(Error::Authenticate {
                    registry: self.host.clone(),
                    status,
                    what: "a token".into(),
                    hint: format!("log in again (docker login {})", self.host),
                })));
            }
            if !resp.status().is_success() {
                return Err(Failure::Fatal(Trouble::Failed(fail(format!(
                    "status {status}"
                )))));
            }
            let body = resp.bytes().await.unwrap_or_default();
            let answer: auth::TokenAnswer = serde_json::from_slice(&body).map_err(|_| {
                Failure::Fatal(Trouble::Failed(fail("the answer is not a token".into())))
            })?;
            answer.header().ok_or_else(|| {
                Failure::Fatal(Trouble::Failed(fail("the answer holds no token".into())))
            })
        };
        retry::REGISTRY.run(attempt, |_, _, _| {}).await.map_err(
            |Stopped { error, .. }| match error {
                Trouble::Passing(reason) => fail(reason),
                Trouble::Failed(e) => e,
            },
        )
    }

    /// Forgets tokens and asks the provider again, unless another request
    /// already did since generation `seen`.
    pub async fn reauthenticate(&self, seen: u64, www: Option<&str>) -> Result<(), Error> {
        let mut st = self.state.lock().await;
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
}
