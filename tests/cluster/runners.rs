//! Issue 12: the `aws-cli` runner's pod, run step by step outside a
//! kubelet with its real tools: the init container's script with the AWS
//! CLI against moto, then the apply container's `kubectl apply
//! --server-side` with kubectl of the control plane's release and a real
//! token of the refresher's ServiceAccount. Both are read from the CronJob
//! `cronjob install --dry-run=client -o json` renders, never copied here.

use base64::Engine as _;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Cx, PASSWORD};
use crate::support::control_plane::Identity;
use crate::support::moto::Moto;
use crate::support::{Run, peers, run_with_stdin};

/// The AWS CLI from PyPI: the installer's own venv when it is there (a
/// pyenv shim on PATH may pick another Python), else `aws` on PATH.
fn aws_cli() -> Option<PathBuf> {
    let venv = peers::peers_dir().join("awscli/bin/aws");
    if venv.is_file() {
        return Some(venv);
    }
    peers::require("aws", "pip install awscli (tests/peers/install.sh)")
}

/// One pod of the runner, its volumes as directories of a temp dir.
struct Pod<'a> {
    cx: &'a Cx,
    spec: Value,
    /// Volume name -> the directory standing in for it.
    volumes: BTreeMap<String, PathBuf>,
}

impl<'a> Pod<'a> {
    /// The pod of `cron_job`, its Secret volumes filled from the cluster as
    /// the kubelet would (one file per key) and its emptyDirs empty.
    fn new(cx: &'a Cx, ns: &str, cron_job: &Value) -> Pod<'a> {
        let spec = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"].clone();
        let root = cx.dir.path().join(format!("pod-{ns}"));
        let mut volumes = BTreeMap::new();
        for v in spec["volumes"].as_array().into_iter().flatten() {
            let name = v["name"].as_str().expect("volume name").to_owned();
            let dir = root.join(&name);
            std::fs::create_dir_all(&dir).expect("volume dir");
            if let Some(secret) = v["secret"]["secretName"].as_str() {
                let s = cx.get("secret", ns, secret).expect("the mounted Secret");
                for (key, b64) in s["data"].as_object().into_iter().flatten() {
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(b64.as_str().unwrap_or_default())
                        .expect("base64");
                    std::fs::write(dir.join(key), bytes).expect("write a Secret key");
                }
            }
            volumes.insert(name, dir);
        }
        Pod { cx, spec, volumes }
    }

    fn container(&self, list: &str) -> &Value {
        &self.spec[list][0]
    }

    /// `(mountPath, directory)` of each volume `c` mounts.
    fn mounts(&self, c: &Value) -> Vec<(String, PathBuf)> {
        c["volumeMounts"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| {
                let dir = self.volumes.get(m["name"].as_str()?)?;
                Some((m["mountPath"].as_str()?.to_owned(), dir.clone()))
            })
            .collect()
    }

    /// `text` with each of `c`'s mount paths (as a path prefix) replaced by
    /// its directory: the script, args and env hard-code the pod's paths
    /// (`/work/secrets.json`, `HOME=/tmp`, the credentials file), and these
    /// are the very strings the manifest mounts.
    fn localize(&self, c: &Value, text: &str) -> String {
        let mounts = self.mounts(c);
        if let Some((_, dir)) = mounts.iter().find(|(path, _)| path == text) {
            return dir.display().to_string();
        }
        // One pass, and only where a path starts (not inside `/var/tmp/`).
        let mut out = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let starts = out
                .chars()
                .last()
                .is_none_or(|ch| !(ch.is_alphanumeric() || "/._-".contains(ch)));
            let hit = mounts
                .iter()
                .find(|(path, _)| starts && rest.starts_with(&format!("{path}/")));
            if let Some((path, dir)) = hit {
                out.push_str(&dir.display().to_string());
                rest = &rest[path.len()..];
            } else {
                let ch = rest.chars().next().unwrap_or_default();
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
        out
    }

    /// A command for container `c`: `argv` (localized) with the container's
    /// env (localized), nothing from the test's environment but PATH.
    fn command(&self, c: &Value, argv: &[String]) -> Command {
        let mut cmd = Command::new(self.localize(c, &argv[0]));
        cmd.args(argv[1..].iter().map(|a| self.localize(c, a)));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
        for e in c["env"].as_array().into_iter().flatten() {
            let (name, value) = (
                e["name"].as_str().unwrap_or_default(),
                e["value"].as_str().unwrap_or_default(),
            );
            cmd.env(name, self.localize(c, value));
        }
        cmd
    }

    /// The init container: its command with the AWS CLI pointed at moto.
    fn get_token(&self, aws: &Path, moto: &Moto) -> Run {
        let c = self.container("initContainers");
        let argv: Vec<String> = c["command"]
            .as_array()
            .expect("the init container's command")
            .iter()
            .map(|a| a.as_str().unwrap_or_default().to_owned())
            .collect();
        let mut cmd = self.command(c, &argv);
        let path = std::env::join_paths(aws.parent().into_iter().map(Path::to_path_buf).chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))
        .expect("PATH");
        // The pod's image is AWS CLI v2; PyPI only has v1, which reads the
        // region from AWS_DEFAULT_REGION (not AWS_REGION) and prints
        // timestamps raw unless told iso8601 (v2's default). Both are set
        // here from what the manifest gives, in the pod's empty HOME.
        let region = c["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == "AWS_REGION")
            .and_then(|e| e["value"].as_str())
            .expect("AWS_REGION in the manifest")
            .to_owned();
        let home = c["env"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["name"] == "HOME")
            .and_then(|e| e["value"].as_str())
            .map(|h| self.localize(c, h))
            .expect("HOME in the manifest");
        std::fs::create_dir_all(Path::new(&home).join(".aws")).expect("~/.aws");
        std::fs::write(
            Path::new(&home).join(".aws/config"),
            "[default]\ncli_timestamp_format = iso8601\n",
        )
        .expect("AWS config");
        cmd.env("PATH", path)
            .env("AWS_DEFAULT_REGION", region)
            .env("AWS_ENDPOINT_URL_ECR", &moto.url)
            .env("TZ", "UTC");
        run_with_stdin(cmd, "")
    }

    /// The apply container: the image's entrypoint is kubectl; the pod's
    /// projected token becomes a kubeconfig holding the same token.
    fn apply(&self, kubeconfig: &Path) -> Run {
        let c = self.container("containers");
        let mut argv = vec![self.cx.cp.kubectl_path().display().to_string()];
        argv.extend(
            c["args"]
                .as_array()
                .expect("the apply container's args")
                .iter()
                .map(|a| a.as_str().unwrap_or_default().to_owned()),
        );
        let mut cmd = self.command(c, &argv);
        cmd.env("KUBECONFIG", kubeconfig);
        run_with_stdin(cmd, "")
    }

    /// The file the init container hands to the apply container.
    fn handed_over(&self) -> PathBuf {
        let c = self.container("containers");
        let arg = c["args"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .find_map(|a| a.strip_prefix("--filename="))
            .expect("--filename= in the apply container's args");
        PathBuf::from(self.localize(c, arg))
    }

    /// The ECR password in the handed-over file (to check it never leaks).
    fn password(&self) -> String {
        let list: Value =
            serde_json::from_slice(&std::fs::read(self.handed_over()).expect("the file"))
                .expect("JSON");
        let b64 = list["items"][0]["data"][".dockerconfigjson"]
            .as_str()
            .unwrap_or_default();
        let config: Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(b64)
                .expect("base64"),
        )
        .expect("docker config");
        let auths = config["auths"].as_object().expect("auths");
        auths
            .values()
            .next()
            .and_then(|a| a["password"].as_str())
            .expect("a password")
            .to_owned()
    }

    /// Rewrites the handed-over file's Secret to `name` in `namespace`.
    fn retarget(&self, name: &str, namespace: &str) {
        let file = self.handed_over();
        let mut list: Value =
            serde_json::from_slice(&std::fs::read(&file).expect("the file")).expect("JSON");
        list["items"][0]["metadata"]["name"] = name.into();
        list["items"][0]["metadata"]["namespace"] = namespace.into();
        std::fs::write(&file, list.to_string()).expect("rewrite");
    }
}

/// Asserts none of `secrets` is in the output of `r`.
#[track_caller]
fn no_leak(r: &Run, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !r.stdout.contains(s) && !r.stderr.contains(s),
            "a secret leaked into output"
        );
    }
}

