//! The plugin's layers, checked: commands (`cmd/`, `cli`) over the I/O
//! layers (`aws/`, `registry/`, `cluster/`) over the leaves (`retry`,
//! `causes`, `docker_config`); only the edge (`error.rs`) gathers the layers'
//! errors. A module importing one above it would close an import circle
//! (as `aws/` returning the top-level error once did), so this reads the
//! sources and refuses any such `crate::` path. Two things are not imports
//! of a layer: the core's generated types (`crate::core::types`, plain data
//! such as a platform choice), and a module's own tests, which may build
//! their inputs with any layer.

use std::path::{Path, PathBuf};

/// Each layer and the top-level modules it must not name.
const RULES: [(&str, &[&str]); 6] = [
    (
        "aws",
        &["error", "cmd", "cli", "core", "registry", "cluster"],
    ),
    ("registry", &["error", "cmd", "cli", "core", "cluster"]),
    (
        "cluster",
        &["error", "cmd", "cli", "core", "aws", "registry"],
    ),
    (
        "retry.rs",
        &["error", "cmd", "cli", "core", "aws", "registry", "cluster"],
    ),
    (
        "causes.rs",
        &[
            "error", "cmd", "cli", "core", "aws", "registry", "cluster", "retry",
        ],
    ),
    (
        "docker_config.rs",
        &["error", "cmd", "cli", "core", "aws", "registry", "cluster"],
    ),
];

fn sources(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(path).into_iter().flatten().flatten() {
        found.extend(sources(&entry.path()));
    }
    found
}

#[test]
fn no_layer_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (layer, forbidden) in RULES {
        let files = sources(&src.join(layer));
        assert!(!files.is_empty(), "no sources for {layer}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            let text = text
                .split_once("\n#[cfg(test)]")
                .map_or(text.as_str(), |(code, _)| code)
                .replace("crate::core::types", "the core's types");
            for module in forbidden {
                for needle in [format!("crate::{module}::"), format!("crate::{module};")] {
                    if text.contains(&needle) {
                        wrong.push(format!("{} names {needle}", file.display()));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
