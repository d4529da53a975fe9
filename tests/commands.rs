//! The shell text `kubectl uepe commands` prints (the web page shows the same
//! bytes), run as a person would paste it: `sh` (dash) with the real AWS CLI
//! against moto and kubectl of the control plane's release against the real
//! control plane, behind shims that record every argv. What the commands
//! leave in the cluster must be what the plugin itself makes, and no secret
//! may reach a command line.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use crate::support::control_plane::ControlPlane;
use crate::support::moto::Moto;
use crate::support::shell::Shell;
use crate::support::{Run, ok, peers, run, run_with_stdin, uepe};

/// moto, a shell whose AWS keys are moto's reader's, and the ECR password
/// the plugin gets from that moto with the same keys.
struct Setup {
    cp: &'static ControlPlane,
    moto: Moto,
    shell: Shell,
    password: String,
}

impl Setup {
    fn start() -> Option<Setup> {
        peers::require("aws", "the AWS CLI v1 (tests/peers/install.sh)")?;
        let cp = ControlPlane::get()?;
        let moto = Moto::start()?;
        let mut shell = Shell::with_programs(&[("kubectl", cp.kubectl_path())])?;
        shell.env("AWS_ACCESS_KEY_ID", &moto.reader.id);
        shell.env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
        shell.env("AWS_ENDPOINT_URL", &moto.url);
        let mut login = uepe(&["login", "--print-password"]);
        login.env("AWS_ENDPOINT_URL_ECR", &moto.url);
        login.env("AWS_ACCESS_KEY_ID", &moto.reader.id);
        login.env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
        let r = run(login);
        assert_eq!(r.code, 0, "login --print-password failed");
        let password = r.stdout.trim_end().to_owned();
        assert!(!password.is_empty(), "an ECR password from moto");
        Some(Setup {
            cp,
            moto,
            shell,
            password,
        })
    }

    /// Every form in which the password or the secret key could leak, by
    /// the name a message may print instead.
    fn secrets(&self) -> Vec<(String, &'static str)> {
        let (p, k) = (&self.password, &self.moto.reader.secret);
        vec![
            (p.clone(), "password"),
            (B64.encode(p), "password (base64)"),
            (B64.encode(format!("AWS:{p}")), "auth"),
            (k.clone(), "secret access key"),
            (B64.encode(k), "secret access key (base64)"),
            (self.moto.nobody.secret.clone(), "other secret access key"),
            (
                B64.encode(&self.moto.nobody.secret),
                "other secret access key (base64)",
            ),
        ]
    }

    /// `text` with every secret replaced by its name: safe to print.
    fn redact(&self, text: &str) -> String {
        self.secrets().iter().fold(text.to_owned(), |t, (s, name)| {
            t.replace(s, &format!("<{name}>"))
        })
    }

    #[track_caller]
    fn assert_no_secret(&self, what: &str, text: &str) {
        for (secret, name) in self.secrets() {
            assert!(!text.contains(&secret), "the {name} appears in {what}");
        }
    }

    /// Runs the printed `script` as the cluster's admin.
    fn run_script(&mut self, script: &str) -> Run {
        let kubeconfig = self.cp.admin_kubeconfig(self.shell.dir(), "default");
        self.shell
            .env("KUBECONFIG", &kubeconfig.display().to_string());
        self.shell.run(script)
    }

    /// Runs the printed `script`; fails on a non-zero exit.
    #[track_caller]
    fn run_against(&mut self, script: &str) {
        let r = self.run_script(script);
        assert_eq!(
            r.code,
            0,
            "the printed commands failed:\n{}\nstderr:\n{}",
            script,
            self.redact(&r.stderr)
        );
        self.assert_no_secret("the commands' stdout", &r.stdout);
        self.assert_no_secret("the commands' stderr", &r.stderr);
    }

    /// No recorded argv holds a secret, and the recording saw `expected`
    /// (else the shims proved nothing).
    #[track_caller]
    fn assert_argv_clean(&self, expected: &[&str]) {
        let log = self.shell.argv_log();
        self.assert_no_secret("a recorded argv", &log);
        for line in expected {
            assert!(
                log.lines().any(|l| l.starts_with(line)),
                "no recorded argv starts with `{line}`:\n{}",
                self.redact(&log)
            );
        }
    }

