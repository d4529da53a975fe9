//! Issue 2: every manifest the core can render, judged by real peers rather
//! than by our own reading of the rules.
//!
//! - `kubernetes-validate --strict` against Kubernetes 1.28 and 1.37 for every
//!   built-in kind; it has no schema for External Secrets Operator kinds, so
//!   those go to `tests/peers/eso-validate.mjs`, which checks them against
//!   ESO's CRD schemas (as generated into `@kubernetes-models/external-secrets`)
//!   just as strictly, and the references between the objects are checked here.
//! - checkov with no failed check but CKV_K8S_43 (image pinned by digest),
//!   which must pass as well once the images are given by digest.
//! - The pull Secret's `.dockerconfigjson` equals, as JSON, what
//!   `kubectl create secret docker-registry` makes — from `secret create`,
//!   from `cronjob install --password-stdin`, from the `aws-cli` runner's
//!   script run by a real shell, and from the ESO template.
//!
//! The peers start slowly, so each test renders its whole matrix into one
//! temp dir and runs its peer once over all the files. Every credential here
//! is fake, and none is ever put into an assertion message or peer output
//! that is printed (`redact`).

// Tests: a failed expectation is the test failing, with its message.
#![allow(clippy::expect_used)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::support::{self, peers};

mod cases;
mod eso;
mod pull_secret;

use cases::{
    CKV_DIGEST, Case, Corpus, ESO_KINDS, KEY_ID, KUBERNETES_VERSIONS, Keys, MIRROR, MIRROR_SERVER,
    NAME, PASSWORD, ROLE_ARN, SECRET_KEY, VENDOR_SERVER, matrix, redact, yaml_kinds,
};
use eso::assert_eso_references;
use pull_secret::{assert_pull_secrets, b64decode, b64encode, docker_config, kubectl_secret};

/// Runs `cmd`, returning stdout and stderr, whatever the exit status.
fn output_of(mut cmd: Command) -> (Option<i32>, String, String) {
    let out = cmd.output().expect("run peer");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn kubernetes_validate_strict_accepts_every_manifest_for_1_28_and_1_37() {
    let Some(kv) = peers::require(
        "kubernetes-validate",
        "bash tests/peers/install.sh manifest_checks",
    ) else {
        return;
    };
    let dir = support::tempdir();
    let cases = matrix();
    let Corpus { file_of, files } = Corpus::write(dir.path(), &cases);

    let mut cmd = Command::new(kv);
    cmd.current_dir(dir.path()).arg("--strict");
    for v in KUBERNETES_VERSIONS {
        cmd.args(["-k", v]);
    }
    cmd.args(&files);
    let (code, stdout, stderr) = output_of(cmd);

    // file -> version -> (passed, no schema)
    let mut seen: BTreeMap<(String, String), (usize, Vec<String>)> = BTreeMap::new();
    let mut problems = Vec::new();
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [
                "INFO",
                file,
                "passed",
                "for",
                "resource",
                _,
                "against",
                "version",
                v,
            ] => {
                seen.entry((file.to_string(), v.to_string())).or_default().0 += 1;
            }
            // WARN FILE Couldn't find schema for kind K with api version A for kubernetes version V
            [
                "WARN",
                file,
                "Couldn't",
                "find",
                "schema",
                "for",
                "kind",
                kind,
                ..,
                v,
            ] if ESO_KINDS.contains(kind) => {
                let v = v.split('.').take(2).collect::<Vec<_>>().join(".");
                seen.entry((file.to_string(), v))
                    .or_default()
                    .1
                    .push(kind.to_string());
            }
            _ => problems.push(redact(line)),
        }
    }
    assert!(
        problems.is_empty() && code == Some(0),
        "kubernetes-validate --strict rejected rendered manifests (exit {code:?}):\n{}\n{}",
        problems.join("\n"),
        redact(&stderr)
    );
    for (case, file) in cases.iter().zip(&file_of) {
        let kinds = yaml_kinds(&std::fs::read_to_string(dir.path().join(file)).expect("read"));
        let (eso, builtin): (Vec<String>, Vec<String>) = kinds
            .into_iter()
            .partition(|k| ESO_KINDS.contains(&k.as_str()));
        for v in KUBERNETES_VERSIONS {
            let (passed, no_schema) = seen
                .get(&(file.clone(), v.to_owned()))
                .cloned()
                .unwrap_or_default();
            assert_eq!(
                passed,
                builtin.len(),
                "{}: built-in objects validated against {v}",
                case.name
            );
            assert_eq!(
                no_schema, eso,
                "{}: objects without a schema in {v}",
                case.name
            );
        }
    }
    let objects: usize = seen.values().map(|(passed, _)| passed).sum();
    eprintln!(
        "kubernetes-validate --strict: {} distinct manifests of {} cases, {objects} validations of built-in objects passed ({})",
        files.len(),
        cases.len(),
        KUBERNETES_VERSIONS.join(" and ")
    );
}

