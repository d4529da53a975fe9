//! Issue 3: the ECR password without the AWS CLI, against a real moto
//! server that checks SigV4 signatures, and `kubectl uepe login`.

mod chain;
mod errors;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;

use crate::support::moto::{Keys, Moto};
use crate::support::{Run, run, tempdir, uepe};

/// `kubectl-uepe ARGS` pointed at moto, signing with `keys`.
fn with_keys(moto: &Moto, keys: &Keys, args: &[&str]) -> Command {
    let mut c = uepe(args);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url);
    c.env("AWS_ACCESS_KEY_ID", &keys.id);
    c.env("AWS_SECRET_ACCESS_KEY", &keys.secret);
    if let Some(t) = &keys.token {
        c.env("AWS_SESSION_TOKEN", t);
    }
    c
}

/// Fails when a secret shows up where it must not; never prints it.
#[track_caller]
fn assert_no_secret(what: &str, text: &str, secrets: &[&str]) {
    for (i, s) in secrets.iter().enumerate() {
        assert!(
            s.is_empty() || !text.contains(s),
            "{what} contains secret #{i}"
        );
    }
}

fn print_password(moto: &Moto, keys: &Keys) -> Run {
    run(with_keys(moto, keys, &["login", "--print-password"]))
}

#[test]
fn right_key_gets_the_password_and_a_wrong_secret_the_signature_error() {
    let Some(moto) = Moto::start() else { return };
    let ok = print_password(&moto, &moto.reader);
    assert_eq!(ok.code, 0, "login failed: {}", ok.stderr);
    let password = ok.stdout.trim_end().to_owned();
    assert!(
        !password.is_empty() && !password.contains('\n'),
        "one line, the password only"
    );
    assert_no_secret("stderr", &ok.stderr, &[&password, &moto.reader.secret]);

    let wrong = Keys {
        secret: "not-the-secret".into(),
        ..moto.reader.clone()
    };
    let bad = print_password(&moto, &wrong);
    assert_ne!(bad.code, 0);
    assert!(bad.stdout.is_empty(), "nothing on stdout on failure");
    assert_contains!(bad.stderr, "secret access key does not match");
    assert_no_secret(
        "stderr",
        &bad.stderr,
        &["not-the-secret", &moto.reader.secret],
    );
}

#[test]
fn unknown_key_and_missing_permission_have_their_own_messages() {
    let Some(moto) = Moto::start() else { return };
    let unknown = Keys {
        id: "AKIAUNKNOWNKEY000000".into(),
        secret: "x".into(),
        token: None,
    };
    let r = print_password(&moto, &unknown);
    assert_ne!(r.code, 0);
    assert_contains!(
        r.stderr,
        "does not recognise access key ID AKIAUNKNOWNKEY000000"
    );

    let r = print_password(&moto, &moto.nobody);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("access denied") && r.stderr.contains("ecr:GetAuthorizationToken"),
        "{}",
        r.stderr
    );
    assert_no_secret("stderr", &r.stderr, &[&moto.nobody.secret]);
}

#[test]
fn session_tokens_work() {
    let Some(moto) = Moto::start() else { return };
    assert!(
        moto.session.token.as_deref().is_some_and(|t| !t.is_empty()),
        "STS issued temporary keys"
    );
    let r = print_password(&moto, &moto.session);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let token = moto.session.token.clone().unwrap_or_default();
    assert_no_secret("stderr", &r.stderr, &[&token, &moto.session.secret]);
}

#[test]
fn a_profile_file_works_and_env_keys_win_without_profile_flag() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempdir();
    let creds = dir.path().join("credentials");
    std::fs::write(
        &creds,
        format!(
            "[default]\naws_access_key_id = AKIAWRONGDEFAULT0000\naws_secret_access_key = nope\n\n[uepe]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.reader.id, moto.reader.secret
        ),
    )
    .expect("write credentials");
    let mut c = uepe(&["login", "--print-password", "--profile", "uepe"]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url);
    c.env("AWS_SHARED_CREDENTIALS_FILE", &creds);
    c.env("AWS_CONFIG_FILE", dir.path().join("config"));
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // AWS_PROFILE selects the same profile.
    let mut c = uepe(&["login", "--print-password"]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url);
    c.env("AWS_SHARED_CREDENTIALS_FILE", &creds);
    c.env("AWS_PROFILE", "uepe");
    assert_eq!(run(c).code, 0);

    // The default profile's wrong key is used, and named, without a profile.
    let mut c = uepe(&["login", "--print-password"]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url);
    c.env("AWS_SHARED_CREDENTIALS_FILE", &creds);
    let r = run(c);
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "AKIAWRONGDEFAULT0000");

    let mut c = uepe(&["login", "--print-password", "--profile", "missing"]);
    c.env("AWS_SHARED_CREDENTIALS_FILE", &creds);
    let r = run(c);
    assert!(
        r.code != 0 && r.stderr.contains("AWS profile `missing`"),
        "{}",
        r.stderr
    );
}

