//! `kubectl uepe mirror`: turns the flags into [`registry::Config`]s —
//! every decision from the core: what goes where and validation
//! (`render: mirror-plan`), the platforms to copy
//! (`render: platforms`), whether a host is ECR and its endpoint, and for an
//! ECR destination the DescribeRepositories / CreateRepository calls with a
//! new repository's settings (`render: ecr-request` with an `action`);
//! credentials chosen per side — then runs the copier on its own runtime,
//! once per source registry (the refresher's images each come from their
//! own). `--dry-run` adds the equivalent skopeo and crane commands the core
//! renders.

use serde::Deserialize;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::sync::Arc;

use super::ecr_call;
use crate::aws::ecr::EcrRequest;
use crate::aws::{Session, Target};
use crate::cli::MirrorArgs;
use crate::core::{Core, CoreError};
use crate::error::{Error, write_err};
use crate::registry::credentials::{Provider, docker_config_server};
use crate::registry::ecr::RepositoryCalls;
use crate::registry::plan::{Job, Ref};
use crate::registry::platform::{self, Filter};
use crate::registry::{self, Config, EcrDestination, Side};

/// A core error whose `field` came from the CLI's `flag`.
fn renamed(e: CoreError, field: &str, flag: &str) -> CoreError {
    match e {
        CoreError::Invalid(mut list) => {
            for f in &mut list {
                if f.field == field {
                    f.field = flag.into();
                }
            }
            CoreError::Invalid(list)
        }
        e => e,
    }
}

/// Where an image is, in the core's plan.
#[derive(Deserialize)]
struct Place {
    repository: String,
    tag: String,
}

/// One entry of the core's `mirror-plan` JSON.
#[derive(Deserialize)]
struct Copy {
    component: String,
    source: Place,
    dest: Place,
}

