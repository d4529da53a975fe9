//! ECR GetAuthorizationToken over the AWS JSON 1.1 protocol: the request the
//! core described, signed with SigV4, sent with reqwest, retried as the SDKs'
//! standard mode does (3 attempts, exponential backoff with full jitter, on
//! throttling and 5xx only), and the answer or error turned into one type.

use base64::Engine as _;
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::AwsError;
use super::credentials::Credentials;

/// The call the core described (`ecr-call`), with the STS endpoint of its
/// region (`aws-endpoint`) for a web identity's keys.
#[derive(Debug, Clone)]
pub struct EcrRequest {
    /// Region to sign for.
    pub region: String,
    /// SigV4 service name.
    pub signing_name: String,
    /// URL to POST to.
    pub url: String,
    /// `X-Amz-Target`.
    pub target: String,
    /// `Content-Type`.
    pub content_type: String,
    /// Body.
    pub body: String,
    /// Registry host to log in to.
    pub registry_host: String,
    /// Key of the docker config entry.
    pub server: String,
    /// Whether AWS has this region (the core's table).
    pub known_region: bool,
    /// Where a web identity's token is exchanged for keys (STS).
    pub sts_url: String,
}

/// A registry password and when it expires.
#[derive(Clone)]
pub struct Token {
    /// The user name (always `AWS` for ECR).
    pub username: String,
    /// The password.
    pub password: String,
    /// Expiry.
    pub expires_at: SystemTime,
    /// The caller's own registry endpoint (not used as the secret's key).
    pub proxy_endpoint: String,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Attempts, as the SDKs' standard retry mode.
pub const MAX_ATTEMPTS: u32 = 3;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthData {
    authorization_token: String,
    expires_at: f64,
    #[serde(default)]
    proxy_endpoint: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthResponse {
    authorization_data: Vec<AuthData>,
}

#[derive(Deserialize, Default)]
struct ErrorBody {
    #[serde(rename = "__type", default)]
    kind: String,
    #[serde(alias = "Message", default)]
    message: String,
}

/// Gets a password, retrying what may succeed on a retry.
pub async fn get_token(
    client: &reqwest::Client,
    req: &EcrRequest,
    creds: &Credentials,
) -> Result<Token, AwsError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        match try_once(client, req, creds).await {
            Err(Attempt::Retryable(code)) if attempt < MAX_ATTEMPTS => {
                // Full jitter: uniform in [0, min(20 s, 1 s * 2^attempt)).
                let cap = (1u64 << attempt).min(20) as f64;
                tokio::time::sleep(Duration::from_secs_f64(fastrand::f64() * cap)).await;
                let _ = code;
            }
            Err(Attempt::Retryable(code)) => {
                return Err(AwsError::GaveUp {
                    code,
                    attempts: attempt,
                });
            }
            Err(Attempt::Fatal(e)) => return Err(e),
            Ok(t) => return Ok(t),
        }
    }
}

enum Attempt {
    Retryable(String),
    Fatal(AwsError),
}

async fn try_once(
    client: &reqwest::Client,
    req: &EcrRequest,
    creds: &Credentials,
) -> Result<Token, Attempt> {
    let headers = sign(req, creds, SystemTime::now()).map_err(Attempt::Fatal)?;
    let mut builder = client.post(&req.url).body(req.body.clone());
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    let resp = match builder.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return Err(Attempt::Retryable("timeout".into())),
        Err(e) => return Err(Attempt::Fatal(connect_error(req, &e))),
    };
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|_| Attempt::Retryable("broken response".into()))?;
    if status.is_success() {
        return parse_token(&bytes).map_err(Attempt::Fatal);
    }
    // JSON for the AWS JSON protocol; some front ends answer auth errors in
    // the query protocol's XML instead.
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_else(|_| {
        let text = String::from_utf8_lossy(&bytes);
        ErrorBody {
            kind: super::xml_tag(&text, "Code").unwrap_or_default(),
            message: super::xml_tag(&text, "Message").unwrap_or_default(),
        }
    });
    let code = body.kind.rsplit('#').next().unwrap_or_default().to_owned();
    let code = if code.is_empty() {
        status.as_u16().to_string()
    } else {
        code
    };
    if status.is_server_error()
        || status.as_u16() == 429
        || code.contains("Throttl")
        || code == "RequestLimitExceeded"
    {
        return Err(Attempt::Retryable(code));
    }
    Err(Attempt::Fatal(classify(&code, &body.message, creds)))
}

