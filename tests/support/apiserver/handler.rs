//! What the API server double does with each request: the store, the
//! verbs, server-side apply and merge, the Secret rules and Job outcomes.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value, json};
use std::sync::Mutex;

use super::http::Request;
use super::{JobOutcome, Logged, State, discovery, kind_of, protobuf, stamp_created};

fn status(code: u16, reason: &str, message: String) -> (u16, Value) {
    (
        code,
        json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message, "reason": reason, "code": code}),
    )
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|kv| {
        kv.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v)
    })
}

fn matches_selector(obj: &Value, selector: &str) -> bool {
    let selector = selector
        .replace("%3D", "=")
        .replace("%2C", ",")
        .replace("%2F", "/");
    selector
        .split(',')
        .filter(|s| !s.is_empty())
        .all(|term| match term.split_once('=') {
            Some((k, v)) => obj["metadata"]["labels"][k].as_str() == Some(v),
            None => false,
        })
}

/// Deep merge: maps merged, lists replaced, except `imagePullSecrets`
/// merged by `name` (its patch merge key); `null` deletes (merge patch).
fn merge(into: &mut Value, patch: &Value, field: &str) {
    match (into, patch) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                if v.is_null() {
                    a.remove(k);
                } else {
                    merge(a.entry(k.clone()).or_insert(Value::Null), v, k);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if field == "imagePullSecrets" => {
            for item in b {
                if !a.iter().any(|x| x["name"] == item["name"]) {
                    a.push(item.clone());
                }
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// Answers one request: the double's whole behaviour (see the module header).
pub(super) fn handle(req: &Request, state: &Mutex<State>) -> (u16, Value) {
    let mut s = state.lock().expect("lock");
    s.log.push(Logged {
        method: req.method.clone(),
        path: req.path.clone(),
        query: req.query.clone(),
        content_type: req.content_type.clone(),
    });
    // Kept apart from `log`, whose entries are printed in failure messages.
    let bearer = req
        .authorization
        .as_deref()
        .and_then(|a| a.strip_prefix("Bearer "))
        .map(str::to_owned);
    s.bearer.push(bearer);
    let decoded;
    let body: &[u8] = if !req.body.is_empty() && req.content_type.contains("protobuf") {
        // kubectl's typed clients (`kubectl create secret`) send protobuf.
        match protobuf::secret_as_json(&req.body) {
            Ok(obj) => {
                decoded = obj.to_string().into_bytes();
                &decoded
            }
            Err(e) => return status(415, "UnsupportedMediaType", e),
        }
    } else {
        &req.body
    };
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    if segs == ["version"] {
        return (
            200,
            json!({"major": "1", "minor": "33", "gitVersion": "v1.33.0-double", "platform": "linux/amd64"}),
        );
    }
    if req.method == "GET"
        && let Some(doc) = discovery::answer(&segs)
    {
        return (200, doc);
    }
    // (prefix, plural, namespace, name, subresource)
    let (prefix, rest): (String, &[&str]) = match segs.as_slice() {
        ["api", v, rest @ ..] => (format!("api/{v}"), rest),
        ["apis", g, v, rest @ ..] => (format!("apis/{g}/{v}"), rest),
        _ => {
            return status(
                404,
                "NotFound",
                format!(
                    "the server could not find the requested resource ({})",
                    req.path
                ),
            );
        }
    };
    let (ns, plural, name, sub) = match rest {
        ["namespaces", ns, plural, tail @ ..] => (
            ns.to_string(),
            plural.to_string(),
            tail.first().map(|s| s.to_string()),
            tail.get(1).map(|s| s.to_string()),
        ),
        ["namespaces", name] => (
            String::new(),
            "namespaces".into(),
            Some(name.to_string()),
            None,
        ),
        [plural, tail @ ..] => (
            String::new(),
            plural.to_string(),
            tail.first().map(|s| s.to_string()),
            None,
        ),
        [] => return status(404, "NotFound", "no resource".into()),
    };
    let group = prefix
        .strip_prefix("apis/")
        .and_then(|g| g.split('/').next())
        .unwrap_or("")
        .to_owned();
    let verb = match (req.method.as_str(), &name) {
        ("GET", None) => "list",
        ("GET", Some(_)) => "get",
        ("POST", _) => "create",
        ("PATCH", _) => "patch",
        ("PUT", _) => "update",
        ("DELETE", _) => "delete",
        _ => "unknown",
    };
    if s.forbidden
        .iter()
        .any(|(v, r, n)| v == verb && *r == plural && *n == ns)
    {
        return status(
            403,
            "Forbidden",
            format!(
                "{plural} \"{}\" is forbidden: User \"tester\" cannot {verb} resource \"{plural}\" in API group \"{group}\" in the namespace \"{ns}\"",
                name.clone().unwrap_or_default()
            ),
        );
    }
    if !ns.is_empty()
        && !s.objects.contains_key(&(
            "api/v1".into(),
            "namespaces".into(),
            String::new(),
            ns.clone(),
        ))
    {
        return status(404, "NotFound", format!("namespaces \"{ns}\" not found"));
    }
    let key = |n: &str| (prefix.clone(), plural.clone(), ns.clone(), n.to_owned());
    let dry_run = query_param(&req.query, "dryRun") == Some("All");
    match (req.method.as_str(), name.as_deref(), sub.as_deref()) {
        ("GET", Some(n), Some("log")) => match s.pod_logs.get(&(ns.clone(), n.to_owned())) {
            Some(l) => (200, Value::String(l.clone())),
            None => status(404, "NotFound", format!("pods \"{n}\" not found")),
        },
        ("GET", Some(n), None) => match s.objects.get(&key(n)) {
            Some(o) => (200, o.clone()),
            None => status(404, "NotFound", format!("{plural} \"{n}\" not found")),
        },
        ("GET", None, _) => {
            let selector = query_param(&req.query, "labelSelector").unwrap_or("");
            let items: Vec<Value> = s
                .objects
                .iter()
                .filter(|(k, o)| {
                    k.0 == prefix
                        && k.1 == plural
                        && (ns.is_empty() || k.2 == ns)
                        && matches_selector(o, selector)
                })
                .map(|(_, o)| o.clone())
                .collect();
            let rv = s.rv.to_string();
            (
                200,
                json!({"kind": format!("{}List", kind_of(&plural)), "apiVersion": prefix.trim_start_matches("api/").trim_start_matches("apis/"), "metadata": {"resourceVersion": rv}, "items": items}),
            )
        }
        ("POST", None, _) => {
            let Ok(mut obj) = serde_json::from_slice::<Value>(body) else {
                return status(400, "BadRequest", "body is not JSON".into());
            };
            let n = obj["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if s.objects.contains_key(&key(&n)) {
                return status(
                    409,
                    "AlreadyExists",
                    format!("{plural} \"{n}\" already exists"),
                );
            }
            if let Err(refusal) = secret_rules(&plural, &mut obj) {
                return refusal;
            }
            if dry_run {
                return (201, obj);
            }
            s.rv += 1;
            stamp_created(&mut obj, s.rv);
            if plural == "jobs" {
                finish_job(&mut s, &mut obj, &ns, &n);
            }
            s.objects.insert(key(&n), obj.clone());
            (201, obj)
        }
        ("PATCH", Some(n), _) => {
            let Ok(mut patch) = serde_json::from_slice::<Value>(body) else {
                return status(400, "BadRequest", "patch is not JSON".into());
            };
            let apply = req.content_type.starts_with("application/apply-patch");
            if apply && let Some(meta) = patch["metadata"].as_object_mut() {
                // The server owns it: kubectl's `creationTimestamp: null`
                // must not erase it (the merge reads null as "delete").
                meta.remove("creationTimestamp");
            }
            if apply && query_param(&req.query, "fieldManager").is_none() {
                return status(
                    400,
                    "BadRequest",
                    "fieldManager is required for apply patch".into(),
                );
            }
            if apply
                && (patch["metadata"]["name"].as_str() != Some(n)
                    || kind_of(&plural) != patch["kind"].as_str().unwrap_or_default())
            {
                return status(
                    400,
                    "BadRequest",
                    format!("the name or kind of the body does not match {plural}/{n}"),
                );
            }
            let existing = s.objects.get(&key(n)).cloned();
            let mut obj = match (&existing, apply) {
                (Some(o), _) => o.clone(),
                (None, true) => json!({}),
                (None, false) => {
                    return status(404, "NotFound", format!("{plural} \"{n}\" not found"));
                }
            };
            merge(&mut obj, &patch, "");
            if let Err(refusal) = secret_rules(&plural, &mut obj) {
                return refusal;
            }
            let changed = existing.as_ref() != Some(&obj);
            if dry_run || !changed {
                return (200, existing.unwrap_or(obj));
            }
            s.rv += 1;
            if existing.is_some() {
                obj["metadata"]["resourceVersion"] = json!(s.rv.to_string());
            } else {
                stamp_created(&mut obj, s.rv);
            }
            let code = if existing.is_some() { 200 } else { 201 };
            s.objects.insert(key(n), obj.clone());
            (code, obj)
        }
        ("DELETE", Some(n), _) => match s.objects.remove(&key(n)) {
            Some(o) => {
                // Background propagation: the owned Jobs go too.
                let uid = o["metadata"]["uid"].clone();
                s.objects.retain(|_, v| {
                    !v["metadata"]["ownerReferences"]
                        .as_array()
                        .is_some_and(|r| r.iter().any(|r| r["uid"] == uid))
                });
                (
                    200,
                    json!({"kind": "Status", "apiVersion": "v1", "status": "Success", "details": {"name": n, "kind": plural}}),
                )
            }
            None => status(404, "NotFound", format!("{plural} \"{n}\" not found")),
        },
        _ => status(
            405,
            "MethodNotAllowed",
            format!("{} {} is not supported by the double", req.method, req.path),
        ),
    }
}

/// Two rules the real server applies to every Secret written: an empty type
/// is defaulted to `Opaque` (`kubectl create secret generic` sends one), and
/// a `kubernetes.io/dockerconfigjson` Secret must hold valid JSON under
/// `.dockerconfigjson` (else 422 Invalid, and the stored Secret stays).
fn secret_rules(plural: &str, obj: &mut Value) -> Result<(), (u16, Value)> {
    if plural != "secrets" {
        return Ok(());
    }
    if obj["type"].as_str().unwrap_or_default().is_empty() {
        obj["type"] = json!("Opaque");
    }
    if obj["type"] != "kubernetes.io/dockerconfigjson" {
        return Ok(());
    }
    let config = obj["data"][".dockerconfigjson"]
        .as_str()
        .and_then(|b| B64.decode(b).ok());
    match config.map(|c| serde_json::from_slice::<Value>(&c)) {
        Some(Ok(_)) => Ok(()),
        _ => Err(status(
            422,
            "Invalid",
            "Secret is invalid: data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid JSON".into(),
        )),
    }
}

/// Jobs end at once, as the test chose; a failed one leaves a Pod and its log.
fn finish_job(s: &mut State, job: &mut Value, ns: &str, name: &str) {
    match s.job_outcome.clone() {
        JobOutcome::Succeed => {
            job["status"] = json!({"succeeded": 1, "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": "2026-11-28T00:00:10Z"}]});
        }
        JobOutcome::Fail { reason, log } => {
            job["status"] = json!({"failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": reason, "message": "Job has reached the specified backoff limit", "lastTransitionTime": "2026-11-28T00:00:10Z"}]});
            let pod = format!("{name}-abcde");
            let mut labels = Map::new();
            labels.insert("job-name".into(), json!(name));
            s.rv += 1;
            let rv = s.rv;
            s.objects.insert(
                ("api/v1".into(), "pods".into(), ns.into(), pod.clone()),
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": pod, "namespace": ns, "labels": labels, "resourceVersion": rv.to_string()}, "status": {"phase": "Failed"}}),
            );
            s.pod_logs.insert((ns.into(), pod), log);
        }
    }
}
