//! Issue 13: the AWS credentials chain is resolved once per run. The shared
//! credentials file is a FIFO here, so every read of it is counted: `cronjob
//! install` needs both the refresher's keys and the ECR password from the
//! chain, and used to read it once for each.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::support::moto::Moto;
use crate::support::{run, tempdir, uepe};

/// `O_NONBLOCK` on Linux: opening a FIFO's read end without a writer.
const O_NONBLOCK: i32 = 0o4000;

/// A FIFO that hands `text` to each reader and counts the reads.
struct CountedFile {
    path: PathBuf,
    reads: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl CountedFile {
    fn start(path: &Path, text: String) -> Self {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .expect("mkfifo");
        assert!(made.success(), "mkfifo failed");
        let reads = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, r, s) = (path.to_path_buf(), reads.clone(), stop.clone());
        std::thread::spawn(move || {
            // Opening the write end waits for a reader.
            while let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&p) {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                if f.write_all(text.as_bytes()).is_ok() {
                    r.fetch_add(1, Ordering::SeqCst);
                }
                drop(f);
                // The reader sees the end of the file only once no writer
                // has the FIFO open: give it time to close before the next.
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        });
        Self {
            path: path.to_path_buf(),
            reads,
            stop,
        }
    }
}

impl Drop for CountedFile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the writer waiting for a reader, so it sees `stop`.
        let _ = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(O_NONBLOCK)
            .open(&self.path);
    }
}

#[test]
fn issue_13_cronjob_install_reads_the_credentials_chain_once() {
    let Some(moto) = Moto::start() else { return };
    let dir = tempdir();
    let file = CountedFile::start(
        &dir.path().join("credentials"),
        format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            moto.reader.id, moto.reader.secret
        ),
    );
    let mut c = uepe(&["cronjob", "install", "--dry-run=client", "-o", "name"]);
    c.env("AWS_ENDPOINT_URL_ECR", &moto.url)
        .env("AWS_SHARED_CREDENTIALS_FILE", &file.path)
        .env("AWS_CONFIG_FILE", dir.path().join("no-config"));
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().next(),
        Some("secret/ecr-cred"),
        "the pull secret, with a password from ECR: {}",
        r.stdout
    );
    assert!(
        r.stdout.contains("-refresher-aws"),
        "the refresher's keys, from the file, are in their Secret: {}",
        r.stdout
    );
    assert_eq!(
        file.reads.load(Ordering::SeqCst),
        1,
        "the credentials file was read more than once in one run"
    );
}
