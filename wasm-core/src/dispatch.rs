//! One function per rendering request: check every input (collecting all
//! field errors), then hand the checked values to a renderer. `api.rs`
//! exposes them.

use crate::error::{Checker, Errors};
use crate::images::{self, Registry};
use crate::render::commands::{self, Commands};
use crate::render::ecr;
use crate::render::output::{self, Format};
use crate::render::refresher::{self, Refresher, Runner};
use crate::render::secret::{PullSecret, docker_config_json, docker_login_json};
use crate::render::suggest;
use crate::resolve::{self, DEFAULT_SCHEDULE, DEFAULT_USERNAME};
use crate::types::{
    AwsCall, ChoiceSet, CommandsRequest, Defaults, DockerConfigRequest, EcrCallRequest,
    ImagesRequest, MirrorCopy, MirrorPlanRequest, PlatformChoice, PlatformsRequest,
    PullSecretRequest, RefresherRequest, SuggestRequest, given,
};
use crate::{cron, mirror, platform, validate};

pub fn images(i: &ImagesRequest) -> Result<String, Errors> {
    let mut c = Checker::default();
    let version = c.check("version", validate::version(&i.version));
    let registry = resolve::registry(&mut c, "registry", &i.registry);
    let components = c.check("components", images::components(&i.components));
    let format = resolve::output(&mut c, &i.output, &crate::render::images::FORMATS);
    c.finish()?;
    let (Some(v), Some(r), Some(comps), Some(f)) = (version, registry, components, format) else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    Ok(crate::render::images::print(
        &images::images(v, &r, &comps),
        f,
    ))
}

/// The registry user name. ECR's user is always `AWS`, so that is the
/// default for an ECR host only: any other registry has users of its own,
/// and a silent `AWS` would make a secret that can never log in.
fn username(c: &mut Checker, v: &Option<String>, registry: Option<&Registry>) -> Option<String> {
    match given(v) {
        None => match registry {
            Some(r) if r.ecr().is_none() => {
                c.push(
                    "username",
                    format!(
                        "`{}` is not an ECR registry, so its user name is not `AWS`: give --username",
                        r.host
                    ),
                );
                None
            }
            _ => Some(DEFAULT_USERNAME.into()),
        },
        Some(u) if u.contains(':') => {
            c.push("username", "a user name cannot contain ':'");
            None
        }
        Some(u) => resolve::secret_text(c, "username", "user name", u),
    }
}

pub fn docker_config(i: &DockerConfigRequest) -> Result<String, Errors> {
    let mut c = Checker::default();
    let registry = resolve::registry(&mut c, "registry", &i.registry);
    let user = username(&mut c, &i.username, registry.as_ref());
    let password = resolve::secret_text(&mut c, "password", "password", &i.password);
    let style = given(&i.style).map_or(Some("kubectl"), |s| {
        c.check(
            "style",
            validate::one_of("style", s, &["kubectl", "docker"]),
        )
    });
    c.finish()?;
    match (registry, user, password, style) {
        (Some(r), Some(u), Some(p), Some("docker")) => Ok(docker_login_json(&r, &u, &p)),
        (Some(r), Some(u), Some(p), Some(_)) => Ok(docker_config_json(&r, &u, &p)),
        _ => Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        )),
    }
}

pub fn pull_secret(i: &PullSecretRequest) -> Result<String, Errors> {
    let mut c = Checker::default();
    let registry = resolve::registry(&mut c, "registry", &i.registry);
    let namespaces = resolve::namespaces(&mut c, &i.namespace);
    let name = resolve::secret_name(&mut c, &i.name);
    let user = username(&mut c, &i.username, registry.as_ref());
    let password = resolve::secret_text(&mut c, "password", "password", &i.password);
    let expires = resolve::timestamp(&mut c, "expires-at", &i.expires_at);
    let format = resolve::output(&mut c, &i.output, &Format::NAMES);
    c.finish()?;
    let (Some(registry), Some(name), Some(user), Some(password), Some(format)) =
        (registry, name, user, password, format)
    else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    let ps = PullSecret {
        name: &name,
        registry: &registry,
        username: &user,
        password: &password,
        expires_at: expires.as_deref(),
    };
    let mut objs = namespace_objects(i.create_namespace, &namespaces);
    objs.extend(namespaces.iter().map(|ns| ps.secret(ns)));
    Ok(output::objects(&objs, Format::from_name(format)))
}

