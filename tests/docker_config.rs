//! Issue 11, items 15, 16 and 19: docker's `config.json` as the tool writes
//! and reads it. `login --engine config` against moto writes through a
//! symlink to the file it points to and loses no entry when many logins run
//! at once; `mirror` between real registries names a credential helper that
//! is not installed and uses one that is.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::moto::Moto;
use crate::support::registry::fixture::{self, REPO, Spec};
use crate::support::registry::{self, Registry};
use crate::support::{Run, run, tempdir, uepe};

/// `login --engine config --registry HOST` against moto, config in `dir`.
fn login(moto: &Moto, dir: &Path, host: &str) -> Command {
    let mut c = uepe(&["login", "--engine", "config", "--registry", host]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
        .env("AWS_ACCESS_KEY_ID", &moto.reader.id)
        .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret)
        .env("DOCKER_CONFIG", dir);
    c
}

fn ecr_host(i: usize) -> String {
    format!(
        "{:012}.dkr.ecr.eu-west-1.amazonaws.com",
        100_000_000_000 + i
    )
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read config")).expect("json")
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).expect("stat").permissions().mode() & 0o777
}

/// Names in `dir` that are neither `keep` nor the lock file.
fn leftovers(dir: &Path, keep: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !keep.contains(&n.as_str()) && !n.ends_with(".lock"))
        .collect()
}

