//! ECR GetAuthorizationToken over the AWS JSON 1.1 protocol: the request the
//! core described ([`EcrRequest`], also the shape of the mirror's repository
//! calls), sent through the one signed-call path (`call`), and its answer or
//! AWS's refusal turned into a [`Token`] or the cause of the failure.

use base64::Engine as _;
use serde::Deserialize;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::AwsError;
use super::call::{Answer, signed};
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

/// Gets a password through the one signed-call path.
pub async fn get_token(
    client: &reqwest::Client,
    req: &EcrRequest,
    creds: &Credentials,
) -> Result<Token, AwsError> {
    match signed(client, req, creds).await? {
        Answer::Accepted(bytes) => parse_token(&bytes),
        Answer::Refused { code, message } => Err(classify(&code, &message, creds)),
    }
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
