//! The embedded component: it renders exactly as the pure crate does, it
//! imports nothing, and `version -o json` describes it.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use super::{
    FAKE_KEY_ID, FAKE_PASSWORD, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN, MIRROR, PLUGIN_IMAGE, ROLE,
    redact,
};
use crate::support;

/// Field errors as (field, message) pairs, for comparing both sides.
type Fields = Vec<(String, String)>;

/// The pure crate's answer to a request spelt as JSON (`render` names the
/// function): text answers as a JSON string, typed ones as their fields.
fn pure_render(request: &Value) -> Result<Value, Fields> {
    uepe_core::json::call(request)
        .map_err(|e| e.into_iter().map(|f| (f.field, f.message)).collect())
}

/// `key-name` to `key_name` (or back) in every object of `v`: the pure
/// crate's types name fields as the CLI's flags, the host's as Rust does.
fn rename_keys(v: Value, from: char, to: char) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k.replace(from, &to.to_string()), rename_keys(v, from, to)))
                .collect(),
        ),
        Value::Array(l) => Value::Array(l.into_iter().map(|v| rename_keys(v, from, to)).collect()),
        v => v,
    }
}

/// The host's type for a request, through the pure crate's (which fills in
/// what the JSON leaves out), so both sides get the same typed request.
fn host<P, H>(fields: &Value) -> H
where
    P: serde::de::DeserializeOwned + serde::Serialize,
    H: serde::de::DeserializeOwned,
{
    let pure: P = serde_json::from_value(fields.clone()).expect("the pure side took it");
    let spelt = serde_json::to_value(pure).expect("serialize");
    serde_json::from_value(rename_keys(spelt, '-', '_')).expect("the host's type")
}

/// A typed answer of the component, spelt as the pure crate spells it.
fn spelt<T: serde::Serialize>(answer: T) -> Value {
    rename_keys(serde_json::to_value(answer).expect("serialize"), '_', '-')
}

