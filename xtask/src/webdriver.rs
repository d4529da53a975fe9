//! A minimal W3C WebDriver client for Debian's `chromedriver` driving
//! headless `chromium`: just what the size benchmark and `tests/web.rs`
//! need (navigate, find, type, click, run a script, screenshots, the
//! browser's own network log). Raw HTTP/1.1 over `std::net` with
//! `serde_json`, so the tests can include this file with `#[path]` and need
//! no other crate. Every socket has a timeout: nothing here hangs forever.

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What went wrong talking to the driver or the browser.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error(format!("i/o: {e}"))
    }
}

/// Results of this module.
pub type Result<T> = std::result::Result<T, Error>;

/// The flags Chromium runs with: headless, no sandbox (root in CI), and no
/// traffic of its own (updates, sync, safe browsing lists, first-run pages).
pub const CHROMIUM_ARGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
];

/// A running chromedriver; killed when dropped.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts `chromedriver` on a free loopback port and waits until it is ready.
    pub fn start(chromedriver: &Path) -> Result<Driver> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| Error(format!("starting {}: {e}", chromedriver.display())))?;
        let mut driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(v) = http(port, "GET", "/status", None)
                && v["value"]["ready"] == json!(true)
            {
                return Ok(driver);
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                return Err(Error(format!("chromedriver exited at start: {status}")));
            }
            if Instant::now() > deadline {
                return Err(Error("chromedriver did not get ready in 30 s".into()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Opens a browser session: a fresh Chromium with its own profile
    /// directory (removed when the session ends) and the network log on.
    pub fn session(&self, chromium: &Path, download_dir: Option<&Path>) -> Result<Session> {
        let profile = fresh_dir("uepe-chromium-profile")?;
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|s| s.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        let mut options = json!({ "binary": chromium, "args": args });
        if let Some(dir) = download_dir {
            options["prefs"] = json!({
                "download.default_directory": dir,
                "download.prompt_for_download": false,
            });
        }
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options,
            "goog:loggingPrefs": { "performance": "ALL", "browser": "ALL" },
            "timeouts": { "implicit": 0, "pageLoad": 60000, "script": 30000 },
        }}});
        let v = http(self.port, "POST", "/session", Some(&caps))?;
        let id = v["value"]["sessionId"]
            .as_str()
            .ok_or_else(|| Error(format!("no session id in {v}")))?
            .to_owned();
        Ok(Session {
            port: self.port,
            id,
            profile,
        })
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session; closes the browser when dropped.
pub struct Session {
    port: u16,
    id: String,
    profile: PathBuf,
}

/// A page element, as WebDriver names it.
#[derive(Debug, Clone)]
pub struct Element(String);

