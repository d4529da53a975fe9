//! The first half of a mirror run, before any blob moves: connect to the
//! source, read every image's manifests (`copy::resolve`), make sure an ECR
//! destination has its repositories (`ecr`), connect to the destination,
//! ask what it already holds (`copy::inspect`) and build the plan. Also the
//! `--dry-run` report of that plan. The copy itself is `transfer.rs`.

use std::io::Write;
use std::sync::Arc;

use super::auth::Access;
use super::client::Registry;
use super::{Config, EcrDestination, Error, copy, ecr, plan};

/// What a run found out before copying.
pub struct Prepared {
    /// The source registry.
    pub src: Arc<Registry>,
    /// The destination registry (the source's connection when one host).
    pub dst: Arc<Registry>,
    /// What to copy.
    pub plan: Arc<plan::Plan>,
    /// `IMAGE: reason` of the images that could not be resolved.
    pub failures: Vec<String>,
    /// ECR repositories the destination lacks (with `--dry-run`, or created).
    pub missing_repos: Vec<String>,
}

/// Connects, resolves, checks the destination and plans.
pub async fn prepare(cfg: &Config, http: &reqwest::Client) -> Result<Prepared, Error> {
    let connect = |side: &super::Side| {
        let (host, provider) = (side.host.clone(), side.provider.clone());
        async move { Registry::connect(&host, cfg.insecure, provider, http.clone()).await }
    };
    let src = Arc::new(connect(&cfg.source).await?);
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
        Arc::new(connect(&cfg.dest).await?)
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
    Ok(Prepared {
        src,
        dst,
        plan,
        failures,
        missing_repos,
    })
}

/// `--dry-run`: the plan, the repositories ECR lacks, the images that
/// cannot be copied.
pub fn report(cfg: &Config, p: &Prepared, out: &mut dyn Write) -> std::io::Result<()> {
    plan::render(&p.plan, out)?;
    if !p.missing_repos.is_empty() {
        let how = if cfg.ecr.as_ref().is_some_and(EcrDestination::creates) {
            "would be created"
        } else {
            "is missing: rerun with --create-repositories"
        };
        writeln!(out, "ECR repository {} {how}.", p.missing_repos.join(", "))?;
    }
    for f in &p.failures {
        writeln!(out, "cannot copy {f}")?;
    }
    Ok(())
}
