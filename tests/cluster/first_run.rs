//! Issue 11, "the first run" and "everyday commands": install on a fresh
//! namespace, the refresher's keys from the same chain as `login`,
//! suggested commands that carry the options given (run, not read), what
//! to do next, each object read once by `status` and `doctor`, and
//! `--username` for registries that are not ECR. Against the API server
//! double, moto, the real kubectl and sh.
//!
//! The kubeconfig comes from `KUBECONFIG`, as kubectl's own does, so these
//! tests hold wherever the `--kubeconfig` flag sits in the command line.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::process::Command;

use crate::support::apiserver::{ApiServer, Logged};
use crate::support::moto::Moto;
use crate::support::shell::Shell;
use crate::support::{Run, bin, peers, run_with_stdin, tempdir, uepe};

const PASSWORD: &str = "fake-ecr-password-for-tests";
const KEY_ID: &str = "AKIAFAKEFORTESTS0000";
const SECRET_KEY: &str = "fake-secret-key-for-tests";
const ROLE: &str = "arn:aws:iam::123456789012:role/ecr-reader";

/// `kubectl-uepe ARGS` against `api` (through `KUBECONFIG`), no AWS keys.
fn at(api: &ApiServer, dir: &tempfile::TempDir, args: &[&str]) -> Command {
    let mut c = uepe(args);
    c.env("KUBECONFIG", api.kubeconfig(dir.path()));
    c
}

/// Runs with the password on stdin; nothing secret may be printed.
fn go(c: Command) -> Run {
    let r = run_with_stdin(c, PASSWORD);
    for secret in [PASSWORD, SECRET_KEY] {
        assert!(
            !r.stdout.contains(secret) && !r.stderr.contains(secret),
            "a secret leaked into the output"
        );
    }
    r
}

/// The same with long-lived keys in the environment.
fn with_keys(mut c: Command) -> Run {
    c.env("AWS_ACCESS_KEY_ID", KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    go(c)
}

/// The `kubectl uepe ...` suggestions of a message, in order.
fn suggestions(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("kubectl uepe "))
        .map(str::to_owned)
        .collect()
}

/// The data of a stored Secret, decoded.
fn secret_data(api: &ApiServer, ns: &str, name: &str, key: &str) -> String {
    let s = api
        .get("v1", "Secret", ns, name)
        .unwrap_or_else(|| panic!("Secret {ns}/{name} stored"));
    let b = B64
        .decode(s["data"][key].as_str().unwrap_or_default())
        .expect("base64 data");
    String::from_utf8(b).expect("utf-8 data")
}

fn eso_crds(api: &ApiServer) {
    for crd in [
        "externalsecrets.external-secrets.io",
        "ecrauthorizationtokens.generators.external-secrets.io",
    ] {
        api.put(json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": crd}}));
    }
}

/// Item 1: a fresh namespace is the normal first run.
#[test]
fn install_creates_the_namespace_and_patches_the_service_account() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = with_keys(at(
        &api,
        &dir,
        &[
            "cronjob",
            "install",
            "--password-stdin",
            "-n",
            "fresh",
            "--create-namespace",
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(api.get("v1", "Namespace", "", "fresh").is_some());
    assert!(
        api.get("batch/v1", "CronJob", "fresh", "ecr-cred-refresher")
            .is_some()
    );
    assert_eq!(
        r.stdout.lines().next(),
        Some("namespace/fresh serverside-applied"),
        "the namespace first: {}",
        r.stdout
    );

    // A ServiceAccount that is not there stops everything before a write.
    let before = api.writes().len();
    let r = with_keys(at(
        &api,
        &dir,
        &[
            "cronjob",
            "install",
            "--password-stdin",
            "--service-account",
            "builder",
        ],
    ));
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("serviceaccount builder"), "{}", r.stderr);
    assert_eq!(api.writes().len(), before, "nothing written");

    api.put(json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "builder", "namespace": "uepe"},
        "imagePullSecrets": [{"name": "other"}]}));
    for expected in ["patched", "unchanged"] {
        let r = with_keys(at(
            &api,
            &dir,
            &[
                "cronjob",
                "install",
                "--password-stdin",
                "--service-account",
                "builder",
            ],
        ));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout
                .contains(&format!("serviceaccount/builder {expected}")),
            "{}",
            r.stdout
        );
    }
    let sa = api
        .get("v1", "ServiceAccount", "uepe", "builder")
        .expect("sa");
    assert_eq!(
        sa["imagePullSecrets"],
        json!([{"name": "other"}, {"name": "ecr-cred"}])
    );
}

