//! Issue 7: distribution through krew, release archives and the runner image.
//!
//! - The krew manifest is checked by the real `validate-krew-manifest` (the
//!   check krew-index's CI runs, built from `sigs.k8s.io/krew`), plus what it
//!   leaves to us (`krew/rules.rs`): a short description of at most 50
//!   characters, archives krew can unpack, `.exe` on Windows, a LICENSE
//!   installed on every platform.
//! - The committed manifest is the release-bot template rendered with
//!   placeholder checksums (see `scripts/dist.sh`): the script's rendering,
//!   a rendering done here the way krew-release-bot does it, and the file
//!   must agree; with real checksums, the manifest the release attaches is
//!   the one the bot submits to krew-index.
//! - The archive is built on this machine by the real `scripts/dist.sh`,
//!   once packing the binary cargo built for these tests and once with the
//!   release build dist.sh makes itself, installed by the real
//!   `krew install --manifest --archive`, and run by the real kubectl: `kubectl plugin list`, `kubectl uepe version`,
//!   and completion through `kubectl_complete-uepe`.
//! - The release workflow builds every platform of the manifest, and the
//!   runner image's Containerfile runs what the CronJob asks for.

// A test that cannot read its own fixture has failed; `expect` says where.
#![allow(clippy::expect_used)]

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, peers};

mod real;
mod rules;
use rules::{LICENSE_NAMES, Platform, Plugin, assert_no_problems, our_problems};

