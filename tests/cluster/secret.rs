//! `secret create` and `secret refresh` against the real server: into one
//! and several namespaces, `--create-namespace`, `--service-account`,
//! `--dry-run=server`, refusals by RBAC, and the server's warnings.

use serde_json::json;

use super::{Cx, assert_applied_by_uepe};
use crate::support::moto::Moto;
use crate::support::run_with_stdin;

#[test]
fn secret_create_applies_into_each_namespace_and_a_rerun_changes_nothing() {
    let Some(cx) = Cx::new() else { return };
    let (a, b) = (cx.cp.namespace("secret"), cx.cp.namespace("secret"));
    let both = format!("{a},{b}");
    let r = cx.with_password(&["secret", "create", "--password-stdin", "-n", &both]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            format!("secret/ecr-cred serverside-applied (namespace {a})"),
            format!("secret/ecr-cred serverside-applied (namespace {b})")
        ]
    );
    for ns in [&a, &b] {
        let s = cx.get("secret", ns, "ecr-cred").expect("secret stored");
        assert_eq!(s["type"], "kubernetes.io/dockerconfigjson");
        assert_eq!(
            s["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "kubectl-uepe"
        );
        assert_applied_by_uepe(&s);
    }

    let before = (cx.versions(&a), cx.versions(&b));
    let r = cx.with_password(&["secret", "create", "--password-stdin", "-n", &both]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        (cx.versions(&a), cx.versions(&b)),
        before,
        "the same secret again changes nothing"
    );

    // One namespace: exactly kubectl's line.
    let r = cx.with_password(&["secret", "create", "--password-stdin", "-n", &a]);
    assert_eq!(r.stdout, "secret/ecr-cred serverside-applied\n");
}

#[test]
fn a_missing_namespace_stops_everything_before_any_write() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("present");
    let absent = format!("{ns}-absent");
    let both = format!("{ns},{absent}");
    let r = cx.with_password(&["secret", "create", "--password-stdin", "-n", &both]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains(&format!("namespace {absent} does not exist"))
            && r.stderr.contains("--create-namespace"),
        "{}",
        r.stderr
    );
    assert!(
        cx.get("secret", &ns, "ecr-cred").is_none(),
        "nothing written in the namespace that exists"
    );

    let r = cx.with_password(&[
        "secret",
        "create",
        "--password-stdin",
        "-n",
        &both,
        "--create-namespace",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(cx.cp.get_json(&["namespace", &absent]).is_some());
    assert!(cx.get("secret", &absent, "ecr-cred").is_some());
}

/// RBAC for `user`: read namespaces (the plugin checks they exist), and
/// `verbs` on Secrets in each of `namespaces`.
fn grant(cx: &Cx, user: &str, verbs: &str, namespaces: &[&str]) {
    let cp = cx.cp;
    cp.kubectl_ok(&[
        "create",
        "clusterrole",
        user,
        "--verb=get",
        "--resource=namespaces",
    ]);
    cp.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        user,
        &format!("--clusterrole={user}"),
        &format!("--user={user}"),
    ]);
    for ns in namespaces {
        cp.kubectl_ok(&[
            "create",
            "role",
            user,
            &format!("--verb={verbs}"),
            "--resource=secrets",
            "-n",
            ns,
        ]);
        cp.kubectl_ok(&[
            "create",
            "rolebinding",
            user,
            &format!("--role={user}"),
            &format!("--user={user}"),
            "-n",
            ns,
        ]);
    }
}

#[test]
fn a_refused_namespace_is_reported_and_the_others_still_applied() {
    let Some(cx) = Cx::new() else { return };
    let [a, b, c] = ["refused", "refused", "refused"].map(|p| cx.cp.namespace(p));
    let user = format!("alice-{b}");
    grant(&cx, &user, "get,create,patch", &[&a, &c]);
    let kc = cx.user(&user);
    let all = format!("{a},{b},{c}");
    let r = cx.with_password_as(&kc, &["secret", "create", "--password-stdin", "-n", &all]);
    assert_ne!(r.code, 0, "a failure sets the exit code");
    assert!(cx.get("secret", &a, "ecr-cred").is_some());
    assert!(cx.get("secret", &c, "ecr-cred").is_some());
    assert!(cx.get("secret", &b, "ecr-cred").is_none());
    assert!(
        r.stdout.contains(&format!("(namespace {a})"))
            && r.stdout.contains(&format!("(namespace {c})")),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains(&format!("you may not patch secrets in namespace {b}"))
            && r.stderr.contains("verbs: [\"patch\"]"),
        "names verb, resource, namespace and the RBAC rule: {}",
        r.stderr
    );
    assert_contains!(r.stderr, "1 of 3 objects failed");
}