#[test]
fn issue_11_item_15_a_symlinked_config_stays_a_link_and_its_target_is_replaced() {
    let Some(moto) = Moto::start() else { return };
    let tmp = tempdir();
    let docker = tmp.path().join("docker");
    let dotfiles = tmp.path().join("dotfiles");
    std::fs::create_dir_all(&docker).expect("mkdir");
    std::fs::create_dir_all(&dotfiles).expect("mkdir");
    let target = dotfiles.join("docker-config.json");
    std::fs::write(
        &target,
        r#"{"auths":{"other.example.com":{"auth":"dXNlcjpwYXNz"}}}"#,
    )
    .expect("write");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    // Relative, as dotfile managers (stow) make them.
    let link = docker.join("config.json");
    std::os::unix::fs::symlink("../dotfiles/docker-config.json", &link).expect("symlink");

    let r = run(login(&moto, &docker, &ecr_host(1)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("lstat")
            .file_type()
            .is_symlink(),
        "config.json was replaced by a regular file"
    );
    assert_eq!(
        std::fs::read_link(&link).expect("readlink"),
        Path::new("../dotfiles/docker-config.json"),
        "the link is untouched"
    );
    let after = read_json(&target);
    assert!(after["auths"]["other.example.com"].is_object(), "{after}");
    assert!(after["auths"][ecr_host(1)]["auth"].is_string(), "{after}");
    assert_eq!(mode(&target), 0o600, "written 0600, as docker login does");
    assert_eq!(leftovers(&docker, &["config.json"]), Vec::<String>::new());
    assert_eq!(
        leftovers(&dotfiles, &["docker-config.json"]),
        Vec::<String>::new(),
        "no temp file left"
    );

    // A link to a file not written yet: the file is made where it points.
    let fresh = tempdir();
    let elsewhere = fresh.path().join("store").join("config.json");
    std::fs::create_dir_all(elsewhere.parent().expect("dir")).expect("mkdir");
    std::os::unix::fs::symlink(&elsewhere, fresh.path().join("config.json")).expect("symlink");
    let r = run(login(&moto, fresh.path(), &ecr_host(2)));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(read_json(&elsewhere)["auths"][ecr_host(2)].is_object());
    assert!(
        std::fs::symlink_metadata(fresh.path().join("config.json"))
            .expect("lstat")
            .file_type()
            .is_symlink()
    );
}

#[test]
fn issue_11_item_19_concurrent_logins_lose_no_entry() {
    let Some(moto) = Moto::start() else { return };
    const LOGINS: usize = 20;
    const ROUNDS: usize = 3;
    for round in 0..ROUNDS {
        let dir = tempdir();
        let file = dir.path().join("config.json");
        std::fs::write(
            &file,
            r#"{"auths":{"other.example.com":{"auth":"dXNlcjpwYXNz"}}}"#,
        )
        .expect("write");
        // All started before any is waited for.
        let children: Vec<_> = (0..LOGINS)
            .map(|i| {
                login(&moto, dir.path(), &ecr_host(i))
                    .stdin(Stdio::null())
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .expect("spawn login")
            })
            .collect();
        for child in children {
            let r: Run = child.wait_with_output().expect("wait").into();
            assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        }
        let after = read_json(&file);
        let auths = after["auths"].as_object().expect("auths");
        let missing: Vec<String> = (0..LOGINS)
            .map(ecr_host)
            .filter(|h| !auths.contains_key(h))
            .collect();
        assert!(
            missing.is_empty() && auths.contains_key("other.example.com"),
            "round {round}: {} of {} entries, missing {missing:?}",
            auths.len(),
            LOGINS + 1
        );
        assert_eq!(mode(&file), 0o600);
        assert_eq!(
            leftovers(dir.path(), &["config.json"]),
            Vec::<String>::new()
        );
    }
}

/// A source registry seeded with a small multi-arch fixture, an empty
/// destination, and the version the fixture carries.
struct Registries {
    _tmp: tempfile::TempDir,
    dir: std::path::PathBuf,
    src: Registry,
    dst: Registry,
}

const VERSION: &str = "4.3.0";

fn registries() -> Option<Registries> {
    if !registry::peers_present() {
        return None;
    }
    let tmp = tempdir();
    let dir = tmp.path().to_path_buf();
    let src = Registry::start_default(&dir.join("src"));
    let dst = Registry::start_default(&dir.join("dst"));
    let f = fixture::build(
        &dir.join("layout"),
        &Spec {
            tags: fixture::tags(VERSION),
            shared: 4 << 10,
            layers: vec![2 << 10],
            big: 8 << 10,
        },
    );
    fixture::seed(&f, &src, REPO, &dir);
    Some(Registries {
        _tmp: tmp,
        dir,
        src,
        dst,
    })
}

impl Registries {
    /// `mirror` from the source to the destination with a docker config
    /// holding `config` and `bin` first on PATH.
    fn mirror(&self, config: &str, bin: &Path) -> Run {
        let docker = self.dir.join(format!("docker-{}", fastrand_name()));
        std::fs::create_dir_all(&docker).expect("mkdir");
        std::fs::write(docker.join("config.json"), config).expect("write config");
        let to = format!("{}/team", self.dst.host);
        let mut c = uepe(&[
            "mirror",
            "--version",
            VERSION,
            "--from",
            &self.src.host,
            "--to",
            &to,
        ]);
        c.env("DOCKER_CONFIG", &docker).env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
        run(c)
    }
}

/// A name unique within this test process.
fn fastrand_name() -> usize {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

#[test]
fn issue_11_item_16_a_credential_helper_that_is_not_installed_is_named() {
    let Some(regs) = registries() else { return };
    let bin = regs.dir.join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    assert!(
        crate::support::peers::which("docker-credential-desktop").is_none(),
        "this machine has docker-credential-desktop: the test needs it absent"
    );

    let r = regs.mirror(r#"{"credsStore":"desktop"}"#, &bin);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert_contains!(
        r.stderr,
        "the credential helper `docker-credential-desktop` (credsStore in "
    );
    assert_not_contains!(r.stderr, "docker-credential-NAME");

    // The same with a helper that is there: a shell script speaking the
    // credential-helper protocol (`get`, server on stdin, JSON out).
    let helper = bin.join("docker-credential-uepetest");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"{}\",\"Secret\":\"{}\"}}' \"$server\"\n",
            registry::USER,
            registry::PASSWORD
        ),
    )
    .expect("helper");
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let r = regs.mirror(r#"{"credsStore":"uepetest"}"#, &bin);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        !r.stdout.contains(registry::PASSWORD) && !r.stderr.contains(registry::PASSWORD),
        "the password was printed"
    );
    assert!(
        regs.dst
            .client()
            .has_manifest(&format!("team/{REPO}"), VERSION)
    );
}