const PLUGIN: &str = "uepe";
/// The committed manifest's checksums until a release renders real ones.
const PLACEHOLDER_SHA256: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// The platforms issue 7 asks for.
const PLATFORMS: [(&str, &str); 5] = [
    ("linux", "amd64"),
    ("linux", "arm64"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
    ("windows", "amd64"),
];

/// Our naming: each platform's archive is `kubectl-uepe-<tag>-<os>-<arch>`,
/// `.zip` on Windows and `.tar.gz` elsewhere, so no selector can point at
/// another platform's archive.
fn archive_name(tag: &str, os: &str, arch: &str) -> String {
    let ext = if os == "windows" { "zip" } else { "tar.gz" };
    format!("kubectl-uepe-{tag}-{os}-{arch}.{ext}")
}

fn uri_file_name(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or(uri)
}

fn tag() -> String {
    format!("v{}", env!("CARGO_PKG_VERSION"))
}

fn parse_manifest(path: &Path) -> Plugin {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_saphyr::from_str(&text)
        .unwrap_or_else(|e| panic!("{} is not a krew Plugin: {e}", path.display()))
}

fn manifest_path() -> PathBuf {
    support::workspace()
        .join("krew-manifest")
        .join(format!("{PLUGIN}.yaml"))
}

fn template_path() -> PathBuf {
    support::workspace().join("krew-manifest/.krew.yaml")
}

/// Each platform's single os/arch.
fn os_arch(p: &Platform) -> (String, String) {
    let labels = p
        .selector
        .as_ref()
        .and_then(|s| s.match_labels.clone())
        .unwrap_or_default();
    (
        labels.get("os").cloned().unwrap_or_default(),
        labels.get("arch").cloned().unwrap_or_default(),
    )
}

/// `scripts/dist.sh ARGS` from the workspace root.
fn dist(args: &[&str]) -> support::Run {
    let mut cmd = Command::new("bash");
    cmd.arg(support::workspace().join("scripts/dist.sh"))
        .args(args)
        .current_dir(support::workspace());
    support::run(cmd)
}

#[test]
fn committed_manifest_passes_krews_rules() {
    let path = manifest_path();
    let plugin = parse_manifest(&path);
    assert_no_problems("krew-manifest/uepe.yaml", &our_problems(&plugin));
    let text = fs::read_to_string(&path).expect("read uepe.yaml");
    if let Some(r) = real::validate(&text, "uepe.yaml") {
        assert_eq!(r.code, 0, "validate-krew-manifest: {}", r.stderr);
    }

    assert_eq!(
        plugin.spec.version,
        tag(),
        "the manifest is for the workspace version"
    );
    let platforms: BTreeSet<(String, String)> = plugin.spec.platforms.iter().map(os_arch).collect();
    let wanted: BTreeSet<(String, String)> = PLATFORMS
        .iter()
        .map(|&(o, a)| (o.to_owned(), a.to_owned()))
        .collect();
    assert_eq!(platforms, wanted, "the platforms issue 7 asks for");
    for p in &plugin.spec.platforms {
        let (os, arch) = os_arch(p);
        assert_eq!(
            uri_file_name(&p.uri),
            archive_name(&tag(), &os, &arch),
            "{os}/{arch} points at its own archive"
        );
        let bin = if os == "windows" {
            "kubectl-uepe.exe"
        } else {
            "kubectl-uepe"
        };
        assert_eq!(p.bin, bin, "{os}/{arch} bin");
        // The documented scheme: real checksums exist only once a release
        // built the archives; until then the committed file says so.
        assert_eq!(
            p.sha256, PLACEHOLDER_SHA256,
            "{os}/{arch}: the committed manifest carries the placeholder checksum \
             (`scripts/dist.sh manifest --placeholder`); real ones are rendered by the release workflow"
        );
    }
}

/// Issue 12: every sha256 of the committed manifest is a YAML string. An
/// unquoted run of 64 zeros is read as the number 0, which krew's parser
/// refuses (`cannot unmarshal number into ... string`).
#[test]
fn committed_manifest_checksums_are_yaml_strings() {
    let text = fs::read_to_string(manifest_path()).expect("read uepe.yaml");
    let doc: Value = serde_saphyr::from_str(&text).expect("uepe.yaml is YAML");
    let platforms = doc["spec"]["platforms"]
        .as_array()
        .expect("spec.platforms is a list");
    assert!(!platforms.is_empty());
    for p in platforms {
        assert!(
            p["sha256"].is_string(),
            "sha256 of {} is not a YAML string: {}",
            p["uri"],
            p["sha256"]
        );
    }
}

/// What the real validate-krew-manifest refuses, each breakage made in the
/// committed manifest's text: the tool is only worth running if it fails
/// on these (and the unquoted placeholder of issue 12 is one of them).
#[test]
fn real_krew_refuses_what_krew_index_refuses() {
    let good = fs::read_to_string(manifest_path()).expect("read uepe.yaml");
    let first_sha = format!("sha256: \"{PLACEHOLDER_SHA256}\"");
    let breakages: [(&str, String, &str, &str); 8] = [
        (
            "an unquoted run of zeros (the number 0 to YAML)",
            good.replacen(&first_sha, &format!("sha256: {PLACEHOLDER_SHA256}"), 1),
            "uepe.yaml",
            "value 0 is not valid",
        ),
        (
            "uppercase sha256",
            good.replacen(&first_sha, &format!("sha256: \"{}\"", "A".repeat(64)), 1),
            "uepe.yaml",
            "sha256",
        ),
        (
            "a version without v",
            good.replace("version: v", "version: "),
            "uepe.yaml",
            "not starting with 'v'",
        ),
        (
            "a version that is not semver",
            good.replacen(&format!("version: {}", tag()), "version: v0.1", 1),
            "uepe.yaml",
            "illegal version string",
        ),
        (
            "a file name unlike the plugin name",
            good.clone(),
            "kubectl-uepe.yaml",
            "should be named",
        ),
        (
            "a selector key besides os and arch",
            good.replacen("os: linux\n", "os: linux\n        distro: debian\n", 1),
            "uepe.yaml",
            "selector",
        ),
        (
            "a pair krew does not support",
            good.replacen("arch: amd64", "arch: riscv64", 1),
            "uepe.yaml",
            "doesn't match any supported platforms",
        ),
        (
            "overlapping selectors",
            good.replacen("arch: arm64", "arch: amd64", 1),
            "uepe.yaml",
            "overlapping",
        ),
    ];
    for (what, text, file_name, says) in breakages {
        assert!(
            text != good || file_name != "uepe.yaml",
            "{what}: the breakage changed nothing"
        );
        let Some(r) = real::validate(&text, file_name) else {
            return;
        };
        assert_ne!(r.code, 0, "validate-krew-manifest accepted {what}");
        assert_contains!(
            r.stderr,
            says,
            "validate-krew-manifest refused {what} without saying {says:?}"
        );
    }
}

/// What krew leaves to us: each breakage must trip its own rule.
#[test]
fn our_rules_catch_what_krew_leaves_to_us() {
    let good = parse_manifest(&manifest_path());
    assert_no_problems("the committed manifest", &our_problems(&good));
    type Breakage = (&'static str, &'static str, fn(&mut Plugin));
    let breakages: [Breakage; 5] = [
        ("Windows bin without .exe", "must end in .exe", |p| {
            for pl in &mut p.spec.platforms {
                if os_arch(pl).0 == "windows" {
                    pl.bin = "kubectl-uepe".into();
                }
            }
        }),
        ("a .tar.xz archive", "neither .tar.gz nor .zip", |p| {
            p.spec.platforms[0].uri.push_str(".xz")
        }),
        ("a 51-character short description", "more than 50", |p| {
            p.spec.short_description = "x".repeat(51)
        }),
        ("no LICENSE installed", "install no LICENSE", |p| {
            for f in p.spec.platforms[2].files.iter_mut() {
                f.retain(|op| op.from != "LICENSE");
            }
        }),
        ("the bin not installed", "do not install bin", |p| {
            for f in p.spec.platforms[1].files.iter_mut() {
                f.retain(|op| op.from != "kubectl-uepe");
            }
        }),
    ];
    for (what, rule, breaks) in breakages {
        let mut bad = good.clone();
        breaks(&mut bad);
        let problems = our_problems(&bad);
        assert!(
            problems.iter().any(|p| p.contains(rule)),
            "our rules let {what} through (no problem says {rule:?}): {problems:?}"
        );
    }
}

/// Renders the template as krew-release-bot does (Go text/template with its
/// `addURIAndSha`): `uri: URL` on the action's line, `sha256: ...` on the next
/// with four spaces. Any other action is an error here as it would be there.
fn render_like_the_bot(template: &str, tag: &str, sha256: &dyn Fn(&str) -> String) -> String {
    let with_tag = |s: &str| s.replace("{{ .TagName }}", tag);
    let mut out = String::new();
    for line in template.lines() {
        let trimmed = line.trim_start();
        if let Some(call) = trimmed.strip_prefix("{{ addURIAndSha \"") {
            let (url, rest) = call
                .split_once('"')
                .unwrap_or_else(|| panic!("unterminated URL: {line}"));
            assert_eq!(
                rest.trim(),
                ".TagName }}",
                "addURIAndSha takes the URL and .TagName: {line}"
            );
            let url = with_tag(url);
            let indent = &line[..line.len() - trimmed.len()];
            out.push_str(&format!(
                "{indent}uri: {url}\n    sha256: {}\n",
                sha256(&url)
            ));
        } else {
            let line = with_tag(line);
            assert_not_contains!(line, "{{", "unsupported template action");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[test]
fn committed_manifest_is_the_template_rendered() {
    let template = fs::read_to_string(template_path()).expect("read .krew.yaml");
    let committed = fs::read_to_string(manifest_path()).expect("read uepe.yaml");

    let r = dist(&["manifest", "--placeholder"]);
    assert_eq!(r.code, 0, "dist.sh manifest --placeholder: {}", r.stderr);
    support::assert_same(
        "krew-manifest/uepe.yaml against `scripts/dist.sh manifest --placeholder` \
         (regenerate it with that command after changing .krew.yaml or the version)",
        &r.stdout,
        &committed,
    );

    let body: String = committed
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    // The bot never renders the placeholder: dist.sh writes it quoted (a run
    // of zeros unquoted is the number 0 to YAML), real checksums as the bot does.
    let by_bot = render_like_the_bot(&template, &tag(), &|_| format!("\"{PLACEHOLDER_SHA256}\""));
    support::assert_same(
        "the template rendered as krew-release-bot does",
        &by_bot,
        &body,
    );

    // krew-release-bot only updates plugins whose homepage is under the
    // releasing repository, and downloads the assets from its releases.
    let cargo =
        fs::read_to_string(support::workspace().join("Cargo.toml")).expect("read Cargo.toml");
    let repository = cargo
        .lines()
        .find_map(|l| l.strip_prefix("repository = \""))
        .and_then(|l| l.strip_suffix('"'))
        .expect("[workspace.package] repository");
    let plugin = parse_manifest(&manifest_path());
    assert_eq!(
        plugin.spec.homepage.as_deref(),
        Some(repository),
        "homepage is the repository"
    );
    for p in &plugin.spec.platforms {
        assert!(
            p.uri
                .starts_with(&format!("{repository}/releases/download/{}/", tag())),
            "{} is not a release asset of {repository}",
            p.uri
        );
    }

    // A tag that is not the workspace version is refused: the release can
    // never publish archives whose binary reports another version.
    let r = dist(&["manifest", "--placeholder", "--tag", "v9.9.9"]);
    assert_ne!(
        r.code, 0,
        "dist.sh accepted a tag that is not the workspace version"
    );
    assert_contains!(r.stderr, "does not match the workspace version");
}

/// What the release job attaches as uepe.yaml is what krew-release-bot will
/// submit: the template with every archive's real checksum.
#[test]
fn release_manifest_carries_every_archives_checksum() {
    let dir = support::tempdir();
    let mut sums = BTreeMap::new();
    for (os, arch) in PLATFORMS {
        let name = archive_name(&tag(), os, arch);
        let sha = sha256_hex(name.as_bytes());
        fs::write(
            dir.path().join(format!("{name}.sha256")),
            format!("{sha}  {name}\n"),
        )
        .expect("write .sha256");
        sums.insert(name, sha);
    }
    let checksums = dir.path().to_string_lossy().into_owned();
    let r = dist(&["manifest", "--checksums", &checksums]);
    assert_eq!(r.code, 0, "dist.sh manifest --checksums: {}", r.stderr);

    let template = fs::read_to_string(template_path()).expect("read .krew.yaml");
    let by_bot = render_like_the_bot(&template, &tag(), &|url| {
        sums.get(uri_file_name(url)).cloned().unwrap_or_default()
    });
    support::assert_same(
        "the release manifest against the bot's rendering",
        &by_bot,
        &r.stdout,
    );
    let plugin: Plugin = serde_saphyr::from_str(&r.stdout).expect("the release manifest parses");
    assert_no_problems("the release manifest", &our_problems(&plugin));
    if let Some(v) = real::validate(&r.stdout, "uepe.yaml") {
        assert_eq!(
            v.code, 0,
            "validate-krew-manifest, release manifest: {}",
            v.stderr
        );
    }

    // One archive missing: no manifest rather than one without its checksum.
    let missing = archive_name(&tag(), "darwin", "arm64");
    fs::remove_file(dir.path().join(format!("{missing}.sha256"))).expect("remove");
    let r = dist(&["manifest", "--checksums", &checksums]);
    assert_ne!(
        r.code, 0,
        "dist.sh rendered a release manifest without {missing}"
    );
    assert_contains!(r.stderr, &missing);
}

/// The host's platform in krew's names.
#[cfg(unix)]
fn host_platform() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    (os, arch)
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// kubectl with only `bin_dir` and the system directories on PATH and an
/// empty home: nothing from the developer's own plugins or config.
#[cfg(unix)]
fn kubectl(kubectl: &Path, bin_dir: &Path, home: &Path, args: &[&str]) -> support::Run {
    let system = kubectl.parent().expect("kubectl's dir");
    let path = std::env::join_paths([bin_dir, system, Path::new("/usr/bin"), Path::new("/bin")])
        .expect("PATH");
    let mut cmd = Command::new(kubectl);
    cmd.args(args)
        .env_clear()
        .env("PATH", path)
        .env("HOME", home)
        .env("KUBECONFIG", home.join("no-kubeconfig"));
    support::run(cmd)
}

/// Checks a `scripts/dist.sh build` output dir: the archive against its
/// manifest, then installed as krew would and run by the real kubectl.
#[cfg(unix)]
fn check_dist_output(out: &Path, expected_bin: &Path) {
    use std::os::unix::fs::PermissionsExt;

    let manifest = out.join(format!("{PLUGIN}.yaml"));
    let plugin = parse_manifest(&manifest);
    assert_no_problems("the rendered manifest", &our_problems(&plugin));
    assert_eq!(plugin.spec.version, tag());
    let (os, arch) = host_platform();
    assert_eq!(
        plugin.spec.platforms.len(),
        1,
        "the rendered manifest has this machine's platform only"
    );
    let platform = &plugin.spec.platforms[0];
    assert_eq!(os_arch(platform), (os.to_owned(), arch.to_owned()));

    // The archive is the one the release would publish for this platform.
    let archive = PathBuf::from(
        platform
            .uri
            .strip_prefix("file://")
            .unwrap_or_else(|| panic!("uri {} is not the local archive", platform.uri)),
    );
    let name = archive
        .file_name()
        .expect("archive name")
        .to_string_lossy()
        .into_owned();
    assert_eq!(name, archive_name(&tag(), os, arch));
    let committed = parse_manifest(&manifest_path());
    let release = committed
        .spec
        .platforms
        .iter()
        .find(|p| os_arch(p) == (os.to_owned(), arch.to_owned()))
        .expect("the committed manifest has this platform");
    assert_eq!(
        uri_file_name(&release.uri),
        name,
        "same asset name as the release"
    );
    assert_eq!(platform.bin, release.bin);
    assert_eq!(
        format!("{:?}", platform.files),
        format!("{:?}", release.files),
        "same files as the release manifest"
    );

    let bytes = fs::read(&archive).expect("read archive");
    let sha = sha256_hex(&bytes);
    assert_eq!(
        platform.sha256, sha,
        "the manifest's sha256 is the archive's"
    );
    let sum_file = fs::read_to_string(out.join(format!("{name}.sha256"))).expect("read .sha256");
    assert_eq!(
        sum_file,
        format!("{sha}  {name}\n"),
        "the .sha256 file (sha256sum -c format)"
    );

    // The real krew installs it, as a user trying the archive would.
    let root = support::tempdir();
    let Some(krew_root) = real::install(root.path(), &manifest, &archive) else {
        return;
    };
    let install = krew_root
        .join("store")
        .join(PLUGIN)
        .join(&plugin.spec.version);
    let mut entries: Vec<String> = fs::read_dir(&install)
        .expect("read install dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    assert_eq!(
        entries,
        ["LICENSE", "kubectl-uepe", "kubectl_complete-uepe"],
        "krew installed the binary, LICENSE and the completion script"
    );

    let bin = install.join(&platform.bin);
    let meta =
        fs::metadata(&bin).unwrap_or_else(|e| panic!("bin {} after install: {e}", bin.display()));
    assert!(
        meta.is_file() && meta.permissions().mode() & 0o111 != 0,
        "bin is an executable file"
    );
    assert_eq!(
        fs::read(&bin).expect("read bin"),
        fs::read(expected_bin).expect("read built binary")
    );
    let license = entries
        .iter()
        .find(|n| LICENSE_NAMES.contains(&n.to_lowercase().as_str()))
        .expect("a LICENSE file is installed");
    assert_eq!(
        fs::read(install.join(license)).expect("read LICENSE"),
        fs::read(support::workspace().join("LICENSE")).expect("read LICENSE"),
    );
    let completion = install.join("kubectl_complete-uepe");
    assert!(
        fs::metadata(&completion).is_ok_and(|m| m.permissions().mode() & 0o111 != 0),
        "the completion script is installed executable"
    );

    // krew links the bin into $KREW_ROOT/bin, the directory users put on PATH.
    let bin_dir = krew_root.join("bin");
    let link = bin_dir.join("kubectl-uepe");
    assert!(
        fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink()),
        "krew linked {}",
        link.display()
    );

    let Some(kubectl_bin) = peers::require("kubectl", "kubectl 1.26 or later on PATH") else {
        return;
    };
    let home = root.path().join("home");
    fs::create_dir_all(&home).expect("mkdir home");
    let r = kubectl(&kubectl_bin, &bin_dir, &home, &["plugin", "list"]);
    assert_eq!(r.code, 0, "kubectl plugin list: {}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.lines().any(|l| l.trim() == link.to_string_lossy()),
        "kubectl plugin list does not list {}:\n{}",
        link.display(),
        r.stdout
    );
    let r = kubectl(&kubectl_bin, &bin_dir, &home, &["uepe", "version"]);
    assert_eq!(r.code, 0, "kubectl uepe version: {}", r.stderr);
    support::assert_same(
        "kubectl uepe version",
        &support::ok(&["version"]),
        &r.stdout,
    );
    assert!(
        r.stdout
            .starts_with(&format!("kubectl-uepe {}\n", env!("CARGO_PKG_VERSION")))
    );

    // Completion, set up as the script's own comment tells krew users to:
    // copied next to the linked binary.
    fs::copy(&completion, bin_dir.join("kubectl_complete-uepe")).expect("copy completion script");
    let complete = |words: &[&str]| {
        let mut args = vec!["__complete", "uepe"];
        args.extend_from_slice(words);
        let r = kubectl(&kubectl_bin, &bin_dir, &home, &args);
        assert_eq!(r.code, 0, "kubectl __complete uepe {words:?}: {}", r.stderr);
        r.stdout.lines().map(str::to_owned).collect::<Vec<_>>()
    };
    let lines = complete(&["ver"]);
    assert_eq!(lines, ["version", ":4"], "kubectl uepe ver<TAB>");
    let lines = complete(&["cronjob", ""]);
    assert!(
        lines.contains(&"install".to_owned()),
        "kubectl uepe cronjob <TAB>: {lines:?}"
    );
    assert_eq!(lines.last().map(String::as_str), Some(":4"));
    let lines = complete(&["cronjob", "install", "--ru"]);
    assert_eq!(
        lines,
        ["--runner", ":4"],
        "kubectl uepe cronjob install --ru<TAB>"
    );
    // A value nothing can list offers no file names either (issue 11);
    // a file's is left to the shell's own file completion.
    let lines = complete(&["cronjob", "install", "--schedule", ""]);
    assert_eq!(
        lines,
        [":4"],
        "kubectl uepe cronjob install --schedule <TAB>"
    );
    let lines = complete(&["doctor", "--kubeconfig", ""]);
    assert_eq!(lines, [":0"], "kubectl uepe doctor --kubeconfig <TAB>");
}

/// The real dist command, packing the binary cargo built for these tests.
#[cfg(unix)]
#[test]
fn archive_built_here_installs_and_runs_under_kubectl() {
    let out = support::tempdir();
    let bin = support::bin();
    let r = dist(&[
        "build",
        "--bin",
        &bin.to_string_lossy(),
        "--out",
        &out.path().to_string_lossy(),
    ]);
    assert_eq!(r.code, 0, "dist.sh build --bin: {}{}", r.stdout, r.stderr);
    check_dist_output(out.path(), &bin);
}

/// The same with the release build dist.sh runs by itself (LTO, one codegen
/// unit), as the release workflow runs it: minutes on a cold machine, but
/// the one test of the path releases take, so CI runs it too.
#[cfg(unix)]
#[test]
fn release_archive_installs_and_runs_under_kubectl() {
    let out = support::tempdir();
    let r = dist(&["build", "--out", &out.path().to_string_lossy()]);
    assert_eq!(r.code, 0, "dist.sh build: {}{}", r.stdout, r.stderr);
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| support::workspace().join("target"), PathBuf::from);
    check_dist_output(out.path(), &target_dir.join("release/kubectl-uepe"));
}

fn workflow() -> Value {
    let path = support::workspace().join(".github/workflows/release.yml");
    let text = fs::read_to_string(&path).expect("read release.yml");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("release.yml does not parse: {e}"))
}

fn steps(job: &Value) -> &[Value] {
    job["steps"].as_array().map_or(&[], Vec::as_slice)
}

fn step_using<'a>(job: &'a Value, action: &str) -> Option<&'a Value> {
    steps(job).iter().find(|s| {
        s["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with(&format!("{action}@")))
    })
}

