//! The command line as shown and parsed: the derive structs of `cli.rs`
//! plus what only runtime has — the core's defaults written into the help
//! (asked of the core, never copied), the examples, and the flag pairs that
//! exclude each other whatever the values.
//!
//! Examples go into each command's help template as literal text: clap
//! wraps `after_help` at the terminal width, which breaks a command in the
//! middle (issue 11), but copies a template's literal text as it is.

use clap::{CommandFactory, FromArgMatches};

use super::Cli;
use crate::core::{ChoiceSet, Core, Defaults};
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

/// Where each of the core's defaults shows: (subcommand path, arg id, the
/// default). An arg the core fills in when absent is an `Option` in
/// `cli.rs`: no default is written there.
fn shown_defaults(d: &Defaults) -> Vec<(&'static [&'static str], &'static str, String)> {
    let target: &[&[&str]] = &[
        &["secret", "create"],
        &["secret", "refresh"],
        &["cronjob", "install"],
        &["cronjob", "status"],
        &["cronjob", "run"],
        &["cronjob", "uninstall"],
        &["commands"],
        &["doctor"],
    ];
    let mut shown = Vec::new();
    for path in target {
        shown.push((*path, "namespace", d.namespace.clone()));
        shown.push((*path, "name", d.name.clone()));
    }
    for path in [&["secret", "create"][..], &["cronjob", "install"]] {
        shown.push((path, "output", d.objects_output.clone()));
    }
    shown.extend([
        (&["images"][..], "output", d.images_output.clone()),
        (
            &["secret", "create"],
            "username",
            format!("{} for an ECR registry; required for any other", d.username),
        ),
        (&["cronjob", "install"], "runner", d.runner.clone()),
        (&["cronjob", "install"], "schedule", d.schedule.clone()),
        (
            &["cronjob", "install"],
            "aws_cli_image",
            d.aws_cli_image.clone(),
        ),
        (
            &["cronjob", "install"],
            "kubectl_image",
            d.kubectl_image.clone(),
        ),
        (&["commands"], "section", d.section.clone()),
        (&["commands"], "tool", d.tool.clone()),
        (&["commands"], "runner", d.runner.clone()),
        (&["mirror"], "platform", d.platform.clone()),
        (&["mirror"], "aws_cli_image", d.aws_cli_image.clone()),
        (&["mirror"], "kubectl_image", d.kubectl_image.clone()),
    ]);
    shown
}

/// The whole command line as its help shows it: [`parser`] with the core's
/// defaults in the flags' help.
pub fn command(choices: &ChoiceSet) -> clap::Command {
    let mut cmd = parser();
    for (path, id, default) in shown_defaults(&choices.defaults) {
        cmd = at(cmd, path, &|c| show_default(c, id, &default));
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
            command(&core.choices()?).get_matches()
        }
        Err(e) => e.exit(),
    };
    Cli::from_arg_matches(&matches).map_err(|e| e.exit())
}
