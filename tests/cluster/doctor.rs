//! Issue 12: `doctor` names each failing check with its fix. Each test
//! starts from a refresher doctor finds healthy, breaks one thing as a
//! cluster would see it broken, and expects exactly that check to fail,
//! with its fix under "To fix:".

use serde_json::json;
use std::process::Command;

use super::Cx;
use crate::support::{Run, now_rfc3339, run_with_stdin};

const REFRESHER: &str = "ecr-cred-refresher";

/// A namespace whose refresher doctor finds healthy: installed (the pull
/// secret holds the registry's key, and `service_account`, made first,
/// lists it), an expiry in the future and a success just now, as a refresh
/// would leave them.
fn healthy(cx: &Cx, prefix: &str, service_account: Option<&str>) -> String {
    let ns = cx.cp.namespace(prefix);
    let mut extra = vec![];
    if let Some(sa) = service_account {
        cx.cp.service_account(&ns, sa);
        extra.extend(["--service-account", sa]);
    }
    let r = cx.install(&ns, &extra);
    assert_eq!(r.code, 0, "{}", r.stderr);
    cx.cp.kubectl_ok(&[
        "annotate",
        "--overwrite",
        "secret",
        "ecr-cred",
        "-n",
        &ns,
        "kubectl-uepe/password-expires-at=2099-01-01T00:00:00Z",
    ]);
    let now = now_rfc3339();
    let status = json!({"status": {"lastSuccessfulTime": now, "lastScheduleTime": now}});
    cx.cp.kubectl_ok(&[
        "patch",
        "cronjob",
        REFRESHER,
        "-n",
        &ns,
        "--subresource=status",
        "--type=merge",
        "-p",
        &status.to_string(),
    ]);
    ns
}

/// `doctor -n NS EXTRA` as the admin.
fn doctor(cx: &Cx, ns: &str, extra: &[&str]) -> Run {
    let mut args = vec!["doctor", "-n", ns];
    args.extend_from_slice(extra);
    cx.run(&args)
}

/// A `kubectl uepe COMMAND` line as doctor suggests it to the admin.
fn suggested(cx: &Cx, command: &str, rest: &str) -> String {
    format!(
        "kubectl uepe {command} --kubeconfig {} {rest}",
        cx.admin.display()
    )
}

#[track_caller]
fn assert_passes(r: &Run) {
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_not_contains!(r.stdout, "FAIL");
}

/// Exactly check `name` failed, its row says `detail`, and its fix is
/// `fix` under "To fix:".
#[track_caller]
fn assert_fails(r: &Run, name: &str, detail: &str, fix: &str) {
    assert_ne!(r.code, 0, "{}", r.stdout);
    let failed: Vec<(&str, &str)> = r
        .stdout
        .lines()
        .filter_map(|l| l.split_once("   FAIL   "))
        .map(|(n, d)| (n.trim_end(), d))
        .collect();
    assert!(
        failed.len() == 1 && failed[0].0 == name && failed[0].1.contains(detail),
        "only `{name}` fails, with `{detail}`:\n{}",
        r.stdout
    );
    let fixes = r
        .stdout
        .split_once("\nTo fix:\n")
        .map(|(_, f)| f)
        .unwrap_or_default();
    assert!(
        fixes.lines().any(|l| l == format!("  {name}: {fix}")),
        "the fix `{fix}`:\n{}",
        r.stdout
    );
}

#[test]
fn doctor_passes_a_healthy_refresher() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-well", Some("uepe-pods"));
    assert_passes(&doctor(&cx, &ns, &["--service-account", "uepe-pods"]));
}

#[test]
fn doctor_names_a_missing_pull_secret() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-missing", None);
    assert_passes(&doctor(&cx, &ns, &[]));
    cx.cp
        .kubectl_ok(&["delete", "secret", "ecr-cred", "-n", &ns]);
    assert_fails(
        &doctor(&cx, &ns, &[]),
        &format!("pull secret {ns}/ecr-cred"),
        "missing",
        &suggested(&cx, "secret create", &format!("-n {ns}")),
    );
}

#[test]
fn doctor_names_an_expired_password() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-expired", None);
    cx.cp.kubectl_ok(&[
        "annotate",
        "--overwrite",
        "secret",
        "ecr-cred",
        "-n",
        &ns,
        "kubectl-uepe/password-expires-at=2020-01-01T00:00:00Z",
    ]);
    assert_fails(
        &doctor(&cx, &ns, &[]),
        "password expiry",
        "expired at 2020-01-01T00:00:00Z",
        &format!(
            "{}, and check the refresher",
            suggested(&cx, "secret create", &format!("-n {ns}"))
        ),
    );
}

