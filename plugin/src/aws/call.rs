//! The one path every signed AWS call takes (GetAuthorizationToken and the
//! mirror's DescribeRepositories / CreateRepository): the request the core
//! described, signed with SigV4, sent with reqwest, retried with the crate's
//! one policy ([`crate::retry::AWS`]), and its answer turned into either
//! the body or AWS's refusal (error code and message) for the caller to
//! classify. Transport failures become the endpoint's error here, once.

use std::time::SystemTime;

use super::AwsError;
use super::credentials::Credentials;
use super::ecr::EcrRequest;
use crate::retry::{self, Failure, Stopped};

/// What AWS answered to a call it received.
#[derive(Debug)]
pub enum Answer {
    /// 2xx, with its body.
    Accepted(Vec<u8>),
    /// An error AWS will answer again: its code (`__type` without the
    /// namespace, or the HTTP status) and message.
    Refused {
        /// The error code.
        code: String,
        /// AWS's message.
        message: String,
    },
}

/// Why one attempt did not get an answer.
enum Trouble {
    /// Throttled, a 5xx, or a body cut short: the code or status.
    Busy(String),
    /// The connection failed: the error and its causes.
    Transport(String),
    /// Nothing to retry.
    Failed(AwsError),
}

/// AWS's error code and message.
struct ErrorBody {
    kind: String,
    message: String,
}

/// Reads an error answer: JSON for the AWS JSON protocol (`__type`, and
/// `message` or `Message` — some services send both); some front ends
/// answer auth errors in the query protocol's XML instead.
fn error_body(bytes: &[u8]) -> ErrorBody {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(v) => ErrorBody {
            kind: v["__type"].as_str().unwrap_or_default().to_owned(),
            message: v["message"]
                .as_str()
                .or(v["Message"].as_str())
                .unwrap_or_default()
                .to_owned(),
        },
        Err(_) => {
            let text = String::from_utf8_lossy(bytes);
            ErrorBody {
                kind: super::xml_tag(&text, "Code").unwrap_or_default(),
                message: super::xml_tag(&text, "Message").unwrap_or_default(),
            }
        }
    }
}

/// Signs and sends `req`, retrying what may pass.
pub async fn signed(
    http: &reqwest::Client,
    req: &EcrRequest,
    creds: &Credentials,
) -> Result<Answer, AwsError> {
    let outcome = retry::AWS
        .run(|_| attempt(http, req, creds), |_, _, _| {})
        .await;
    outcome.map_err(
        |Stopped {
             error, attempts, ..
         }| match error {
            Trouble::Busy(code) => AwsError::GaveUp { code, attempts },
            Trouble::Transport(cause) => connect_error(req, cause),
            Trouble::Failed(e) => e,
        },
    )
}

async fn attempt(
    http: &reqwest::Client,
    req: &EcrRequest,
    creds: &Credentials,
) -> Result<Answer, Failure<Trouble>> {
    let headers = sign(req, creds, SystemTime::now()).map_err(Trouble::Failed)?;
    let mut builder = http.post(&req.url).body(req.body.clone());
    for (k, v) in &headers {
        builder = builder.header(k, v);
    }
    let resp = match builder.send().await {
        Ok(r) => r,
        Err(e) => {
            let trouble = Trouble::Transport(crate::causes::chain(&e));
            return Err(if retry::transient_transport(&e) {
                Failure::transient(trouble)
            } else {
                Failure::Fatal(trouble)
            });
        }
    };
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|_| Failure::transient(Trouble::Busy("broken response".into())))?;
    if status.is_success() {
        return Ok(Answer::Accepted(bytes.to_vec()));
    }
    let body = error_body(&bytes);
    let code = body.kind.rsplit('#').next().unwrap_or_default().to_owned();
    let code = if code.is_empty() {
        status.as_u16().to_string()
    } else {
        code
    };
    if retry::transient_status(status.as_u16()) || retry::throttling_code(&code) {
        return Err(Failure::transient(Trouble::Busy(code)));
    }
    Ok(Answer::Refused {
        code,
        message: body.message,
    })
}

/// The endpoint's error for a connection that failed (`cause`: the
/// transport error with its causes, which names DNS, refusal or TLS and
/// holds no secret).
fn connect_error(req: &EcrRequest, cause: String) -> AwsError {
    let host = reqwest::Url::parse(&req.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    // The resolver's own words, without the URL and host said before them.
    match (retry::resolver_words(&cause), req.known_region) {
        // A region AWS lacks has no endpoint: the region is what to fix.
        (Some(_), false) => AwsError::UnknownRegion {
            host,
            region: req.region.clone(),
        },
        // A real region's endpoint always resolves on the internet.
        (Some(words), true) => AwsError::CannotResolve {
            host,
            cause: words.to_owned(),
        },
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

#[cfg(test)]
mod tests {
    use super::error_body;

    #[test]
    fn reads_error_answers_of_either_protocol() {
        // moto's repository errors carry both spellings of the message.
        let b = error_body(
            br#"{"__type":"RepositoryNotFoundException","message":"gone","Message":"gone"}"#,
        );
        assert_eq!(
            (b.kind.as_str(), b.message.as_str()),
            ("RepositoryNotFoundException", "gone")
        );
        let b = error_body(br#"{"__type":"com.amazon#AccessDeniedException","Message":"no"}"#);
        assert_eq!(
            (b.kind.as_str(), b.message.as_str()),
            ("com.amazon#AccessDeniedException", "no")
        );
        let b = error_body(b"<ErrorResponse><Error><Code>ExpiredToken</Code><Message>old</Message></Error></ErrorResponse>");
        assert_eq!(
            (b.kind.as_str(), b.message.as_str()),
            ("ExpiredToken", "old")
        );
    }
}
