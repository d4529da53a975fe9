//! Issue 12: the test support's real control plane does what a cluster
//! does (RBAC, TokenRequest, Pod Security) and leaves nothing running.

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::control_plane::{ControlPlane, Identity};
use crate::support::{run, tempdir};

/// `kubectl --kubeconfig K ARGS` with the control plane's kubectl.
fn kubectl_as(cp: &ControlPlane, kubeconfig: &Path, args: &[&str]) -> crate::support::Run {
    let mut c = Command::new(cp.kubectl_path());
    c.arg("--kubeconfig").arg(kubeconfig).args(args);
    c.env_clear()
        .env("HOME", kubeconfig.parent().unwrap_or(Path::new("/")));
    run(c)
}

#[test]
fn rbac_refuses_a_user_bound_to_nothing_and_view_stops_at_secrets() {
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let ns = cp.namespace("rbac");
    let dir = tempdir();
    let kc = cp.kubeconfig(
        dir.path(),
        &ns,
        Identity::User {
            user: "nobody",
            group: None,
        },
    );
    let r = kubectl_as(cp, &kc, &["get", "pods"]);
    assert_ne!(r.code, 0);
    assert_contains!(
        r.stderr,
        &format!(
            "User \"nobody\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\""
        ),
        "a real RBAC refusal"
    );

    cp.kubectl_ok(&[
        "create",
        "rolebinding",
        "nobody-view",
        "--clusterrole=view",
        "--user=nobody",
        "-n",
        &ns,
    ]);
    let r = kubectl_as(cp, &kc, &["get", "pods"]);
    assert_eq!(r.code, 0, "view may list pods: {}", r.stderr);
    let r = kubectl_as(cp, &kc, &["get", "secrets"]);
    assert!(
        r.code != 0 && r.stderr.contains("cannot list resource \"secrets\""),
        "view may not read secrets: {}",
        r.stderr
    );
}

/// The audit log gives a user's requests exactly: each once, in order,
/// with the verb and answer, and without anyone else's (the admin's, the
/// marker that makes sure the log caught up).
#[test]
fn the_audit_log_lists_each_request_of_a_user_once() {
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let ns = cp.namespace("audit");
    let user = format!("counted-{ns}");
    let dir = tempdir();
    let kc = cp.kubeconfig(
        dir.path(),
        &ns,
        Identity::User {
            user: &user,
            group: None,
        },
    );
    assert_eq!(cp.requests_of(&user), [], "nothing yet");
    let namespace = format!("/api/v1/namespaces/{ns}");
    let pods = format!("{namespace}/pods");
    for path in [&namespace, &namespace, &pods] {
        let r = kubectl_as(cp, &kc, &["get", "--raw", path]);
        assert_contains!(r.stderr, "Forbidden");
    }
    cp.kubectl_ok(&["get", "--raw", &namespace]);
    let seen: Vec<(String, String, u16)> = cp
        .requests_of(&user)
        .into_iter()
        .map(|r| (r.verb, r.path, r.code))
        .collect();
    let expected = [
        ("get", &namespace, 403),
        ("get", &namespace, 403),
        ("list", &pods, 403),
    ]
    .map(|(v, p, c)| (v.to_owned(), p.clone(), c));
    assert_eq!(seen, expected);
}

#[test]
fn a_token_request_token_authenticates_as_the_service_account() {
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let ns = cp.namespace("token");
    cp.service_account(&ns, "robot");
    let token = cp.token(&ns, "robot");
    let dir = tempdir();
    let kc = cp.kubeconfig(dir.path(), &ns, Identity::Token(&token));
    let r = kubectl_as(cp, &kc, &["auth", "whoami", "-o", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let who: Value = serde_json::from_str(&r.stdout).expect("whoami JSON");
    assert_eq!(
        who["status"]["userInfo"]["username"],
        format!("system:serviceaccount:{ns}:robot")
    );
    assert!(!r.stdout.contains(&token) && !r.stderr.contains(&token));

    let kc = cp.kubeconfig(dir.path(), &ns, Identity::Token("not-a-token"));
    let r = kubectl_as(cp, &kc, &["auth", "whoami"]);
    assert!(
        r.code != 0 && r.stderr.contains("Unauthorized"),
        "an unknown token is refused: {}",
        r.stderr
    );
}

#[test]
fn a_restricted_namespace_refuses_a_privileged_pod() {
    let Some(cp) = ControlPlane::get() else {
        return;
    };
    let ns = cp.namespace_with_labels(
        "restricted",
        &[("pod-security.kubernetes.io/enforce", "restricted")],
    );
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "root", "namespace": ns},
        "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.10",
            "securityContext": {"privileged": true}}]}});
    let r = cp.kubectl_with_stdin(&["create", "-f", "-"], &pod.to_string());
    assert!(
        r.code != 0
            && r.stderr
                .contains("violates PodSecurity \"restricted:latest\""),
        "Pod Security admission: {}",
        r.stderr
    );
    assert!(
        cp.get_json(&["pod", "root", "-n", &ns]).is_none(),
        "nothing stored"
    );
}

/// Run in a child test binary by the test below: starts a guarded `sleep`,
/// records its log path, and returns, so that the child binary exits.
#[test]
#[ignore = "a helper of watchdog_stops_its_peer_when_the_test_binary_exits, run in a child process"]
fn watchdog_probe() {
    let Some(dir) = std::env::var_os("UEPE_WATCHDOG_PROBE") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let cleanup = dir.join("data");
    std::fs::create_dir_all(&cleanup).expect("mkdir");
    let guarded = crate::support::control_plane::spawn_guarded(
        Path::new("sleep"),
        &["600".to_owned()],
        &dir.join("sleep.log"),
        Some(&cleanup),
    );
    // Leaked as a static's would be: only the process's end stops it.
    std::mem::forget(guarded);
    let deadline = Instant::now() + Duration::from_secs(10);
    while !std::fs::read_to_string(dir.join("sleep.log"))
        .unwrap_or_default()
        .contains("peer pid")
    {
        assert!(Instant::now() < deadline, "the watchdog did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn watchdog_stops_its_peer_when_the_test_binary_exits() {
    let dir = tempdir();
    let exe = std::env::current_exe().expect("test binary");
    let r = run({
        let mut c = Command::new(exe);
        c.args([
            "--exact",
            "control_plane::watchdog_probe",
            "--ignored",
            "--nocapture",
        ]);
        c.env("UEPE_WATCHDOG_PROBE", dir.path());
        c
    });
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let log = std::fs::read_to_string(dir.path().join("sleep.log")).expect("watchdog log");
    let pid = log
        .lines()
        .find_map(|l| l.strip_prefix("uepe-watchdog: peer pid "))
        .expect("the peer's pid in the log")
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Path::new(&format!("/proc/{pid}")).exists() || dir.path().join("data").exists() {
        assert!(
            Instant::now() < deadline,
            "the peer {pid} or its data outlived the test binary"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
