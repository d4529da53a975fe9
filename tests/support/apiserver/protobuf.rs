//! Just enough of the Kubernetes protobuf encoding to read the Secret that
//! kubectl's typed client POSTs (`kubectl create secret generic` sends
//! `application/vnd.kubernetes.protobuf` and does not fall back to JSON on
//! a 415). Reads the `k8s\0` envelope (`runtime.Unknown`) and a v1 Secret's
//! name, namespace, labels, annotations, data, stringData and type; every
//! other field and every other kind is left to the caller to refuse.
//! Field numbers are those of `k8s.io/api/core/v1/generated.proto` and
//! `k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value, json};

/// The JSON of a protobuf-encoded v1 Secret, or why it cannot be read.
pub(super) fn secret_as_json(body: &[u8]) -> Result<Value, String> {
    let unknown = body
        .strip_prefix(b"k8s\0")
        .ok_or("no k8s protobuf envelope")?;
    let (mut type_meta, mut raw) = (None, None);
    for (field, value) in fields(unknown)? {
        match (field, value) {
            (1, Wire::Bytes(b)) => type_meta = Some(b),
            (2, Wire::Bytes(b)) => raw = Some(b),
            _ => {}
        }
    }
    let (mut api_version, mut kind) = (String::new(), String::new());
    for (field, value) in fields(type_meta.ok_or("no typeMeta")?)? {
        match (field, value) {
            (1, Wire::Bytes(b)) => api_version = text(b)?,
            (2, Wire::Bytes(b)) => kind = text(b)?,
            _ => {}
        }
    }
    if (api_version.as_str(), kind.as_str()) != ("v1", "Secret") {
        return Err(format!("only v1 Secret is read, not {api_version} {kind}"));
    }
    let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {}});
    let (mut data, mut string_data) = (Map::new(), Map::new());
    for (field, value) in fields(raw.ok_or("no object")?)? {
        let Wire::Bytes(b) = value else { continue };
        match field {
            1 => secret["metadata"] = object_meta(b)?,
            2 => {
                let (k, v) = entry(b)?;
                data.insert(k, json!(B64.encode(v)));
            }
            3 => secret["type"] = json!(text(b)?),
            4 => {
                let (k, v) = entry(b)?;
                string_data.insert(k, json!(text(v)?));
            }
            _ => {}
        }
    }
    if !data.is_empty() {
        secret["data"] = Value::Object(data);
    }
    if !string_data.is_empty() {
        secret["stringData"] = Value::Object(string_data);
    }
    Ok(secret)
}

fn object_meta(bytes: &[u8]) -> Result<Value, String> {
    let mut meta = Map::new();
    let (mut labels, mut annotations) = (Map::new(), Map::new());
    for (field, value) in fields(bytes)? {
        let Wire::Bytes(b) = value else { continue };
        match field {
            1 | 3 => {
                let key = if field == 1 { "name" } else { "namespace" };
                meta.insert(key.into(), json!(text(b)?));
            }
            11 | 12 => {
                let (k, v) = entry(b)?;
                let map = if field == 11 {
                    &mut labels
                } else {
                    &mut annotations
                };
                map.insert(k, json!(text(v)?));
            }
            _ => {}
        }
    }
    if !labels.is_empty() {
        meta.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        meta.insert("annotations".into(), Value::Object(annotations));
    }
    Ok(Value::Object(meta))
}

/// A map entry: key (1, string) and value (2, bytes).
fn entry(bytes: &[u8]) -> Result<(String, &[u8]), String> {
    let (mut key, mut value) = (String::new(), &[][..]);
    for (field, v) in fields(bytes)? {
        match (field, v) {
            (1, Wire::Bytes(b)) => key = text(b)?,
            (2, Wire::Bytes(b)) => value = b,
            _ => {}
        }
    }
    Ok((key, value))
}

fn text(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| "a string field is not UTF-8".into())
}

enum Wire<'a> {
    Number,
    Bytes(&'a [u8]),
}

/// The (field number, value) pairs of one message, in order.
fn fields(mut bytes: &[u8]) -> Result<Vec<(u64, Wire<'_>)>, String> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let tag = varint(&mut bytes)?;
        let value = match tag & 7 {
            0 => varint(&mut bytes).map(|_| Wire::Number)?,
            1 | 5 => {
                let n = if tag & 7 == 1 { 8 } else { 4 };
                bytes = bytes.get(n..).ok_or("truncated fixed field")?;
                Wire::Number
            }
            2 => {
                let n = usize::try_from(varint(&mut bytes)?).map_err(|_| "length")?;
                let (v, rest) = bytes.split_at_checked(n).ok_or("truncated field")?;
                bytes = rest;
                Wire::Bytes(v)
            }
            w => return Err(format!("wire type {w} is not read")),
        };
        out.push((tag >> 3, value));
    }
    Ok(out)
}

fn varint(bytes: &mut &[u8]) -> Result<u64, String> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&b, rest) = bytes.split_first().ok_or("truncated varint")?;
        *bytes = rest;
        n |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(n);
        }
    }
    Err("varint too long".into())
}
