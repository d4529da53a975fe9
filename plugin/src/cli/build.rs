//! The command line as shown and parsed: the derive structs of `cli.rs`
//! plus what only runtime has — the core's defaults written into the help
//! (asked of the core, never copied), the examples, and the flag pairs that
//! exclude each other whatever the values.
//!
//! Examples go into each command's help template as literal text: clap
//! wraps `after_help` at the terminal width, which breaks a command in the
//! middle (issue 11), but copies a template's literal text as it is.

use clap::{CommandFactory, FromArgMatches};
use serde::Deserialize;

use super::Cli;
use crate::core::Core;
use crate::error::Error;

/// Each command's examples (path of subcommand names, lines), one complete
/// command a line: pasting any one of them runs what it says.
pub const EXAMPLES: &[(&[&str], &[&str])] = &[
    (
        &["images"],
        &[
            "kubectl uepe images --version 4.3.0",
            "kubectl uepe images --version 4.3.0 --registry registry.example.com/uepe -o json",
        ],
    ),
    (
        &["login"],
        &[
            "kubectl uepe login",
            "kubectl uepe login --engine config",
            "kubectl uepe login --print-password | skopeo login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com",
        ],
    ),
    (
        &["secret", "create"],
        &[
            "kubectl uepe secret create -n uepe --service-account default",
            "aws ecr get-login-password --region eu-west-1 | kubectl uepe secret create --password-stdin --dry-run=client -o yaml",
        ],
    ),
    (
        &["cronjob", "install"],
        &[
            "kubectl uepe cronjob install --dry-run=client -o yaml",
            "kubectl uepe cronjob install --runner external-secrets --role-arn arn:aws:iam::123456789012:role/ecr-reader --dry-run=client",
        ],
    ),
    (
        &["cronjob", "run"],
        &["kubectl uepe cronjob run --wait --timeout 2m"],
    ),
    (
        &["commands"],
        &[
            "kubectl uepe commands",
            "kubectl uepe commands mirror --version 4.3.0 --to registry.example.com/uepe --tool skopeo",
        ],
    ),
    (
        &["mirror"],
        &[
            "kubectl uepe mirror --version 4.3.0 --to registry.example.com/uepe --dry-run",
            "kubectl uepe mirror --version 4.3.0 --to 123456789012.dkr.ecr.eu-west-1.amazonaws.com/uepe --create-repositories",
            "kubectl uepe mirror --version 4.3.0 --to registry.example.com/uepe --platform linux/arm64",
            "kubectl uepe mirror --components refresher --to registry.example.com/uepe",
        ],
    ),
    (
        &["completion"],
        &[
            "source <(kubectl uepe completion bash)",
            "kubectl uepe completion fish | source",
        ],
    ),
];

/// clap's default help template, then the examples as literal text.
fn template(examples: &[&str]) -> String {
    let mut t = String::from(
        "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}\n\nExamples:",
    );
    for line in examples {
        t.push_str("\n  ");
        t.push_str(line);
    }
    t
}

/// The core's defaults and choice lists (`render: choices`).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Choices {
    /// Default values by flag name.
    pub defaults: Defaults,
    /// `--runner`.
    pub runner: Vec<String>,
    /// `-o` of `images`, and of the commands that render objects.
    pub output: Outputs,
    /// `images --components`.
    pub components: Vec<String>,
    /// `mirror --components` and `commands --components`.
    pub mirror_components: Vec<String>,
    /// `commands SECTION`.
    pub section: Vec<String>,
    /// `commands --tool`.
    pub tool: Vec<String>,
    /// `mirror --platform` (any os/arch is accepted; these are offered).
    pub platform: Vec<String>,
}

/// The defaults the help shows.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Defaults {
    /// `--aws-cli-image`.
    pub aws_cli_image: String,
    /// `--kubectl-image`.
    pub kubectl_image: String,
}

/// The `-o` formats.
#[derive(Debug, Clone, Deserialize)]
pub struct Outputs {
    /// `images -o`.
    pub images: Vec<String>,
    /// `-o` of the commands that render objects.
    pub objects: Vec<String>,
}

impl Choices {
    /// Asks the core.
    pub fn of(core: &Core) -> Result<Self, Error> {
        let text = core.render(&serde_json::json!({"render": "choices"}))?;
        serde_json::from_str(&text)
            .map_err(|e| Error::CoreAnswer(format!("the core's choices are not understood: {e}")))
    }
}

/// Applies `f` to the subcommand at `path`.
fn at(
    cmd: clap::Command,
    path: &[&str],
    f: &dyn Fn(clap::Command) -> clap::Command,
) -> clap::Command {
    match path.split_first() {
        None => f(cmd),
        Some((first, rest)) => cmd.mut_subcommand(*first, |c| at(c, rest, f)),
    }
}

/// Appends the core's default to an arg's help, as clap writes its own.
fn show_default(cmd: clap::Command, id: &str, default: &str) -> clap::Command {
    cmd.mut_arg(id, |a| {
        let help = a.get_help().map(ToString::to_string).unwrap_or_default();
        a.help(format!("{help} [default: {default}]"))
    })
}

/// The command line as parsed: the derive structs, the examples and the
/// flag pairs that exclude each other; no text from the core.
fn parser() -> clap::Command {
    let mut cmd = Cli::command();
    // With the password on stdin, secret create asks AWS nothing.
    cmd = at(cmd, &["secret", "create"], &|c| {
        c.mut_arg("password_stdin", |a| {
            a.conflicts_with_all(["region", "profile"])
        })
    });
    for (path, lines) in EXAMPLES {
        let t = template(lines);
        cmd = at(cmd, path, &|c| c.help_template(t.clone()));
    }
    cmd
}

/// The whole command line as its help shows it: [`parser`] with the core's
/// defaults in the flags' help.
pub fn command(choices: &Choices) -> clap::Command {
    let mut cmd = parser();
    let d = &choices.defaults;
    for path in [&["cronjob", "install"][..], &["mirror"]] {
        cmd = at(cmd, path, &|c| {
            let c = show_default(c, "aws_cli_image", &d.aws_cli_image);
            show_default(c, "kubectl_image", &d.kubectl_image)
        });
    }
    cmd
}

/// Parses the process's arguments; help, version and usage errors exit
/// here, as clap's `parse` does. The core's defaults only change help
/// text, so the core is asked for them only when help is to be shown,
/// not on every start.
pub fn parse(core: &Core) -> Result<Cli, Error> {
    use clap::error::ErrorKind::{DisplayHelp, DisplayHelpOnMissingArgumentOrSubcommand};
    let matches = match parser().try_get_matches() {
        Ok(m) => m,
        Err(e)
            if matches!(
                e.kind(),
                DisplayHelp | DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            command(&Choices::of(core)?).get_matches()
        }
        Err(e) => e.exit(),
    };
    Cli::from_arg_matches(&matches).map_err(|e| e.exit())
}
