//! The input sets the page is checked with, and what `kubectl-uepe` prints
//! for each: the reference every output block must equal byte for byte.

use std::collections::BTreeMap;

use super::page::Page;
use crate::support::{assert_same, run, uepe};

/// One configuration, as flag → value (only what differs from the form's
/// fresh state needs to be named; the rest keeps the defaults).
pub(super) type Set = BTreeMap<&'static str, &'static str>;

pub(super) fn set(pairs: &[(&'static str, &'static str)]) -> Set {
    pairs.iter().copied().collect()
}

/// The form's fresh values: the core's defaults (issue 13: the page asks
/// the core for them; this list names no default of its own).
pub(super) fn defaults() -> Set {
    let d = uepe_core::api::choices().defaults;
    // A test process asks once per call; leaking a few short strings is fine.
    let keep = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    set(&[
        ("version", ""),
        ("registry", ""),
        ("to", ""),
        ("tool", keep(d.tool)),
        ("namespace", keep(d.namespace)),
        ("name", keep(d.name)),
        ("schedule", keep(d.schedule)),
        ("runner", keep(d.runner)),
        ("role-arn", ""),
        ("region", ""),
        ("image", ""),
    ])
}

/// At least ten input sets that cover every field, runner and tool.
pub(super) fn input_sets() -> Vec<Set> {
    vec![
        set(&[("version", "4.3.0")]),
        set(&[("version", "4.3.0"), ("to", "registry.example.com/uepe")]),
        set(&[
            ("version", "3.0.5"),
            ("to", "localhost:5000/mirror"),
            ("tool", "docker"),
        ]),
        set(&[
            ("version", "4.1.2"),
            (
                "registry",
                "123456789012.dkr.ecr.us-east-2.amazonaws.com/uepe-mirror",
            ),
            ("namespace", "uepe,uepe-ec"),
            ("name", "uepe-pull"),
        ]),
        set(&[
            ("version", "4.3.0"),
            ("runner", "external-secrets"),
            ("role-arn", "arn:aws:iam::123456789012:role/ecr-reader"),
            ("namespace", "a, b,c"),
        ]),
        set(&[
            ("version", "4.2.0"),
            ("runner", "plugin"),
            ("image", "registry.example.com/kubectl-uepe:0.1.0"),
            ("schedule", "30 */6 * * *"),
        ]),
        set(&[
            ("version", "4.3.0"),
            ("registry", "registry.example.com/uepe"),
            ("region", "eu-central-1"),
        ]),
        set(&[
            ("version", "3.2.1"),
            ("schedule", "0 0,8,16 * * *"),
            ("name", "ecr-cred-prod"),
            ("tool", "crane"),
            ("to", "ghcr.io/acme/uepe"),
        ]),
        set(&[
            ("version", "4.0.0"),
            ("role-arn", "arn:aws:iam::210987654321:role/uepe-ecr"),
            ("region", "eu-west-1"),
        ]),
        set(&[
            ("version", "3.1.0"),
            ("tool", "skopeo"),
            ("to", "registry.example.com:5000/a/b"),
            ("namespace", "prod"),
            ("name", "x"),
        ]),
        set(&[
            ("version", "4.3.0"),
            ("runner", "external-secrets"),
            ("namespace", "ns1, ns2"),
            ("schedule", "15 3,11,19 * * *"),
        ]),
        set(&[
            ("version", "4.3.1"),
            ("registry", "462803626708.dkr.ecr.eu-west-1.amazonaws.com"),
            ("to", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/uepe"),
            ("runner", "aws-cli"),
            ("namespace", ""),
        ]),
    ]
}

/// `--flag=value` for each given key among `keys`.
fn flags(s: &Set, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .filter_map(|k| {
            let v = s.get(k).copied().unwrap_or_default();
            (!v.trim().is_empty()).then(|| format!("--{k}={v}"))
        })
        .collect()
}

/// What `kubectl-uepe` prints for one output of `s`: `Ok(stdout)`, or
/// `Err(stderr)` when it refuses the inputs.
pub(super) fn cli(output: &str, s: &Set) -> Result<String, String> {
    let mut args: Vec<String> = match output {
        "images" => [vec!["images".into()], flags(s, &["version", "registry"])].concat(),
        "refresher" => {
            let mut keys = vec![
                "namespace",
                "name",
                "registry",
                "runner",
                "schedule",
                "region",
                "role-arn",
            ];
            if s.get("runner") == Some(&"plugin") {
                keys.push("image");
            }
            [
                vec![
                    "cronjob".into(),
                    "install".into(),
                    "--dry-run=client".into(),
                ],
                flags(s, &keys),
            ]
            .concat()
        }
        section => [
            vec!["commands".into(), section.into()],
            flags(
                s,
                &[
                    "version",
                    "registry",
                    "to",
                    "tool",
                    "namespace",
                    "name",
                    "region",
                    "runner",
                    "role-arn",
                ],
            ),
        ]
        .concat(),
    };
    args.retain(|a| !a.is_empty());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = run(uepe(&refs));
    if r.code == 0 {
        Ok(r.stdout)
    } else {
        Err(r.stderr)
    }
}

/// The page's output blocks (their ids).
const OUTPUTS: [&str; 6] = [
    "images",
    "login",
    "mirror",
    "secret",
    "credentials",
    "refresher",
];

/// Types `s` into a fresh page: every field whose value differs from what
/// the field holds; the runner before the image, which only it shows.
pub(super) fn type_set(page: &Page, s: &Set) {
    let full: Set = defaults().into_iter().chain(s.clone()).collect();
    for key in [
        "version",
        "registry",
        "region",
        "to",
        "tool",
        "namespace",
        "name",
        "runner",
        "image",
        "schedule",
        "role-arn",
    ] {
        let want = full[key];
        if key == "image" && full["runner"] != "plugin" {
            continue;
        }
        page.set(key, want);
    }
}

/// Checks every output block of the page against the CLI for `s`.
pub(super) fn check_outputs(page: &Page, s: &Set, what: &str) {
    let full: Set = defaults().into_iter().chain(s.clone()).collect();
    for out in OUTPUTS {
        let expected = if out == "mirror" && full["to"].is_empty() {
            // No destination: the page asks for one, the CLI refuses.
            None
        } else {
            cli(out, &full).ok()
        };
        let shown = page.settle(&expected, || page.output(out));
        match (&expected, &shown) {
            (Some(e), Some(a)) => assert_same(&format!("{what}: block {out}"), e, a),
            (None, None) => {}
            _ => panic!(
                "{what}: block {out}: the CLI gives {expected:?} ({:?}), the page shows {shown:?}",
                cli(out, &full).err()
            ),
        }
    }
}
