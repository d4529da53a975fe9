//! A real Kubernetes control plane for the cluster tests: etcd and
//! kube-apiserver built from the Go module `tests/peers/go` (install.sh,
//! group `go`), started once per test binary on loopback ports.
//!
//! What it is: real authentication (client certificates from a test CA,
//! ServiceAccount tokens from TokenRequest), `--authorization-mode=Node,RBAC`,
//! the default admission plugins (PodSecurity among them), server-side apply
//! with managedFields, schema validation; and kube-controller-manager with
//! the controllers the plugin relies on ([`CONTROLLERS`]: the CronJob and
//! Job controllers, the garbage collector, ServiceAccounts, the aggregated
//! `view`/`edit` ClusterRoles). What it is not: no scheduler and no kubelet,
//! so Pods stay Pending until a test sets their status as a kubelet would
//! ([`ControlPlane::finish_pod`]), and no pod log can be read.
//!
//! Tests share it: each takes its own namespace (`namespace`) and, when it
//! needs a restricted identity, its own user or ServiceAccount.
//!
//! The API server keeps an audit log ([`audit`]): a test that counts the
//! requests of the code under test runs it as a user of its own and reads
//! that user's requests back with [`ControlPlane::requests_of`].

#![allow(dead_code)]

pub mod audit;
mod pki;
mod process;

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::{Run, peers, run_with_stdin};
pub use audit::Audited;
pub use pki::Ca as TestCa;
pub use process::{Guarded, spawn as spawn_guarded};

/// The kube-controller-manager controllers that run: what makes Jobs from
/// CronJobs and tracks their Pods, deletes a CronJob's Jobs with it, makes
/// each namespace's `default` ServiceAccount and `kube-root-ca.crt`, and
/// fills the aggregated ClusterRoles (`view` is empty without it).
pub const CONTROLLERS: &str = "clusterrole-aggregation-controller,serviceaccount-controller,\
root-ca-certificate-publisher-controller,job-controller,cronjob-controller,\
garbage-collector-controller,namespace-controller";

/// How long a start may take before the tests give up on it (a cold page
/// cache on a busy 2-core machine; warm it takes a few seconds).
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The running control plane.
pub struct ControlPlane {
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// The API server's port on 127.0.0.1.
    pub port: u16,
    /// The CA that signed the serving certificate, PEM (a pod's `ca.crt`).
    pub ca_pem: String,
    /// How long the start took.
    pub started_in: Duration,
    ca: pki::Ca,
    dir: PathBuf,
    admin: PathBuf,
    kubectl: PathBuf,
    audit_log: PathBuf,
    next: AtomicU32,
    /// Whether ESO's CRDs are installed; held while a test needs them absent.
    eso: Mutex<bool>,
    etcd: Guarded,
    apiserver: Guarded,
    controllers: Option<Guarded>,
}

/// Where install.sh's `go` and `eso_crds` groups put what they make
/// (`UEPE_GO_DIR`, as for the installer; default `/var/tmp/uepe-go`).
pub fn go_dir() -> PathBuf {
    std::env::var_os("UEPE_GO_DIR").map_or_else(|| PathBuf::from("/var/tmp/uepe-go"), PathBuf::from)
}

/// The peer binaries (`UEPE_GO_DIR/bin`).
pub fn go_bin(name: &str) -> PathBuf {
    go_dir().join("bin").join(name)
}

/// The CRDs of External Secrets Operator's kinds that the `external-secrets`
/// runner makes, as ESO ships them.
pub const ESO_CRDS: [&str; 2] = [
    "externalsecrets.external-secrets.io",
    "ecrauthorizationtokens.generators.external-secrets.io",
];

/// A peer built by install.sh's `go` group: its path, or `None` after a loud
/// skip (CI: a panic).
pub fn require_go_bin(name: &str) -> Option<PathBuf> {
    peers::require_path(name, &go_bin(name), "bash tests/peers/install.sh go")
}

/// Who a kubeconfig authenticates as.
pub enum Identity<'a> {
    /// A client certificate: user `user` in group `group`.
    User {
        /// The user name (certificate CN).
        user: &'a str,
        /// One group (certificate O), if any.
        group: Option<&'a str>,
    },
    /// A bearer token (a ServiceAccount's, from TokenRequest).
    Token(&'a str),
}

