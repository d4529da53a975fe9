//! What a caller may ask the core to render. A request is a JSON object whose
//! `render` member names the rendering and whose other members are inputs
//! named as the CLI's flags (`role-arn`, `aws-cli-image`, ...). Unknown
//! members are rejected so a typo in a caller cannot pass silently.

use serde::Deserialize;

/// One rendering request.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "render", rename_all = "kebab-case")]
pub enum Request {
    /// The four image references of a version.
    Images(ImagesInput),
    /// A docker config JSON with one registry entry.
    DockerConfig(DockerConfigInput),
    /// The image pull Secret, in one or several namespaces.
    PullSecret(PullSecretInput),
    /// The refresher set for a runner.
    Refresher(RefresherInput),
    /// The shell commands a person would otherwise type.
    Commands(CommandsInput),
    /// An ECR API call to sign and send, as JSON.
    EcrRequest(EcrRequestInput),
    /// The platforms a mirror copies, normalised, as JSON.
    Platforms(PlatformsInput),
    /// What a mirror copies where, as JSON.
    MirrorPlan(MirrorPlanInput),
    /// The defaults and accepted values of the inputs, as JSON: what the
    /// CLI's help and completion show, asked of the core rather than copied.
    Choices(ChoicesInput),
    /// A `kubectl uepe` command line to suggest, carrying the options given.
    Suggest(SuggestInput),
}

/// Inputs of `suggest`: the command and every option the user gave; the
/// core keeps those the command takes and leaves defaults out.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SuggestInput {
    /// One of the suggestable commands (`cronjob run --wait`, `doctor`, ...).
    pub command: String,
    /// `--kubeconfig`.
    #[serde(default)]
    pub kubeconfig: Option<String>,
    /// `--context`.
    #[serde(default)]
    pub context: Option<String>,
    /// Namespaces; each entry may hold a comma-separated list.
    #[serde(default)]
    pub namespace: Vec<String>,
    /// Pull secret name.
    #[serde(default)]
    pub name: Option<String>,
    /// Registry.
    #[serde(default)]
    pub registry: Option<String>,
    /// Registry user name.
    #[serde(default)]
    pub username: Option<String>,
    /// Refresher runner.
    #[serde(default)]
    pub runner: Option<String>,
    /// IAM role (IRSA).
    #[serde(default)]
    pub role_arn: Option<String>,
    /// AWS region.
    #[serde(default)]
    pub region: Option<String>,
    /// AWS profile.
    #[serde(default)]
    pub profile: Option<String>,
    /// ServiceAccount that lists the pull secret.
    #[serde(default)]
    pub service_account: Option<String>,
}

/// Inputs of `mirror-plan`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MirrorPlanInput {
    /// UEPE version: needed when a UEPE image is chosen.
    #[serde(default)]
    pub version: Option<String>,
    /// Registry to copy the UEPE images from; the vendor registry when absent.
    #[serde(default)]
    pub from: Option<String>,
    /// Registry to copy to, `HOST[/PATH]`.
    #[serde(default)]
    pub to: Option<String>,
    /// Subset of `platform`, `ec`, `operator`, `ui`, `refresher`; the four
    /// UEPE images when empty.
    #[serde(default)]
    pub components: Vec<String>,
    /// `refresher`: the `aws-cli` runner's token image to copy; the default when absent.
    #[serde(default)]
    pub aws_cli_image: Option<String>,
    /// `refresher`: the `aws-cli` runner's kubectl image to copy; the default when absent.
    #[serde(default)]
    pub kubectl_image: Option<String>,
}

/// Inputs of `choices`: none.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChoicesInput {}

/// Inputs of `platforms`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PlatformsInput {
    /// `all` (the default when empty), or `os/arch[/variant]` entries; each
    /// may hold a comma-separated list.
    #[serde(default)]
    pub platform: Vec<String>,
}

/// Inputs of `ecr-request`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EcrRequestInput {
    /// Registry to log in to; the vendor registry when absent.
    #[serde(default)]
    pub registry: Option<String>,
    /// AWS region; taken from the registry host when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// `AWS_ENDPOINT_URL_ECR`, else `AWS_ENDPOINT_URL`, as the caller found it.
    #[serde(default)]
    pub endpoint_url: Option<String>,
    /// `GetAuthorizationToken` (default), `DescribeRepositories` or
    /// `CreateRepository`.
    #[serde(default)]
    pub action: Option<String>,
    /// The repository the repository actions are about (`team/name`).
    #[serde(default)]
    pub repository: Option<String>,
    /// `CreateRepository`: tags cannot be moved once pushed.
    #[serde(default)]
    pub immutable_tags: bool,
    /// `CreateRepository`: scan each image on push.
    #[serde(default)]
    pub scan_on_push: bool,
}

/// Inputs of `images`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ImagesInput {
    /// UEPE version.
    pub version: String,
    /// `HOST[/PATH]`; the vendor registry when absent or empty.
    #[serde(default)]
    pub registry: Option<String>,
    /// Subset of `platform`, `ec`, `operator`, `ui`; all when empty.
    #[serde(default)]
    pub components: Vec<String>,
    /// `table` (default), `json`, `yaml` or `name`.
    #[serde(default)]
    pub output: Option<String>,
}

