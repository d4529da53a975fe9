//! Writing a login into docker's `config.json` the way `docker login` would,
//! without docker: the one `auths` entry the core rendered is merged into the
//! file, every other key and entry kept, the file replaced atomically (temp
//! file in the same directory, then rename) with mode 0600. A symlinked
//! config (dotfile managers) stays a link: the file it points to is the one
//! replaced, in its own directory, as docker does. The read-merge-write runs
//! under an advisory lock on `FILE.lock` beside that file, so concurrent
//! logins (CI runners sharing `~/.docker`) lose no entry. A `credsStore`
//! or matching `credHelpers` entry would make docker ignore the new entry,
//! so that is an error rather than a silent no-op; [`helper_for`] also
//! names the helper a lookup runs.

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
        if let Some((helper, key)) = helper_in(&root, host) {
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

/// The credential helper docker runs for `server` in the config `text`
/// (`credHelpers` entry first, else `credsStore`), and which key named it.
/// Pure; `None` when there is none or the text is not a config.
pub fn helper_for(text: &str, server: &str) -> Option<(String, &'static str)> {
    match serde_json::from_str(text) {
        Ok(Value::Object(root)) => helper_in(&root, server),
        _ => None,
    }
}

fn helper_in(root: &Map<String, Value>, server: &str) -> Option<(String, &'static str)> {
    let named = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    named(root.get("credHelpers").and_then(|h| h.get(server)))
        .map(|h| (h, "credHelpers"))
        .or_else(|| named(root.get("credsStore")).map(|h| (h, "credsStore")))
}

/// Reads, merges and atomically replaces the config file.
pub fn write_login(file: &Path, rendered: &str) -> Result<(), ConfigError> {
    update(file, |existing| merge(existing, rendered, file))
}

/// Replaces the file `file` is (through symlinks) with `change` of its text
/// (empty when it does not exist yet): under an exclusive lock on a file
/// beside it, written to a temp file in the same directory and renamed over
/// it, mode 0600. Every file the tool merges into goes through here.
pub fn update(
    file: &Path,
    change: impl FnOnce(&str) -> Result<String, ConfigError>,
) -> Result<(), ConfigError> {
    let io = |source| ConfigError::Io {
        path: file.display().to_string(),
        source,
    };
    let target = follow_links(file).map_err(io)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "config.json".into());
    // Held until this function returns: dropping the file releases it. The
    // lock file itself stays (removing it would let a waiter lock an
    // unlinked inode while a newcomer locks a new one).
    let lock = lock_file(&dir.join(format!("{name}.lock"))).map_err(io)?;
    let existing = match std::fs::read_to_string(&target) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(io(e)),
    };
    let changed = change(&existing)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = private_options().create_new(true).open(&tmp)?;
        f.write_all(changed.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    drop(lock);
    result.map_err(io)
}

/// Write-only, mode 0600 on creation.
fn private_options() -> std::fs::OpenOptions {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts
}

/// Opens (creating) `path` and waits for an exclusive advisory lock on it.
fn lock_file(path: &Path) -> std::io::Result<std::fs::File> {
    let f = private_options().create(true).truncate(false).open(path)?;
    f.lock()?;
    Ok(f)
}

/// The file `path` names once every symlink is followed, also when the last
/// one dangles (the file is then created where it points). Relative link
/// targets are joined to the link's directory unnormalised, so the kernel
/// resolves `..` as it would have.
fn follow_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    // Linux's own limit on links followed in one lookup.
    for _ in 0..40 {
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other(format!(
        "too many levels of symbolic links from {}",
        path.display()
    )))
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
    fn names_the_helper_docker_runs() {
        let config = r#"{"credsStore":"desktop","credHelpers":{"gcr.io":"gcloud","x.io":""}}"#;
        assert_eq!(
            helper_for(config, "gcr.io"),
            Some(("gcloud".into(), "credHelpers"))
        );
        assert_eq!(
            helper_for(config, "x.io"),
            Some(("desktop".into(), "credsStore"))
        );
        assert_eq!(helper_for("{}", "x.io"), None);
        assert_eq!(helper_for("not json", "x.io"), None);
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
