//! The command line as typed: clap structs whose doc comments are the help.
//! Flags are named as kubectl's and recorded as given; the core validates
//! them (one place for every rule), the commands in `cmd/` act on them.
//! `build` adds what only runtime knows: the core's defaults in the help,
//! the examples (never wrapped), and the pure flag relations.

mod build;

pub use build::{EXAMPLES, command, parse};

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Get Usage Engine Private Edition images from ECR into your cluster, safely.
///
/// Lists the UEPE images, logs in to ECR without a password on any command
/// line, creates the image pull secret and installs a hardened CronJob that
/// keeps it fresh (ECR passwords expire after 12 hours).
#[derive(Debug, Parser)]
#[command(name = "kubectl uepe", bin_name = "kubectl uepe", version)]
#[command(max_term_width = 100)]
pub struct Cli {
    /// How to reach the cluster, given before the command (the commands
    /// that talk to a cluster take the same flags after their name).
    #[command(flatten)]
    pub kube: KubeArgs,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// kubectl's connection flags (kubectl does not pass its own to a plugin),
/// on the commands that talk to a cluster only.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Cluster")]
pub struct KubeArgs {
    /// Path to the kubeconfig file [default: KUBECONFIG, else ~/.kube/config, else in-cluster].
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub kubeconfig: Option<String>,
    /// The kubeconfig context to use.
    #[arg(long)]
    pub context: Option<String>,
}

impl KubeArgs {
    /// These flags, else `before` (the same flags given before the command).
    pub fn or(&self, before: &KubeArgs) -> KubeArgs {
        KubeArgs {
            kubeconfig: self
                .kubeconfig
                .clone()
                .or_else(|| before.kubeconfig.clone()),
            context: self.context.clone().or_else(|| before.context.clone()),
        }
    }

    /// The first flag given, as typed (`--context`), if any.
    pub fn given(&self) -> Option<&'static str> {
        if self.kubeconfig.is_some() {
            Some("--kubeconfig")
        } else if self.context.is_some() {
            Some("--context")
        } else {
            None
        }
    }
}

/// `kubectl uepe` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the four UEPE images of a version.
    Images(ImagesArgs),
    /// Log in to the UEPE registry with an ECR password (no AWS CLI needed).
    Login(LoginArgs),
    /// Create the image pull secret.
    #[command(subcommand)]
    Secret(SecretCommand),
    /// Install the CronJob that refreshes the pull secret.
    #[command(subcommand)]
    Cronjob(CronjobCommand),
    /// Print the shell commands that do the same by hand, with no secret on a command line.
    Commands(CommandsArgs),
    /// Check the cluster side end to end and say how to fix what fails.
    Doctor(DoctorArgs),
    /// Copy the UEPE images, every architecture, into your own registry.
    #[command(
        after_help = "Credentials: the vendor's ECR registry (and any ECR registry) uses an ECR password from the AWS credentials chain; other registries use docker config (DOCKER_CONFIG, auths, credsStore, credHelpers). The refresher's images are public."
    )]
    Mirror(MirrorArgs),
    /// Print the plugin's version and the core component's sha256.
    Version(VersionArgs),
    /// Print a shell completion script for `kubectl uepe` and `kubectl-uepe`.
    #[command(
        after_help = "kubectl's own completion (kubectl 1.26 or later) completes `kubectl uepe` too once kubectl_complete-uepe, shipped beside the plugin, is on PATH."
    )]
    Completion(CompletionArgs),
    /// Answers kubectl's completion protocol (`kubectl __complete uepe ...`
    /// runs kubectl_complete-uepe, which runs this): one candidate a line,
    /// then `:DIRECTIVE`.
    #[command(name = "__complete", hide = true)]
    Complete(CompleteArgs),
}

