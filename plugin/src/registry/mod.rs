//! `kubectl uepe mirror`'s copier: registry to registry over the
//! distribution API with reqwest, every architecture of an image index (or
//! the chosen ones), raw manifest bytes so digests are preserved, blobs
//! streamed and verified, never held whole. The pure parts — digests
//! (`digest`), manifests and matching index entries against the platforms
//! the core chose (`manifest`, `platform`), challenges and scopes (`auth`),
//! the plan (`plan`) — are apart from the I/O: the connection and retries
//! (`client`), API calls (`api`), blob uploads (`upload`), the steps of a run
//! (`copy`), ECR repositories (`ecr`), credentials (`credentials`) and the
//! display (`progress`). `cmd/mirror.rs` gathers the inputs (image
//! references, platforms and the ECR repository calls come from the core)
//! into a [`Config`] and calls [`mirror`].

pub mod api;
pub mod auth;
pub mod client;
pub mod copy;
pub mod credentials;
pub mod digest;
pub mod ecr;
mod error;
pub mod manifest;
pub mod plan;
pub mod platform;
pub mod progress;
pub mod upload;

pub use error::Error;

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::aws::Session;
use crate::aws::ecr::EcrRequest;
use auth::Access;
use client::Registry;
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

async fn run(cfg: &Config, out: &mut dyn Write, done: Arc<AtomicUsize>) -> Result<(), Error> {
    let started = Instant::now();
    let http = http_client(cfg.insecure)?;
    let src = Arc::new(
        Registry::connect(
            &cfg.source.host,
            cfg.insecure,
            cfg.source.provider.clone(),
            http.clone(),
        )
        .await?,
    );
    let resolved: Vec<Result<plan::Resolved, Error>> =
        futures_util::StreamExt::collect(futures_util::StreamExt::buffered(
            futures_util::stream::iter(
                cfg.jobs.iter().map(|j| copy::resolve(&src, j, &cfg.filter)),
            ),
            cfg.parallel,
        ))
        .await;
    let mut failures = Vec::new();
    let mut ok = Vec::new();
    for (job, r) in cfg.jobs.iter().zip(resolved) {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => failures.push(format!("{}:{}: {e}", job.component, job.source.tag)),
        }
    }
    // Every image failed to resolve: one error says it best.
    if ok.is_empty() && !failures.is_empty() {
        return Err(Error::CopyImages {
            failures,
            total: cfg.jobs.len(),
        });
    }
    let mut missing_repos = Vec::new();
    if let Some(e) = &cfg.ecr {
        // Only the repositories of images that resolved, each once.
        let repos: Vec<&ecr::RepositoryCalls> = e
            .repositories
            .iter()
            .filter(|calls| ok.iter().any(|r| r.job.dest.repository == calls.name))
            .collect();
        missing_repos =
            ecr::ensure_repositories(&e.session, &e.request, &repos, cfg.dry_run).await?;
    }
    // One registry on both sides: one connection state, and blobs mount.
    let dst = if cfg.dest.host == cfg.source.host {
        src.clone()
    } else {
        Arc::new(
            Registry::connect(
                &cfg.dest.host,
                cfg.insecure,
                cfg.dest.provider.clone(),
                http.clone(),
            )
            .await?,
        )
    };
    let access = if cfg.dry_run {
        Access::Pull
    } else {
        Access::Push
    };
    // A repository that does not exist yet has nothing to ask about.
    let presence = if cfg.dry_run && !missing_repos.is_empty() {
        plan::Presence::default()
    } else {
        copy::inspect(&dst, &ok, access, cfg.parallel).await?
    };
    let plan = Arc::new(plan::build(&ok, &presence));
    if cfg.dry_run {
        plan::render(&plan, out).map_err(io_error)?;
        if !missing_repos.is_empty() {
            let how = if cfg.ecr.as_ref().is_some_and(EcrDestination::creates) {
                "would be created"
            } else {
                "is missing: rerun with --create-repositories"
            };
            writeln!(out, "ECR repository {} {how}.", missing_repos.join(", "))
                .map_err(io_error)?;
        }
        for f in &failures {
            writeln!(out, "cannot copy {f}").map_err(io_error)?;
        }
        return Ok(());
    }
    for img in plan.images.iter().filter(|i| i.rewritten) {
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
    let progress: Arc<Vec<Arc<AtomicU64>>> = Arc::new(
        plan.images
            .iter()
            .map(|_| Arc::new(AtomicU64::new(0)))
            .collect(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut display = progress::Display::new(&plan, out, cfg.tty, progress.clone());
    let exec = copy::execute(plan.clone(), src, dst, cfg.parallel, tx, progress);
    tokio::pin!(exec);
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut running = true;
    while running {
        tokio::select! {
            () = &mut exec => running = false,
            Some(ev) = rx.recv() => {
                display.event(ev).map_err(io_error)?;
                done.store(display.finished, Ordering::Relaxed);
            }
            _ = tick.tick() => display.tick(),
        }
    }
    while let Ok(ev) = rx.try_recv() {
        display.event(ev).map_err(io_error)?;
    }
    done.store(display.finished, Ordering::Relaxed);
    let (out, mut summary, more) = display.finish();
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