/// Issue 12: server-side apply of a Secret that does not exist is
/// authorized as a `create` of that name; the message must name the verb
/// the server refused, not the HTTP method.
#[test]
fn a_refused_create_by_apply_names_create() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("nocreate");
    let user = format!("bob-{ns}");
    grant(&cx, &user, "get,patch", &[&ns]);
    let kc = cx.user(&user);
    let r = cx.with_password_as(&kc, &["secret", "create", "--password-stdin", "-n", &ns]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains(&format!("you may not create secrets in namespace {ns}"))
            && r.stderr.contains("verbs: [\"create\"]"),
        "the refused verb is create: {}",
        r.stderr
    );
    assert!(cx.get("secret", &ns, "ecr-cred").is_none());
}

#[test]
fn service_account_gets_the_pull_secret_once() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("sa");
    cx.cp
        .create(&json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "uepe", "namespace": ns},
        "imagePullSecrets": [{"name": "other"}]}));
    for _ in 0..2 {
        let r = cx.with_password(&[
            "secret",
            "create",
            "--password-stdin",
            "-n",
            &ns,
            "--service-account",
            "uepe",
        ]);
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let sa = cx.get("serviceaccount", &ns, "uepe").expect("sa");
    assert_eq!(
        sa["imagePullSecrets"],
        json!([{"name": "other"}, {"name": "ecr-cred"}])
    );

    let r = cx.with_password(&[
        "secret",
        "create",
        "--password-stdin",
        "-n",
        &ns,
        "--service-account",
        "missing",
    ]);
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "serviceaccount missing does not exist");
}

#[test]
fn server_dry_run_is_checked_by_the_server_and_stores_nothing() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("dryrun");
    let r = cx.with_password(&[
        "secret",
        "create",
        "--password-stdin",
        "-n",
        &ns,
        "--dry-run=server",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "secret/ecr-cred serverside-applied (server dry run)\n"
    );
    assert!(cx.get("secret", &ns, "ecr-cred").is_none());

    // The server checks a dry run as it checks the real thing: RBAC too.
    let user = format!("viewer-{ns}");
    cx.cp.kubectl_ok(&[
        "create",
        "rolebinding",
        "viewer",
        "--clusterrole=view",
        &format!("--user={user}"),
        "-n",
        &ns,
    ]);
    let r = cx.with_password_as(
        &cx.user(&user),
        &[
            "secret",
            "create",
            "--password-stdin",
            "-n",
            &ns,
            "--dry-run=server",
        ],
    );
    assert!(
        r.code != 0 && r.stderr.contains("you may not patch secrets"),
        "{}",
        r.stderr
    );
}

/// Issue 12: every `Warning:` header the API server returns is printed, as
/// kubectl prints it. The warnings come from a ValidatingAdmissionPolicy in
/// Warn mode on Secrets of the test's namespace.
#[test]
fn every_warning_of_the_server_is_printed() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("warned");
    let policy = format!("warn-{ns}");
    cx.cp.create(&json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": policy},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": [{"apiGroups": [""], "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"], "resources": ["secrets"]}]},
            "validations": [
                {"expression": "false", "message": "first test warning"},
                {"expression": "false", "message": "second test warning"}
            ]
        }
    }));
    cx.cp.create(&json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": policy},
        "spec": {
            "policyName": policy,
            "validationActions": ["Warn"],
            "matchResources": {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}
        }
    }));
    // The policy takes effect once the server has loaded it.
    let mut r = cx.with_password(&["secret", "create", "--password-stdin", "-n", &ns]);
    for _ in 0..50 {
        if r.stderr.contains("second test warning") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        cx.cp.kubectl(&["delete", "secret", "ecr-cred", "-n", &ns]);
        r = cx.with_password(&["secret", "create", "--password-stdin", "-n", &ns]);
    }
    assert_eq!(r.code, 0, "warnings do not fail: {}", r.stderr);
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("Warning: "))
        .collect();
    assert_eq!(
        warnings,
        [
            format!(
                "Warning: Validation failed for ValidatingAdmissionPolicy '{policy}' with binding '{policy}': first test warning"
            ),
            format!(
                "Warning: Validation failed for ValidatingAdmissionPolicy '{policy}' with binding '{policy}': second test warning"
            ),
        ],
        "{}",
        r.stderr
    );
}

#[test]
fn secret_refresh_and_create_take_the_password_and_expiry_from_ecr() {
    let Some(moto) = Moto::start() else { return };
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("fromecr");
    let aws = |args: &[&str]| {
        let mut c = cx.uepe_as(&cx.admin, args);
        c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
            .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
            .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
        let r = run_with_stdin(c, "");
        assert_no_secret!(r.stderr, &moto.reader.secret);
        assert_no_secret!(r.stdout, &moto.reader.secret);
        r
    };
    let r = aws(&["secret", "create", "-n", &ns]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = cx.get("secret", &ns, "ecr-cred").expect("secret");
    assert!(
        s["metadata"]["annotations"]["kubectl-uepe/password-expires-at"].is_string(),
        "expiry annotation"
    );

    let r = aws(&["secret", "refresh", "-n", &ns]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains!(r.stdout, "secret/ecr-cred serverside-applied");
}