impl ControlPlane {
    /// The control plane, started on first use; `None` after a loud skip
    /// when its binaries are missing (under `CI=true`: a panic).
    pub fn get() -> Option<&'static ControlPlane> {
        let etcd = require_go_bin("etcd")?;
        let apiserver = require_go_bin("kube-apiserver")?;
        let kcm = require_go_bin("kube-controller-manager")?;
        let kubectl = require_go_bin("kubectl")?;
        // A failed start is kept, not retried by every test: each retry
        // would wait as long again and end the same way.
        static CP: OnceLock<Result<ControlPlane, String>> = OnceLock::new();
        match CP.get_or_init(|| start(&etcd, &apiserver, &kcm, &kubectl)) {
            Ok(cp) => Some(cp),
            Err(why) => panic!("{why}"),
        }
    }

    /// The kubectl of the same release, built with the control plane.
    pub fn kubectl_path(&self) -> &Path {
        &self.kubectl
    }

    /// A new namespace for one test, `PREFIX-N`, created by the admin.
    pub fn namespace(&self, prefix: &str) -> String {
        self.namespace_with_labels(prefix, &[])
    }

    /// Like [`namespace`](Self::namespace), with labels (e.g. Pod Security's
    /// `pod-security.kubernetes.io/enforce`).
    pub fn namespace_with_labels(&self, prefix: &str, labels: &[(&str, &str)]) -> String {
        let name = format!("{prefix}-{}", self.next.fetch_add(1, Ordering::Relaxed));
        let labels: serde_json::Map<String, Value> = labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        self.create(&json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": labels}}));
        // As in a cluster, the namespace is ready for Pods once its
        // `default` ServiceAccount exists (the ServiceAccount admission
        // plugin refuses a Pod whose ServiceAccount does not).
        self.wait_for(&format!("serviceaccount default in {name}"), || {
            self.kubectl(&["get", "serviceaccount", "default", "-n", &name])
                .code
                == 0
        });
        name
    }

    /// Polls `done` every 100 ms for up to 30 s; panics naming `what`.
    pub fn wait_for(&self, what: &str, mut done: impl FnMut() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !done() {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Ends a Pod as its kubelet would report it: phase `Succeeded` or
    /// `Failed`, its containers terminated with `exit_code` (no kubelet runs
    /// here). The Job controller then counts it.
    pub fn finish_pod(&self, ns: &str, pod: &Value, exit_code: i32) {
        let name = pod["metadata"]["name"].as_str().unwrap_or_default();
        let now = super::now_rfc3339();
        let statuses: Vec<Value> = pod["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                json!({"name": c["name"], "image": c["image"], "imageID": "", "ready": false,
                    "restartCount": 0, "started": false,
                    "state": {"terminated": {"exitCode": exit_code,
                        "reason": if exit_code == 0 { "Completed" } else { "Error" },
                        "startedAt": now, "finishedAt": now}}})
            })
            .collect();
        let phase = if exit_code == 0 {
            "Succeeded"
        } else {
            "Failed"
        };
        let patch = json!({"status": {"phase": phase, "startTime": now,
            "containerStatuses": statuses}});
        self.kubectl_ok(&[
            "patch",
            "pod",
            name,
            "-n",
            ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]);
    }

    /// Creates an object as the admin (`kubectl create -f -`).
    pub fn create(&self, object: &Value) {
        self.kubectl_ok_with_stdin(&["create", "-f", "-"], &object.to_string());
    }

    /// Creates ServiceAccount `name` in `ns`.
    pub fn service_account(&self, ns: &str, name: &str) {
        self.kubectl_ok(&["create", "serviceaccount", name, "-n", ns]);
    }

    /// A token of ServiceAccount `ns/name`, issued by TokenRequest.
    pub fn token(&self, ns: &str, name: &str) -> String {
        self.kubectl_ok(&["create", "token", name, "-n", ns, "--duration=1h"])
            .trim()
            .to_owned()
    }

    /// The admin's kubeconfig (user `uepe-admin` in `system:masters`),
    /// copied into `dir`, its context's namespace `ns`.
    pub fn admin_kubeconfig(&self, dir: &Path, ns: &str) -> PathBuf {
        self.kubeconfig(
            dir,
            ns,
            Identity::User {
                user: "uepe-admin",
                group: Some("system:masters"),
            },
        )
    }

    /// A kubeconfig in `dir` for `who`, its context's namespace `ns`. The
    /// certificates and the token go into files beside it, never onto a
    /// command line.
    pub fn kubeconfig(&self, dir: &Path, ns: &str, who: Identity<'_>) -> PathBuf {
        let ca = dir.join("control-plane-ca.crt");
        std::fs::write(&ca, &self.ca_pem).expect("write CA");
        let (name, auth) = match who {
            Identity::User { user, group } => {
                let pair = self.ca.client(user, group);
                let cert = dir.join(format!("{user}.crt"));
                let key = dir.join(format!("{user}.key"));
                std::fs::write(&cert, pair.cert).expect("write client certificate");
                std::fs::write(&key, pair.key).expect("write client key");
                (
                    user.to_owned(),
                    format!(
                        "    client-certificate: {}\n    client-key: {}\n",
                        cert.display(),
                        key.display()
                    ),
                )
            }
            Identity::Token(token) => ("token".to_owned(), format!("    token: {token}\n")),
        };
        let path = dir.join(format!("kubeconfig-{name}"));
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: uepe-test\n  cluster:\n    server: {url}\n    certificate-authority: {ca}\ncontexts:\n- name: {name}\n  context:\n    cluster: uepe-test\n    user: {name}\n    namespace: {ns}\ncurrent-context: {name}\nusers:\n- name: {name}\n  user:\n{auth}",
            url = self.url,
            ca = ca.display(),
        );
        std::fs::write(&path, text).expect("write kubeconfig");
        path
    }

    /// The built kubectl as the admin, no stdin.
    pub fn kubectl(&self, args: &[&str]) -> Run {
        self.kubectl_with_stdin(args, "")
    }

    /// The built kubectl as the admin, `stdin` fed to it.
    pub fn kubectl_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut c = Command::new(&self.kubectl);
        c.arg("--kubeconfig").arg(&self.admin).args(args);
        c.env_clear().env("HOME", &self.dir);
        run_with_stdin(c, stdin)
    }

    /// `kubectl ARGS` as the admin; panics on failure; stdout.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        self.kubectl_ok_with_stdin(args, "")
    }

    fn kubectl_ok_with_stdin(&self, args: &[&str], stdin: &str) -> String {
        let r = self.kubectl_with_stdin(args, stdin);
        assert_eq!(r.code, 0, "kubectl {args:?}: {}", r.stderr);
        r.stdout
    }

    /// `kubectl get ARGS -o json` as the admin (managedFields included),
    /// parsed; `None` when not found.
    pub fn get_json(&self, args: &[&str]) -> Option<Value> {
        let mut all = vec!["get"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["-o", "json", "--show-managed-fields"]);
        let r = self.kubectl(&all);
        if r.code != 0 && r.stderr.contains("NotFound") {
            return None;
        }
        assert_eq!(r.code, 0, "kubectl {all:?}: {}", r.stderr);
        Some(serde_json::from_str(&r.stdout).expect("kubectl JSON"))
    }

    /// Installs ESO's own CRDs ([`ESO_CRDS`], from install.sh's `eso_crds`
    /// group) once for all tests; `None` after a loud skip when they are
    /// not on the machine. Waits for a test inside
    /// [`without_eso`](Self::without_eso) to finish first.
    pub fn eso_crds(&self) -> Option<()> {
        let dir = peers::require_path(
            "ESO CRDs",
            &go_dir().join("eso-crds"),
            "bash tests/peers/install.sh eso_crds",
        )?;
        let mut installed = self.eso.lock().unwrap_or_else(PoisonError::into_inner);
        if !*installed {
            for crd in ESO_CRDS {
                let (plural, group) = crd.split_once('.').expect("plural.group");
                let file = dir.join(format!("{group}_{plural}.yaml"));
                // Server-side: the CRDs are too big for the last-applied annotation.
                self.kubectl_ok(&["apply", "--server-side", "-f", &file.display().to_string()]);
                self.kubectl_ok(&[
                    "wait",
                    "--for=condition=Established",
                    "--timeout=30s",
                    &format!("crd/{crd}"),
                ]);
            }
            *installed = true;
        }
        Some(())
    }

    /// Runs `f` while ESO's CRDs are not installed, keeping them out until
    /// it returns; `None`, without running it, when another test installed
    /// them already (tests share the control plane and run in any order).
    pub fn without_eso<T>(&self, f: impl FnOnce() -> T) -> Option<T> {
        let installed = self.eso.lock().unwrap_or_else(PoisonError::into_inner);
        let absent = !*installed && self.get_json(&["crd", ESO_CRDS[0]]).is_none();
        absent.then(f)
    }

    /// Every request user `user` made so far, in order, as the API server's
    /// audit log recorded them (the admin's are not logged). A marker
    /// request as `user` makes sure the log has caught up; it is not listed.
    pub fn requests_of(&self, user: &str) -> Vec<Audited> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let marker = format!("{}{n}", audit::MARKER);
        // A directory per marker: kubeconfig() rewrites its files.
        let dir = self.dir.join(format!("audit-marker-{n}"));
        std::fs::create_dir_all(&dir).expect("audit marker dir");
        let kc = self.kubeconfig(&dir, "default", Identity::User { user, group: None });
        audit::send_marker(&self.kubectl, &kc, &dir, &marker);
        let _ = std::fs::remove_dir_all(&dir);
        audit::requests_of(&self.audit_log, user, &marker)
    }

    /// The peers' logs (for a failure message).
    pub fn logs(&self) -> String {
        let kcm = self
            .controllers
            .as_ref()
            .map(|g| process::tail(g.log(), 30))
            .unwrap_or_default();
        format!(
            "--- etcd ---\n{}\n--- kube-apiserver ---\n{}\n--- kube-controller-manager ---\n{kcm}",
            process::tail(self.etcd.log(), 20),
            process::tail(self.apiserver.log(), 40)
        )
    }
}

