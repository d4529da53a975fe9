//! The web page (issue 6), clicked and read as a person would: `web/dist`
//! (built by `cargo run -p xtask -- web`, the one build command) served on
//! loopback, Debian's headless Chromium driven through chromedriver.
//!
//! - input sets typed into the form give the same bytes as `kubectl-uepe`
//!   (`images`, `commands SECTION`, `cronjob install --dry-run=client`);
//! - a shared link restores the inputs and the outputs;
//! - a bad value shows its field error and no YAML, as it is typed;
//! - the browser's own network log holds no request outside the page's origin;
//! - copy and download give the same bytes too, the form is keyboard usable,
//!   and screenshots at desktop and phone width (light and dark) are written
//!   under the target dir (`target/tmp/web/`).
//!
//!
//! `web/page.rs` builds, serves and drives the page; `web/sets.rs` holds the
//! input sets and the CLI reference for them.

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod page;
mod sets;

use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;

use crate::support::{assert_same, ok};
use page::{Peers, webdriver};
use sets::{Set, check_outputs, cli, defaults, input_sets, set, type_set};

#[test]
fn typed_inputs_give_the_plugins_bytes() {
    let Some(peers) = Peers::start() else { return };
    let page = peers.browser(None);
    let sets = input_sets();
    assert!(sets.len() >= 10);
    for (n, s) in sets.iter().enumerate() {
        page.load("");
        type_set(&page, s);
        check_outputs(&page, s, &format!("input set {n} {s:?}"));
    }
    // The same component: the page shows the sha256 the plugin prints.
    let version: Value = serde_json::from_str(&ok(&["version", "-o", "json"])).expect("json");
    let shown = page.js(
        "return document.getElementById('core-sha256').textContent;",
        json!([]),
    );
    assert_eq!(shown, version["core"]["sha256"], "component sha256");
}

/// Issue 13: a fresh page shows the core's defaults, offers the core's
/// choices and names the core's default registry: nothing of its own.
#[test]
fn the_form_starts_from_the_cores_defaults_and_choices() {
    let Some(peers) = Peers::start() else { return };
    let page = peers.browser(None);
    page.load("");
    let choices = uepe_core::api::choices();
    // `image` exists only for the plugin runner, not the default one.
    for (flag, want) in defaults().into_iter().filter(|(f, _)| *f != "image") {
        assert_eq!(page.value(flag), want, "field {flag} of a fresh page");
    }
    for (flag, want) in [("tool", &choices.tool), ("runner", &choices.runner)] {
        let offered = page.js(
            "return Array.from(document.getElementById(arguments[0]).options).map(o => o.value);",
            json!([format!("f-{flag}")]),
        );
        assert_eq!(offered, json!(want), "the choices of --{flag}");
    }
    let placeholder = page.js(
        "return document.getElementById('f-registry').placeholder;",
        json!([]),
    );
    assert_eq!(placeholder, json!(choices.defaults.registry));
}