/// The Namespace objects `--create-namespace` puts first.
fn namespace_objects(create: bool, namespaces: &[String]) -> Vec<serde_json::Value> {
    if !create {
        return Vec::new();
    }
    namespaces
        .iter()
        .map(|ns| serde_json::json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}))
        .collect()
}

fn image_or_default(
    c: &mut Checker,
    field: &str,
    v: &Option<String>,
    default: &str,
) -> Option<String> {
    c.check(field, validate::image(given(v).unwrap_or(default)))
}

pub fn refresher(i: &RefresherRequest) -> Result<String, Errors> {
    let mut c = Checker::default();
    let runner = given(&i.runner)
        .map_or(Some(Runner::NAMES[0]), |r| {
            c.check("runner", validate::one_of("runner", r, &Runner::NAMES))
        })
        .map(Runner::from_name);
    let namespaces = resolve::namespaces(&mut c, &i.namespace);
    let name = resolve::secret_name(&mut c, &i.name).and_then(|n| {
        c.check(
            "name",
            validate::base_name(&n, refresher::LONGEST_SUFFIX.len()),
        )
    });
    let registry = resolve::registry(&mut c, "registry", &i.registry);
    let region = resolve::region(&mut c, &i.region, registry.as_ref());
    let schedule = c.check(
        "schedule",
        cron::schedule(given(&i.schedule).unwrap_or(DEFAULT_SCHEDULE)),
    );
    let role_arn = given(&i.role_arn).and_then(|a| c.check("role-arn", validate::role_arn(a)));
    let aws_cli_image = image_or_default(
        &mut c,
        "aws-cli-image",
        &i.aws_cli_image,
        refresher::DEFAULT_AWS_CLI_IMAGE,
    );
    let kubectl_image = image_or_default(
        &mut c,
        "kubectl-image",
        &i.kubectl_image,
        refresher::DEFAULT_KUBECTL_IMAGE,
    );
    let plugin_image = given(&i.image).and_then(|im| c.check("image", validate::image(im)));
    if runner == Some(Runner::Plugin) && given(&i.image).is_none() {
        c.push("image", "the plugin runner needs --image: the kubectl-uepe runner image (built from plugin/Containerfile)");
    }
    if let Some(r) = runner.filter(|r| *r != Runner::Plugin)
        && given(&i.image).is_some()
    {
        c.push(
            "image",
            format!(
                "only --runner plugin uses it, not --runner {}{}",
                r.name(),
                if r == Runner::AwsCli {
                    ": use --aws-cli-image or --kubectl-image"
                } else {
                    ""
                }
            ),
        );
    }
    // The aws-cli runner's two images mean nothing to another runner: say
    // which flag made them irrelevant rather than ignore them.
    if let Some(r) = runner.filter(|r| *r != Runner::AwsCli) {
        for (field, v) in [
            ("aws-cli-image", &i.aws_cli_image),
            ("kubectl-image", &i.kubectl_image),
        ] {
            if given(v).is_some() {
                c.push(
                    field,
                    format!(
                        "only --runner aws-cli uses it; --runner {} has no such container",
                        r.name()
                    ),
                );
            }
        }
    }
    if let Some(keys) = &i.credentials {
        resolve::secret_text(
            &mut c,
            "credentials",
            "AWS access key ID",
            &keys.access_key_id,
        );
        resolve::secret_text(
            &mut c,
            "credentials",
            "AWS secret access key",
            &keys.secret_access_key,
        );
        if role_arn.is_some() {
            c.push("role-arn", "give either --role-arn (IRSA) or AWS keys, not both: with a role no keys are stored");
        }
    }
    let password = i
        .password
        .as_deref()
        .and_then(|p| resolve::secret_text(&mut c, "password", "password", p));
    let expires = resolve::timestamp(&mut c, "expires-at", &i.expires_at);
    let format = resolve::output(&mut c, &i.output, &Format::NAMES);
    c.finish()?;
    let (
        Some(runner),
        Some(name),
        Some(registry),
        Some(region),
        Some(schedule),
        Some(aws_cli),
        Some(kubectl),
        Some(format),
    ) = (
        runner,
        name,
        registry,
        region,
        schedule,
        aws_cli_image,
        kubectl_image,
        format,
    )
    else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    let r = Refresher {
        runner,
        namespaces: &namespaces,
        secret_name: &name,
        registry: &registry,
        region: &region,
        schedule: &schedule,
        role_arn: role_arn.as_deref(),
        aws_cli_image: &aws_cli,
        kubectl_image: &kubectl,
        plugin_image: plugin_image.as_deref(),
        credentials: i.credentials.as_ref(),
        pull_secret: password.as_deref().map(|p| PullSecret {
            name: &name,
            registry: &registry,
            username: DEFAULT_USERNAME,
            password: p,
            expires_at: expires.as_deref(),
        }),
    };
    let mut objs = namespace_objects(i.create_namespace, &namespaces);
    objs.extend(r.objects());
    Ok(output::objects(&objs, Format::from_name(format)))
}

