//! The `platforms`, `ecr-call`, `suggest` and user-name rules through the one entry point,
//! as every caller sends them: their JSON shapes and field errors.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::{Value, json};

fn render(req: Value) -> Result<Value, Vec<(String, String)>> {
    uepe_core::json::call(&req).map_err(|e| e.into_iter().map(|f| (f.field, f.message)).collect())
}

fn fields(req: Value) -> Vec<String> {
    render(req)
        .expect_err("rejected")
        .into_iter()
        .map(|(f, _)| f)
        .collect()
}

#[test]
fn platforms_answer_all_or_a_normalised_list() {
    assert_eq!(
        render(json!({"render": "platforms"})),
        Ok(json!({"platforms": "all"}))
    );
    assert_eq!(
        render(json!({"render": "platforms", "platform": ["linux/x86_64", "linux/arm/7"]})),
        Ok(json!({"platforms": [
            {"name": "linux/amd64", "os": "linux", "architecture": "amd64", "variants": null},
            {"name": "linux/arm/v7", "os": "linux", "architecture": "arm",
             "variants": ["v7", null]},
        ]}))
    );
    let err = render(json!({"render": "platforms", "platform": ["linux"]})).expect_err("bad");
    assert_eq!(
        err,
        [(
            "platform".to_owned(),
            "`linux` is not a platform: give os/arch[/variant] in lowercase, such as linux/arm64, or all".to_owned()
        )]
    );
    assert_eq!(
        fields(json!({"render": "platforms", "platform": "linux/amd64"})),
        ["request"]
    );
    assert_eq!(
        fields(json!({"render": "platforms", "platforms": ["all"]})),
        ["request"]
    );
}

const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

#[test]
fn ecr_request_defaults_to_get_authorization_token() {
    let v = render(json!({"render": "ecr-call", "registry": ECR})).expect("renders");
    assert_eq!(
        v["target"],
        "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
    );
    assert_eq!(v["body"], "{}");
    assert_eq!(v["known-region"], true, "eu-west-1 is an AWS region");
    assert_eq!(
        render(json!({"render": "ecr-call", "registry": ECR, "action": "GetAuthorizationToken"})),
        Ok(v)
    );
}

#[test]
fn ecr_repository_actions_name_the_account_of_the_host() {
    let v = render(json!({
        "render": "ecr-call", "registry": ECR, "endpoint-url": "http://127.0.0.1:5000",
        "action": "DescribeRepositories", "repository": "team/usage-engine-private-edition",
    }))
    .expect("renders");
    assert_eq!(v["url"], "http://127.0.0.1:5000/");
    assert_eq!(v["region"], "eu-west-1");
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(
        body,
        json!({"registryId": "123456789012",
               "repositoryNames": ["team/usage-engine-private-edition"]})
    );
    let v = render(json!({
        "render": "ecr-call", "registry": ECR, "action": "CreateRepository",
        "repository": "team/x", "scan-on-push": true,
    }))
    .expect("renders");
    let body: Value = serde_json::from_str(v["body"].as_str().expect("body")).expect("JSON body");
    assert_eq!(
        body,
        json!({"registryId": "123456789012", "repositoryName": "team/x",
               "imageTagMutability": "MUTABLE",
               "imageScanningConfiguration": {"scanOnPush": true},
               "encryptionConfiguration": {"encryptionType": "AES256"}})
    );
}

#[test]
fn ecr_request_field_errors() {
    let ecr = |extra: Value| {
        let mut req = json!({"render": "ecr-call", "registry": ECR});
        req.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        fields(req)
    };
    assert_eq!(ecr(json!({"action": "ListImages"})), ["action"]);
    assert_eq!(ecr(json!({"action": "CreateRepository"})), ["repository"]);
    assert_eq!(ecr(json!({"repository": "team/x"})), ["repository"]);
    assert_eq!(
        ecr(json!({"action": "DescribeRepositories", "repository": "a--b"})),
        ["repository"]
    );
    assert_eq!(
        ecr(
            json!({"action": "DescribeRepositories", "repository": "x/y",
                   "immutable-tags": true, "scan-on-push": true})
        ),
        ["immutable-tags", "scan-on-push"]
    );
    assert_eq!(ecr(json!({"tags": []})), ["request"]);
    assert_eq!(
        fields(
            json!({"render": "ecr-call", "registry": "x.io", "region": "eu-west-1",
                      "action": "DescribeRepositories", "repository": "x/y"})
        ),
        ["registry"]
    );
}

