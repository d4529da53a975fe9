//! `cronjob install|run|status|uninstall` and `doctor` against the real
//! server and controllers, and the refresher's own RBAC tried with a real
//! token of its ServiceAccount.

use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Cx, assert_applied_by_uepe};
use crate::support::control_plane::Identity;
use crate::support::moto::Moto;
use crate::support::{now_rfc3339, run_with_stdin};

const KINDS: [&str; 5] = ["secret", "serviceaccount", "role", "rolebinding", "cronjob"];

#[test]
fn cronjob_install_applies_the_pull_secret_first_and_a_rerun_changes_nothing() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("install");
    let r = cx.install(&ns, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some("secret/ecr-cred serverside-applied"),
        "pull secret first"
    );
    assert!(
        lines.contains(&"cronjob.batch/ecr-cred-refresher serverside-applied"),
        "{}",
        r.stdout
    );
    for kind in KINDS {
        let list = cx.cp.get_json(&[
            kind,
            "-n",
            &ns,
            "-l",
            "app.kubernetes.io/managed-by=kubectl-uepe",
        ]);
        let items = list
            .as_ref()
            .and_then(|l| l["items"].as_array())
            .cloned()
            .unwrap_or_default();
        assert!(!items.is_empty(), "{kind} installed");
        items.iter().for_each(assert_applied_by_uepe);
    }
    let before = cx.versions(&ns);
    let r = cx.install(&ns, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(cx.versions(&ns), before, "a rerun changes nothing");
}

#[test]
fn installing_without_role_arn_after_with_it_leaves_no_irsa_annotation() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("irsa");
    let arn = "arn:aws:iam::123456789012:role/ecr-reader";
    let r = cx.install(&ns, &["--role-arn", arn]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sa = cx
        .get("serviceaccount", &ns, "ecr-cred-refresher")
        .expect("sa");
    assert_eq!(
        sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        arn
    );

    let r = cx.install(&ns, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let sa = cx
        .get("serviceaccount", &ns, "ecr-cred-refresher")
        .expect("sa");
    assert!(
        sa["metadata"]["annotations"]
            .get("eks.amazonaws.com/role-arn")
            .is_none(),
        "the field the manager dropped is gone: {}",
        sa["metadata"]
    );
}

#[test]
fn every_runner_is_admitted_by_restricted_pod_security_without_a_warning() {
    let Some(cx) = Cx::new() else { return };
    for runner in ["aws-cli", "plugin"] {
        let ns = cx.cp.namespace_with_labels(
            "restricted",
            &[
                ("pod-security.kubernetes.io/enforce", "restricted"),
                ("pod-security.kubernetes.io/warn", "restricted"),
            ],
        );
        let mut extra = vec!["--runner", runner];
        if runner == "plugin" {
            extra.extend(["--image", "registry.example/kubectl-uepe:v0.1.0"]);
        }
        let r = cx.install(&ns, &extra);
        assert_eq!(r.code, 0, "{runner}: {}", r.stderr);
        assert_not_contains!(r.stderr, "Warning", "{runner}");
        // A Job made from the CronJob is admitted too (its Pod is what
        // Pod Security judges).
        let job = cx.start_job(&ns);
        cx.cp.wait_for(&format!("{runner}: a pod of {job}"), || {
            !pods_of(&cx, &ns, &job).is_empty()
        });
    }
}

#[test]
fn external_secrets_runner_needs_the_operator_and_meets_its_real_schemas() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("eso");
    let refused = cx.cp.without_eso(|| {
        let r = cx.install(&ns, &["--runner", "external-secrets"]);
        assert_ne!(r.code, 0);
        assert!(
            r.stderr
                .contains("External Secrets Operator is not installed")
                && r.stderr.contains("helm install"),
            "{}",
            r.stderr
        );
        assert!(cx.versions(&ns).is_empty(), "nothing written");
    });
    if refused.is_none() {
        eprintln!(
            "ESO's CRDs were installed by another test first: the refusal without them is not tried in this run"
        );
    }
    // ESO's own CRDs: the runner's objects are applied with strict field
    // validation against ESO's real schemas.
    if cx.cp.eso_crds().is_none() {
        return;
    }
    // ESO's own schemas, strict: a field they do not know is refused, so
    // the install below is checked field by field.
    let probe = json!({"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "probe", "namespace": ns},
        "spec": {"refreshInterval": "1h", "refreshIntervall": "1h"}});
    let r = cx.cp.kubectl_with_stdin(
        &["apply", "--server-side", "--validate=strict", "-f", "-"],
        &probe.to_string(),
    );
    assert_ne!(r.code, 0, "ESO's schema accepted an unknown field");
    assert_contains!(r.stderr, "refreshIntervall");

    let r = cx.install(&ns, &["--runner", "external-secrets"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for (kind, name) in [
        ("externalsecret", "ecr-cred-refresher"),
        ("ecrauthorizationtoken", "ecr-cred-refresher"),
    ] {
        let obj = cx.get(kind, &ns, name);
        let obj = obj.unwrap_or_else(|| {
            panic!(
                "{kind}/{name} stored: {:?}",
                cx.cp.get_json(&[&format!("{kind}s"), "-n", &ns])
            )
        });
        assert_applied_by_uepe(&obj);
    }
}

/// The Pods of Job `job` in `ns`.
fn pods_of(cx: &Cx, ns: &str, job: &str) -> Vec<Value> {
    cx.cp
        .get_json(&["pods", "-n", ns, "-l", &format!("job-name={job}")])
        .and_then(|l| l["items"].as_array().cloned())
        .unwrap_or_default()
}

/// Plays the kubelet while `cronjob run --wait` waits: every Pod the Job
/// controller makes in `ns` ends with `exit_code`.
fn run_and_wait(cx: &Cx, ns: &str, exit_code: i32) -> crate::support::Run {
    let done = AtomicBool::new(false);
    std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                let pods = cx.cp.get_json(&["pods", "-n", ns]).expect("pods");
                for pod in pods["items"].as_array().into_iter().flatten() {
                    if pod["status"]["phase"] == "Pending" {
                        cx.cp.finish_pod(ns, pod, exit_code);
                    }
                }
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        });
        let r = cx.run(&["cronjob", "run", "--wait", "--timeout=60s", "-n", ns]);
        done.store(true, Ordering::Relaxed);
        r
    })
}