    /// `kubectl-uepe ARGS` with the password on stdin and moto's reader's
    /// keys in the environment; the objects it prints as JSON.
    fn rendered(&self, args: &[&str]) -> Vec<Value> {
        let mut c = uepe(args);
        c.env("AWS_ACCESS_KEY_ID", &self.moto.reader.id);
        c.env("AWS_SECRET_ACCESS_KEY", &self.moto.reader.secret);
        c.env("AWS_ENDPOINT_URL_ECR", &self.moto.url);
        let r = run_with_stdin(c, &format!("{}\n", self.password));
        assert_eq!(r.code, 0, "{args:?}: {}", self.redact(&r.stderr));
        let v: Value = serde_json::from_str(&r.stdout).expect("-o json");
        match v["kind"].as_str() {
            Some("List") => v["items"].as_array().cloned().unwrap_or_default(),
            _ => vec![v],
        }
    }
}

/// The stored object matches the rendered one in type, data, labels and
/// annotations (the plugin renders none: no last-applied-configuration),
/// and was written by server-side apply as `kubectl-uepe` only.
#[track_caller]
fn assert_same_secret(setup: &Setup, want: &Value) {
    let (ns, name) = (
        want["metadata"]["namespace"].as_str().expect("namespace"),
        want["metadata"]["name"].as_str().expect("name"),
    );
    let got = setup
        .cp
        .get_json(&["secret", name, "-n", ns])
        .unwrap_or_else(|| panic!("no Secret {ns}/{name} in the cluster"));
    crate::cluster::assert_applied_by_uepe(&got);
    assert_eq!(got["type"], want["type"], "{ns}/{name}: type");
    // Compared without printing: the data holds the secrets.
    assert!(
        got["data"] == want["data"],
        "{ns}/{name}: data differs from the plugin's: {} vs {}",
        setup.redact(&got["data"].to_string()),
        setup.redact(&want["data"].to_string())
    );
    assert_eq!(
        got["metadata"]["labels"], want["metadata"]["labels"],
        "{ns}/{name}: labels"
    );
    assert_eq!(
        got["metadata"]["annotations"], want["metadata"]["annotations"],
        "{ns}/{name}: annotations"
    );
}

#[test]
fn secret_commands_make_the_plugins_pull_secret_by_server_side_apply() {
    let Some(mut setup) = Setup::start() else {
        return;
    };
    for count in [1, 2] {
        let namespaces = (0..count)
            .map(|_| setup.cp.namespace("commands"))
            .collect::<Vec<_>>()
            .join(",");
        let namespaces = namespaces.as_str();
        let script = ok(&["commands", "secret", "-n", namespaces]);
        // Pasting again (every 12 hours) must work as well as the first time.
        setup.run_against(&script);
        setup.run_against(&script);
        let want = setup.rendered(&[
            "secret",
            "create",
            "--dry-run=client",
            "-o",
            "json",
            "--password-stdin",
            "-n",
            namespaces,
        ]);
        assert_eq!(want.len(), namespaces.split(',').count());
        for secret in &want {
            assert_same_secret(&setup, secret);
        }
        assert_eq!(
            secrets_in(&setup, namespaces),
            want.len(),
            "no other Secret"
        );
    }
    setup.assert_argv_clean(&[
        "aws ecr get-login-password",
        "kubectl create secret generic",
        "kubectl label --local",
        "kubectl apply --server-side",
        "base64",
    ]);
}

/// Keys that ECR refuses (expired, or no permission) make
/// `aws ecr get-login-password` fail: the paste must then fail too and leave
/// the working pull Secret as it was, not store an empty password.
#[test]
fn a_failing_password_leaves_the_pull_secret_alone() {
    let Some(mut setup) = Setup::start() else {
        return;
    };
    let ns = setup.cp.namespace("commands-fail");
    let script = ok(&["commands", "secret", "-n", &ns]);
    setup.run_against(&script);
    let before = setup
        .cp
        .get_json(&["secret", "ecr-cred", "-n", &ns])
        .expect("the pull Secret");

    let nobody = (
        setup.moto.nobody.id.clone(),
        setup.moto.nobody.secret.clone(),
    );
    setup.shell.env("AWS_ACCESS_KEY_ID", &nobody.0);
    setup.shell.env("AWS_SECRET_ACCESS_KEY", &nobody.1);
    let r = setup.run_script(&script);
    assert_ne!(r.code, 0, "the paste succeeded without a password");
    assert!(
        r.stderr.contains("AccessDenied"),
        "aws's own error is shown: {}",
        setup.redact(&r.stderr).replace(&nobody.1, "<nobody's key>")
    );
    let after = setup
        .cp
        .get_json(&["secret", "ecr-cred", "-n", &ns])
        .expect("the pull Secret");
    assert!(
        after == before,
        "the pull Secret changed after a failed password: {}",
        setup.redact(&after["metadata"].to_string())
    );
}

