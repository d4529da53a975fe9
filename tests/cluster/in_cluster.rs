//! The in-cluster path of `Cluster::connect`: no kubeconfig anywhere, so the
//! binary uses the pod's service account, as the `plugin` runner's CronJob
//! does (`kubectl-uepe secret refresh` in a pod). kube-rs reads the token
//! and CA from the fixed directory `/var/run/secrets/kubernetes.io/
//! serviceaccount` and the server from `KUBERNETES_SERVICE_HOST`/`_PORT`,
//! always over `https://`; the binary runs in a private mount namespace
//! (`unshare --mount`, root) with a tmpfs on `/var/run` holding the files a
//! kubelet would project: the real control plane's CA and a real token of
//! a ServiceAccount from TokenRequest. The machine's own `/var/run` is never
//! touched.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

use crate::support::control_plane::{ControlPlane, TestCa};
use crate::support::moto::Moto;
use crate::support::{Run, bin, peers, run_with_stdin, tempdir, uepe};

const PASSWORD: &str = "fake-ecr-password-for-in-cluster-tests";
/// A token no server issued (for the tests that never reach one).
const FAKE_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.fake-service-account-token.sig";

/// Runs the rest of the arguments after projecting the files of directory
/// `$1` into the service-account directory, on a tmpfs only this process
/// tree sees. A file missing from `$1` stays missing.
const PROJECT_AND_EXEC: &str = r#"set -e
src=$1; shift
mount -t tmpfs -o mode=0755 tmpfs /var/run
sa=/var/run/secrets/kubernetes.io/serviceaccount
mkdir -p "$sa"
for f in token ca.crt namespace; do
  if [ -e "$src/$f" ]; then cp "$src/$f" "$sa/$f"; fi
done
exec "$@""#;

/// Whether this machine lets us make a mount namespace with its own
/// `/var/run`; false (after a loud skip, or a panic under CI) when not.
fn mount_namespaces() -> bool {
    let works = peers::which("unshare").is_some()
        && Command::new("unshare")
            .args(["--mount", "sh", "-c", "mount -t tmpfs tmpfs /var/run"])
            .output()
            .is_ok_and(|o| o.status.success());
    peers::require_that(
        "mount namespaces",
        works,
        "`unshare --mount` as root (CAP_SYS_ADMIN; util-linux), e.g. a privileged container",
    )
}

/// The service-account files of a pod: what goes into `ca.crt`, `token`
/// and `namespace` (`None`: not projected).
struct Pod<'a> {
    ca_pem: Option<&'a str>,
    token: Option<&'a str>,
    namespace: Option<&'a str>,
}

/// `kubectl-uepe ARGS` as in a pod: the service-account files projected,
/// `KUBERNETES_SERVICE_HOST`/`_PORT` pointing at `port`, no kubeconfig (an
/// empty HOME, no `KUBECONFIG`).
fn in_pod(dir: &Path, pod: &Pod, port: u16, args: &[&str]) -> Command {
    let files = dir.join("projected");
    let home = dir.join("home");
    std::fs::create_dir_all(&files).expect("projected dir");
    std::fs::create_dir_all(&home).expect("home dir");
    for (name, content) in [
        ("ca.crt", pod.ca_pem),
        ("token", pod.token),
        ("namespace", pod.namespace),
    ] {
        if let Some(content) = content {
            std::fs::write(files.join(name), content).expect("write projected file");
        }
    }
    let mut c = Command::new("unshare");
    c.args(["--mount", "sh", "-c", PROJECT_AND_EXEC, "sh"])
        .arg(&files)
        .arg(bin())
        .args(args);
    c.env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c.env("HOME", &home);
    c.env("NO_COLOR", "1");
    c.env("KUBERNETES_SERVICE_HOST", "127.0.0.1");
    c.env("KUBERNETES_SERVICE_PORT", port.to_string());
    c
}

/// Runs with the password on stdin and checks that neither it nor `token`
/// reached the output.
fn run_secret(cmd: Command, token: &str) -> Run {
    let r = run_with_stdin(cmd, PASSWORD);
    for (what, secret) in [("password", PASSWORD), ("service-account token", token)] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "the {what} leaked into the output"
        );
    }
    r
}

/// Paths of the leaves where `a` and `b` differ: names only, since the
/// values hold the password.
fn differing_paths(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                differing_paths(
                    &x[k],
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{at}.{k}"),
                    out,
                );
            }
        }
        _ if a != b => out.push(at.to_owned()),
        _ => {}
    }
}

/// The server's own fields, which no client writes.
const SERVER_OWNED: [&str; 4] = [
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "managedFields",
];

#[test]
fn secret_create_in_a_pod_uses_the_service_account_over_tls() {
    if !mount_namespaces() {
        return;
    }
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let ns = cp.namespace("in-pod");
    // A ServiceAccount that may write Secrets here and nothing else: only
    // its token can have written the Secret (anonymous is refused).
    cp.service_account(&ns, "writer");
    for role in ["edit", "view"] {
        cp.kubectl_ok(&[
            "create",
            "rolebinding",
            &format!("writer-{role}"),
            &format!("--clusterrole={role}"),
            &format!("--serviceaccount={ns}:writer"),
            "-n",
            &ns,
        ]);
    }
    let token = cp.token(&ns, "writer");
    let dir = tempdir();
    let pod = Pod {
        ca_pem: Some(&cp.ca_pem),
        token: Some(&token),
        namespace: Some(&ns),
    };
    let args = ["secret", "create", "--password-stdin", "-n", &ns];
    let r = run_secret(in_pod(dir.path(), &pod, cp.port, &args), &token);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "secret/ecr-cred serverside-applied\n");

    // Stored exactly as the client-side dry run renders it, once the
    // server's own fields are set aside.
    let r = run_secret(
        uepe(&[
            "secret",
            "create",
            "--dry-run=client",
            "-o",
            "json",
            "--password-stdin",
            "-n",
            &ns,
        ]),
        &token,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want: Value = serde_json::from_str(&r.stdout).expect("-o json");
    assert_eq!(want["kind"], "Secret", "one namespace renders one Secret");
    let mut got = cp
        .get_json(&["secret", "ecr-cred", "-n", &ns])
        .expect("the Secret is stored");
    let managers = &got["metadata"]["managedFields"];
    assert_eq!(managers[0]["manager"], "kubectl-uepe");
    if let Some(meta) = got["metadata"].as_object_mut() {
        for field in SERVER_OWNED {
            meta.remove(field);
        }
    }
    let mut differ = Vec::new();
    differing_paths(&want, &got, "", &mut differ);
    assert!(
        differ.is_empty(),
        "stored Secret differs from the dry run at {differ:?}"
    );
}

