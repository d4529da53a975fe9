//! `kubectl uepe login`: an ECR password from the AWS credentials chain,
//! handed to a container engine on stdin, written into docker's config
//! file, or printed for a pipe. Never on a command line.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::SystemTime;

use super::ecr::{self, Target};
use crate::aws::Session;
use crate::cli::LoginArgs;
use crate::core::{Core, DockerConfigRequest};
use crate::docker_config;
use crate::error::{Error, write_err};

/// Engines that accept `login --username U --password-stdin HOST`.
pub const ENGINES: [&str; 3] = ["docker", "podman", "nerdctl"];

/// Finds an executable on PATH.
fn on_path(name: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false)
}

/// Which engine `--engine` names; `auto` picks the first on PATH, else config.
fn choose_engine(flag: &str) -> Result<String, Error> {
    match flag {
        "auto" => Ok(ENGINES
            .iter()
            .find(|e| on_path(e))
            .map_or("config", |e| e)
            .to_owned()),
        "config" => Ok("config".into()),
        e if ENGINES.contains(&e) => {
            if on_path(e) {
                Ok(e.to_owned())
            } else {
                Err(Error::Flags(format!(
                    "--engine {e}: `{e}` is not on PATH; install it or use --engine config"
                )))
            }
        }
        other => Err(Error::Flags(format!(
            "--engine: `{other}` is not valid: choose one of auto, docker, podman, nerdctl, config"
        ))),
    }
}

/// "2026-11-28T12:00:00Z (in 11h59m)".
pub fn describe_expiry(at: SystemTime) -> String {
    let when = humantime::format_rfc3339_seconds(at);
    match at.duration_since(SystemTime::now()) {
        Ok(left) => {
            let mins = left.as_secs() / 60;
            format!("{when} (in {}h{:02}m)", mins / 60, mins % 60)
        }
        Err(_) => format!("{when} (already expired)"),
    }
}

/// Runs `login`.
pub async fn run(core: &Core, a: &LoginArgs, out: &mut dyn Write) -> Result<(), Error> {
    // Check the engine before asking AWS for anything.
    let engine = if a.print_password {
        String::new()
    } else {
        choose_engine(&a.engine)?
    };
    let target = Target {
        registry: a.registry.clone(),
        region: a.aws.region.clone(),
        profile: a.aws.profile.clone(),
    };
    let session = Session::new(target.profile.clone())?;
    let (req, token) = ecr::password(core, &target, &session).await?;
    if a.print_password {
        return writeln!(out, "{}", token.password).map_err(write_err);
    }
    let how = if engine == "config" {
        let rendered = core.docker_config(&DockerConfigRequest {
            registry: Some(req.registry_host.clone()),
            username: Some(token.username.clone()),
            password: token.password.clone(),
            style: Some("docker".into()),
        })?;
        let file = docker_config::path();
        docker_config::write_login(&file, &rendered)?;
        format!("in {}", file.display())
    } else {
        engine_login(
            &engine,
            &req.registry_host,
            &token.username,
            &token.password,
        )?;
        format!("with {engine}")
    };
    writeln!(
        out,
        "Logged in to {} {how}; the password expires at {}.",
        req.registry_host,
        describe_expiry(token.expires_at)
    )
    .map_err(write_err)
}

/// `ENGINE login --username USER --password-stdin HOST`, password on stdin.
fn engine_login(engine: &str, host: &str, username: &str, password: &str) -> Result<(), Error> {
    let mut child = Command::new(engine)
        .args(["login", "--username", username, "--password-stdin", host])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Error::EngineStart)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(password.as_bytes())
            .map_err(Error::EngineStart)?;
        stdin.write_all(b"\n").map_err(Error::EngineStart)?;
    }
    let output = child.wait_with_output().map_err(Error::EngineStart)?;
    if output.status.success() {
        Ok(())
    } else {
        // The engine's own message; it never echoes stdin.
        Err(Error::EngineRefused {
            engine: engine.to_owned(),
            host: host.to_owned(),
            status: output.status,
            message: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}