#[test]
fn web_identity_assumes_the_role_through_sts() {
    let Some(moto) = Moto::start_without_auth() else {
        return;
    };
    let dir = tempdir();
    let token = dir.path().join("token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.e30.sig").expect("token");
    let mut c = uepe(&["login", "--print-password"]);
    c.env("AWS_ENDPOINT_URL", &moto.url);
    c.env("AWS_ROLE_ARN", &moto.role_arn);
    c.env("AWS_WEB_IDENTITY_TOKEN_FILE", &token);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.trim().is_empty());
}

#[test]
fn no_credentials_says_where_it_looked() {
    let r = run(uepe(&["login", "--print-password"]));
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("no AWS credentials found") && r.stderr.contains("AWS_PROFILE"),
        "{}",
        r.stderr
    );
}

#[test]
fn engine_config_merges_into_docker_config() {
    let Some(moto) = Moto::start() else { return };
    let password = print_password(&moto, &moto.reader)
        .stdout
        .trim_end()
        .to_owned();
    let dir = tempdir();
    let file = dir.path().join("config.json");
    let before = r#"{"auths":{"other.example.com":{"auth":"dXNlcjpwYXNz"}},"credHelpers":{"gcr.io":"gcloud"},"psFormat":"table {{.ID}}","experimental":"enabled"}"#;
    std::fs::write(&file, before).expect("write config");
    let mut c = with_keys(&moto, &moto.reader, &["login", "--engine", "config"]);
    c.env("DOCKER_CONFIG", dir.path());
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains!(
        r.stdout,
        "Logged in to 462803626708.dkr.ecr.eu-west-1.amazonaws.com"
    );
    assert_contains!(r.stdout, "expires at");
    assert_no_secret(
        "output",
        &format!("{}{}", r.stdout, r.stderr),
        &[&password, &moto.reader.secret],
    );

    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("json");
    let old: serde_json::Value = serde_json::from_str(before).expect("json");
    for key in ["credHelpers", "psFormat", "experimental"] {
        assert_eq!(after[key], old[key], "{key} kept");
    }
    assert_eq!(
        after["auths"]["other.example.com"],
        old["auths"]["other.example.com"]
    );
    let auth = after["auths"]["462803626708.dkr.ecr.eu-west-1.amazonaws.com"]["auth"]
        .as_str()
        .expect("new entry");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(auth)
        .expect("base64");
    assert!(
        decoded == format!("AWS:{password}").into_bytes(),
        "auth decodes to AWS:<password>"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The lock file stays beside the config (issue 11, item 19); nothing else.
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(
        left,
        ["config.json", "config.json.lock"],
        "no temp file left behind"
    );
}

#[test]
fn engine_config_refuses_a_shadowing_credential_store() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempdir();
    let file = dir.path().join("config.json");
    let before = r#"{"credsStore":"desktop","auths":{}}"#;
    std::fs::write(&file, before).expect("write");
    let mut c = with_keys(&moto, &moto.reader, &["login", "--engine", "config"]);
    c.env("DOCKER_CONFIG", dir.path());
    let r = run(c);
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "credential helper `desktop`");
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        before,
        "file untouched"
    );
}

#[test]
fn engine_docker_gets_the_password_on_stdin_never_in_argv() {
    let Some(moto) = Moto::start() else { return };
    let password = print_password(&moto, &moto.reader)
        .stdout
        .trim_end()
        .to_owned();
    let dir = tempdir();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).expect("mkdir");
    let docker = bin.join("docker");
    std::fs::write(
        &docker,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {dir}/argv\ncat > {dir}/stdin\n",
            dir = dir.path().display()
        ),
    )
    .expect("fake docker");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&docker, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let mut c = with_keys(&moto, &moto.reader, &["login"]);
    c.env(
        "PATH",
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_contains!(r.stdout, "with docker");
    let argv = std::fs::read_to_string(dir.path().join("argv")).expect("argv");
    let stdin = std::fs::read_to_string(dir.path().join("stdin")).expect("stdin");
    assert_eq!(
        argv.lines().collect::<Vec<_>>(),
        [
            "login",
            "--username",
            "AWS",
            "--password-stdin",
            "462803626708.dkr.ecr.eu-west-1.amazonaws.com"
        ]
    );
    assert!(
        stdin.trim_end() == password,
        "the password arrives on stdin"
    );
    assert_no_secret("argv", &argv, &[&password]);
}

