//! The count of tests skipped for a missing peer that ends a local run
//! (`peers.rs`): checked on a child run of this very test binary. Not in
//! `peers.rs` itself, which the mirror benchmark includes too.

use super::peers::{require, require_that, skips_line};
use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};

/// Run only by the test below, in a child run (`--ignored`): skips for
/// two peers that exist nowhere.
#[test]
#[ignore = "run by the_run_ends_with_the_count_of_skipped_tests"]
fn absent_peer_one() {
    assert!(require("uepe-absent-peer-1", "none").is_none());
}

#[test]
#[ignore = "run by the_run_ends_with_the_count_of_skipped_tests"]
fn absent_peer_two() {
    assert!(!require_that("uepe-absent-peer-2", false, "none"));
    assert!(require("uepe-absent-peer-1", "none").is_none());
}

#[test]
fn the_run_ends_with_the_count_of_skipped_tests() {
    let dir = crate::support::tempdir();
    let log = dir.path().join("run.log");
    let out = std::fs::File::create(&log).expect("create the log");
    // One file for both streams, so their order is the order written.
    let status = Command::new(std::env::current_exe().expect("this test binary"))
        .args(["--ignored", "support::peer_skips::absent_peer_"])
        // Locally a missing peer is a skip; under CI=true a failure.
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(out.try_clone().expect("clone the log"))
        .stderr(out)
        .status()
        .expect("run this test binary again");
    let text = std::fs::read_to_string(&log).expect("read the log");
    assert!(status.success(), "{text}");
    assert_contains!(text, "test result: ok. 2 passed");
    let last = text.lines().rev().find(|l| !l.trim().is_empty());
    assert_eq!(
        last,
        Some("2 tests skipped for a missing peer: uepe-absent-peer-1, uepe-absent-peer-2"),
        "{text}"
    );
}

#[test]
fn no_skip_no_line_and_one_test_is_singular() {
    assert_eq!(skips_line(&BTreeMap::new()), None);
    let one = BTreeMap::from([(
        "a::b".to_owned(),
        BTreeSet::from(["kubectl".to_owned(), "aws".to_owned()]),
    )]);
    assert_eq!(
        skips_line(&one).as_deref(),
        Some("1 test skipped for a missing peer: aws, kubectl")
    );
}