/// Issue 12: the `aws-cli` runner with a real token of its ServiceAccount
/// updates `ecr-cred`, recreates it after it was deleted (server-side apply
/// of a missing object is authorized as `create` of that name), and is
/// refused on another Secret and in another namespace.
#[test]
fn the_aws_cli_runner_refreshes_and_recreates_its_secret_and_nothing_else() {
    let Some(aws) = aws_cli() else { return };
    let Some(moto) = Moto::start() else { return };
    let Some(cx) = Cx::new() else { return };
    let (ns, other) = (cx.cp.namespace("aws-cli"), cx.cp.namespace("elsewhere"));
    let uepe = |args: &[&str]| {
        let mut c = cx.uepe_as(&cx.admin, args);
        c.env("AWS_ACCESS_KEY_ID", &moto.reader.id)
            .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret);
        let r = run_with_stdin(c, PASSWORD);
        no_leak(&r, &[PASSWORD, &moto.reader.secret]);
        r
    };
    let r = uepe(&["cronjob", "install", "--password-stdin", "-n", &ns]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = uepe(&[
        "cronjob",
        "install",
        "--password-stdin",
        "-n",
        &ns,
        "--dry-run=client",
        "-o",
        "json",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let rendered: Value = serde_json::from_str(&r.stdout).expect("JSON");
    let cron_job = rendered["items"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["kind"] == "CronJob")
        .expect("a CronJob");

    let pod = Pod::new(&cx, &ns, cron_job);
    let token = cx.cp.token(
        &ns,
        cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["serviceAccountName"]
            .as_str()
            .expect("serviceAccountName"),
    );
    let kubeconfig = cx
        .cp
        .kubeconfig(cx.dir.path(), &ns, Identity::Token(&token));
    let run_pod = || {
        let r = pod.get_token(&aws, &moto);
        no_leak(&r, &[&token, &moto.reader.secret]);
        assert_eq!(r.code, 0, "the init container: {}", r.stderr);
        no_leak(&r, &[&pod.password()]);
        let r = pod.apply(&kubeconfig);
        no_leak(&r, &[&token, &pod.password()]);
        r
    };

    let before = cx.get("secret", &ns, "ecr-cred").expect("installed");
    let r = run_pod();
    assert_eq!(r.code, 0, "updates it: {}", r.stderr);
    let after = cx.get("secret", &ns, "ecr-cred").expect("refreshed");
    assert_ne!(before["data"], after["data"], "a new password from ECR");
    // The expiry the script wrote is one the plugin reads: `cronjob status`
    // says how long ago or until (an unread time is printed bare).
    let r = cx.run(&["cronjob", "status", "-n", &ns]);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Pull secret:"))
        .unwrap_or_default();
    assert!(
        line.contains(" ago)") || line.contains("(in "),
        "the expiry annotation is understood: {line}"
    );

    cx.cp
        .kubectl_ok(&["delete", "secret", "ecr-cred", "-n", &ns]);
    let r = run_pod();
    assert_eq!(r.code, 0, "recreates it after it was deleted: {}", r.stderr);
    assert!(cx.get("secret", &ns, "ecr-cred").is_some());

    for (name, namespace, what) in [
        ("other", ns.as_str(), "another Secret"),
        ("ecr-cred", other.as_str(), "another namespace"),
    ] {
        let r = pod.get_token(&aws, &moto);
        assert_eq!(r.code, 0, "the init container: {}", r.stderr);
        pod.retarget(name, namespace);
        let r = pod.apply(&kubeconfig);
        no_leak(&r, &[&token, &pod.password()]);
        assert!(
            r.code != 0 && r.stderr.contains("Error from server (Forbidden)"),
            "{what}: refused with 403: {}",
            r.stderr
        );
        assert!(cx.get("secret", namespace, name).is_none(), "{what}");
    }
}
