//! Issue 11, "the first run" and "everyday commands": install on a fresh
//! namespace, the refresher's keys from the same chain as `login`,
//! suggested commands that carry the options given (run, not read), what
//! to do next, each object read once by `status` and `doctor`, and
//! `--username` for registries that are not ECR. Against the real control
//! plane, moto, kubectl of the control plane's release and sh.
//!
//! The kubeconfig comes from `KUBECONFIG`, as kubectl's own does, so these
//! tests hold wherever the `--kubeconfig` flag sits in the command line.
//! Each test's user is its own (in `system:masters`), so the API server's
//! audit log tells what this test's commands asked of the server: what a
//! refused command wrote (nothing) and how often `status` read an object.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::support::control_plane::{Audited, ControlPlane, Identity};
use crate::support::moto::Moto;
use crate::support::shell::Shell;
use crate::support::{Run, bin, run_with_stdin, tempdir, uepe};

const PASSWORD: &str = "fake-ecr-password-for-tests";
const KEY_ID: &str = "AKIAFAKEFORTESTS0000";
const SECRET_KEY: &str = "fake-secret-key-for-tests";
const ROLE: &str = "arn:aws:iam::123456789012:role/ecr-reader";

/// One test: a namespace of its own, a user of its own and that user's
/// kubeconfig (its one context is named after the user).
struct Fr {
    cp: &'static ControlPlane,
    dir: tempfile::TempDir,
    ns: String,
    user: String,
    kubeconfig: PathBuf,
}

impl Fr {
    /// `None` after a loud skip when the control plane's binaries are missing.
    fn new(prefix: &str) -> Option<Fr> {
        let cp = ControlPlane::get()?;
        let ns = cp.namespace(prefix);
        let user = format!("user-{ns}");
        let dir = tempdir();
        let kubeconfig = cp.kubeconfig(
            dir.path(),
            &ns,
            Identity::User {
                user: &user,
                group: Some("system:masters"),
            },
        );
        Some(Fr {
            cp,
            dir,
            ns,
            user,
            kubeconfig,
        })
    }

    /// `kubectl-uepe ARGS` as this test's user (through `KUBECONFIG`), no AWS keys.
    fn at(&self, args: &[&str]) -> Command {
        let mut c = uepe(args);
        c.env("KUBECONFIG", &self.kubeconfig);
        c
    }

    /// Every request this test's user made so far (the audit log).
    fn requests(&self) -> Vec<Audited> {
        self.cp.requests_of(&self.user)
    }

    /// The requests so far that changed or tried to change something.
    fn writes(&self) -> Vec<Audited> {
        self.requests()
            .into_iter()
            .filter(Audited::is_write)
            .collect()
    }

    /// An object read back with kubectl; `None` when it does not exist.
    fn get(&self, kind: &str, ns: &str, name: &str) -> Option<Value> {
        self.cp.get_json(&[kind, name, "-n", ns])
    }

    /// The objects of a kind in `ns`.
    fn all(&self, kind: &str, ns: &str) -> Vec<Value> {
        self.cp
            .get_json(&[kind, "-n", ns])
            .and_then(|l| l["items"].as_array().cloned())
            .unwrap_or_default()
    }

    /// The data of a stored Secret, decoded.
    fn secret_data(&self, ns: &str, name: &str, key: &str) -> String {
        let s = self
            .get("secret", ns, name)
            .unwrap_or_else(|| panic!("Secret {ns}/{name} stored"));
        let b = B64
            .decode(s["data"][key].as_str().unwrap_or_default())
            .expect("base64 data");
        String::from_utf8(b).expect("utf-8 data")
    }

    /// A shell where `kubectl uepe` is this build through kubectl's plugin
    /// discovery (kubectl of the control plane's release), as this test's user.
    fn shell(&self) -> Option<Shell> {
        let mut shell = Shell::with_programs(&[("kubectl", self.cp.kubectl_path())])?;
        let plugin_dir = bin().parent().expect("bin dir").display().to_string();
        let shims = shell.dir().join("shims").display().to_string();
        shell.env("PATH", &format!("{shims}:{plugin_dir}:/usr/bin:/bin"));
        shell.env("KUBECONFIG", &self.kubeconfig.display().to_string());
        Some(shell)
    }

