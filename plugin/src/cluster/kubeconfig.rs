//! Finding and reading kubeconfig files as kubectl does: `--kubeconfig`
//! (must exist), else every file `KUBECONFIG` lists that exists (merged,
//! first wins), else `~/.kube/config`; nothing found means the caller may
//! try the pod's service account. Each failure names the file: a YAML error
//! as one `FILE:LINE:COLUMN` line, an unknown context with the contexts
//! there are. kube reads and merges each file (`Kubeconfig::read_from`,
//! which also resolves relative certificate paths); this module only adds
//! the order, the names and the messages.

use std::path::{Path, PathBuf};

use kube::config::{Kubeconfig, KubeconfigError};

use super::ClusterError;

/// Which files to read, and why those.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--kubeconfig FILE`.
    Flag(PathBuf),
    /// The non-empty entries of `KUBECONFIG`.
    Env(Vec<PathBuf>),
    /// `~/.kube/config` (`None`: no home directory).
    Home(Option<PathBuf>),
}

impl Source {
    /// kubectl's order: the flag, else `KUBECONFIG`, else the home file.
    pub fn find(flag: Option<&str>) -> Self {
        if let Some(path) = flag {
            return Source::Flag(PathBuf::from(path));
        }
        let listed: Vec<PathBuf> = std::env::var_os("KUBECONFIG")
            .map(|v| {
                std::env::split_paths(&v)
                    .filter(|p| !p.as_os_str().is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if listed.is_empty() {
            Source::Home(std::env::home_dir().map(|h| h.join(".kube").join("config")))
        } else {
            Source::Env(listed)
        }
    }

    /// Where it looked, when no file was there: "FILE does not exist (why)".
    pub fn not_found(&self) -> String {
        match self {
            Source::Flag(p) => format!("{} does not exist (--kubeconfig)", p.display()),
            Source::Env(paths) if paths.len() == 1 => {
                format!("{} does not exist (KUBECONFIG)", paths[0].display())
            }
            Source::Env(paths) => format!(
                "none of the files KUBECONFIG lists exists ({})",
                join(paths)
            ),
            Source::Home(Some(p)) => {
                format!("{} does not exist (KUBECONFIG is not set)", p.display())
            }
            Source::Home(None) => "KUBECONFIG is not set and there is no home directory".into(),
        }
    }
}

/// The merged kubeconfig and the files it came from.
pub struct Loaded {
    /// The merged configuration.
    pub config: Kubeconfig,
    /// The files read, in order.
    pub files: Vec<PathBuf>,
}

impl Loaded {
    /// Checks that the context to use (`--context`, else `current-context`)
    /// is defined, as kubectl does before connecting.
    pub fn check_context(&self, flag: Option<&str>) -> Result<(), ClusterError> {
        let available: Vec<String> = self
            .config
            .contexts
            .iter()
            .map(|c| c.name.clone())
            .collect();
        let name = match flag.or(self.config.current_context.as_deref()) {
            Some(n) if !n.is_empty() => n,
            _ => {
                return Err(ClusterError::NoCurrentContext {
                    files: join(&self.files),
                    available: list(&available),
                });
            }
        };
        if available.iter().any(|c| c == name) {
            Ok(())
        } else {
            Err(ClusterError::ContextNotFound {
                name: name.to_owned(),
                there: format!("contexts in {}: {}", join(&self.files), list(&available)),
            })
        }
    }
}

/// What reading the files gave.
pub enum Found {
    /// A kubeconfig with something in it (boxed: it is large, and read once).
    Config(Box<Loaded>),
    /// Nothing to use; where it looked (the caller may try in-cluster).
    Nothing(String),
}

/// Reads the files `source` names. Missing files are skipped, as kubectl
/// skips them, but `--kubeconfig` must exist; files that define nothing at
/// all (empty) count as none, so a pod with an empty one still gets its
/// service account, as with client-go.
pub fn load(source: &Source) -> Result<Found, ClusterError> {
    let paths: &[PathBuf] = match source {
        Source::Flag(p) => std::slice::from_ref(p),
        Source::Env(paths) => paths,
        Source::Home(Some(p)) => std::slice::from_ref(p),
        Source::Home(None) => &[],
    };
    let mut loaded: Option<Loaded> = None;
    for path in paths {
        let Some(config) = read(path)? else {
            continue;
        };
        loaded = Some(match loaded {
            None => Loaded {
                config,
                files: vec![path.clone()],
            },
            Some(mut l) => {
                l.config = l
                    .config
                    .merge(config)
                    .map_err(|e| ClusterError::Kubeconfig {
                        file: path.display().to_string(),
                        reason: e.to_string(),
                    })?;
                l.files.push(path.clone());
                l
            }
        });
    }
    match (loaded, source) {
        (None, Source::Flag(_)) => Err(ClusterError::KubeconfigMissing(source.not_found())),
        (None, _) => Ok(Found::Nothing(source.not_found())),
        (Some(l), Source::Flag(_)) => Ok(Found::Config(Box::new(l))),
        (Some(l), _) if is_empty(&l.config) => Ok(Found::Nothing(format!(
            "nothing in {} (no cluster, context or current-context)",
            join(&l.files)
        ))),
        (Some(l), _) => Ok(Found::Config(Box::new(l))),
    }
}

fn is_empty(c: &Kubeconfig) -> bool {
    c.clusters.is_empty()
        && c.contexts.is_empty()
        && c.current_context.as_deref().is_none_or(str::is_empty)
}

/// One file; `None` when it does not exist (kubectl skips those).
fn read(path: &Path) -> Result<Option<Kubeconfig>, ClusterError> {
    let file = path.display().to_string();
    match Kubeconfig::read_from(path) {
        Ok(c) => Ok(Some(c)),
        Err(KubeconfigError::ReadConfig(e, _)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(KubeconfigError::ReadConfig(e, _)) => Err(ClusterError::Kubeconfig {
            file,
            reason: e.to_string(),
        }),
        Err(KubeconfigError::Parse(e)) => Err(syntax(file, &e)),
        Err(e) => Err(ClusterError::Kubeconfig {
            file,
            reason: e.to_string(),
        }),
    }
}

/// A YAML error as `FILE:LINE:COLUMN: message`, without the parser's
/// snippet: that repeats the file's lines, which may hold a token.
fn syntax(file: String, e: &serde_saphyr::Error) -> ClusterError {
    use serde_saphyr::MessageFormatter as _;
    let plain = e.without_snippet();
    let message = serde_saphyr::UserMessageFormatter.format_message(plain);
    // One line by contract; a control character would still break it.
    let message: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let at = plain.location().filter(|l| l.line() > 0);
    ClusterError::KubeconfigSyntax {
        at: match at {
            Some(l) => format!("{file}:{}:{}", l.line(), l.column()),
            None => file,
        },
        message,
    }
}

fn join(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}
