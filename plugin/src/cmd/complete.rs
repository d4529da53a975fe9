//! `kubectl-uepe __complete WORDS...`: the one completion engine, speaking
//! cobra's protocol as kubectl does (`kubectl __complete uepe ...` runs
//! `kubectl_complete-uepe`, which runs this). The shell scripts of
//! `completion` ask it too, so every shell and kubectl offer the same.
//!
//! It walks the command line as clap would parse it, then offers for the
//! last word: a flag's values (the core's choice lists, or the shell's own
//! file names for `--kubeconfig`), flags, subcommands, or a positional's
//! values. Answer: one candidate a line, then `:DIRECTIVE` (4: no file
//! names; 0: let the shell complete file names).

use std::io::Write;

use clap::{Arg, ArgAction};

use super::login::ENGINES;
use crate::cli::{CompleteArgs, command};
use crate::core::{ChoiceSet as Choices, Core};
use crate::error::{Error, write_err};

/// cobra's ShellCompDirectiveDefault: the shell may complete file names.
const FILES: u8 = 0;
/// cobra's ShellCompDirectiveNoFileComp.
const NO_FILES: u8 = 4;

/// Runs `__complete`.
pub fn run(core: &Core, a: &CompleteArgs, out: &mut dyn Write) -> Result<(), Error> {
    let choices = core.choices()?;
    let (candidates, directive) = complete(&choices, &a.words);
    for c in candidates {
        writeln!(out, "{c}").map_err(write_err)?;
    }
    writeln!(out, ":{directive}").map_err(write_err)
}

/// The candidates and directive for `words` (the last one being completed).
pub fn complete(choices: &Choices, words: &[String]) -> (Vec<String>, u8) {
    let mut root = command(choices);
    root.build();
    let (current, done) = match words.split_last() {
        Some((last, rest)) => (last.as_str(), rest),
        None => ("", &[][..]),
    };
    let mut cmd = &root;
    let mut path: Vec<String> = Vec::new();
    let mut pending: Option<&Arg> = None;
    let mut given: Vec<String> = Vec::new();
    let mut positionals = 0usize;
    let mut escaped = false;
    for w in done {
        // The value of the flag before: nothing to learn from it.
        if pending.take().is_some() {
            continue;
        }
        if escaped {
            positionals += 1;
        } else if w == "--" {
            escaped = true;
        } else if let Some(long) = w.strip_prefix("--") {
            let (name, value) = long
                .split_once('=')
                .map_or((long, None), |(n, v)| (n, Some(v)));
            if let Some(a) = cmd.get_arguments().find(|a| a.get_long() == Some(name)) {
                given.push(a.get_id().to_string());
                if takes_value(a) && value.is_none() && !a.is_require_equals_set() {
                    pending = Some(a);
                }
            }
        } else if let Some(short) = w.strip_prefix('-').filter(|s| !s.is_empty()) {
            let letter = short.chars().next();
            if let Some(a) = cmd.get_arguments().find(|a| a.get_short() == letter) {
                given.push(a.get_id().to_string());
                if takes_value(a) && short.len() == 1 {
                    pending = Some(a);
                }
            }
        } else if let Some(sub) = cmd.find_subcommand(w) {
            cmd = sub;
            path.push(sub.get_name().to_owned());
            positionals = 0;
        } else {
            positionals += 1;
        }
    }
    let path: Vec<&str> = path.iter().map(String::as_str).collect();
    if let Some(a) = pending {
        return values(choices, &path, a, current, "");
    }
    if !escaped && let Some(long) = current.strip_prefix("--") {
        if let Some((name, partial)) = long.split_once('=')
            && let Some(a) = cmd.get_arguments().find(|a| a.get_long() == Some(name))
        {
            return values(choices, &path, a, partial, &format!("--{name}="));
        }
        return (flags(cmd, &given, current), NO_FILES);
    }
    if !escaped && current.starts_with('-') {
        return (flags(cmd, &given, current), NO_FILES);
    }
    let mut out: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_owned())
        .filter(|n| n.starts_with(current))
        .collect();
    out.sort();
    if let Some(p) = cmd
        .get_positionals()
        .find(|p| p.get_index() == Some(positionals + 1))
    {
        let (more, directive) = values(choices, &path, p, current, "");
        if directive == FILES && out.is_empty() {
            return (more, directive);
        }
        out.extend(more);
    }
    (out, NO_FILES)
}

fn takes_value(a: &Arg) -> bool {
    a.get_num_args().is_some_and(|n| n.takes_values())
        && !matches!(
            a.get_action(),
            ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count
        )
}

/// The long flags of `cmd` that start with `current`, less those given
/// already that cannot be given twice.
fn flags(cmd: &clap::Command, given: &[String], current: &str) -> Vec<String> {
    cmd.get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_positional())
        .filter(|a| {
            matches!(a.get_action(), ArgAction::Append)
                || !given.iter().any(|g| g == a.get_id().as_str())
        })
        .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
        .filter(|f| f.starts_with(current))
        .collect()
}

/// The values an arg takes, as asked of the core (or clap's own list).
fn list(choices: &Choices, path: &[&str], a: &Arg) -> Option<Vec<String>> {
    let own: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !own.is_empty() {
        return Some(own);
    }
    let strs = |l: &[&str]| l.iter().map(|s| (*s).to_owned()).collect();
    Some(match (path.first().copied(), a.get_id().as_str()) {
        (_, "runner") => choices.runner.clone(),
        (Some("images"), "output") => choices.images_output.clone(),
        (Some("version"), "output") => strs(&["text", "json"]),
        (_, "output") => choices.objects_output.clone(),
        (Some("images"), "components") => choices.components.clone(),
        (_, "components") => choices.mirror_components.clone(),
        (_, "platform") => choices.platform.clone(),
        (_, "section") => choices.section.clone(),
        (_, "tool") => choices.tool.clone(),
        (_, "engine") => {
            let mut l = strs(&["auto"]);
            l.extend(strs(&ENGINES));
            l.push("config".into());
            l
        }
        (Some("mirror"), "dry_run") => strs(&["client", "none"]),
        (_, "dry_run") => strs(&["none", "client", "server"]),
        _ => return None,
    })
}

/// Completes a value of `a` from `partial`, each candidate written after
/// `prefix` (`--flag=`). A comma list completes its last item.
fn values(
    choices: &Choices,
    path: &[&str],
    a: &Arg,
    partial: &str,
    prefix: &str,
) -> (Vec<String>, u8) {
    if matches!(
        a.get_value_hint(),
        clap::ValueHint::FilePath | clap::ValueHint::AnyPath
    ) {
        return (Vec::new(), FILES);
    }
    let Some(list) = list(choices, path, a) else {
        return (Vec::new(), NO_FILES);
    };
    let (done, partial) = match a.get_value_delimiter() {
        Some(d) => match partial.rfind(d) {
            Some(i) => partial.split_at(i + 1),
            None => ("", partial),
        },
        None => ("", partial),
    };
    let chosen: Vec<&str> = done.split(',').collect();
    let out = list
        .into_iter()
        .filter(|v| v.starts_with(partial) && !chosen.contains(&v.as_str()))
        .map(|v| format!("{prefix}{done}{v}"))
        .collect();
    (out, NO_FILES)
}
