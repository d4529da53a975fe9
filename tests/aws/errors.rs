//! Issue 11, items 12 and 13: an ECR endpoint that does not resolve is a
//! region problem only for a region AWS does not have, and a DNS, proxy or
//! network problem otherwise; a connection error says each cause once.

use std::net::ToSocketAddrs;

use crate::support::{Run, assert_each_part_once, run, uepe};

const SECRET: &str = "s3cr3t-value-aws-errors";

/// `login --print-password` with made-up keys, `args` and `env` added.
fn print_password(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["login", "--print-password"];
    all.extend_from_slice(args);
    let mut c = uepe(&all);
    c.env("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE000000000")
        .env("AWS_SECRET_ACCESS_KEY", SECRET);
    c.envs(env.iter().copied());
    run(c)
}

/// The one `error:` line.
#[track_caller]
fn error_line(r: &Run) -> String {
    assert_ne!(r.code, 0, "succeeded: {}", r.stdout);
    assert_no_secret!(r.stderr, SECRET, "the secret key leaked");
    let lines: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    lines[0].to_owned()
}

#[track_caller]
fn assert_network_hint(line: &str, host: &str) {
    assert!(
        line.starts_with(&format!("error: cannot resolve {host} (dns error: ")),
        "names the host, then the resolver's words: {line}"
    );
    assert_contains!(line, "check DNS, the proxy (HTTPS_PROXY) or the network");
    assert_not_contains!(line, "region", "a real region is not the problem");
    assert_each_part_once(line);
}

#[test]
fn issue_11_item_12_an_unresolvable_endpoint_of_a_real_region_is_a_network_problem() {
    // The real endpoint: this machine has no resolver for it (offline). A
    // machine that does resolve it would reach AWS instead; there only the
    // `.invalid` case below can run.
    let real = "api.ecr.eu-west-1.amazonaws.com";
    if (real, 443).to_socket_addrs().is_err() {
        let line = error_line(&print_password(&["--region", "eu-west-1"], &[]));
        assert_network_hint(&line, real);
    } else {
        eprintln!("note: {real} resolves here; its offline case is skipped");
    }
    // Any region the table knows, through an endpoint that never resolves
    // (RFC 6761 reserves `.invalid`).
    let line = error_line(&print_password(
        &["--region", "cn-north-1"],
        &[("AWS_ENDPOINT_URL_ECR", "https://ecr.example.invalid")],
    ));
    assert_network_hint(&line, "ecr.example.invalid");
}

#[test]
fn issue_11_item_12_a_region_aws_does_not_have_keeps_the_region_hint() {
    // Well-formed, so the core accepts it; not a region, so it has no endpoint.
    let line = error_line(&print_password(&["--region", "eu-west-9"], &[]));
    assert!(
        line.starts_with(
            "error: cannot resolve api.ecr.eu-west-9.amazonaws.com: `eu-west-9` is not an AWS region; check --region"
        ),
        "{line}"
    );
}

#[test]
fn issue_11_item_13_a_refused_connection_says_each_cause_once() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let line = error_line(&print_password(
        &[],
        &[("AWS_ENDPOINT_URL_ECR", &format!("http://127.0.0.1:{port}"))],
    ));
    assert_contains!(line, "Connection refused", "the cause");
    assert_each_part_once(&line);
}