#[test]
fn checkov_fails_no_check_but_digest_pinning_and_that_passes_with_digests() {
    let Some(checkov) = peers::require("checkov", "bash tests/peers/install.sh manifest_checks")
    else {
        return;
    };
    let dir = support::tempdir();
    let cases = matrix();
    let Corpus { file_of, files } = Corpus::write(dir.path(), &cases);

    let mut cmd = Command::new(checkov);
    cmd.current_dir(dir.path())
        .args([
            "-d",
            ".",
            "--framework",
            "kubernetes",
            "-o",
            "json",
            "--skip-download",
        ])
        // Offline: no guideline download from the vendor's platform.
        .env("BC_SKIP_MAPPING", "TRUE");
    let (code, stdout, stderr) = output_of(cmd);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON report ({e}, exit {code:?}):\n{}",
            redact(&stderr)
        )
    });
    let report = match &report {
        Value::Array(reports) => reports
            .iter()
            .find(|r| r["check_type"] == "kubernetes")
            .cloned()
            .unwrap_or_default(),
        one => one.clone(),
    };
    assert_eq!(
        report["check_type"], "kubernetes",
        "checkov report: {report:#}"
    );
    let summary = &report["summary"];
    assert_eq!(
        summary["parsing_errors"], 0,
        "checkov could not parse a manifest"
    );
    let objects: usize = files
        .iter()
        .map(|f| yaml_kinds(&std::fs::read_to_string(dir.path().join(f)).expect("read")).len())
        .sum();
    assert_eq!(
        summary["resource_count"].as_u64(),
        Some(objects as u64),
        "checkov saw another number of objects than were rendered"
    );

    // file -> check ids
    let by_file = |key: &str| -> BTreeMap<String, Vec<String>> {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in report["results"][key].as_array().into_iter().flatten() {
            let file = c["file_path"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('/');
            let id = c["check_id"].as_str().unwrap_or_default();
            m.entry(file.to_owned()).or_default().push(id.to_owned());
        }
        m
    };
    let (passed, failed) = (by_file("passed_checks"), by_file("failed_checks"));

    let mut table = String::from("checkov per manifest (passed / failed):\n");
    let mut wrong = Vec::new();
    for (case, file) in cases.iter().zip(&file_of) {
        let p = passed.get(file).cloned().unwrap_or_default();
        let f = failed.get(file).cloned().unwrap_or_default();
        table.push_str(&format!(
            "  {:<50} {:>3} / {} {}\n",
            case.name,
            p.len(),
            f.len(),
            f.join(",")
        ));
        let kinds = yaml_kinds(&std::fs::read_to_string(dir.path().join(file)).expect("read"));
        // checkov has policies for built-in kinds only; ESO's have none.
        if kinds.iter().any(|k| !ESO_KINDS.contains(&k.as_str())) {
            assert!(!p.is_empty(), "{}: checkov ran no check on it", case.name);
        }
        let allowed: &[&str] = if case.by_digest { &[] } else { &[CKV_DIGEST] };
        let unexpected: BTreeSet<&String> = f
            .iter()
            .filter(|id| !allowed.contains(&id.as_str()))
            .collect();
        if !unexpected.is_empty() {
            wrong.push(format!("{}: {unexpected:?}", case.name));
        }
        let has_pod = kinds.iter().any(|k| k == "CronJob");
        if case.by_digest {
            assert!(
                p.iter().any(|id| id == CKV_DIGEST),
                "{}: images are given by digest, yet {CKV_DIGEST} did not pass",
                case.name
            );
        } else if has_pod {
            assert!(
                f.iter().chain(&p).any(|id| id == CKV_DIGEST),
                "{}: {CKV_DIGEST} did not run on the CronJob",
                case.name
            );
        }
    }
    eprint!("{table}");
    let failed_details: Vec<String> = report["results"]["failed_checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["check_id"] != CKV_DIGEST)
        .map(|c| {
            format!(
                "{} {} {} {}",
                c["file_path"], c["resource"], c["check_id"], c["check_name"]
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "checkov failed checks on rendered manifests:\n{}\n{}",
        wrong.join("\n"),
        redact(&failed_details.join("\n"))
    );
}

#[test]
fn eso_objects_match_the_external_secrets_crds_and_each_other() {
    let Some(node) = peers::require("node", "apt-get install nodejs") else {
        return;
    };
    let models = peers::peers_dir().join("eso-models");
    if peers::require_path(
        "@kubernetes-models/external-secrets",
        &models.join("node_modules/@kubernetes-models/external-secrets"),
        "bash tests/peers/install.sh eso_models",
    )
    .is_none()
    {
        return;
    }
    let dir = support::tempdir();
    let cases: Vec<Case> = matrix()
        .into_iter()
        .filter(|c| c.runner() == Some("external-secrets"))
        .collect();
    let mut files = Vec::new();
    let mut eso_objects = 0;
    for case in &cases {
        let objects = case.objects();
        eso_objects += objects
            .iter()
            .filter(|o| ESO_KINDS.iter().any(|k| o["kind"] == *k))
            .count();
        assert_eso_references(case, &objects);
        let file = dir.path().join(format!("{}.json", case.name));
        std::fs::write(&file, case.render("json")).expect("write");
        files.push(file);
    }

    let script = support::workspace().join("tests/peers/eso-validate.mjs");
    let mut cmd = Command::new(node);
    cmd.arg(script).arg(&models).args(&files);
    let (code, stdout, stderr) = output_of(cmd);
    let ok = stdout.lines().filter(|l| l.starts_with("ok ")).count();
    let errors: Vec<String> = stdout
        .lines()
        .filter(|l| !l.starts_with("ok "))
        .map(redact)
        .collect();
    assert!(
        code == Some(0) && errors.is_empty() && ok == eso_objects,
        "ESO objects do not match the CRD schemas (exit {code:?}, {ok} of {eso_objects} ok):\n{}\n{}",
        errors.join("\n"),
        redact(&stderr)
    );
    eprintln!(
        "eso-validate: {ok} ESO objects from {} manifests match ESO's CRDs",
        files.len()
    );
}

#[test]
fn pull_secret_is_what_kubectl_create_secret_docker_registry_makes() {
    let Some(kubectl) = peers::require("kubectl", "kubectl 1.32 is on the machine image") else {
        return;
    };
    for (registry, server) in [(None, VENDOR_SERVER), (Some(MIRROR), MIRROR_SERVER)] {
        for ns in ["uepe", "uepe,uepe-test"] {
            let mut create = Case::new(
                format!("secret create {registry:?} -n {ns}"),
                &[
                    "secret",
                    "create",
                    "--dry-run=client",
                    "--password-stdin",
                    "-n",
                    ns,
                ],
            );
            let mut install = Case::new(
                format!("cronjob install {registry:?} -n {ns}"),
                &[
                    "cronjob",
                    "install",
                    "--dry-run=client",
                    "--password-stdin",
                    "-n",
                    ns,
                ],
            );
            if let Some(r) = registry {
                // Not ECR: the user name must be given (issue 11 item 14).
                create = create.arg(&["--registry", r, "--username", "AWS"]);
                install = install.arg(&["--registry", r, "--region", "eu-west-1"]);
            }
            create.password = true;
            install.password = true;
            for case in [create, install] {
                let objects = case.objects();
                assert_pull_secrets(&case.name, &objects, &case.namespaces(), server, &kubectl);
            }
        }
    }
}

#[test]
fn aws_cli_runner_script_writes_what_kubectl_would() {
    let Some(kubectl) = peers::require("kubectl", "kubectl 1.32 is on the machine image") else {
        return;
    };
    let Some(sh) = peers::require("sh", "Debian's dash") else {
        return;
    };
    for (registry, server) in [(None, VENDOR_SERVER), (Some(MIRROR), MIRROR_SERVER)] {
        let mut case = Case::new(
            format!("aws-cli runner script {registry:?}"),
            &[
                "cronjob",
                "install",
                "--dry-run=client",
                "-n",
                "uepe,uepe-test",
            ],
        );
        if let Some(r) = registry {
            case = case.arg(&["--registry", r, "--region", "eu-west-1"]);
        }
        let objects = case.objects();
        let script = objects
            .iter()
            .find(|o| o["kind"] == "CronJob")
            .and_then(|c| {
                c["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"][0]["command"]
                    [2]
                .as_str()
            })
            .expect("the aws-cli runner's init container has a script")
            .to_owned();

        // A fake `aws` that answers as the real one does for this query:
        // the token (base64 of AWS:PASSWORD) and the expiry, tab-separated.
        let dir = support::tempdir();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).expect("mkdir");
        let expires = "2030-01-01T08:00:00+00:00";
        let token = b64encode(format!("AWS:{PASSWORD}").as_bytes());
        let aws = bin.join("aws");
        std::fs::write(
            &aws,
            format!("#!/bin/sh\nprintf '%s\\t%s\\n' '{token}' '{expires}'\n"),
        )
        .expect("write fake aws");
        make_executable(&aws);
        let out = dir.path().join("secrets.json");
        assert_contains!(
            script,
            "/work/secrets.json",
            "the script writes /work/secrets.json"
        );
        let script = script.replace("/work/secrets.json", &out.display().to_string());

        let mut cmd = Command::new(&sh);
        cmd.args(["-ec", &script])
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()));
        let (code, _, stderr) = output_of(cmd);
        assert_eq!(
            code,
            Some(0),
            "{}: the script failed: {}",
            case.name,
            redact(&stderr)
        );
        let written: Value = serde_json::from_slice(&std::fs::read(&out).expect("secrets.json"))
            .expect("the script writes JSON");
        let items = written["items"].as_array().cloned().unwrap_or_default();
        assert_pull_secrets(&case.name, &items, &case.namespaces(), server, &kubectl);
        for s in &items {
            assert_eq!(
                s["metadata"]["annotations"]["kubectl-uepe/password-expires-at"], expires,
                "{}: expiry annotation",
                case.name
            );
        }
    }
}