/// The component's answer to the same request, called through the typed
/// host bindings the plugin uses.
fn component_render(core: &kubectl_uepe::core::Core, request: &Value) -> Result<Value, Fields> {
    use kubectl_uepe::core::PlatformChoice;
    use uepe_core::types as pure;

    let mut fields = request.clone();
    let name = fields
        .as_object_mut()
        .and_then(|m| m.remove("render"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let f = &fields;
    let text = |s: String| Value::String(s);
    let answer = match name.as_str() {
        "images" => core.images(&host::<pure::ImagesRequest, _>(f)).map(text),
        "docker-config" => core
            .docker_config(&host::<pure::DockerConfigRequest, _>(f))
            .map(text),
        "pull-secret" => core
            .pull_secret(&host::<pure::PullSecretRequest, _>(f))
            .map(text),
        "refresher" => core
            .refresher(&host::<pure::RefresherRequest, _>(f))
            .map(text),
        "commands" => core
            .commands(&host::<pure::CommandsRequest, _>(f))
            .map(text),
        "suggest" => core.suggest(&host::<pure::SuggestRequest, _>(f)).map(text),
        "job-from-cron-job" => core
            .job_from_cron_job(&host::<pure::JobRequest, _>(f))
            .map(text),
        "aws-endpoint" => core
            .aws_endpoint(&host::<pure::AwsEndpointRequest, _>(f))
            .map(text),
        "ecr-call" => core
            .ecr_call(&host::<pure::EcrCallRequest, _>(f))
            .map(spelt),
        "mirror-plan" => core
            .mirror_plan(&host::<pure::MirrorPlanRequest, _>(f))
            .map(spelt),
        "inventory" => core
            .inventory(&host::<pure::InventoryRequest, _>(f))
            .map(spelt),
        "registry" => core
            .registry(f["registry"].as_str().unwrap_or_default())
            .map(spelt),
        "choices" => core.choices().map(spelt),
        "conventions" => core.conventions().map(spelt),
        "platforms" => core
            .platforms(&host::<pure::PlatformsRequest, _>(f))
            .map(|c| match c {
                PlatformChoice::All => json!({ "platforms": "all" }),
                PlatformChoice::Only(list) => json!({ "platforms": spelt(list) }),
            }),
        other => panic!("no function {other} in the component"),
    };
    match answer {
        Ok(v) => Ok(v),
        Err(kubectl_uepe::core::CoreError::Invalid(errors)) => {
            Err(errors.into_iter().map(|f| (f.field, f.message)).collect())
        }
        Err(other) => panic!("the component failed to run on {request}: {other}"),
    }
}

/// A broad set of requests, valid and invalid, for every rendering.
fn requests() -> Vec<Value> {
    let mut out = Vec::new();
    let opt = |v: &str| if v == "-" { Value::Null } else { json!(v) };
    for version in ["4.3.0", "3.0.2", "v4.1.2", "3.1.0", "4.3", "", "latest"] {
        for registry in [
            "-",
            "",
            MIRROR,
            "127.0.0.1:5000",
            "[::1]:5000/x",
            "https://x.io",
        ] {
            for output in ["-", "table", "json", "yaml", "name", "xml"] {
                out.push(json!({
                    "render": "images", "version": version, "registry": opt(registry),
                    "output": opt(output),
                }));
            }
        }
    }
    for components in [
        json!([]),
        json!(["ec", "ui"]),
        json!(["db"]),
        json!(["platform,ec"]),
    ] {
        out.push(json!({"render": "images", "version": "4.3.0", "components": components}));
    }
    for registry in ["-", MIRROR, "x..io"] {
        for (user, password) in [
            ("-", FAKE_PASSWORD),
            ("AWS", ""),
            ("a:b", FAKE_PASSWORD),
            ("u", " p"),
        ] {
            out.push(json!({
                "render": "docker-config", "registry": opt(registry), "username": opt(user),
                "password": password,
            }));
            out.push(json!({
                "render": "docker-config", "registry": opt(registry), "username": opt(user),
                "password": password, "style": "docker",
            }));
        }
    }
    let namespace_sets = [
        json!([]),
        json!(["a"]),
        json!(["a,b", "c"]),
        json!(["a", "a"]),
        json!(["Bad"]),
        json!([","]),
    ];
    for namespace in &namespace_sets {
        for name in ["-", "uepe-pull", "Bad"] {
            for output in ["-", "yaml", "json", "name", "table"] {
                for password in [FAKE_PASSWORD, ""] {
                    out.push(json!({
                        "render": "pull-secret", "namespace": namespace, "name": opt(name),
                        "password": password, "output": opt(output),
                    }));
                }
            }
        }
        out.push(json!({
            "render": "pull-secret", "namespace": namespace, "password": FAKE_PASSWORD,
            "registry": MIRROR, "expires-at": "2026-11-28T20:00:00Z",
        }));
    }
    out.push(json!({"render": "pull-secret", "password": FAKE_PASSWORD, "expires-at": "tomorrow"}));
    let keys = json!({"access-key-id": FAKE_KEY_ID, "secret-access-key": FAKE_SECRET_KEY});
    let keys_token = json!({
        "access-key-id": FAKE_KEY_ID, "secret-access-key": FAKE_SECRET_KEY,
        "session-token": FAKE_SESSION_TOKEN,
    });
    let bad_keys = json!({"access-key-id": "", "secret-access-key": FAKE_SECRET_KEY});
    for runner in ["-", "aws-cli", "plugin", "external-secrets", "helm"] {
        for role_arn in ["-", ROLE, "role/x"] {
            for credentials in [
                Value::Null,
                keys.clone(),
                keys_token.clone(),
                bad_keys.clone(),
            ] {
                for password in [Value::Null, json!(FAKE_PASSWORD)] {
                    for output in ["-", "json", "name"] {
                        let image = if runner == "plugin" {
                            json!(PLUGIN_IMAGE)
                        } else {
                            Value::Null
                        };
                        out.push(json!({
                            "render": "refresher", "runner": opt(runner), "role-arn": opt(role_arn),
                            "credentials": credentials, "password": password, "output": opt(output),
                            "image": image, "namespace": ["uepe", "uepe-test"],
                        }));
                    }
                }
            }
        }
    }
    for schedule in [
        "0 */8 * * *",
        "*/30 * * * *",
        "@hourly",
        "30 1,9,17 * * *",
        "0 0,11,20 * * *",
        "0 0,12 * * *",
        "@daily",
        "0 */8 * * 1-5",
        "0 */13 * * *",
        "61 * * * *",
        "@every 1h",
        "",
    ] {
        out.push(json!({"render": "refresher", "schedule": schedule}));
    }
    for (registry, region) in [
        ("-", "-"),
        (MIRROR, "-"),
        (MIRROR, "us-east-1"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com", "-"),
        ("-", "EU"),
    ] {
        out.push(json!({"render": "refresher", "registry": opt(registry), "region": opt(region)}));
        out.push(json!({"render": "ecr-call", "registry": opt(registry), "region": opt(region)}));
        out.push(json!({"render": "commands", "section": "login", "registry": opt(registry), "region": opt(region)}));
    }
    for (aws_cli, kubectl, image) in [
        (
            "public.ecr.aws/aws-cli/aws-cli:2.31.0",
            "registry.k8s.io/kubectl:v1.33.4",
            "-",
        ),
        ("x.io/y", "-", "-"),
        ("-", "x.io/y:latest", "-"),
        ("-", "-", PLUGIN_IMAGE),
    ] {
        out.push(json!({
            "render": "refresher", "aws-cli-image": opt(aws_cli), "kubectl-image": opt(kubectl),
            "image": opt(image), "expires-at": "2026-11-28T20:00:00Z", "password": FAKE_PASSWORD,
        }));
    }
    for section in [
        "-",
        "all",
        "login",
        "mirror",
        "secret",
        "credentials",
        "nope",
    ] {
        for tool in ["-", "skopeo", "crane", "docker", "podman"] {
            for (version, to) in [
                ("-", "-"),
                ("4.3.0", MIRROR),
                ("3.0.2", "127.0.0.1:5000"),
                ("4.3", "x.io/A"),
            ] {
                out.push(json!({
                    "render": "commands", "section": opt(section), "tool": opt(tool),
                    "version": opt(version), "to": opt(to),
                }));
            }
        }
        for runner in ["aws-cli", "plugin", "external-secrets"] {
            for role_arn in ["-", ROLE] {
                out.push(json!({
                    "render": "commands", "section": opt(section), "runner": runner,
                    "role-arn": opt(role_arn), "namespace": ["a,b"], "name": "uepe-pull",
                }));
            }
        }
    }
    for platform in [
        json!([]),
        json!(["all"]),
        json!(["linux/arm64,linux/amd64", "linux/arm64"]),
        json!(["linux/aarch64/8", "linux/arm/7", "windows/x86_64"]),
        json!(["linux"]),
        json!(["all,linux/amd64"]),
    ] {
        out.push(json!({"render": "platforms", "platform": platform}));
    }
    for (action, repository) in [
        ("GetAuthorizationToken", "-"),
        ("DescribeRepositories", "team/usage-engine-private-edition"),
        ("CreateRepository", "team/usage-engine-private-edition"),
        ("CreateRepository", "a--b"),
        ("CreateRepository", "-"),
        ("ListImages", "-"),
    ] {
        for registry in ["123456789012.dkr.ecr.us-east-1.amazonaws.com", MIRROR] {
            for settings in [false, true] {
                out.push(json!({
                    "render": "ecr-call", "registry": registry, "region": "us-east-1",
                    "action": action, "repository": opt(repository),
                    "immutable-tags": settings, "scan-on-push": settings,
                }));
            }
        }
    }
    // The new questions: what a registry is, the STS endpoint, the
    // refresher's inventory, a Job from a CronJob, a suggested command.
    for registry in [
        "",
        MIRROR,
        "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x",
        "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
        "x..io",
    ] {
        out.push(json!({"render": "registry", "registry": registry}));
    }
    for (region, url) in [
        ("us-east-1", "-"),
        ("cn-north-1", "-"),
        ("us-gov-west-1", "-"),
        ("EU", "-"),
        ("eu-west-1", "http://127.0.0.1:5000"),
        ("eu-west-1", "ftp://x"),
    ] {
        out.push(json!({"render": "aws-endpoint", "service": "sts", "region": region, "endpoint-url": opt(url)}));
    }
    for namespace in &namespace_sets {
        for name in ["-", "uepe-pull", "Bad"] {
            out.push(json!({"render": "inventory", "namespace": namespace, "name": opt(name)}));
        }
    }
    let cron_job = json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "ecr-cred-refresher", "namespace": "uepe", "uid": "u-1"},
        "spec": {"jobTemplate": {"metadata": {"labels": {"a": "b"}}, "spec": {"template": {}}}},
    });
    for (cj, name) in [
        (cron_job.to_string(), "ecr-cred-refresher-manual-abcde"),
        (cron_job.to_string(), "Bad_Name"),
        ("{}".to_owned(), "x"),
    ] {
        out.push(json!({"render": "job-from-cron-job", "cron-job": cj, "name": name}));
    }
    for command in ["doctor", "cronjob install", "commands credentials", "nope"] {
        out.push(json!({
            "render": "suggest", "command": command, "namespace": ["a,b"], "name": "uepe-pull",
            "runner": "external-secrets", "context": "c",
        }));
    }
    for (version, to, components) in [
        ("4.3.0", MIRROR, json!([])),
        ("4.3.0", "-", json!([])),
        ("-", MIRROR, json!(["refresher"])),
        ("4.3", MIRROR, json!(["db"])),
    ] {
        out.push(json!({
            "render": "mirror-plan", "version": opt(version), "to": opt(to), "components": components,
        }));
    }
    out.push(json!({"render": "choices"}));
    out.push(json!({"render": "conventions"}));
    out
}

