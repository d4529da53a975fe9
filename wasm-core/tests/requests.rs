//! The `platforms`, `ecr-request`, `suggest` and user-name rules through the one entry point,
//! as every caller sends them: their JSON shapes and field errors.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use serde_json::{Value, json};

fn render(req: Value) -> Result<Value, Vec<(String, String)>> {
    uepe_core::render(&req.to_string())
        .map(|text| serde_json::from_str(&text).expect("JSON answer"))
        .map_err(|e| e.errors.into_iter().map(|f| (f.field, f.message)).collect())
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
            {"name": "linux/amd64", "os": "linux", "architecture": "amd64"},
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
    let v = render(json!({"render": "ecr-request", "registry": ECR})).expect("renders");
    assert_eq!(
        v["target"],
        "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
    );
    assert_eq!(v["body"], "{}");
    assert_eq!(v["knownRegion"], true, "eu-west-1 is an AWS region");
    assert_eq!(
        render(
            json!({"render": "ecr-request", "registry": ECR, "action": "GetAuthorizationToken"})
        ),
        Ok(v)
    );
}

#[test]
fn ecr_repository_actions_name_the_account_of_the_host() {
    let v = render(json!({
        "render": "ecr-request", "registry": ECR, "endpoint-url": "http://127.0.0.1:5000",
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
        "render": "ecr-request", "registry": ECR, "action": "CreateRepository",
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
        let mut req = json!({"render": "ecr-request", "registry": ECR});
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
            json!({"render": "ecr-request", "registry": "x.io", "region": "eu-west-1",
                      "action": "DescribeRepositories", "repository": "x/y"})
        ),
        ["registry"]
    );
}

/// Issue 11 item 14: `AWS` is the default user name for ECR hosts only.
#[test]
fn the_user_name_defaults_to_aws_for_ecr_only() {
    let secret = |registry: &str, username: Option<&str>| {
        uepe_core::render(
            &json!({"render": "pull-secret", "registry": registry, "username": username,
                "password": "p", "output": "json"})
            .to_string(),
        )
        .map_err(|e| e.errors.into_iter().map(|f| f.field).collect::<Vec<_>>())
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
    let line = |req: Value| uepe_core::render(&req.to_string()).expect("a line");
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
    uepe_core::render(&req.to_string()).is_ok()
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
    for output in c["output"]["images"].as_array().unwrap() {
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
