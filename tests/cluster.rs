//! Issue 4: the cluster side, against the in-process API server double
//! (`support::apiserver`, real HTTP, real kubeconfig) and the real binary.

mod errors;
mod first_run;
mod in_cluster;

use serde_json::{Value, json};
use std::process::Command;

use crate::support::apiserver::{ApiServer, JobOutcome, write_kubeconfig};
use crate::support::moto::Moto;
use crate::support::{Run, run_with_stdin, tempdir, uepe};

const PASSWORD: &str = "fake-ecr-password-for-tests";

/// `kubectl-uepe --kubeconfig K ARGS`.
fn kube(api: &ApiServer, dir: &tempfile::TempDir, args: &[&str]) -> Command {
    let kubeconfig = api.kubeconfig(dir.path());
    let mut all = vec!["--kubeconfig", kubeconfig.to_str().unwrap_or_default()];
    all.extend_from_slice(args);
    uepe(&all)
}

fn with_password(api: &ApiServer, dir: &tempfile::TempDir, args: &[&str]) -> Run {
    let r = run_with_stdin(kube(api, dir, args), PASSWORD);
    assert!(
        !r.stdout.contains(PASSWORD) && !r.stderr.contains(PASSWORD),
        "the password leaked into output"
    );
    r
}

fn applies(api: &ApiServer) -> Vec<String> {
    api.writes()
        .into_iter()
        .filter(|r| r.method == "PATCH")
        .map(|r| {
            assert!(
                r.content_type.starts_with("application/apply-patch"),
                "server-side apply: {}",
                r.content_type
            );
            assert!(
                r.query.contains("fieldManager=kubectl-uepe"),
                "field manager: {}",
                r.query
            );
            r.path
        })
        .collect()
}

