//! `kubectl-uepe`: gets Usage Engine Private Edition images from ECR into a
//! Kubernetes cluster. `main` only parses, runs and reports; the commands
//! are in `cmd/`, the rendering decisions in the embedded core component.

use clap::Parser;
use kubectl_uepe::{cli, cmd, error};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    let result = cmd::run(cli, &mut out, &mut err, &mut std::io::stdin().lock())
        .and_then(|()| out.flush().map_err(error::write_err));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            for line in e.lines() {
                let _ = writeln!(err, "error: {line}");
            }
            ExitCode::FAILURE
        }
    }
}