#[test]
fn eso_template_fills_in_to_what_kubectl_would() {
    let Some(kubectl) = peers::require("kubectl", "kubectl 1.32 is on the machine image") else {
        return;
    };
    for (registry, server) in [(None, VENDOR_SERVER), (Some(MIRROR), MIRROR_SERVER)] {
        let mut case = Case::new(
            format!("ESO template {registry:?}"),
            &[
                "cronjob",
                "install",
                "--dry-run=client",
                "--runner",
                "external-secrets",
            ],
        )
        .arg(&["--role-arn", ROLE_ARN]);
        if let Some(r) = registry {
            case = case.arg(&["--registry", r, "--region", "eu-west-1"]);
        }
        let objects = case.objects();
        let template = objects
            .iter()
            .find(|o| o["kind"] == "ExternalSecret")
            .and_then(|e| e["spec"]["target"]["template"]["data"][".dockerconfigjson"].as_str())
            .expect("the ExternalSecret templates .dockerconfigjson")
            .to_owned();
        // ESO's ECRAuthorizationToken yields `username` and `password`; these
        // are the only template expressions the core writes (ESO itself is
        // not here to run the template engine).
        let auth = b64encode(format!("AWS:{PASSWORD}").as_bytes());
        let filled = template
            .replace(
                r#"{{ printf "%s:%s" .username .password | b64enc }}"#,
                &auth,
            )
            .replace("{{ .username }}", "AWS")
            .replace("{{ .password }}", PASSWORD);
        assert!(
            !filled.contains("{{"),
            "{}: an expression is left: {}",
            case.name,
            redact(&filled)
        );
        let ours: Value = serde_json::from_str(&filled).expect("the filled template is JSON");
        let want = docker_config(&kubectl_secret(&kubectl, server, "uepe"));
        assert!(
            ours == want,
            "{}: the filled template differs from kubectl's",
            case.name
        );
    }
}

