//! A minimal HTTP/1.1 client over a std `TcpStream` (one request per
//! connection), enough to look inside a test registry: which manifests and
//! blobs it holds.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// An answer.
#[derive(Debug)]
pub struct Answer {
    /// Status code.
    pub status: u16,
    /// Headers, names lowercased.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A client for one registry.
pub struct Client {
    host: String,
    auth: Option<String>,
}

/// Media types a manifest request accepts.
pub const ACCEPT: &str = "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";

impl Client {
    /// A client for `host`, with Basic credentials if given.
    pub fn new(host: &str, basic: Option<(&str, &str)>) -> Client {
        use base64::Engine as _;
        Client {
            host: host.to_owned(),
            auth: basic.map(|(u, p)| {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
                )
            }),
        }
    }

    /// Sends `method path`.
    pub fn send(&self, method: &str, path: &str) -> Answer {
        let mut s = TcpStream::connect(&self.host).expect("connect to the registry");
        s.set_read_timeout(Some(Duration::from_secs(30))).ok();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAccept: {ACCEPT}\r\nConnection: close\r\n",
            self.host
        );
        if let Some(a) = &self.auth {
            req.push_str(&format!("Authorization: {a}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).expect("send");
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).expect("read");
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a response head");
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .expect("a status line");
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Answer {
            status,
            headers,
            body: raw[end + 4..].to_vec(),
        }
    }

    /// Whether `repo` has manifest `reference`.
    pub fn has_manifest(&self, repo: &str, reference: &str) -> bool {
        self.send("HEAD", &format!("/v2/{repo}/manifests/{reference}"))
            .status
            == 200
    }

    /// The digest `repo:reference` has, if any.
    pub fn manifest_digest(&self, repo: &str, reference: &str) -> Option<String> {
        let a = self.send("HEAD", &format!("/v2/{repo}/manifests/{reference}"));
        (a.status == 200)
            .then(|| a.header("docker-content-digest").map(str::to_owned))
            .flatten()
    }

    /// Whether `repo` has blob `digest`.
    pub fn has_blob(&self, repo: &str, digest: &str) -> bool {
        self.send("HEAD", &format!("/v2/{repo}/blobs/{digest}"))
            .status
            == 200
    }
}