#[test]
fn secret_create_applies_into_each_namespace() {
    let api = ApiServer::start(&["uepe", "uepe-test"]);
    let dir = tempdir();
    let r = with_password(
        &api,
        &dir,
        &[
            "secret",
            "create",
            "--password-stdin",
            "-n",
            "uepe,uepe-test",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [
            "secret/ecr-cred serverside-applied (namespace uepe)",
            "secret/ecr-cred serverside-applied (namespace uepe-test)"
        ]
    );
    for ns in ["uepe", "uepe-test"] {
        let s = api
            .get("v1", "Secret", ns, "ecr-cred")
            .expect("secret stored");
        assert_eq!(s["type"], "kubernetes.io/dockerconfigjson");
        assert_eq!(
            s["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "kubectl-uepe"
        );
    }
    assert_eq!(applies(&api).len(), 2);

    // One namespace: exactly kubectl's line.
    let r = with_password(
        &api,
        &dir,
        &["secret", "create", "--password-stdin", "-n", "uepe"],
    );
    assert_eq!(r.stdout, "secret/ecr-cred serverside-applied\n");
}

#[test]
fn a_missing_namespace_stops_everything_before_any_write() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = with_password(
        &api,
        &dir,
        &["secret", "create", "--password-stdin", "-n", "uepe,absent"],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("namespace absent does not exist")
            && r.stderr.contains("--create-namespace"),
        "{}",
        r.stderr
    );
    assert!(
        api.writes().is_empty(),
        "nothing written: {:?}",
        api.writes()
    );

    let r = with_password(
        &api,
        &dir,
        &[
            "secret",
            "create",
            "--password-stdin",
            "-n",
            "uepe,absent",
            "--create-namespace",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(api.get("v1", "Namespace", "", "absent").is_some());
    assert!(api.get("v1", "Secret", "absent", "ecr-cred").is_some());
}

#[test]
fn a_refused_namespace_is_reported_and_the_others_still_applied() {
    let api = ApiServer::start(&["a", "b", "c"]);
    api.forbid("patch", "secrets", "b");
    let dir = tempdir();
    let r = with_password(
        &api,
        &dir,
        &["secret", "create", "--password-stdin", "-n", "a,b,c"],
    );
    assert_ne!(r.code, 0, "a failure sets the exit code");
    assert!(api.get("v1", "Secret", "a", "ecr-cred").is_some());
    assert!(api.get("v1", "Secret", "c", "ecr-cred").is_some());
    assert!(api.get("v1", "Secret", "b", "ecr-cred").is_none());
    assert!(
        r.stdout.contains("(namespace a)") && r.stdout.contains("(namespace c)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr
            .contains("you may not patch secrets in namespace b")
            && r.stderr.contains("verbs: [\"patch\"]"),
        "names verb, resource, namespace and the RBAC rule: {}",
        r.stderr
    );
    assert!(r.stderr.contains("1 of 3 objects failed"), "{}", r.stderr);
}

#[test]
fn service_account_gets_the_pull_secret_once() {
    let api = ApiServer::start(&["uepe"]);
    api.put(json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "uepe", "namespace": "uepe"},
        "imagePullSecrets": [{"name": "other"}]}));
    let dir = tempdir();
    for _ in 0..2 {
        let r = with_password(
            &api,
            &dir,
            &[
                "secret",
                "create",
                "--password-stdin",
                "--service-account",
                "uepe",
            ],
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    let sa = api.get("v1", "ServiceAccount", "uepe", "uepe").expect("sa");
    assert_eq!(
        sa["imagePullSecrets"],
        json!([{"name": "other"}, {"name": "ecr-cred"}])
    );

    let r = with_password(
        &api,
        &dir,
        &[
            "secret",
            "create",
            "--password-stdin",
            "--service-account",
            "missing",
        ],
    );
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("serviceaccount missing does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn server_dry_run_sends_dry_run_all_and_stores_nothing() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = with_password(
        &api,
        &dir,
        &["secret", "create", "--password-stdin", "--dry-run=server"],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "secret/ecr-cred serverside-applied (server dry run)\n"
    );
    assert!(api.writes().iter().all(|w| w.query.contains("dryRun=All")));
    assert!(api.get("v1", "Secret", "uepe", "ecr-cred").is_none());
}

fn install(api: &ApiServer, dir: &tempfile::TempDir, extra: &[&str]) -> Run {
    let mut args = vec!["cronjob", "install", "--password-stdin"];
    args.extend_from_slice(extra);
    let mut c = kube(api, dir, &args);
    c.env("AWS_ACCESS_KEY_ID", "AKIAFAKEFORTESTS0000")
        .env("AWS_SECRET_ACCESS_KEY", "fake-secret-key-for-tests");
    let r = run_with_stdin(c, PASSWORD);
    assert!(
        !r.stdout.contains("fake-secret-key-for-tests")
            && !r.stderr.contains("fake-secret-key-for-tests")
    );
    r
}

#[test]
fn cronjob_install_applies_the_pull_secret_first_and_is_idempotent() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = install(&api, &dir, &[]);
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
    assert!(
        lines.contains(&"role.rbac.authorization.k8s.io/ecr-cred-refresher serverside-applied")
    );
    for kind in ["Secret", "ServiceAccount", "Role", "RoleBinding", "CronJob"] {
        for o in api.all(kind) {
            assert_eq!(
                o["metadata"]["labels"]["app.kubernetes.io/managed-by"], "kubectl-uepe",
                "{kind} labelled"
            );
        }
    }
    let versions = |api: &ApiServer| -> Vec<(String, Value)> {
        ["Secret", "ServiceAccount", "Role", "RoleBinding", "CronJob"]
            .iter()
            .flat_map(|k| api.all(k))
            .map(|o| {
                (
                    o["metadata"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    o["metadata"]["resourceVersion"].clone(),
                )
            })
            .collect()
    };
    let before = versions(&api);
    let r = install(&api, &dir, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        versions(&api),
        before,
        "a rerun changes nothing that is already right"
    );
}

#[test]
fn external_secrets_runner_needs_the_operator() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = install(&api, &dir, &["--runner", "external-secrets"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("External Secrets Operator is not installed")
            && r.stderr.contains("helm install"),
        "{}",
        r.stderr
    );
    assert!(api.writes().is_empty());

    for crd in [
        "externalsecrets.external-secrets.io",
        "ecrauthorizationtokens.generators.external-secrets.io",
    ] {
        api.put(json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": crd}}));
    }
    let r = install(&api, &dir, &["--runner", "external-secrets"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(api.all("ExternalSecret").len(), 1);
    assert_eq!(api.all("ECRAuthorizationToken").len(), 1);
}

#[test]
fn cronjob_run_creates_a_manual_job_and_waits() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    assert_eq!(install(&api, &dir, &[]).code, 0);
    let r = run_with_stdin(kube(&api, &dir, &["cronjob", "run", "--wait"]), "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("succeeded"), "{}", r.stdout);
    let jobs = api.all("Job");
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    let cj = api
        .get("batch/v1", "CronJob", "uepe", "ecr-cred-refresher")
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
    assert!(owner.get("blockOwnerDeletion").is_none());
    assert_eq!(
        job["spec"], cj["spec"]["jobTemplate"]["spec"],
        "the CronJob's template"
    );

    api.jobs_end(JobOutcome::Fail {
        reason: "BackoffLimitExceeded".into(),
        log: "An error occurred (AccessDenied)".into(),
    });
    let r = run_with_stdin(kube(&api, &dir, &["cronjob", "run", "--wait"]), "");
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("An error occurred (AccessDenied)"),
        "the log is printed: {}",
        r.stdout
    );
    assert!(r.stderr.contains("BackoffLimitExceeded"), "{}", r.stderr);
}

#[test]
fn status_reports_and_fails_without_a_fresh_secret() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = run_with_stdin(kube(&api, &dir, &["cronjob", "status"]), "");
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("not installed") && r.stdout.contains("missing"),
        "{}",
        r.stdout
    );

    assert_eq!(install(&api, &dir, &[]).code, 0);
    // The password from stdin has no known expiry; give one in the future.
    let mut s = api.get("v1", "Secret", "uepe", "ecr-cred").expect("secret");
    s["metadata"]["annotations"] =
        json!({"kubectl-uepe/password-expires-at": "2099-01-01T00:00:00Z"});
    api.put(s.clone());
    let r = run_with_stdin(kube(&api, &dir, &["cronjob", "status"]), "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Schedule:      0 */8 * * *")
            && r.stdout.contains("expires 2099-01-01T00:00:00Z"),
        "{}",
        r.stdout
    );

    s["metadata"]["annotations"] =
        json!({"kubectl-uepe/password-expires-at": "2020-01-01T00:00:00Z"});
    api.put(s);
    let r = run_with_stdin(kube(&api, &dir, &["cronjob", "status"]), "");
    assert_ne!(r.code, 0);
    assert!(r.stdout.contains("EXPIRED"), "{}", r.stdout);
}

#[test]
fn uninstall_removes_what_install_made_and_keeps_the_secret() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    assert_eq!(install(&api, &dir, &[]).code, 0);
    api.put(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "unrelated", "namespace": "uepe"}}));
    let r = run_with_stdin(kube(&api, &dir, &["cronjob", "uninstall"]), "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("cronjob.batch \"ecr-cred-refresher\" deleted"),
        "{}",
        r.stdout
    );
    for kind in ["CronJob", "Role", "RoleBinding", "ServiceAccount"] {
        assert!(api.all(kind).is_empty(), "{kind} left behind");
    }
    assert!(
        api.get("v1", "Secret", "uepe", "ecr-cred-refresher-aws")
            .is_none(),
        "credentials removed"
    );
    assert!(
        api.get("v1", "Secret", "uepe", "ecr-cred").is_some(),
        "pull secret kept"
    );
    assert!(api.get("v1", "Secret", "uepe", "unrelated").is_some());

    let r = run_with_stdin(
        kube(&api, &dir, &["cronjob", "uninstall", "--delete-secret"]),
        "",
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(api.get("v1", "Secret", "uepe", "ecr-cred").is_none());
}

