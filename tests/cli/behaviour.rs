//! How the binary behaves around its output: the same bytes every time,
//! `NO_COLOR`, help, completion, a closed stdout, and no secret on stderr.

use super::bad_input::BAD;
use super::golden::GOLDEN;
use super::{Invocation, KEYS, KEYS_AND_TOKEN, MIRROR, ROLE, assert_no_secret, redact};
use crate::support::{self, Run, run, uepe};

/// The same command gives the same bytes, whatever the time zone, locale or
/// terminal width.
#[test]
fn output_is_deterministic() {
    #[rustfmt::skip]
    let cases = [
        Invocation::new(&["images", "--version", "4.3.0"]),
        Invocation::new(&["images", "--version", "4.3.0", "-o", "json"]),
        Invocation::new(&["secret", "create", "--dry-run=client", "--password-stdin", "-n", "a,b"]).password(),
        Invocation::new(&["cronjob", "install", "--dry-run=client", "--password-stdin", "-o", "json"])
            .env(KEYS_AND_TOKEN)
            .password(),
        Invocation::new(&["cronjob", "install", "--dry-run=client", "--runner", "external-secrets", "--password-stdin"]).env(KEYS).password(),
        Invocation::new(&["commands", "all", "--version", "4.3.0", "--to", MIRROR]),
        Invocation::new(&["version", "-o", "json"]),
        Invocation::new(&["completion", "bash"]),
    ];
    for case in cases {
        let first = case.run();
        let second = case.run();
        let elsewhere = case.run_with(
            &[],
            &[
                ("TZ", "Pacific/Kiritimati"),
                ("LANG", "de_DE.UTF-8"),
                ("LC_ALL", "de_DE.UTF-8"),
                ("COLUMNS", "20"),
            ],
        );
        assert_eq!(
            first.code,
            0,
            "{}: {}",
            case.describe(),
            redact(&first.stderr)
        );
        for other in [&second, &elsewhere] {
            assert!(
                first.stdout == other.stdout && first.stderr == other.stderr,
                "{} is not deterministic",
                case.describe()
            );
        }
    }
}

/// Colour only where clap would use it, and never with `NO_COLOR`, even
/// when `CLICOLOR_FORCE` asks for it; rendered data is never coloured.
#[test]
fn no_color_is_respected() {
    let with = |args: &[&str], no_color: bool| {
        let mut cmd = uepe(args);
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        let r = run(cmd);
        format!("{}{}", r.stdout, r.stderr)
    };
    // The probe works: forced colour does colour a usage error...
    assert_contains!(
        with(&["images"], false),
        '\u{1b}',
        "CLICOLOR_FORCE gave no colour, so this test proves nothing"
    );
    // ...and NO_COLOR wins over it.
    for args in [
        &["images"][..],
        &["--help"],
        &["cronjob", "install", "--help"],
        &["nope"],
        &["images", "--version", "4.3"],
    ] {
        let out = with(args, true);
        assert_not_contains!(out, '\u{1b}', "{args:?} coloured under NO_COLOR");
    }
    for args in [
        &["images", "--version", "4.3.0"][..],
        &["commands"],
        &["version"],
    ] {
        let out = with(args, false);
        assert_not_contains!(out, '\u{1b}', "{args:?}: rendered output coloured");
    }
}

/// Help reads as the kubectl plugin is typed: `kubectl uepe ...`.
#[test]
fn help_reads_kubectl_uepe() {
    #[rustfmt::skip]
    let cases: [(&[&str], &str); 8] = [
        (&["--help"], "kubectl uepe"),
        (&["help"], "kubectl uepe"),
        (&["images", "--help"], "kubectl uepe images"),
        (&["secret", "create", "--help"], "kubectl uepe secret create"),
        (&["cronjob", "install", "--help"], "kubectl uepe cronjob install"),
        (&["commands", "--help"], "kubectl uepe commands"),
        (&["version", "--help"], "kubectl uepe version"),
        (&["completion", "--help"], "kubectl uepe completion"),
    ];
    for (args, command) in cases {
        let out = support::ok(args);
        let usage = out
            .lines()
            .find(|l| l.starts_with("Usage: "))
            .unwrap_or_default();
        assert!(
            usage.starts_with(&format!("Usage: {command} ")),
            "{args:?}: the usage line is not `Usage: {command} ...`:\n{out}"
        );
        assert_not_contains!(out, "kubectl-uepe ", "{args:?} names the binary");
    }
    let help = support::ok(&["--help"]);
    for command in [
        "images",
        "secret",
        "cronjob",
        "commands",
        "version",
        "completion",
    ] {
        assert_contains!(help, &format!("\n  {command} "), "--help lists {command}");
    }
    assert!(support::ok(&["--version"]).starts_with("kubectl uepe "));
}

