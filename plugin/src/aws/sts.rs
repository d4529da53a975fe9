//! Web identity (IRSA): exchange the projected OIDC token for temporary keys
//! with STS AssumeRoleWithWebIdentity. The call is unsigned by design, so it
//! does not take the signed path (`call`) but the same retry policy; the
//! token file is read on every call because the kubelet rotates it.

use super::credentials::{Credentials, WebIdentity};
use super::{AwsError, xml_tag as tag};
use crate::retry::{self, Failure};

/// Assumes the role at the STS endpoint `url` (the core's `aws-endpoint`)
/// and returns its temporary keys.
pub async fn assume(
    client: &reqwest::Client,
    wi: &WebIdentity,
    url: &str,
) -> Result<Credentials, AwsError> {
    let token = std::fs::read_to_string(&wi.token_file).map_err(|source| AwsError::TokenFile {
        path: wi.token_file.display().to_string(),
        source: std::sync::Arc::new(source),
    })?;
    let url = url.to_owned();
    let form = [
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", wi.role_arn.as_str()),
        ("RoleSessionName", wi.session_name.as_str()),
        ("WebIdentityToken", token.trim()),
    ];
    let body: String = form
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let refused = |status: String, text: &str| AwsError::Other {
        code: tag(text, "Code").unwrap_or(status),
        message: format!(
            "STS AssumeRoleWithWebIdentity for {}: {}",
            wi.role_arn,
            tag(text, "Message").unwrap_or_default()
        ),
    };
    let attempt = |_| async {
        let sent = client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => {
                let failure = AwsError::Unreachable {
                    url: url.clone(),
                    cause: crate::causes::chain(&e),
                };
                return Err(if retry::transient_transport(&e) {
                    Failure::transient(failure)
                } else {
                    Failure::Fatal(failure)
                });
            }
        };
        let status = resp.status();
        let text = resp
            .text()
            .await
            .map_err(|e| Failure::transient(AwsError::BadResponse(e.to_string())))?;
        let code = tag(&text, "Code").unwrap_or_default();
        if retry::transient_status(status.as_u16()) || retry::throttling_code(&code) {
            return Err(Failure::transient(refused(status.to_string(), &text)));
        }
        if !status.is_success() {
            return Err(Failure::Fatal(refused(status.to_string(), &text)));
        }
        Ok(text)
    };
    let text = retry::AWS
        .run(attempt, |_, _, _| {})
        .await
        .map_err(|stopped| stopped.error)?;
    match (
        tag(&text, "AccessKeyId"),
        tag(&text, "SecretAccessKey"),
        tag(&text, "SessionToken"),
    ) {
        (Some(id), Some(secret), token) => Ok(Credentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: token,
        }),
        _ => Err(AwsError::BadResponse(
            "STS answered without credentials".into(),
        )),
    }
}

/// Form-urlencoding of one value.
fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_and_encoding() {
        let xml = "<R><Credentials><AccessKeyId>ASIA1</AccessKeyId><SessionToken> t </SessionToken></Credentials></R>";
        assert_eq!(tag(xml, "AccessKeyId").as_deref(), Some("ASIA1"));
        assert_eq!(tag(xml, "SessionToken").as_deref(), Some("t"));
        assert_eq!(tag(xml, "Nope"), None);
        assert_eq!(encode("a b/c:d"), "a%20b%2Fc%3Ad");
    }
}