pub fn commands(i: &CommandsRequest) -> Result<String, Errors> {
    let mut c = Checker::default();
    let section = given(&i.section).map_or(Some(commands::SECTIONS[0]), |s| {
        c.check(
            "section",
            validate::one_of("section", s, &commands::SECTIONS),
        )
    });
    let tool = given(&i.tool).map_or(Some(commands::TOOLS[0]), |t| {
        c.check("tool", validate::one_of("tool", t, &commands::TOOLS))
    });
    let registry = resolve::registry(&mut c, "registry", &i.registry);
    let region = resolve::region(&mut c, &i.region, registry.as_ref());
    let version = given(&i.version).and_then(|v| c.check("version", validate::version(v)));
    let to: Option<Registry> = given(&i.to).and_then(|_| resolve::registry(&mut c, "to", &i.to));
    let components = c.check("components", mirror::components(&i.components));
    // The refresher's images alone are not tagged with a UEPE version.
    let refresher_only = components.as_ref().is_some_and(|(u, _)| u.is_empty());
    if section == Some("mirror") {
        if given(&i.version).is_none() && !refresher_only {
            c.push(
                "version",
                "mirroring needs --version: the images are tagged with it",
            );
        }
        if given(&i.to).is_none() {
            c.push("to", "mirroring needs --to HOST[/PATH]: your own registry");
        }
    }
    let namespaces = resolve::namespaces(&mut c, &i.namespace);
    let name = resolve::secret_name(&mut c, &i.name);
    let runner = given(&i.runner)
        .map_or(Some(Runner::NAMES[0]), |r| {
            c.check("runner", validate::one_of("runner", r, &Runner::NAMES))
        })
        .map(Runner::from_name);
    let role_arn = given(&i.role_arn).and_then(|a| c.check("role-arn", validate::role_arn(a)));
    c.finish()?;
    let (
        Some(section),
        Some(tool),
        Some(registry),
        Some(region),
        Some(name),
        Some(runner),
        Some(components),
    ) = (section, tool, registry, region, name, runner, components)
    else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    let (uepe, with_refresher) = components;
    let refresher_images = if with_refresher {
        default_refresher_images()
    } else {
        Vec::new()
    };
    let mirror = match (version, &to) {
        (v, Some(to)) if v.is_some() || uepe.is_empty() => {
            Some(mirror::plan(v, &registry, to, &uepe, &refresher_images))
        }
        _ => None,
    };
    let cmds = Commands {
        registry: &registry,
        region: &region,
        mirror,
        tool,
        namespaces: &namespaces,
        name: &name,
        runner,
        irsa: role_arn.is_some(),
    };
    Ok(cmds.render(section))
}