#[test]
fn credentials_commands_make_what_the_refresher_reads() {
    let Some(mut setup) = Setup::start() else {
        return;
    };
    for (runner, count) in [("aws-cli", 1), ("external-secrets", 2)] {
        let namespaces = (0..count)
            .map(|_| setup.cp.namespace("credentials"))
            .collect::<Vec<_>>()
            .join(",");
        let namespaces = namespaces.as_str();
        let script = ok(&[
            "commands",
            "credentials",
            "--runner",
            runner,
            "-n",
            namespaces,
        ]);
        // First with other keys, then again with the reader's: pasting
        // anew is how keys are rotated, and must update the Secret in place.
        setup.shell.env("AWS_ACCESS_KEY_ID", &setup.moto.nobody.id);
        setup
            .shell
            .env("AWS_SECRET_ACCESS_KEY", &setup.moto.nobody.secret);
        setup.run_against(&script);
        setup.shell.env("AWS_ACCESS_KEY_ID", &setup.moto.reader.id);
        setup
            .shell
            .env("AWS_SECRET_ACCESS_KEY", &setup.moto.reader.secret);
        setup.run_against(&script);
        let want: Vec<Value> = setup
            .rendered(&[
                "cronjob",
                "install",
                "--dry-run=client",
                "-o",
                "json",
                "--password-stdin",
                "--runner",
                runner,
                "-n",
                namespaces,
            ])
            .into_iter()
            .filter(|o| o["kind"] == "Secret" && o["metadata"]["name"] == "ecr-cred-refresher-aws")
            .collect();
        let homes = if runner == "aws-cli" { 1 } else { 2 };
        assert_eq!(want.len(), homes, "{runner}: credentials Secrets rendered");
        for secret in &want {
            assert_same_secret(&setup, secret);
        }
        assert_eq!(
            secrets_in(&setup, namespaces),
            homes,
            "{runner}: no other Secret"
        );
        if runner == "aws-cli" {
            assert_credentials_file_works(&setup, &want[0]);
        }
    }
    setup.assert_argv_clean(&[
        "kubectl create secret generic",
        "kubectl label --local",
        "kubectl apply --server-side",
    ]);
}

/// How many Secrets the namespaces (comma-separated) hold in all.
fn secrets_in(setup: &Setup, namespaces: &str) -> usize {
    namespaces
        .split(',')
        .map(|ns| {
            setup.cp.get_json(&["secrets", "-n", ns]).expect("secrets")["items"]
                .as_array()
                .map_or(0, Vec::len)
        })
        .sum()
}

/// The aws-cli runner mounts the Secret's `credentials` key as the AWS CLI's
/// shared-credentials file: the real CLI, with nothing else, gets the same
/// password from it.
fn assert_credentials_file_works(setup: &Setup, secret: &Value) {
    let file = setup.shell.dir().join("mounted-credentials");
    let data = secret["data"]["credentials"].as_str().expect("credentials");
    std::fs::write(&file, B64.decode(data).expect("base64")).expect("write credentials file");
    let aws = peers::which("aws").expect("aws");
    let mut c = std::process::Command::new(aws);
    c.args(["ecr", "get-login-password", "--region", "eu-west-1"])
        .env_clear()
        .env("HOME", setup.shell.dir())
        .env("AWS_SHARED_CREDENTIALS_FILE", &file)
        .env("AWS_CONFIG_FILE", "/nonexistent/uepe-test/config")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", &setup.moto.url);
    let r = run(c);
    assert_eq!(
        r.code,
        0,
        "aws with the credentials file: {}",
        setup.redact(&r.stderr)
    );
    assert!(
        r.stdout.trim_end() == setup.password,
        "aws with the credentials file got another password"
    );
}