    /// Runs `f` while playing the kubelet in `ns`: every Pod the Job
    /// controller makes there ends with exit code 0 (no kubelet runs here).
    fn with_pods_succeeding<T>(&self, ns: &str, f: impl FnOnce() -> T) -> T {
        let done = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    for pod in self.all("pods", ns) {
                        if pod["status"]["phase"] == "Pending" {
                            self.cp.finish_pod(ns, &pod, 0);
                        }
                    }
                    std::thread::sleep(std::time::Duration::from_millis(200));
                }
            });
            let out = f();
            done.store(true, Ordering::Relaxed);
            out
        })
    }
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

/// Item 1: a fresh namespace is the normal first run.
#[test]
fn install_creates_the_namespace_and_patches_the_service_account() {
    let Some(fr) = Fr::new("first") else { return };
    let fresh = format!("{}-fresh", fr.ns);
    let r = with_keys(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        &fresh,
        "--create-namespace",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(fr.cp.get_json(&["namespace", &fresh]).is_some());
    assert!(fr.get("cronjob", &fresh, "ecr-cred-refresher").is_some());
    assert_eq!(
        r.stdout.lines().next(),
        Some(format!("namespace/{fresh} serverside-applied").as_str()),
        "the namespace first: {}",
        r.stdout
    );

    // A ServiceAccount that is not there stops everything before a write.
    let ns = fr.ns.as_str();
    let before = fr.writes().len();
    let r = with_keys(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        ns,
        "--service-account",
        "builder",
    ]));
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "serviceaccount builder");
    assert_eq!(fr.writes()[before..], [], "nothing written");

    fr.cp
        .create(&json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "builder", "namespace": ns},
        "imagePullSecrets": [{"name": "other"}]}));
    for expected in ["patched", "unchanged"] {
        let r = with_keys(fr.at(&[
            "cronjob",
            "install",
            "--password-stdin",
            "-n",
            ns,
            "--service-account",
            "builder",
        ]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_contains!(r.stdout, &format!("serviceaccount/builder {expected}"));
    }
    let sa = fr.get("serviceaccount", ns, "builder").expect("sa");
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
    let Some(fr) = Fr::new("profile") else { return };
    let home = fr.dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).expect("mkdir ~/.aws");
    std::fs::write(
        home.join(".aws/credentials"),
        format!(
            "[ops]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.reader.id, moto.reader.secret
        ),
    )
    .expect("write credentials");
    let mut c = fr.at(&["cronjob", "install", "--profile", "ops", "-n", &fr.ns]);
    c.env("HOME", &home).env("AWS_ENDPOINT_URL_ECR", &moto.url);
    let r = go(c);
    assert_no_secret!(r.stderr, &moto.reader.secret, "key leaked");
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = fr.secret_data(&fr.ns, "ecr-cred-refresher-aws", "credentials");
    assert!(
        file.contains(&format!("aws_access_key_id = {}", moto.reader.id))
            && file.contains(&format!("aws_secret_access_key = {}", moto.reader.secret)),
        "the profile's keys are stored for the refresher"
    );
    let ps = fr.get("secret", &fr.ns, "ecr-cred").expect("pull");
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
    let Some(fr) = Fr::new("nokeys") else { return };
    let ns = fr.ns.as_str();
    let r = go(fr.at(&["cronjob", "install", "--password-stdin", "-n", ns]));
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("no long-lived AWS keys") && r.stderr.contains("--role-arn"),
        "{}",
        r.stderr
    );
    assert_eq!(fr.writes(), [], "nothing written");

    // A web identity gives keys that expire within the hour: none to store.
    let token = fr.dir.path().join("token");
    std::fs::write(&token, "a-web-identity-token").expect("write token");
    let mut c = fr.at(&["cronjob", "install", "--password-stdin", "-n", ns]);
    c.env("AWS_ROLE_ARN", ROLE)
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token);
    let r = go(c);
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert_eq!(fr.writes(), [], "nothing written");

    // secret create without credentials fails before creating a namespace.
    let fresh = format!("{ns}-fresh");
    let r = go(fr.at(&["secret", "create", "-n", &fresh, "--create-namespace"]));
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert_eq!(fr.writes(), [], "nothing written");
    assert!(fr.cp.get_json(&["namespace", &fresh]).is_none());

    let r = go(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        ns,
        "--role-arn",
        ROLE,
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(fr.get("secret", ns, "ecr-cred-refresher-aws").is_none());

    let mut c = fr.at(&["cronjob", "install", "--password-stdin", "-n", ns]);
    c.env("AWS_SESSION_TOKEN", "fake-session-token");
    let r = with_keys(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains!(r.stderr, "temporary keys");
}

/// Item 3: the command the error suggests, run as printed, makes the
/// credentials Secret of that runner, name and namespace; install then
/// goes through with it.
#[test]
fn the_suggested_credentials_command_makes_what_install_needs() {
    let Some(fr) = Fr::new("suggested") else {
        return;
    };
    let Some(mut shell) = fr.shell() else { return };
    if fr.cp.eso_crds().is_none() {
        return;
    }
    let ns = fr.ns.as_str();
    let args = [
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        ns,
        "--name",
        "my-cred",
        "--runner",
        "external-secrets",
    ];
    // The GitOps path renders without keys and says how to make them.
    let mut dry = args.to_vec();
    dry.push("--dry-run=client");
    let r = go(fr.at(&dry));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let suggested = suggestions(&r.stderr);
    let [credentials] = suggested.as_slice() else {
        panic!("one suggestion: {}", r.stderr);
    };

    // Paste it: `kubectl uepe` through kubectl's plugin discovery.
    let printed = shell.run(credentials);
    assert_eq!(printed.code, 0, "{credentials}: {}", printed.stderr);
    shell.env("AWS_ACCESS_KEY_ID", KEY_ID);
    shell.env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
    let made = shell.run(&printed.stdout);
    assert_eq!(made.code, 0, "{}\n{}", printed.stdout, made.stderr);
    assert_eq!(
        fr.secret_data(ns, "my-cred-refresher-aws", "access-key-id"),
        KEY_ID,
        "the external-secrets runner's keys, in {ns}, for my-cred"
    );

    let writes = fr.writes();
    assert!(
        !writes.is_empty() && writes.iter().all(|w| w.path.contains("/secrets")),
        "only the printed commands wrote, and only a Secret: {writes:?}"
    );

    let r = go(fr.at(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains!(
        r.stderr,
        &format!("uses the existing Secret {ns}/my-cred-refresher-aws")
    );
    assert_eq!(fr.all("externalsecrets", ns).len(), 1);
}

/// Item 3: the refusal of a live install without keys suggests the same
/// command as the dry run's note, options included.
#[test]
fn the_refusal_suggests_the_command_with_the_options_given() {
    let Some(fr) = Fr::new("refusal") else { return };
    if fr.cp.eso_crds().is_none() {
        return;
    }
    let ns = fr.ns.as_str();
    let args = [
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        ns,
        "--name",
        "my-cred",
        "--runner",
        "external-secrets",
    ];
    let r = go(fr.at(&args));
    assert_ne!(r.code, 0, "no keys: {}", r.stderr);
    assert_eq!(fr.writes(), [], "nothing written");
    assert_eq!(
        suggestions(&r.stderr),
        [format!(
            "kubectl uepe commands credentials -n {ns} --name my-cred --runner external-secrets"
        )],
        "{}",
        r.stderr
    );
}

/// Item 4: after an install, what to do next, with the same -n and
/// --name; the first suggestion runs the refresher as printed.
#[test]
fn install_says_what_to_do_next() {
    let Some(fr) = Fr::new("next") else { return };
    let Some(shell) = fr.shell() else { return };
    let ns = fr.ns.as_str();
    let r = with_keys(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        ns,
        "--name",
        "my-cred",
        "-o",
        "name",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_not_contains!(r.stdout, "kubectl uepe", "no hint in stdout");
    let next = suggestions(&r.stderr);
    assert_eq!(
        next,
        [
            format!("kubectl uepe cronjob run --wait -n {ns} --name my-cred"),
            format!("kubectl uepe doctor -n {ns} --name my-cred")
        ],
        "{}",
        r.stderr
    );
    // The Job controller makes the Job's Pod; the test ends it as a kubelet would.
    let ran = fr.with_pods_succeeding(ns, || shell.run(&next[0]));
    assert_eq!(ran.code, 0, "{}: {}", next[0], ran.stderr);
    assert_contains!(ran.stdout, "succeeded");
    assert_eq!(fr.all("jobs", ns).len(), 1);

    // A server dry run installs nothing, so it suggests nothing.
    let r = with_keys(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "--dry-run=server",
        "-n",
        ns,
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(suggestions(&r.stderr).is_empty(), "{}", r.stderr);
}

/// How many of `log` read `path`.
fn reads(log: &[Audited], path: &str) -> usize {
    log.iter().filter(|l| l.reads(path)).count()
}

/// Item 5: each pull secret is one line of `status`, one check of
/// `doctor` and one request each. Run without ESO's CRDs when they are
/// still absent (the ExternalSecret read then gets the bare 404 of a group
/// the server does not serve, which means "not installed"); its name sorts
/// before the tests that install them, so a whole run starts it first.
#[test]
fn each_object_is_read_once_by_status_and_doctor() {
    let Some(fr) = Fr::new("foo") else { return };
    let (foo, bar) = (fr.ns.clone(), fr.cp.namespace("bar"));
    let both = format!("{foo},{bar}");
    let check = || {
        let before = fr.requests().len();
        let r = go(fr.at(&["cronjob", "status", "-n", &both]));
        assert_ne!(r.code, 0, "{}", r.stderr);
        let lines: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("Pull secret:"))
            .collect();
        assert_eq!(
            lines,
            [
                format!("Pull secret:   {foo}/ecr-cred: missing"),
                format!("Pull secret:   {bar}/ecr-cred: missing")
            ],
            "{}\n{}",
            r.stdout,
            r.stderr
        );
        let log = &fr.requests()[before..];
        for ns in [&foo, &bar] {
            assert_eq!(
                reads(log, &format!("/api/v1/namespaces/{ns}/secrets/ecr-cred")),
                1,
                "{log:#?}"
            );
        }
        let cron_job = format!("/apis/batch/v1/namespaces/{foo}/cronjobs/ecr-cred-refresher");
        assert_eq!(reads(log, &cron_job), 1, "the refresher is looked for once");

        let before = fr.requests().len();
        let r = go(fr.at(&["doctor", "-n", &both]));
        assert_ne!(r.code, 0);
        let log = &fr.requests()[before..];
        for ns in [&foo, &bar] {
            assert_eq!(reads(log, &format!("/api/v1/namespaces/{ns}")), 1);
            assert_eq!(
                reads(log, &format!("/api/v1/namespaces/{ns}/secrets/ecr-cred")),
                1
            );
            assert_eq!(reads(log, &format!("/api/v1/namespaces/{ns}/pods")), 1);
        }
        assert_eq!(reads(log, &cron_job), 1, "the refresher is looked for once");
        let fixes: Vec<&str> = r
            .stdout
            .lines()
            .skip_while(|l| *l != "To fix:")
            .skip(1)
            .collect();
        assert_eq!(
            fixes,
            [
                format!("  pull secret {foo}/ecr-cred: kubectl uepe secret create -n {foo}"),
                format!("  pull secret {bar}/ecr-cred: kubectl uepe secret create -n {bar}"),
                format!(
                    "  cronjob {foo}/ecr-cred-refresher: kubectl uepe cronjob install -n {both}"
                ),
            ],
            "{}\n{}",
            r.stdout,
            r.stderr
        );
        // cluster, then namespace, secret and pods in each, then the CronJob.
        assert_contains!(r.stderr, "3 of 8 checks failed");
    };
    if fr.cp.without_eso(check).is_none() {
        eprintln!(
            "ESO's CRDs were installed by another test first: status and doctor run with them"
        );
        check();
    }
}

/// Item 3: doctor's fixes carry the context, namespace and name given;
/// the one for a missing namespace, run as printed, makes it and the
/// secret there.
#[test]
fn doctor_fixes_carry_the_options_given() {
    let Some(fr) = Fr::new("prod") else { return };
    let Some(shell) = fr.shell() else { return };
    let (prod, context) = (fr.ns.as_str(), fr.user.as_str());
    let gone = format!("{prod}-gone");
    let both = format!("{prod},{gone}");
    let r = go(fr.at(&[
        "doctor",
        "--context",
        context,
        "-n",
        &both,
        "--name",
        "my-cred",
    ]));
    assert_ne!(r.code, 0);
    let fix = |check: &str| {
        r.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("  {check}: ")))
            .unwrap_or_else(|| panic!("a fix for {check}: {}{}", r.stdout, r.stderr))
            .to_owned()
    };
    assert_eq!(
        fix(&format!("pull secret {prod}/my-cred")),
        format!("kubectl uepe secret create --context {context} -n {prod} --name my-cred")
    );
    assert_eq!(
        fix(&format!("cronjob {prod}/my-cred-refresher")),
        format!("kubectl uepe cronjob install --context {context} -n {both} --name my-cred")
    );
    let namespace = fix(&format!("namespace {gone}"));
    let ran = shell.run(&format!("echo {PASSWORD} | {namespace} --password-stdin"));
    assert_eq!(ran.code, 0, "{namespace}: {}", ran.stderr);
    assert!(fr.cp.get_json(&["namespace", &gone]).is_some());
    assert!(fr.get("secret", &gone, "my-cred").is_some());
}

/// Item 5: the installed runner is found once; with the external-secrets
/// runner, status and doctor judge its ExternalSecret, not a CronJob that
/// this runner never makes.
#[test]
fn status_and_doctor_find_the_external_secrets_runner() {
    let Some(fr) = Fr::new("esorunner") else {
        return;
    };
    if fr.cp.eso_crds().is_none() {
        return;
    }
    let ns = fr.ns.as_str();
    let r = with_keys(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        ns,
        "--runner",
        "external-secrets",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        suggestions(&r.stderr),
        [format!("kubectl uepe doctor -n {ns}")],
        "no CronJob to run: {}",
        r.stderr
    );
    assert!(
        fr.get("externalsecret", ns, "ecr-cred-refresher").is_some(),
        "ExternalSecret stored"
    );
    // What ESO's controller would report (none runs here).
    let ready = |status: &str, message: &str| {
        let patch = json!({"status": {"refreshTime": "2026-11-28T00:00:00Z", "conditions": [
            {"type": "Ready", "status": status, "reason": "R", "message": message,
             "lastTransitionTime": "2026-11-28T00:00:00Z"}]}});
        fr.cp.kubectl_ok(&[
            "patch",
            "externalsecret",
            "ecr-cred-refresher",
            "-n",
            ns,
            "--subresource=status",
            "--type=merge",
            "-p",
            &patch.to_string(),
        ]);
    };
    ready("True", "secret synced");

    let r = go(fr.at(&["cronjob", "status", "-n", ns]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains(&format!("ExternalSecret: {ns}/ecr-cred-refresher"))
            && r.stdout.contains("Ready:         yes: secret synced")
            && !r.stdout.contains("not installed"),
        "{}",
        r.stdout
    );
    let r = go(fr.at(&["doctor", "-n", ns]));
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_contains!(r.stdout, &format!("externalsecret {ns}/ecr-cred-refresher"));

    ready("False", "could not get ECR token: AccessDenied");
    let r = go(fr.at(&["doctor", "-n", ns]));
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.lines().any(
            |l| l.starts_with(&format!("externalsecret {ns}/ecr-cred-refresher"))
                && l.contains("FAIL")
                && l.contains("AccessDenied")
        ),
        "{}",
        r.stdout
    );
    assert_contains!(r.stderr, "1 of 6 checks failed");
}

/// Item 14: `AWS` is ECR's user name only; another registry needs its own.
#[test]
fn a_registry_that_is_not_ecr_needs_a_username() {
    let Some(fr) = Fr::new("harbor") else { return };
    let ns = fr.ns.as_str();
    let create = [
        "secret",
        "create",
        "-n",
        ns,
        "--registry",
        "harbor.example.com/uepe",
        "--password-stdin",
    ];
    let r = go(fr.at(&create));
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("--username") && r.stderr.contains("harbor.example.com"),
        "{}",
        r.stderr
    );
    assert_eq!(fr.writes(), [], "nothing written");

    let mut args = create.to_vec();
    args.extend(["--username", "robot$uepe"]);
    let r = go(fr.at(&args));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let config: Value = serde_json::from_str(&fr.secret_data(ns, "ecr-cred", ".dockerconfigjson"))
        .expect("docker config");
    let entry = &config["auths"]["https://harbor.example.com"];
    assert_eq!(entry["username"], "robot$uepe");
    assert_eq!(
        entry["auth"],
        B64.encode(format!("robot$uepe:{PASSWORD}")).as_str()
    );
}

/// Issue 13: `status`, `run`, `uninstall` and `doctor` learn what install
/// made from the core; asking it instead of rendering every runner must not
/// cost one more API request. The counts were measured before the change
/// (an installed aws-cli refresher for two namespaces).
#[test]
fn issue_13_status_run_uninstall_and_doctor_make_no_more_requests() {
    let Some(fr) = Fr::new("count") else { return };
    let (foo, bar) = (fr.ns.clone(), fr.cp.namespace("count"));
    let both = format!("{foo},{bar}");
    let r = with_keys(fr.at(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        &both,
        "--create-namespace",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let count = |args: &[&str], at_most: usize| {
        let before = fr.requests().len();
        let r = go(fr.at(args));
        // A request the server throttled (429) is retried by the client:
        // the command asked once.
        let log: Vec<Audited> = fr.requests()[before..]
            .iter()
            .filter(|l| l.code != 429)
            .cloned()
            .collect();
        eprintln!("{}: {} requests", args.join(" "), log.len());
        assert!(
            log.len() <= at_most,
            "{}: {} requests, {at_most} before: {log:#?}",
            args.join(" "),
            log.len()
        );
        r
    };
    let r = count(&["cronjob", "status", "-n", &both], STATUS);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = count(&["doctor", "-n", &both], DOCTOR);
    assert!(
        r.stdout
            .contains(&format!("cronjob {foo}/ecr-cred-refresher")),
        "{}",
        r.stdout
    );
    let r = count(&["cronjob", "run", "-n", &both], RUN);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = count(
        &["cronjob", "uninstall", "-n", &both, "--delete-secret"],
        UNINSTALL,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(fr.get("cronjob", &foo, "ecr-cred-refresher").is_none());
    assert!(fr.get("secret", &bar, "ecr-cred").is_none());
}

/// The requests each command made before issue 13 (see above): status
/// reads the CronJob, lists its Jobs and reads each pull Secret.
const STATUS: usize = 4;
/// doctor: the server's version, then per namespace the Namespace, the
/// pull Secret and the Pods, then the CronJob and its Jobs.
const DOCTOR: usize = 9;
/// run: the CronJob, then the Job created.
const RUN: usize = 2;
/// uninstall: a list per refresher kind and namespace, a delete per object
/// found, a delete per pull Secret.
const UNINSTALL: usize = 23;
