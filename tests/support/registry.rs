//! Real CNCF distribution registries (Debian `docker-registry`) on free
//! loopback ports with htpasswd authentication (bcrypt cost 4), for the
//! mirror tests and benchmark; the multi-arch fixtures they are seeded with
//! (`fixture`, pushed by skopeo from an OCI layout built here), a small HTTP
//! client to look inside them (`http`), a fault-injecting proxy
//! (`proxy`), and a token server for a registry with bearer auth (`token`).
//! Each registry keeps its access log, so tests count requests.

#![allow(dead_code, clippy::expect_used, clippy::unwrap_used)]

// Explicit paths: the benchmark includes this file with `#[path]`, where
// the default lookup of child modules differs.
#[path = "registry/fixture.rs"]
pub mod fixture;
#[path = "registry/http.rs"]
pub mod http;
#[path = "registry/proxy.rs"]
pub mod proxy;
#[path = "registry/token.rs"]
pub mod token;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::peers;

/// User and password of the test registries (throwaway, loopback only).
pub const USER: &str = "mirror";
/// See [`USER`].
pub const PASSWORD: &str = "loopback-only";

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// `docker-registry` and `skopeo`, or `None` after a loud skip (a failure in CI).
pub fn peers_present() -> bool {
    peers::require(
        "docker-registry",
        "apt-get install docker-registry (tests/peers/install.sh)",
    )
    .is_some()
        && peers::require("skopeo", "apt-get install skopeo (tests/peers/install.sh)").is_some()
}

/// A running registry; stopped (killed by its process id) on drop.
pub struct Registry {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub host: String,
    /// Its directory (storage, config, logs).
    pub dir: PathBuf,
    users: Vec<(String, String)>,
}

impl Registry {
    /// Starts a registry in `dir` accepting `users` (user, password).
    pub fn start(dir: &Path, users: &[(&str, &str)]) -> Registry {
        std::fs::create_dir_all(dir).expect("registry dir");
        let htpasswd: String = users
            .iter()
            .map(|(u, p)| format!("{u}:{}\n", bcrypt::hash(p, 4).expect("bcrypt")))
            .collect();
        std::fs::write(dir.join("htpasswd"), htpasswd).expect("htpasswd");
        let auth = format!(
            "auth:\n  htpasswd:\n    realm: test\n    path: {}\n",
            dir.join("htpasswd").display()
        );
        Self::start_with_auth(dir, users, &auth)
    }

    /// Starts a registry in `dir` with the given `auth:` section.
    pub fn start_with_auth(dir: &Path, users: &[(&str, &str)], auth: &str) -> Registry {
        std::fs::create_dir_all(dir).expect("registry dir");
        for _ in 0..5 {
            let port = free_port();
            let config = format!(
                "version: 0.1\nlog:\n  level: warn\n  accesslog:\n    disabled: false\n\
                 storage:\n  filesystem:\n    rootdirectory: {root}\n  delete:\n    enabled: true\n\
                 http:\n  addr: 127.0.0.1:{port}\n  secret: loopback-test-secret\n{auth}",
                root = dir.join("data").display(),
            );
            std::fs::write(dir.join("config.yml"), config).expect("config");
            let log = std::fs::File::create(dir.join("access.log")).expect("log");
            let err = std::fs::File::create(dir.join("registry.log")).expect("log");
            let mut child = Command::new("docker-registry")
                .arg("serve")
                .arg(dir.join("config.yml"))
                .stdout(Stdio::from(log))
                .stderr(Stdio::from(err))
                .spawn()
                .expect("start docker-registry");
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Registry {
                        child,
                        host: format!("127.0.0.1:{port}"),
                        dir: dir.to_path_buf(),
                        users: users
                            .iter()
                            .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
                            .collect(),
                    };
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "docker-registry did not start: {}",
            std::fs::read_to_string(dir.join("registry.log")).unwrap_or_default()
        );
    }

    /// Starts one with the standard test user.
    pub fn start_default(dir: &Path) -> Registry {
        Self::start(dir, &[(USER, PASSWORD)])
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A client authenticated as the first user.
    pub fn client(&self) -> http::Client {
        let (u, p) = &self.users[0];
        http::Client::new(&self.host, Some((u, p)))
    }

    /// `(method, path, status)` of every request so far, from the access log.
    pub fn requests(&self) -> Vec<(String, String, u16)> {
        let log = std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default();
        log.lines()
            .filter_map(|l| {
                let q = l.split('"').nth(1)?;
                let mut parts = q.split(' ');
                let method = parts.next()?.to_owned();
                let path = parts.next()?.to_owned();
                let status = l
                    .split('"')
                    .nth(2)?
                    .split_whitespace()
                    .next()?
                    .parse()
                    .ok()?;
                Some((method, path, status))
            })
            .collect()
    }

    /// Requests that write a blob: upload starts (POST) and completions (PUT).
    pub fn blob_writes(&self) -> usize {
        self.requests()
            .iter()
            .filter(|(m, p, _)| {
                (m == "POST" || m == "PUT" || m == "PATCH") && p.contains("/blobs/uploads/")
            })
            .count()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `DIR/config.json` with `auths` entries for `hosts` (the standard
/// test user), and returns `DIR` for `DOCKER_CONFIG`.
pub fn docker_config(dir: &Path, hosts: &[&str]) -> PathBuf {
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let auths: serde_json::Map<String, serde_json::Value> = hosts
        .iter()
        .map(|h| ((*h).to_owned(), serde_json::json!({ "auth": auth })))
        .collect();
    std::fs::create_dir_all(dir).expect("docker config dir");
    std::fs::write(
        dir.join("config.json"),
        serde_json::json!({ "auths": auths }).to_string(),
    )
    .expect("docker config");
    dir.to_path_buf()
}
