//! The token server of a registry with bearer authentication: the real
//! distribution registry is configured with `auth: token` and trusts a
//! self-signed certificate made here; this small HTTP server (std threads,
//! one request per connection) answers the Docker token protocol — `GET
//! realm?service&scope` with Basic credentials, or the OAuth2 `POST` with a
//! refresh token — with ES256 JWTs carrying that certificate (`x5c`) and
//! granting every scope asked for.

use base64::Engine as _;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// The `service` the registry expects in tokens.
pub const SERVICE: &str = "uepe-test-registry";
/// The issuer.
pub const ISSUER: &str = "uepe-test-issuer";
/// The refresh token (docker config `identitytoken`) the server accepts.
pub const REFRESH_TOKEN: &str = "loopback-refresh-token";

/// A running token server.
pub struct TokenServer {
    /// `http://127.0.0.1:PORT/token`.
    pub realm: String,
    /// Path of the certificate (PEM) the registry must trust.
    pub cert: std::path::PathBuf,
    /// Token requests answered: (GET with Basic, POST with refresh token).
    pub answered: Arc<(AtomicUsize, AtomicUsize)>,
    /// Scopes asked, in order.
    pub scopes: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn query_values(query: &str, key: &str) -> Vec<String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .filter(|(k, _)| *k == key)
        .map(|(_, v)| decode(v))
        .collect()
}

fn decode(v: &str) -> String {
    let v = v.replace('+', " ");
    let mut out = Vec::new();
    let b = v.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(n) = u8::from_str_radix(&v[i + 1..i + 3], 16)
        {
            out.push(n);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl TokenServer {
    /// Starts one; `basic` is the accepted `user:password`.
    pub fn start(dir: &Path, basic: (&str, &str)) -> TokenServer {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
        let cert = rcgen::CertificateParams::new(vec!["uepe-test-issuer".to_owned()])
            .expect("params")
            .self_signed(&key)
            .expect("certificate");
        let cert_path = dir.join("token-cert.pem");
        std::fs::write(&cert_path, cert.pem()).expect("write cert");
        let rng = ring::rand::SystemRandom::new();
        let signer = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &rng,
        )
        .expect("signing key");
        let header = b64(serde_json::json!({
            "alg": "ES256", "typ": "JWT",
            "x5c": [base64::engine::general_purpose::STANDARD.encode(cert.der())],
        })
        .to_string()
        .as_bytes());
        let listener = TcpListener::bind("127.0.0.1:0").expect("token port");
        let realm = format!("http://{}/token", listener.local_addr().expect("addr"));
        listener.set_nonblocking(true).expect("nonblocking");
        let expected_basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", basic.0, basic.1))
        );
        let answered = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
        let scopes = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, sc, st) = (answered.clone(), scopes.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut jti = 0u64;
            while !st.load(Ordering::Relaxed) {
                let Ok((mut conn, _)) = listener.accept() else {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    continue;
                };
                conn.set_nonblocking(false).ok();
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Read the head and, for a POST, its form body.
                let (head, body) = loop {
                    let n = conn.read(&mut chunk).unwrap_or(0);
                    if n == 0 {
                        break (String::new(), String::new());
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..end]).into_owned();
                        let len: usize = head
                            .lines()
                            .find_map(|l| {
                                let (k, v) = l.split_once(':')?;
                                k.eq_ignore_ascii_case("content-length")
                                    .then(|| v.trim().parse().ok())?
                            })
                            .unwrap_or(0);
                        while buf.len() < end + 4 + len {
                            let n = conn.read(&mut chunk).unwrap_or(0);
                            if n == 0 {
                                break;
                            }
                            buf.extend_from_slice(&chunk[..n]);
                        }
                        let body = String::from_utf8_lossy(&buf[end + 4..]).into_owned();
                        break (head, body);
                    }
                };
                let first = head.lines().next().unwrap_or_default().to_owned();
                let target = first.split(' ').nth(1).unwrap_or_default();
                let query = target.split_once('?').map_or("", |(_, q)| q).to_owned();
                let auth = head.lines().find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("authorization")
                        .then(|| v.trim().to_owned())
                });
                let (granted, scopes_asked, key) = if first.starts_with("GET ") {
                    (
                        auth.as_deref() == Some(expected_basic.as_str()),
                        query_values(&query, "scope"),
                        "token",
                    )
                } else {
                    let ok = query_values(&body, "refresh_token") == [REFRESH_TOKEN]
                        && query_values(&body, "grant_type") == ["refresh_token"];
                    (ok, query_values(&body, "scope"), "access_token")
                };
                let response = if granted {
                    if key == "token" {
                        a.0.fetch_add(1, Ordering::Relaxed);
                    } else {
                        a.1.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Ok(mut s) = sc.lock() {
                        s.extend(scopes_asked.iter().cloned());
                    }
                    let access: Vec<serde_json::Value> = scopes_asked
                        .iter()
                        .filter_map(|s| {
                            let mut p = s.split(':');
                            let (kind, name, actions) = (p.next()?, p.next()?, p.next()?);
                            Some(serde_json::json!({
                                "type": kind, "name": name,
                                "actions": actions.split(',').collect::<Vec<_>>(),
                            }))
                        })
                        .collect();
                    let now = SystemTime::now()
                        .duration_since(UNIX_EPOCH)
                        .map(|d| d.as_secs())
                        .unwrap_or(0);
                    jti += 1;
                    let claims = b64(serde_json::json!({
                        "iss": ISSUER, "sub": "mirror", "aud": SERVICE,
                        "exp": now + 300, "nbf": now - 10, "iat": now, "jti": jti.to_string(),
                        "access": access,
                    })
                    .to_string()
                    .as_bytes());
                    let signing_input = format!("{header}.{claims}");
                    let sig = signer.sign(&rng, signing_input.as_bytes()).expect("sign");
                    let token = format!("{signing_input}.{}", b64(sig.as_ref()));
                    let body = serde_json::json!({ key: token, "expires_in": 300 }).to_string();
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                } else {
                    "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_owned()
                };
                let _ = conn.write_all(response.as_bytes());
            }
        });
        TokenServer {
            realm,
            cert: cert_path,
            answered,
            scopes,
            stop,
        }
    }

    /// The registry's `auth` section for this server.
    pub fn auth_config(&self) -> String {
        format!(
            "auth:\n  token:\n    realm: {}\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
            self.realm,
            self.cert.display()
        )
    }
}
