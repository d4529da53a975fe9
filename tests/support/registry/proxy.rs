//! A fault injector between the plugin and a test registry: an HTTP/1.1
//! proxy on its own loopback port (one request per connection) that passes
//! everything through except what its [`Fault`] changes — one blob's bytes
//! flipped, responses slowed, monolithic uploads refused, every nth request
//! failed (503, or a blob cut off halfway), or a credential that "expires"
//! (answered 403) after some requests.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// What the proxy does wrong.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Nothing.
    None,
    /// GETs of this blob get one byte flipped.
    CorruptBlob(String),
    /// Each response at most this many bytes per second.
    Throttle(u64),
    /// PUTs with a body to an upload URL get 405 (chunked uploads pass).
    RefuseMonolithic,
    /// Every `n`th request fails: a blob GET loses its connection halfway
    /// through the body, anything else gets 503.
    Flaky(usize),
    /// After `after` requests carrying `authorization`, that value gets 403.
    ExpireAuth {
        /// Requests allowed.
        after: usize,
        /// The `Authorization` header value that expires.
        authorization: String,
    },
}

/// A running proxy; stops accepting on drop.
pub struct Proxy {
    /// `127.0.0.1:PORT`.
    pub host: String,
    stop: Arc<AtomicBool>,
    /// Requests refused or changed by the fault.
    pub faults: Arc<AtomicUsize>,
    /// Requests seen.
    pub requests: Arc<AtomicUsize>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`HOST:PORT`).
    pub fn start(upstream: &str, fault: Fault) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy port");
        let host = format!("127.0.0.1:{}", listener.local_addr().expect("addr").port());
        listener.set_nonblocking(true).expect("nonblocking");
        let stop = Arc::new(AtomicBool::new(false));
        let faults = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let seen_auth = Arc::new(AtomicUsize::new(0));
        let (s, f, r, upstream) = (
            stop.clone(),
            faults.clone(),
            requests.clone(),
            upstream.to_owned(),
        );
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((conn, _)) => {
                        let (fault, f, r, up, seen) = (
                            fault.clone(),
                            f.clone(),
                            r.clone(),
                            upstream.clone(),
                            seen_auth.clone(),
                        );
                        std::thread::spawn(move || {
                            let _ = serve(conn, &up, &fault, &f, &r, &seen);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Proxy {
            host,
            stop,
            faults,
            requests,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn read_head(s: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 4096];
    loop {
        let n = s.read(&mut byte)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&byte[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf[end + 4..].to_vec();
            return Ok((String::from_utf8_lossy(&buf[..end]).into_owned(), rest));
        }
    }
}

fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The head with `Connection: close` instead of any connection header.
fn closing(head: &str) -> String {
    let mut out: Vec<&str> = head
        .lines()
        .filter(|l| {
            !l.split_once(':')
                .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("connection"))
        })
        .collect();
    out.push("Connection: close");
    out.join("\r\n") + "\r\n\r\n"
}

/// Copies `n` body bytes (`rest` first) from `from` to `to` (or drops them).
fn pass_body(
    from: &mut TcpStream,
    mut to: Option<&mut TcpStream>,
    rest: &[u8],
    n: u64,
) -> std::io::Result<()> {
    let mut left = n;
    let first = &rest[..rest.len().min(n as usize)];
    if let Some(t) = to.as_deref_mut() {
        t.write_all(first)?;
    }
    left -= first.len() as u64;
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let want = buf.len().min(left as usize);
        let got = from.read(&mut buf[..want])?;
        if got == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if let Some(t) = to.as_deref_mut() {
            t.write_all(&buf[..got])?;
        }
        left -= got as u64;
    }
    Ok(())
}

fn refuse(client: &mut TcpStream, status: &str, code: &str) -> std::io::Result<()> {
    let body =
        format!(r#"{{"errors":[{{"code":"{code}","message":"refused by the test proxy"}}]}}"#);
    write!(
        client,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn serve(
    mut client: TcpStream,
    upstream: &str,
    fault: &Fault,
    faults: &AtomicUsize,
    requests: &AtomicUsize,
    seen_auth: &AtomicUsize,
) -> std::io::Result<()> {
    client.set_nonblocking(false)?;
    let (head, rest) = read_head(&mut client)?;
    requests.fetch_add(1, Ordering::Relaxed);
    let mut first = head.lines().next().unwrap_or_default().split(' ');
    let (method, path) = (
        first.next().unwrap_or_default().to_owned(),
        first.next().unwrap_or_default().to_owned(),
    );
    let body_len: u64 = header(&head, "content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let nth = requests.load(Ordering::Relaxed);
    let blob_get = method == "GET" && path.contains("/blobs/sha256:");
    let cut = matches!(fault, Fault::Flaky(n) if nth.is_multiple_of(*n) && blob_get);
    if matches!(fault, Fault::Flaky(n) if nth.is_multiple_of(*n) && !blob_get) {
        pass_body(&mut client, None, &rest, body_len)?;
        faults.fetch_add(1, Ordering::Relaxed);
        return refuse(&mut client, "503 Service Unavailable", "UNAVAILABLE");
    }
    match fault {
        Fault::RefuseMonolithic
            if method == "PUT" && path.contains("/blobs/uploads/") && body_len > 0 =>
        {
            pass_body(&mut client, None, &rest, body_len)?;
            faults.fetch_add(1, Ordering::Relaxed);
            return refuse(&mut client, "405 Method Not Allowed", "UNSUPPORTED");
        }
        Fault::ExpireAuth {
            after,
            authorization,
        } if header(&head, "authorization") == Some(authorization.as_str())
            && seen_auth.fetch_add(1, Ordering::Relaxed) >= *after =>
        {
            pass_body(&mut client, None, &rest, body_len)?;
            faults.fetch_add(1, Ordering::Relaxed);
            return refuse(&mut client, "403 Forbidden", "DENIED");
        }
        _ => {}
    }
    let mut up = TcpStream::connect(upstream)?;
    up.write_all(closing(&head).as_bytes())?;
    pass_body(&mut client, Some(&mut up), &rest, body_len)?;
    let (resp_head, resp_rest) = read_head(&mut up)?;
    client.write_all(closing(&resp_head).as_bytes())?;
    let corrupt = matches!(fault, Fault::CorruptBlob(d) if method == "GET" && path.ends_with(&format!("/blobs/{d}")));
    let mut sent = 0u64;
    let started = Instant::now();
    let mut chunk = resp_rest;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        if cut && sent > 1000 {
            faults.fetch_add(1, Ordering::Relaxed);
            return client.shutdown(Shutdown::Both);
        }
        if !chunk.is_empty() {
            if corrupt && sent <= 1000 && sent + chunk.len() as u64 > 1000 {
                chunk[(1000 - sent) as usize] ^= 0xff;
                faults.fetch_add(1, Ordering::Relaxed);
            }
            if let Fault::Throttle(rate) = fault {
                let due =
                    Duration::from_secs_f64((sent + chunk.len() as u64) as f64 / *rate as f64);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    std::thread::sleep(wait);
                }
            }
            client.write_all(&chunk)?;
            sent += chunk.len() as u64;
        }
        let n = up.read(&mut buf)?;
        if n == 0 {
            break;
        }
        chunk = buf[..n].to_vec();
    }
    client.shutdown(Shutdown::Both)
}