/// What the core says to copy where.
fn plan(core: &Core, a: &MirrorArgs) -> Result<Vec<Job>, Error> {
    let text = core.render(&json!({
        "render": "mirror-plan",
        "version": a.version,
        "from": a.from,
        "to": a.to,
        "components": a.components,
        "aws-cli-image": a.aws_cli_image,
        "kubectl-image": a.kubectl_image,
    }))?;
    let copies: Vec<Copy> = serde_json::from_str(&text).map_err(|e| {
        Error::Usage(format!(
            "internal: the core's mirror plan is not understood: {e}"
        ))
    })?;
    copies
        .into_iter()
        .map(|c| {
            Ok(Job {
                component: c.component,
                source: Ref::new(&c.source.repository, &c.source.tag)?,
                dest: Ref::new(&c.dest.repository, &c.dest.tag)?,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|m| Error::Usage(format!("internal: {m}")))
}

/// `--dry-run`: `client` (or the flag alone) plans only; `none` copies.
fn dry_run(a: &MirrorArgs) -> Result<bool, Error> {
    match a.dry_run.as_deref() {
        None | Some("none") => Ok(false),
        Some("client") => Ok(true),
        Some("server") => Err(Error::Usage(
            "--dry-run=server: a registry has no server-side dry run; --dry-run (or --dry-run=client) prints the plan and checks the destination without copying".into(),
        )),
        Some(other) => Err(Error::Usage(format!(
            "--dry-run: `{other}` is not valid: choose one of none, client"
        ))),
    }
}

/// `--platform`, as the core reads it.
fn platforms(core: &Core, a: &MirrorArgs) -> Result<Filter, Error> {
    let text = core.render(&json!({"render": "platforms", "platform": a.platform}))?;
    platform::from_core(&text).map_err(|e| {
        Error::Usage(format!(
            "internal: the core's platforms are not understood: {e}"
        ))
    })
}

/// The core's DescribeRepositories call, and with `--create-repositories`
/// its CreateRepository call, for each repository the jobs push to on the
/// ECR host `host`. The repository comes from `--to`, so its errors name it.
fn repository_calls(
    core: &Core,
    a: &MirrorArgs,
    host: &str,
    jobs: &[Job],
) -> Result<Vec<RepositoryCalls>, Error> {
    let mut names: Vec<&str> = jobs.iter().map(|j| j.dest.repository.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let target = Target {
        registry: Some(host.to_owned()),
        region: None,
        profile: None,
    };
    let call = |members: serde_json::Value| {
        ecr_call::describe_call(core, &target, &members).map_err(|e| match e {
            Error::Core(e) => Error::Core(renamed(e, "repository", "to")),
            e => e,
        })
    };
    names
        .into_iter()
        .map(|name| {
            let describe = call(json!({"action": "DescribeRepositories", "repository": name}))?;
            let create = if a.create_repositories {
                Some(call(json!({
                    "action": "CreateRepository",
                    "repository": name,
                    "immutable-tags": a.immutable_tags,
                    "scan-on-push": a.scan_on_push,
                }))?)
            } else {
                None
            };
            Ok(RepositoryCalls {
                name: name.to_owned(),
                describe,
                create,
            })
        })
        .collect()
}

/// The ECR request the core renders for `host`, if `host` is an ECR registry.
fn ecr_request(core: &Core, host: &str, region: Option<&str>) -> Result<Option<EcrRequest>, Error> {
    if !ecr_call::is_ecr(core, host) {
        return Ok(None);
    }
    let target = Target {
        registry: Some(host.to_owned()),
        region: region.map(str::to_owned),
        profile: None,
    };
    ecr_call::describe(core, &target).map(Some)
}

fn side(
    core: &Core,
    host: &str,
    session: &Arc<Session>,
    region: Option<&str>,
) -> Result<(Side, Option<EcrRequest>), Error> {
    let request = ecr_request(core, host, region)?;
    let provider = match &request {
        Some(r) => Provider::Ecr {
            request: r.clone(),
            session: session.clone(),
        },
        None => Provider::DockerConfig {
            server: docker_config_server(host),
        },
    };
    Ok((
        Side {
            host: host.to_owned(),
            provider,
        },
        request,
    ))
}

/// Builds one run's configuration per source registry, from the flags.
fn configs(core: &Core, a: &MirrorArgs, err: &mut dyn Write) -> Result<Vec<Config>, Error> {
    let dry_run = dry_run(a)?;
    let filter = platforms(core, a)?;
    if a.jobs == 0 || a.jobs > 64 {
        return Err(Error::Usage("--jobs: give a number from 1 to 64".into()));
    }
    let jobs = plan(core, a)?;
    let Some(first) = jobs.first() else {
        return Err(Error::Usage("--components: no image chosen".into()));
    };
    // One AWS session for the run: the credentials chain is resolved once
    // for both sides and the repository calls.
    let session = Arc::new(Session::new(a.aws.profile.clone())?);
    let (dest, dest_ecr) = side(core, &first.dest.host, &session, None)?;
    if dest_ecr.is_none() && a.create_repositories {
        writeln!(
            err,
            "note: --create-repositories only matters for ECR; {} creates repositories on push",
            dest.host
        )
        .map_err(write_err)?;
    }
    // In plan order, one group per source host.
    let mut groups: Vec<Vec<Job>> = Vec::new();
    for job in jobs {
        match groups
            .iter_mut()
            .find(|g| g[0].source.host == job.source.host)
        {
            Some(g) => g.push(job),
            None => groups.push(vec![job]),
        }
    }
    groups
        .into_iter()
        .map(|jobs| {
            let (source, _) = side(
                core,
                &jobs[0].source.host,
                &session,
                a.aws.region.as_deref(),
            )?;
            let ecr = match &dest_ecr {
                Some(request) => Some(EcrDestination {
                    repositories: repository_calls(core, a, &dest.host, &jobs)?,
                    request: request.clone(),
                    session: session.clone(),
                }),
                None => None,
            };
            Ok(Config {
                jobs,
                source,
                dest: dest.clone(),
                filter: filter.clone(),
                parallel: a.jobs,
                dry_run,
                insecure: a.insecure,
                ecr,
                tty: std::io::stderr().is_terminal(),
            })
        })
        .collect()
}

/// The skopeo and crane commands that do the same copy, from the core.
fn equivalent_commands(core: &Core, a: &MirrorArgs, out: &mut dyn Write) -> Result<(), Error> {
    writeln!(out, "\nThe same copy with other tools:").map_err(write_err)?;
    for tool in ["skopeo", "crane"] {
        let rendered = core.render(&json!({
            "render": "commands",
            "section": "mirror",
            "version": a.version,
            "registry": a.from,
            "to": a.to,
            "tool": tool,
            "region": a.aws.region,
            "components": a.components,
        }));
        match rendered {
            Ok(text) => write!(out, "{text}").map_err(write_err)?,
            Err(e) => {
                writeln!(
                    out,
                    "# ({tool} commands are not available for this source: {e})"
                )
                .map_err(write_err)?;
                break;
            }
        }
    }
    Ok(())
}

/// Runs `mirror`.
pub fn run(
    core: &Core,
    a: &MirrorArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Error> {
    let cfgs = configs(core, a, err)?;
    // Two workers: hashing and socket work of parallel blobs spread over
    // the cores, the display stays on this thread.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            context: "starting the async runtime",
            source,
        })?;
    for cfg in &cfgs {
        runtime.block_on(registry::mirror(cfg, out))?;
    }
    if cfgs.first().is_some_and(|c| c.dry_run) {
        equivalent_commands(core, a, out)?;
    }
    Ok(())
}