/// The W3C key for an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    fn cmd(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let v = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            body,
        )?;
        Ok(v["value"].clone())
    }

    /// Loads `url` and waits for its load event.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.cmd("POST", "/url", Some(&json!({ "url": url })))
            .map(drop)
    }

    /// The address bar's URL.
    pub fn url(&self) -> Result<String> {
        Ok(self
            .cmd("GET", "/url", None)?
            .as_str()
            .unwrap_or_default()
            .to_owned())
    }

    /// The first element matching `css`, if any (no waiting).
    pub fn find(&self, css: &str) -> Result<Option<Element>> {
        let v = http(
            self.port,
            "POST",
            &format!("/session/{}/element", self.id),
            Some(&json!({ "using": "css selector", "value": css })),
        );
        match v {
            Ok(v) => Ok(v["value"][ELEMENT_KEY]
                .as_str()
                .map(|s| Element(s.to_owned()))),
            Err(e) if e.0.contains("no such element") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits up to `timeout` for an element matching `css`.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.find(css)? {
                return Ok(e);
            }
            if Instant::now() > deadline {
                return Err(Error(format!("no `{css}` on the page after {timeout:?}")));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `text` into an element as key presses (WebDriver key codes
    /// such as `\u{E009}` for Control are allowed).
    pub fn type_keys(&self, el: &Element, text: &str) -> Result<()> {
        self.cmd(
            "POST",
            &format!("/element/{}/value", el.0),
            Some(&json!({ "text": text })),
        )
        .map(drop)
    }

    /// Clicks an element.
    pub fn click(&self, el: &Element) -> Result<()> {
        self.cmd(
            "POST",
            &format!("/element/{}/click", el.0),
            Some(&json!({})),
        )
        .map(drop)
    }

    /// Presses keys on whatever has the focus (WebDriver actions).
    pub fn press(&self, keys: &[&str]) -> Result<()> {
        let mut actions: Vec<Value> = Vec::new();
        for k in keys {
            actions.push(json!({ "type": "keyDown", "value": k }));
            actions.push(json!({ "type": "keyUp", "value": k }));
        }
        let body = json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] });
        self.cmd("POST", "/actions", Some(&body)).map(drop)
    }

    /// Runs `script` (a function body) in the page with `args`; its return value.
    pub fn script(&self, script: &str, args: Value) -> Result<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Runs an async `script`: it calls its last argument with the result.
    pub fn script_async(&self, script: &str, args: Value) -> Result<Value> {
        self.cmd(
            "POST",
            "/execute/async",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Sets the window's outer size.
    pub fn window_size(&self, width: u32, height: u32) -> Result<()> {
        self.cmd(
            "POST",
            "/window/rect",
            Some(&json!({ "width": width, "height": height })),
        )
        .map(drop)
    }

    /// Runs a Chrome DevTools Protocol command through chromedriver.
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(&json!({ "cmd": cmd, "params": params })),
        )
    }

    /// A PNG of what the window shows.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        let v = self.cmd("GET", "/screenshot", None)?;
        base64_decode(
            v.as_str()
                .ok_or_else(|| Error("no screenshot data".into()))?,
        )
    }

    /// A PNG of the whole page (beyond the viewport), at the current width.
    pub fn screenshot_full(&self) -> Result<Vec<u8>> {
        let v = self.cdp(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true }),
        )?;
        let data = v["data"]
            .as_str()
            .ok_or_else(|| Error("no screenshot data".into()))?;
        base64_decode(data)
    }

    /// The URLs of every request the page asked the network for since the
    /// last call, from Chromium's own network log (DevTools
    /// `Network.requestWillBeSent` events).
    pub fn network_requests(&self) -> Result<Vec<String>> {
        let entries = self.cmd("POST", "/se/log", Some(&json!({ "type": "performance" })))?;
        let mut urls = Vec::new();
        for e in entries.as_array().into_iter().flatten() {
            let Some(msg) = e["message"].as_str() else {
                continue;
            };
            let Ok(m) = serde_json::from_str::<Value>(msg) else {
                continue;
            };
            if m["message"]["method"] == "Network.requestWillBeSent"
                && let Some(u) = m["message"]["params"]["request"]["url"].as_str()
            {
                urls.push(u.to_owned());
            }
        }
        Ok(urls)
    }

    /// The browser console's messages since the last call.
    pub fn console(&self) -> Result<Vec<String>> {
        let entries = self.cmd("POST", "/se/log", Some(&json!({ "type": "browser" })))?;
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                format!(
                    "{} {}",
                    e["level"].as_str().unwrap_or(""),
                    e["message"].as_str().unwrap_or("")
                )
            })
            .collect())
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A new empty directory under the system temp dir.
pub fn fresh_dir(prefix: &str) -> Result<PathBuf> {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("{prefix}-{}-{n}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// One HTTP/1.1 exchange with the driver; the parsed JSON body. A WebDriver
/// error answer becomes `Err` with its error code and message.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let (head, payload) = read_answer(&mut stream)
        .map_err(|e| Error(format!("{method} {path}: reading the answer: {e}")))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let v: Value = if payload.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&payload).map_err(|e| {
            Error(format!(
                "{method} {path}: answer is not JSON ({e}): {}",
                String::from_utf8_lossy(&payload)
            ))
        })?
    };
    if status >= 400 || v["value"]["error"].is_string() {
        return Err(Error(format!(
            "{method} {path}: {} {}: {}",
            status,
            v["value"]["error"].as_str().unwrap_or("error"),
            v["value"]["message"].as_str().unwrap_or("")
        )));
    }
    Ok(v)
}

/// Reads one HTTP answer: the lowercased head and the body. The driver may
/// keep the connection open, so the body is read by its Content-Length (or
/// its chunks), not to the end of the stream.
fn read_answer(stream: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Err(std::io::Error::other(
                "connection closed before the header ended",
            ));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut body = raw.split_off(split + 4);
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(len) => body.len() >= len,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if let Some(len) = length {
        body.truncate(len);
    } else if chunked {
        body = dechunk(&body);
    }
    Ok((head, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
    out
}

/// Decodes standard base64 (with or without padding).
pub fn base64_decode(text: &str) -> Result<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = value(c).ok_or_else(|| Error(format!("not base64: byte {c}")))?;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}
