//! Help as a new user reads it (issue 11): every example is one whole
//! command on one line at any terminal width, and parses (item 6); the
//! refresher images' defaults, decided by the core, are shown (item 18).

use kubectl_uepe::cli::{Choices, EXAMPLES, command};
use kubectl_uepe::core::Core;
use uepe_core::render::refresher::{DEFAULT_AWS_CLI_IMAGE, DEFAULT_KUBECTL_IMAGE};

use crate::support::{run, uepe};

/// `ARGS --help` with the terminal `columns` wide (clap reads COLUMNS when
/// stdout is not a terminal).
fn help(path: &[&str], columns: &str) -> String {
    let mut args = path.to_vec();
    args.push("--help");
    let mut c = uepe(&args);
    c.env("COLUMNS", columns);
    let r = run(c);
    assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
    r.stdout
}

/// Issue 11 item 6: `login --help` broke `skopeo login ... --password-stdin`
/// from its registry, `cronjob install --help` `--role-arn` from its ARN.
#[test]
fn examples_are_never_wrapped() {
    let widths = ["20", "40", "60", "80", "100", "120", "200"];
    for (path, lines) in EXAMPLES {
        for columns in widths {
            let out = help(path, columns);
            let shown: Vec<&str> = out.lines().map(str::trim).collect();
            for line in *lines {
                assert!(
                    shown.contains(line),
                    "`kubectl uepe {} --help` at COLUMNS={columns} does not show this example on one line:\n  {line}\n\n{out}",
                    path.join(" ")
                );
            }
        }
    }
    // The two the issue names are among them.
    let all: Vec<&str> = EXAMPLES
        .iter()
        .flat_map(|(_, l)| l.iter().copied())
        .collect();
    assert!(
        all.iter()
            .any(|l| l.contains("--password-stdin 462803626708"))
    );
    assert!(all.iter().any(|l| l.contains("--role-arn arn:aws:iam::")));
}

/// Every example's `kubectl uepe ...` part is a command line the plugin
/// accepts, so an example cannot rot when a flag changes.
#[test]
fn every_example_parses() {
    let core = Core::load().expect("core");
    let choices = Choices::of(&core).expect("choices");
    for (path, lines) in EXAMPLES {
        for line in *lines {
            let start = line.find("kubectl uepe ").expect("names kubectl uepe");
            let rest = &line[start + "kubectl uepe ".len()..];
            let rest = rest.split([')', '|']).next().unwrap_or_default();
            let mut argv = vec!["kubectl-uepe"];
            argv.extend(rest.split_whitespace());
            assert!(
                argv[1..].starts_with(path),
                "an example of `{}` runs another command: {line}",
                path.join(" ")
            );
            if let Err(e) = command(&choices).try_get_matches_from(&argv) {
                panic!("example `{line}` does not parse:\n{e}");
            }
        }
    }
}

/// Issue 11 item 18: air-gapped sites must mirror the refresher's images,
/// so the help says which they are, as the core decides them.
#[test]
fn refresher_image_defaults_are_shown() {
    for path in [&["cronjob", "install"][..], &["mirror"]] {
        let out = help(path, "200");
        let lines: Vec<&str> = out.lines().map(str::trim).collect();
        for (flag, default) in [
            ("--aws-cli-image", DEFAULT_AWS_CLI_IMAGE),
            ("--kubectl-image", DEFAULT_KUBECTL_IMAGE),
        ] {
            let at = lines
                .iter()
                .position(|l| l.starts_with(&format!("{flag} <")))
                .unwrap_or_else(|| panic!("{path:?} --help has no {flag}:\n{out}"));
            // The flag's own help: up to the next flag.
            let end = lines[at + 1..]
                .iter()
                .position(|l| l.starts_with('-') || l.is_empty())
                .map_or(lines.len(), |i| at + 1 + i);
            let own = lines[at..end].join(" ");
            assert_contains!(
                own,
                &format!("[default: {default}]"),
                "{path:?} --help does not show {flag}'s default {default}:\n{out}"
            );
        }
    }
}

/// The README's command list is the help's: every command the help lists
/// appears in it, and every `kubectl uepe ...` line of it parses.
#[test]
fn readme_command_list_matches_the_help() {
    let readme = std::fs::read_to_string(crate::support::workspace().join("README.md"))
        .expect("read README.md");
    let start = readme.find("## Commands").expect("a Commands section");
    let block = &readme[start..];
    let block = &block[block.find("```sh").expect("a code block")..];
    let block = &block[..block[5..].find("```").expect("its end") + 5];
    let core = Core::load().expect("core");
    let cmd = command(&Choices::of(&core).expect("choices"));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        assert_contains!(
            block,
            &format!("kubectl uepe {name}"),
            "README's command list lacks `kubectl uepe {name}`"
        );
    }
    // Continuation lines are joined; comments, pipes, redirections and
    // `[optional]` dropped.
    let joined = block.replace("\\\n", " ");
    for line in joined.lines() {
        let Some(at) = line.find("kubectl uepe ") else {
            continue;
        };
        if line.trim_start().starts_with('#') {
            continue;
        }
        let rest = &line[at + "kubectl uepe ".len()..];
        let rest = rest
            .split(['#', '|', ')', '<', '>'])
            .next()
            .unwrap_or_default();
        let mut argv = vec!["kubectl-uepe"];
        argv.extend(
            rest.split_whitespace()
                .map(|w| w.trim_start_matches('[').trim_end_matches(']')),
        );
        if let Err(e) = cmd.clone().try_get_matches_from(&argv) {
            panic!("README: `{}` does not parse:\n{e}", line.trim());
        }
    }
}
