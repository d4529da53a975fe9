//! Runs printed shell text the way a person pastes it: a script file run by
//! `sh` (Debian's dash) in a clean environment whose PATH starts with
//! recording shims. Each shim appends its own argv to a log and then execs
//! the real program, so a test can prove what never reached a command line.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Run, peers, run, tempdir};

/// The programs the printed commands call that get a recording shim.
pub const RECORDED: [&str; 4] = ["kubectl", "aws", "base64", "tr"];

/// A clean shell with recording shims; removed when dropped.
pub struct Shell {
    dir: tempfile::TempDir,
    sh: PathBuf,
    env: Vec<(String, String)>,
}

impl Shell {
    /// `None` after a loud skip when `sh` or a recorded program is missing.
    pub fn new() -> Option<Shell> {
        Self::with_programs(&[])
    }

    /// Like [`new`](Self::new), the shims of the programs named in
    /// `programs` running the given binary instead of the one on PATH
    /// (e.g. the kubectl built with the control plane).
    pub fn with_programs(programs: &[(&str, &Path)]) -> Option<Shell> {
        let sh = peers::require("sh", "Debian's dash")?;
        let dir = tempdir();
        let bin = dir.path().join("shims");
        std::fs::create_dir(&bin).expect("mkdir shims");
        let log = dir.path().join("argv.log");
        std::fs::write(&log, "").expect("create the argv log");
        for name in RECORDED {
            let real = match programs.iter().find(|(n, _)| *n == name) {
                Some((_, path)) => path.to_path_buf(),
                None => peers::require(name, "see tests/peers/install.sh")?,
            };
            // printf is a dash builtin: the shim adds no process of its own
            // that could show the arguments anywhere but in the log.
            let shim = format!(
                "#!/bin/sh\nprintf '%s\\n' \"{name} $*\" >> '{}'\nexec '{}' \"$@\"\n",
                log.display(),
                real.display()
            );
            let path = bin.join(name);
            std::fs::write(&path, shim).expect("write shim");
            make_executable(&path);
        }
        let home = dir.path().join("home");
        std::fs::create_dir(&home).expect("mkdir home");
        let env = vec![
            ("PATH".into(), format!("{}:/usr/bin:/bin", bin.display())),
            // A fresh HOME: kubectl's discovery cache and the AWS CLI's
            // files start empty for every test.
            ("HOME".into(), home.display().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                "/nonexistent/uepe-test/credentials".into(),
            ),
            (
                "AWS_CONFIG_FILE".into(),
                "/nonexistent/uepe-test/config".into(),
            ),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ];
        Some(Shell { dir, sh, env })
    }

    /// Sets a variable for every script run from now on.
    pub fn env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// The shell's own directory (for kubeconfigs and other files).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Runs `script` from a file with `sh FILE`.
    pub fn run(&self, script: &str) -> Run {
        let file = self.dir.path().join("script.sh");
        std::fs::write(&file, script).expect("write script");
        let mut cmd = Command::new(&self.sh);
        cmd.arg(&file).env_clear().current_dir(self.dir.path());
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        run(cmd)
    }

    /// Every recorded argv so far, one `PROGRAM ARGS...` line each.
    pub fn argv_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("argv.log")).expect("read the argv log")
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}