/// Item 2: keys in `~/.aws/credentials` only, as `login` finds them. The
/// password comes from moto with the profile's keys, and the refresher
/// gets the same keys.
#[test]
fn install_takes_the_refresher_keys_from_the_profile() {
    let Some(moto) = Moto::start() else { return };
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).expect("mkdir ~/.aws");
    std::fs::write(
        home.join(".aws/credentials"),
        format!(
            "[ops]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.reader.id, moto.reader.secret
        ),
    )
    .expect("write credentials");
    let mut c = at(&api, &dir, &["cronjob", "install", "--profile", "ops"]);
    c.env("HOME", &home).env("AWS_ENDPOINT_URL_ECR", &moto.url);
    let r = go(c);
    assert!(!r.stderr.contains(&moto.reader.secret), "key leaked");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = secret_data(&api, "uepe", "ecr-cred-refresher-aws", "credentials");
    assert!(
        file.contains(&format!("aws_access_key_id = {}", moto.reader.id))
            && file.contains(&format!("aws_secret_access_key = {}", moto.reader.secret)),
        "the profile's keys are stored for the refresher"
    );
    let ps = api.get("v1", "Secret", "uepe", "ecr-cred").expect("pull");
    assert!(
        ps["metadata"]["annotations"]["kubectl-uepe/password-expires-at"].is_string(),
        "the password came from ECR"
    );
}

/// Item 2: with no long-lived keys to be had, install and secret create
/// stop before any write; `--role-arn` needs none; temporary keys are
/// stored with a warning.
#[test]
fn without_long_lived_keys_nothing_changes() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let r = go(at(&api, &dir, &["cronjob", "install", "--password-stdin"]));
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("no long-lived AWS keys") && r.stderr.contains("--role-arn"),
        "{}",
        r.stderr
    );
    assert!(api.writes().is_empty(), "{:?}", api.writes());

    // A web identity gives keys that expire within the hour: none to store.
    let token = dir.path().join("token");
    std::fs::write(&token, "a-web-identity-token").expect("write token");
    let mut c = at(&api, &dir, &["cronjob", "install", "--password-stdin"]);
    c.env("AWS_ROLE_ARN", ROLE)
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token);
    let r = go(c);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(api.writes().is_empty(), "{:?}", api.writes());

    // secret create without credentials fails before creating a namespace.
    let r = go(at(
        &api,
        &dir,
        &["secret", "create", "-n", "fresh", "--create-namespace"],
    ));
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(api.writes().is_empty(), "{:?}", api.writes());

    let r = go(at(
        &api,
        &dir,
        &["cronjob", "install", "--password-stdin", "--role-arn", ROLE],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        api.get("v1", "Secret", "uepe", "ecr-cred-refresher-aws")
            .is_none()
    );

    let mut c = at(&api, &dir, &["cronjob", "install", "--password-stdin"]);
    c.env("AWS_SESSION_TOKEN", "fake-session-token");
    let r = with_keys(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("temporary keys"), "{}", r.stderr);
}