fn start(
    etcd_bin: &Path,
    apiserver_bin: &Path,
    kcm_bin: &Path,
    kubectl: &Path,
) -> Result<ControlPlane, String> {
    let began = Instant::now();
    let dir = std::env::temp_dir().join(format!("uepe-control-plane-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("control plane dir");
    let file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write control plane file");
        path.display().to_string()
    };
    let ca = pki::Ca::new("uepe test cluster CA");
    let server = ca.server();
    let ca_file = file("ca.crt", &ca.pem);
    let cert_file = file("apiserver.crt", &server.cert);
    let key_file = file("apiserver.key", &server.key);
    let signing = pki::signing_key();
    let sa_key = file("sa.key", &signing.key);
    let sa_pub = file("sa.pub", &signing.cert);
    let audit_policy = file("audit-policy.yaml", audit::POLICY);
    let audit_log = dir.join("audit.log");

    let (client, peer, port) = (
        process::free_port(),
        process::free_port(),
        process::free_port(),
    );
    let etcd_url = format!("http://127.0.0.1:{client}");
    let peer_url = format!("http://127.0.0.1:{peer}");
    let etcd_args = [
        "--name=uepe".to_owned(),
        format!("--data-dir={}", dir.join("etcd").display()),
        format!("--listen-client-urls={etcd_url}"),
        format!("--advertise-client-urls={etcd_url}"),
        format!("--listen-peer-urls={peer_url}"),
        format!("--initial-advertise-peer-urls={peer_url}"),
        format!("--initial-cluster=uepe={peer_url}"),
        // Test data: losing it on a crash costs nothing; fsync costs seconds.
        "--unsafe-no-fsync".to_owned(),
        "--log-level=warn".to_owned(),
    ];
    // The watchdog of etcd, the last to stop, removes the directory.
    let etcd = process::spawn(etcd_bin, &etcd_args, &dir.join("etcd.log"), Some(&dir));
    let apiserver_args = [
        format!("--etcd-servers={etcd_url}"),
        "--bind-address=127.0.0.1".to_owned(),
        "--advertise-address=127.0.0.1".to_owned(),
        // The `kubernetes` Service's endpoints may not be a loopback address,
        // and nothing here routes to them.
        "--endpoint-reconciler-type=none".to_owned(),
        format!("--secure-port={port}"),
        format!("--tls-cert-file={cert_file}"),
        format!("--tls-private-key-file={key_file}"),
        format!("--client-ca-file={ca_file}"),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".to_owned(),
        format!("--service-account-key-file={sa_pub}"),
        format!("--service-account-signing-key-file={sa_key}"),
        "--authorization-mode=Node,RBAC".to_owned(),
        // Privileged pods are allowed by the server, so that Pod Security
        // admission is what refuses them in a restricted namespace.
        "--allow-privileged=true".to_owned(),
        // Only a range to allocate Service IPs from; nothing routes to it.
        "--service-cluster-ip-range=10.96.0.0/24".to_owned(),
        "--profiling=false".to_owned(),
        format!("--audit-policy-file={audit_policy}"),
        format!("--audit-log-path={}", audit_log.display()),
        // Each event is written before the request's handler returns (the
        // default for the log backend, said here because counting relies
        // on it: `batch` would write them seconds later).
        "--audit-log-mode=blocking".to_owned(),
    ];
    let apiserver = process::spawn(
        apiserver_bin,
        &apiserver_args,
        &dir.join("kube-apiserver.log"),
        None,
    );
    let mut cp = ControlPlane {
        url: format!("https://127.0.0.1:{port}"),
        port,
        ca_pem: ca.pem.clone(),
        started_in: Duration::ZERO,
        ca,
        admin: PathBuf::new(),
        kubectl: kubectl.to_path_buf(),
        audit_log,
        next: AtomicU32::new(0),
        eso: Mutex::new(false),
        etcd,
        apiserver,
        controllers: None,
        dir: dir.clone(),
    };
    cp.admin = cp.admin_kubeconfig(&dir, "default");
    wait_ready(&cp, began)?;
    let kcm_args = [
        format!("--kubeconfig={}", cp.admin.display()),
        format!("--controllers={CONTROLLERS}"),
        format!("--root-ca-file={ca_file}"),
        "--leader-elect=false".to_owned(),
        // No metrics or health endpoint: nothing reads them.
        "--secure-port=0".to_owned(),
    ];
    cp.controllers = Some(process::spawn(
        kcm_bin,
        &kcm_args,
        &dir.join("kube-controller-manager.log"),
        None,
    ));
    wait_controllers(&cp, began)?;
    cp.started_in = began.elapsed();
    eprintln!(
        "control plane: {} ready in {:.1} s",
        cp.url,
        cp.started_in.as_secs_f64()
    );
    Ok(cp)
}

/// Waits until the ClusterRole aggregation filled `view`: the controller
/// manager is then running, and tests may bind users to it.
fn wait_controllers(cp: &ControlPlane, began: Instant) -> Result<(), String> {
    loop {
        let r = cp.kubectl(&[
            "get",
            "clusterrole",
            "view",
            "-o",
            "jsonpath={.rules[*].verbs}",
        ]);
        if r.code == 0 && r.stdout.contains("list") {
            return Ok(());
        }
        let dead = !cp.controllers.as_ref().is_some_and(Guarded::running);
        if dead || began.elapsed() > START_TIMEOUT {
            return Err(format!(
                "kube-controller-manager did not aggregate the view ClusterRole ({}):\n{}",
                if dead { "it exited" } else { "timed out" },
                cp.logs()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Polls `/readyz` as the admin until it answers `ok`.
fn wait_ready(cp: &ControlPlane, began: Instant) -> Result<(), String> {
    loop {
        let out = Command::new(&cp.kubectl)
            .arg("--kubeconfig")
            .arg(&cp.admin)
            .args(["get", "--raw", "/readyz", "--request-timeout=2s"])
            .env_clear()
            .env("HOME", &cp.dir)
            .stdin(Stdio::null())
            .output()
            .expect("run kubectl");
        if out.status.success() && out.stdout.starts_with(b"ok") {
            return Ok(());
        }
        let dead = !cp.etcd.running() || !cp.apiserver.running();
        if dead || began.elapsed() > START_TIMEOUT {
            return Err(format!(
                "the control plane did not become ready ({}):\n{}",
                if dead { "a peer exited" } else { "timed out" },
                cp.logs()
            ));
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}
