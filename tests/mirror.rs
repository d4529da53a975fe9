//! `kubectl uepe mirror` (issue 5) against two real CNCF distribution
//! registries on loopback with htpasswd auth, the source seeded by skopeo
//! with multi-arch images built by the test; faults come from a small proxy
//! between the plugin and one registry (tests/support/registry/proxy.rs).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod refresher;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::registry::fixture::{self, Fixture, REPO, Spec};
use crate::support::registry::proxy::{Fault, Proxy};
use crate::support::registry::token::{self, TokenServer};
use crate::support::registry::{self, Registry};
use crate::support::{Run, peers, run, tempdir, uepe};
use std::sync::atomic::Ordering;

const VERSION: &str = "4.3.0";
const DEST_PATH: &str = "team";

/// A seeded source, an empty destination and a docker config for both.
struct Env {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    src: Registry,
    dst: Registry,
    fixture: Fixture,
    config: PathBuf,
}

fn env() -> Option<Env> {
    if !registry::peers_present() {
        return None;
    }
    let tmp = tempdir();
    let dir = tmp.path().to_path_buf();
    let src = Registry::start_default(&dir.join("src"));
    let dst = Registry::start(
        &dir.join("dst"),
        &[
            (registry::USER, registry::PASSWORD),
            ("old", "pw-old"),
            ("fresh", "pw-fresh"),
        ],
    );
    let fixture = fixture::build(
        &dir.join("layout"),
        &Spec {
            tags: fixture::tags(VERSION),
            shared: 256 << 10,
            layers: vec![64 << 10, 32 << 10],
            big: 6 << 20,
        },
    );
    fixture::seed(&fixture, &src, REPO, &dir);
    let config = registry::docker_config(&dir.join("docker"), &[&src.host, &dst.host]);
    Some(Env {
        _tmp: tmp,
        dir,
        src,
        dst,
        fixture,
        config,
    })
}

impl Env {
    fn dest_repo(&self) -> String {
        format!("{DEST_PATH}/{REPO}")
    }

    fn mirror(&self, from: &str, to: &str, extra: &[&str]) -> Command {
        let to = format!("{to}/{DEST_PATH}");
        let mut args = vec!["mirror", "--version", VERSION, "--from", from, "--to", &to];
        args.extend_from_slice(extra);
        let mut c = uepe(&args);
        c.env("DOCKER_CONFIG", &self.config);
        c
    }

    fn run(&self, from: &str, to: &str, extra: &[&str]) -> Run {
        run(self.mirror(from, to, extra))
    }

    /// Every manifest at the destination names only things that are there.
    fn consistent(&self, client: &registry::http::Client) -> Result<(), String> {
        let repo = self.dest_repo();
        for img in &self.fixture.images {
            for c in &img.children {
                if client.has_manifest(&repo, &c.digest) {
                    for (b, _) in &c.blobs {
                        if !client.has_blob(&repo, b) {
                            return Err(format!("{} is there without blob {b}", c.digest));
                        }
                    }
                }
            }
            let index_there =
                client.has_manifest(&repo, &img.index) || client.has_manifest(&repo, &img.tag);
            if index_there {
                for c in &img.children {
                    if !client.has_manifest(&repo, &c.digest) {
                        return Err(format!("{} is there without {}", img.tag, c.digest));
                    }
                }
            }
        }
        Ok(())
    }