/// Issue 11 item 14: `AWS` is the default user name for ECR hosts only.
#[test]
fn the_user_name_defaults_to_aws_for_ecr_only() {
    let secret = |registry: &str, username: Option<&str>| {
        uepe_core::json::call(&json!({"render": "pull-secret", "registry": registry,
            "username": username, "password": "p", "output": "json"}))
        .map_err(|e| e.into_iter().map(|f| f.field).collect::<Vec<_>>())
    };
    assert!(secret("123456789012.dkr.ecr.eu-west-1.amazonaws.com", None).is_ok());
    assert_eq!(
        secret("harbor.example.com/uepe", None),
        Err(vec!["username".to_owned()])
    );
    assert!(secret("harbor.example.com/uepe", Some("robot")).is_ok());
    assert_eq!(
        fields(
            json!({"render": "docker-config", "registry": "harbor.example.com", "password": "p"})
        ),
        ["username"]
    );
}

/// Issue 11 item 3: a suggested command keeps the options its command
/// takes, leaves defaults out and refuses a command it does not know.
#[test]
fn a_suggestion_carries_the_options_its_command_takes() {
    let line = |req: Value| uepe_core::json::call(&req).expect("a line");
    assert_eq!(
        line(
            json!({"render": "suggest", "command": "commands credentials",
            "kubeconfig": "/k", "namespace": ["prod"], "name": "my-cred",
            "runner": "external-secrets", "profile": "ops", "registry": "r.example.com"})
        ),
        "kubectl uepe commands credentials -n prod --name my-cred --runner external-secrets"
    );
    assert_eq!(
        line(
            json!({"render": "suggest", "command": "doctor", "kubeconfig": "/k",
            "context": "c", "namespace": ["uepe"], "name": "ecr-cred", "registry": "r.example.com"})
        ),
        "kubectl uepe doctor --kubeconfig /k --context c --registry r.example.com"
    );
    assert_eq!(
        fields(json!({"render": "suggest", "command": "rm -rf"})),
        ["command"]
    );
}

/// Whether the core accepts `req`, whatever it renders.
fn accepted(req: Value) -> bool {
    uepe_core::json::call(&req).is_ok()
}

/// Issue 11: the choices the CLI offers are the ones the checks accept.
#[test]
fn every_offered_choice_is_accepted() {
    let c = render(json!({"render": "choices"})).unwrap();
    for runner in c["runner"].as_array().unwrap() {
        let image = (runner == "plugin").then_some("example.com/kubectl-uepe:1");
        assert!(
            accepted(json!({"render": "refresher", "runner": runner, "image": image})),
            "runner {runner}"
        );
    }
    for output in c["images-output"].as_array().unwrap() {
        assert!(accepted(
            json!({"render": "images", "version": "4.3.0", "output": output})
        ));
    }
    for section in c["section"].as_array().unwrap() {
        assert!(accepted(json!({"render": "commands", "section": section})) || section == "mirror");
    }
    for component in c["mirror-components"].as_array().unwrap() {
        let version = (component != "refresher").then_some("4.3.0");
        assert!(
            accepted(
                json!({"render": "mirror-plan", "to": "reg.example.com", "components": [component], "version": version})
            ),
            "mirror component {component}"
        );
    }
    assert_eq!(
        c["defaults"]["aws-cli-image"],
        uepe_core::render::refresher::DEFAULT_AWS_CLI_IMAGE
    );
}

/// Issue 11 item 7: the aws-cli runner's images mean nothing to another
/// runner, and `--image` nothing to aws-cli: each refused naming the runner.
#[test]
fn runner_images_only_for_their_runner() {
    for (runner, field) in [
        ("plugin", "aws-cli-image"),
        ("plugin", "kubectl-image"),
        ("external-secrets", "aws-cli-image"),
        ("external-secrets", "kubectl-image"),
    ] {
        let mut req = json!({"render": "refresher", "runner": runner, field: "example.com/x:1"});
        if runner == "plugin" {
            req["image"] = json!("example.com/kubectl-uepe:1");
        }
        assert_eq!(fields(req), [field], "{field} with --runner {runner}");
    }
    assert_eq!(
        fields(json!({"render": "refresher", "image": "example.com/kubectl-uepe:1"})),
        ["image"]
    );
    // Each with its own runner is fine.
    assert!(accepted(
        json!({"render": "refresher", "aws-cli-image": "example.com/x:1", "kubectl-image": "example.com/y:1"})
    ));
}

/// Issue 11 item 18: the refresher's images land under the destination with
/// their own path; the UEPE images need a version, the refresher's do not.
#[test]
fn mirror_plan_places_the_refresher_images() {
    let plan = render(
        json!({"render": "mirror-plan", "to": "reg.example.com/uepe", "components": ["refresher"]}),
    )
    .unwrap();
    let dests: Vec<String> = plan
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c["dest"]["repository"].as_str().unwrap(),
                c["dest"]["tag"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        dests,
        [
            "reg.example.com/uepe/aws-cli/aws-cli:2.27.0",
            "reg.example.com/uepe/kubectl:v1.34.0"
        ]
    );
    assert_eq!(
        fields(json!({"render": "mirror-plan", "to": "reg.example.com"})),
        ["version"]
    );
    assert_eq!(
        fields(
            json!({"render": "mirror-plan", "to": "reg.example.com", "version": "4.3.0", "aws-cli-image": "example.com/x:1"})
        ),
        ["aws-cli-image"]
    );
}

