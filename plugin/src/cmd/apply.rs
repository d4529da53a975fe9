//! Applying what the core rendered: the objects of a `-o json` rendering
//! applied in order with server-side apply, each result printed as kubectl
//! prints it, and a summary error when any failed (nothing half-applied goes
//! unreported).

use serde_json::Value;
use std::io::Write;

use crate::cluster::{Cluster, ClusterError, Kind};
use crate::error::{Error, write_err};

/// The objects of a rendering: a `List`'s items, or the one object.
pub fn items(rendered_json: &str) -> Result<Vec<Value>, Error> {
    let v: Value = serde_json::from_str(rendered_json)
        .map_err(|e| Error::CoreAnswer(format!("the core's JSON is not understood: {e}")))?;
    Ok(match v.get("kind").and_then(Value::as_str) {
        Some("List") => v["items"].as_array().cloned().unwrap_or_default(),
        _ => vec![v],
    })
}

/// `kind/name` of an object, as kubectl names it.
pub fn display(obj: &Value) -> String {
    format!(
        "{}/{}",
        Kind::of(obj).display(),
        obj["metadata"]["name"].as_str().unwrap_or_default()
    )
}

/// How to go on when one object fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Stop at the first failure (later objects depend on earlier ones).
    Stop,
    /// Apply the rest (independent objects, such as one Secret per namespace).
    Continue,
}

/// Applies `objs` in order; prints a line per object on `out` and per
/// failure on `err`. Fails when any object failed, saying which were not applied.
pub async fn apply_all(
    cluster: &Cluster,
    objs: &[Value],
    dry_run: bool,
    on_error: OnError,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let several_namespaces = {
        let mut nss: Vec<&str> = objs
            .iter()
            .filter_map(|o| o["metadata"]["namespace"].as_str())
            .collect();
        nss.dedup();
        nss.len() > 1
    };
    let mut failed: Vec<String> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for (i, obj) in objs.iter().enumerate() {
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or_default();
        let where_ = if several_namespaces && !ns.is_empty() {
            format!(" (namespace {ns})")
        } else {
            String::new()
        };
        match cluster.apply(obj, dry_run).await {
            Ok(line) => writeln!(out, "{line}{where_}").map_err(write_err)?,
            Err(e) => {
                let _ = writeln!(err, "error: {}{where_}: {e}", display(obj));
                failed.push(format!("{}{where_}", display(obj)));
                // No later object can fare better on the same connection.
                let hopeless = matches!(
                    e,
                    ClusterError::Unreachable { .. } | ClusterError::Untrusted { .. }
                );
                if hopeless || on_error == OnError::Stop {
                    skipped.extend(objs[i + 1..].iter().map(display));
                    break;
                }
            }
        }
    }
    if failed.is_empty() {
        return Ok(());
    }
    let mut msg = format!(
        "{} of {} objects failed: {}",
        failed.len(),
        objs.len(),
        failed.join(", ")
    );
    if !skipped.is_empty() {
        msg.push_str(&format!("; not applied: {}", skipped.join(", ")));
    }
    Err(Error::Partial(msg))
}