/// The rules of DESIGN.md that neither schema nor checkov knows about.
#[test]
fn refresher_objects_keep_the_design() {
    for case in matrix().iter().filter(|c| c.args[0] == "cronjob") {
        let text = case.render("json");
        let objects = case.parse(&text);
        let decoded: String = objects
            .iter()
            .filter(|o| o["kind"] == "Secret")
            .flat_map(|s| s["data"].as_object().cloned().unwrap_or_default())
            .map(|(_, v)| {
                String::from_utf8_lossy(&b64decode(v.as_str().unwrap_or_default())).into_owned()
            })
            .collect();
        let keys_anywhere = [KEY_ID, SECRET_KEY]
            .iter()
            .any(|k| text.contains(k) || decoded.contains(k));
        let keys_expected = !case.role_arn && case.keys != Keys::None;
        assert_eq!(
            keys_anywhere, keys_expected,
            "{}: AWS keys in the output (IRSA stores none; without IRSA, env keys go into their Secret)",
            case.name
        );
        assert_eq!(
            text.contains(PASSWORD) || decoded.contains(PASSWORD),
            case.password,
            "{}: the registry password is in the output exactly when given",
            case.name
        );
        for role in objects.iter().filter(|o| o["kind"] == "Role") {
            for rule in role["rules"].as_array().into_iter().flatten() {
                assert_eq!(
                    rule["resources"],
                    serde_json::json!(["secrets"]),
                    "{}: Role resources",
                    case.name
                );
                assert_eq!(
                    rule["resourceNames"],
                    serde_json::json!([NAME]),
                    "{}: Role resourceNames",
                    case.name
                );
                // create: server-side apply of a missing Secret is
                // authorized as a create of that name (issue 12).
                assert_eq!(
                    rule["verbs"],
                    serde_json::json!(["get", "create", "patch"]),
                    "{}: Role verbs",
                    case.name
                );
            }
        }
        for sa in objects.iter().filter(|o| o["kind"] == "ServiceAccount") {
            assert_eq!(
                sa["automountServiceAccountToken"], false,
                "{}: SA automount",
                case.name
            );
        }
        for cj in objects.iter().filter(|o| o["kind"] == "CronJob") {
            assert_eq!(cj["spec"]["concurrencyPolicy"], "Forbid", "{}", case.name);
            let pod = &cj["spec"]["jobTemplate"]["spec"]["template"]["spec"];
            assert_eq!(
                pod["automountServiceAccountToken"], false,
                "{}: pod automount",
                case.name
            );
            let token_volume = pod["volumes"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|v| {
                    v.get("projected").is_some_and(|p| {
                        p["sources"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|s| s.get("serviceAccountToken").is_some())
                    })
                })
                .and_then(|v| v["name"].as_str())
                .unwrap_or_else(|| panic!("{}: no projected token volume", case.name));
            let holders: Vec<&str> = ["initContainers", "containers"]
                .iter()
                .flat_map(|k| pod[*k].as_array().into_iter().flatten())
                .filter(|c| {
                    c["volumeMounts"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|m| m["name"] == token_volume)
                })
                .filter_map(|c| c["name"].as_str())
                .collect();
            let api_container = if case.runner() == Some("plugin") {
                "refresh"
            } else {
                "apply-secret"
            };
            assert_eq!(
                holders,
                [api_container],
                "{}: containers holding the API token",
                case.name
            );
        }
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
