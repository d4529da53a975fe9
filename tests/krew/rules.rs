//! What krew leaves to us. The real `validate-krew-manifest` (krew-index's
//! CI check, built from `sigs.k8s.io/krew`) checks the manifest's structure,
//! versions, checksums, names and selectors, and the real `krew install`
//! unpacks and lays out the archive (`real.rs`); this file keeps only the
//! rules neither applies without downloading every platform's archive:
//! issue 7's 50-character short description, krew-index's line lengths,
//! `.tar.gz`/`.zip` archives, a Windows `bin` ending in `.exe`, and `files`
//! that install the `bin` and a LICENSE on every platform.

// A test that cannot read its own fixture has failed; `expect` says where.
#![allow(clippy::expect_used)]

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

const SHORT_DESCRIPTION_MAX: usize = 50;
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
/// A krew `Plugin` manifest. Unknown fields are errors: krew would ignore a
/// misspelt `shortDescripton` and the index would show none. Fields that
/// only real krew checks are parsed (so they are known) but not read here.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct Plugin {
    #[expect(dead_code, reason = "checked by the real validate-krew-manifest")]
    pub(super) api_version: String,
    #[expect(dead_code, reason = "checked by the real validate-krew-manifest")]
    pub(super) kind: String,
    #[expect(dead_code, reason = "checked by the real validate-krew-manifest")]
    pub(super) metadata: Metadata,
    pub(super) spec: Spec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Metadata {
    #[expect(dead_code, reason = "checked by the real validate-krew-manifest")]
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
    #[expect(dead_code, reason = "checked by the real validate-krew-manifest")]
    pub(super) match_expressions: Option<Vec<Value>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileOperation {
    pub(super) from: String,
    pub(super) to: String,
}

impl Platform {
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

/// Lines longer than `max` that krew warns about (one long word is fine).
fn long_lines(text: &str, max: usize) -> Vec<String> {
    text.lines()
        .filter(|l| l.chars().count() > max && l.trim().contains(' '))
        .map(str::to_owned)
        .collect()
}

/// Everything that issue 7 or krew-index would reject and that neither real
/// krew tool checks here, one readable line each.
pub(super) fn our_problems(p: &Plugin) -> Vec<String> {
    let mut bad = Vec::new();
    let short = &p.spec.short_description;
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
    for (i, pl) in p.spec.platforms.iter().enumerate() {
        let at = format!("platforms[{i}]");
        if !(pl.uri.ends_with(".tar.gz") || pl.uri.ends_with(".zip")) {
            bad.push(format!(
                "{at}: uri {} is neither .tar.gz nor .zip (krew unpacks nothing else)",
                pl.uri
            ));
        }
        let os = pl
            .selector
            .as_ref()
            .and_then(|s| s.match_labels.as_ref())
            .and_then(|l| l.get("os"));
        if os.is_some_and(|os| os == "windows") && !pl.bin.ends_with(".exe") {
            bad.push(format!("{at}: Windows bin {:?} must end in .exe", pl.bin));
        }
        if let Some(files) = &pl.files {
            for f in files {
                if !is_clean_path(&f.to) {
                    bad.push(format!("{at}: files to {:?} is not a clean path", f.to));
                }
            }
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
