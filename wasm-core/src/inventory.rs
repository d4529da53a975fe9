//! What `cronjob install` may create for one pull secret, for the commands
//! that find, run, check or remove it (`cronjob status|run|uninstall`,
//! `doctor`). Taken from the very rendering install applies, for every
//! runner, so an object added to a runner is found and removed without a
//! second list to keep in step.

use serde_json::Value;

use crate::images::Registry;
use crate::render::refresher::{
    DEFAULT_AWS_CLI_IMAGE, DEFAULT_KUBECTL_IMAGE, LONGEST_SUFFIX, Refresher, Runner,
};
use crate::render::secret::PullSecret;
use crate::render::{COMPONENT_LABEL, component_labels};
use crate::resolve::DEFAULT_SCHEDULE;
use crate::types::{AwsKeys, CrdRequirement, ObjectRef, RefresherInventory, RefresherKind};

/// The inventory of pull secret `name` in `namespaces` (checked, non-empty;
/// the first hosts the refresher).
pub fn of(namespaces: &[String], name: &str) -> RefresherInventory {
    let mut objects: Vec<(Value, Vec<&'static str>)> = Vec::new();
    for runner in Runner::NAMES.map(Runner::from_name) {
        for o in every_object(runner, namespaces, name) {
            // Runners share objects (the pull Secrets; aws-cli and plugin the
            // CronJob): each is listed once, with every runner that makes it.
            match objects
                .iter_mut()
                .find(|(seen, _)| identity(seen) == identity(&o))
            {
                Some((_, runners)) => runners.push(runner.name()),
                None => objects.push((o, vec![runner.name()])),
            }
        }
    }
    let home = namespaces.first().cloned().unwrap_or_default();
    let of_kind = |kind: &str| {
        objects
            .iter()
            .map(|(o, _)| identity(o))
            .find(|r| r.kind == kind && r.namespace == home)
            .unwrap_or_default()
    };
    let part = |o: &Value, component: &str| o["metadata"]["labels"][COMPONENT_LABEL] == component;
    let mut kinds: Vec<RefresherKind> = Vec::new();
    for (o, runners) in objects.iter().filter(|(o, _)| part(o, "refresher")) {
        let r = identity(o);
        match kinds
            .iter_mut()
            .find(|k| k.api_version == r.api_version && k.kind == r.kind)
        {
            Some(k) => {
                for runner in runners {
                    if !k.runners.iter().any(|seen| seen == runner) {
                        k.runners.push((*runner).to_owned());
                    }
                }
            }
            None => kinds.push(RefresherKind {
                crd: crd(&r.api_version, &r.kind),
                api_version: r.api_version,
                kind: r.kind,
                runners: runners.iter().map(|s| (*s).to_owned()).collect(),
            }),
        }
    }
    // Dependents first: the reverse of apply order.
    kinds.reverse();
    let required_crds = Runner::NAMES
        .iter()
        .filter_map(|runner| {
            let crds: Vec<String> = kinds
                .iter()
                .filter(|k| k.runners.iter().any(|r| r == runner))
                .filter_map(|k| k.crd.clone())
                .collect();
            (!crds.is_empty()).then(|| CrdRequirement {
                runner: (*runner).to_owned(),
                // Only the external-secrets runner's kinds are served by CRDs.
                provider: crate::render::eso::PROVIDER.to_owned(),
                crds,
                fix: format!(
                    "{} or choose --runner {}",
                    crate::render::eso::INSTALL,
                    Runner::NAMES[0]
                ),
            })
        })
        .collect();
    let mut all_namespaces = namespaces.to_vec();
    all_namespaces.sort();
    all_namespaces.dedup();
    RefresherInventory {
        cron_job: of_kind("CronJob"),
        external_secret: of_kind("ExternalSecret"),
        credentials_secret: ObjectRef {
            api_version: "v1".into(),
            kind: "Secret".into(),
            namespace: home.clone(),
            name: format!("{name}{LONGEST_SUFFIX}"),
        },
        pull_secrets: objects
            .iter()
            .filter(|(o, _)| part(o, "pull-secret"))
            .map(|(o, _)| identity(o))
            .collect(),
        refresher_kinds: kinds,
        selector: component_labels(name, "refresher").into_iter().collect(),
        required_crds,
        namespaces: all_namespaces,
        home,
    }
}

/// Every object `runner` may make: placeholders stand in for the inputs
/// that only add objects (keys, a password, the plugin image); nothing
/// rendered here is applied.
fn every_object(runner: Runner, namespaces: &[String], name: &str) -> Vec<Value> {
    let registry = Registry::vendor();
    let region = registry.ecr().map(|e| e.region).unwrap_or_default();
    let keys = AwsKeys {
        access_key_id: "placeholder".into(),
        secret_access_key: "placeholder".into(),
        session_token: None,
    };
    // The default schedule always parses; an empty list is the safe answer
    // if it ever did not.
    let Ok(schedule) = crate::cron::schedule(DEFAULT_SCHEDULE) else {
        return Vec::new();
    };
    Refresher {
        runner,
        namespaces,
        secret_name: name,
        registry: &registry,
        region: &region,
        schedule: &schedule,
        role_arn: None,
        aws_cli_image: DEFAULT_AWS_CLI_IMAGE,
        kubectl_image: DEFAULT_KUBECTL_IMAGE,
        plugin_image: Some("placeholder.invalid/kubectl-uepe:v0"),
        credentials: Some(&keys),
        pull_secret: Some(PullSecret {
            name,
            registry: &registry,
            username: crate::resolve::DEFAULT_USERNAME,
            password: "placeholder",
            expires_at: None,
        }),
    }
    .objects()
}

fn identity(o: &Value) -> ObjectRef {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    ObjectRef {
        api_version: s(&o["apiVersion"]),
        kind: s(&o["kind"]),
        namespace: s(&o["metadata"]["namespace"]),
        name: s(&o["metadata"]["name"]),
    }
}

/// The CRD serving a kind outside Kubernetes' own API groups (those with no
/// dot, and `*.k8s.io`), named as the API server names CRDs:
/// `<plural>.<group>`, the plural being the lowercase kind plus `s` for
/// every kind the refresher uses.
fn crd(api_version: &str, kind: &str) -> Option<String> {
    let (group, _) = api_version.split_once('/')?;
    if !group.contains('.') || group.ends_with(".k8s.io") {
        return None;
    }
    Some(format!("{}s.{group}", kind.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inventory(namespaces: &[&str]) -> RefresherInventory {
        let ns: Vec<String> = namespaces.iter().map(|s| (*s).to_owned()).collect();
        of(&ns, "ecr-cred")
    }

    #[test]
    fn names_every_object_install_may_create() {
        let inv = inventory(&["uepe", "other"]);
        assert_eq!(inv.home, "uepe");
        assert_eq!(inv.namespaces, ["other", "uepe"]);
        assert_eq!(
            (inv.cron_job.kind.as_str(), inv.cron_job.name.as_str()),
            ("CronJob", "ecr-cred-refresher")
        );
        assert_eq!(inv.external_secret.kind, "ExternalSecret");
        assert_eq!(inv.external_secret.namespace, "uepe");
        assert_eq!(inv.credentials_secret.name, "ecr-cred-refresher-aws");
        let secrets: Vec<(&str, &str)> = inv
            .pull_secrets
            .iter()
            .map(|r| (r.namespace.as_str(), r.name.as_str()))
            .collect();
        assert_eq!(secrets, [("uepe", "ecr-cred"), ("other", "ecr-cred")]);
    }

    #[test]
    fn kinds_come_dependents_first_with_their_crds() {
        let inv = inventory(&["uepe"]);
        let kinds: Vec<&str> = inv
            .refresher_kinds
            .iter()
            .map(|k| k.kind.as_str())
            .collect();
        assert_eq!(
            kinds,
            [
                "ExternalSecret",
                "ECRAuthorizationToken",
                "CronJob",
                "RoleBinding",
                "Role",
                "ServiceAccount",
                "Secret"
            ]
        );
        let crds: Vec<Option<&str>> = inv
            .refresher_kinds
            .iter()
            .map(|k| k.crd.as_deref())
            .collect();
        assert_eq!(crds[0], Some("externalsecrets.external-secrets.io"));
        assert_eq!(
            crds[1],
            Some("ecrauthorizationtokens.generators.external-secrets.io")
        );
        assert!(crds[2..].iter().all(Option::is_none), "{crds:?}");
        let [need] = inv.required_crds.as_slice() else {
            panic!("one runner needs CRDs: {:?}", inv.required_crds);
        };
        assert_eq!(need.runner, "external-secrets");
        assert_eq!(
            need.crds,
            [
                "externalsecrets.external-secrets.io",
                "ecrauthorizationtokens.generators.external-secrets.io"
            ]
        );
        assert_eq!(need.provider, "External Secrets Operator");
        assert!(
            need.fix.ends_with("or choose --runner aws-cli"),
            "{}",
            need.fix
        );
        let cron = &inv.refresher_kinds[2];
        assert_eq!(cron.runners, ["aws-cli", "plugin"]);
    }

    #[test]
    fn the_selector_is_the_refresher_labels() {
        let inv = inventory(&["uepe"]);
        assert!(
            inv.selector
                .contains(&(COMPONENT_LABEL.to_owned(), "refresher".to_owned()))
        );
        assert!(inv.selector.contains(&(
            "app.kubernetes.io/instance".to_owned(),
            "ecr-cred".to_owned()
        )));
    }
}
