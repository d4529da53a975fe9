//! An in-process Kubernetes API server double, speaking real HTTP/1.1 on
//! loopback to the real `kubectl-uepe` binary through a real kubeconfig.
//! No kube-apiserver binary can be had on these machines, so this stands in
//! for it, and is honest about what it is:
//!
//! - it stores objects as JSON by (API path, resource, namespace, name), with
//!   a global resourceVersion bumped only when an object really changes;
//! - GET, LIST (equality label selectors), POST (409 when it exists), DELETE
//!   (404 when missing; deleting a CronJob deletes its Jobs, as the garbage
//!   collector would), PATCH as server-side apply (creates when missing,
//!   deep-merges maps, replaces lists except `imagePullSecrets`, merged by
//!   name), strategic merge patch (same merge), `dryRun=All`;
//! - 404 for objects in a namespace that does not exist, 403 on demand for a
//!   (verb, resource, namespace), a request log for assertions;
//! - Jobs finish at once with the outcome the test chose; a failed Job gets a
//!   Pod with the log the test chose;
//! - for real kubectl (`discovery.rs`): legacy discovery of the built-in
//!   kinds above and an OpenAPI v3 index that says PATCH takes
//!   `fieldValidation`, so kubectl leaves validation to the server; a
//!   protobuf-encoded Secret body (`protobuf.rs`), as `kubectl create
//!   secret` sends it; any other protobuf body gets 415; two of the
//!   server's Secret rules: an empty type becomes `Opaque`, and a
//!   dockerconfigjson Secret whose `.dockerconfigjson` is not JSON gets 422.
//!
//! It does NOT do: schema validation (kubernetes-validate and checkov check
//! the manifests; `fieldValidation` is accepted and ignored), OpenAPI
//! schemas (`/openapi/v2` is a 404), protobuf responses (it answers JSON,
//! which kubectl accepts), aggregated discovery, CRD-backed groups
//! in discovery, managedFields, field-manager conflicts, admission, watch,
//! real controllers, authentication (any bearer token is accepted; each
//! request's token is recorded for assertions, apart from the printable log).
//!
//! It speaks plain HTTP unless started with `start_tls` (`tls.rs`): then
//! HTTPS with a certificate for 127.0.0.1 from its own test CA, as the
//! in-cluster config, which always uses `https://`, needs.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod discovery;
mod handler;
mod http;
mod protobuf;
mod tls;

pub use tls::TestCa;

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    /// HTTP method.
    pub method: String,
    /// Path without query.
    pub path: String,
    /// Query string.
    pub query: String,
    /// Content-Type header.
    pub content_type: String,
}

/// How Jobs created through the API end.
#[derive(Debug, Clone)]
pub enum JobOutcome {
    /// `Complete`.
    Succeed,
    /// `Failed` with this reason, and a pod whose log is this text.
    Fail { reason: String, log: String },
}

type Key = (String, String, String, String);

struct State {
    objects: BTreeMap<Key, Value>,
    rv: u64,
    log: Vec<Logged>,
    /// The bearer token of each request in `log`, in the same order.
    bearer: Vec<Option<String>>,
    forbidden: Vec<(String, String, String)>,
    job_outcome: JobOutcome,
    pod_logs: BTreeMap<(String, String), String>,
}

/// A running double; stops when dropped (the listener thread ends with the test binary).
pub struct ApiServer {
    /// `http://127.0.0.1:PORT`, or `https://` when started with TLS.
    pub url: String,
    /// The port it listens on (loopback).
    pub port: u16,
    /// With TLS: the CA that signed its certificate.
    pub ca: Option<TestCa>,
    state: Arc<Mutex<State>>,
}

impl ApiServer {
    /// Starts the double, plain HTTP, with the namespaces given.
    pub fn start(namespaces: &[&str]) -> ApiServer {
        Self::start_with(namespaces, None)
    }

    /// Starts the double speaking HTTPS, with a certificate for 127.0.0.1
    /// signed by a fresh CA (`ca`).
    pub fn start_tls(namespaces: &[&str]) -> ApiServer {
        Self::start_with(namespaces, Some(TestCa::new("uepe test apiserver CA")))
    }

