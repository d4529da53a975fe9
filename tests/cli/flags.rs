//! Flags that cannot apply are errors (issue 11 item 7): the cluster flags
//! exist only on the commands that talk to a cluster, and a flag another
//! flag makes irrelevant is refused naming both. `mirror --dry-run` reads as
//! kubectl's (item 8).

use super::{FAKE_PASSWORD, ISOLATION, MIRROR, PLUGIN_IMAGE, ROLE, run_piped};
use crate::support::{Run, uepe};

fn go(args: &[&str]) -> Run {
    let mut c = uepe(args);
    c.envs(ISOLATION.iter().copied());
    run_piped(c, &format!("{FAKE_PASSWORD}\n"))
}

#[track_caller]
fn refused(args: &[&str], words: &[&str]) {
    let r = go(args);
    assert_ne!(r.code, 0, "{args:?} was accepted:\n{}", r.stdout);
    assert!(r.stdout.is_empty(), "{args:?} printed:\n{}", r.stdout);
    assert!(r.stderr.starts_with("error: "), "{args:?}: {}", r.stderr);
    for w in words {
        assert_contains!(r.stderr, w, "{args:?}: the error does not name `{w}`");
    }
}

/// The commands that never talk to a cluster take no cluster flag.
#[test]
fn cluster_flags_only_on_cluster_commands() {
    let local: [&[&str]; 6] = [
        &["images", "--version", "4.3.0"],
        &["login"],
        &["commands"],
        &["mirror", "--version", "4.3.0", "--to", MIRROR],
        &["version"],
        &["completion", "bash"],
    ];
    for args in local {
        for flag in ["--kubeconfig", "--context"] {
            let mut with = args.to_vec();
            with.extend([flag, "nope"]);
            refused(&with, &[&format!("unexpected argument '{flag}'")]);
            // Before the command name: no better.
            let mut before = vec![flag, "nope"];
            before.extend_from_slice(args);
            refused(&before, &[flag, "does not talk to a cluster"]);
        }
    }
    // The issue's own example.
    refused(
        &["images", "--context", "nope", "--version", "4.3.0"],
        &["--context"],
    );
    // The cluster commands take them, after their name or before it.
    for args in [
        &[
            "secret",
            "create",
            "--context",
            "x",
            "--password-stdin",
            "--dry-run=client",
        ][..],
        &[
            "--context",
            "x",
            "secret",
            "create",
            "--password-stdin",
            "--dry-run=client",
        ],
        &[
            "cronjob",
            "install",
            "--kubeconfig",
            "/nonexistent",
            "--role-arn",
            ROLE,
            "--dry-run=client",
        ],
    ] {
        let r = go(args);
        assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    }
    for args in [
        &["cronjob", "status", "--context", "x"][..],
        &["cronjob", "run", "--context", "x"],
        &["cronjob", "uninstall", "--context", "x"],
        &["doctor", "--context", "x"],
        &["secret", "refresh", "--context", "x"],
    ] {
        let r = go(args);
        assert_not_contains!(r.stderr, "unexpected argument", "{args:?}");
    }
}

/// Each flag that another makes irrelevant is refused, naming both.
#[test]
fn irrelevant_flags_are_refused_naming_why() {
    #[rustfmt::skip]
    let cases: [(&[&str], &[&str]); 7] = [
        (&["cronjob", "install", "--dry-run=client", "--runner", "plugin", "--image", PLUGIN_IMAGE, "--aws-cli-image", "example.com/aws-cli:1"],
            &["--aws-cli-image", "--runner plugin"]),
        (&["cronjob", "install", "--dry-run=client", "--runner", "external-secrets", "--kubectl-image", "example.com/kubectl:1"],
            &["--kubectl-image", "--runner external-secrets"]),
        (&["cronjob", "install", "--dry-run=client", "--image", PLUGIN_IMAGE],
            &["--image", "--runner aws-cli"]),
        (&["secret", "create", "--password-stdin", "--region", "eu-west-1", "--dry-run=client"],
            &["--region", "--password-stdin"]),
        (&["secret", "create", "--password-stdin", "--profile", "ci", "--dry-run=client"],
            &["--profile", "--password-stdin"]),
        (&["login", "--print-password", "--engine", "config"],
            &["--engine", "--print-password"]),
        (&["cronjob", "run", "--timeout", "1m"],
            &["--timeout", "--wait"]),
    ];
    for (args, words) in cases {
        refused(args, words);
    }
    // Their defaults alone trigger nothing.
    for (args, not) in [
        (&["login", "--print-password"][..], "cannot be used with"),
        (&["cronjob", "run"], "--wait"),
        (
            &[
                "cronjob",
                "install",
                "--runner",
                "plugin",
                "--image",
                PLUGIN_IMAGE,
                "--dry-run=client",
                "--role-arn",
                ROLE,
            ],
            "error",
        ),
    ] {
        let r = go(args);
        assert_not_contains!(r.stderr, not, "{args:?}");
    }
}

/// `mirror --dry-run=client` is `--dry-run`; `=server` is refused with why.
#[test]
fn mirror_dry_run_reads_as_kubectl() {
    for form in ["--dry-run", "--dry-run=client"] {
        let r = go(&["mirror", "--version", "4.3.0", "--to", MIRROR, form]);
        // No registry answers here: what matters is that the flag parsed and
        // the run went on to ask the source.
        assert!(
            !r.stderr.contains("--dry-run") && !r.stderr.contains("unexpected value"),
            "{form}: {}",
            r.stderr
        );
    }
    refused(
        &[
            "mirror",
            "--version",
            "4.3.0",
            "--to",
            MIRROR,
            "--dry-run=server",
        ],
        &["--dry-run=server", "no server-side dry run"],
    );
    refused(
        &[
            "mirror",
            "--version",
            "4.3.0",
            "--to",
            MIRROR,
            "--dry-run=maybe",
        ],
        &["--dry-run", "maybe"],
    );
}
