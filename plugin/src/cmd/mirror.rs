//! `kubectl uepe mirror`: turns the flags into [`registry::Config`]s —
//! every decision from the core: what goes where and validation
//! (`mirror-plan`), the platforms to copy (`platforms`), whether a host is
//! ECR (`registry`) and its endpoint, and for an ECR destination the
//! DescribeRepositories / CreateRepository calls with a new repository's
//! settings (`ecr-call` with an `action`);
//! credentials chosen per side — then runs the copier on its own runtime,
//! once per source registry (the refresher's images each come from their
//! own). `--dry-run` adds the equivalent skopeo and crane commands the core
//! renders.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use super::ecr::{self, Target};
use crate::aws::Session;
use crate::aws::ecr::EcrRequest;
use crate::cli::MirrorArgs;
use crate::core::{
    CommandsRequest, Core, CoreError, EcrCallRequest, MirrorPlanRequest, PlatformsRequest,
};
use crate::error::{Error, write_err};
use crate::registry::credentials::{Provider, docker_config_server};
use crate::registry::ecr::RepositoryCalls;
use crate::registry::plan::{Job, Ref};
use crate::registry::platform::Filter;
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

/// What the core says to copy where.
fn plan(core: &Core, a: &MirrorArgs) -> Result<Vec<Job>, Error> {
    let copies = core.mirror_plan(&MirrorPlanRequest {
        version: a.version.clone(),
        from: a.from.clone(),
        to: Some(a.to.clone()),
        components: a.components.clone(),
        aws_cli_image: a.aws_cli_image.clone(),
        kubectl_image: a.kubectl_image.clone(),
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
        .map_err(Error::CoreAnswer)
}

/// `--dry-run`: `client` (or the flag alone) plans only; `none` copies.
fn dry_run(a: &MirrorArgs) -> Result<bool, Error> {
    match a.dry_run.as_deref() {
        None | Some("none") => Ok(false),
        Some("client") => Ok(true),
        Some("server") => Err(Error::Flags(
            "--dry-run=server: a registry has no server-side dry run; --dry-run (or --dry-run=client) prints the plan and checks the destination without copying".into(),
        )),
        Some(other) => Err(Error::Flags(format!(
            "--dry-run: `{other}` is not valid: choose one of none, client"
        ))),
    }
}

/// `--platform`, as the core reads it.
fn platforms(core: &Core, a: &MirrorArgs) -> Result<Filter, Error> {
    Ok(core.platforms(&PlatformsRequest {
        platform: a.platform.clone(),
    })?)
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
    // The CreateRepository settings go with the create call only.
    let call = |action: &str, name: &str, settings: bool| {
        let request = EcrCallRequest {
            registry: Some(host.to_owned()),
            region: None,
            endpoint_url: None,
            action: Some(action.to_owned()),
            repository: Some(name.to_owned()),
            immutable_tags: settings && a.immutable_tags,
            scan_on_push: settings && a.scan_on_push,
        };
        ecr::call(core, request).map_err(|e| match e {
            Error::Core(e) => Error::Core(renamed(e, "repository", "to")),
            e => e,
        })
    };
    names
        .into_iter()
        .map(|name| {
            Ok(RepositoryCalls {
                name: name.to_owned(),
                describe: call("DescribeRepositories", name, false)?,
                create: if a.create_repositories {
                    Some(call("CreateRepository", name, true)?)
                } else {
                    None
                },
            })
        })
        .collect()
}

/// GetAuthorizationToken for `host` if the core says it is an ECR registry.
fn ecr_request(core: &Core, host: &str, region: Option<&str>) -> Result<Option<EcrRequest>, Error> {
    if core.registry(host)?.ecr.is_none() {
        return Ok(None);
    }
    let target = Target {
        registry: Some(host.to_owned()),
        region: region.map(str::to_owned),
        profile: None,
    };
    ecr::call(core, target.login()).map(Some)
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
        return Err(Error::Flags("--jobs: give a number from 1 to 64".into()));
    }
    let jobs = plan(core, a)?;
    let Some(first) = jobs.first() else {
        return Err(Error::Flags("--components: no image chosen".into()));
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
        let rendered = core.commands(&CommandsRequest {
            section: Some("mirror".into()),
            tool: Some(tool.into()),
            version: a.version.clone(),
            registry: a.from.clone(),
            to: Some(a.to.clone()),
            components: a.components.clone(),
            namespace: Vec::new(),
            name: None,
            region: a.aws.region.clone(),
            runner: None,
            role_arn: None,
        });
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
        .map_err(Error::Runtime)?;
    for cfg in &cfgs {
        runtime.block_on(registry::mirror(cfg, out))?;
    }
    if cfgs.first().is_some_and(|c| c.dry_run) {
        equivalent_commands(core, a, out)?;
    }
    Ok(())
}