impl Command {
    /// The cluster flags of a command that talks to a cluster; `None` for
    /// the others.
    pub fn kube(&self) -> Option<&KubeArgs> {
        match self {
            Command::Secret(SecretCommand::Create(a)) => Some(&a.kube),
            Command::Secret(SecretCommand::Refresh(a)) => Some(&a.kube),
            Command::Cronjob(CronjobCommand::Install(a)) => Some(&a.kube),
            Command::Cronjob(CronjobCommand::Status(a)) => Some(&a.kube),
            Command::Cronjob(CronjobCommand::Run(a)) => Some(&a.kube),
            Command::Cronjob(CronjobCommand::Uninstall(a)) => Some(&a.kube),
            Command::Doctor(a) => Some(&a.kube),
            Command::Images(_)
            | Command::Login(_)
            | Command::Commands(_)
            | Command::Mirror(_)
            | Command::Version(_)
            | Command::Completion(_)
            | Command::Complete(_) => None,
        }
    }
}

/// `__complete` arguments: the words after `uepe`, the last one being
/// completed (empty for a new word).
#[derive(Debug, Args)]
pub struct CompleteArgs {
    /// The words.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    pub words: Vec<String>,
}

/// Where the images are and which version.
#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// UEPE version, such as 4.3.0.
    #[arg(long)]
    pub version: String,
    /// Registry the images are in, HOST[:PORT][/PATH] [default: the vendor's ECR registry].
    #[arg(long)]
    pub registry: Option<String>,
    /// Only these components: platform, ec, operator, ui [default: all].
    #[arg(long, value_delimiter = ',')]
    pub components: Vec<String>,
    /// Output format: table, json, yaml or name.
    #[arg(short, long)]
    pub output: Option<String>,
}

/// Where the ECR password comes from: the standard AWS credentials chain.
#[derive(Debug, Args, Clone, Default)]
pub struct AwsArgs {
    /// AWS region of the ECR API [default: taken from the registry host].
    #[arg(long)]
    pub region: Option<String>,
    /// AWS profile from ~/.aws/credentials and ~/.aws/config [default: AWS_PROFILE, else default].
    #[arg(long)]
    pub profile: Option<String>,
}

/// `login` flags.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Registry to log in to, HOST[:PORT] [default: the vendor's ECR registry].
    #[arg(long)]
    pub registry: Option<String>,
    /// AWS settings.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// How to store the login: auto (first of docker, podman, nerdctl on PATH, else config), docker, podman, nerdctl, or config (write ~/.docker/config.json directly).
    #[arg(long, default_value = "auto")]
    pub engine: String,
    /// Only print the password, as `aws ecr get-login-password` does, for piping.
    #[arg(long, conflicts_with = "engine")]
    pub print_password: bool,
}

/// `kubectl uepe secret` commands.
#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create or update the image pull secret in one or several namespaces.
    Create(SecretCreateArgs),
    /// Refresh the pull secret in place (what the `plugin` runner runs in the cluster).
    Refresh(SecretRefreshArgs),
}

/// `secret refresh` flags.
#[derive(Debug, Args)]
pub struct SecretRefreshArgs {
    /// Which pull secret.
    #[command(flatten)]
    pub target: SecretTarget,
    /// Registry the pull secret is for [default: the vendor's ECR registry].
    #[arg(long)]
    pub registry: Option<String>,
    /// AWS settings.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// Flags shared by everything that renders manifests.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// Which pull secret.
    #[command(flatten)]
    pub target: SecretTarget,
    /// Registry the pull secret is for, HOST[:PORT][/PATH] [default: the vendor's ECR registry].
    #[arg(long)]
    pub registry: Option<String>,
    /// none: apply; client: print the objects only; server: ask the API server to check them without persisting.
    #[arg(long, default_value = "none", require_equals = true, num_args = 0..=1, default_missing_value = "client")]
    pub dry_run: String,
    /// Output format: yaml, json or name.
    #[arg(short, long)]
    pub output: Option<String>,
    /// Read the registry password from standard input (as `aws ecr get-login-password` prints it) instead of asking ECR.
    #[arg(long)]
    pub password_stdin: bool,
}

/// Where the pull secret lands: `secret create` and `cronjob install` share these.
#[derive(Debug, Args, Clone, Default)]
pub struct PlacementArgs {
    /// Create namespaces that do not exist yet.
    #[arg(long)]
    pub create_namespace: bool,
    /// Add the secret to this ServiceAccount's imagePullSecrets (once) in each namespace.
    #[arg(long)]
    pub service_account: Option<String>,
}

