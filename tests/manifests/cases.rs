//! The matrix of renderings the manifest tests feed to the peers, the fake
//! credentials they carry, and the corpus of distinct YAML files.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

use crate::support;

pub(super) const KEY_ID: &str = "AKIAUEPETESTFAKEKEY1";
pub(super) const SECRET_KEY: &str = "uepeTestFakeSecretAccessKeyNotReal000000";
pub(super) const SESSION_TOKEN: &str = "uepe-test-fake-session-token";
pub(super) const PASSWORD: &str = "uepe-test-fake-ecr-password";

pub(super) const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/ecr-reader";
pub(super) const PLUGIN_IMAGE: &str = "registry.example.com/kubectl-uepe:0.1.0";
pub(super) const MIRROR: &str = "registry.example.com:5000/mirror/uepe";
pub(super) const NAME: &str = "ecr-cred";
pub(super) const KUBERNETES_VERSIONS: [&str; 2] = ["1.28", "1.37"];
pub(super) const ESO_KINDS: [&str; 2] = ["ECRAuthorizationToken", "ExternalSecret"];
pub(super) const CKV_DIGEST: &str = "CKV_K8S_43";

/// The pull Secret servers the registries above must be keyed on, written
/// out here rather than taken from the core.
pub(super) const VENDOR_SERVER: &str = "https://462803626708.dkr.ecr.eu-west-1.amazonaws.com";
pub(super) const MIRROR_SERVER: &str = "https://registry.example.com:5000";

/// A well-formed (fake) image digest.
pub(super) fn digest() -> String {
    format!("sha256:{}", "0123456789abcdef".repeat(4))
}

/// Which AWS keys the child process gets in its environment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Keys {
    None,
    Pair,
    WithSession,
}

/// One rendering: the arguments after the binary (without `-o`), and what
/// the child gets besides.
pub(super) struct Case {
    pub(super) name: String,
    pub(super) args: Vec<String>,
    pub(super) keys: Keys,
    pub(super) password: bool,
    /// Every image given by digest: CKV_K8S_43 must pass too.
    pub(super) by_digest: bool,
    pub(super) role_arn: bool,
}

impl Case {
    pub(super) fn new(name: String, args: &[&str]) -> Case {
        Case {
            name,
            args: args.iter().map(|s| s.to_string()).collect(),
            keys: Keys::None,
            password: false,
            by_digest: false,
            role_arn: false,
        }
    }

    pub(super) fn arg(mut self, args: &[&str]) -> Case {
        self.args.extend(args.iter().map(|s| s.to_string()));
        self
    }

    pub(super) fn runner(&self) -> Option<&str> {
        let i = self.args.iter().position(|a| a == "--runner")?;
        self.args.get(i + 1).map(String::as_str)
    }

    pub(super) fn namespaces(&self) -> Vec<String> {
        match self.args.iter().position(|a| a == "-n") {
            Some(i) => self.args[i + 1].split(',').map(str::to_owned).collect(),
            None => vec!["uepe".to_owned()],
        }
    }

