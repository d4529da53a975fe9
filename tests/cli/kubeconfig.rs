//! Issue 11, items 9-11: kubeconfig files read as kubectl reads them, and
//! each failure to find or read one said in one line that names the file.
//! No API server is needed: every case fails before a request is sent (the
//! kubeconfigs point at a closed loopback port). Real kubectl, when present,
//! is the reference for the wording of an unknown context.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Run, peers, run, run_with_stdin, tempdir, uepe};

/// A token distinctive enough that finding it in output is a leak.
const TOKEN: &str = "kubeconfig-token-must-not-leak-0001";

/// A kubeconfig with one context per name, all on a closed port.
fn kubeconfig(path: &Path, contexts: &[&str], current: &str) -> PathBuf {
    let mut text = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
    for c in contexts {
        text += &format!("- name: {c}\n  cluster:\n    server: http://127.0.0.1:9\n");
    }
    text += "contexts:\n";
    for c in contexts {
        text += &format!("- name: {c}\n  context:\n    cluster: {c}\n    user: u\n");
    }
    text +=
        &format!("current-context: {current}\nusers:\n- name: u\n  user:\n    token: {TOKEN}\n");
    std::fs::write(path, text).expect("write kubeconfig");
    path.to_owned()
}

/// `secret create --password-stdin` (a command that connects) with `args`
/// after it, HOME in `home`.
fn secret_create(home: &Path, args: &[&str]) -> Command {
    let mut all = vec!["secret", "create", "--password-stdin"];
    all.extend_from_slice(args);
    let mut c = uepe(&all);
    c.env("HOME", home);
    c
}

fn secret_create_run(c: Command) -> Run {
    run_with_stdin(c, "fake-password-kubeconfig-tests\n")
}

/// The `error:` lines of stderr.
fn error_lines(r: &Run) -> Vec<&str> {
    r.stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect()
}

/// Exactly one `error:` line, and nothing else on stderr.
#[track_caller]
fn one_error_line(r: &Run) -> String {
    assert_ne!(r.code, 0, "succeeded: {}", r.stdout);
    let lines = error_lines(r);
    assert_eq!(
        (lines.len(), r.stderr.lines().count()),
        (1, 1),
        "one error line and nothing else: {}",
        r.stderr
    );
    assert_no_secret!(r.stderr, TOKEN, "the token leaked");
    lines[0].to_owned()
}

