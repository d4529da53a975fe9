//! The plugin's error: each variant names the step that failed; `main` turns
//! it into `error: ...` lines on stderr and a non-zero exit.

use crate::core::CoreError;

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The core rejected an input or failed to run.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// Getting the ECR password failed (boxed: the variants carry several strings).
    #[error(transparent)]
    Aws(Box<crate::aws::AwsError>),
    /// A call to the Kubernetes API failed.
    #[error(transparent)]
    Cluster(Box<crate::cluster::ClusterError>),
    /// Some objects were applied and some not; each failure was printed.
    #[error("{0}")]
    Partial(String),
    /// A check or status found a problem, already printed.
    #[error("{0}")]
    Failed(String),
    /// A flag combination the command cannot act on.
    #[error("{0}")]
    Usage(String),
    /// Mirroring images failed.
    #[error(transparent)]
    Mirror(Box<crate::registry::Error>),
    /// Reading standard input or writing output failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being read or written.
        context: &'static str,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

impl From<crate::aws::AwsError> for Error {
    fn from(e: crate::aws::AwsError) -> Self {
        Error::Aws(Box::new(e))
    }
}

impl From<crate::cluster::ClusterError> for Error {
    fn from(e: crate::cluster::ClusterError) -> Self {
        Error::Cluster(Box::new(e))
    }
}

impl From<crate::registry::Error> for Error {
    fn from(e: crate::registry::Error) -> Self {
        Error::Mirror(Box::new(e))
    }
}

impl Error {
    /// The lines printed after `error: `.
    pub fn lines(&self) -> Vec<String> {
        self.to_string().lines().map(str::to_owned).collect()
    }

    /// True when stdout was closed under us (`kubectl uepe images | head`):
    /// not a failure, as ripgrep treats it.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Wraps a write error.
pub fn write_err(source: std::io::Error) -> Error {
    Error::Io {
        context: "writing output",
        source,
    }
}

/// An error and its causes on one line (kept here for the edge's callers;
/// the I/O layers use [`crate::causes`] directly, which sits below them).
pub use crate::causes::chain;
