//! What the page shows and which core request makes each of it. Every
//! request is the one the CLI command named in [`Output::cli`] sends (see
//! `plugin/src/cmd/`), so the page prints the same bytes as the CLI.
//! Optional fields go in as typed: the core treats an empty string as
//! absent, as the CLI treats a missing flag.

use crate::core::Request;
use crate::form::{Inputs, Key};
use crate::types::{CommandsRequest, Defaults, ImagesRequest, RefresherRequest};

/// One output block of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The four image references (`kubectl uepe images`).
    Images,
    /// Logging in to the UEPE registry (`kubectl uepe commands login`).
    Login,
    /// Mirroring into the user's own registry (`commands mirror`).
    Mirror,
    /// Creating the image pull secret (`commands secret`).
    Secret,
    /// Creating the refresher's AWS credentials Secret (`commands credentials`).
    Credentials,
    /// The refresher manifests (`kubectl uepe cronjob install --dry-run=client`).
    Refresher,
}

impl Output {
    /// Every output, in page order.
    pub const ALL: [Output; 6] = [
        Output::Images,
        Output::Login,
        Output::Mirror,
        Output::Secret,
        Output::Credentials,
        Output::Refresher,
    ];

    /// The block's id in the page (`out-ID`); tests find blocks by it.
    pub fn id(self) -> &'static str {
        match self {
            Output::Images => "images",
            Output::Login => "login",
            Output::Mirror => "mirror",
            Output::Secret => "secret",
            Output::Credentials => "credentials",
            Output::Refresher => "refresher",
        }
    }

    /// The block's heading.
    pub fn title(self) -> &'static str {
        match self {
            Output::Images => "Images",
            Output::Login => "Log in to the UEPE registry",
            Output::Mirror => "Mirror the images to your registry",
            Output::Secret => "Create the image pull secret",
            Output::Credentials => "Store the refresher's AWS keys",
            Output::Refresher => "Refresher manifests (CronJob)",
        }
    }

    /// One line under the heading: what the block is for.
    pub fn description(self) -> &'static str {
        match self {
            Output::Images => "The four UEPE images of this version.",
            Output::Login => "Run where Docker and the AWS CLI are set up.",
            Output::Mirror => "Copies the four images; skopeo and crane keep every architecture.",
            Output::Secret => "Creates the pull secret in each namespace; no password is typed.",
            Output::Credentials => {
                "Reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from your shell: no key is ever typed into this page."
            }
            Output::Refresher => {
                "Apply with kubectl apply -f; it renews the pull secret before the ECR password expires."
            }
        }
    }

    /// The file name of the download.
    pub fn file_name(self) -> &'static str {
        match self {
            Output::Images => "uepe-images.txt",
            Output::Login => "uepe-login.sh",
            Output::Mirror => "uepe-mirror.sh",
            Output::Secret => "uepe-pull-secret.sh",
            Output::Credentials => "uepe-credentials.sh",
            Output::Refresher => "uepe-refresher.yaml",
        }
    }

    /// The MIME type of the download.
    pub fn mime(self) -> &'static str {
        match self {
            Output::Images => "text/plain",
            Output::Refresher => "application/yaml",
            _ => "text/x-shellscript",
        }
    }

    /// The inputs this output depends on, as flags of its CLI command. The
    /// page sends only these, so a typo in one field does not blank out
    /// the blocks that never read it; the browser tests check that the
    /// bytes still equal the CLI's given every flag.
    fn keys(self, i: &Inputs) -> Vec<Key> {
        let keys: &[Key] = match self {
            Output::Images => &[Key::Version, Key::Registry],
            Output::Login => &[Key::Registry, Key::Region],
            Output::Mirror => &[Key::Version, Key::Registry, Key::Region, Key::To, Key::Tool],
            Output::Secret => &[Key::Registry, Key::Region, Key::Namespace, Key::Name],
            Output::Credentials => &[Key::Namespace, Key::Name, Key::Runner, Key::RoleArn],
            Output::Refresher => &[
                Key::Namespace,
                Key::Name,
                Key::Registry,
                Key::Runner,
                Key::Schedule,
                Key::Region,
                Key::RoleArn,
                Key::Image,
            ],
        };
        // The image field only exists for the plugin runner; a value kept
        // from an earlier choice must not count against another runner.
        let plugin = i.get(Key::Runner) == "plugin";
        keys.iter()
            .copied()
            .filter(|&k| k != Key::Image || plugin)
            .collect()
    }

    /// The core request for these inputs, or why there is none yet. The
    /// same request the CLI command of [`Output::cli`] sends (see
    /// `plugin/src/cmd/`): an input it leaves out is absent there too.
    pub fn request(self, i: &Inputs) -> Result<Request, &'static str> {
        if self == Output::Mirror && i.given(Key::To).is_none() {
            return Err("Give your own registry above to get the mirroring commands.");
        }
        let keys = self.keys(i);
        let sent = |k: Key| keys.contains(&k).then(|| i.get(k).to_owned());
        // `-n` as clap collects it: one entry holding what was typed, none
        // when nothing was.
        let namespace: Vec<String> = sent(Key::Namespace)
            .filter(|v| !v.trim().is_empty())
            .into_iter()
            .collect();
        Ok(match self {
            Output::Images => Request::Images(ImagesRequest {
                version: sent(Key::Version).unwrap_or_default(),
                registry: sent(Key::Registry),
                ..ImagesRequest::default()
            }),
            // `cronjob install --dry-run=client -o yaml` with no AWS keys in
            // the environment and no password: the page never holds either.
            Output::Refresher => Request::Refresher(RefresherRequest {
                runner: sent(Key::Runner),
                namespace,
                name: sent(Key::Name),
                registry: sent(Key::Registry),
                region: sent(Key::Region),
                schedule: sent(Key::Schedule),
                role_arn: sent(Key::RoleArn),
                image: sent(Key::Image),
                ..RefresherRequest::default()
            }),
            section => Request::Commands(CommandsRequest {
                section: Some(section.id().to_owned()),
                tool: sent(Key::Tool),
                version: sent(Key::Version),
                registry: sent(Key::Registry),
                to: sent(Key::To),
                namespace,
                name: sent(Key::Name),
                region: sent(Key::Region),
                runner: sent(Key::Runner),
                role_arn: sent(Key::RoleArn),
                ..CommandsRequest::default()
            }),
        })
    }

    /// The CLI command that prints the same bytes, for the page to show:
    /// its words, each quoted for a shell where needed. Flags left at their
    /// default are not named.
    pub fn cli(self, i: &Inputs, d: &Defaults) -> Vec<String> {
        let mut args: Vec<String> = vec!["kubectl".into(), "uepe".into()];
        match self {
            Output::Images => args.push("images".into()),
            Output::Refresher => args.extend(["cronjob".into(), "install".into()]),
            section => args.extend(["commands".into(), section.id().into()]),
        }
        for k in self.keys(i) {
            if let Some(v) = i.given(k).filter(|v| *v != k.default_value(d)) {
                args.push(format!("--{}={}", k.flag(), shell_quote(v)));
            }
        }
        if self == Output::Refresher {
            args.push("--dry-run=client".into());
        }
        args
    }
}

