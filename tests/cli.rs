//! The command line as a user meets it (issue 2), through the real binary.
//! Each submodule covers one concern:
//!
//! - `golden`, `golden_core`: every rendering against a file in
//!   `tests/golden/` (rewrite them with `UPDATE_GOLDEN=1 cargo test -p
//!   kubectl-uepe --test tests cli` and read the diff by eye), the core's
//!   in-process and a few through the binary, and `-o yaml|json|name` agreeing;
//! - `bad_input`: a table of bad inputs, each refused with nothing on stdout
//!   and an `error: --FLAG: ...` line naming the flag that is wrong;
//! - `component`: the embedded component against the pure `uepe_core` crate
//!   for the same requests (host and core cannot drift), its empty import
//!   list, and `version -o json`;
//! - `behaviour`: determinism, `NO_COLOR`, help, completion, a closed
//!   stdout, and no secret ever on stderr;
//! - `help`, `flags`, `completion` (issue 11): examples never wrapped and
//!   the core's defaults shown; flags that cannot apply refused; completion
//!   through the plugin, kubectl, bash, zsh and fish.
//!
//! This file holds what they share: the fake secrets and how a case is run.

// A test reports a broken expectation by panicking; `expect` says which.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod bad_input;
mod behaviour;
mod completion;
mod component;
mod flags;
mod golden;
mod golden_core;
mod help;
mod kubeconfig;

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{Run, uepe};

/// Fake credentials: obviously not real, and distinctive enough that finding
/// one (or its base64) on stderr can only be a leak.
const FAKE_PASSWORD: &str = "FAKE-ecr-password-cli-test-0001";
const FAKE_KEY_ID: &str = "AKIAFAKECLITEST00001";
const FAKE_SECRET_KEY: &str = "fake/Secret+Access/Key/cli-test/00000001";
const FAKE_SESSION_TOKEN: &str = "FAKE-session-token-cli-test-0001";

type Env = &'static [(&'static str, &'static str)];

/// Set for every run: no AWS profile from the machine, and an ECR endpoint
/// on a closed loopback port, so that a run that does ask ECR for a password
/// fails at once instead of reaching AWS.
const ISOLATION: Env = &[
    (
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/kubectl-uepe-test/credentials",
    ),
    ("AWS_CONFIG_FILE", "/nonexistent/kubectl-uepe-test/config"),
    ("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:9"),
];

/// AWS keys in the environment, as the standard chain's first link reads them.
const KEYS: Env = &[
    ("AWS_ACCESS_KEY_ID", FAKE_KEY_ID),
    ("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY),
];
/// Temporary keys: the same plus a session token.
const KEYS_AND_TOKEN: Env = &[
    ("AWS_ACCESS_KEY_ID", FAKE_KEY_ID),
    ("AWS_SECRET_ACCESS_KEY", FAKE_SECRET_KEY),
    ("AWS_SESSION_TOKEN", FAKE_SESSION_TOKEN),
];

/// One run of `kubectl-uepe`: arguments, environment on top of the clean
/// one `support::uepe` gives, and whether the fake password is piped in.
#[derive(Debug, Clone, Copy)]
struct Invocation {
    args: &'static [&'static str],
    env: Env,
    password: bool,
}

impl Invocation {
    const fn new(args: &'static [&'static str]) -> Self {
        Self {
            args,
            env: &[],
            password: false,
        }
    }

    /// With these variables set.
    const fn env(self, env: Env) -> Self {
        Self { env, ..self }
    }

    /// With the fake password on stdin (the args say `--password-stdin`).
    const fn password(self) -> Self {
        Self {
            password: true,
            ..self
        }
    }

    fn stdin(&self) -> String {
        if self.password {
            format!("{FAKE_PASSWORD}\n")
        } else {
            String::new()
        }
    }

    fn run(&self) -> Run {
        self.run_with(&[], &[])
    }

    /// Runs with `more_args` after the case's own and `more_env` on top of
    /// its variables.
    fn run_with(&self, more_args: &[&str], more_env: &[(&str, &str)]) -> Run {
        let mut cmd = uepe(self.args);
        cmd.args(more_args);
        cmd.envs(ISOLATION.iter().copied());
        cmd.envs(self.env.iter().copied());
        cmd.envs(more_env.iter().copied());
        run_piped(cmd, &self.stdin())
    }

    /// How the case reads in a failure message.
    fn describe(&self) -> String {
        let env: Vec<&str> = self.env.iter().map(|(k, _)| *k).collect();
        format!(
            "{}kubectl-uepe {}{}",
            if env.is_empty() {
                String::new()
            } else {
                format!("[{}] ", env.join(" "))
            },
            self.args
                .iter()
                .map(|a| shell_quote(a))
                .collect::<Vec<_>>()
                .join(" "),
            if self.password {
                " <<< FAKE_PASSWORD"
            } else {
                ""
            }
        )
    }
}

/// Runs `cmd` with `stdin` piped in. A command that exits without reading
/// its stdin (a usage error before the password is read) closes the pipe
/// early; that is not a failure here, so the broken pipe is ignored.
fn run_piped(mut cmd: Command, stdin: &str) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn kubectl-uepe");
    let mut pipe = child.stdin.take().expect("stdin pipe");
    if let Err(e) = pipe.write_all(stdin.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
    }
    drop(pipe);
    child
        .wait_with_output()
        .expect("wait for kubectl-uepe")
        .into()
}

fn shell_quote(a: &str) -> String {
    if !a.is_empty()
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_=./:,@[]".contains(&b))
    {
        a.to_owned()
    } else {
        format!("'{}'", a.replace('\'', r"'\''"))
    }
}

/// Every form a fake secret could leak in: raw, base64, and the docker
/// `auth` value (`base64(AWS:password)`).
fn secret_forms() -> Vec<(String, &'static str)> {
    let mut forms = Vec::new();
    for (secret, name) in [
        (FAKE_PASSWORD, "password"),
        (FAKE_KEY_ID, "access key id"),
        (FAKE_SECRET_KEY, "secret access key"),
        (FAKE_SESSION_TOKEN, "session token"),
    ] {
        forms.push((secret.to_owned(), name));
        forms.push((base64(secret.as_bytes()), name));
    }
    forms.push((base64(format!("AWS:{FAKE_PASSWORD}").as_bytes()), "auth"));
    forms
}

/// Replaces every fake secret, so that a failure message never prints one.
fn redact(text: &str) -> String {
    let mut out = text.to_owned();
    for (form, name) in secret_forms() {
        out = out.replace(&form, &format!("<{name}>"));
    }
    out
}

/// Standard base64 with padding (no dependency for twenty lines).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

const MIRROR: &str = "registry.example.com:5000/team/uepe";
const ROLE: &str = "arn:aws:iam::123456789012:role/ecr-reader";
const PLUGIN_IMAGE: &str = "ghcr.io/example/kubectl-uepe:0.1.0";

fn assert_no_secret(what: &str, stderr: &str) {
    for (form, name) in secret_forms() {
        assert!(
            !stderr.contains(&form),
            "{what}: the fake {name} appears on stderr (redacted): {}",
            redact(stderr)
        );
    }
}
