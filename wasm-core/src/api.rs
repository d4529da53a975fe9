//! The core's entry points: one function per function of the `decisions`
//! interface in `wit/core.wit`, with its types. The component exports
//! these (`component.rs`); native callers (the plugin's tests, the
//! examples) call them directly. Each checks its inputs, reporting every bad
//! one as a [`FieldError`], then decides.

use serde_json::{Value, json};

use crate::error::{Checker, Errors};
use crate::render::secret::EXPIRES_ANNOTATION;
use crate::render::{COMPONENT_LABEL, refresher};
use crate::types::*;
use crate::{dispatch, images, resolve, validate};

/// What a checked request answers, or every invalid input.
pub type Answer<T> = Result<T, Vec<FieldError>>;

fn answer<T>(r: Result<T, Errors>) -> Answer<T> {
    r.map_err(|e| e.errors)
}

/// The image references of a version, printed.
pub fn images(r: &ImagesRequest) -> Answer<String> {
    answer(dispatch::images(r))
}

/// A docker config JSON with one registry entry.
pub fn docker_config(r: &DockerConfigRequest) -> Answer<String> {
    answer(dispatch::docker_config(r))
}

/// The image pull Secret manifests.
pub fn pull_secret(r: &PullSecretRequest) -> Answer<String> {
    answer(dispatch::pull_secret(r))
}

/// The refresher's manifests for a runner.
pub fn refresher(r: &RefresherRequest) -> Answer<String> {
    answer(dispatch::refresher(r))
}

/// The shell commands a person would otherwise type.
pub fn commands(r: &CommandsRequest) -> Answer<String> {
    answer(dispatch::commands(r))
}

/// An ECR API call for the shell to sign and send.
pub fn ecr_call(r: &EcrCallRequest) -> Answer<AwsCall> {
    answer(dispatch::ecr_call(r))
}

/// Another AWS service's endpoint: the override when given, else the
/// regional endpoint in the region's partition.
pub fn aws_endpoint(r: &AwsEndpointRequest) -> Answer<String> {
    let mut c = Checker::default();
    let service = r.service.trim();
    if service.is_empty() || !service.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
        c.push(
            "service",
            format!("`{service}` is not an AWS service name such as sts"),
        );
    }
    let region = c.check("region", validate::region(r.region.trim()));
    let endpoint = given(&r.endpoint_url).and_then(|u| c.check("endpoint-url", endpoint_url(u)));
    answer(c.finish())?;
    Ok(match (endpoint, region) {
        (Some(u), _) => u,
        (None, Some(region)) => {
            let (_, dns_suffix) = crate::regions::partition(&region);
            format!("https://{service}.{region}.{dns_suffix}")
        }
        (None, None) => String::new(),
    })
}

/// An endpoint override as the AWS SDKs take it.
pub(crate) fn endpoint_url(u: &str) -> Result<String, String> {
    let ok =
        (u.starts_with("https://") || u.starts_with("http://")) && !u.contains(char::is_whitespace);
    if ok {
        Ok(u.to_owned())
    } else {
        Err(format!(
            "`{u}` is not an endpoint URL: expected https://HOST[:PORT]"
        ))
    }
}

/// What a registry (`HOST[/PATH]`) is, and whether it is ECR.
pub fn registry(registry: &str) -> Answer<RegistryInfo> {
    let mut c = Checker::default();
    let checked = resolve::registry(&mut c, "registry", &Some(registry.to_owned()));
    answer(c.finish())?;
    let r = checked.unwrap_or_else(images::Registry::vendor);
    let ecr = r.ecr().map(|e| EcrRegistry {
        partition: crate::regions::partition(&e.region).0.to_owned(),
        fips: r.host.contains(".dkr.ecr-fips."),
        known_region: crate::regions::exists(&e.region),
        account: e.account,
        region: e.region,
    });
    Ok(RegistryInfo {
        server: r.server(),
        host: r.host,
        path: r.path,
        ecr,
    })
}

/// The platforms a mirror copies.
pub fn platforms(r: &PlatformsRequest) -> Answer<PlatformChoice> {
    answer(dispatch::platforms(r))
}

/// The copies of a mirror.
pub fn mirror_plan(r: &MirrorPlanRequest) -> Answer<Vec<MirrorCopy>> {
    answer(dispatch::mirror_plan(r))
}

/// A `kubectl uepe` command line carrying the options given.
pub fn suggest(r: &SuggestRequest) -> Answer<String> {
    answer(dispatch::suggest(r))
}

/// The default of every input, and the values each choice accepts.
pub fn choices() -> ChoiceSet {
    dispatch::choices()
}

/// The names the shell writes to and reads from the cluster.
pub fn conventions() -> ClusterNames {
    ClusterNames {
        field_manager: refresher::FIELD_MANAGER.into(),
        expires_annotation: EXPIRES_ANNOTATION.into(),
        component_label: COMPONENT_LABEL.into(),
    }
}

/// What install may create for a pull secret.
pub fn inventory(r: &InventoryRequest) -> Answer<RefresherInventory> {
    let mut c = Checker::default();
    let namespaces = resolve::namespaces(&mut c, &r.namespace);
    let name = resolve::secret_name(&mut c, &r.name).and_then(|n| {
        c.check(
            "name",
            validate::base_name(&n, refresher::LONGEST_SUFFIX.len()),
        )
    });
    answer(c.finish())?;
    Ok(crate::inventory::of(&namespaces, &name.unwrap_or_default()))
}

/// A Job made from a CronJob's template, as `kubectl create job
/// --from=cronjob/X` makes it: the template's labels and annotations plus
/// `cronjob.kubernetes.io/instantiate: manual`, and a controller owner
/// reference without blockOwnerDeletion.
pub fn job_from_cron_job(r: &JobRequest) -> Answer<String> {
    let mut c = Checker::default();
    let cj: Option<Value> = c.check(
        "cron-job",
        serde_json::from_str::<Value>(&r.cron_job)
            .ok()
            .filter(|v| v["kind"] == "CronJob" && v["spec"]["jobTemplate"].is_object())
            .ok_or_else(|| {
                "not a CronJob with a job template, as the API server returns it".into()
            }),
    );
    let name = c.check("name", validate::dns_subdomain("Job name", &r.name));
    answer(c.finish())?;
    let (Some(cj), Some(name)) = (cj, name) else {
        return Err(vec![internal()]);
    };
    let tpl = &cj["spec"]["jobTemplate"];
    let mut annotations = tpl["metadata"]["annotations"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
    Ok(crate::render::output::json(&json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": name,
            "namespace": cj["metadata"]["namespace"],
            "labels": tpl["metadata"]["labels"],
            "annotations": annotations,
            "ownerReferences": [{
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": cj["metadata"]["name"],
                "uid": cj["metadata"]["uid"],
                "controller": true,
            }],
        },
        "spec": tpl["spec"],
    })))
}

/// The core's version (the crate version).
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

fn internal() -> FieldError {
    FieldError {
        field: "request".into(),
        message: "internal: a checked input is missing".into(),
    }
}
