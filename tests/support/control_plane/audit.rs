//! The API server's audit log, read back to count requests: what a client
//! asked of the real server, per user, in order (issue 11 item 5: each
//! object read once; issue 15: requests per refresher run).
//!
//! The policy logs every request at level Metadata, once, when its response
//! is complete; the admin (the tests' own kubectl and the controller
//! manager) and the API server's loopback client are left out, so the log
//! holds what the code under test did.

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The audit policy (`--audit-policy-file`).
pub const POLICY: &str = "apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: None
  users: [uepe-admin, system:apiserver]
- level: Metadata
";

/// The path of every marker request, followed by its number.
pub const MARKER: &str = "/api/v1/namespaces/default/configmaps/uepe-audit-marker-";

/// One request as the audit log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audited {
    /// The API verb: `get`, `list`, `watch`, `create`, `patch`, `update`,
    /// `delete`, ... (HTTP `get`/`post`/... for non-resource paths).
    pub verb: String,
    /// The path, without the query.
    pub path: String,
    /// The query, without `?` (`dryRun=All`, `fieldManager=...`).
    pub query: String,
    /// The HTTP status of the answer.
    pub code: u16,
}

impl Audited {
    /// Whether it asked to change something (a dry run included): anything
    /// but a read.
    pub fn is_write(&self) -> bool {
        !matches!(self.verb.as_str(), "get" | "list" | "watch")
    }

    /// Whether it read `path` (an HTTP GET: `get`, `list` or `watch`).
    pub fn reads(&self, path: &str) -> bool {
        !self.is_write() && self.path == path
    }
}

/// The requests of `user` in the log at `log`, up to the marker request
/// `marker` (a path) that `user` sent last; no marker is listed. Each request is logged as its
/// handler returns, moments after the client has its answer; the marker is
/// sent after the client under test exited and is logged only once it went
/// through authentication and authorization: once it is in the log, so is
/// every request before it.
pub fn requests_of(log: &Path, user: &str, marker: &str) -> Vec<Audited> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let mut seen = Vec::new();
        for event in text
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        {
            if event["user"]["username"] != user {
                continue;
            }
            let uri = event["requestURI"].as_str().unwrap_or_default();
            let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
            if path == marker {
                return seen;
            }
            if path.starts_with(MARKER) {
                continue;
            }
            seen.push(Audited {
                verb: event["verb"].as_str().unwrap_or_default().to_owned(),
                path: path.to_owned(),
                query: query.to_owned(),
                code: event["responseStatus"]["code"]
                    .as_u64()
                    .and_then(|c| u16::try_from(c).ok())
                    .unwrap_or(0),
            });
        }
        assert!(
            Instant::now() < deadline,
            "the audit marker {marker} of {user} never reached {}",
            log.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends the marker: one GET of `marker` as the user of `kubeconfig`
/// (`kubectl get --raw` makes no discovery request). Refused or not found,
/// it is logged all the same.
pub fn send_marker(kubectl: &Path, kubeconfig: &Path, home: &Path, marker: &str) {
    let out = Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["get", "--raw", marker, "--request-timeout=10s"])
        .env_clear()
        .env("HOME", home)
        .output()
        .expect("run kubectl");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // An answer of any kind is what is needed; no answer is a broken server.
    assert!(
        out.status.success()
            || stderr.contains("Forbidden")
            || stderr.contains("forbidden")
            || stderr.contains("NotFound")
            || stderr.contains("not found"),
        "the audit marker got no answer: {stderr}"
    );
}