#[test]
fn cronjob_run_makes_a_job_the_job_controller_runs_and_waits() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("run");
    assert_eq!(cx.install(&ns, &[]).code, 0);
    let r = run_and_wait(&cx, &ns, 0);
    assert_eq!(
        r.code,
        0,
        "{}\n{}",
        r.stderr,
        cx.cp.kubectl(&["describe", "jobs", "-n", &ns]).stdout
    );
    assert_contains!(r.stdout, "succeeded");
    let jobs = cx.cp.get_json(&["jobs", "-n", &ns]).expect("jobs");
    let job = &jobs["items"][0];
    let cj = cx
        .get("cronjob", &ns, "ecr-cred-refresher")
        .expect("cronjob");
    assert_eq!(
        job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"],
        "manual"
    );
    let owner = &job["metadata"]["ownerReferences"][0];
    assert_eq!(
        (owner["kind"].as_str(), owner["controller"].as_bool()),
        (Some("CronJob"), Some(true))
    );
    assert_eq!(owner["uid"], cj["metadata"]["uid"]);

    // One failed Pod fails the Job: the controller's back-off between
    // retries (10 s, 20 s, 40 s) would only make the test slow.
    cx.cp.kubectl_ok(&[
        "patch",
        "cronjob",
        "ecr-cred-refresher",
        "-n",
        &ns,
        "--type=merge",
        "-p",
        r#"{"spec":{"jobTemplate":{"spec":{"backoffLimit":0}}}}"#,
    ]);
    let r = run_and_wait(&cx, &ns, 1);
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "BackoffLimitExceeded");
    assert_contains!(r.stdout, "--- log of pod", "each failed pod is named");

    // Deleting the CronJob deletes its Jobs: the garbage collector follows
    // the owner references the plugin set.
    let r = cx.run(&["cronjob", "uninstall", "-n", &ns]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    cx.cp.wait_for("the Jobs to be garbage-collected", || {
        cx.cp.get_json(&["jobs", "-n", &ns]).expect("jobs")["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    });
}

/// Sets the pull secret's expiry annotation as a refresh would.
fn expire_at(cx: &Cx, ns: &str, at: &str) {
    cx.cp.kubectl_ok(&[
        "annotate",
        "--overwrite",
        "secret",
        "ecr-cred",
        "-n",
        ns,
        &format!("kubectl-uepe/password-expires-at={at}"),
    ]);
}

#[test]
fn status_reports_and_fails_without_a_fresh_secret() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("status");
    let r = cx.run(&["cronjob", "status", "-n", &ns]);
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("not installed") && r.stdout.contains("missing"),
        "{}",
        r.stdout
    );

    assert_eq!(cx.install(&ns, &[]).code, 0);
    expire_at(&cx, &ns, "2099-01-01T00:00:00Z");
    let r = cx.run(&["cronjob", "status", "-n", &ns]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Schedule:      0 */8 * * *")
            && r.stdout.contains("expires 2099-01-01T00:00:00Z"),
        "{}",
        r.stdout
    );

    expire_at(&cx, &ns, "2020-01-01T00:00:00Z");
    let r = cx.run(&["cronjob", "status", "-n", &ns]);
    assert_ne!(r.code, 0);
    assert_contains!(r.stdout, "EXPIRED");
}

#[test]
fn uninstall_removes_what_install_made_and_keeps_the_secret() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("uninstall");
    assert_eq!(cx.install(&ns, &[]).code, 0);
    cx.cp
        .kubectl_ok(&["create", "secret", "generic", "unrelated", "-n", &ns]);
    let r = cx.run(&["cronjob", "uninstall", "-n", &ns]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains!(r.stdout, "cronjob.batch \"ecr-cred-refresher\" deleted");
    for kind in ["cronjob", "role", "rolebinding", "serviceaccount"] {
        assert!(
            cx.get(kind, &ns, "ecr-cred-refresher").is_none(),
            "{kind} left behind"
        );
    }
    assert!(
        cx.get("secret", &ns, "ecr-cred-refresher-aws").is_none(),
        "credentials removed"
    );
    assert!(
        cx.get("secret", &ns, "ecr-cred").is_some(),
        "pull secret kept"
    );
    assert!(cx.get("secret", &ns, "unrelated").is_some());

    let r = cx.run(&["cronjob", "uninstall", "--delete-secret", "-n", &ns]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(cx.get("secret", &ns, "ecr-cred").is_none());
}

#[test]
fn doctor_names_each_problem_and_its_fix() {
    let Some(cx) = Cx::new() else { return };
    let ns = cx.cp.namespace("doctor");
    let image = "462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0";
    cx.cp.create(&json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "platform-0", "namespace": ns},
        "spec": {"containers": [{"name": "platform", "image": image}]}}));
    let waiting = |state: Value| {
        let patch = json!({"status": {"containerStatuses": [{"name": "platform", "image": image,
            "imageID": "", "ready": false, "restartCount": 0, "state": state}]}});
        cx.cp.kubectl_ok(&[
            "patch",
            "pod",
            "platform-0",
            "-n",
            &ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]);
    };
    waiting(json!({"waiting": {"reason": "ImagePullBackOff"}}));
    let r = cx.run(&["doctor", "-n", &ns]);
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("cluster reachable") && r.stdout.contains("v1.37.2"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(&format!("pull secret {ns}/ecr-cred")) && l.contains("FAIL")),
        "{}",
        r.stdout
    );
    assert_contains!(r.stdout, "platform-0 (ImagePullBackOff)");
    assert_contains!(
        r.stdout,
        "kubectl uepe cronjob install",
        "a fix per failing check"
    );

    // All well: a secret with the registry key and a future expiry, a
    // recent success, no stuck pod.
    assert_eq!(cx.install(&ns, &[]).code, 0);
    expire_at(&cx, &ns, "2099-01-01T00:00:00Z");
    let now = now_rfc3339();
    let status = json!({"status": {"lastSuccessfulTime": now, "lastScheduleTime": now}});
    cx.cp.kubectl_ok(&[
        "patch",
        "cronjob",
        "ecr-cred-refresher",
        "-n",
        &ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        &status.to_string(),
    ]);
    waiting(json!({"running": {"startedAt": now}}));
    let r = cx.run(&["doctor", "-n", &ns]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_not_contains!(r.stdout, "FAIL");
}