/// Issue 13: the STS endpoint follows the region's partition, as ECR's does,
/// from one rule; an override wins.
#[test]
fn aws_endpoints_follow_the_partition() {
    let endpoint = |region: &str, url: Option<&str>| {
        render(
            json!({"render": "aws-endpoint", "service": "sts", "region": region, "endpoint-url": url}),
        )
    };
    assert_eq!(
        endpoint("eu-west-1", None),
        Ok(json!("https://sts.eu-west-1.amazonaws.com"))
    );
    assert_eq!(
        endpoint("cn-north-1", None),
        Ok(json!("https://sts.cn-north-1.amazonaws.com.cn"))
    );
    assert_eq!(
        endpoint("us-iso-east-1", None),
        Ok(json!("https://sts.us-iso-east-1.c2s.ic.gov"))
    );
    assert_eq!(
        endpoint("eu-west-1", Some("http://127.0.0.1:5000")),
        Ok(json!("http://127.0.0.1:5000"))
    );
    assert_eq!(
        fields(json!({"render": "aws-endpoint", "service": "sts", "region": "Europe"})),
        ["region"]
    );
}

/// Issue 13: whether a registry is ECR is the core's answer, not a failed render.
#[test]
fn the_core_says_which_registries_are_ecr() {
    let info = render(json!({"render": "registry", "registry": "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/team"}))
        .expect("valid");
    assert_eq!(info["path"], "team");
    assert_eq!(
        info["server"],
        "https://123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com"
    );
    assert_eq!(info["ecr"]["account"], "123456789012");
    assert_eq!(info["ecr"]["partition"], "aws-us-gov");
    assert_eq!(info["ecr"]["fips"], true);
    let other = render(json!({"render": "registry", "registry": "harbor.example.com:8443/uepe"}))
        .expect("valid");
    assert_eq!(other["ecr"], Value::Null);
    assert_eq!(other["host"], "harbor.example.com:8443");
    assert_eq!(
        fields(json!({"render": "registry", "registry": "not a host"})),
        ["registry"]
    );
}

/// Issue 13: the Job made from a CronJob is the core's, as `kubectl create
/// job --from=cronjob/X` makes it.
#[test]
fn a_job_from_a_cron_job_keeps_the_template_and_names_its_owner() {
    let cron_job = json!({
        "apiVersion": "batch/v1", "kind": "CronJob",
        "metadata": {"name": "ecr-cred-refresher", "namespace": "uepe", "uid": "u-1"},
        "spec": {"schedule": "0 */8 * * *", "jobTemplate": {
            "metadata": {"labels": {"a": "b"}, "annotations": {"x": "y"}},
            "spec": {"backoffLimit": 2}}}
    });
    let job = render(json!({"render": "job-from-cron-job", "cron-job": cron_job.to_string(), "name": "ecr-cred-refresher-manual-abcde"}))
        .expect("a Job");
    let job: Value = serde_json::from_str(job.as_str().expect("text")).expect("JSON");
    assert_eq!(job["kind"], "Job");
    assert_eq!(job["metadata"]["namespace"], "uepe");
    assert_eq!(job["metadata"]["labels"], json!({"a": "b"}));
    assert_eq!(
        job["metadata"]["annotations"],
        json!({"x": "y", "cronjob.kubernetes.io/instantiate": "manual"})
    );
    assert_eq!(
        job["metadata"]["ownerReferences"],
        json!([{"apiVersion": "batch/v1", "kind": "CronJob", "name": "ecr-cred-refresher", "uid": "u-1", "controller": true}])
    );
    assert_eq!(job["spec"], json!({"backoffLimit": 2}));
    assert_eq!(
        fields(json!({"render": "job-from-cron-job", "cron-job": "{}", "name": "Bad_Name"})),
        ["cron-job", "name"]
    );
}

/// Issue 13: the names the shell writes to the cluster are the core's.
#[test]
fn conventions_are_the_names_the_manifests_use() {
    let c = render(json!({"render": "conventions"})).expect("names");
    let secret = render(
        json!({"render": "pull-secret", "password": "p", "expires-at": "2026-12-03T12:00:00Z"}),
    )
    .expect("yaml");
    let yaml = secret.as_str().expect("text");
    assert!(
        yaml.contains(&format!(
            "{}: ",
            c["expires-annotation"].as_str().expect("s")
        )),
        "{yaml}"
    );
    assert!(
        yaml.contains(&format!(
            "{}: pull-secret",
            c["component-label"].as_str().expect("s")
        )),
        "{yaml}"
    );
    assert_eq!(c["field-manager"], "kubectl-uepe");
}
