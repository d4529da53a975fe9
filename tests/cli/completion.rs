//! Completion (issue 11 item 17): `kubectl uepe ...` completes, not only
//! `kubectl-uepe`, and flags complete their values, not file names. Asked
//! the way each user asks: the plugin's own `__complete`, real kubectl
//! through `kubectl_complete-uepe` (`kubectl __complete uepe ...`), real
//! bash with the sourced script (with and without kubectl's own completion
//! loaded first), and real fish and zsh.

use std::path::{Path, PathBuf};
use std::process::Command;

use uepe_core::render::commands::{SECTIONS, TOOLS};
use uepe_core::render::refresher::Runner;

use crate::support::{self, peers, run, tempdir, uepe};

/// Words after `uepe` (the last being completed) and what must be offered.
type Case = (&'static [&'static str], Vec<String>);

fn strs(l: &[&str]) -> Vec<String> {
    l.iter().map(|s| (*s).to_owned()).collect()
}

/// Cases every way of asking must answer the same; values from the core.
fn cases() -> Vec<Case> {
    vec![
        (&["cronj"], strs(&["cronjob"])),
        (&["cronjob", "install", "--ru"], strs(&["--runner"])),
        (
            &["cronjob", "install", "--runner", ""],
            strs(&Runner::NAMES),
        ),
        (
            &["secret", "create", "-o", ""],
            strs(&uepe_core::render::output::Format::NAMES),
        ),
        (
            &["images", "-o", ""],
            strs(&uepe_core::render::images::FORMATS),
        ),
        (&["login", "--engine", "p"], strs(&["podman"])),
        (
            &["mirror", "--components", "platform,e"],
            strs(&["platform,ec"]),
        ),
        (&["mirror", "--components", "ref"], strs(&["refresher"])),
        (
            &["mirror", "--platform", "linux/a"],
            strs(&["linux/amd64", "linux/arm64"]),
        ),
        (&["commands", ""], strs(&SECTIONS)),
        (&["commands", "mirror", "--tool", ""], strs(&TOOLS)),
        (
            &["completion", ""],
            strs(&["bash", "zsh", "fish", "powershell"]),
        ),
        (&["mirror", "--dry-run=c"], strs(&["--dry-run=client"])),
    ]
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// `kubectl-uepe __complete WORDS`: candidates, then the directive.
fn ask_plugin(words: &[&str]) -> (Vec<String>, String) {
    let mut args = vec!["__complete"];
    args.extend_from_slice(words);
    let r = run(uepe(&args));
    assert_eq!(r.code, 0, "__complete {words:?}: {}", r.stderr);
    let mut lines: Vec<String> = r.stdout.lines().map(str::to_owned).collect();
    let directive = lines.pop().unwrap_or_default();
    (lines, directive)
}

#[test]
fn the_plugin_answers_kubectls_protocol() {
    for (words, want) in cases() {
        let (got, directive) = ask_plugin(words);
        assert_eq!(sorted(got), sorted(want), "__complete {words:?}");
        assert_eq!(directive, ":4", "{words:?}: values, not file names");
    }
    // A value nothing can list: neither file names nor anything else.
    assert_eq!(
        ask_plugin(&["cronjob", "install", "--schedule", ""]),
        (vec![], ":4".into())
    );
    // The one flag that takes a file: the shell completes file names.
    assert_eq!(
        ask_plugin(&["doctor", "--kubeconfig", ""]),
        (vec![], ":0".into())
    );
    // No cluster flag where it cannot apply.
    let (flags, _) = ask_plugin(&["images", "--"]);
    assert!(!flags.iter().any(|f| f == "--context"), "{flags:?}");
    let (flags, _) = ask_plugin(&["doctor", "--"]);
    assert!(flags.iter().any(|f| f == "--context"), "{flags:?}");
}

/// A directory holding `kubectl-uepe` and the release's
/// `kubectl_complete-uepe`, as a user's PATH would.
fn plugin_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempdir();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir bin");
    std::os::unix::fs::symlink(support::bin(), bin.join("kubectl-uepe")).expect("link plugin");
    let script = bin.join("kubectl_complete-uepe");
    std::fs::copy(
        support::workspace().join("scripts/kubectl_complete-uepe"),
        &script,
    )
    .expect("copy kubectl_complete-uepe");
    (dir, bin)
}