#[test]
fn issue_11_item_9_an_unknown_context_is_named_as_kubectl_names_it_with_the_contexts_there_are() {
    let home = tempdir();
    let kc = kubeconfig(&home.path().join("kc"), &["alpha", "beta"], "alpha");
    let kc = kc.to_str().expect("utf-8 path");
    let want = "context was not found for specified context: nope";

    let line = one_error_line(&secret_create_run(secret_create(
        home.path(),
        &["--kubeconfig", kc, "--context", "nope"],
    )));
    assert_eq!(
        line,
        format!("error: {want}; contexts in {kc}: alpha, beta"),
        "kubectl's words, then where the contexts are"
    );

    // doctor reports it in its table, with the same words.
    let mut c = uepe(&["doctor", "--kubeconfig", kc, "--context", "nope"]);
    c.env("HOME", home.path());
    let r = run(c);
    assert_ne!(r.code, 0);
    assert!(
        r.stdout.contains(want) && r.stdout.contains("alpha, beta"),
        "{}",
        r.stdout
    );
    assert_not_contains!(r.stdout, "no Kubernetes configuration");

    // Several files in KUBECONFIG: every file and every context is named.
    let second = kubeconfig(&home.path().join("second"), &["gamma"], "gamma");
    let mut c = secret_create(home.path(), &["--context", "nope"]);
    c.env("KUBECONFIG", format!("{kc}:{}", second.display()));
    let line = one_error_line(&secret_create_run(c));
    assert_eq!(
        line,
        format!(
            "error: {want}; contexts in {kc}, {}: alpha, beta, gamma",
            second.display()
        )
    );

    // A current-context that names nothing gets the same words.
    let dangling = kubeconfig(&home.path().join("dangling"), &["alpha"], "gone");
    let line = one_error_line(&secret_create_run(secret_create(
        home.path(),
        &["--kubeconfig", dangling.to_str().expect("utf-8")],
    )));
    assert_contains!(line, "context was not found for specified context: gone");

    // The reference: kubectl's own message for the same file and context.
    if let Some(kubectl) = peers::require("kubectl", "apt-get install kubectl") {
        let out = Command::new(kubectl)
            .args(["--kubeconfig", kc, "--context", "nope", "get", "namespaces"])
            .env("HOME", home.path())
            .output()
            .expect("run kubectl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_contains!(stderr, want, "kubectl said");
    }
}

#[test]
fn issue_11_item_10_broken_yaml_is_one_line_with_the_file_line_and_column() {
    let home = tempdir();
    let kc = home.path().join("kc");
    // Line 6 opens a flow mapping that line 7 never closes; the token on
    // line 7 must not be quoted back (a parser snippet would show it).
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: c\ncontexts:\n- name: c\n  context: {{cluster: c, user: u\nusers: [{{name: u, user: {{token: {TOKEN}}}}}]\n"
        ),
    )
    .expect("write");
    let kc = kc.to_str().expect("utf-8 path");
    let line = one_error_line(&secret_create_run(secret_create(
        home.path(),
        &["--kubeconfig", kc],
    )));
    let prefix = format!("error: kubeconfig {kc}:7:6: ");
    assert!(
        line.starts_with(&prefix) && line.len() > prefix.len(),
        "want {prefix}MESSAGE, got {line}"
    );

    // The same file through KUBECONFIG.
    let mut c = secret_create(home.path(), &[]);
    c.env("KUBECONFIG", kc);
    let again = one_error_line(&secret_create_run(c));
    assert_eq!(again, line);
}

#[test]
fn issue_11_item_11_a_missing_kubeconfig_names_the_file_looked_for_first() {
    let home = tempdir();
    let home_config = home.path().join(".kube").join("config");

    // Nothing set: ~/.kube/config, then (briefly) why not in-cluster.
    let line = one_error_line(&secret_create_run(secret_create(home.path(), &[])));
    assert_eq!(
        line,
        format!(
            "error: no Kubernetes configuration: kubeconfig: {} does not exist (KUBECONFIG is not set); \
             in-cluster: not in a pod (KUBERNETES_SERVICE_HOST is not set); \
             pass --kubeconfig, set KUBECONFIG, or run inside a pod",
            home_config.display()
        )
    );

    // An empty ~/.kube/config counts as none (in a pod, the service
    // account is then used, as client-go does).
    std::fs::create_dir_all(home_config.parent().expect("dir")).expect("mkdir");
    std::fs::write(&home_config, "").expect("write");
    let line = one_error_line(&secret_create_run(secret_create(home.path(), &[])));
    assert!(
        line.starts_with(&format!(
            "error: no Kubernetes configuration: kubeconfig: nothing in {} (no cluster, context or current-context); in-cluster: not in a pod",
            home_config.display()
        )),
        "{line}"
    );
    std::fs::remove_file(&home_config).expect("rm");

    // KUBECONFIG naming a file that is not there.
    let missing = home.path().join("nowhere").join("kc");
    let mut c = secret_create(home.path(), &[]);
    c.env("KUBECONFIG", &missing);
    let line = one_error_line(&secret_create_run(c));
    assert!(
        line.starts_with(&format!(
            "error: no Kubernetes configuration: kubeconfig: {} does not exist (KUBECONFIG); in-cluster: not in a pod",
            missing.display()
        )),
        "{line}"
    );

    // KUBECONFIG with a missing file and a good one: the missing one is
    // skipped, as kubectl skips it, and the good one's context is used.
    let good = kubeconfig(&home.path().join("good"), &["alpha"], "alpha");
    let mut c = secret_create(home.path(), &["--context", "nope"]);
    c.env(
        "KUBECONFIG",
        format!("{}:{}", missing.display(), good.display()),
    );
    let line = one_error_line(&secret_create_run(c));
    assert!(
        line.ends_with(&format!("contexts in {}: alpha", good.display())),
        "{line}"
    );

    // --kubeconfig naming a file that is not there: that file, and no
    // fallback (kubectl fails too).
    let line = one_error_line(&secret_create_run(secret_create(
        home.path(),
        &["--kubeconfig", missing.to_str().expect("utf-8")],
    )));
    assert_eq!(
        line,
        format!(
            "error: kubeconfig {} does not exist (--kubeconfig)",
            missing.display()
        )
    );

    // --context without any kubeconfig: the context cannot be anywhere.
    let line = one_error_line(&secret_create_run(secret_create(
        home.path(),
        &["--context", "nope"],
    )));
    assert_eq!(
        line,
        format!(
            "error: context was not found for specified context: nope; no kubeconfig: {} does not exist (KUBECONFIG is not set)",
            home_config.display()
        )
    );
}
