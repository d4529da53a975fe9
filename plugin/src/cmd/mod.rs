//! One module per command: each gathers its inputs (flags, stdin,
//! environment), asks the core to render, and writes the answer.

mod commands;
mod completion;
mod images;
mod login;
mod manifests;
mod version;

use std::io::{Read, Write};

use crate::cli::{Cli, Command, CronjobCommand, SecretCommand};
use crate::core::Core;
use crate::error::Error;

/// Runs the parsed command line, writing results to `out`.
pub fn run(
    cli: Cli,
    out: &mut dyn Write,
    err: &mut dyn Write,
    stdin: &mut dyn Read,
) -> Result<(), Error> {
    match cli.command {
        Command::Completion(a) => completion::run(&a, out),
        command => {
            let core = Core::load()?;
            match command {
                Command::Images(a) => images::run(&core, &a, out),
                Command::Login(a) => block_on(login::run(&core, &a, out)),
                Command::Secret(SecretCommand::Create(a)) => {
                    block_on(manifests::secret_create(&core, &a, out, stdin))
                }
                Command::Cronjob(CronjobCommand::Install(a)) => {
                    block_on(manifests::cronjob_install(&core, &a, out, err, stdin))
                }
                Command::Commands(a) => commands::run(&core, &a, out),
                Command::Version(a) => version::run(&core, &a, out),
                Command::Completion(_) => Ok(()),
            }
        }
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
