//! The workspace-level tests: one integration-test binary (ripgrep-style)
//! that runs the real `kubectl-uepe` binary against real peers started on
//! loopback. Each module covers one area; `support` holds the helpers.

// Helpers panic with a message when a peer misbehaves: that is the report.
#![allow(clippy::expect_used, clippy::unwrap_used)]

// `#[macro_use]`: its assertion macros (`assert_contains!`, ...) in every module.
#[macro_use]
mod support;

mod aws;
mod cli;
mod cluster;
mod commands;
mod control_plane;
mod docker_config;
mod krew;
mod manifests;
mod mirror;
mod web;