#[test]
fn doctor_names_a_pull_secret_without_the_registrys_key() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-key", None);
    // Someone else's apply replaced the credentials with another
    // registry's (the expiry annotation stays).
    let config = json!({"auths": {"registry.example": {"auth": "dTpw"}}}).to_string();
    let secret = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "ecr-cred", "namespace": ns},
        "type": "kubernetes.io/dockerconfigjson",
        "stringData": {".dockerconfigjson": config}});
    let r = cx.cp.kubectl_with_stdin(
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=someone-else",
            "-f",
            "-",
        ],
        &secret.to_string(),
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_fails(
        &doctor(&cx, &ns, &[]),
        &format!("pull secret {ns}/ecr-cred"),
        "no entry for ",
        &suggested(&cx, "secret create", &format!("-n {ns}")),
    );
}

#[test]
fn doctor_names_a_service_account_without_the_pull_secret() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-sa", Some("uepe-pods"));
    assert_passes(&doctor(&cx, &ns, &["--service-account", "uepe-pods"]));

    cx.cp.kubectl_ok(&[
        "patch",
        "serviceaccount",
        "uepe-pods",
        "-n",
        &ns,
        "--type=json",
        "-p",
        r#"[{"op":"remove","path":"/imagePullSecrets"}]"#,
    ]);
    assert_fails(
        &doctor(&cx, &ns, &["--service-account", "uepe-pods"]),
        &format!("serviceaccount {ns}/uepe-pods"),
        "does not list ecr-cred in imagePullSecrets",
        &suggested(
            &cx,
            "secret create",
            &format!("-n {ns} --service-account uepe-pods"),
        ),
    );
    assert_fails(
        &doctor(&cx, &ns, &["--service-account", "nobody"]),
        &format!("serviceaccount {ns}/nobody"),
        "missing",
        &format!(
            "kubectl -n {ns} create serviceaccount nobody, then {}",
            suggested(
                &cx,
                "secret create",
                &format!("-n {ns} --service-account nobody")
            )
        ),
    );
}

#[test]
fn doctor_names_a_suspended_cronjob_and_its_fix_resumes_it() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-suspended", None);
    cx.cp.kubectl_ok(&[
        "patch",
        "cronjob",
        REFRESHER,
        "-n",
        &ns,
        "--type=merge",
        "-p",
        r#"{"spec":{"suspend":true}}"#,
    ]);
    let fix = format!(
        r#"kubectl -n {ns} patch cronjob {REFRESHER} --type=merge -p '{{"spec":{{"suspend":false}}}}'"#
    );
    assert_fails(
        &doctor(&cx, &ns, &[]),
        &format!("cronjob {ns}/{REFRESHER}"),
        "suspended",
        &fix,
    );
    // The fix, pasted into a shell, is what makes it pass again.
    let kubectl_dir = cx.cp.kubectl_path().parent().expect("a directory");
    let mut sh = Command::new("sh");
    sh.args(["-c", &fix])
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", kubectl_dir.display()))
        .env("KUBECONFIG", &cx.admin)
        .env("HOME", cx.dir.path());
    let r = run_with_stdin(sh, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_passes(&doctor(&cx, &ns, &[]));
}

#[test]
fn doctor_names_a_failed_last_job() {
    let Some(cx) = Cx::new() else { return };
    let ns = healthy(&cx, "doctor-job", None);
    // One failed Pod fails the Job (no back-off retries to wait for).
    cx.cp.kubectl_ok(&[
        "patch",
        "cronjob",
        REFRESHER,
        "-n",
        &ns,
        "--type=merge",
        "-p",
        r#"{"spec":{"jobTemplate":{"spec":{"backoffLimit":0}}}}"#,
    ]);
    let job = cx.start_job(&ns);
    let pods = || {
        cx.cp
            .get_json(&["pods", "-n", &ns, "-l", &format!("job-name={job}")])
            .and_then(|l| l["items"].as_array().cloned())
            .unwrap_or_default()
    };
    cx.cp
        .wait_for(&format!("a pod of {job}"), || !pods().is_empty());
    // Still running: not a failure.
    assert_passes(&doctor(&cx, &ns, &[]));
    for pod in pods() {
        cx.cp.finish_pod(&ns, &pod, 1);
    }
    cx.cp.wait_for(&format!("{job} to fail"), || {
        cx.get("job", &ns, &job).is_some_and(|j| {
            j["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Failed" && c["status"] == "True")
        })
    });
    assert_fails(
        &doctor(&cx, &ns, &[]),
        "last job",
        &format!("job.batch/{job} failed: BackoffLimitExceeded"),
        &format!(
            "read why with `kubectl -n {ns} logs job/{job}`, then {}",
            suggested(&cx, "cronjob run --wait", &format!("-n {ns}"))
        ),
    );
}