/// Item 3: the command the error suggests, run as printed, makes the
/// credentials Secret of that runner, name and namespace; install then
/// goes through with it.
#[test]
fn the_suggested_credentials_command_makes_what_install_needs() {
    if peers::require("kubectl", "kubectl 1.32 is on the machine image").is_none() {
        return;
    }
    let Some(mut shell) = Shell::new() else {
        return;
    };
    let api = ApiServer::start(&["prod"]);
    eso_crds(&api);
    let dir = tempdir();
    let args = [
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        "prod",
        "--name",
        "my-cred",
        "--runner",
        "external-secrets",
    ];
    // The GitOps path renders without keys and says how to make them.
    let mut dry = args.to_vec();
    dry.push("--dry-run=client");
    let r = go(at(&api, &dir, &dry));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let suggested = suggestions(&r.stderr);
    let [credentials] = suggested.as_slice() else {
        panic!("one suggestion: {}", r.stderr);
    };

    // Paste it: `kubectl uepe` through kubectl's plugin discovery.
    let plugin_dir = bin().parent().expect("bin dir").display().to_string();
    let shims = shell.dir().join("shims").display().to_string();
    shell.env("PATH", &format!("{shims}:{plugin_dir}:/usr/bin:/bin"));
    shell.env(
        "KUBECONFIG",
        &api.kubeconfig(shell.dir()).display().to_string(),
    );
    let printed = shell.run(credentials);
    assert_eq!(printed.code, 0, "{credentials}: {}", printed.stderr);
    shell.env("AWS_ACCESS_KEY_ID", KEY_ID);
    shell.env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    let made = shell.run(&printed.stdout);
    assert_eq!(made.code, 0, "{}\n{}", printed.stdout, made.stderr);
    assert_eq!(
        secret_data(&api, "prod", "my-cred-refresher-aws", "access-key-id"),
        KEY_ID,
        "the external-secrets runner's keys, in prod, for my-cred"
    );

    assert!(api.writes().iter().all(|w| w.path.contains("/secrets")));

    let r = go(at(&api, &dir, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("uses the existing Secret prod/my-cred-refresher-aws"),
        "{}",
        r.stderr
    );
    assert_eq!(api.all("ExternalSecret").len(), 1);
}

/// Item 3: the refusal of a live install without keys suggests the same
/// command as the dry run's note, options included.
#[test]
fn the_refusal_suggests_the_command_with_the_options_given() {
    let api = ApiServer::start(&["prod"]);
    eso_crds(&api);
    let dir = tempdir();
    let args = [
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        "prod",
        "--name",
        "my-cred",
        "--runner",
        "external-secrets",
    ];
    let r = go(at(&api, &dir, &args));
    assert_ne!(r.code, 0, "no keys: {}", r.stderr);
    assert!(api.writes().is_empty(), "{:?}", api.writes());
    assert_eq!(
        suggestions(&r.stderr),
        ["kubectl uepe commands credentials -n prod --name my-cred --runner external-secrets"],
        "{}",
        r.stderr
    );
}

/// Item 4: after an install, what to do next, with the same -n and
/// --name; the first suggestion runs the refresher as printed.
#[test]
fn install_says_what_to_do_next() {
    if peers::require("kubectl", "kubectl 1.32 is on the machine image").is_none() {
        return;
    }
    let Some(mut shell) = Shell::new() else {
        return;
    };
    let api = ApiServer::start(&["prod"]);
    let dir = tempdir();
    let r = with_keys(at(
        &api,
        &dir,
        &[
            "cronjob",
            "install",
            "--password-stdin",
            "-n",
            "prod",
            "--name",
            "my-cred",
            "-o",
            "name",
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("kubectl uepe"), "no hint in stdout");
    let next = suggestions(&r.stderr);
    assert_eq!(
        next,
        [
            "kubectl uepe cronjob run --wait -n prod --name my-cred",
            "kubectl uepe doctor -n prod --name my-cred"
        ],
        "{}",
        r.stderr
    );
    let plugin_dir = bin().parent().expect("bin dir").display().to_string();
    let shims = shell.dir().join("shims").display().to_string();
    shell.env("PATH", &format!("{shims}:{plugin_dir}:/usr/bin:/bin"));
    shell.env(
        "KUBECONFIG",
        &api.kubeconfig(shell.dir()).display().to_string(),
    );
    let ran = shell.run(&next[0]);
    assert_eq!(ran.code, 0, "{}: {}", next[0], ran.stderr);
    assert!(ran.stdout.contains("succeeded"), "{}", ran.stdout);
    assert_eq!(api.all("Job").len(), 1);

    // A server dry run installs nothing, so it suggests nothing.
    let r = with_keys(at(
        &api,
        &dir,
        &[
            "cronjob",
            "install",
            "--password-stdin",
            "--dry-run=server",
            "-n",
            "prod",
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(suggestions(&r.stderr).is_empty(), "{}", r.stderr);
}

fn gets(log: &[Logged], path: &str) -> usize {
    log.iter()
        .filter(|l| l.method == "GET" && l.path == path)
        .count()
}

/// Item 5: each pull secret is one line of `status`, one check of
/// `doctor` and one request each.
#[test]
fn status_and_doctor_read_and_count_each_object_once() {
    let api = ApiServer::start(&["foo", "bar"]);
    let dir = tempdir();
    let r = go(at(&api, &dir, &["cronjob", "status", "-n", "foo,bar"]));
    assert_ne!(r.code, 0);
    let lines: Vec<&str> = r
        .stdout
        .lines()
        .filter(|l| l.starts_with("Pull secret:"))
        .collect();
    assert_eq!(
        lines,
        [
            "Pull secret:   foo/ecr-cred: missing",
            "Pull secret:   bar/ecr-cred: missing"
        ],
        "{}",
        r.stdout
    );
    let log = api.requests();
    for ns in ["foo", "bar"] {
        assert_eq!(
            gets(&log, &format!("/api/v1/namespaces/{ns}/secrets/ecr-cred")),
            1
        );
    }

    let before = api.requests().len();
    let r = go(at(&api, &dir, &["doctor", "-n", "foo,bar"]));
    assert_ne!(r.code, 0);
    let log = &api.requests()[before..];
    for ns in ["foo", "bar"] {
        assert_eq!(gets(log, &format!("/api/v1/namespaces/{ns}")), 1);
        assert_eq!(
            gets(log, &format!("/api/v1/namespaces/{ns}/secrets/ecr-cred")),
            1
        );
        assert_eq!(gets(log, &format!("/api/v1/namespaces/{ns}/pods")), 1);
    }
    let fixes: Vec<&str> = r
        .stdout
        .lines()
        .skip_while(|l| *l != "To fix:")
        .skip(1)
        .collect();
    assert_eq!(
        fixes,
        [
            "  pull secret foo/ecr-cred: kubectl uepe secret create -n foo",
            "  pull secret bar/ecr-cred: kubectl uepe secret create -n bar",
            "  cronjob foo/ecr-cred-refresher: kubectl uepe cronjob install -n foo,bar",
        ],
        "{}",
        r.stdout
    );
    // cluster, then namespace, secret and pods in each, then the CronJob.
    assert!(r.stderr.contains("3 of 8 checks failed"), "{}", r.stderr);
}

/// Item 3: doctor's fixes carry the context, namespace and name given;
/// the one for a missing namespace, run as printed, makes it and the
/// secret there.
#[test]
fn doctor_fixes_carry_the_options_given() {
    if peers::require("kubectl", "kubectl 1.32 is on the machine image").is_none() {
        return;
    }
    let Some(mut shell) = Shell::new() else {
        return;
    };
    let api = ApiServer::start(&["prod"]);
    let dir = tempdir();
    let r = go(at(
        &api,
        &dir,
        &[
            "doctor",
            "--context",
            "double",
            "-n",
            "prod,gone",
            "--name",
            "my-cred",
        ],
    ));
    assert_ne!(r.code, 0);
    let fix = |check: &str| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("  {check}: ")))
            .unwrap_or_else(|| panic!("a fix for {check}: {}", r.stdout))
            .to_owned()
    };
    assert_eq!(
        fix("pull secret prod/my-cred"),
        "kubectl uepe secret create --context double -n prod --name my-cred"
    );
    assert_eq!(
        fix("cronjob prod/my-cred-refresher"),
        "kubectl uepe cronjob install --context double -n prod,gone --name my-cred"
    );
    let namespace = fix("namespace gone");
    let plugin_dir = bin().parent().expect("bin dir").display().to_string();
    let shims = shell.dir().join("shims").display().to_string();
    shell.env("PATH", &format!("{shims}:{plugin_dir}:/usr/bin:/bin"));
    shell.env(
        "KUBECONFIG",
        &api.kubeconfig(shell.dir()).display().to_string(),
    );
    let ran = shell.run(&format!("echo {PASSWORD} | {namespace} --password-stdin"));
    assert_eq!(ran.code, 0, "{namespace}: {}", ran.stderr);
    assert!(api.get("v1", "Namespace", "", "gone").is_some());
    assert!(api.get("v1", "Secret", "gone", "my-cred").is_some());
}

/// Item 5: the installed runner is found once; with the external-secrets
/// runner, status and doctor judge its ExternalSecret, not a CronJob that
/// this runner never makes.
#[test]
fn status_and_doctor_find_the_external_secrets_runner() {
    let api = ApiServer::start(&["uepe"]);
    eso_crds(&api);
    let dir = tempdir();
    let r = with_keys(at(
        &api,
        &dir,
        &[
            "cronjob",
            "install",
            "--password-stdin",
            "--runner",
            "external-secrets",
        ],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        suggestions(&r.stderr),
        ["kubectl uepe doctor"],
        "{}",
        r.stderr
    );
    let mut es = api
        .get(
            "external-secrets.io/v1",
            "ExternalSecret",
            "uepe",
            "ecr-cred-refresher",
        )
        .expect("ExternalSecret stored");
    let ready = |status: &str, message: &str| {
        json!({"refreshTime": "2026-11-28T00:00:00Z", "conditions": [
            {"type": "Ready", "status": status, "reason": "R", "message": message}]})
    };
    es["status"] = ready("True", "secret synced");
    api.put(es.clone());

    let r = go(at(&api, &dir, &["cronjob", "status"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("ExternalSecret: uepe/ecr-cred-refresher")
            && r.stdout.contains("Ready:         yes: secret synced")
            && !r.stdout.contains("not installed"),
        "{}",
        r.stdout
    );
    let r = go(at(&api, &dir, &["doctor"]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("externalsecret uepe/ecr-cred-refresher"),
        "{}",
        r.stdout
    );

    es["status"] = ready("False", "could not get ECR token: AccessDenied");
    api.put(es);
    let r = go(at(&api, &dir, &["doctor"]));
    assert_ne!(r.code, 0);
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("externalsecret uepe/ecr-cred-refresher")
                && l.contains("FAIL")
                && l.contains("AccessDenied")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("1 of 6 checks failed"), "{}", r.stderr);
}

/// Item 14: `AWS` is ECR's user name only; another registry needs its own.
#[test]
fn a_registry_that_is_not_ecr_needs_a_username() {
    let api = ApiServer::start(&["uepe"]);
    let dir = tempdir();
    let create = [
        "secret",
        "create",
        "--registry",
        "harbor.example.com/uepe",
        "--password-stdin",
    ];
    let r = go(at(&api, &dir, &create));
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("--username") && r.stderr.contains("harbor.example.com"),
        "{}",
        r.stderr
    );
    assert!(api.writes().is_empty(), "{:?}", api.writes());

    let mut args = create.to_vec();
    args.extend(["--username", "robot$uepe"]);
    let r = go(at(&api, &dir, &args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let config: Value =
        serde_json::from_str(&secret_data(&api, "uepe", "ecr-cred", ".dockerconfigjson"))
            .expect("docker config");
    let entry = &config["auths"]["https://harbor.example.com"];
    assert_eq!(entry["username"], "robot$uepe");
    assert_eq!(
        entry["auth"],
        B64.encode(format!("robot$uepe:{PASSWORD}")).as_str()
    );
}
