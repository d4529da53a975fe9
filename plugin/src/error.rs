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
    /// The core's answer is not what the plugin expects: an internal fault
    /// (the plugin and the embedded core disagree), never the user's input.
    #[error("internal: {0}")]
    CoreAnswer(String),
    /// A flag's value or combination that the plugin itself checks (the
    /// core checks the rest) and cannot act on.
    #[error("{0}")]
    Flags(String),
    /// Reading the password from standard input failed.
    #[error("reading the password from standard input: {0}")]
    Stdin(#[source] std::io::Error),
    /// Writing the output failed (a closed pipe among others).
    #[error("writing output: {0}")]
    Output(#[source] std::io::Error),
    /// The async runtime could not start.
    #[error("starting the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The HTTPS client could not be set up.
    #[error("cannot set up HTTPS: {0}")]
    Https(#[source] reqwest::Error),
    /// Writing docker's config file failed.
    #[error(transparent)]
    DockerConfig(#[from] crate::docker_config::ConfigError),
    /// The container engine could not be run for `login`.
    #[error("running the container engine's login: {0}")]
    EngineStart(#[source] std::io::Error),
    /// The container engine refused the login; `message` is its own stderr
    /// (it never echoes the password, which went to its stdin).
    #[error("`{engine} login {host}` failed ({status}): {message}")]
    EngineRefused {
        /// `docker`, `podman` or `nerdctl`.
        engine: String,
        /// The registry host.
        host: String,
        /// The engine's exit status.
        status: std::process::ExitStatus,
        /// The engine's stderr.
        message: String,
    },
    /// `--service-account` names a ServiceAccount the cluster lacks.
    #[error(
        "serviceaccount {service_account} does not exist in namespace {namespace}: create it or drop --service-account"
    )]
    ServiceAccountMissing {
        /// The ServiceAccount.
        service_account: String,
        /// Where it is missing.
        namespace: String,
    },
    /// `cronjob install` found no long-lived AWS keys to store and no
    /// credentials Secret made by hand.
    #[error(
        "no long-lived AWS keys for the refresher: none in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) or the AWS profile, and no Secret {namespace}/{name} in the cluster; give the keys of a dedicated IAM user (environment or --profile), create the Secret with `{create}`, or use --role-arn"
    )]
    NoRefresherKeys {
        /// Where the credentials Secret was looked for.
        namespace: String,
        /// Its name.
        name: String,
        /// The command line that creates it.
        create: String,
    },
    /// `cronjob run` found no refresher installed.
    #[error("cronjob {namespace}/{name} is not installed: run `{install}` first")]
    NotInstalled {
        /// The CronJob's namespace.
        namespace: String,
        /// The CronJob's name.
        name: String,
        /// The command line that installs it.
        install: String,
    },
    /// `cronjob run` found the `external-secrets` runner, which has no Job.
    #[error(
        "the external-secrets runner has no Job to run: External Secrets Operator renews the pull secret every {interval}; check it with `{doctor}`"
    )]
    NoJobToRun {
        /// The ExternalSecret's refresh interval.
        interval: String,
        /// The command line that checks it.
        doctor: String,
    },
    /// Some objects were applied and some not; each failure was printed.
    #[error("{0}")]
    Partial(String),
    /// A check or status found a problem, already printed.
    #[error("{0}")]
    Failed(String),
    /// Mirroring images failed.
    #[error(transparent)]
    Mirror(Box<crate::registry::Error>),
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
        matches!(self, Error::Output(source) if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Wraps a write error.
pub fn write_err(source: std::io::Error) -> Error {
    Error::Output(source)
}

/// An error and its causes on one line (kept here for the edge's callers;
/// the I/O layers use [`crate::causes`] directly, which sits below them).
pub use crate::causes::chain;
