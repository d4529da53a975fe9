//! Writing a login into docker's `config.json` the way `docker login` would,
//! without docker: the one `auths` entry the core rendered is merged into the
//! file, every other key and entry kept, the file replaced atomically (temp
//! file in the same directory, then rename) with mode 0600. A `credsStore`
//! or matching `credHelpers` entry would make docker ignore the new entry,
//! so that is an error rather than a silent no-op.

use serde_json::{Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Why the config could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The existing file is not JSON we can merge into.
    #[error("{path} is not a docker config (JSON object): {reason}; fix or move it and retry")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A credential helper would shadow the entry.
    #[error(
        "{path} sends {host} to the credential helper `{helper}` ({key}), so docker would ignore a plain entry: use `kubectl uepe login --engine docker` (it stores through the helper) or remove that setting"
    )]
    Shadowed {
        /// The file.
        path: String,
        /// Registry host.
        host: String,
        /// Helper name.
        helper: String,
        /// `credsStore` or `credHelpers`.
        key: &'static str,
    },
    /// Reading or writing failed.
    #[error("cannot update {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
pub fn path() -> PathBuf {
    match std::env::var_os("DOCKER_CONFIG").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir).join("config.json"),
        None => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_default();
            home.join(".docker").join("config.json")
        }
    }
}

/// Merges `rendered` (`{"auths":{HOST:{...}}}`) into `existing`. Pure.
pub fn merge(existing: &str, rendered: &str, file: &Path) -> Result<String, ConfigError> {
    let unreadable = |reason: String| ConfigError::Unreadable {
        path: file.display().to_string(),
        reason,
    };
    let mut root: Map<String, Value> = if existing.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str(existing) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(unreadable("the top level is not an object".into())),
            Err(e) => return Err(unreadable(e.to_string())),
        }
    };
    let new: Value =
        serde_json::from_str(rendered).map_err(|e| unreadable(format!("internal: {e}")))?;
    let Some(new_auths) = new.get("auths").and_then(Value::as_object) else {
        return Err(unreadable("internal: rendered entry has no auths".into()));
    };
    for host in new_auths.keys() {
        let helper = root
            .get("credHelpers")
            .and_then(|h| h.get(host))
            .and_then(Value::as_str)
            .map(|h| (h.to_owned(), "credHelpers"))
            .or_else(|| {
                root.get("credsStore")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(|h| (h.to_owned(), "credsStore"))
            });
        if let Some((helper, key)) = helper {
            return Err(ConfigError::Shadowed {
                path: file.display().to_string(),
                host: host.clone(),
                helper,
                key,
            });
        }
    }
    let auths = root
        .entry("auths")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(auths) = auths else {
        return Err(unreadable("`auths` is not an object".into()));
    };
    for (host, entry) in new_auths {
        auths.insert(host.clone(), entry.clone());
    }
    // Docker writes its config with tab indentation.
    let mut out = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut ser = serde_json::Serializer::with_formatter(&mut out, fmt);
    serde::Serialize::serialize(&Value::Object(root), &mut ser)
        .map_err(|e| unreadable(e.to_string()))?;
    out.push(b'\n');
    String::from_utf8(out).map_err(|e| unreadable(e.to_string()))
}

/// Reads, merges and atomically replaces the config file.
pub fn write_login(file: &Path, rendered: &str) -> Result<(), ConfigError> {
    let io = |source| ConfigError::Io {
        path: file.display().to_string(),
        source,
    };
    let existing = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(e)),
    };
    let merged = merge(&existing, rendered, file)?;
    let dir = file.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io)?;
    let tmp = dir.join(format!(".config.json.{}.tmp", std::process::id()));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts.open(&tmp)?;
        f.write_all(merged.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, file)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = r#"{"auths":{"reg.example.com":{"auth":"QVdTOnB3"}}}"#;

    #[test]
    fn keeps_everything_else() {
        let old = r#"{"auths":{"other.io":{"auth":"eDp5"}},"credHelpers":{"gcr.io":"gcloud"},"psFormat":"x"}"#;
        let merged: Value =
            serde_json::from_str(&merge(old, NEW, Path::new("c")).expect("merges")).expect("json");
        assert_eq!(merged["auths"]["other.io"]["auth"], "eDp5");
        assert_eq!(merged["auths"]["reg.example.com"]["auth"], "QVdTOnB3");
        assert_eq!(merged["credHelpers"]["gcr.io"], "gcloud");
        assert_eq!(merged["psFormat"], "x");
    }

    #[test]
    fn refuses_shadowing_helpers() {
        let store = r#"{"credsStore":"desktop"}"#;
        assert!(matches!(
            merge(store, NEW, Path::new("c")),
            Err(ConfigError::Shadowed {
                key: "credsStore",
                ..
            })
        ));
        let helper = r#"{"credHelpers":{"reg.example.com":"ecr-login"}}"#;
        assert!(matches!(
            merge(helper, NEW, Path::new("c")),
            Err(ConfigError::Shadowed {
                key: "credHelpers",
                ..
            })
        ));
        assert!(matches!(
            merge("[1]", NEW, Path::new("c")),
            Err(ConfigError::Unreadable { .. })
        ));
    }
}
