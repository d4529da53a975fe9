//! A tiny static file server on loopback for the built page, used by the
//! size benchmark and by `tests/web.rs` (which includes this file with
//! `#[path]`, so it depends on std only). GET and HEAD, one connection per
//! request, correct MIME types (`application/wasm` lets the browser compile
//! while downloading). It records every path asked for.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// A running server; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    requests: Arc<Mutex<Vec<String>>>,
    thread: Option<JoinHandle<()>>,
}

/// Pages served from memory besides the files (path, content type, body).
pub type Extra = Vec<(String, &'static str, Vec<u8>)>;

impl Server {
    /// Serves `root` on 127.0.0.1 at a free port.
    pub fn start(root: &Path, extra: Extra) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (root, s, r) = (root.to_path_buf(), stop.clone(), requests.clone());
        let extra = Arc::new(extra);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, r, extra) = (root.clone(), r.clone(), extra.clone());
                std::thread::spawn(move || {
                    // A client that goes away mid-answer is not our problem.
                    let _ = answer(stream, &root, &extra, &r);
                });
            }
        });
        Ok(Server {
            addr,
            stop,
            requests,
            thread: Some(thread),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request target asked for so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The MIME type for a file name.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

/// The file under `root` for a request path, refusing `..` and the like.
fn file_for(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let mut file = root.to_path_buf();
    for c in Path::new(path.trim_start_matches('/')).components() {
        match c {
            Component::Normal(p) => file.push(p),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if file.is_dir() {
        file.push("index.html");
    }
    file.is_file().then_some(file)
}

fn answer(
    stream: TcpStream,
    root: &Path,
    extra: &Extra,
    log: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    // Drain the headers; the body of a GET is empty.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    if let Ok(mut l) = log.lock() {
        l.push(target.to_owned());
    }
    let path_only = target.split(['?', '#']).next().unwrap_or("/");
    let found = match extra.iter().find(|(p, _, _)| p == path_only) {
        Some((_, ct, body)) => Some((*ct, body.clone())),
        None => file_for(root, target)
            .and_then(|f| std::fs::read(&f).ok().map(|b| (content_type(&f), b))),
    };
    let mut stream = stream;
    let (status, ct, body) = match (method, found) {
        ("GET" | "HEAD", Some((ct, body))) => ("200 OK", ct, body),
        ("GET" | "HEAD", None) => ("404 Not Found", "text/plain", b"not found\n".to_vec()),
        _ => (
            "405 Method Not Allowed",
            "text/plain",
            b"GET only\n".to_vec(),
        ),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {ct}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}