#[test]
fn secret_create_and_cronjob_install_take_the_password_from_ecr() {
    let Some(moto) = Moto::start() else { return };
    let password = print_password(&moto, &moto.reader)
        .stdout
        .trim_end()
        .to_owned();
    let r = run(with_keys(
        &moto,
        &moto.reader,
        &["secret", "create", "--dry-run=client", "-o", "json"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let secret: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert!(secret["metadata"]["annotations"]["kubectl-uepe/password-expires-at"].is_string());
    let config = base64::engine::general_purpose::STANDARD
        .decode(secret["data"][".dockerconfigjson"].as_str().expect("data"))
        .expect("base64");
    let config: serde_json::Value = serde_json::from_slice(&config).expect("config json");
    let entry = &config["auths"]["https://462803626708.dkr.ecr.eu-west-1.amazonaws.com"];
    assert!(
        entry["password"].as_str() == Some(password.as_str()),
        "password from ECR"
    );
    assert_no_secret("stderr", &r.stderr, &[&password, &moto.reader.secret]);

    let r = run(with_keys(
        &moto,
        &moto.reader,
        &["cronjob", "install", "--dry-run=client", "-o", "name"],
    ));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().next(),
        Some("secret/ecr-cred"),
        "pull secret first"
    );
    assert_no_secret("stderr", &r.stderr, &[&password, &moto.reader.secret]);
}

#[test]
fn unreachable_endpoint_and_unknown_region_are_named() {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let r = login_at(&format!("http://127.0.0.1:{port}"), "s3cr3t-value");
    assert_ne!(r.code, 0);
    assert_contains!(
        r.stderr,
        &format!("cannot reach the ECR API at http://127.0.0.1:{port}/")
    );
    assert_no_secret("stderr", &r.stderr, &["s3cr3t-value"]);

    // A region that does not exist does not resolve: say so. (The lookup
    // fails at once on this network-less machine as on the internet.)
    let mut c = uepe(&["login", "--print-password", "--region", "xx-nowhere-9"]);
    c.env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000000")
        .env("AWS_SECRET_ACCESS_KEY", "s3cr3t-value");
    let r = run(c);
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "xx-nowhere-9");
}

/// `login --print-password` against `endpoint` with a made-up key.
fn login_at(endpoint: &str, secret: &str) -> Run {
    let mut c = uepe(&["login", "--print-password"]);
    c.env("AWS_ENDPOINT_URL_ECR", endpoint)
        .env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000000")
        .env("AWS_SECRET_ACCESS_KEY", secret);
    run(c)
}

/// A fault injector on loopback: answers every request with `status` and
/// counts them. It stands in for no ECR behaviour, only for a failing one.
fn failing_server(status: u16, body: &'static str) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(10) {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 8192];
            let _ = s.read(&mut buf);
            seen.fetch_add(1, Ordering::SeqCst);
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, count)
}

#[test]
fn server_errors_are_retried_three_times_and_client_errors_not() {
    let (url, count) = failing_server(
        503,
        r#"{"__type":"ServiceUnavailableException","message":"busy"}"#,
    );
    let r = login_at(&url, "s");
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "after 3 attempts");
    assert_eq!(count.load(Ordering::SeqCst), 3);

    let (url, count) = failing_server(
        400,
        r#"{"__type":"InvalidParameterException","message":"bad"}"#,
    );
    let r = login_at(&url, "s");
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "InvalidParameterException");
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[test]
fn clock_skew_is_reported_as_such() {
    let (url, _) = failing_server(
        400,
        r#"{"__type":"InvalidSignatureException","message":"Signature expired: 20260101T000000Z is now earlier than 20261128T000000Z"}"#,
    );
    let r = login_at(&url, "s");
    assert_ne!(r.code, 0);
    assert_contains!(r.stderr, "clock");
}