/// Inputs of `docker-config`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DockerConfigInput {
    /// Registry host; the vendor registry when absent.
    #[serde(default)]
    pub registry: Option<String>,
    /// User name; `AWS` when absent and the registry is ECR, else required.
    #[serde(default)]
    pub username: Option<String>,
    /// The password.
    pub password: String,
    /// `kubectl` (default): keyed on `https://HOST` with user, password and
    /// auth, as a pull secret holds it; `docker`: keyed on `HOST` with
    /// `auth` only, as `docker login` writes `config.json`.
    #[serde(default)]
    pub style: Option<String>,
}

/// Inputs of `pull-secret`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PullSecretInput {
    /// Registry the secret is for; the vendor registry when absent.
    #[serde(default)]
    pub registry: Option<String>,
    /// Namespaces; each entry may hold a comma-separated list. `uepe` when empty.
    #[serde(default)]
    pub namespace: Vec<String>,
    /// Secret name; `ecr-cred` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// User name; `AWS` when absent and the registry is ECR, else required.
    #[serde(default)]
    pub username: Option<String>,
    /// The registry password.
    pub password: String,
    /// When the password expires (RFC 3339), recorded as an annotation.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Put the Namespace objects first (`--create-namespace`).
    #[serde(default)]
    pub create_namespace: bool,
    /// `yaml` (default), `json` or `name`.
    #[serde(default)]
    pub output: Option<String>,
}

/// AWS keys for the refresher's credentials Secret.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AwsKeys {
    /// Access key ID.
    pub access_key_id: String,
    /// Secret access key.
    pub secret_access_key: String,
    /// Session token, for temporary keys.
    #[serde(default)]
    pub session_token: Option<String>,
}

/// Inputs of `refresher`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RefresherInput {
    /// `aws-cli` (default), `plugin` or `external-secrets`.
    #[serde(default)]
    pub runner: Option<String>,
    /// Namespaces; the first one hosts the refresher. `uepe` when empty.
    #[serde(default)]
    pub namespace: Vec<String>,
    /// Pull secret name; `ecr-cred` when absent.
    #[serde(default)]
    pub name: Option<String>,
    /// ECR registry the pull secret is for; the vendor registry when absent.
    #[serde(default)]
    pub registry: Option<String>,
    /// AWS region; taken from the registry host when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// Cron schedule; `0 */8 * * *` when absent.
    #[serde(default)]
    pub schedule: Option<String>,
    /// IAM role for IRSA; no AWS keys are stored when given.
    #[serde(default)]
    pub role_arn: Option<String>,
    /// Image of the `aws-cli` runner's init container.
    #[serde(default)]
    pub aws_cli_image: Option<String>,
    /// Image of the `aws-cli` runner's kubectl container.
    #[serde(default)]
    pub kubectl_image: Option<String>,
    /// Image of the `plugin` runner.
    #[serde(default)]
    pub image: Option<String>,
    /// AWS keys to store in the credentials Secret; the Secret is left out
    /// when absent (create it with the `credentials` commands).
    #[serde(default)]
    pub credentials: Option<AwsKeys>,
    /// Put the Namespace objects first (`--create-namespace`).
    #[serde(default)]
    pub create_namespace: bool,
    /// Registry password: when given, the pull Secret comes first so the Job
    /// never needs `create`.
    #[serde(default)]
    pub password: Option<String>,
    /// Expiry of that password (RFC 3339).
    #[serde(default)]
    pub expires_at: Option<String>,
    /// `yaml` (default), `json` or `name`.
    #[serde(default)]
    pub output: Option<String>,
}

/// Inputs of `commands`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct CommandsInput {
    /// `all` (default), `login`, `mirror`, `secret` or `credentials`.
    #[serde(default)]
    pub section: Option<String>,
    /// `all` (default), `skopeo`, `crane` or `docker`: mirroring tool.
    #[serde(default)]
    pub tool: Option<String>,
    /// UEPE version (needed to mirror).
    #[serde(default)]
    pub version: Option<String>,
    /// Source registry; the vendor registry when absent.
    #[serde(default)]
    pub registry: Option<String>,
    /// Own registry to mirror to, `HOST[/PATH]`.
    #[serde(default)]
    pub to: Option<String>,
    /// Subset of `platform`, `ec`, `operator`, `ui`, `refresher` to mirror;
    /// the four UEPE images when empty.
    #[serde(default)]
    pub components: Vec<String>,
    /// Namespaces for the pull secret.
    #[serde(default)]
    pub namespace: Vec<String>,
    /// Pull secret name.
    #[serde(default)]
    pub name: Option<String>,
    /// AWS region; taken from the registry host when absent.
    #[serde(default)]
    pub region: Option<String>,
    /// Runner whose credentials Secret the commands create.
    #[serde(default)]
    pub runner: Option<String>,
    /// IAM role for IRSA: no credentials Secret is needed.
    #[serde(default)]
    pub role_arn: Option<String>,
}

/// An optional input: absent and empty are the same (a web form sends "").
pub fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}