/// `secret create` flags.
#[derive(Debug, Args)]
pub struct SecretCreateArgs {
    /// Namespaces to create, ServiceAccount to patch.
    #[command(flatten)]
    pub placement: PlacementArgs,
    /// Registry user name.
    #[arg(long)]
    pub username: Option<String>,
    /// Shared manifest flags.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// AWS settings (used when --password-stdin is not given).
    #[command(flatten)]
    pub aws: AwsArgs,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// `kubectl uepe cronjob` commands.
// Parsed once per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum CronjobCommand {
    /// Install the refresher: ServiceAccount, Role, RoleBinding, AWS credentials Secret and CronJob.
    Install(CronjobInstallArgs),
    /// Show the refresher's schedule, last runs and the pull secret's expiry.
    Status(CronjobStatusArgs),
    /// Run the refresher now, as `kubectl create job --from=cronjob/...` does.
    Run(CronjobRunArgs),
    /// Remove what install created; the pull secret stays unless --delete-secret.
    Uninstall(CronjobUninstallArgs),
}

/// Which pull secret, in which namespaces: the flags every command that
/// makes, refreshes or inspects the pull secret shares.
#[derive(Debug, Args)]
pub struct SecretTarget {
    /// Namespaces of the pull secret, comma-separated or repeated; the refresher runs in the first.
    #[arg(short, long)]
    pub namespace: Vec<String>,
    /// Name of the image pull secret.
    #[arg(long)]
    pub name: Option<String>,
}