fn runs(job: &Value) -> String {
    steps(job)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn release_workflow_builds_every_platform_of_the_manifest() {
    let wf = workflow();
    let tags = &wf["on"]["push"]["tags"];
    assert!(
        tags.as_array().is_some_and(|t| t.iter().any(|t| t == "v*")),
        "runs on v* tags: {tags}"
    );

    let build = &wf["jobs"]["build"];
    let include = build["strategy"]["matrix"]["include"]
        .as_array()
        .expect("build.strategy.matrix.include");
    let mut built = BTreeSet::new();
    for entry in include {
        let field = |k: &str| {
            entry[k]
                .as_str()
                .unwrap_or_else(|| panic!("matrix entry {entry} has no {k}"))
                .to_owned()
        };
        let (os, arch, target) = (field("os"), field("arch"), field("target"));
        let r = dist(&["platform", &target]);
        assert_eq!(
            r.stdout.trim(),
            format!("{os}/{arch}"),
            "dist.sh names the archive of {target} after the matrix entry's os/arch"
        );
        if os == "linux" {
            assert!(
                target.ends_with("-linux-musl"),
                "{target}: Linux builds are static musl"
            );
        }
        assert!(
            built.insert((os, arch)),
            "matrix entry {entry} is there twice"
        );
    }
    let manifest: BTreeSet<(String, String)> = parse_manifest(&manifest_path())
        .spec
        .platforms
        .iter()
        .map(os_arch)
        .collect();
    assert_eq!(
        built, manifest,
        "the workflow builds exactly the manifest's platforms"
    );

    let script = runs(build);
    assert_contains!(
        script,
        r#"scripts/dist.sh build --target "${{ matrix.target }}" --tag "$GITHUB_REF_NAME""#,
        "the build job runs the one build command for its target and tag"
    );
    let upload =
        step_using(build, "actions/upload-artifact").expect("the build job uploads its archive");
    let paths = upload["with"]["path"].as_str().unwrap_or_default();
    for ext in [".tar.gz", ".zip", ".sha256"] {
        assert!(paths.contains(ext), "the upload misses {ext}: {paths}");
    }

    let release = &wf["jobs"]["release"];
    let script = runs(release);
    assert_contains!(script, "scripts/dist.sh manifest --checksums dist");
    assert_contains!(script, "gh release", "the release job publishes the assets");
    let bot = step_using(release, "rajatjindal/krew-release-bot")
        .expect("the release job runs krew-release-bot");
    let template = bot["with"]["krew_template_file"]
        .as_str()
        .expect("krew_template_file");
    assert_eq!(template, "krew-manifest/.krew.yaml");
    assert!(support::workspace().join(template).is_file());
    let needs: Vec<&str> = release["needs"]
        .as_array()
        .map(|n| n.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        needs.contains(&"build") && needs.contains(&"image"),
        "the release waits for the archives and the image: {needs:?}"
    );

    let image = &wf["jobs"]["image"];
    let push =
        step_using(image, "docker/build-push-action").expect("the image job builds with buildx");
    assert_eq!(push["with"]["file"], "plugin/Containerfile");
    assert_eq!(push["with"]["platforms"], "linux/amd64,linux/arm64");
    assert_eq!(push["with"]["push"], true);
    let context = push["with"]["context"].as_str().expect("build context");
    let script = runs(image);
    assert_contains!(script, "ghcr.io/", "the image goes to ghcr.io");
    // The Containerfile copies ${TARGETOS}/${TARGETARCH}/kubectl-uepe.
    assert_contains!(
        script,
        &format!("{context}/linux/$arch"),
        "the context is laid out as <os>/<arch>/kubectl-uepe"
    );
}

/// The Containerfile's instructions, continuation lines joined, comments
/// (and the syntax directive) dropped.
fn containerfile() -> Vec<(String, String)> {
    let text = fs::read_to_string(support::workspace().join("plugin/Containerfile"))
        .expect("read Containerfile");
    let mut out = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && pending.is_empty()) {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            pending.push_str(head);
            pending.push(' ');
            continue;
        }
        pending.push_str(t);
        let (word, rest) = pending
            .split_once(char::is_whitespace)
            .unwrap_or((&pending, ""));
        out.push((word.to_uppercase(), rest.trim().to_owned()));
        pending.clear();
    }
    out
}