/// Issue 13, item 5: the page and the plugin get their component from one
/// build step (`core-build/`), each in its own build: the page's file, the
/// sha256 its HTML carries and `kubectl uepe version`'s are the bytes the
/// plugin embeds. Needs no browser.
#[test]
fn the_page_embeds_the_plugins_component() {
    use sha2::{Digest, Sha256};
    let dist = page::dist();
    let page = std::fs::read(dist.join("core/uepe_core.wasm")).expect("the page's component");
    let sha256 = format!("{:x}", Sha256::digest(&page));
    let version: Value = serde_json::from_str(&ok(&["version", "-o", "json"])).expect("json");
    assert_eq!(
        version["core"]["sha256"],
        sha256.as_str(),
        "component sha256"
    );
    let embedded = std::fs::read(crate::support::component_path()).expect("the plugin's component");
    assert!(
        page == embedded,
        "the page's component differs from the plugin's"
    );
    let html = std::fs::read_to_string(dist.join("index.html")).expect("index.html");
    assert_contains!(
        html,
        &format!(r#"<meta name="uepe-core-sha256" content="{sha256}">"#)
    );
}

#[test]
fn a_shared_link_restores_inputs_and_outputs() {
    let Some(peers) = Peers::start() else { return };
    let page = peers.browser(None);
    let s = set(&[
        ("version", "4.3.0"),
        ("to", "registry.example.com/uepe"),
        ("tool", "skopeo"),
        ("namespace", "uepe,tools"),
        ("name", "pull"),
        ("schedule", "0 */6 * * *"),
        ("runner", "plugin"),
        ("image", "registry.example.com/kubectl-uepe:0.1.0"),
        ("region", "eu-west-1"),
        ("registry", "462803626708.dkr.ecr.eu-west-1.amazonaws.com"),
    ]);
    page.load("");
    type_set(&page, &s);
    check_outputs(&page, &s, "typed");
    let link = page.session.url().expect("url");
    let query = link.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let keys: Vec<&str> = query
        .split('&')
        .map(|p| p.split_once('=').map_or(p, |(k, _)| k))
        .collect();
    let allowed = [
        "version",
        "registry",
        "to",
        "tool",
        "namespace",
        "name",
        "schedule",
        "runner",
        "role-arn",
        "region",
        "image",
    ];
    for k in &keys {
        assert!(
            allowed.contains(k),
            "unexpected key `{k}` in the link {link}"
        );
    }
    for k in ["version", "to", "namespace", "schedule", "runner", "image"] {
        assert!(keys.contains(&k), "the link {link} lacks `{k}`");
    }

    // Another browser, as the person the link was sent to.
    let second = peers.browser(None);
    second.session.goto(&link).expect("open the link");
    second
        .session
        .wait_for("#out-refresher-text", Duration::from_secs(30))
        .expect("outputs");
    let full: Set = defaults().into_iter().chain(s.clone()).collect();
    for (k, v) in full {
        assert_eq!(second.value(k), v, "field {k} after opening {link}");
    }
    check_outputs(&second, &s, "restored from the link");
}

#[test]
fn a_bad_value_shows_its_error_as_it_is_typed_and_no_yaml() {
    let Some(peers) = Peers::start() else { return };
    let page = peers.browser(None);
    page.load("?version=4.3.0");
    assert!(page.output("refresher").is_some(), "YAML on a good page");

    // The namespace, typed one key at a time: the error appears with the `_`.
    page.set("namespace", "bad");
    let input = page.el("#f-namespace");
    page.session.type_keys(&input, "_ns").expect("type");
    let want = cli("refresher", &set(&[("namespace", "bad_ns")])).expect_err("the CLI refuses");
    let none = page.settle(&false, || page.field_errors("namespace").is_empty());
    assert!(!none, "no error shown beside the namespace");
    let shown = page.field_errors("namespace");
    assert!(
        shown.iter().any(|m| want.contains(m.as_str())),
        "the page says {shown:?}; the CLI says {want}"
    );
    assert_eq!(
        page.output("refresher"),
        None,
        "YAML shown for a bad namespace"
    );
    assert_eq!(
        page.output("secret"),
        None,
        "commands shown for a bad namespace"
    );
    assert_eq!(
        page.js(
            "return document.getElementById('f-namespace').getAttribute('aria-invalid');",
            json!([])
        ),
        json!("true")
    );
    // Fixed: the error goes and the YAML comes back.
    page.set("namespace", "good-ns");
    let back = cli("refresher", &set(&[("namespace", "good-ns")])).expect("good");
    let shown = page.settle(&Some(back.clone()), || page.output("refresher"));
    assert_same("refresher after the fix", &back, &shown.unwrap_or_default());
    assert!(page.field_errors("namespace").is_empty());

    // A schedule runs too rarely for a 12-hour password.
    page.set("schedule", "0 0 * * *");
    let want = cli("refresher", &set(&[("schedule", "0 0 * * *")])).expect_err("refused");
    page.settle(&false, || page.field_errors("schedule").is_empty());
    let shown = page.field_errors("schedule");
    assert!(
        !shown.is_empty() && shown.iter().all(|m| want.contains(m.as_str())),
        "the page says {shown:?}; the CLI says {want}"
    );
    assert_eq!(
        page.output("refresher"),
        None,
        "YAML shown for a bad schedule"
    );
    page.set("schedule", "0 */8 * * *");

    // A version with the image suffix: error beside it, no image list.
    page.set("version", "4.3.0-ec");
    page.settle(&false, || page.field_errors("version").is_empty());
    let want = cli("images", &set(&[("version", "4.3.0-ec")])).expect_err("refused");
    let shown = page.field_errors("version");
    assert!(
        shown.iter().any(|m| want.contains(m.as_str())),
        "the page says {shown:?}; the CLI says {want}"
    );
    assert_eq!(page.output("images"), None);
    assert!(
        page.output("refresher").is_some(),
        "the refresher needs no version"
    );
    page.set("version", "4.3.0");

    // A bad own registry: its error, no mirroring commands; the blocks
    // that do not read it stay.
    page.set("to", "Registry Example");
    page.settle(&false, || page.field_errors("to").is_empty());
    let bad_to = set(&[("version", "4.3.0"), ("to", "Registry Example")]);
    let want = cli("mirror", &bad_to).expect_err("refused");
    let shown = page.field_errors("to");
    assert!(
        !shown.is_empty() && shown.iter().all(|m| want.contains(m.as_str())),
        "the page says {shown:?}; the CLI says {want}"
    );
    assert_eq!(page.output("mirror"), None, "mirroring to a bad registry");
    assert!(page.output("login").is_some(), "login does not read --to");
    assert!(
        page.output("secret").is_some(),
        "the secret does not read --to"
    );
}

/// True when `url` is on the page's own origin (a blob it made counts).
fn same_origin(url: &str, origin: &str) -> bool {
    let own = |u: &str| u == origin || u.starts_with(&format!("{origin}/"));
    own(url) || url.strip_prefix("blob:").is_some_and(own)
}

#[test]
fn the_page_asks_nothing_of_any_other_origin() {
    let Some(peers) = Peers::start() else { return };
    // Copy needs clipboard permission; downloads go to a fresh folder.
    let downloads = webdriver::fresh_dir("uepe-downloads").expect("dir");
    let p = peers.browser(Some(&downloads));
    let origin = p.origin.clone();
    p.session
        .cdp(
            "Browser.grantPermissions",
            json!({ "origin": origin, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"] }),
        )
        .expect("grant clipboard");
    p.session
        .cdp(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": downloads }),
        )
        .expect("downloads");
    // A fresh browser first shows its own start page; its loads are not
    // the page's, so the log is read empty from a blank tab.
    p.session.goto("about:blank").expect("blank");
    p.session.network_requests().expect("drain the network log");
    p.session
        .goto(&format!(
            "{origin}/?version=4.3.0&to=registry.example.com/uepe"
        ))
        .expect("navigate");
    p.session
        .wait_for("#out-refresher-text", Duration::from_secs(30))
        .expect("rendered");
    type_set(&p, &set(&[("version", "4.2.0"), ("namespace", "uepe,ops")]));

    // Copy: the clipboard holds exactly what the CLI prints.
    let want = cli(
        "refresher",
        &set(&[("version", "4.2.0"), ("namespace", "uepe,ops")]),
    )
    .expect("cli");
    p.session
        .click(&p.el("#out-refresher button:first-of-type"))
        .expect("copy");
    let status = p.settle(&"Copied to the clipboard.".to_owned(), || {
        p.js(
            "return document.querySelector('#out-refresher .status').textContent;",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
    });
    assert_eq!(status, "Copied to the clipboard.");
    let clip = p
        .session
        .script_async(
            "const done = arguments[arguments.length - 1]; navigator.clipboard.readText().then(done, e => done('ERR ' + e));",
            json!([]),
        )
        .expect("read the clipboard");
    assert_same(
        "clipboard after Copy",
        &want,
        clip.as_str().unwrap_or_default(),
    );

    // Download: the file holds exactly what the CLI prints.
    p.session
        .click(&p.el("#out-refresher button:nth-of-type(2)"))
        .expect("download");
    let file = downloads.join("uepe-refresher.yaml");
    let got = p.settle(&true, || file.is_file());
    assert!(got, "no {} after Download", file.display());
    std::thread::sleep(Duration::from_millis(200));
    assert_same(
        "downloaded uepe-refresher.yaml",
        &want,
        &std::fs::read_to_string(&file).expect("read download"),
    );
    let _ = std::fs::remove_dir_all(&downloads);

    // The browser's own log of what the page asked the network for.
    let urls = p.session.network_requests().expect("network log");
    assert!(
        urls.iter().any(|u| u.ends_with("/core/core.core.wasm")),
        "the network log misses the core wasm: {urls:?}"
    );
    let foreign: Vec<&String> = urls.iter().filter(|u| !same_origin(u, &origin)).collect();
    assert!(foreign.is_empty(), "requests outside {origin}: {foreign:?}");
    let errors: Vec<String> = p
        .session
        .console()
        .expect("console")
        .into_iter()
        .filter(|m| m.starts_with("SEVERE") && !m.contains("favicon"))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn keyboard_and_screens_of_every_size() {
    let Some(peers) = Peers::start() else { return };
    let page = peers.browser(None);
    page.load("?version=4.3.0&to=registry.example.com/uepe&namespace=uepe,uepe-ec");

    // Every control has a label.
    let unlabelled = page.js(
        "return [...document.querySelectorAll('input, select')].filter(e => e.labels.length === 0).map(e => e.id);",
        json!([]),
    );
    assert_eq!(unlabelled, json!([]), "controls without a label");

    // Tab goes from the first field through the form to the output buttons.
    page.session.click(&page.el("#f-version")).expect("focus");
    let mut order = Vec::new();
    for _ in 0..20 {
        page.session.press(&["\u{E004}"]).expect("tab");
        let id = page.js(
            "const a = document.activeElement; return a.id || (a.tagName + ':' + a.textContent + ':' + (a.closest('section') || {}).id);",
            json!([]),
        );
        order.push(id.as_str().unwrap_or_default().to_owned());
    }
    for want in [
        "f-registry",
        "f-to",
        "f-namespace",
        "f-runner",
        "f-schedule",
    ] {
        assert!(
            order.iter().any(|o| o == want),
            "Tab never reached {want}: {order:?}"
        );
    }
    assert!(
        order
            .iter()
            .any(|o| o.starts_with("BUTTON:Copy:out-images")),
        "Tab never reached the first Copy button: {order:?}"
    );
    // A select changes with the keyboard alone.
    page.session
        .click(&page.el("#f-runner"))
        .expect("focus runner");
    page.session.press(&["\u{E015}"]).expect("arrow down");
    page.session.press(&["\u{E007}"]).expect("enter");
    let runner = page.settle(&"plugin".to_owned(), || page.value("runner"));
    assert_eq!(runner, "plugin", "arrow down on the runner select");
    page.set("runner", "aws-cli");

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web");
    std::fs::create_dir_all(&dir).expect("artifact dir");
    for (name, width, height, scheme) in [
        ("desktop-light", 1280, 1000, "light"),
        ("desktop-dark", 1280, 1000, "dark"),
        ("phone-light", 390, 844, "light"),
        ("phone-dark", 390, 844, "dark"),
    ] {
        page.session.window_size(width, height).expect("resize");
        page.session
            .cdp(
                "Emulation.setEmulatedMedia",
                json!({ "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
            )
            .expect("color scheme");
        let dark = page.js(
            "return matchMedia('(prefers-color-scheme: dark)').matches;",
            json!([]),
        );
        assert_eq!(dark, json!(scheme == "dark"));
        // Nothing wider than the screen: no sideways scrolling of the page.
        let (page_width, screen) = (
            page.js("return document.documentElement.scrollWidth;", json!([])),
            page.js("return window.innerWidth;", json!([])),
        );
        assert!(
            page_width.as_f64() <= screen.as_f64(),
            "{name}: the page is {page_width} px wide in a {screen} px window"
        );
        // From the top, nothing focused: what a person sees on opening it.
        page.js(
            "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); document.querySelector('.inputs').scrollTop = 0;",
            json!([]),
        );
        let shots = [
            (format!("{name}.png"), page.session.screenshot_full()),
            (format!("{name}-screen.png"), page.session.screenshot()),
        ];
        for (file, png) in shots {
            let png = png.expect("screenshot");
            assert!(png.starts_with(b"\x89PNG"), "not a PNG");
            let path = dir.join(file);
            std::fs::write(&path, png).expect("write screenshot");
            eprintln!("web: screenshot {}", path.display());
        }
    }
}

/// The shared helpers must agree with the file server about origins.
#[test]
fn origins_are_compared_by_prefix() {
    let o = "http://127.0.0.1:4000";
    assert!(same_origin("http://127.0.0.1:4000/core/core.js", o));
    assert!(same_origin("blob:http://127.0.0.1:4000/1234", o));
    assert!(!same_origin("http://127.0.0.1:40001/x", o));
    assert!(!same_origin("https://fonts.example.com/x.woff2", o));
}
