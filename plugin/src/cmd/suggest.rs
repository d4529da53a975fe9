//! The one place the plugin gets a `kubectl uepe ...` line to print in a
//! note, an error or a "what next" hint. It hands the core everything the
//! user gave; the core keeps what the suggested command takes and leaves
//! defaults out (`suggest`), so a pasted suggestion acts on the same
//! namespaces, secret, runner and cluster as the command that printed it.

use crate::cli::SecretTarget;
use crate::cluster::Connect;
use crate::core::{Core, SuggestRequest};
use crate::error::Error;

/// The options the user gave, as far as a suggestion may carry them.
#[derive(Debug, Default, Clone)]
pub struct Given {
    /// `--kubeconfig`.
    pub kubeconfig: Option<String>,
    /// `--context`.
    pub context: Option<String>,
    /// `-n`, as typed.
    pub namespace: Vec<String>,
    /// `--name`.
    pub name: Option<String>,
    /// `--registry`.
    pub registry: Option<String>,
    /// `--username`.
    pub username: Option<String>,
    /// `--runner`.
    pub runner: Option<String>,
    /// `--role-arn`.
    pub role_arn: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--service-account`.
    pub service_account: Option<String>,
}

impl Given {
    /// The cluster and pull secret a command was pointed at.
    pub fn of(connect: &Connect, t: &SecretTarget) -> Self {
        Self {
            kubeconfig: connect.kubeconfig.clone(),
            context: connect.context.clone(),
            namespace: t.namespace.clone(),
            name: t.name.clone(),
            ..Self::default()
        }
    }

    /// The same, in other namespaces.
    pub fn in_namespaces(&self, namespace: &[String]) -> Self {
        Self {
            namespace: namespace.to_vec(),
            ..self.clone()
        }
    }

    /// `kubectl uepe COMMAND ...` with the options `command` takes.
    pub fn line(&self, core: &Core, command: &str) -> Result<String, Error> {
        Ok(core.suggest(&SuggestRequest {
            command: command.to_owned(),
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            registry: self.registry.clone(),
            username: self.username.clone(),
            runner: self.runner.clone(),
            role_arn: self.role_arn.clone(),
            region: self.region.clone(),
            profile: self.profile.clone(),
            service_account: self.service_account.clone(),
        })?)
    }
}