#[test]
fn doctor_names_each_problem_and_its_fix() {
    let api = ApiServer::start(&["uepe"]);
    api.put(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "platform-0", "namespace": "uepe"},
        "status": {"containerStatuses": [{"name": "platform", "image": "462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0",
            "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}));
    let dir = tempdir();
    let r = run_with_stdin(kube(&api, &dir, &["doctor"]), "");
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains("cluster reachable") && r.stdout.contains("v1.33.0-double"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("pull secret uepe/ecr-cred") && l.contains("FAIL")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("platform-0 (ImagePullBackOff)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("kubectl uepe cronjob install"),
        "a fix per failing check: {}",
        r.stdout
    );

    // All well: secret with the registry key and a future expiry, a recent success, no stuck pod.
    assert_eq!(install(&api, &dir, &[]).code, 0);
    let mut s = api.get("v1", "Secret", "uepe", "ecr-cred").expect("secret");
    s["metadata"]["annotations"] =
        json!({"kubectl-uepe/password-expires-at": "2099-01-01T00:00:00Z"});
    api.put(s);
    let mut cj = api
        .get("batch/v1", "CronJob", "uepe", "ecr-cred-refresher")
        .expect("cj");
    let now = humantime_now();
    cj["status"] = json!({"lastSuccessfulTime": now, "lastScheduleTime": now});
    api.put(cj);
    let mut pod = api.get("v1", "Pod", "uepe", "platform-0").expect("pod");
    pod["status"]["containerStatuses"][0]["state"] = json!({"running": {}});
    api.put(pod);
    let r = run_with_stdin(kube(&api, &dir, &["doctor"]), "");
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(!r.stdout.contains("FAIL"), "{}", r.stdout);
}

/// Now as RFC 3339, from `date` (the test crate has no time library).
fn humantime_now() -> String {
    let out = Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .expect("date");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn an_unreachable_server_is_named() {
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
    assert!(
        r.stderr.contains(&format!(
            "cannot reach the Kubernetes API server at http://127.0.0.1:{port}"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn secret_refresh_and_create_take_the_password_and_expiry_from_ecr() {
    let Some(moto) = Moto::start() else { return };
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let mut c = kube(&api, &dir, &["secret", "create"]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
        .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
        .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
    let r = run_with_stdin(c, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let s = api.get("v1", "Secret", "uepe", "ecr-cred").expect("secret");
    assert!(
        s["metadata"]["annotations"]["kubectl-uepe/password-expires-at"].is_string(),
        "expiry annotation"
    );

    let mut c = kube(&api, &dir, &["secret", "refresh"]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
        .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
        .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
    let r = run_with_stdin(c, "");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("secret/ecr-cred serverside-applied"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains(&moto.reader.secret) && !r.stdout.contains(&moto.reader.secret));
    // refresh only patches: no namespace lookups the plugin runner's Role would refuse.
    assert!(
        api.requests()
            .iter()
            .filter(|r| r.path.contains("/namespaces/uepe") && r.path.ends_with("uepe"))
            .count()
            <= 1
    );
}

#[test]
fn kubeconfig_env_with_several_files_and_context_flag() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let good = api.kubeconfig(dir.path());
    // A first file whose current context points nowhere: only --context
    // picks the double's context from the second file.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let bad = write_kubeconfig(
        &dir.path().join("first"),
        "nowhere",
        &format!("http://127.0.0.1:{port}"),
    );
    let env = format!("{}:{}", bad.display(), good.display());
    let mut c = uepe(&["secret", "create", "--password-stdin"]);
    c.env("KUBECONFIG", &env);
    let r = run_with_stdin(c, PASSWORD);
    assert_ne!(r.code, 0, "the first file's current context is used");
    assert!(
        r.stderr.contains(&format!("127.0.0.1:{port}")),
        "{}",
        r.stderr
    );

    let mut c = uepe(&[
        "--context",
        "double",
        "secret",
        "create",
        "--password-stdin",
    ]);
    c.env("KUBECONFIG", &env);
    let r = run_with_stdin(c, PASSWORD);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(api.get("v1", "Secret", "uepe", "ecr-cred").is_some());
}