/// Issue 12: the refresher's Role, tried with a real token of its
/// ServiceAccount, as the `plugin` runner's pod runs `secret refresh`: it
/// updates `ecr-cred`, recreates it after it was deleted (server-side apply
/// of a missing object is authorized as `create` of that name), and is
/// refused on another Secret and in another namespace.
#[test]
fn the_refresher_recreates_its_pull_secret_and_may_touch_nothing_else() {
    let Some(moto) = Moto::start() else { return };
    let Some(cx) = Cx::new() else { return };
    let (ns, other) = (cx.cp.namespace("refresher"), cx.cp.namespace("elsewhere"));
    let r = cx.install(
        &ns,
        &[
            "--runner",
            "plugin",
            "--image",
            "registry.example/kubectl-uepe:v0.1.0",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let token = cx.cp.token(&ns, "ecr-cred-refresher");
    let kc = cx
        .cp
        .kubeconfig(cx.dir.path(), &ns, Identity::Token(&token));
    let refresh = |args: &[&str]| {
        let mut all = vec!["secret", "refresh"];
        all.extend_from_slice(args);
        let mut c = cx.uepe_as(&kc, &all);
        c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
            .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
            .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
        let r = run_with_stdin(c, "");
        for secret in [&token, &moto.reader.secret] {
            assert!(!r.stdout.contains(secret.as_str()) && !r.stderr.contains(secret.as_str()));
        }
        r
    };

    let before = cx.get("secret", &ns, "ecr-cred").expect("installed");
    let r = refresh(&["-n", &ns]);
    assert_eq!(r.code, 0, "updates it: {}", r.stderr);
    let after = cx.get("secret", &ns, "ecr-cred").expect("refreshed");
    assert_ne!(before["data"], after["data"], "a new password from ECR");

    cx.cp
        .kubectl_ok(&["delete", "secret", "ecr-cred", "-n", &ns]);
    let r = refresh(&["-n", &ns]);
    assert_eq!(r.code, 0, "recreates it after it was deleted: {}", r.stderr);
    assert!(cx.get("secret", &ns, "ecr-cred").is_some());

    let r = refresh(&["-n", &ns, "--name", "other"]);
    assert!(
        r.code != 0 && r.stderr.contains("forbidden"),
        "another Secret: {}",
        r.stderr
    );
    assert!(cx.get("secret", &ns, "other").is_none());
    let r = refresh(&["-n", &other]);
    assert!(
        r.code != 0 && r.stderr.contains("forbidden"),
        "another namespace: {}",
        r.stderr
    );
    assert!(cx.get("secret", &other, "ecr-cred").is_none());
}
