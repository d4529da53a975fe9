//! Issues 4 and 12: the cluster side of the real binary against the real
//! control plane (`support::control_plane`: kube-apiserver, etcd,
//! kube-controller-manager). Each test works in namespaces of its own; what
//! a test asserts is read back with kubectl, as a person would check it.

mod doctor;
mod errors;
mod first_run;
mod in_cluster;
mod refresher;
mod runners;
mod secret;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::control_plane::{ControlPlane, Identity};
use crate::support::{Run, run_with_stdin, tempdir, uepe};

const PASSWORD: &str = "fake-ecr-password-for-tests";
const SECRET_KEY: &str = "fake-secret-key-for-tests";

/// One test's view of the control plane: its temp dir and the admin's
/// kubeconfig in it.
struct Cx {
    cp: &'static ControlPlane,
    dir: tempfile::TempDir,
    admin: PathBuf,
}

impl Cx {
    /// `None` after a loud skip when the control plane's binaries are missing.
    fn new() -> Option<Cx> {
        let cp = ControlPlane::get()?;
        let dir = tempdir();
        let admin = cp.admin_kubeconfig(dir.path(), "default");
        Some(Cx { cp, dir, admin })
    }

    /// A kubeconfig for user `user` (no group): what RBAC grants it is up to the test.
    fn user(&self, user: &str) -> PathBuf {
        self.cp.kubeconfig(
            self.dir.path(),
            "default",
            Identity::User { user, group: None },
        )
    }

    /// `kubectl-uepe --kubeconfig KC ARGS`.
    fn uepe_as(&self, kubeconfig: &Path, args: &[&str]) -> Command {
        let mut all = vec!["--kubeconfig", kubeconfig.to_str().unwrap_or_default()];
        all.extend_from_slice(args);
        uepe(&all)
    }

    /// `kubectl-uepe ARGS` as the admin, empty stdin.
    fn run(&self, args: &[&str]) -> Run {
        run_with_stdin(self.uepe_as(&self.admin, args), "")
    }

    /// `cronjob run -n NS` (no wait); the name of the Job it created.
    fn start_job(&self, ns: &str) -> String {
        let r = self.run(&["cronjob", "run", "-n", ns]);
        assert_eq!(r.code, 0, "cronjob run -n {ns}: {}", r.stderr);
        r.stdout
            .trim()
            .trim_start_matches("job.batch/")
            .trim_end_matches(" created")
            .to_owned()
    }

    /// `kubectl-uepe ARGS` as `kubeconfig`'s user with the password on
    /// stdin; checks that it did not leak.
    fn with_password_as(&self, kubeconfig: &Path, args: &[&str]) -> Run {
        let r = run_with_stdin(self.uepe_as(kubeconfig, args), PASSWORD);
        assert!(
            !r.stdout.contains(PASSWORD) && !r.stderr.contains(PASSWORD),
            "the password leaked into output"
        );
        r
    }

    /// As the admin.
    fn with_password(&self, args: &[&str]) -> Run {
        self.with_password_as(&self.admin, args)
    }

    /// `cronjob install --password-stdin -n NS EXTRA` as the admin, with AWS keys.
    fn install(&self, ns: &str, extra: &[&str]) -> Run {
        let mut args = vec!["cronjob", "install", "--password-stdin", "-n", ns];
        args.extend_from_slice(extra);
        let mut c = self.uepe_as(&self.admin, &args);
        c.env("AWS_ACCESS_KEY_ID", "AKIAFAKEFORTESTS0000")
            .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        let r = run_with_stdin(c, PASSWORD);
        for secret in [PASSWORD, SECRET_KEY] {
            assert!(!r.stdout.contains(secret) && !r.stderr.contains(secret));
        }
        r
    }

    /// An object read back with kubectl; `None` when it does not exist.
    fn get(&self, kind: &str, ns: &str, name: &str) -> Option<Value> {
        self.cp.get_json(&[kind, name, "-n", ns])
    }

    /// `(kind/name, resourceVersion)` of everything kubectl-uepe manages in `ns`.
    fn versions(&self, ns: &str) -> Vec<(String, String)> {
        let list = self
            .cp
            .get_json(&[
                "secrets,serviceaccounts,roles,rolebindings,cronjobs",
                "-n",
                ns,
                "-l",
                "app.kubernetes.io/managed-by=kubectl-uepe",
            ])
            .expect("list");
        list["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|o| {
                (
                    format!(
                        "{}/{}",
                        o["kind"].as_str().unwrap_or_default(),
                        o["metadata"]["name"].as_str().unwrap_or_default()
                    ),
                    o["metadata"]["resourceVersion"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }
}

/// Written by server-side apply as `kubectl-uepe` and by nothing else, and
/// without kubectl's client-side last-applied annotation.
#[track_caller]
pub(crate) fn assert_applied_by_uepe(obj: &Value) {
    let what = format!(
        "{}/{}",
        obj["kind"].as_str().unwrap_or_default(),
        obj["metadata"]["name"].as_str().unwrap_or_default()
    );
    let managers: Vec<(&str, &str)> = obj["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            (
                m["manager"].as_str().unwrap_or_default(),
                m["operation"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        managers,
        [("kubectl-uepe", "Apply")],
        "{what}: field managers"
    );
    assert!(
        obj["metadata"]["annotations"]
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .is_none(),
        "{what}: no last-applied annotation"
    );
}

/// A kubeconfig at `path` for a server nobody trusts or that is not there.
fn write_kubeconfig(path: &Path, name: &str, server: &str) -> PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {server}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: tester\ncurrent-context: {name}\nusers:\n- name: tester\n  user:\n    token: test-token\n"
    );
    std::fs::write(path, text).expect("write kubeconfig");
    path.to_owned()
}

/// A kubeconfig in `dir` for a loopback port nothing listens on, and the port.
fn unreachable_kubeconfig(dir: &Path) -> (PathBuf, u16) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let kc = write_kubeconfig(&dir.join("kc"), "c", &format!("http://127.0.0.1:{port}"));
    (kc, port)
}

#[test]
fn an_unreachable_server_is_named() {
    let dir = tempdir();
    let (kc, port) = unreachable_kubeconfig(dir.path());
    let r = run_with_stdin(
        uepe(&[
            "--kubeconfig",
            kc.to_str().unwrap_or_default(),
            "secret",
            "create",
            "--password-stdin",
        ]),
        PASSWORD,
    );
    assert_ne!(r.code, 0);
    assert_contains!(
        r.stderr,
        &format!("cannot reach the Kubernetes API server at http://127.0.0.1:{port}")
    );
}

#[test]
fn kubeconfig_env_with_several_files_and_context_flag() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("kubeconfigs");
    // A first file whose current context points nowhere: only --context
    // picks the admin's context from the second file.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let bad = write_kubeconfig(
        &cx.dir.path().join("first"),
        "nowhere",
        &format!("http://127.0.0.1:{port}"),
    );
    let env = format!("{}:{}", bad.display(), cx.admin.display());
    let mut c = uepe(&["secret", "create", "--password-stdin", "-n", &ns]);
    c.env("KUBECONFIG", &env);
    let r = run_with_stdin(c, PASSWORD);
    assert_ne!(r.code, 0, "the first file's current context is used");
    assert_contains!(r.stderr, &format!("127.0.0.1:{port}"));

    let mut c = uepe(&[
        "--context",
        "uepe-admin",
        "secret",
        "create",
        "--password-stdin",
        "-n",
        &ns,
    ]);
    c.env("KUBECONFIG", &env);
    let r = run_with_stdin(c, PASSWORD);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(cx.get("secret", &ns, "ecr-cred").is_some());
}