    fn start_with(namespaces: &[&str], ca: Option<TestCa>) -> ApiServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let scheme = if ca.is_some() { "https" } else { "http" };
        let tls = ca.as_ref().map(TestCa::server_config);
        let state = Arc::new(Mutex::new(State {
            objects: BTreeMap::new(),
            rv: 1,
            log: Vec::new(),
            bearer: Vec::new(),
            forbidden: Vec::new(),
            job_outcome: JobOutcome::Succeed,
            pod_logs: BTreeMap::new(),
        }));
        let server = ApiServer {
            url: format!("{scheme}://{addr}"),
            port: addr.port(),
            ca,
            state: state.clone(),
        };
        for ns in namespaces {
            server.put(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
        }
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (state, tls) = (state.clone(), tls.clone());
                std::thread::spawn(move || match tls {
                    None => http::serve(stream, &state),
                    Some(config) => {
                        // The handshake runs on the first read; a client that
                        // refuses the certificate just ends the connection.
                        if let Ok(conn) = rustls::ServerConnection::new(config) {
                            http::serve(rustls::StreamOwned::new(conn, stream), &state);
                        }
                    }
                });
            }
        });
        server
    }

    /// Writes a kubeconfig pointing at the double into `dir`.
    pub fn kubeconfig(&self, dir: &Path) -> PathBuf {
        write_kubeconfig(&dir.join("kubeconfig"), "double", &self.url)
    }

    /// Stores an object as a controller or admin would (no log entry).
    pub fn put(&self, mut obj: Value) {
        let mut s = self.state.lock().expect("lock");
        let key = key_of(&obj);
        s.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(s.rv.to_string());
        obj["metadata"]["uid"] = json!(format!("uid-{}", s.rv));
        s.objects.insert(key, obj);
    }

    /// The object at (apiVersion, kind, namespace, name).
    pub fn get(&self, api_version: &str, kind: &str, ns: &str, name: &str) -> Option<Value> {
        let probe = json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "namespace": ns}});
        self.state
            .lock()
            .expect("lock")
            .objects
            .get(&key_of(&probe))
            .cloned()
    }

    /// The object as a client wrote it: [`get`](Self::get) without the
    /// metadata the server sets ([`SERVER_OWNED`]).
    pub fn get_as_written(
        &self,
        api_version: &str,
        kind: &str,
        ns: &str,
        name: &str,
    ) -> Option<Value> {
        let mut obj = self.get(api_version, kind, ns, name)?;
        if let Some(meta) = obj["metadata"].as_object_mut() {
            for field in SERVER_OWNED {
                meta.remove(field);
            }
        }
        Some(obj)
    }

    /// All objects of a kind.
    pub fn all(&self, kind: &str) -> Vec<Value> {
        let s = self.state.lock().expect("lock");
        s.objects
            .values()
            .filter(|o| o["kind"] == kind)
            .cloned()
            .collect()
    }

    /// Refuses `verb` on `resource` in `ns` with 403.
    pub fn forbid(&self, verb: &str, resource: &str, ns: &str) {
        self.state
            .lock()
            .expect("lock")
            .forbidden
            .push((verb.into(), resource.into(), ns.into()));
    }

    /// How Jobs created from now on end.
    pub fn jobs_end(&self, outcome: JobOutcome) {
        self.state.lock().expect("lock").job_outcome = outcome;
    }

    /// The requests seen so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.lock().expect("lock").log.clone()
    }

    /// The bearer token each request so far carried (`None`: no
    /// `Authorization: Bearer` header), in the order of `requests`.
    pub fn bearer_tokens(&self) -> Vec<Option<String>> {
        self.state.lock().expect("lock").bearer.clone()
    }

    /// Requests that changed or tried to change something.
    pub fn writes(&self) -> Vec<Logged> {
        self.requests()
            .into_iter()
            .filter(|r| r.method != "GET")
            .collect()
    }
}

/// Writes a kubeconfig at `path` whose one context, `name`, talks to `server`
/// The metadata the server sets on what it stores; no client writes it.
pub const SERVER_OWNED: [&str; 3] = ["resourceVersion", "uid", "creationTimestamp"];

/// Sets [`SERVER_OWNED`] on an object created at resourceVersion `rv`.
fn stamp_created(obj: &mut Value, rv: u64) {
    obj["metadata"]["resourceVersion"] = json!(rv.to_string());
    obj["metadata"]["uid"] = json!(format!("uid-{rv}"));
    obj["metadata"]["creationTimestamp"] = json!("2026-11-28T00:00:00Z");
}

/// with a bearer token (any token is accepted by the double).
pub fn write_kubeconfig(path: &Path, name: &str, server: &str) -> PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {server}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: tester\n    namespace: uepe\ncurrent-context: {name}\nusers:\n- name: tester\n  user:\n    token: test-token\n"
    );
    std::fs::write(path, text).expect("write kubeconfig");
    path.to_owned()
}

/// The store key of an object: (api path, plural, namespace, name).
fn key_of(obj: &Value) -> Key {
    let api_version = obj["apiVersion"].as_str().unwrap_or_default();
    let prefix = if api_version.contains('/') {
        format!("apis/{api_version}")
    } else {
        format!("api/{api_version}")
    };
    let plural = plural(obj["kind"].as_str().unwrap_or_default());
    let ns = if plural == "namespaces" || plural == "customresourcedefinitions" {
        String::new()
    } else {
        obj["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    (
        prefix,
        plural,
        ns,
        obj["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn plural(kind: &str) -> String {
    let k = kind.to_ascii_lowercase();
    if k.ends_with('s') {
        format!("{k}es")
    } else {
        format!("{k}s")
    }
}

fn kind_of(plural: &str) -> &'static str {
    match plural {
        "secrets" => "Secret",
        "serviceaccounts" => "ServiceAccount",
        "namespaces" => "Namespace",
        "pods" => "Pod",
        "roles" => "Role",
        "rolebindings" => "RoleBinding",
        "cronjobs" => "CronJob",
        "jobs" => "Job",
        "externalsecrets" => "ExternalSecret",
        "ecrauthorizationtokens" => "ECRAuthorizationToken",
        "customresourcedefinitions" => "CustomResourceDefinition",
        _ => "Unknown",
    }
}
