//! The page under test: `web/dist` built once per run through the xtask,
//! served on loopback, and opened in a fresh headless Chromium per browser.
//! The WebDriver client and the file server are the xtask's own (std +
//! serde_json only), included here by path.

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::support::{peers, workspace};

#[allow(dead_code)]
#[path = "../../xtask/src/serve.rs"]
mod serve;
#[allow(dead_code)]
#[path = "../../xtask/src/webdriver.rs"]
pub mod webdriver;

use serve::Server;
use webdriver::{Driver, Element, Session};

/// The build command, as the README gives it.
const BUILD: &str = "cargo run --locked -p xtask -- web";

/// Builds `web/dist` once per test run, through the xtask, and returns it.
pub(super) fn dist() -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let built = BUILT.get_or_init(|| {
        let cargo = std::env::var_os("CARGO")
            .or_else(|| option_env!("CARGO").map(Into::into))
            .unwrap_or_else(|| "cargo".into());
        let started = Instant::now();
        let status = Command::new(cargo)
            .current_dir(workspace())
            .args(["run", "--locked", "-p", "xtask", "--", "web"])
            .status()
            .map_err(|e| format!("could not run cargo: {e}"))?;
        eprintln!("web: `{BUILD}` took {:?}", started.elapsed());
        if status.success() {
            // Held shared until this process ends: another build of
            // web/dist (another test run, a developer) waits for it.
            let lock = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(workspace().join("web/dist.lock"))
                .and_then(|f| f.lock_shared().map(|()| f))
                .map_err(|e| format!("locking web/dist.lock: {e}"))?;
            std::mem::forget(lock);
            Ok(workspace().join("web/dist"))
        } else {
            Err(format!("`{BUILD}` failed ({status})"))
        }
    });
    match built {
        Ok(p) => p.clone(),
        Err(e) => panic!("{e}: the web tests need web/dist; run `{BUILD}` to see why"),
    }
}

/// What every test here runs against: the file server, chromedriver and
/// the Chromium binary. `None` when a peer is missing (a loud skip locally,
/// a failure under CI=true).
pub(super) struct Peers {
    driver: Driver,
    server: Server,
    chromium: PathBuf,
}

const CHROMIUM_HINT: &str = "apt-get install -y chromium chromium-driver";

impl Peers {
    pub(super) fn start() -> Option<Peers> {
        let chromium = peers::require("chromium", CHROMIUM_HINT)?;
        let chromedriver = peers::require("chromedriver", CHROMIUM_HINT)?;
        let server = Server::start(&dist(), Vec::new()).expect("serve web/dist");
        let driver = Driver::start(&chromedriver).expect("start chromedriver");
        Some(Peers {
            driver,
            server,
            chromium,
        })
    }

    /// A fresh browser (own profile) on the page's origin, desktop-sized.
    pub(super) fn browser(&self, downloads: Option<&Path>) -> Page {
        let session = self
            .driver
            .session(&self.chromium, downloads)
            .expect("start chromium");
        session.window_size(1280, 1000).expect("window size");
        Page {
            session,
            origin: self.server.origin(),
        }
    }
}

/// The page in one browser.
pub(super) struct Page {
    pub(super) session: Session,
    pub(super) origin: String,
}

impl Page {
    /// Loads the page with `query` (`""` or `?...`) and waits until it has rendered.
    pub(super) fn load(&self, query: &str) {
        self.session
            .goto(&format!("{}/{query}", self.origin))
            .expect("navigate");
        self.session
            .wait_for("#f-version", Duration::from_secs(30))
            .unwrap_or_else(|e| {
                panic!("the page did not start: {e}\n{:?}", self.session.console())
            });
    }

    pub(super) fn el(&self, css: &str) -> Element {
        self.session
            .wait_for(css, Duration::from_secs(5))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    pub(super) fn js(&self, script: &str, args: Value) -> Value {
        self.session.script(script, args).expect("script")
    }

    /// The value of a field.
    pub(super) fn value(&self, flag: &str) -> String {
        self.js(
            "return document.getElementById(arguments[0]).value;",
            json!([format!("f-{flag}")]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    }

    /// Sets a field as a person would: a select by clicking the option, a
    /// text input by selecting what is there, deleting it and typing.
    pub(super) fn set(&self, flag: &str, value: &str) {
        let id = format!("f-{flag}");
        let is_select = self.js(
            "return document.getElementById(arguments[0]).tagName === 'SELECT';",
            json!([id]),
        ) == json!(true);
        if is_select {
            let option = self.el(&format!("#{id} option[value=\"{value}\"]"));
            self.session.click(&option).expect("click option");
        } else if self.value(flag) != value {
            let input = self.el(&format!("#{id}"));
            self.session.click(&input).expect("focus");
            // Control+A, release Control, Backspace; then the new value.
            let keys = format!("\u{E009}a\u{E000}\u{E003}{value}");
            self.session.type_keys(&input, &keys).expect("type");
        }
    }

    /// The text of an output block, `None` when it shows none.
    pub(super) fn output(&self, id: &str) -> Option<String> {
        self.js(
            "const e = document.getElementById(arguments[0]); return e ? e.textContent : null;",
            json!([format!("out-{id}-text")]),
        )
        .as_str()
        .map(str::to_owned)
    }

    /// The error messages shown beside a field.
    pub(super) fn field_errors(&self, flag: &str) -> Vec<String> {
        let v = self.js(
            "return [...document.querySelectorAll('#' + arguments[0] + ' li')].map(e => e.textContent);",
            json!([format!("f-{flag}-error")]),
        );
        serde_json::from_value(v).unwrap_or_default()
    }

    /// Waits until `probe` gives `want` (the DOM follows an input within a
    /// frame or two); returns the last value seen.
    pub(super) fn settle<T: PartialEq>(&self, want: &T, probe: impl Fn() -> T) -> T {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let got = probe();
            if &got == want || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}
