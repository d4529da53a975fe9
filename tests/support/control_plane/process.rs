//! Peer processes that end when the test binary ends, however it ends.
//!
//! Statics are never dropped at exit, and `PR_SET_PDEATHSIG` fires when the
//! *thread* that spawned the child exits (tests run on short-lived threads),
//! so neither can stop a control plane shared by the whole binary. Instead
//! each peer runs under a small `sh` watchdog whose stdin is a pipe only this
//! process writes to: the kernel closes it when the process is gone (exit,
//! panic, SIGKILL), `read` returns, and the watchdog stops the peer and
//! removes what it leaves on disk.

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};

/// The watchdog. `$1` is the directory to remove afterwards ("" for none),
/// the rest is the peer's command line. The peer gets 3 s after SIGTERM (a
/// test cluster's data is thrown away anyway), then SIGKILL. Once the peer runs (ignored signals
/// are inherited, so not before), SIGINT/SIGTERM/SIGHUP are ignored: a
/// Ctrl-C ends the test binary, and the clean-up still runs.
const WATCHDOG: &str = r#"
cleanup=$1; shift
"$@" </dev/null &
peer=$!
trap '' INT TERM HUP
echo "uepe-watchdog: peer pid $peer"
read -r _ || true
kill -TERM "$peer" 2>/dev/null
i=0
while kill -0 "$peer" 2>/dev/null && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$peer" 2>/dev/null
wait "$peer"
[ -z "$cleanup" ] || rm -rf "$cleanup"
"#;

/// A peer under its watchdog; dropping it (or this process ending) stops it.
pub struct Guarded {
    /// The write end of the watchdog's stdin: its only holder is this process.
    _lifeline: ChildStdin,
    _watchdog: std::process::Child,
    log: PathBuf,
}

impl Guarded {
    /// Whether the peer is still running. The watchdog logs the peer's pid
    /// first; a peer that exited stays a zombie until its watchdog reaps it.
    pub fn running(&self) -> bool {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let Some(pid) = text
            .lines()
            .find_map(|l| l.strip_prefix("uepe-watchdog: peer pid "))
        else {
            return true; // not started yet
        };
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            !stat
                .rsplit(')')
                .next()
                .unwrap_or_default()
                .trim_start()
                .starts_with('Z')
        })
    }

    /// The peer's log.
    pub fn log(&self) -> &Path {
        &self.log
    }
}

/// Starts `program args` under a watchdog, its output appended to `log`;
/// `cleanup` is removed after it stopped.
pub fn spawn(program: &Path, args: &[String], log: &Path, cleanup: Option<&Path>) -> Guarded {
    let out = File::create(log).expect("peer log");
    let err = out.try_clone().expect("peer log");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("uepe-watchdog")
        .arg(cleanup.map(|p| p.as_os_str()).unwrap_or_default())
        .arg(program)
        .args(args)
        .stdin(Stdio::piped())
        // The log, not the test's stdout: a pipe the watchdog holds would
        // keep whoever reads the test's output waiting after it exited.
        .stdout(out)
        .stderr(err)
        .spawn()
        .unwrap_or_else(|e| panic!("start {}: {e}", program.display()));
    let lifeline = child.stdin.take().expect("watchdog stdin");
    Guarded {
        _lifeline: lifeline,
        _watchdog: child,
        log: log.to_path_buf(),
    }
}

/// A loopback port free at the time of asking.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// The last `lines` lines of a log, for a failure message.
pub fn tail(log: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
