//! HTTP/1.1 of the API server double: reading requests (with
//! Content-Length or chunked bodies) and writing answers, over plain TCP
//! or a rustls stream alike.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::Mutex;

use super::State;
use super::handler::handle;

/// One HTTP request, as far as the double needs it.
pub(super) struct Request {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) query: String,
    pub(super) content_type: String,
    /// The `Authorization` header, if any.
    pub(super) authorization: Option<String>,
    pub(super) body: Vec<u8>,
}

fn read_request(reader: &mut BufReader<impl Read>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let (mut length, mut content_type, mut chunked) = (0usize, String::new(), false);
    let mut authorization = None;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => length = v.trim().parse().unwrap_or(0),
                "content-type" => content_type = v.trim().to_owned(),
                "authorization" => authorization = Some(v.trim().to_owned()),
                "transfer-encoding" => chunked = v.to_ascii_lowercase().contains("chunked"),
                _ => {}
            }
        }
    }
    let mut body = vec![0; length];
    if chunked {
        body.clear();
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk).ok()?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    } else {
        reader.read_exact(&mut body).ok()?;
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    Some(Request {
        method,
        path: path.to_owned(),
        query: query.to_owned(),
        content_type,
        authorization,
        body,
    })
}

/// Answers the requests of one connection until it closes.
pub(super) fn serve(stream: impl Read + Write, state: &Mutex<State>) {
    let mut conn = BufReader::new(stream);
    while let Some(req) = read_request(&mut conn) {
        let (code, body) = handle(&req, state);
        // A string answer (a pod log) goes out as text, anything else as JSON.
        let (content_type, text) = match body {
            Value::String(s) => ("text/plain", s),
            other => ("application/json", other.to_string()),
        };
        let reply = format!(
            "HTTP/1.1 {code} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{text}",
            text.len()
        );
        // Flushed: a TLS stream holds records until told to send them.
        let writer = conn.get_mut();
        if writer.write_all(reply.as_bytes()).is_err() || writer.flush().is_err() {
            return;
        }
    }
}
