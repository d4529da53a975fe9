//! The shared AWS config and credentials files (`~/.aws/credentials`,
//! `~/.aws/config`): an INI parser and the lookup of one profile's keys,
//! as the AWS SDKs read them. Pure: the caller reads the files.

use std::collections::BTreeMap;

/// Section name → key → value.
pub type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// Parses INI text: `[section]` headers, `key = value` lines, `#`/`;` comments.
pub fn parse(text: &str) -> Ini {
    let mut ini = Ini::new();
    let mut section: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = name.trim().to_owned();
            ini.entry(name.clone()).or_default();
            section = Some(name);
        } else if let (Some(s), Some((k, v))) = (&section, line.split_once('=')) {
            ini.entry(s.clone())
                .or_default()
                .insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    ini
}

/// One profile's settings: the credentials file's section merged over the
/// config file's `[profile NAME]` (or `[default]`) section.
pub fn profile(credentials: &Ini, config: &Ini, name: &str) -> Option<BTreeMap<String, String>> {
    let config_section = if name == "default" {
        config
            .get("default")
            .or_else(|| config.get("profile default"))
    } else {
        config.get(&format!("profile {name}"))
    };
    let creds_section = credentials.get(name);
    if config_section.is_none() && creds_section.is_none() {
        return None;
    }
    let mut merged = config_section.cloned().unwrap_or_default();
    merged.extend(creds_section.cloned().unwrap_or_default());
    Some(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_credentials_over_config() {
        let creds = parse("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key=s1\n# c\n");
        let config = parse("[profile dev]\nregion = eu-north-1\n[default]\nregion=us-east-1\n");
        let dev = profile(&creds, &config, "dev").expect("dev profile");
        assert_eq!(
            dev.get("aws_access_key_id").map(String::as_str),
            Some("AKIDDEV")
        );
        assert_eq!(dev.get("region").map(String::as_str), Some("eu-north-1"));
        assert!(profile(&creds, &config, "default").is_some());
        assert!(profile(&creds, &config, "nope").is_none());
    }
}
