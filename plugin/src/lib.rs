//! `kubectl-uepe` as a library: the binary (`main.rs`) is a thin edge over
//! this, and the tests and benchmarks reach the embedded core through
//! [`core::Core`] without a second copy of any logic.

pub mod aws;
pub mod causes;
pub mod cli;
pub mod cluster;
pub mod cmd;
pub mod core;
pub mod docker_config;
pub mod error;
#[cfg(test)]
mod layers;
pub mod registry;
pub mod retry;
