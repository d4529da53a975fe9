//! Issue 11, item 13: a refused read of a cluster-scoped resource says so
//! without a namespace, and an error's causes are each said once. The
//! refusal is real RBAC: a user bound to nothing may not read a namespace.

use super::{Cx, unreachable_kubeconfig};
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
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("forbidden");
    let user = format!("nobody-{ns}");
    // Namespaces are cluster-scoped: secret create reads each one first.
    let r = secret_create(&cx.user(&user), &ns);
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
    assert_not_contains!(line, "in namespace");
    let requests = cx.cp.requests_of(&user);
    assert_eq!(
        requests
            .iter()
            .map(|r| (r.verb.as_str(), r.path.as_str(), r.code))
            .collect::<Vec<_>>(),
        [("get", format!("/api/v1/namespaces/{ns}").as_str(), 403)],
        "the refused read, and nothing tried after it"
    );
}

#[test]
fn issue_11_item_13_an_unreachable_server_says_each_cause_once() {
    let dir = tempdir();
    let (kc, _) = unreachable_kubeconfig(dir.path());
    let r = secret_create(&kc, "uepe");
    assert_ne!(r.code, 0);
    let line = r
        .stderr
        .lines()
        .find(|l| l.contains("cannot reach the Kubernetes API server"))
        .unwrap_or_else(|| panic!("no unreachable error: {}", r.stderr));
    assert_contains!(line, "Connection refused", "the cause");
    assert_each_part_once(line);
}
