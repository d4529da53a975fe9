//! The page's inputs as plain data: which fields exist, and how they go
//! into and come out of the URL query string. Their defaults and choices
//! are the core's ([`Defaults`], [`ChoiceSet`], asked once when the page
//! opens), never written here. Nothing here touches the browser, so it is
//! unit tested natively; `app` holds the signals, `outputs` turns
//! [`Inputs`] into core requests.

use crate::types::{ChoiceSet, Defaults};

/// One input of the form, named as the CLI flag (and URL key) it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// `--version`: the UEPE version.
    Version,
    /// `--registry`: where the UEPE images are.
    Registry,
    /// `--to`: the user's own registry to mirror to.
    To,
    /// `--tool`: the mirroring tool.
    Tool,
    /// `-n/--namespace`: namespaces, comma-separated.
    Namespace,
    /// `--name`: the pull secret name.
    Name,
    /// `--schedule`: the refresher's cron schedule.
    Schedule,
    /// `--runner`: how the secret is refreshed.
    Runner,
    /// `--role-arn`: the IRSA role.
    RoleArn,
    /// `--region`: the AWS region.
    Region,
    /// `--image`: the plugin runner's image.
    Image,
}

/// Number of [`Key`]s.
const COUNT: usize = 11;

impl Key {
    /// Every key, in form order (also the order of the URL query string).
    pub const ALL: [Key; COUNT] = [
        Key::Version,
        Key::Registry,
        Key::To,
        Key::Tool,
        Key::Namespace,
        Key::Name,
        Key::Schedule,
        Key::Runner,
        Key::RoleArn,
        Key::Region,
        Key::Image,
    ];

    /// The CLI flag without dashes: also the URL key and the `field` the
    /// core names in its errors.
    pub fn flag(self) -> &'static str {
        match self {
            Key::Version => "version",
            Key::Registry => "registry",
            Key::To => "to",
            Key::Tool => "tool",
            Key::Namespace => "namespace",
            Key::Name => "name",
            Key::Schedule => "schedule",
            Key::Runner => "runner",
            Key::RoleArn => "role-arn",
            Key::Region => "region",
            Key::Image => "image",
        }
    }

    /// The key whose flag is `flag`.
    pub fn from_flag(flag: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.flag() == flag)
    }

    /// What a fresh form holds: the core's default, shown so a person sees
    /// it (an empty field means the same to the core); empty for an input
    /// without one.
    pub fn default_value(self, d: &Defaults) -> &str {
        match self {
            Key::Tool => &d.tool,
            Key::Namespace => &d.namespace,
            Key::Name => &d.name,
            Key::Schedule => &d.schedule,
            Key::Runner => &d.runner,
            _ => "",
        }
    }

    /// The field's label.
    pub fn label(self) -> &'static str {
        match self {
            Key::Version => "UEPE version",
            Key::Registry => "Source registry",
            Key::To => "Your own registry",
            Key::Tool => "Mirroring tool",
            Key::Namespace => "Namespaces",
            Key::Name => "Pull secret name",
            Key::Schedule => "Refresh schedule (cron)",
            Key::Runner => "Refresher runner",
            Key::RoleArn => "IAM role ARN for IRSA",
            Key::Region => "AWS region",
            Key::Image => "Plugin runner image",
        }
    }

    /// What the field shows while empty: the default the core applies, or
    /// an example.
    pub fn placeholder(self, d: &Defaults) -> &str {
        match self {
            Key::Registry => &d.registry,
            Key::Namespace => &d.namespace,
            Key::Name => &d.name,
            Key::Schedule => &d.schedule,
            Key::Version => "4.3.0",
            Key::To => "registry.example.com/uepe",
            Key::RoleArn => "arn:aws:iam::123456789012:role/ecr-reader",
            Key::Region => "taken from the registry host",
            Key::Image => "registry.example.com/kubectl-uepe:0.1.0",
            Key::Tool | Key::Runner => "",
        }
    }

    /// One line under the field: what it means and what is assumed when empty.
    pub fn hint(self) -> &'static str {
        match self {
            Key::Version => "MAJOR.MINOR.PATCH, without the -ec, -operator or -ui suffix.",
            Key::Registry => "Where the UEPE images are. Empty: the vendor's ECR registry.",
            Key::To => "Optional: HOST[:PORT][/PATH] to mirror the four images into.",
            Key::Tool => "skopeo and crane keep every architecture; plain docker keeps one.",
            Key::Namespace => "Comma-separated. The first one hosts the refresher.",
            Key::Name => "The image pull secret the UEPE pods use.",
            Key::Schedule => "Runs must be less than 12 hours apart: ECR passwords expire then.",
            Key::Runner => {
                "aws-cli: AWS's and Kubernetes' own images. plugin: the kubectl-uepe image. external-secrets: for clusters with External Secrets Operator."
            }
            Key::RoleArn => "Optional. With a role (IRSA) no AWS keys are stored in the cluster.",
            Key::Region => "Optional. Empty: the region in the ECR registry host.",
            Key::Image => "The kubectl-uepe runner image, built from plugin/Containerfile.",
        }
    }

    /// The field's position in [`Key::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The choices of the fields that are selects, as the core accepts them.