pub fn ecr_call(i: &EcrCallRequest) -> Result<AwsCall, Errors> {
    let mut c = Checker::default();
    let registry = resolve::registry(&mut c, "registry", &i.registry);
    let region = resolve::region(&mut c, &i.region, registry.as_ref());
    let endpoint =
        given(&i.endpoint_url).and_then(|u| c.check("endpoint-url", crate::api::endpoint_url(u)));
    let action = given(&i.action).map_or(Some(ecr::ACTIONS[0]), |a| {
        c.check("action", validate::one_of("ECR action", a, &ecr::ACTIONS))
    });
    let repository =
        given(&i.repository).and_then(|r| c.check("repository", validate::ecr_repository(r)));
    // The repository actions name the account, taken from the registry host.
    let account = registry.as_ref().and_then(|r| r.ecr()).map(|e| e.account);
    match action {
        Some("GetAuthorizationToken") if given(&i.repository).is_some() => c.push(
            "repository",
            "only DescribeRepositories and CreateRepository name a repository",
        ),
        Some("GetAuthorizationToken") | None => {}
        Some(a) => {
            if given(&i.repository).is_none() {
                c.push("repository", format!("{a} needs the repository's name"));
            }
            if let (Some(r), None) = (&registry, &account) {
                c.push(
                    "registry",
                    format!(
                        "`{}` is not an ECR registry host (ACCOUNT.dkr.ecr.REGION.amazonaws.com): {a} takes the account from it",
                        r.host
                    ),
                );
            }
        }
    }
    if action != Some("CreateRepository") {
        for (set, field) in [
            (i.immutable_tags, "immutable-tags"),
            (i.scan_on_push, "scan-on-push"),
        ] {
            if set {
                c.push(
                    field,
                    "only a created repository (CreateRepository) takes settings",
                );
            }
        }
    }
    c.finish()?;
    let (Some(registry), Some(region), Some(action)) = (registry, region, action) else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    let (registry_id, repository) = (
        account.as_deref().unwrap_or_default(),
        repository.as_deref().unwrap_or_default(),
    );
    let call = match action {
        "DescribeRepositories" => ecr::Call::DescribeRepositories {
            registry_id,
            repository,
        },
        "CreateRepository" => ecr::Call::CreateRepository {
            registry_id,
            repository,
            settings: ecr::Settings {
                immutable_tags: i.immutable_tags,
                scan_on_push: i.scan_on_push,
            },
        },
        _ => ecr::Call::GetAuthorizationToken,
    };
    Ok(ecr::request(&registry, &region, endpoint.as_deref(), &call))
}

pub fn platforms(i: &PlatformsRequest) -> Result<PlatformChoice, Errors> {
    platform::choice(&i.platform).map_err(|m| Errors::one("platform", m))
}

/// The defaults and choice lists the CLI's help, its completion and the web
/// form show. Every list is the one the checks above accept, every default
/// the one they apply.
pub fn choices() -> ChoiceSet {
    let strings = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    ChoiceSet {
        defaults: Defaults {
            registry: images::VENDOR_REGISTRY.into(),
            namespace: resolve::DEFAULT_NAMESPACE.into(),
            name: resolve::DEFAULT_SECRET_NAME.into(),
            schedule: DEFAULT_SCHEDULE.into(),
            runner: Runner::NAMES[0].into(),
            aws_cli_image: refresher::DEFAULT_AWS_CLI_IMAGE.into(),
            kubectl_image: refresher::DEFAULT_KUBECTL_IMAGE.into(),
            username: DEFAULT_USERNAME.into(),
            section: commands::SECTIONS[0].into(),
            tool: commands::TOOLS[0].into(),
            images_output: crate::render::images::FORMATS[0].into(),
            objects_output: Format::NAMES[0].into(),
            platform: platform::KNOWN[0].into(),
        },
        runner: strings(&Runner::NAMES),
        images_output: strings(&crate::render::images::FORMATS),
        objects_output: strings(&Format::NAMES),
        components: images::COMPONENTS
            .iter()
            .map(|c| c.name.to_owned())
            .collect(),
        mirror_components: images::COMPONENTS
            .iter()
            .map(|c| c.name)
            .chain([mirror::REFRESHER])
            .map(str::to_owned)
            .collect(),
        section: strings(&commands::SECTIONS),
        tool: strings(&commands::TOOLS),
        platform: strings(&platform::KNOWN),
        suggestable: suggest::names().into_iter().map(str::to_owned).collect(),
    }
}

