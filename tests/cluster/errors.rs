//! Issue 11, item 13: a refused read of a cluster-scoped resource says so
//! without a namespace, and an error's causes are each said once.

use crate::support::apiserver::{ApiServer, write_kubeconfig};
use crate::support::{Run, assert_each_part_once, run_with_stdin, tempdir, uepe};

fn secret_create(kubeconfig: &std::path::Path, namespaces: &str) -> Run {
    run_with_stdin(
        uepe(&[
            "secret",
            "create",
            "--password-stdin",
            "-n",
            namespaces,
            "--kubeconfig",
            kubeconfig.to_str().unwrap_or_default(),
        ]),
        "fake-password-for-error-tests\n",
    )
}

#[test]
fn issue_11_item_13_a_forbidden_cluster_scoped_read_names_no_namespace() {
    let api = ApiServer::start(&["uepe"]);
    // Namespaces are cluster-scoped: secret create reads each one first.
    api.forbid("get", "namespaces", "");
    let dir = tempdir();
    let r = secret_create(&api.kubeconfig(dir.path()), "uepe");
    assert_ne!(r.code, 0);
    let line = r
        .stderr
        .lines()
        .find(|l| l.starts_with("error: forbidden"))
        .unwrap_or_else(|| panic!("no forbidden error: {}", r.stderr));
    assert!(
        line.starts_with("error: forbidden: you may not get namespaces; it needs a ClusterRole rule like {apiGroups: [\"\"], resources: [\"namespaces\"], verbs: [\"get\"]}"),
        "{line}"
    );
    assert!(!line.contains("in namespace"), "{line}");
    assert!(api.writes().is_empty(), "{:?}", api.writes());
}

#[test]
fn issue_11_item_13_an_unreachable_server_says_each_cause_once() {
    let dir = tempdir();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let kc = write_kubeconfig(
        &dir.path().join("kc"),
        "c",
        &format!("http://127.0.0.1:{port}"),
    );
    let r = secret_create(&kc, "uepe");
    assert_ne!(r.code, 0);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("cannot reach the Kubernetes API server"))
        .unwrap_or_else(|| panic!("no unreachable error: {}", r.stderr));
    assert!(line.contains("Connection refused"), "the cause: {line}");
    assert_each_part_once(line);
}
