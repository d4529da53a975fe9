//! The shell commands a person would otherwise type, written so that no
//! password or key ever lands on a command line: passwords go through stdin
//! (`--password-stdin`, pipes into shell builtins), keys come from the
//! caller's environment through here-documents.

use crate::images::Registry;
use crate::mirror::{Copy, REFRESHER};
use crate::render::component_labels;
use crate::render::refresher::{FIELD_MANAGER, LONGEST_SUFFIX, Runner};
use crate::render::secret::docker_config_printf_format;

/// Sections of `kubectl uepe commands`.
pub const SECTIONS: [&str; 5] = ["all", "login", "mirror", "secret", "credentials"];
/// Mirroring tools.
pub const TOOLS: [&str; 4] = ["all", "skopeo", "crane", "docker"];

/// Checked inputs of the commands.
pub struct Commands<'a> {
    /// Source registry.
    pub registry: &'a Registry,
    /// AWS region of the source registry.
    pub region: &'a str,
    /// Images to copy, from where to where, when mirroring.
    pub mirror: Option<Vec<Copy>>,
    /// Mirroring tool (one of [`TOOLS`]).
    pub tool: &'a str,
    /// Pull secret namespaces.
    pub namespaces: &'a [String],
    /// Pull secret name.
    pub name: &'a str,
    /// Runner whose credentials Secret is created.
    pub runner: Runner,
    /// IRSA in use: no keys to store.
    pub irsa: bool,
}