/// Quotes a value for a POSIX shell when it needs it.
fn shell_quote(v: &str) -> String {
    let plain = v
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._/:@,=+".contains(&b));
    if plain {
        v.to_owned()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::form::tests::defaults;

    fn refresher(r: Request) -> RefresherRequest {
        match r {
            Request::Refresher(r) => r,
            other => panic!("not a refresher request: {other:?}"),
        }
    }

    fn commands(r: Request) -> CommandsRequest {
        match r {
            Request::Commands(r) => r,
            other => panic!("not a commands request: {other:?}"),
        }
    }

    #[test]
    fn the_refresher_request_is_the_clis() {
        let mut i = Inputs::new(&defaults());
        i.set(Key::Namespace, "a,b");
        i.set(Key::Image, "kept/from:before");
        let given = |s: &str| Some(s.to_owned());
        assert_eq!(
            refresher(Output::Refresher.request(&i).unwrap()),
            RefresherRequest {
                runner: given("aws-cli"),
                namespace: vec!["a,b".into()],
                name: given("ecr-cred"),
                registry: given(""),
                region: given(""),
                schedule: given("0 */8 * * *"),
                role_arn: given(""),
                ..RefresherRequest::default()
            }
        );
        i.set(Key::Runner, "plugin");
        let r = refresher(Output::Refresher.request(&i).unwrap());
        assert_eq!(r.image.as_deref(), Some("kept/from:before"));
    }

    #[test]
    fn mirroring_waits_for_a_destination() {
        let mut i = Inputs::new(&defaults());
        assert!(Output::Mirror.request(&i).is_err());
        i.set(Key::To, "registry.example.com/uepe");
        let given = |s: &str| Some(s.to_owned());
        assert_eq!(
            commands(Output::Mirror.request(&i).unwrap()),
            CommandsRequest {
                section: given("mirror"),
                version: given(""),
                registry: given(""),
                region: given(""),
                to: given("registry.example.com/uepe"),
                tool: given("all"),
                ..CommandsRequest::default()
            }
        );
    }

    #[test]
    fn a_block_sends_only_what_it_reads() {
        let mut i = Inputs::new(&defaults());
        i.set(Key::To, "not a registry");
        assert_eq!(commands(Output::Login.request(&i).unwrap()).to, None);
        i.set(Key::Namespace, " ");
        let r = commands(Output::Secret.request(&i).unwrap());
        assert!(r.namespace.is_empty(), "{r:?}");
    }

    #[test]
    fn the_cli_line_names_only_changed_flags() {
        let d = defaults();
        let mut i = Inputs::new(&d);
        let line = |o: Output, i: &Inputs| o.cli(i, &d).join(" ");
        assert_eq!(
            line(Output::Refresher, &i),
            "kubectl uepe cronjob install --dry-run=client"
        );
        i.set(Key::Schedule, "0 */6 * * *");
        i.set(Key::Version, "4.3.0");
        assert_eq!(
            line(Output::Refresher, &i),
            "kubectl uepe cronjob install --schedule='0 */6 * * *' --dry-run=client"
        );
        assert_eq!(
            line(Output::Images, &i),
            "kubectl uepe images --version=4.3.0"
        );
    }
}
