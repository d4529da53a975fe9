//! `kubectl uepe completion SHELL`.

use clap::CommandFactory;
use std::io::Write;

use crate::cli::{Cli, CompletionArgs};
use crate::error::{Error, write_err};

/// Prints the completion script for the shell.
pub fn run(a: &CompletionArgs, out: &mut dyn Write) -> Result<(), Error> {
    let mut cmd = Cli::command();
    // Into memory first: `generate` panics on a write error (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "kubectl-uepe", &mut script);
    let mut text = String::from_utf8_lossy(&script).into_owned();
    if a.shell == clap_complete::Shell::Bash {
        // clap_complete 4.6 labels the states of a bin name with a space two
        // ways (clap-rs/clap#6421), so nothing after the first word would
        // complete; relabel the arms. A no-op once upstream is fixed.
        text = text.replace("kubectl__subcmd__uepe__subcmd__", "kubectl__uepe__subcmd__");
    }
    out.write_all(text.as_bytes()).map_err(write_err)
}