impl Commands<'_> {
    /// The commands of `section` (one of [`SECTIONS`]).
    pub fn render(&self, section: &str) -> String {
        let parts: Vec<String> = match section {
            "login" => vec![self.login()],
            "mirror" => vec![self.mirror()],
            "secret" => vec![self.secret()],
            "credentials" => vec![self.credentials()],
            _ => {
                let mut v = vec![self.login()];
                if self.mirror.is_some() {
                    v.push(self.mirror());
                }
                v.push(self.secret());
                v.push(self.credentials());
                v
            }
        };
        parts.join("\n")
    }

    fn password_pipe(&self) -> String {
        format!("aws ecr get-login-password --region {} \\\n", self.region)
    }

    fn login(&self) -> String {
        format!(
            "# Log in to the UEPE registry; the password goes through stdin, never onto a command line.\n\
             {}  | docker login --username AWS --password-stdin {}\n",
            self.password_pipe(),
            self.registry.host
        )
    }

    fn mirror(&self) -> String {
        let Some(copies) = &self.mirror else {
            return "# Give --to HOST[/PATH] (and --version) to get the mirroring commands.\n"
                .into();
        };
        let pairs: Vec<(String, String)> = copies
            .iter()
            .map(|c| (c.source.image(), c.dest.image()))
            .collect();
        // The refresher's images are public: only the UEPE registry needs a login.
        let from_uepe = copies.iter().any(|c| c.component != REFRESHER);
        let multi_arch = copies.iter().any(|c| c.multi_arch);
        let mut out = String::new();
        let want = |t: &str| self.tool == "all" || self.tool == t;
        if want("skopeo") {
            out.push_str(
                "# Mirror with skopeo: --all copies every architecture; --preserve-digests makes\n\
                 # skopeo fail rather than push anything under a different digest.\n",
            );
            if from_uepe {
                out.push_str(&format!(
                    "{}  | skopeo login --username AWS --password-stdin {}\n",
                    self.password_pipe(),
                    self.registry.host
                ));
            }
            for (f, t) in &pairs {
                out.push_str(&format!(
                    "skopeo copy --all --preserve-digests docker://{f} docker://{t}\n"
                ));
            }
        }
        if want("crane") {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("# Mirror with crane: copy keeps every architecture and the digests.\n");
            if from_uepe {
                out.push_str(&format!(
                    "{}  | crane auth login {} --username AWS --password-stdin\n",
                    self.password_pipe(),
                    self.registry.host
                ));
            }
            for (f, t) in &pairs {
                out.push_str(&format!("crane copy {f} {t}\n"));
            }
        }
        if want("docker") {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str("# Mirror with plain docker (pull, tag, push).\n");
            if multi_arch {
                out.push_str(
                    "# WARNING: docker pull keeps only this machine's architecture of these\n\
                     # amd64 + arm64 images; the pushed copy is single-architecture and its\n\
                     # digests differ. Prefer skopeo or crane above.\n",
                );
            }
            if from_uepe {
                out.push_str(&format!(
                    "{}  | docker login --username AWS --password-stdin {}\n",
                    self.password_pipe(),
                    self.registry.host
                ));
            }
            for (f, t) in &pairs {
                out.push_str(&format!(
                    "docker pull {f}\ndocker tag {f} {t}\ndocker push {t}\n"
                ));
            }
        }
        out
    }

    fn secret(&self) -> String {
        // The docker config is built by printf, a shell builtin, so the
        // password never appears in a process list. `read && printf`: when
        // aws fails nothing is printed, the API server refuses the empty
        // config and the old Secret stays; `;` would store an empty password.
        let config = docker_config_printf_format(self.registry);
        let mut out = String::from(
            "# The image pull secret, the same as `kubectl create secret docker-registry`\n\
             # makes, with the password piped through stdin rather than put on a command line.\n\
             # Server-side apply: a client-side apply would copy the password into the\n\
             # last-applied-configuration annotation, which `kubectl describe` prints.\n",
        );
        for ns in self.namespaces {
            out.push_str(&format!(
                "{}  | {{ read -r p && printf '{config}' \"$p\" \"$(printf 'AWS:%s' \"$p\" | base64 | tr -d '\\n')\"; }} \\\n  \
                 | kubectl create secret generic {name} --namespace {ns} --type=kubernetes.io/dockerconfigjson \\\n      \
                 --from-file=.dockerconfigjson=/dev/stdin --dry-run=client -o yaml \\\n{}",
                self.password_pipe(),
                label_and_apply(self.name, "pull-secret"),
                name = self.name,
            ));
        }
        out
    }

    fn credentials(&self) -> String {
        if self.irsa {
            return "# No AWS keys are stored: the refresher's ServiceAccount assumes the IAM role (IRSA).\n".into();
        }
        let secret = format!("{}{LONGEST_SUFFIX}", self.name);
        let mut out = String::from(
            "# The refresher's AWS keys, read from your environment (never typed into a command line).\n\
             # Applied server-side, so pasting again (new keys) updates the Secret in place.\n",
        );
        let namespaces: &[String] = match self.runner {
            Runner::ExternalSecrets => self.namespaces,
            _ => &self.namespaces[..self.namespaces.len().min(1)],
        };
        let (from, body) = match self.runner {
            Runner::ExternalSecrets => (
                "--from-env-file=/dev/stdin",
                "access-key-id=${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}\n\
                 secret-access-key=${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}\n",
            ),
            _ => (
                "--from-file=credentials=/dev/stdin",
                "[default]\n\
                 aws_access_key_id = ${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}\n\
                 aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}\n",
            ),
        };
        for ns in namespaces {
            // The here-document is the first command's stdin; its body
            // follows the whole pipeline.
            out.push_str(&format!(
                "kubectl create secret generic {secret} --namespace {ns} {from} \\\n      \
                 --dry-run=client -o yaml <<EOF \\\n{}{body}EOF\n",
                label_and_apply(self.name, "refresher"),
            ));
        }
        out
    }
}

/// The tail of a pipe that makes a Secret: the labels the plugin's own
/// object carries (made by hand or by the plugin, it is the same object),
/// then a server-side apply by the plugin's field manager. A client-side
/// apply would copy the Secret's data into the last-applied-configuration
/// annotation, which `kubectl describe` prints.
fn label_and_apply(instance: &str, component: &str) -> String {
    let labels: Vec<String> = component_labels(instance, component)
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!(
        "  | kubectl label --local -f - {} -o yaml \\\n  \
         | kubectl apply --server-side --field-manager={FIELD_MANAGER} --force-conflicts -f -\n",
        labels.join(" ")
    )
}