pub fn choices(key: Key, c: &ChoiceSet) -> Option<&[String]> {
    match key {
        Key::Tool => Some(&c.tool),
        Key::Runner => Some(&c.runner),
        _ => None,
    }
}

/// The values of every input, as typed. None of them is a secret: the page
/// has no field for a password or a key, so all of them may go in a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs([String; COUNT]);

impl Inputs {
    /// A fresh form: the core's defaults.
    pub fn new(d: &Defaults) -> Self {
        Inputs::from_fn(|k| k.default_value(d).to_owned())
    }

    /// Every value, as `value` gives it for each key.
    pub fn from_fn(value: impl FnMut(Key) -> String) -> Self {
        Inputs(Key::ALL.map(value))
    }

    /// The value of `key`.
    pub fn get(&self, key: Key) -> &str {
        &self.0[key.index()]
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: Key, value: impl Into<String>) {
        self.0[key.index()] = value.into();
    }

    /// The value of `key` when it holds more than blanks.
    pub fn given(&self, key: Key) -> Option<&str> {
        Some(self.get(key)).filter(|v| !v.trim().is_empty())
    }

    /// Inputs from a query string (with or without its leading `?`): the
    /// defaults, overridden by each known key present. Unknown keys are
    /// ignored so an old or hand-edited link still loads.
    pub fn from_query(query: &str, d: &Defaults) -> Inputs {
        let mut inputs = Inputs::new(d);
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(key) = Key::from_flag(&decode(k)) {
                inputs.set(key, decode(v));
            }
        }
        inputs
    }

    /// The query string (without `?`) holding every value that differs from
    /// its default, in form order; empty when nothing differs.
    pub fn to_query(&self, d: &Defaults) -> String {
        Key::ALL
            .into_iter()
            .filter(|&k| self.get(k) != k.default_value(d))
            .map(|k| format!("{}={}", k.flag(), encode(self.get(k))))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value: bytes that mean something in a query
/// (`&`, `=`, `+`, `#`, `%`) and anything outside a readable ASCII set are
/// escaped, a space becomes `+`.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b' ' => out.push('+'),
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'*'
            | b'/'
            | b':'
            | b','
            | b'@' => out.push(char::from(b)),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes a query key or value (`application/x-www-form-urlencoded`): `+`
/// is a space, `%XX` a byte; a malformed escape is kept as typed, and bytes
/// that are not UTF-8 become U+FFFD.
pub fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match bytes.get(i + 1..i + 3).and_then(hex_byte) {
                Some(b) => {
                    out.push(b);
                    i += 2;
                }
                None => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_byte(two: &[u8]) -> Option<u8> {
    let s = std::str::from_utf8(two).ok()?;
    u8::from_str_radix(s, 16).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Defaults as test data: the browser tests check the page shows the
    /// core's own (tests/web.rs).
    pub(crate) fn defaults() -> Defaults {
        Defaults {
            tool: "all".into(),
            namespace: "uepe".into(),
            name: "ecr-cred".into(),
            schedule: "0 */8 * * *".into(),
            runner: "aws-cli".into(),
            ..Defaults::default()
        }
    }

    #[test]
    fn a_fresh_form_has_an_empty_query() {
        assert_eq!(Inputs::new(&defaults()).to_query(&defaults()), "");
        assert_eq!(
            Inputs::from_query("", &defaults()),
            Inputs::new(&defaults())
        );
    }

    #[test]
    fn values_round_trip_through_the_query() {
        let mut i = Inputs::new(&defaults());
        i.set(Key::Version, "4.3.0");
        i.set(Key::Schedule, "15 */6 * * *");
        i.set(Key::Namespace, "uepe, tools");
        i.set(Key::RoleArn, "arn:aws:iam::123456789012:role/ecr+reader");
        i.set(Key::Name, "");
        i.set(Key::To, "registry.example.com:5000/uepe&x=#%");
        let q = i.to_query(&defaults());
        assert_eq!(
            q,
            "version=4.3.0&to=registry.example.com:5000/uepe%26x%3D%23%25&namespace=uepe,+tools&name=&schedule=15+*/6+*+*+*&role-arn=arn:aws:iam::123456789012:role/ecr%2Breader"
        );
        assert_eq!(Inputs::from_query(&format!("?{q}"), &defaults()), i);
    }

    #[test]
    fn unknown_keys_and_bad_escapes_are_tolerated() {
        let i = Inputs::from_query(
            "?password=x&version=4.3%2&region=eu-west-1&flag",
            &defaults(),
        );
        assert_eq!(i.get(Key::Version), "4.3%2");
        assert_eq!(i.get(Key::Region), "eu-west-1");
        assert_eq!(i.get(Key::Name), "ecr-cred");
    }

    #[test]
    fn non_ascii_is_escaped_and_restored() {
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(decode("%FF"), "\u{fffd}");
    }

    #[test]
    fn every_flag_maps_back_to_its_key() {
        for k in Key::ALL {
            assert_eq!(Key::from_flag(k.flag()), Some(k));
            assert_eq!(Key::ALL[k.index()], k);
        }
    }
}
