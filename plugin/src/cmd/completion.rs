//! `kubectl uepe completion SHELL`.

use clap::CommandFactory;
use std::io::Write;

use crate::cli::{Cli, CompletionArgs};
use crate::error::Error;

/// Prints the completion script for the shell.
pub fn run(a: &CompletionArgs, out: &mut dyn Write) -> Result<(), Error> {
    let mut cmd = Cli::command();
    clap_complete::generate(a.shell, &mut cmd, "kubectl-uepe", out);
    Ok(())
}