    /// Every image is at the destination with the source's digests.
    fn assert_complete(&self) {
        let client = self.dst.client();
        let repo = self.dest_repo();
        for img in &self.fixture.images {
            let raw = skopeo_raw(&self.dir, &self.dst.host, &format!("{repo}:{}", img.tag));
            assert_eq!(sha256(&raw), img.index, "index digest of {}", img.tag);
            for c in &img.children {
                assert!(
                    client.has_manifest(&repo, &c.digest),
                    "{} of {}",
                    c.arch,
                    img.tag
                );
                for (b, _) in &c.blobs {
                    assert!(client.has_blob(&repo, b), "blob {b} of {}", img.tag);
                }
            }
        }
        self.consistent(&client).expect("consistent");
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

/// `skopeo inspect --raw` of `host/reference`.
fn skopeo_raw(dir: &Path, host: &str, reference: &str) -> Vec<u8> {
    let auth = fixture::authfile(&dir.join("inspect-auth"), &[host]);
    let out = Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false", "--authfile"])
        .arg(&auth)
        .arg(format!("docker://{host}/{reference}"))
        .output()
        .expect("skopeo inspect");
    assert!(
        out.status.success(),
        "skopeo inspect {reference}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[track_caller]
fn assert_ok(what: &str, r: &Run) {
    assert_eq!(
        r.code, 0,
        "{what} failed:\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
}

#[test]
fn mirror_copies_every_architecture_with_the_same_digests_and_a_rerun_uploads_nothing() {
    let Some(e) = env() else { return };
    let first = e.run(&e.src.host, &e.dst.host, &[]);
    assert_ok("mirror", &first);
    assert_contains!(first.stdout, "Mirrored 4 of 4 images (0 up to date)");
    e.assert_complete();

    let writes = e.dst.blob_writes();
    let started = Instant::now();
    let second = e.run(&e.src.host, &e.dst.host, &[]);
    let took = started.elapsed();
    assert_ok("second mirror", &second);
    assert_eq!(
        e.dst.blob_writes(),
        writes,
        "the rerun wrote blobs:\n{}",
        second.stdout
    );
    assert_contains!(second.stdout, "(4 up to date)");
    assert_contains!(second.stdout, "0 copied");
    eprintln!("no-op rerun took {took:?}");
}

/// On a terminal the mirror draws one progress bar per image instead of a
/// line per blob, and still ends with the summary. util-linux's `script`
/// runs it on a fresh pseudo-terminal, as an interactive shell would.
#[test]
fn mirror_on_a_terminal_draws_a_bar_per_image_and_sums_up() {
    let Some(e) = env() else { return };
    let Some(script) = peers::require("script", "util-linux's script (Debian's bsdutils)") else {
        return;
    };
    let to = format!("{}/{DEST_PATH}", e.dst.host);
    let line = [
        crate::support::bin().display().to_string(),
        "mirror".into(),
        "--version".into(),
        VERSION.into(),
        "--from".into(),
        e.src.host.clone(),
        "--to".into(),
        to,
    ]
    .map(|a| format!("'{a}'"))
    .join(" ");
    let mut c = Command::new(script);
    // -q: no banner; -e: the command's exit code; -c: the command line.
    c.args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &e.dir)
        .env("TERM", "xterm-256color")
        .env("DOCKER_CONFIG", &e.config);
    let r = run(c);
    assert_ok("mirror on a terminal", &r);
    let screen = &r.stdout;
    assert_contains!(
        screen,
        "Mirrored 4 of 4 images (0 up to date)",
        "no summary on the terminal"
    );
    // indicatif redraws in place with ANSI cursor movements: the text after
    // the last one is the final frame, one full bar per image, each `done`.
    assert_contains!(screen, "\x1b[", "no redrawing on the terminal:\n{screen:?}");
    let last_frame = screen.rsplit("\x1b[").next().unwrap_or_default();
    let full_bar = format!("[{}]", "=".repeat(30));
    assert_eq!(
        last_frame.matches(&full_bar).count(),
        e.fixture.images.len(),
        "one full bar per image in the last frame:\n{last_frame}"
    );
    assert_eq!(last_frame.matches(" done").count(), e.fixture.images.len());
    for img in &e.fixture.images {
        assert_contains!(
            last_frame,
            &format!(":{} ", img.tag),
            "no bar for {}",
            img.tag
        );
    }
    assert_not_contains!(
        screen,
        ": blob ",
        "per-blob lines on a terminal, where the bars show the bytes"
    );
    e.assert_complete();
}

#[test]
fn mirror_killed_midway_never_shows_half_an_image_and_a_rerun_finishes() {
    let Some(e) = env() else { return };
    // A slow source: the big layer takes seconds.
    let slow = Proxy::start(&e.src.host, Fault::Throttle(2 << 20));
    registry::docker_config(&e.config, &[&e.src.host, &e.dst.host, &slow.host]);
    let mut child = e
        .mirror(&slow.host, &e.dst.host, &[])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mirror");
    let client = e.dst.client();
    let repo = e.dest_repo();
    let first_tag = &e.fixture.images[0].tag;
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut killed = false;
    while Instant::now() < deadline {
        e.consistent(&client).expect("consistent while copying");
        let some = e
            .fixture
            .images
            .iter()
            .any(|i| client.has_manifest(&repo, &i.tag));
        if some && !client.has_manifest(&repo, first_tag) {
            child.kill().expect("kill");
            killed = true;
            break;
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.wait();
    assert!(killed, "the copy ended before it could be interrupted");
    e.consistent(&client).expect("consistent after the kill");
    assert!(!client.has_manifest(&repo, first_tag));

    let rerun = e.run(&e.src.host, &e.dst.host, &[]);
    assert_ok("rerun", &rerun);
    assert_not_contains!(rerun.stdout, "(0 up to date)", "nothing was kept");
    e.assert_complete();
}

#[test]
fn mirror_stops_cleanly_on_ctrl_c_and_a_rerun_finishes() {
    let Some(e) = env() else { return };
    let slow = Proxy::start(&e.src.host, Fault::Throttle(2 << 20));
    registry::docker_config(&e.config, &[&e.src.host, &e.dst.host, &slow.host]);
    let child = e
        .mirror(&slow.host, &e.dst.host, &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mirror");
    let client = e.dst.client();
    let repo = e.dest_repo();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline
        && !e
            .fixture
            .images
            .iter()
            .any(|i| client.has_manifest(&repo, &i.tag))
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(kill.success());
    let out: Run = child.wait_with_output().expect("wait").into();
    assert_ne!(out.code, 0, "not interrupted: {}", out.stdout);
    assert!(
        out.stderr.contains("interrupted:") && out.stderr.contains("run the same command again"),
        "{}",
        out.stderr
    );
    e.consistent(&client).expect("consistent after Ctrl-C");
    let rerun = e.run(&e.src.host, &e.dst.host, &[]);
    assert_ok("rerun", &rerun);
    e.assert_complete();
}

#[test]
fn mirror_retries_unavailable_answers_and_broken_blob_downloads() {
    let Some(e) = env() else { return };
    let flaky = Proxy::start(&e.src.host, Fault::Flaky(4));
    registry::docker_config(&e.config, &[&e.src.host, &e.dst.host, &flaky.host]);
    let r = e.run(&flaky.host, &e.dst.host, &[]);
    assert_ok("mirror through a flaky source", &r);
    assert!(
        flaky.faults.load(Ordering::Relaxed) > 2,
        "no fault was injected"
    );
    assert_contains!(r.stdout, "retrying");
    e.assert_complete();
}

#[test]
fn mirror_of_a_corrupted_blob_fails_that_image_with_a_digest_error_and_pushes_nothing_of_it() {
    let Some(e) = env() else { return };
    let victim = &e.fixture.images[2];
    let (bad, _) = victim.children[0].blobs[2].clone();
    let proxy = Proxy::start(&e.src.host, Fault::CorruptBlob(bad.clone()));
    registry::docker_config(&e.config, &[&e.src.host, &e.dst.host, &proxy.host]);
    let r = e.run(&proxy.host, &e.dst.host, &[]);
    assert_ne!(r.code, 0, "a corrupted blob was accepted:\n{}", r.stdout);
    assert!(
        proxy.faults.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "the blob was never fetched"
    );
    assert_contains!(r.stderr, "digest mismatch");
    assert_contains!(r.stderr, &format!("operator:{}", victim.tag));
    assert_contains!(r.stderr, "1 of 4 images were not copied");
    let client = e.dst.client();
    let repo = e.dest_repo();
    assert!(
        !client.has_blob(&repo, &bad),
        "the corrupted blob was stored"
    );
    assert!(!client.has_manifest(&repo, &victim.tag));
    assert!(!client.has_manifest(&repo, &victim.index));
    for c in &victim.children {
        assert!(
            !client.has_manifest(&repo, &c.digest),
            "{} of the failed image was pushed",
            c.arch
        );
    }
    for (i, img) in e.fixture.images.iter().enumerate().filter(|(i, _)| *i != 2) {
        assert_eq!(
            client.manifest_digest(&repo, &img.tag).as_deref(),
            Some(img.index.as_str()),
            "image {i}"
        );
    }
    e.consistent(&client).expect("consistent");
}

#[test]
fn mirror_reauthenticates_when_the_registry_starts_refusing_the_old_credentials() {
    let Some(e) = env() else { return };
    let old = {
        use base64::Engine as _;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("old:pw-old")
        )
    };
    let proxy = Proxy::start(
        &e.dst.host,
        Fault::ExpireAuth {
            after: 8,
            authorization: old,
        },
    );
    // A credential helper that gives `old` first and `fresh` after.
    let bin = e.dir.join("helper-bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let helper = bin.join("docker-credential-uepetest");
    std::fs::write(
        &helper,
        "#!/bin/sh\nd=$(dirname \"$0\")\nn=$(cat \"$d/count\" 2>/dev/null || echo 0)\necho $((n+1)) > \"$d/count\"\n\
         if [ \"$n\" = 0 ]; then u=old; else u=fresh; fi\n\
         printf '{\"ServerURL\":\"x\",\"Username\":\"%s\",\"Secret\":\"pw-%s\"}' \"$u\" \"$u\"\n",
    )
    .expect("helper");
    std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .expect("chmod");
    let config = registry::docker_config(&e.dir.join("docker-helper"), &[&e.src.host]);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(config.join("config.json")).expect("read"))
            .expect("json");
    doc["credHelpers"] = serde_json::json!({ proxy.host.clone(): "uepetest" });
    std::fs::write(config.join("config.json"), doc.to_string()).expect("write");
    let mut cmd = e.mirror(&e.src.host, &proxy.host, &[]);
    cmd.env("DOCKER_CONFIG", &config);
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    cmd.env("PATH", path);
    let r = run(cmd);
    assert_ok("mirror", &r);
    assert!(
        proxy.faults.load(std::sync::atomic::Ordering::Relaxed) > 0,
        "the old credentials never expired"
    );
    let calls: u32 = std::fs::read_to_string(bin.join("count"))
        .expect("count")
        .trim()
        .parse()
        .expect("n");
    assert!(calls >= 2, "the helper was asked {calls} time(s)");
    assert!(
        !r.stdout.contains("pw-") && !r.stderr.contains("pw-"),
        "a password was printed"
    );
    e.assert_complete();
}

#[test]
fn mirror_of_one_platform_copies_only_it_under_a_new_index() {
    let Some(e) = env() else { return };
    let r = e.run(&e.src.host, &e.dst.host, &["--platform", "linux/arm64"]);
    assert_ok("mirror", &r);
    assert_contains!(r.stdout, "only linux/arm64 copied: a new index");
    let client = e.dst.client();
    let repo = e.dest_repo();
    for img in &e.fixture.images {
        let raw = skopeo_raw(&e.dir, &e.dst.host, &format!("{repo}:{}", img.tag));
        let index: serde_json::Value = serde_json::from_slice(&raw).expect("index");
        let list = index["manifests"].as_array().expect("manifests");
        assert_eq!(list.len(), 1, "{index}");
        assert_eq!(list[0]["platform"]["architecture"], "arm64");
        assert_ne!(sha256(&raw), img.index);
        let (amd, arm) = (&img.children[0], &img.children[1]);
        assert!(!client.has_manifest(&repo, &amd.digest));
        assert!(client.has_manifest(&repo, &arm.digest));
        assert!(
            !client.has_blob(&repo, &amd.blobs[0].0),
            "amd64 config copied"
        );
    }
    let again = e.run(&e.src.host, &e.dst.host, &["--platform", "linux/arm64"]);
    assert_ok("rerun", &again);
    assert_contains!(again.stdout, "(4 up to date)");
}

#[test]
fn mirror_uses_chunked_uploads_when_monolithic_ones_are_refused() {
    let Some(e) = env() else { return };
    let proxy = Proxy::start(&e.dst.host, Fault::RefuseMonolithic);
    registry::docker_config(&e.config, &[&e.src.host, &e.dst.host, &proxy.host]);
    let r = e.run(&e.src.host, &proxy.host, &["--components", "platform"]);
    assert_ok("mirror", &r);
    assert_contains!(r.stdout, "using chunked uploads");
    let patches = e
        .dst
        .requests()
        .iter()
        .filter(|(m, _, _)| m == "PATCH")
        .count();
    let (_, big) = e.fixture.biggest_blob();
    assert!(big > 5 << 20 && patches >= 2, "{patches} PATCH requests");
    let client = e.dst.client();
    let img = &e.fixture.images[0];
    assert_eq!(
        client.manifest_digest(&e.dest_repo(), &img.tag).as_deref(),
        Some(img.index.as_str())
    );
    e.consistent(&client).expect("consistent");
}

#[test]
fn mirror_within_one_registry_mounts_blobs_instead_of_copying_them() {
    let Some(e) = env() else { return };
    let to = format!("{}/copy", e.src.host);
    let mut c = uepe(&[
        "mirror",
        "--version",
        VERSION,
        "--from",
        &e.src.host,
        "--to",
        &to,
    ]);
    c.env("DOCKER_CONFIG", &e.config);
    let r = run(c);
    assert_ok("mirror", &r);
    let blobs = e.fixture.blobs().len();
    assert_contains!(
        r.stdout,
        &format!("blobs: 0 copied (0 B, 0 B/s), {blobs} mounted")
    );
    let mounts = e
        .src
        .requests()
        .iter()
        .filter(|(m, p, s)| m == "POST" && p.contains("mount=") && *s == 201)
        .count();
    assert_eq!(mounts, blobs);
    let client = e.src.client();
    for img in &e.fixture.images {
        assert_eq!(
            client
                .manifest_digest(&format!("copy/{REPO}"), &img.tag)
                .as_deref(),
            Some(img.index.as_str())
        );
    }
}

#[test]
fn mirror_to_a_registry_with_bearer_tokens_uses_basic_and_refresh_token_flows() {
    let Some(e) = env() else { return };
    let tokens = TokenServer::start(&e.dir, (registry::USER, registry::PASSWORD));
    let dst = Registry::start_with_auth(&e.dir.join("bearer"), &[], &tokens.auth_config());
    // Basic credentials traded for tokens (GET realm).
    registry::docker_config(&e.config, &[&e.src.host, &dst.host]);
    let r = e.run(&e.src.host, &dst.host, &["--components", "platform,ec"]);
    assert_ok("mirror with a token", &r);
    assert!(
        tokens.answered.0.load(Ordering::Relaxed) > 0,
        "no token was asked for"
    );
    let scopes = tokens.scopes.lock().expect("scopes").clone();
    assert!(
        scopes.contains(&format!("repository:{}:pull,push", e.dest_repo())),
        "{scopes:?}"
    );
    for img in &e.fixture.images[..2] {
        let raw = skopeo_raw(&e.dir, &dst.host, &format!("{}:{}", e.dest_repo(), img.tag));
        assert_eq!(sha256(&raw), img.index);
        for c in &img.children {
            let raw = skopeo_raw(
                &e.dir,
                &dst.host,
                &format!("{}@{}", e.dest_repo(), c.digest),
            );
            assert_eq!(sha256(&raw), c.digest);
        }
    }
    // An identity token (OAuth2 refresh token, POST realm) instead.
    let idt = e.dir.join("docker-idt");
    std::fs::create_dir_all(&idt).expect("dir");
    let src_auth = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            registry::USER,
            registry::PASSWORD
        ))
    };
    let doc = serde_json::json!({"auths": {
        e.src.host.clone(): {"auth": src_auth},
        dst.host.clone(): {"identitytoken": token::REFRESH_TOKEN},
    }});
    std::fs::write(idt.join("config.json"), doc.to_string()).expect("config");
    let mut c = e.mirror(&e.src.host, &dst.host, &["--components", "ui"]);
    c.env("DOCKER_CONFIG", &idt);
    let r = run(c);
    assert_ok("mirror with an identity token", &r);
    assert!(
        tokens.answered.1.load(Ordering::Relaxed) > 0,
        "the refresh token was not used"
    );
    assert!(!r.stdout.contains(token::REFRESH_TOKEN) && !r.stderr.contains(token::REFRESH_TOKEN));
    let ui = &e.fixture.images[3];
    let raw = skopeo_raw(&e.dir, &dst.host, &format!("{}:{}", e.dest_repo(), ui.tag));
    assert_eq!(sha256(&raw), ui.index);
}

#[test]
fn mirror_dry_run_prints_the_plan_and_writes_nothing() {
    let Some(e) = env() else { return };
    let r = e.run(&e.src.host, &e.dst.host, &["--dry-run"]);
    assert_ok("dry run", &r);
    let expected_blobs = e.fixture.blobs().len();
    assert_contains!(
        r.stdout,
        &format!("Plan: 4 images, 12 manifests (12 to push), {expected_blobs} blobs of")
    );
    assert_contains!(r.stdout, "platforms: linux/amd64, linux/arm64");
    assert_contains!(r.stdout, "The same copy with other tools:");
    assert_eq!(e.dst.blob_writes(), 0);
    assert!(
        !e.dst
            .requests()
            .iter()
            .any(|(m, _, _)| m == "PUT" || m == "POST")
    );
}

#[test]
fn mirror_to_ecr_needs_the_repository_or_creates_it() {
    let Some(e) = env() else { return };
    let Some(moto) = crate::support::moto::Moto::start() else {
        return;
    };
    let ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    let with_aws = |extra: &[&str]| {
        let mut c = e.mirror(&e.src.host, ecr, extra);
        c.env("AWS_ACCESS_KEY_ID", &moto.reader.id)
            .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret)
            .env("AWS_ENDPOINT_URL", &moto.url);
        run(c)
    };
    let r = with_aws(&[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr
            .contains("has no repository team/usage-engine-private-edition")
            && r.stderr.contains("--create-repositories"),
        "{}",
        r.stderr
    );
    assert_no_secret!(r.stderr, &moto.reader.secret);
    // Created, then the copy goes on to the registry host (not reachable here).
    let r = with_aws(&["--create-repositories", "--immutable-tags"]);
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, &format!("cannot reach registry {ecr}"));
    let r = with_aws(&[]);
    assert_contains!(
        r.stderr,
        &format!("cannot reach registry {ecr}"),
        "the repository was not created"
    );
}

/// The repository a mirror creates has what the core decided: mutable tags,
/// no scan on push and AES256 unless asked otherwise.
#[test]
fn mirror_to_ecr_creates_repositories_with_the_settings_asked_for() {
    let Some(e) = env() else { return };
    let Some(moto) = crate::support::moto::Moto::start() else {
        return;
    };
    let ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com";
    let create = |to: &str, extra: &[&str]| {
        let mut c = e.mirror(&e.src.host, &format!("{ecr}/{to}"), extra);
        c.env("AWS_ACCESS_KEY_ID", &moto.reader.id)
            .env("AWS_SECRET_ACCESS_KEY", &moto.reader.secret)
            .env("AWS_ENDPOINT_URL", &moto.url);
        let r = run(c);
        // Created, then the copy goes on to the registry host (not reachable here).
        assert_contains!(r.stderr, &format!("cannot reach registry {ecr}"));
        assert_no_secret!(r.stderr, &moto.reader.secret);
    };
    create("plain", &["--create-repositories"]);
    create(
        "strict",
        &[
            "--create-repositories",
            "--immutable-tags",
            "--scan-on-push",
        ],
    );
    let repos = moto.ecr_repositories();
    let settings = |name: &str| {
        let r = repos
            .iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} not created: {repos:?}"));
        (
            r["image_tag_mutability"].clone(),
            r["image_scanning_configuration"]["scanOnPush"].clone(),
            r["encryption_configuration"]["encryptionType"].clone(),
            r["registry_id"].clone(),
        )
    };
    let (plain, strict) = (
        format!("plain/{DEST_PATH}/{REPO}"),
        format!("strict/{DEST_PATH}/{REPO}"),
    );
    assert_eq!(
        settings(&plain),
        (
            "MUTABLE".into(),
            false.into(),
            "AES256".into(),
            "123456789012".into()
        )
    );
    assert_eq!(
        settings(&strict),
        (
            "IMMUTABLE".into(),
            true.into(),
            "AES256".into(),
            "123456789012".into()
        )
    );
    assert_eq!(repos.len(), 2, "one repository per destination");
}

/// `--platform` is read by the core's rules: an alias and a bare variant
/// number normalise to `linux/arm64/v8`, which matches the fixture's arm64
/// entry that names no variant.
#[test]
fn mirror_reads_platforms_as_the_core_normalises_them() {
    let Some(e) = env() else { return };
    let r = e.run(
        &e.src.host,
        &e.dst.host,
        &["--dry-run", "--platform", "linux/aarch64/8"],
    );
    assert_ok("dry run", &r);
    assert!(
        r.stdout.contains("platforms: linux/arm64\n") && !r.stdout.contains("linux/amd64"),
        "{}",
        r.stdout
    );
    assert_eq!(e.dst.blob_writes(), 0);
}

#[test]
fn mirror_to_ecr_rejects_a_repository_name_ecr_refuses_before_any_network() {
    // Valid for a registry at large (`--` joins path parts), not for ECR.
    let r = run(uepe(&[
        "mirror",
        "--version",
        VERSION,
        "--to",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/a--b",
        "--create-repositories",
    ]));
    assert_ne!(r.code, 0);
    assert_contains!(
        r.stderr,
        "--to: `a--b/usage-engine-private-edition` is not an ECR repository name"
    );
}

#[test]
fn mirror_rejects_bad_flags_before_any_network() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["--platform", "linux"],
            "--platform: `linux` is not a platform",
        ),
        (&["--jobs", "0"], "--jobs"),
        (&["--components", "db"], "--components"),
        (&["--from", "HTTP://x"], "--from:"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["mirror", "--version", VERSION, "--to", "127.0.0.1:1/x"];
        args.extend_from_slice(extra);
        let r = run(uepe(&args));
        assert_ne!(r.code, 0, "{extra:?} accepted");
        assert_contains!(r.stderr, expected, "{extra:?}");
    }
    let r = run(uepe(&["mirror", "--version", VERSION, "--to", "HTTP://x"]));
    assert_contains!(r.stderr, "--to:");
}