/// bash, zsh and fish scripts register both spellings and ask the plugin
/// (`__complete`, tests/cli/completion.rs runs them); PowerShell's is clap's
/// static script. The shells offered are the ones the help lists.
#[test]
fn completion_scripts_name_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run(uepe(&["completion", shell]));
        assert_eq!(r.code, 0, "completion {shell}: {}", r.stderr);
        assert!(r.stderr.is_empty(), "completion {shell}: {}", r.stderr);
        for word in ["kubectl-uepe __complete", "kubectl-uepe", "uepe"] {
            assert_contains!(r.stdout, word, "completion {shell} lacks {word}");
        }
    }
    let r = run(uepe(&["completion", "powershell"]));
    assert_eq!(r.code, 0, "completion powershell: {}", r.stderr);
    for word in [
        "images",
        "secret",
        "cronjob",
        "commands",
        "version",
        "completion",
        "dry-run",
        "password-stdin",
    ] {
        assert_contains!(r.stdout, word, "completion powershell lacks {word}");
    }
    let help = support::ok(&["completion", "--help"]);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert_contains!(help, shell, "completion --help lacks {shell}");
    }
    for absent in ["elvish", "tcsh"] {
        assert_not_contains!(help, absent, "completion --help lists {absent}");
        let r = run(uepe(&["completion", absent]));
        assert_ne!(r.code, 0);
        assert!(
            r.stdout.is_empty() && r.stderr.starts_with("error: "),
            "{}",
            r.stderr
        );
    }
}

/// Runs with stdout a pipe whose reader is already gone.
fn run_with_closed_stdout(args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().expect("pipe");
    drop(reader);
    let mut cmd = uepe(args);
    cmd.stdout(writer).stderr(std::process::Stdio::piped());
    let out = cmd.output().expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `kubectl uepe images | head -1` is not a failure (ripgrep's rule).
#[test]
fn closed_stdout_is_not_an_error() {
    for args in [
        &["images", "--version", "4.3.0"][..],
        &["cronjob", "install", "--dry-run=client", "--role-arn", ROLE],
        &["commands"],
        &["version", "-o", "json"],
    ] {
        let r = run_with_closed_stdout(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
        assert_not_contains!(r.stderr, "panicked", "{args:?}");
    }
}

/// `kubectl uepe completion bash | head` is not a crash either (issue 2:
/// `clap_complete::generate` used to panic on the failed write).
#[test]
fn completion_to_a_closed_stdout_does_not_panic() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = run_with_closed_stdout(&["completion", shell]);
        assert_eq!(r.code, 0, "completion {shell}: {}", r.stderr);
        assert_not_contains!(r.stderr, "panicked", "completion {shell}");
    }
}

/// Every command of this file, good and bad, run with the fake password on
/// stdin and fake AWS keys (with a session token) in the environment: none
/// of them, nor their base64, ever reaches stderr.
#[test]
fn secrets_never_reach_stderr() {
    let mut runs: Vec<Invocation> = GOLDEN.iter().map(|c| c.run).collect();
    runs.extend(BAD.iter().map(|c| c.run));
    runs.extend([
        Invocation::new(&[
            "cronjob",
            "install",
            "--dry-run=client",
            "--password-stdin",
            "-o",
            "yaml",
            "-v",
        ]),
        Invocation::new(&["secret", "create", "--password-stdin"]),
        Invocation::new(&["secret", "create", "--dry-run=server", "--password-stdin"]),
        Invocation::new(&["cronjob", "install", "--password-stdin"]),
        Invocation::new(&["version"]),
        Invocation::new(&["--help"]),
    ]);
    for case in runs {
        let case = case.env(KEYS_AND_TOKEN).password();
        let r = case.run();
        assert_no_secret(&case.describe(), &r.stderr);
    }
}