/// `cronjob status` flags.
#[derive(Debug, Args)]
pub struct CronjobStatusArgs {
    /// Which refresher.
    #[command(flatten)]
    pub target: SecretTarget,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// `cronjob run` flags.
#[derive(Debug, Args)]
pub struct CronjobRunArgs {
    /// Which refresher.
    #[command(flatten)]
    pub target: SecretTarget,
    /// Wait for the Job to finish; print its log if it fails.
    #[arg(long)]
    pub wait: bool,
    /// How long to wait, e.g. 90s, 5m.
    #[arg(long, default_value = "5m", requires = "wait")]
    pub timeout: String,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// `cronjob uninstall` flags.
#[derive(Debug, Args)]
pub struct CronjobUninstallArgs {
    /// Which refresher.
    #[command(flatten)]
    pub target: SecretTarget,
    /// Also delete the pull secret.
    #[arg(long)]
    pub delete_secret: bool,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// `cronjob install` flags.
#[derive(Debug, Args)]
pub struct CronjobInstallArgs {
    /// Shared manifest flags.
    #[command(flatten)]
    pub manifest: ManifestArgs,
    /// Namespaces to create, ServiceAccount to patch.
    #[command(flatten)]
    pub placement: PlacementArgs,
    /// How the secret is refreshed: aws-cli, plugin or external-secrets.
    #[arg(long)]
    pub runner: Option<String>,
    /// Cron schedule; runs may never be 12 hours or more apart.
    #[arg(long)]
    pub schedule: Option<String>,
    /// AWS settings.
    #[command(flatten)]
    pub aws: AwsArgs,
    /// IAM role for the ServiceAccount (IRSA); no AWS keys are stored.
    #[arg(long)]
    pub role_arn: Option<String>,
    /// Image of the aws-cli runner's token container.
    #[arg(long)]
    pub aws_cli_image: Option<String>,
    /// Image of the aws-cli runner's kubectl container.
    #[arg(long)]
    pub kubectl_image: Option<String>,
    /// Image of the plugin runner (built from plugin/Containerfile).
    #[arg(long)]
    pub image: Option<String>,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// `commands` flags.
#[derive(Debug, Args)]
pub struct CommandsArgs {
    /// Which commands: all, login, mirror, secret or credentials.
    pub section: Option<String>,
    /// UEPE version (to mirror).
    #[arg(long)]
    pub version: Option<String>,
    /// Source registry [default: the vendor's ECR registry].
    #[arg(long)]
    pub registry: Option<String>,
    /// Your own registry to mirror to, HOST[:PORT][/PATH].
    #[arg(long)]
    pub to: Option<String>,
    /// Mirroring tool: all, skopeo, crane or docker.
    #[arg(long)]
    pub tool: Option<String>,
    /// Only mirror these components: platform, ec, operator, ui, refresher (the aws-cli runner's two images) [default: the four UEPE images].
    #[arg(long, value_delimiter = ',')]
    pub components: Vec<String>,
    /// Which pull secret.
    #[command(flatten)]
    pub target: SecretTarget,
    /// AWS region [default: taken from the registry host].
    #[arg(long)]
    pub region: Option<String>,
    /// Runner the credentials Secret is for: aws-cli, plugin or external-secrets.
    #[arg(long)]
    pub runner: Option<String>,
    /// IAM role (IRSA): no credentials Secret is needed.
    #[arg(long)]
    pub role_arn: Option<String>,
}

/// `doctor` flags.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Which refresher and pull secret.
    #[command(flatten)]
    pub target: SecretTarget,
    /// Registry the pull secret must hold a key for [default: the vendor's ECR registry].
    #[arg(long)]
    pub registry: Option<String>,
    /// Check that this ServiceAccount (the one the UEPE pods run as) lists the pull secret in each namespace.
    #[arg(long)]
    pub service_account: Option<String>,
    /// The cluster.
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// `version` flags.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Output format: text (default) or json.
    #[arg(short, long)]
    pub output: Option<String>,
}

/// `completion` flags.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell.
    pub shell: Shell,
}

/// The shells `completion` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// bash: completes `kubectl uepe` and `kubectl-uepe`.
    Bash,
    /// zsh: completes `kubectl uepe` and `kubectl-uepe`.
    Zsh,
    /// fish: completes `kubectl uepe` and `kubectl-uepe`.
    Fish,
    /// PowerShell: completes `kubectl-uepe`.
    Powershell,
}

/// `mirror` flags.
#[derive(Debug, Args)]
pub struct MirrorArgs {
    /// UEPE version, such as 4.3.0 (needed unless --components refresher alone).
    #[arg(long)]
    pub version: Option<String>,
    /// Your registry to copy to, HOST[:PORT][/PATH].
    #[arg(long)]
    pub to: String,
    /// Registry to copy from, HOST[:PORT][/PATH] [default: the vendor's ECR registry].
    #[arg(long)]
    pub from: Option<String>,
    /// Only these components: platform, ec, operator, ui, refresher (the aws-cli runner's two images, each from its own registry) [default: the four UEPE images].
    #[arg(long, value_delimiter = ',')]
    pub components: Vec<String>,
    /// With --components refresher: the aws-cli runner's token image to copy.
    #[arg(long)]
    pub aws_cli_image: Option<String>,
    /// With --components refresher: the aws-cli runner's kubectl image to copy.
    #[arg(long)]
    pub kubectl_image: Option<String>,
    /// Platforms to copy: all, or os/arch[/variant] list; a subset gets a new index (new digest).
    #[arg(long, value_delimiter = ',')]
    pub platform: Vec<String>,
    /// Blobs copied at once.
    #[arg(long, short = 'j', default_value_t = 6)]
    pub jobs: usize,
    /// client (also `--dry-run` alone): print the plan (images, platforms, manifests, blobs, bytes, what exists) and the equivalent skopeo/crane commands, copy nothing; none: copy. A registry has no server-side dry run.
    #[arg(long, require_equals = true, num_args = 0..=1, default_missing_value = "client")]
    pub dry_run: Option<String>,
    /// Create missing ECR repositories at the destination (mutable tags, no scan on push, AES256 encryption); else a missing one is an error before any upload.
    #[arg(long)]
    pub create_repositories: bool,
    /// Created ECR repositories get immutable tags.
    #[arg(long, requires = "create_repositories")]
    pub immutable_tags: bool,
    /// Created ECR repositories scan images on push.
    #[arg(long, requires = "create_repositories")]
    pub scan_on_push: bool,
    /// Allow HTTPS without certificate checks and plain HTTP (loopback registries always may use HTTP).
    #[arg(long)]
    pub insecure: bool,
    /// AWS settings for ECR registries.
    #[command(flatten)]
    pub aws: AwsArgs,
}