#[test]
fn runner_image_runs_what_the_cronjob_runs() {
    let instructions = containerfile();
    let all = |word: &str| {
        instructions
            .iter()
            .filter(|(w, _)| w == word)
            .map(|(_, a)| a.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        all("FROM"),
        ["gcr.io/distroless/static-debian12:nonroot"],
        "one stage, on distroless static nonroot"
    );

    let user = all("USER").pop().expect("USER");
    let (uid, gid) = user.split_once(':').expect("USER uid:gid");
    let (uid, gid): (u32, u32) = (
        uid.parse().expect("numeric uid"),
        gid.parse().expect("numeric gid"),
    );
    assert_ne!(uid, 0, "runs as a non-root user");

    let copy = all("COPY")
        .into_iter()
        .find(|a| a.ends_with(" /usr/local/bin/kubectl-uepe"))
        .expect("COPY ... /usr/local/bin/kubectl-uepe");
    let words: Vec<&str> = copy.split_whitespace().collect();
    assert_eq!(
        words[words.len() - 2],
        "${TARGETOS}/${TARGETARCH}/kubectl-uepe",
        "{copy}"
    );
    let mode = words
        .iter()
        .find_map(|w| w.strip_prefix("--chmod="))
        .map(|m| u32::from_str_radix(m, 8).expect("octal --chmod"))
        .expect("COPY --chmod");
    assert!(
        mode & 0o001 != 0,
        "the binary is executable by a user who neither owns it nor is in its group"
    );
    assert!(mode & 0o002 == 0, "and not writable by that user");

    let path_dirs: Vec<String> = all("ENV")
        .iter()
        .filter_map(|a| a.strip_prefix("PATH="))
        .flat_map(|p| p.split(':').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    let entrypoint: Vec<String> =
        serde_json::from_str(&all("ENTRYPOINT").pop().expect("ENTRYPOINT"))
            .expect("ENTRYPOINT in exec form");

    let json = support::ok(&[
        "cronjob",
        "install",
        "--runner",
        "plugin",
        "--image",
        &format!("ghcr.io/kubectl-uepe/kubectl-uepe:{}", tag()),
        "--role-arn",
        "arn:aws:iam::123456789012:role/ecr-reader",
        "--dry-run=client",
        "-o",
        "json",
    ]);
    let list: Value = serde_json::from_str(&json).expect("cronjob install -o json");
    let cronjob = list["items"]
        .as_array()
        .and_then(|items| items.iter().find(|o| o["kind"] == "CronJob"))
        .expect("a CronJob");
    let pod = &cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    let command: Vec<String> =
        serde_json::from_value(container["command"].clone()).expect("command");
    assert_eq!(
        command, entrypoint,
        "the CronJob's command is the image's entrypoint"
    );
    assert_eq!(
        container["args"].as_array().map(|a| &a[..2]),
        Some(&[Value::from("secret"), Value::from("refresh")][..]),
        "the runner runs `secret refresh`"
    );
    let installed = Path::new("/usr/local/bin").join(&command[0]);
    let found = path_dirs
        .iter()
        .map(|d| Path::new(d).join(&command[0]))
        .find(|p| p == &installed);
    assert!(
        found.is_some() && path_dirs.first().map(String::as_str) == Some("/usr/local/bin"),
        "{} resolves through the image's PATH {path_dirs:?} to {}",
        command[0],
        installed.display()
    );
    assert_eq!(
        pod["securityContext"]["runAsUser"], uid,
        "the pod's user is the image's"
    );
    assert_eq!(
        pod["securityContext"]["runAsGroup"], gid,
        "the pod's group is the image's"
    );
}
