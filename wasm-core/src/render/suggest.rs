//! A `kubectl uepe ...` command line to suggest in a note, an error or a
//! "what next" hint, carrying the options the user gave (namespaces, name,
//! runner, registry, profile, kubeconfig...) so that pasting it acts on the
//! same objects. Which options a suggested command takes is decided here,
//! once; an option at its default is left out, so the line stays short.

use crate::resolve::{DEFAULT_NAMESPACE, DEFAULT_SECRET_NAME};

/// The options a suggestion may carry, in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    /// `--kubeconfig`.
    Kubeconfig,
    /// `--context`.
    Context,
    /// `-n`.
    Namespace,
    /// `--name`.
    Name,
    /// `--registry`.
    Registry,
    /// `--username`.
    Username,
    /// `--runner`.
    Runner,
    /// `--role-arn`.
    RoleArn,
    /// `--region`.
    Region,
    /// `--profile`.
    Profile,
    /// `--service-account`.
    ServiceAccount,
}

const CLUSTER: [Opt; 4] = [Opt::Kubeconfig, Opt::Context, Opt::Namespace, Opt::Name];

/// Every command that can be suggested, with the options it carries.
pub const COMMANDS: [(&str, &[Opt]); 7] = [
    (
        "commands credentials",
        &[Opt::Namespace, Opt::Name, Opt::Runner],
    ),
    (
        "cronjob install",
        &[
            Opt::Kubeconfig,
            Opt::Context,
            Opt::Namespace,
            Opt::Name,
            Opt::Registry,
            Opt::Runner,
            Opt::RoleArn,
            Opt::Region,
            Opt::Profile,
        ],
    ),
    ("cronjob run --wait", &CLUSTER),
    ("cronjob status", &CLUSTER),
    (
        "doctor",
        &[
            Opt::Kubeconfig,
            Opt::Context,
            Opt::Namespace,
            Opt::Name,
            Opt::Registry,
            Opt::ServiceAccount,
        ],
    ),
    (
        "secret create --create-namespace",
        &[
            Opt::Kubeconfig,
            Opt::Context,
            Opt::Namespace,
            Opt::Name,
            Opt::Registry,
            Opt::Username,
            Opt::Region,
            Opt::Profile,
        ],
    ),
    (
        "secret create",
        &[
            Opt::Kubeconfig,
            Opt::Context,
            Opt::Namespace,
            Opt::Name,
            Opt::Registry,
            Opt::Username,
            Opt::Region,
            Opt::Profile,
            Opt::ServiceAccount,
        ],
    ),
];

/// The names of [`COMMANDS`].
pub fn names() -> Vec<&'static str> {
    COMMANDS.iter().map(|(n, _)| *n).collect()
}

/// Checked option values; `None` (or a default) is left out.
#[derive(Debug, Default)]
pub struct Given<'a> {
    /// `--kubeconfig`.
    pub kubeconfig: Option<&'a str>,
    /// `--context`.
    pub context: Option<&'a str>,
    /// Namespaces, resolved.
    pub namespaces: &'a [String],
    /// `--name`.
    pub name: Option<&'a str>,
    /// `--registry`.
    pub registry: Option<&'a str>,
    /// `--username`.
    pub username: Option<&'a str>,
    /// `--runner`.
    pub runner: Option<&'a str>,
    /// `--role-arn`.
    pub role_arn: Option<&'a str>,
    /// `--region`.
    pub region: Option<&'a str>,
    /// `--profile`.
    pub profile: Option<&'a str>,
    /// `--service-account`.
    pub service_account: Option<&'a str>,
}

/// `kubectl uepe COMMAND OPTIONS...`, each value quoted for a POSIX shell.
pub fn line(command: &str, opts: &[Opt], g: &Given<'_>) -> String {
    let mut words = vec!["kubectl uepe".to_owned(), command.to_owned()];
    let mut push = |flag: &str, v: Option<&str>| {
        if let Some(v) = v {
            words.push(format!("{flag} {}", shell_word(v)));
        }
    };
    for o in opts {
        match o {
            Opt::Kubeconfig => push("--kubeconfig", g.kubeconfig),
            Opt::Context => push("--context", g.context),
            Opt::Namespace => {
                let ns = g.namespaces.join(",");
                push(
                    "-n",
                    (!ns.is_empty() && ns != DEFAULT_NAMESPACE).then_some(&ns),
                );
            }
            Opt::Name => push("--name", g.name.filter(|n| *n != DEFAULT_SECRET_NAME)),
            Opt::Registry => push("--registry", g.registry),
            Opt::Username => push("--username", g.username),
            Opt::Runner => push("--runner", g.runner.filter(|r| *r != "aws-cli")),
            Opt::RoleArn => push("--role-arn", g.role_arn),
            Opt::Region => push("--region", g.region),
            Opt::Profile => push("--profile", g.profile),
            Opt::ServiceAccount => push("--service-account", g.service_account),
        }
    }
    words.join(" ")
}

/// A value as one POSIX shell word: bare when it holds only characters no
/// shell treats specially, else in single quotes.
pub fn shell_word(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_left_out_and_values_quoted() {
        let ns = vec!["prod".to_owned(), "qa".to_owned()];
        let g = Given {
            kubeconfig: Some("/home/me/my clusters/k.yaml"),
            namespaces: &ns,
            name: Some("my-cred"),
            runner: Some("external-secrets"),
            ..Given::default()
        };
        assert_eq!(
            line("commands credentials", COMMANDS[0].1, &g),
            "kubectl uepe commands credentials -n prod,qa --name my-cred --runner external-secrets"
        );
        assert_eq!(
            line("cronjob run --wait", &CLUSTER, &g),
            "kubectl uepe cronjob run --wait --kubeconfig '/home/me/my clusters/k.yaml' -n prod,qa --name my-cred"
        );
        let defaults = vec![DEFAULT_NAMESPACE.to_owned()];
        let g = Given {
            namespaces: &defaults,
            name: Some(DEFAULT_SECRET_NAME),
            runner: Some("aws-cli"),
            ..Given::default()
        };
        assert_eq!(
            line("commands credentials", COMMANDS[0].1, &g),
            "kubectl uepe commands credentials"
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        // The ServiceAccount goes where the command takes it, nowhere else.
        let g = Given {
            namespaces: &ns,
            service_account: Some("uepe-pods"),
            ..Given::default()
        };
        let secret_create = COMMANDS
            .iter()
            .find(|(n, _)| *n == "secret create")
            .map(|(_, o)| *o)
            .unwrap_or_default();
        assert_eq!(
            line("secret create", secret_create, &g),
            "kubectl uepe secret create -n prod,qa --service-account uepe-pods"
        );
        assert_eq!(
            line("cronjob status", &CLUSTER, &g),
            "kubectl uepe cronjob status -n prod,qa"
        );
    }
}
