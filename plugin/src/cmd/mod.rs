//! One module per command: each gathers its inputs (flags, stdin,
//! environment), asks the core to render, and writes the answer.

mod apply;
mod commands;
mod complete;
mod completion;
mod cronjob;
mod doctor;
mod ecr_call;
mod images;
mod login;
mod manifests;
mod mirror;
mod placement;
mod suggest;
mod version;

use std::io::{Read, Write};

use crate::cli::{Cli, Command, CronjobCommand, SecretCommand};
use crate::cluster::Connect;
use crate::core::Core;
use crate::error::Error;

/// Runs the parsed command line, writing results to `out`.
pub fn run(
    core: &Core,
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    // Cluster flags given before the command count for the commands that
    // talk to a cluster, and are an error for the others.
    let connect = match cli.command.kube() {
        Some(k) => {
            let k = k.or(&cli.kube);
            Connect {
                kubeconfig: k.kubeconfig,
                context: k.context,
            }
        }
        None => {
            if let Some(flag) = cli.kube.given() {
                return Err(Error::Usage(format!(
                    "{flag}: this command does not talk to a cluster; only secret, cronjob and doctor take {flag}"
                )));
            }
            Connect::default()
        }
    };
    let connect = &connect;
    match cli.command {
        Command::Completion(a) => completion::run(core, &a, out),
        Command::Complete(a) => complete::run(core, &a, out),
        Command::Images(a) => images::run(core, &a, out),
        Command::Login(a) => block_on(login::run(core, &a, out)),
        Command::Secret(SecretCommand::Create(a)) => {
            block_on(manifests::secret_create(core, connect, &a, out, err, stdin))
        }
        Command::Secret(SecretCommand::Refresh(a)) => {
            block_on(manifests::secret_refresh(core, connect, &a, out, err))
        }
        Command::Cronjob(CronjobCommand::Install(a)) => block_on(manifests::cronjob_install(
            core, connect, &a, out, err, stdin,
        )),
        Command::Cronjob(CronjobCommand::Status(a)) => {
            block_on(cronjob::status(core, connect, &a.target, out))
        }
        Command::Cronjob(CronjobCommand::Run(a)) => block_on(cronjob::run(core, connect, &a, out)),
        Command::Cronjob(CronjobCommand::Uninstall(a)) => {
            block_on(cronjob::uninstall(core, connect, &a, out))
        }
        Command::Doctor(a) => block_on(doctor::run(core, connect, &a, out)),
        Command::Commands(a) => commands::run(core, &a, out),
        Command::Mirror(a) => mirror::run(core, &a, out, err),
        Command::Version(a) => version::run(core, &a, out),
    }
}

/// Runs network work on a single-threaded runtime: the plugin makes a few
/// calls in sequence, so one thread is all it needs.
fn block_on<F: std::future::Future<Output = Result<(), Error>>>(f: F) -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Io {
            context: "starting the async runtime",
            source,
        })?
        .block_on(f)
}
