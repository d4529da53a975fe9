//! krew's side of the bargain, written out from its source: the rules its
//! `validation.ValidatePlugin` and krew-index's `validate-krew-manifest`
//! apply to a manifest (plus issue 7's 50-character short description), and
//! how `krew install` unpacks an archive and moves its files into place.

// A test that cannot read its own fixture has failed; `expect` says where.
#![allow(clippy::expect_used)]

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const API_VERSION: &str = "krew.googlecontainertools.github.com/v1alpha2";
const SHORT_DESCRIPTION_MAX: usize = 50;
/// Every <os, arch> krew supports (validate-krew-manifest's `allPlatforms`).
const KREW_PLATFORMS: [(&str, &str); 11] = [
    ("windows", "386"),
    ("windows", "amd64"),
    ("windows", "arm64"),
    ("linux", "386"),
    ("linux", "amd64"),
    ("linux", "arm"),
    ("linux", "arm64"),
    ("linux", "ppc64le"),
    ("darwin", "386"),
    ("darwin", "amd64"),
    ("darwin", "arm64"),
];
/// What validate-krew-manifest accepts as the installed license file.
pub(super) const LICENSE_NAMES: [&str; 8] = [
    "license",
    "license.txt",
    "license.md",
    "licenses",
    "licenses.txt",
    "licenses.md",
    "copying",
    "copying.txt",
];
/// Names krew refuses for a plugin (reserved on Windows).
const WINDOWS_RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A krew `Plugin` manifest. Unknown fields are errors: krew would ignore a
/// misspelt `shortDescripton` and the index would show none.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Plugin {
    pub(super) api_version: String,
    pub(super) kind: String,
    pub(super) metadata: Metadata,
    pub(super) spec: Spec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Metadata {
    pub(super) name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Spec {
    pub(super) version: String,
    pub(super) homepage: Option<String>,
    pub(super) short_description: String,
    #[serde(default)]
    pub(super) description: String,
    #[serde(default)]
    pub(super) caveats: String,
    pub(super) platforms: Vec<Platform>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Platform {
    pub(super) selector: Option<Selector>,
    pub(super) uri: String,
    pub(super) sha256: String,
    pub(super) bin: String,
    pub(super) files: Option<Vec<FileOperation>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Selector {
    pub(super) match_labels: Option<BTreeMap<String, String>>,
    pub(super) match_expressions: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOperation {
    pub(super) from: String,
    pub(super) to: String,
}

impl Platform {
    /// The supported <os, arch> pairs the selector picks.
    pub(super) fn matches(&self) -> Vec<(&'static str, &'static str)> {
        KREW_PLATFORMS
            .into_iter()
            .filter(|&(os, arch)| selector_matches(self.selector.as_ref(), os, arch))
            .collect()
    }

    /// krew's default when `files` is absent: everything, to the root.
    pub(super) fn file_operations(&self) -> Vec<FileOperation> {
        self.files.clone().unwrap_or_else(|| {
            vec![FileOperation {
                from: "*".into(),
                to: ".".into(),
            }]
        })
    }
}

/// Whether a selector picks os/arch (matchLabels only: these manifests use
/// nothing else, and `krew_problems` flags matchExpressions as unchecked).
fn selector_matches(selector: Option<&Selector>, os: &str, arch: &str) -> bool {
    let Some(labels) = selector.and_then(|s| s.match_labels.as_ref()) else {
        return false;
    };
    !labels.is_empty()
        && labels.iter().all(|(k, v)| match k.as_str() {
            "os" => v == os,
            "arch" => v == arch,
            _ => false,
        })
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `v` + semantic version, as krew's semver.Parse wants it.
fn is_v_semver(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let (core, build) = rest.split_once('+').unwrap_or((rest, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let numbers: Vec<&str> = core.split('.').collect();
    let ident_ok = |part: &str| {
        part.split('.')
            .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    numbers.len() == 3
        && numbers.iter().all(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (*n == "0" || !n.starts_with('0'))
        })
        && (pre.is_empty() || ident_ok(pre))
        && (build.is_empty() || ident_ok(build))
        && !rest.ends_with(['-', '+'])
}

/// Lines longer than `max` that krew warns about (one long word is fine).
fn long_lines(text: &str, max: usize) -> Vec<String> {
    text.lines()
        .filter(|l| l.chars().count() > max && l.trim().contains(' '))
        .map(str::to_owned)
        .collect()
}

/// Everything krew (and krew-index's CI, and issue 7) would reject in the
/// manifest stored as `file_name`, one readable line each.
pub(super) fn krew_problems(file_name: &str, p: &Plugin) -> Vec<String> {
    let mut bad = Vec::new();
    let name = match file_name.strip_suffix(".yaml") {
        Some(n) => n,
        None => {
            bad.push(format!("manifest file {file_name} must end in .yaml"));
            file_name
        }
    };
    if p.api_version != API_VERSION {
        bad.push(format!("apiVersion {} is not {API_VERSION}", p.api_version));
    }
    if p.kind != "Plugin" {
        bad.push(format!("kind {} is not Plugin", p.kind));
    }
    let safe = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && !WINDOWS_RESERVED
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name));
    if !safe {
        bad.push(format!("plugin name {name:?} is not allowed"));
    }
    if p.metadata.name != name {
        bad.push(format!(
            "plugin in {file_name} should be named {name:?}, not {:?}",
            p.metadata.name
        ));
    }
    let short = &p.spec.short_description;
    if short.is_empty() {
        bad.push("shortDescription is empty".into());
    }
    if short.contains(['\r', '\n']) {
        bad.push("shortDescription has a line break".into());
    }
    if short.chars().count() > SHORT_DESCRIPTION_MAX {
        bad.push(format!(
            "shortDescription is {} characters, more than {SHORT_DESCRIPTION_MAX}: {short:?}",
            short.chars().count()
        ));
    }
    for line in long_lines(&p.spec.description, 80) {
        bad.push(format!("description line over 80 characters: {line:?}"));
    }
    for line in long_lines(&p.spec.caveats, 80) {
        bad.push(format!("caveats line over 80 characters: {line:?}"));
    }
    if !is_v_semver(&p.spec.version) {
        bad.push(format!(
            "version {:?} is not v-prefixed semver",
            p.spec.version
        ));
    }
    if p.spec.platforms.is_empty() {
        bad.push("no platforms".into());
    }
    for (i, pl) in p.spec.platforms.iter().enumerate() {
        let at = format!("platforms[{i}]");
        if !(pl.uri.ends_with(".tar.gz") || pl.uri.ends_with(".zip")) {
            bad.push(format!(
                "{at}: uri {} is neither .tar.gz nor .zip (krew unpacks nothing else)",
                pl.uri
            ));
        }
        if !is_sha256(&pl.sha256) {
            bad.push(format!(
                "{at}: sha256 {:?} is not 64 lowercase hex digits",
                pl.sha256
            ));
        }
        if pl.bin.is_empty() {
            bad.push(format!("{at}: bin is empty"));
        }
        if let Some(files) = &pl.files {
            if files.is_empty() {
                bad.push(format!("{at}: files is present but empty"));
            }
            for f in files {
                if f.from.is_empty() || f.to.is_empty() {
                    bad.push(format!("{at}: files entry {f:?} needs from and to"));
                }
                if !is_clean_path(&f.to) {
                    bad.push(format!("{at}: files to {:?} is not a clean path", f.to));
                }
            }
        }
        match &pl.selector {
            None => bad.push(format!("{at}: no selector")),
            Some(sel) => {
                let labels = sel.match_labels.as_ref();
                let exprs = sel.match_expressions.as_ref();
                if labels.is_none() && exprs.is_none_or(Vec::is_empty) {
                    bad.push(format!("{at}: empty selector"));
                }
                for key in labels.into_iter().flat_map(BTreeMap::keys) {
                    if key != "os" && key != "arch" {
                        bad.push(format!("{at}: selector key {key:?} is not os or arch"));
                    }
                }
                if labels.is_some_and(BTreeMap::is_empty) {
                    bad.push(format!("{at}: matchLabels present but empty"));
                }
                if exprs.is_some() {
                    bad.push(format!(
                        "{at}: matchExpressions are not evaluated by this check; use matchLabels"
                    ));
                }
            }
        }
        let matched = pl.matches();
        if matched.is_empty() {
            bad.push(format!("{at}: selector matches no platform krew supports"));
        }
        if matched.iter().any(|(os, _)| *os == "windows") && !pl.bin.ends_with(".exe") {
            bad.push(format!("{at}: Windows bin {:?} must end in .exe", pl.bin));
        }
        let ops = pl.file_operations();
        let installs = |file: &str| ops.iter().any(|op| op.from == "*" || op.from == file);
        if !LICENSE_NAMES.iter().any(|l| {
            ops.iter()
                .any(|op| op.from == "*" || op.from.eq_ignore_ascii_case(l))
        }) {
            bad.push(format!("{at}: files install no LICENSE"));
        }
        if !installs(&pl.bin) {
            bad.push(format!("{at}: files do not install bin {}", pl.bin));
        }
    }
    for (os, arch) in KREW_PLATFORMS {
        let hits: Vec<usize> = (0..p.spec.platforms.len())
            .filter(|&i| selector_matches(p.spec.platforms[i].selector.as_ref(), os, arch))
            .collect();
        if hits.len() > 1 {
            bad.push(format!(
                "platforms {hits:?} have overlapping selectors that select {os}/{arch}"
            ));
        }
    }
    bad
}

/// Go's filepath.Clean would leave it as it is.
fn is_clean_path(p: &str) -> bool {
    p == "."
        || (!p.is_empty()
            && !p.ends_with('/')
            && p.split('/')
                .enumerate()
                .all(|(i, part)| part != "." && !(part.is_empty() && i > 0) && part != ".."))
}

#[track_caller]
pub(super) fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what} breaks krew's rules:\n  - {}",
        problems.join("\n  - ")
    );
}

/// Unpacks a .tar.gz as krew does (`download.extractTARGZ`): regular files
/// with the archive's mode, directories, nothing else, nothing outside `dir`.
#[cfg(unix)]
pub(super) fn krew_untar(archive: &Path, dir: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let file = fs::File::open(archive).expect("open archive");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut names = Vec::new();
    for entry in tar.entries().expect("read tar") {
        let mut entry = entry.expect("tar entry");
        let name = entry
            .path()
            .expect("entry path")
            .to_string_lossy()
            .into_owned();
        assert!(
            !name.starts_with('/') && !name.split('/').any(|p| p == ".."),
            "archive entry {name} leaves the extraction dir"
        );
        let path = dir.join(&name);
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            fs::create_dir_all(&path).expect("mkdir");
        } else if kind.is_file() {
            let mode = entry.header().mode().expect("mode");
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            let mut out = fs::File::create(&path).expect("create");
            std::io::copy(&mut entry, &mut out).expect("write");
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).expect("chmod");
        } else {
            panic!("archive entry {name} is a {kind:?}: krew unpacks files and directories only");
        }
        names.push(name);
    }
    names
}

/// Applies a platform's `files` as krew's `moveFiles` does: `from` naming a
/// file moves it to `to` (its own name when `to` is "."), `*` moves
/// everything at the root.
#[cfg(unix)]
pub(super) fn krew_move(from_dir: &Path, to_dir: &Path, ops: &[FileOperation]) {
    fs::create_dir_all(to_dir).expect("mkdir install dir");
    for op in ops {
        let sources: Vec<PathBuf> = if op.from == "*" {
            fs::read_dir(from_dir)
                .expect("read staging dir")
                .map(|e| e.expect("entry").path())
                .collect()
        } else {
            assert!(
                !op.from.contains(['*', '?', '[']),
                "this check moves single files or `*` only, not {}",
                op.from
            );
            let src = from_dir.join(&op.from);
            assert!(src.is_file(), "files: {} is not in the archive", op.from);
            vec![src]
        };
        for src in sources {
            let dest = if op.to == "." || op.from == "*" {
                to_dir
                    .join(&op.to)
                    .join(src.file_name().expect("file name"))
            } else {
                to_dir.join(&op.to)
            };
            fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            fs::rename(&src, &dest).expect("move");
        }
    }
}
