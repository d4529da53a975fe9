//! `kubectl uepe mirror`'s copier: registry to registry over the
//! distribution API with reqwest, every architecture of an image index (or
//! the chosen ones), raw manifest bytes so digests are preserved, blobs
//! streamed and verified, never held whole. The pure parts — digests
//! (`digest`), manifests and matching index entries against the platforms
//! the core chose (`manifest`, `platform`), hosts and schemes (`endpoint`),
//! challenges and scopes (`auth`), the plan (`plan`) — are apart from the
//! I/O: the connection (`client`, with `authorizer`; retries go through
//! `crate::retry`), API calls (`api`), blob uploads (`upload`), the steps of
//! a run (`copy`), ECR repositories (`ecr`, calling `crate::aws`),
//! credentials (`credentials`) and the display (`progress`). A run is
//! [`mirror`]: `prepare` (connect, resolve, plan), then `transfer` (copy
//! with progress). `cmd/mirror.rs` gathers the inputs (image references,
//! platforms and the ECR repository calls come from the core) into a
//! [`Config`]. Errors are this module's [`Error`]; nothing above is imported.

pub mod api;
pub mod auth;
pub mod authorizer;
pub mod client;
pub mod copy;
pub mod credentials;
pub mod digest;
pub mod ecr;
pub mod endpoint;
mod error;
pub mod manifest;
pub mod plan;
pub mod platform;
pub mod prepare;
pub mod progress;
pub mod transfer;
pub mod upload;

pub use error::Error;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::aws::Session;
use crate::aws::ecr::EcrRequest;
use credentials::Provider;
use plan::Job;
use platform::Filter;

/// One side of the copy.
#[derive(Debug, Clone)]
pub struct Side {
    /// `HOST[:PORT]`.
    pub host: String,
    /// Where its credentials come from.
    pub provider: Provider,
}

/// An ECR destination's repository check.
#[derive(Debug, Clone)]
pub struct EcrDestination {
    /// GetAuthorizationToken as the core rendered it for the destination
    /// host: which registry, and the region to find AWS keys for.
    pub request: EcrRequest,
    /// The run's AWS session.
    pub session: Arc<Session>,
    /// The core's calls for each destination repository.
    pub repositories: Vec<ecr::RepositoryCalls>,
}

impl EcrDestination {
    /// Whether missing repositories are created (`--create-repositories`).
    pub fn creates(&self) -> bool {
        self.repositories.iter().any(|r| r.create.is_some())
    }
}

/// Everything a run needs, resolved from flags, core and environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// The images.
    pub jobs: Vec<Job>,
    /// Source registry.
    pub source: Side,
    /// Destination registry.
    pub dest: Side,
    /// `--platform`.
    pub filter: Filter,
    /// `--jobs`.
    pub parallel: usize,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--insecure`.
    pub insecure: bool,
    /// Set when the destination is ECR.
    pub ecr: Option<EcrDestination>,
    /// Bars on stderr instead of lines.
    pub tty: bool,
}

fn http_client(insecure: bool) -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .user_agent(concat!("kubectl-uepe/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(15))
        .read_timeout(Duration::from_secs(120))
        .pool_idle_timeout(Duration::from_secs(30))
        .http2_adaptive_window(true)
        // `--insecure` means what docker's insecure-registries means:
        // HTTPS without certificate checks, then plain HTTP.
        .danger_accept_invalid_certs(insecure)
        .build()
        .map_err(|e| Error::Connect {
            registry: "(all)".into(),
            cause: format!("cannot set up HTTPS: {}", error::transport(e)),
        })
}

/// Runs a mirror (or, with `dry_run`, prints its plan), writing progress and
/// the summary to `out`. Ctrl-C stops it cleanly: nothing half-written is
/// ever visible, and a rerun finishes the job.
pub async fn mirror(cfg: &Config, out: &mut dyn Write) -> Result<(), Error> {
    let done = Arc::new(AtomicUsize::new(0));
    let total = cfg.jobs.len();
    let run = run(cfg, out, done.clone());
    tokio::select! {
        r = run => r,
        _ = tokio::signal::ctrl_c() => Err(Error::Interrupted {
            done: done.load(Ordering::Relaxed),
            total,
        }),
    }
}

fn io_error(e: std::io::Error) -> Error {
    Error::WriteOutput(e)
}

/// A run: prepare (or only report, with `--dry-run`), then copy and sum up.
async fn run(cfg: &Config, out: &mut dyn Write, done: Arc<AtomicUsize>) -> Result<(), Error> {
    let started = Instant::now();
    let http = http_client(cfg.insecure)?;
    let mut prepared = prepare::prepare(cfg, &http).await?;
    if cfg.dry_run {
        return prepare::report(cfg, &prepared, out).map_err(io_error);
    }
    for img in prepared.plan.images.iter().filter(|i| i.rewritten) {
        writeln!(
            out,
            "{}: only {} copied: a new index {} is pushed for them (the source's is {})",
            img.job.dest,
            img.platforms.join(", "),
            img.top.digest,
            img.source_digest
        )
        .map_err(io_error)?;
    }
    let mut failures = std::mem::take(&mut prepared.failures);
    let (out, mut summary, more) = transfer::transfer(cfg, prepared, out, &done)
        .await
        .map_err(io_error)?;
    failures.extend(more);
    summary.images = cfg.jobs.len();
    summary.failed = failures.len();
    plan::render_summary(&summary, started.elapsed(), out).map_err(io_error)?;
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::CopyImages {
            failures,
            total: cfg.jobs.len(),
        })
    }
}