fn path_with(bin: &Path) -> String {
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// kubectl 1.26+ completes a plugin through `kubectl_complete-uepe`.
#[test]
fn kubectl_completes_the_plugin() {
    let Some(kubectl) = peers::require("kubectl", "kubectl 1.26 or later on PATH") else {
        return;
    };
    let (dir, bin) = plugin_dir();
    for (words, want) in cases() {
        let mut args = vec!["__complete", "uepe"];
        args.extend_from_slice(words);
        let r = run({
            let mut c = Command::new(&kubectl);
            c.args(&args)
                .env_clear()
                .env("PATH", path_with(&bin))
                .env("HOME", dir.path())
                .env("KUBECONFIG", dir.path().join("none"));
            c
        });
        assert_eq!(r.code, 0, "kubectl {args:?}: {}", r.stderr);
        let mut lines: Vec<String> = r.stdout.lines().map(str::to_owned).collect();
        let directive = lines.pop().unwrap_or_default();
        assert_eq!(sorted(lines), sorted(want), "kubectl {args:?}");
        assert_eq!(directive, ":4", "kubectl {args:?}");
    }
}

/// A bash script that sources `setup`, then completes `line` as bash
/// would on TAB (the words split at blanks and at `=`, as
/// COMP_WORDBREAKS does) and prints one candidate a line.
fn bash_script(setup: &str, line: &str) -> String {
    format!(
        r#"{setup}
line='{line}'
COMP_LINE=$line
COMP_POINT=${{#line}}
COMP_WORDS=()
for w in $line; do
    if [[ $w == *=* ]]; then
        COMP_WORDS+=("${{w%%=*}}" "=")
        [[ -n ${{w#*=}} ]] && COMP_WORDS+=("${{w#*=}}")
    else
        COMP_WORDS+=("$w")
    fi
done
[[ $line == *' ' ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
spec=$(complete -p "${{COMP_WORDS[0]}}") || exit 3
fn=${{spec##*-F }}
fn=${{fn%% *}}
COMPREPLY=()
"$fn" "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}"
"#
    )
}

fn shell(program: &Path, args: &[&str], bin: &Path, home: &Path) -> Vec<String> {
    let r = run({
        let mut c = Command::new(program);
        c.args(args)
            .env_clear()
            .env("PATH", path_with(bin))
            .env("HOME", home)
            .env("KUBECONFIG", home.join("none"))
            .current_dir(home);
        c
    });
    assert_eq!(r.code, 0, "{} {args:?}: {}", program.display(), r.stderr);
    r.stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

/// What bash puts in place of the word: `=VALUE` where bash split at `=`.
fn bash_form(line: &str, candidate: &str) -> String {
    let last = line.rsplit(' ').next().unwrap_or_default();
    match last.split_once('=') {
        Some((flag, _)) => candidate
            .strip_prefix(flag)
            .and_then(|c| c.strip_prefix('='))
            .unwrap_or(candidate)
            .to_owned(),
        None => candidate.to_owned(),
    }
}

#[test]
fn bash_completes_kubectl_uepe_and_kubectl_dash_uepe() {
    let Some(bash) = peers::require("bash", "tests/peers/install.sh shells") else {
        return;
    };
    let (dir, bin) = plugin_dir();
    let ours = "source <(kubectl-uepe completion bash)";
    // As an interactive bash with kubectl's completion has it: kubectl's
    // (cobra's) script needs bash-completion.
    let bash_completion = Path::new("/usr/share/bash-completion/bash_completion");
    let with_kubectls = format!(
        "source {}\nsource <(kubectl completion bash)\n{ours}",
        bash_completion.display()
    );
    let kubectls = peers::which("kubectl").is_some()
        && peers::require_path(
            "bash-completion",
            bash_completion,
            "tests/peers/install.sh shells",
        )
        .is_some();
    let mut setups = vec![ours];
    if kubectls {
        setups.push(&with_kubectls);
    }
    for setup in setups {
        for (words, want) in cases() {
            for prefix in ["kubectl uepe", "kubectl-uepe"] {
                let line = format!("{prefix} {}", words.join(" "));
                let got = shell(&bash, &["-c", &bash_script(setup, &line)], &bin, dir.path());
                let want: Vec<String> = want.iter().map(|c| bash_form(&line, c)).collect();
                assert_eq!(sorted(got), sorted(want), "bash, {setup:?}: `{line}<TAB>`");
            }
        }
    }
    if kubectls {
        // kubectl's own completion still answers for kubectl's own commands.
        let got = shell(
            &bash,
            &["-c", &bash_script(&with_kubectls, "kubectl vers")],
            &bin,
            dir.path(),
        );
        assert_eq!(got, ["version"], "kubectl vers<TAB> with both loaded");
    }
}

#[test]
fn fish_completes_kubectl_uepe_and_kubectl_dash_uepe() {
    let Some(fish) = peers::require("fish", "tests/peers/install.sh shells") else {
        return;
    };
    let (dir, bin) = plugin_dir();
    for (words, want) in cases() {
        for prefix in ["kubectl uepe", "kubectl-uepe"] {
            let line = format!("{prefix} {}", words.join(" "));
            let script = format!("kubectl-uepe completion fish | source; complete -C '{line}'");
            let got = shell(&fish, &["--no-config", "-c", &script], &bin, dir.path());
            assert_eq!(sorted(got), sorted(want.clone()), "fish: `{line}<TAB>`");
        }
    }
}

#[test]
fn zsh_completes_kubectl_uepe_and_kubectl_dash_uepe() {
    let Some(zsh) = peers::require("zsh", "tests/peers/install.sh shells") else {
        return;
    };
    let (dir, bin) = plugin_dir();
    for (words, want) in cases() {
        for (prefix, function) in [
            (&["kubectl", "uepe"][..], "_kubectl_uepe_kubectl"),
            (&["kubectl-uepe"], "_kubectl_uepe"),
        ] {
            let all: Vec<&str> = prefix.iter().chain(words.iter()).copied().collect();
            let quoted: Vec<String> = all.iter().map(|w| format!("'{w}'")).collect();
            // Outside a completion widget `compadd` only records: the
            // stand-in prints what the script offers.
            let script = format!(
                "autoload -Uz compinit && compinit -u -D\n\
                 source <(kubectl-uepe completion zsh)\n\
                 [[ ${{_comps[kubectl]}} == _kubectl_uepe_kubectl && ${{_comps[kubectl-uepe]}} == _kubectl_uepe ]] || exit 3\n\
                 compadd() {{ while (( $# )) && [[ $1 != -- ]]; do shift; done; shift; print -rl -- \"$@\"; }}\n\
                 _files() {{ print FILES; }}\n\
                 words=({})\nCURRENT={}\n{function}",
                quoted.join(" "),
                all.len()
            );
            let got = shell(&zsh, &["-f", "-c", &script], &bin, dir.path());
            assert_eq!(
                sorted(got),
                sorted(want.clone()),
                "zsh: `{}<TAB>`",
                all.join(" ")
            );
        }
    }
}
