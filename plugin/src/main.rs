//! `kubectl-uepe`: gets Usage Engine Private Edition images from ECR into a
//! Kubernetes cluster. `main` only parses, runs and reports; the commands
//! are in `cmd/`, the rendering decisions in the embedded core component.

use kubectl_uepe::{cli, cmd, core, error};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr();
    // The core first: the help shows its defaults.
    let result = core::Core::load()
        .map_err(error::Error::from)
        .and_then(|core| {
            let cli = cli::parse(&core)?;
            cmd::run(&core, cli, &mut out, &mut err, &mut std::io::stdin().lock())
        })
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
