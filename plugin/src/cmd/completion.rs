//! `kubectl uepe completion SHELL`: a script that registers completion for
//! both `kubectl uepe` and `kubectl-uepe`. bash, zsh and fish ask the
//! plugin itself (`__complete`, the protocol kubectl uses), so they offer
//! what kubectl's own completion offers; PowerShell gets clap's static
//! script for `kubectl-uepe`.

use std::io::Write;

use crate::cli::{CompletionArgs, Shell, command};
use crate::core::Core;
use crate::error::{Error, write_err};

/// Prints the completion script for the shell.
pub fn run(core: &Core, a: &CompletionArgs, out: &mut dyn Write) -> Result<(), Error> {
    let text = match a.shell {
        Shell::Bash => include_str!("completion/uepe.bash").to_owned(),
        Shell::Zsh => include_str!("completion/uepe.zsh").to_owned(),
        Shell::Fish => include_str!("completion/uepe.fish").to_owned(),
        Shell::Powershell => {
            let mut cmd = command(&core.choices()?);
            // Into memory first: `generate` panics on a write error (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(
                clap_complete::Shell::PowerShell,
                &mut cmd,
                "kubectl-uepe",
                &mut script,
            );
            String::from_utf8_lossy(&script).into_owned()
        }
    };
    out.write_all(text.as_bytes()).map_err(write_err)
}
