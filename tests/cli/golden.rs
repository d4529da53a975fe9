//! Golden files: every rendering the CLI offers, compared byte for byte
//! with `tests/golden/`, and the three output formats agreeing. The
//! renderings of `images`, `secret create` and `commands` are checked
//! against the core in-process (`golden_core.rs`); a few of them run here
//! through the binary too, against the same files, and every `cronjob
//! install` case does (its files hold the plugin's notes on stderr as well).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Env, Invocation, KEYS, KEYS_AND_TOKEN, MIRROR, PLUGIN_IMAGE, ROLE, redact};
use crate::support;

/// One rendering and the file that holds its expected stdout. When the run
/// writes to stderr (the notes of `cronjob install`), `FILE.stderr` holds
/// that; when it does not, no such file may exist.
pub(super) struct Golden {
    file: &'static str,
    pub(super) run: Invocation,
}

const fn g(file: &'static str, args: &'static [&'static str]) -> Golden {
    Golden {
        file,
        run: Invocation::new(args),
    }
}

impl Golden {
    const fn env(self, env: Env) -> Self {
        Self {
            run: self.run.env(env),
            ..self
        }
    }

    const fn password(self) -> Self {
        Self {
            run: self.run.password(),
            ..self
        }
    }
}

/// Every rendering the CLI offers, each once.
#[rustfmt::skip]
pub(super) const GOLDEN: &[Golden] = &[
    // A few of the core's in-process cases (golden_core.rs), through the
    // binary: the CLI maps its flags to the same request.
    g("images/vendor.table", &["images", "--version", "4.3.0"]),
    g("images/mirror.json", &["images", "--version", "4.3.0", "--registry", MIRROR, "-o", "json"]),
    g("images/v-prefix-components.table", &["images", "--version", "v4.1.2", "--components", "ec,ui"]),
    g("secret/several.yaml", &["secret", "create", "--dry-run=client", "--password-stdin", "-n", "uepe,uepe-test", "-n", "uepe-prod"]).password(),
    g("secret/mirror-name.yaml", &["secret", "create", "--dry-run=client", "--password-stdin", "--registry", MIRROR, "--username", "AWS", "--name", "uepe-pull"]).password(),
    // cronjob install. Without --password-stdin the plugin asks ECR for the
    // pull Secret's password when it finds AWS credentials, so every case
    // with keys in the environment pipes the password in (these tests never
    // reach AWS; see ISOLATION).
    // Runner aws-cli (the default).
    g("cronjob/aws-cli.yaml", &["cronjob", "install", "--dry-run=client"]),
    g("cronjob/aws-cli.json", &["cronjob", "install", "--dry-run=client", "-o", "json"]),
    g("cronjob/aws-cli.name", &["cronjob", "install", "--dry-run=client", "-o", "name"]),
    g("cronjob/aws-cli-password.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "aws-cli", "--password-stdin"]).password(),
    g("cronjob/aws-cli-keys-password.yaml", &["cronjob", "install", "--dry-run=client", "--password-stdin"]).env(KEYS).password(),
    g("cronjob/aws-cli-keys-session-password.json", &["cronjob", "install", "--dry-run=client", "--password-stdin", "-o", "json"]).env(KEYS_AND_TOKEN).password(),
    g("cronjob/aws-cli-irsa.yaml", &["cronjob", "install", "--dry-run=client", "--role-arn", ROLE]),
    g("cronjob/aws-cli-irsa-password.yaml", &["cronjob", "install", "--dry-run=client", "--role-arn", ROLE, "--password-stdin"]).password(),
    g("cronjob/aws-cli-several.yaml", &["cronjob", "install", "--dry-run=client", "-n", "uepe,uepe-test", "--password-stdin"]).env(KEYS).password(),
    g("cronjob/aws-cli-several.name", &["cronjob", "install", "--dry-run=client", "-n", "uepe,uepe-test", "--password-stdin", "-o", "name"]).env(KEYS).password(),
    g("cronjob/aws-cli-custom.yaml", &[
        "cronjob", "install", "--dry-run=client",
        "--registry", "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "--region", "us-west-2", "--name", "uepe-pull", "--schedule", "*/30 * * * *",
        "--aws-cli-image", "public.ecr.aws/aws-cli/aws-cli:2.31.0",
        "--kubectl-image", "registry.k8s.io/kubectl:v1.33.4",
    ]),
    // Runner plugin.
    g("cronjob/plugin.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "plugin", "--image", PLUGIN_IMAGE]),
    g("cronjob/plugin.json", &["cronjob", "install", "--dry-run=client", "--runner", "plugin", "--image", PLUGIN_IMAGE, "-o", "json"]),
    g("cronjob/plugin-keys-password.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "plugin", "--image", PLUGIN_IMAGE, "--password-stdin"]).env(KEYS).password(),
    g("cronjob/plugin-irsa.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "plugin", "--image", PLUGIN_IMAGE, "--role-arn", ROLE]),
    g("cronjob/plugin-irsa-several.name", &["cronjob", "install", "--dry-run=client", "--runner", "plugin", "--image", PLUGIN_IMAGE, "--role-arn", ROLE, "-n", "uepe,uepe-test", "-o", "name"]),
    // Runner external-secrets.
    g("cronjob/external-secrets.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "external-secrets"]),
    g("cronjob/external-secrets.json", &["cronjob", "install", "--dry-run=client", "--runner", "external-secrets", "-o", "json"]),
    g("cronjob/external-secrets-keys-password.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "external-secrets", "--password-stdin"]).env(KEYS).password(),
    g("cronjob/external-secrets-irsa.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "external-secrets", "--role-arn", ROLE]),
    g("cronjob/external-secrets-irsa-several.yaml", &["cronjob", "install", "--dry-run=client", "--runner", "external-secrets", "--role-arn", ROLE, "-n", "uepe,uepe-test"]),
    g("commands/all-mirror.sh", &["commands", "all", "--version", "4.3.0", "--to", MIRROR]),
    g("commands/mirror-components.sh", &["commands", "mirror", "--version", "4.3.0", "--to", MIRROR, "--tool", "skopeo", "--components", "ec,ui"]),
    g("commands/credentials-external-secrets.sh", &["commands", "credentials", "--runner", "external-secrets", "-n", "uepe,uepe-test"]),
];

fn golden_dir() -> PathBuf {
    support::workspace().join("tests").join("golden")
}

fn updating() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Compares `actual` with the golden file `rel` (`None`: the file must not
/// exist), or rewrites it under `UPDATE_GOLDEN=1`. Returns a complaint.
pub(super) fn check_golden(rel: &str, actual: Option<&str>) -> Option<String> {
    let path = golden_dir().join(rel);
    let expected = std::fs::read_to_string(&path).ok();
    if expected.as_deref() == actual {
        return None;
    }
    if updating() {
        match actual {
            Some(text) => {
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir).expect("create golden dir");
                }
                std::fs::write(&path, text).expect("write golden file");
            }
            None => std::fs::remove_file(&path).expect("remove golden file"),
        }
        eprintln!("updated tests/golden/{rel}");
        return None;
    }
    Some(match (expected, actual) {
        (None, Some(_)) => format!("tests/golden/{rel} is missing"),
        (Some(_), None) => format!("tests/golden/{rel} exists but the run printed nothing there"),
        (Some(e), Some(a)) => format!(
            "tests/golden/{rel} differs (- golden line, + output line):\n{}",
            diff(&e, a)
        ),
        (None, None) => unreachable!("equal above"),
    })
}

/// A line diff (longest common subsequence) with three lines of context:
/// `-` and the line number in the golden file, `+` and the line number in
/// the actual output; context lines carry the golden file's numbers.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    if a == b {
        return "    (only line endings or the final newline differ)".into();
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, usize, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push((' ', i + 1, a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', i + 1, a[i]));
            i += 1;
        } else {
            ops.push(('+', j + 1, b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        ops[k.saturating_sub(3)..(k + 4).min(ops.len())]
            .iter()
            .any(|(tag, ..)| *tag != ' ')
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (k, (tag, line_no, line)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push("    ...".to_owned());
                skipped = false;
            }
            out.push(format!("  {tag} {line_no:>4} | {line}"));
        } else {
            skipped = true;
        }
    }
    const MAX: usize = 120;
    if out.len() > MAX {
        let more = out.len() - MAX;
        out.truncate(MAX);
        out.push(format!("    ... {more} more diff lines"));
    }
    out.join("\n")
}

/// Runs every golden case under `dir/` and fails listing every mismatch.
fn check_golden_dir(dir: &str) {
    let mut complaints = Vec::new();
    for case in GOLDEN
        .iter()
        .filter(|c| c.file.starts_with(&format!("{dir}/")))
    {
        let r = case.run.run();
        if r.code != 0 {
            complaints.push(format!(
                "{} failed with exit {}: {}",
                case.run.describe(),
                r.code,
                redact(&r.stderr)
            ));
            continue;
        }
        let stderr = (!r.stderr.is_empty()).then_some(r.stderr.as_str());
        for complaint in [
            check_golden(case.file, Some(&r.stdout)),
            check_golden(&format!("{}.stderr", case.file), stderr),
        ]
        .into_iter()
        .flatten()
        {
            complaints.push(format!("{}\n{complaint}", case.run.describe()));
        }
    }
    report(&complaints);
}

/// Fails listing every golden mismatch.
pub(super) fn report(complaints: &[String]) {
    assert!(
        complaints.is_empty(),
        "{} golden mismatch(es); if the change is intended, run with UPDATE_GOLDEN=1 and review the diff:\n\n{}",
        complaints.len(),
        redact(&complaints.join("\n\n"))
    );
}

#[test]
fn golden_images() {
    check_golden_dir("images");
}

#[test]
fn golden_secret_create() {
    check_golden_dir("secret");
}

#[test]
fn golden_cronjob_install() {
    check_golden_dir("cronjob");
}

#[test]
fn golden_commands() {
    check_golden_dir("commands");
}

/// A golden file no case produces is stale: it would never be checked again.
#[test]
fn golden_files_all_belong_to_a_case() {
    let mut known = BTreeSet::new();
    for case in GOLDEN {
        assert!(known.insert(case.file.to_owned()), "{} twice", case.file);
        known.insert(format!("{}.stderr", case.file));
    }
    // The in-process cases may share a file with a binary case above.
    known.extend(super::golden_core::files().into_iter().map(str::to_owned));
    let mut stale = Vec::new();
    let mut stack = vec![golden_dir()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("read golden dir").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = relative(&path);
            if !known.contains(&rel) {
                if updating() {
                    std::fs::remove_file(&path).expect("remove stale golden file");
                    eprintln!("removed stale tests/golden/{rel}");
                } else {
                    stale.push(rel);
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "golden files no case produces (UPDATE_GOLDEN=1 removes them): {stale:?}"
    );
}

fn relative(path: &Path) -> String {
    path.strip_prefix(golden_dir())
        .expect("under tests/golden")
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `-o yaml`, `-o json` and `-o name` describe the same objects, in the same
/// order: the YAML documents and the JSON `List` items are equal as values,
/// and the names are `KIND[.GROUP]/NAME` of the items, as kubectl prints them.
#[test]
fn output_formats_agree() {
    #[rustfmt::skip]
    let cases: &[&[&str]] = &[
        &["secret", "create", "--dry-run=client", "--password-stdin", "-n", "a,b,c"],
        &["cronjob", "install", "--dry-run=client", "--password-stdin", "-n", "a,b"],
        &["cronjob", "install", "--dry-run=client", "--password-stdin", "--role-arn", ROLE],
        &["cronjob", "install", "--dry-run=client", "--password-stdin", "--runner", "plugin", "--image", PLUGIN_IMAGE, "-n", "a,b"],
        &["cronjob", "install", "--dry-run=client", "--password-stdin", "--runner", "external-secrets", "-n", "a,b"],
    ];
    for args in cases {
        let with = |format: &str| {
            let case = Invocation::new(args).env(KEYS).password();
            let r = case.run_with(&["-o", format], &[]);
            assert_eq!(
                r.code,
                0,
                "{} -o {format}: {}",
                case.describe(),
                redact(&r.stderr)
            );
            r.stdout
        };
        let json: Value = serde_json::from_str(&with("json")).expect("-o json is JSON");
        assert_eq!(json["kind"], "List", "{args:?}");
        let items = json["items"].as_array().expect("items");
        let names: Vec<String> = with("name").lines().map(str::to_owned).collect();
        let expected_names: Vec<String> = items.iter().map(kubectl_name).collect();
        assert_eq!(names, expected_names, "{args:?}: -o name");
        let yaml = with("yaml");
        let docs: Vec<&str> = yaml.split("\n---\n").collect();
        assert_eq!(docs.len(), items.len(), "{args:?}: YAML documents");
        for (doc, item) in docs.iter().zip(items) {
            // Spot-check that each document is the item: its name, namespace and kind.
            for key in ["kind", "apiVersion"] {
                let line = format!("{key}: {}", item[key].as_str().expect("string"));
                assert!(
                    doc.lines().any(|l| l == line),
                    "{args:?}: `{line}` not in the YAML document"
                );
            }
            let name = format!(
                "  name: {}",
                item["metadata"]["name"].as_str().expect("name")
            );
            assert!(doc.lines().any(|l| l == name), "{args:?}: `{name}`");
        }
    }
}

/// `kind.group/name` as `kubectl ... -o name` prints it.
fn kubectl_name(item: &Value) -> String {
    let kind = item["kind"].as_str().expect("kind").to_ascii_lowercase();
    let api = item["apiVersion"].as_str().expect("apiVersion");
    let name = item["metadata"]["name"].as_str().expect("name");
    match api.rsplit_once('/') {
        Some((group, _)) => format!("{kind}.{group}/{name}"),
        None => format!("{kind}/{name}"),
    }
}