    /// Runs the binary; panics (without the output, which may hold the fake
    /// keys) when it fails.
    pub(super) fn render(&self, output: &str) -> String {
        let mut args: Vec<&str> = self.args.iter().map(String::as_str).collect();
        args.extend(["-o", output]);
        let mut cmd = support::uepe(&args);
        // No AWS profile from the machine: the keys below are all there is.
        cmd.env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        cmd.env("AWS_CONFIG_FILE", "/dev/null");
        if self.keys != Keys::None {
            cmd.env("AWS_ACCESS_KEY_ID", KEY_ID);
            cmd.env("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        }
        if self.keys == Keys::WithSession {
            cmd.env("AWS_SESSION_TOKEN", SESSION_TOKEN);
        }
        let r = if self.password {
            support::run_with_stdin(cmd, &format!("{PASSWORD}\n"))
        } else {
            support::run(cmd)
        };
        assert_eq!(
            r.code,
            0,
            "{}: kubectl-uepe failed: {}",
            self.name,
            redact(&r.stderr)
        );
        r.stdout
    }

    /// The rendered objects, from `-o json`.
    pub(super) fn objects(&self) -> Vec<Value> {
        self.parse(&self.render("json"))
    }

    /// The objects of a `-o json` rendering (a `List`, or one object).
    pub(super) fn parse(&self, json: &str) -> Vec<Value> {
        let v: Value = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{}: -o json is not JSON: {e}", self.name));
        match v["kind"].as_str() {
            Some("List") => v["items"].as_array().cloned().unwrap_or_default(),
            _ => vec![v],
        }
    }
}

/// Every manifest the core can render: each runner, with and without an IRSA
/// role, one namespace and several, without keys, with keys (and a session
/// token) in the environment, with `--password-stdin`; a mirrored registry;
/// images by digest; and `secret create`.
pub(super) fn matrix() -> Vec<Case> {
    let mut cases = Vec::new();
    let credentials = [
        ("nokeys", Keys::None, false),
        ("password", Keys::None, true),
        // Keys without a password would have the binary ask ECR for one
        // (tests/aws.rs covers that against moto): give it on stdin.
        ("keys+password", Keys::Pair, true),
        ("session+password", Keys::WithSession, true),
    ];
    for runner in ["aws-cli", "plugin", "external-secrets"] {
        for irsa in [false, true] {
            for ns in ["uepe", "uepe,uepe-test"] {
                for (creds, keys, password) in credentials {
                    let name = format!(
                        "{runner}.{}.{}ns.{creds}",
                        if irsa { "irsa" } else { "keys-secret" },
                        ns.split(',').count()
                    );
                    let mut c = Case::new(
                        name,
                        &["cronjob", "install", "--dry-run=client", "--runner", runner],
                    );
                    if ns != "uepe" {
                        c = c.arg(&["-n", ns]);
                    }
                    if runner == "plugin" {
                        c = c.arg(&["--image", PLUGIN_IMAGE]);
                    }
                    if irsa {
                        c = c.arg(&["--role-arn", ROLE_ARN]);
                        c.role_arn = true;
                    }
                    if password {
                        c = c.arg(&["--password-stdin"]);
                    }
                    c.keys = keys;
                    c.password = password;
                    cases.push(c);
                }
            }
        }
        let mut mirrored = Case::new(
            format!("{runner}.mirror.2ns.keys+password"),
            &["cronjob", "install", "--dry-run=client", "--runner", runner],
        )
        .arg(&["--registry", MIRROR, "--region", "eu-west-1"])
        .arg(&["-n", "uepe,uepe-test", "--password-stdin"]);
        if runner == "plugin" {
            mirrored = mirrored.arg(&["--image", PLUGIN_IMAGE]);
        }
        mirrored.keys = Keys::Pair;
        mirrored.password = true;
        cases.push(mirrored);
    }
    let d = digest();
    let mut aws_cli = Case::new(
        "aws-cli.by-digest.keys+password".into(),
        &[
            "cronjob",
            "install",
            "--dry-run=client",
            "--runner",
            "aws-cli",
            "--password-stdin",
        ],
    )
    .arg(&[
        "--aws-cli-image",
        &format!("public.ecr.aws/aws-cli/aws-cli@{d}"),
        "--kubectl-image",
        &format!("registry.k8s.io/kubectl:v1.34.0@{d}"),
    ]);
    aws_cli.keys = Keys::Pair;
    aws_cli.password = true;
    aws_cli.by_digest = true;
    cases.push(aws_cli);
    let mut plugin = Case::new(
        "plugin.by-digest.irsa".into(),
        &[
            "cronjob",
            "install",
            "--dry-run=client",
            "--runner",
            "plugin",
        ],
    )
    .arg(&[
        "--image",
        &format!("registry.example.com/kubectl-uepe@{d}"),
        "--role-arn",
        ROLE_ARN,
    ]);
    plugin.by_digest = true;
    plugin.role_arn = true;
    cases.push(plugin);
    for (registry, label) in [(None, "vendor"), (Some(MIRROR), "mirror")] {
        for ns in ["uepe", "uepe,uepe-test"] {
            let mut c = Case::new(
                format!("secret-create.{label}.{}ns", ns.split(',').count()),
                &["secret", "create", "--dry-run=client", "--password-stdin"],
            );
            if let Some(r) = registry {
                // Not ECR: the user name must be given (issue 11 item 14).
                c = c.arg(&["--registry", r, "--username", "AWS"]);
            }
            if ns != "uepe" {
                c = c.arg(&["-n", ns]);
            }
            c.password = true;
            cases.push(c);
        }
    }
    cases
}

/// The YAML renderings of the cases, one file per distinct rendering in
/// `dir` (several cases render the same bytes: with IRSA the keys in the
/// environment are ignored), so the slow peers see each only once.
pub(super) struct Corpus {
    /// Each case's file name, in the order of the cases.
    pub(super) file_of: Vec<String>,
    /// The distinct files, in the order first rendered.
    pub(super) files: Vec<String>,
}

impl Corpus {
    pub(super) fn write(dir: &Path, cases: &[Case]) -> Corpus {
        let mut by_content: BTreeMap<String, String> = BTreeMap::new();
        let mut files = Vec::new();
        let file_of = cases
            .iter()
            .map(|c| {
                let yaml = c.render("yaml");
                by_content
                    .entry(yaml)
                    .or_insert_with_key(|yaml| {
                        let file = format!("{}.yaml", c.name);
                        std::fs::write(dir.join(&file), yaml).expect("write manifest");
                        files.push(file.clone());
                        file
                    })
                    .clone()
            })
            .collect();
        Corpus { file_of, files }
    }
}

/// The kinds of the documents of a multi-document YAML stream: each document
/// is a mapping, so its own `kind:` is the one at column 0.
pub(super) fn yaml_kinds(yaml: &str) -> Vec<String> {
    yaml.lines()
        .filter_map(|l| l.strip_prefix("kind: "))
        .map(|k| k.trim().to_owned())
        .collect()
}

/// Replaces every fake credential, so peer output can be printed.
pub(super) fn redact(s: &str) -> String {
    [KEY_ID, SECRET_KEY, SESSION_TOKEN, PASSWORD]
        .iter()
        .fold(s.to_owned(), |acc, secret| {
            acc.replace(secret, "<redacted>")
        })
}
