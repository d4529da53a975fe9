//! Registry authentication as the distribution spec has it: the
//! `WWW-Authenticate` challenge of a 401 says Basic (send the credentials on
//! every request) or Bearer (trade them, or nothing, at the realm for a token
//! per scope). Parsing challenges, naming scopes and building the token
//! request are pure; the client in `client.rs` sends them.

use base64::Engine as _;
use std::fmt;

/// A user's credentials for one registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// User name and password (or an ECR token as password).
    Basic {
        /// User name.
        username: String,
        /// Password.
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken` in docker config).
    IdentityToken(String),
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
            Credential::IdentityToken(_) => f.write_str("IdentityToken(<redacted>)"),
        }
    }
}

impl Credential {
    /// The `Authorization` value of Basic authentication, when it has one.
    pub fn basic_header(&self) -> Option<String> {
        match self {
            Credential::Basic { username, password } => Some(format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"))
            )),
            Credential::IdentityToken(_) => None,
        }
    }
}

/// What a registry asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Challenge {
    /// Basic authentication.
    Basic,
    /// A bearer token from `realm` for `service`.
    Bearer {
        /// Token endpoint.
        realm: String,
        /// `service` parameter.
        service: Option<String>,
    },
}

/// Parses a `WWW-Authenticate` value. Of several challenges, Bearer wins
/// over Basic (it is what a registry prefers when it offers both).
pub fn parse_challenge(header: &str) -> Option<Challenge> {
    let mut found = None;
    for (scheme, params) in split_challenges(header) {
        match scheme.to_ascii_lowercase().as_str() {
            "bearer" => {
                let get = |k: &str| {
                    params
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(k))
                        .map(|(_, v)| v.clone())
                };
                if let Some(realm) = get("realm") {
                    return Some(Challenge::Bearer {
                        realm,
                        service: get("service"),
                    });
                }
            }
            "basic" => found = Some(Challenge::Basic),
            _ => {}
        }
    }
    found
}

type Params = Vec<(String, String)>;

/// Splits `Scheme k=v, k="v, with comma", Other k=v` into challenges.
fn split_challenges(header: &str) -> Vec<(String, Params)> {
    let mut out: Vec<(String, Params)> = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() {
        // A token followed by '=' is a parameter; otherwise a new scheme.
        let word_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let word = &rest[..word_end];
        let after = rest[word_end..].trim_start();
        if let Some(value_part) = after.strip_prefix('=').filter(|_| !out.is_empty()) {
            let value_part = value_part.trim_start();
            let (value, tail) = if let Some(q) = value_part.strip_prefix('"') {
                let mut v = String::new();
                let mut chars = q.char_indices();
                let mut end = q.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, n)) = chars.next() {
                                v.push(n);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => v.push(c),
                    }
                }
                (v, &q[end.min(q.len())..])
            } else {
                let e = value_part.find(',').unwrap_or(value_part.len());
                (value_part[..e].trim().to_owned(), &value_part[e..])
            };
            if let Some((_, params)) = out.last_mut() {
                params.push((word.to_owned(), value));
            }
            rest = tail.trim_start().trim_start_matches(',').trim_start();
        } else if word.is_empty() {
            rest = after.trim_start_matches(',').trim_start();
        } else {
            out.push((word.to_owned(), Vec::new()));
            rest = after.trim_start_matches(',').trim_start();
        }
    }
    out
}

/// What a request needs of a repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read.
    Pull,
    /// Read and write.
    Push,
}

/// The token scope for `repository` (and, for a cross-repository mount,
/// read access to `from`), in the form token servers take.
pub fn scope(repository: &str, access: Access, from: Option<&str>) -> String {
    let mut s = match access {
        Access::Pull => format!("repository:{repository}:pull"),
        Access::Push => format!("repository:{repository}:pull,push"),
    };
    if let Some(f) = from.filter(|f| *f != repository) {
        s.push_str(&format!(" repository:{f}:pull"));
    }
    s
}

/// How to ask the realm for a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenRequest {
    /// `GET realm?service=..&scope=..`, with Basic credentials if any.
    Get {
        /// Query parameters.
        query: Vec<(String, String)>,
    },
    /// `POST realm` form with the refresh token (OAuth2).
    Post {
        /// Form fields.
        form: Vec<(String, String)>,
    },
}

/// The token request for `scope` (space-separated scopes are sent as
/// several `scope` parameters, as docker does).
pub fn token_request(
    service: Option<&str>,
    scope: &str,
    cred: Option<&Credential>,
) -> TokenRequest {
    let mut params: Vec<(String, String)> = Vec::new();
    if let Some(s) = service {
        params.push(("service".into(), s.into()));
    }
    for s in scope.split(' ').filter(|s| !s.is_empty()) {
        params.push(("scope".into(), s.into()));
    }
    match cred {
        Some(Credential::IdentityToken(t)) => {
            params.push(("grant_type".into(), "refresh_token".into()));
            params.push(("refresh_token".into(), t.clone()));
            params.push(("client_id".into(), "kubectl-uepe".into()));
            TokenRequest::Post { form: params }
        }
        _ => TokenRequest::Get { query: params },
    }
}

/// A token server's answer (`token`, or OAuth2's `access_token`).
#[derive(serde::Deserialize)]
pub struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

impl TokenAnswer {
    /// The `Authorization` value.
    pub fn header(self) -> Option<String> {
        self.token
            .or(self.access_token)
            .filter(|t| !t.is_empty())
            .map(|t| format!("Bearer {t}"))
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_challenges() {
        assert_eq!(
            parse_challenge(r#"Basic realm="test""#),
            Some(Challenge::Basic)
        );
        assert_eq!(
            parse_challenge(
                r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:a/b:pull,push""#
            ),
            Some(Challenge::Bearer {
                realm: "https://auth.docker.io/token".into(),
                service: Some("registry.docker.io".into())
            })
        );
        assert_eq!(
            parse_challenge(r#"Basic realm="x, y", Bearer realm="https://t/x\"y""#),
            Some(Challenge::Bearer {
                realm: "https://t/x\"y".into(),
                service: None
            })
        );
        assert_eq!(parse_challenge("Negotiate"), None);
        assert_eq!(parse_challenge(""), None);
    }

    #[test]
    fn scopes_and_token_requests() {
        assert_eq!(scope("a/b", Access::Pull, None), "repository:a/b:pull");
        assert_eq!(
            scope("a/b", Access::Push, Some("c/d")),
            "repository:a/b:pull,push repository:c/d:pull"
        );
        assert_eq!(
            scope("a/b", Access::Push, Some("a/b")),
            "repository:a/b:pull,push"
        );
        let get = token_request(Some("reg"), "repository:a:pull repository:b:pull", None);
        assert_eq!(
            get,
            TokenRequest::Get {
                query: vec![
                    ("service".into(), "reg".into()),
                    ("scope".into(), "repository:a:pull".into()),
                    ("scope".into(), "repository:b:pull".into())
                ]
            }
        );
        let idt = Credential::IdentityToken("refresh".into());
        assert!(matches!(
            token_request(None, "repository:a:pull", Some(&idt)),
            TokenRequest::Post { form } if form.contains(&("refresh_token".into(), "refresh".into()))
        ));
    }

    #[test]
    fn never_shows_secrets() {
        let c = Credential::Basic {
            username: "u".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.basic_header().as_deref(), Some("Basic dTpodW50ZXIy"));
        assert!(!format!("{:?}", Credential::IdentityToken("tok".into())).contains("tok"));
        let a: TokenAnswer = serde_json::from_str(r#"{"access_token":"abc"}"#).expect("json");
        assert_eq!(a.header().as_deref(), Some("Bearer abc"));
    }
}