#[test]
fn a_ca_that_did_not_sign_the_server_is_refused_before_anything_is_sent() {
    if !mount_namespaces() {
        return;
    }
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let ns = cp.namespace("stranger");
    let stranger = TestCa::new("some other cluster's CA");
    let dir = tempdir();
    let pod = Pod {
        ca_pem: Some(&stranger.pem),
        token: Some(FAKE_TOKEN),
        namespace: Some(&ns),
    };
    let args = ["secret", "create", "--password-stdin", "-n", &ns];
    let r = run_secret(in_pod(dir.path(), &pod, cp.port, &args), FAKE_TOKEN);
    assert_ne!(r.code, 0, "a server the CA did not sign was trusted");
    let server = format!("https://127.0.0.1:{}", cp.port);
    assert_contains!(
        r.stderr,
        &format!(
            "the API server at {server}/ is not trusted: invalid peer certificate: UnknownIssuer; \
             check the cluster's certificate-authority in the kubeconfig \
             (in a pod: the service account's ca.crt)"
        ),
        "want the server and the certificate error"
    );
    assert!(cp.get_json(&["secret", "ecr-cred", "-n", &ns]).is_none());
}

/// Issue 12: what the `plugin` runner's pod runs, `kubectl-uepe secret
/// refresh` in-cluster with the refresher's real token: it updates
/// `ecr-cred`, recreates it after it was deleted, and is refused (403) on
/// another Secret and in another namespace.
#[test]
fn the_plugin_runner_refreshes_in_a_pod_with_its_own_token() {
    if !mount_namespaces() {
        return;
    }
    let Some(moto) = Moto::start() else { return };
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let (ns, other) = (cp.namespace("runner"), cp.namespace("runner-other"));
    let dir = tempdir();
    let admin = cp.admin_kubeconfig(dir.path(), &ns);
    let mut install = uepe(&[
        "--kubeconfig",
        admin.to_str().unwrap_or_default(),
        "cronjob",
        "install",
        "--runner",
        "plugin",
        "--image",
        "registry.example/kubectl-uepe:v0.1.0",
        "--password-stdin",
        "-n",
        &ns,
    ]);
    // The refresher's own keys (issue 11 item 2: install refuses without).
    install
        .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
        .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
    let install = run_with_stdin(install, PASSWORD);
    assert_eq!(install.code, 0, "{}", install.stderr);
    assert_no_secret!(install.stderr, &moto.reader.secret);
    let token = cp.token(&ns, "ecr-cred-refresher");
    let pod = Pod {
        ca_pem: Some(&cp.ca_pem),
        token: Some(&token),
        namespace: Some(&ns),
    };
    let refresh = |args: &[&str]| {
        let mut all = vec!["secret", "refresh"];
        all.extend_from_slice(args);
        let mut c = in_pod(dir.path(), &pod, cp.port, &all);
        c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
            .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
            .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
        let r = run_secret(c, &token);
        assert_no_secret!(r.stderr, &moto.reader.secret);
        r
    };
    let r = refresh(&["-n", &ns]);
    assert_eq!(r.code, 0, "updates it: {}", r.stderr);
    cp.kubectl_ok(&["delete", "secret", "ecr-cred", "-n", &ns]);
    let r = refresh(&["-n", &ns]);
    assert_eq!(r.code, 0, "recreates it: {}", r.stderr);
    assert!(cp.get_json(&["secret", "ecr-cred", "-n", &ns]).is_some());
    for (args, what) in [
        (vec!["-n", ns.as_str(), "--name", "other"], "another Secret"),
        (vec!["-n", other.as_str()], "another namespace"),
    ] {
        let r = refresh(&args);
        assert!(
            r.code != 0 && r.stderr.contains("forbidden"),
            "{what}: {}",
            r.stderr
        );
    }
}

#[test]
fn without_kubeconfig_or_service_account_the_error_names_both() {
    if !mount_namespaces() {
        return;
    }
    // A pod with `automountServiceAccountToken: false`: the variables are
    // set, the directory is empty.
    let dir = tempdir();
    let pod = Pod {
        ca_pem: None,
        token: None,
        namespace: None,
    };
    let args = ["secret", "create", "--password-stdin", "-n", "uepe"];
    let r = run_secret(in_pod(dir.path(), &pod, 443, &args), FAKE_TOKEN);
    assert_ne!(r.code, 0);
    let stderr = r.stderr.trim_end();
    for part in [
        "no Kubernetes configuration",
        "kubeconfig:",
        "in-cluster (/var/run/secrets/kubernetes.io/serviceaccount, KUBERNETES_SERVICE_HOST",
        "pass --kubeconfig, set KUBECONFIG, or run inside a pod",
    ] {
        assert_contains!(stderr, part);
    }
}
