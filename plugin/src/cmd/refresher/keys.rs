//! The refresher's long-lived AWS keys, read from the same credentials
//! chain as the ECR password, and where they were found (for the notes
//! `cronjob install` prints).

use crate::aws::credentials::{ChainInputs, Source};
use crate::aws::{AwsError, Session};
use crate::core::AwsKeys;
use crate::error::Error;

/// Long-lived AWS keys for the refresher, from the same chain as the ECR
/// password (environment, then `--profile`/`AWS_PROFILE` profile). A web
/// identity or no credentials at all give none: what STS hands out expires
/// within hours, and the refresher runs for months.
pub struct RefresherKeys {
    /// The keys, as the core's `credentials` input.
    pub keys: AwsKeys,
    /// Where they were found, for the notes.
    pub from: String,
    /// A session token came with them: temporary keys.
    pub temporary: bool,
}

/// How the notes name keys that came from the environment.
pub const ENV_KEYS: &str = "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";

/// The chain's keys (resolved once, in `session`, from `inputs`);
/// `Ok(None)` when it holds no keys to store.
pub fn refresher_keys(
    inputs: &ChainInputs,
    session: &Session,
) -> Result<Option<RefresherKeys>, Error> {
    match session.source() {
        Ok(Source::Keys(c, from)) => {
            let (c, from) = (c.clone(), from.clone());
            // Say it as before when the keys are the environment's.
            let from = if inputs.env.get("AWS_ACCESS_KEY_ID") == Some(&c.access_key_id) {
                ENV_KEYS.to_owned()
            } else {
                from
            };
            Ok(Some(RefresherKeys {
                temporary: c.session_token.is_some(),
                keys: AwsKeys {
                    access_key_id: c.access_key_id,
                    secret_access_key: c.secret_access_key,
                    session_token: c.session_token,
                },
                from,
            }))
        }
        Ok(Source::WebIdentity(_)) | Err(AwsError::NoCredentials) => Ok(None),
        Err(e) => Err(e.clone().into()),
    }
}