/// Host and core cannot drift: the embedded component gives, byte for byte,
/// what the pure crate gives for the same request (issue 2).
#[test]
fn component_renders_exactly_as_the_pure_crate() {
    let core = kubectl_uepe::core::Core::load().expect("load the embedded component");
    let requests = requests();
    let (mut ok, mut refused) = (0, 0);
    let mut drift = Vec::new();
    for request in &requests {
        let pure = pure_render(request);
        let component = component_render(&core, request);
        match &pure {
            Ok(_) => ok += 1,
            Err(fields) => {
                refused += 1;
                assert!(!fields.is_empty(), "an error without fields for {request}");
            }
        }
        if pure != component {
            drift.push(format!(
                "request {}\n  pure:      {}\n  component: {}",
                redact(&request.to_string()),
                redact(&format!("{pure:?}")),
                redact(&format!("{component:?}"))
            ));
        }
    }
    assert!(
        drift.is_empty(),
        "{} of {} requests render differently:\n{}",
        drift.len(),
        requests.len(),
        drift.join("\n")
    );
    // The set must exercise both sides of every rendering.
    assert!(
        ok >= 300 && refused >= 300,
        "{ok} rendered, {refused} refused"
    );
}

/// Issue 2 / DESIGN.md "The component imports nothing": the outer component
/// imports nothing, and no core module inside it imports anything. (Nested
/// components that wit-component adds to give the exports their types do
/// import functions, but only ones their parent hands them: with nothing
/// imported at the top, everything they get is the component's own.)
#[test]
fn component_imports_nothing() {
    use wasmparser::{Encoding, Imports, Parser, Payload, Validator, WasmFeatures};

    let bytes = std::fs::read(support::component_path()).expect("read the component");
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&bytes)
        .expect("the component validates");
    let mut outer = None;
    let mut depth = 0usize;
    let mut component_imports = Vec::new();
    let mut module_imports = Vec::new();
    let mut modules = 0;
    for payload in Parser::new(0).parse_all(&bytes) {
        match payload.expect("parse the component") {
            Payload::Version { encoding, .. } => {
                outer.get_or_insert(encoding);
            }
            // The payloads of a nested module or component follow, up to its End.
            Payload::ModuleSection { .. } => {
                modules += 1;
                depth += 1;
            }
            Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(section) if depth == 0 => {
                for import in section {
                    component_imports.push(import.expect("import").name.name.to_owned());
                }
            }
            Payload::ImportSection(section) => {
                for group in section {
                    module_imports.push(match group.expect("import") {
                        Imports::Single(_, i) => format!("{}::{}", i.module, i.name),
                        Imports::Compact1 { module, .. } | Imports::Compact2 { module, .. } => {
                            format!("{module}::*")
                        }
                    });
                }
            }
            _ => {}
        }
    }
    assert_eq!(outer, Some(Encoding::Component), "not a component");
    assert!(modules >= 1, "no core module inside: the walk saw nothing");
    assert_eq!(component_imports, Vec::<String>::new(), "component imports");
    assert_eq!(module_imports, Vec::<String>::new(), "core module imports");
}

/// `version -o json` has the documented shape, and its sha256, size and
/// imports describe the very component file the build made.
#[test]
fn version_json_describes_the_embedded_component() {
    use sha2::{Digest, Sha256};

    let bytes = std::fs::read(support::component_path()).expect("read the component");
    let sha256: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let v: Value = serde_json::from_str(&support::ok(&["version", "-o", "json"])).expect("JSON");
    let top: BTreeSet<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(top, BTreeSet::from(["version", "core"]), "{v}");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    let core = v["core"].as_object().expect("core object");
    for key in ["sha256", "size", "imports"] {
        assert!(core.contains_key(key), "core.{key} missing: {v}");
    }
    assert_eq!(v["core"]["sha256"], sha256.as_str());
    assert_eq!(v["core"]["size"], bytes.len() as u64);
    assert_eq!(v["core"]["imports"], json!([]));
    let text = support::ok(&["version"]);
    assert_contains!(text, &sha256, "`version` shows the sha256");
    assert_contains!(text, "imports: none");
}
