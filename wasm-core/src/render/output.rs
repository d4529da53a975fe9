//! Byte-for-byte deterministic printing of Kubernetes objects: YAML as
//! `---`-separated documents, JSON as kubectl prints it (one object, or a
//! `List` of several, four-space indent), and `kind/name` lines for `-o name`.
//! Keys come out sorted, as kubectl sorts them.

use serde::Serialize;
use serde_json::Value;

/// How objects are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Multi-document YAML.
    Yaml,
    /// JSON: the object itself, or a `List` when there are several.
    Json,
    /// `kind.group/name`, one per line.
    Name,
}

impl Format {
    /// The output names accepted for manifests.
    pub const NAMES: [&'static str; 3] = ["yaml", "json", "name"];

    /// Maps an accepted name to the format.
    pub fn from_name(name: &str) -> Self {
        match name {
            "json" => Self::Json,
            "name" => Self::Name,
            _ => Self::Yaml,
        }
    }
}

/// JSON with kubectl's four-space indent and a final newline.
pub fn json<T: Serialize>(v: &T) -> String {
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    // Writing into a Vec cannot fail and every value has string keys.
    let _ = v.serialize(&mut ser);
    out.push(b'\n');
    String::from_utf8(out).unwrap_or_default()
}

/// YAML for one value, ending in a newline.
pub fn yaml<T: Serialize>(v: &T) -> String {
    // Long one-line strings (base64 data, images) stay on one line rather
    // than folded with `>`; multi-line scripts keep the literal `|` style.
    let options = serde_saphyr::ser_options! { folded_wrap_chars: 1 << 20 };
    let mut s = serde_saphyr::to_string_with_options(v, options).unwrap_or_default();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// Prints objects in `format`.
pub fn objects(objs: &[Value], format: Format) -> String {
    match format {
        Format::Yaml => objs.iter().map(yaml).collect::<Vec<_>>().join("---\n"),
        Format::Json => match objs {
            [one] => json(one),
            _ => json(&serde_json::json!({
                "apiVersion": "v1",
                "items": objs,
                "kind": "List",
                "metadata": { "resourceVersion": "" },
            })),
        },
        Format::Name => objs.iter().map(|o| format!("{}\n", name(o))).collect(),
    }
}

/// `kind.group/name` as kubectl's `-o name` prints it (`secret/x`,
/// `cronjob.batch/x`, `role.rbac.authorization.k8s.io/x`).
pub fn name(obj: &Value) -> String {
    let kind = obj["kind"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let group = obj["apiVersion"]
        .as_str()
        .and_then(|v| v.split_once('/'))
        .map(|(g, _)| g);
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    match group {
        Some(g) => format!("{kind}.{g}/{name}"),
        None => format!("{kind}/{name}"),
    }
}
