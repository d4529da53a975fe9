//! The pull password's expiry as `cronjob status` and `doctor` say it:
//! times relative to now. (The annotation holding it is the core's
//! `conventions`, read through `plan::Plan::expiry`.)

use std::time::{Duration, SystemTime};

/// A time as RFC 3339 and how long ago / until.
pub fn when(t: &str) -> String {
    match humantime::parse_rfc3339_weak(t.trim_end_matches('Z')) {
        Ok(at) => match at.duration_since(SystemTime::now()) {
            Ok(d) => format!("{t} (in {})", short(d)),
            Err(e) => format!("{t} ({} ago)", short(e.duration())),
        },
        Err(_) => t.to_owned(),
    }
}

/// A duration as `5m` or `2h05m`.
fn short(d: Duration) -> String {
    let m = d.as_secs() / 60;
    if m >= 60 {
        format!("{}h{:02}m", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

/// Seconds from now to an RFC 3339 time (negative when past).
pub fn seconds_until(t: &str) -> Option<i64> {
    let at = humantime::parse_rfc3339_weak(t.trim_end_matches('Z')).ok()?;
    Some(match at.duration_since(SystemTime::now()) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    })
}