/// The refresher images `cronjob install` uses by default, split for a mirror.
fn default_refresher_images() -> Vec<(String, String, String)> {
    [
        refresher::DEFAULT_AWS_CLI_IMAGE,
        refresher::DEFAULT_KUBECTL_IMAGE,
    ]
    .into_iter()
    .filter_map(|i| mirror::split_image(i).ok())
    .collect()
}

pub fn mirror_plan(i: &MirrorPlanRequest) -> Result<Vec<MirrorCopy>, Errors> {
    let mut c = Checker::default();
    let from = resolve::registry(&mut c, "from", &i.from);
    let to = match given(&i.to) {
        Some(_) => resolve::registry(&mut c, "to", &i.to),
        None => {
            c.push("to", "mirroring needs --to HOST[/PATH]: your own registry");
            None
        }
    };
    let components = c.check("components", mirror::components(&i.components));
    let (uepe, with_refresher) = components.clone().unwrap_or_default();
    let version = match given(&i.version) {
        Some(v) if uepe.is_empty() && components.is_some() => {
            c.push(
                "version",
                format!(
                    "`{v}` names UEPE images, and --components {} chose none",
                    mirror::REFRESHER
                ),
            );
            None
        }
        Some(v) => c.check("version", validate::version(v)),
        None if uepe.is_empty() => None,
        None => {
            c.push(
                "version",
                "mirroring the UEPE images needs --version: they are tagged with it",
            );
            None
        }
    };
    let mut refresher_images = Vec::new();
    for (field, v, default) in [
        (
            "aws-cli-image",
            &i.aws_cli_image,
            refresher::DEFAULT_AWS_CLI_IMAGE,
        ),
        (
            "kubectl-image",
            &i.kubectl_image,
            refresher::DEFAULT_KUBECTL_IMAGE,
        ),
    ] {
        match given(v) {
            Some(_) if !with_refresher => c.push(
                field,
                format!("only --components {} copies it", mirror::REFRESHER),
            ),
            Some(im) => refresher_images.extend(c.check(field, mirror::split_image(im))),
            None if with_refresher => {
                refresher_images.extend(c.check(field, mirror::split_image(default)));
            }
            None => {}
        }
    }
    c.finish()?;
    let (Some(from), Some(to)) = (from, to) else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    Ok(mirror::plan(version, &from, &to, &uepe, &refresher_images))
}

pub fn suggest(i: &SuggestRequest) -> Result<String, Errors> {
    let mut c = Checker::default();
    let opts = suggest::COMMANDS
        .iter()
        .find(|(name, _)| *name == i.command.trim())
        .map(|(_, opts)| *opts);
    if opts.is_none() {
        c.push(
            "command",
            format!(
                "`{}` is not a command to suggest: choose one of {}",
                i.command,
                suggest::names().join(", ")
            ),
        );
    }
    let namespaces = resolve::namespaces(&mut c, &i.namespace);
    let name = resolve::secret_name(&mut c, &i.name);
    c.finish()?;
    let (Some(opts), Some(name)) = (opts, name) else {
        return Err(Errors::one(
            "request",
            "internal: a checked input is missing",
        ));
    };
    let g = suggest::Given {
        kubeconfig: given(&i.kubeconfig),
        context: given(&i.context),
        namespaces: &namespaces,
        name: Some(&name),
        registry: given(&i.registry),
        username: given(&i.username),
        runner: given(&i.runner),
        role_arn: given(&i.role_arn),
        region: given(&i.region),
        profile: given(&i.profile),
        service_account: given(&i.service_account),
    };
    Ok(suggest::line(i.command.trim(), opts, &g))
}