/// Maps an AWS error code to its cause.
fn classify(code: &str, message: &str, creds: &Credentials) -> AwsError {
    let id = creds.access_key_id.clone();
    match code {
        "UnrecognizedClientException" | "InvalidClientTokenId" => AwsError::UnknownAccessKey(id),
        "RequestExpired" | "RequestTimeTooSkewed" => AwsError::ClockSkew,
        "InvalidSignatureException" | "SignatureDoesNotMatch" if message.contains("expired") => {
            AwsError::ClockSkew
        }
        "InvalidSignatureException" | "SignatureDoesNotMatch" => AwsError::SignatureMismatch(id),
        "ExpiredTokenException" | "ExpiredToken" => AwsError::ExpiredToken,
        "AccessDeniedException" | "AccessDenied" => AwsError::AccessDenied {
            principal: id,
            message: message.to_owned(),
        },
        _ => AwsError::Other {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    }
}

fn connect_error(req: &EcrRequest, e: &reqwest::Error) -> AwsError {
    // The chain names the cause (DNS, refused, TLS); it holds no secret.
    let cause = crate::error::chain(e);
    let host = reqwest::Url::parse(&req.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    // The resolver's own words, without the URL and host said before them.
    let resolver = ["dns error", "failed to lookup address"]
        .iter()
        .find_map(|m| cause.find(m))
        .map(|at| cause[at..].to_owned());
    match (resolver, req.known_region) {
        // A region AWS lacks has no endpoint: the region is what to fix.
        (Some(_), false) => AwsError::UnknownRegion {
            host,
            region: req.region.clone(),
        },
        // A real region's endpoint always resolves on the internet.
        (Some(cause), true) => AwsError::CannotResolve { host, cause },
        (None, _) => AwsError::Unreachable {
            url: req.url.clone(),
            cause,
        },
    }
}

/// The SigV4 headers for the request at `time`.
pub fn sign(
    req: &EcrRequest,
    creds: &Credentials,
    time: SystemTime,
) -> Result<Vec<(String, String)>, AwsError> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let identity = aws_credential_types::Credentials::new(
        &creds.access_key_id,
        &creds.secret_access_key,
        creds.session_token.clone(),
        None,
        "kubectl-uepe",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&req.region)
        .name(&req.signing_name)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| AwsError::Signing(e.to_string()))?
        .into();
    let mut headers = vec![
        ("content-type".to_owned(), req.content_type.clone()),
        ("x-amz-target".to_owned(), req.target.clone()),
    ];
    let signable = SignableRequest::new(
        "POST",
        &req.url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(req.body.as_bytes()),
    )
    .map_err(|e| AwsError::Signing(e.to_string()))?;
    let (instructions, _) = sign(signable, &params)
        .map_err(|e| AwsError::Signing(e.to_string()))?
        .into_parts();
    headers.extend(
        instructions
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    Ok(headers)
}

/// Parses the JSON answer: `authorizationToken` is base64 of `USER:PASSWORD`.
fn parse_token(bytes: &[u8]) -> Result<Token, AwsError> {
    let resp: AuthResponse = serde_json::from_slice(bytes)
        .map_err(|e| AwsError::BadResponse(format!("not GetAuthorizationToken JSON ({e})")))?;
    let data = resp
        .authorization_data
        .into_iter()
        .next()
        .ok_or_else(|| AwsError::BadResponse("no authorizationData".into()))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(data.authorization_token.trim())
        .map_err(|_| AwsError::BadResponse("authorizationToken is not base64".into()))?;
    let text = String::from_utf8(decoded)
        .map_err(|_| AwsError::BadResponse("authorizationToken is not text".into()))?;
    let (user, password) = text
        .split_once(':')
        .ok_or_else(|| AwsError::BadResponse("authorizationToken is not USER:PASSWORD".into()))?;
    let expires_at = UNIX_EPOCH + Duration::from_secs_f64(data.expires_at.max(0.0));
    Ok(Token {
        username: user.to_owned(),
        password: password.to_owned(),
        expires_at,
        proxy_endpoint: data.proxy_endpoint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_token() {
        let tok = base64::engine::general_purpose::STANDARD.encode("AWS:pw-123");
        let body = format!(
            r#"{{"authorizationData":[{{"authorizationToken":"{tok}","expiresAt":1764331200.5,"proxyEndpoint":"https://1.dkr.ecr.eu-west-1.amazonaws.com"}}]}}"#
        );
        let t = parse_token(body.as_bytes()).expect("parses");
        assert_eq!(
            (t.username.as_str(), t.password.as_str()),
            ("AWS", "pw-123")
        );
        assert_eq!(
            t.expires_at
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .ok(),
            Some(1764331200)
        );
        assert!(!format!("{t:?}").contains("pw-123"));
    }

    #[test]
    fn classifies() {
        let c = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "s".into(),
            session_token: None,
        };
        assert!(matches!(
            classify("InvalidSignatureException", "Signature mismatch", &c),
            AwsError::SignatureMismatch(_)
        ));
        assert!(matches!(
            classify("InvalidSignatureException", "Signature expired: 2026", &c),
            AwsError::ClockSkew
        ));
        assert!(matches!(
            classify("UnrecognizedClientException", "", &c),
            AwsError::UnknownAccessKey(_)
        ));
        assert!(matches!(
            classify("ExpiredTokenException", "", &c),
            AwsError::ExpiredToken
        ));
    }
}
