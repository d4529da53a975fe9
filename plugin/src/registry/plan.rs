//! The plan of a mirror, decided from what the source has (`Resolved`) and
//! what the destination already holds (`Presence`): for every image, the
//! manifests to push (children before the index, the index under its tag
//! last) and the blobs they need; across images, each missing blob copied
//! once, by the first image that needs it, larger blobs first. Rendering the
//! plan (`--dry-run`) and the closing summary is here too. Pure.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{self, Write};
use std::time::Duration;

use super::digest::Digest;
use super::manifest::{Manifest, Selection};

/// An image reference split as the API needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    /// `HOST[:PORT]`.
    pub host: String,
    /// Repository path under the host.
    pub repository: String,
    /// Tag.
    pub tag: String,
}

impl Ref {
    /// Splits the core's `HOST[/PATH]/REPO` and tag.
    pub fn new(repository: &str, tag: &str) -> Result<Self, String> {
        match repository.split_once('/') {
            Some((host, repo)) if !host.is_empty() && !repo.is_empty() => Ok(Self {
                host: host.into(),
                repository: repo.into(),
                tag: tag.into(),
            }),
            _ => Err(format!("`{repository}` has no registry host")),
        }
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}:{}", self.host, self.repository, self.tag)
    }
}

/// One image to mirror.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Component name (`platform`, `ec`, ...).
    pub component: String,
    /// Where it is.
    pub source: Ref,
    /// Where it goes.
    pub dest: Ref,
}

/// What the source holds for a job.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The job.
    pub job: Job,
    /// Digest of the source's manifest under the tag.
    pub source_digest: Digest,
    /// What is copied: the top manifest and its chosen children.
    pub selection: Selection,
    /// The chosen children's manifests, in index order.
    pub children: Vec<Manifest>,
}

impl Resolved {
    /// Every image manifest copied (the children, or the top one alone).
    fn images(&self) -> Vec<&Manifest> {
        if self.selection.top.is_index() {
            self.children.iter().collect()
        } else {
            vec![&self.selection.top]
        }
    }
}

/// What the destination already holds.
#[derive(Debug, Default, Clone)]
pub struct Presence {
    /// Job index to the digest its tag has at the destination.
    pub tags: HashMap<usize, Digest>,
    /// Manifests present, by repository and digest.
    pub manifests: HashSet<(String, Digest)>,
    /// Blobs present, by repository and digest.
    pub blobs: HashSet<(String, Digest)>,
}

impl Presence {
    /// Whether job `i`'s tag already names what would be pushed.
    pub fn up_to_date(&self, i: usize, r: &Resolved) -> bool {
        self.tags.get(&i) == Some(&r.selection.top.digest)
    }
}

/// The child manifests whose presence at the destination must be asked
/// (those of images whose tag is not up to date).
pub fn manifests_to_check(resolved: &[Resolved], presence: &Presence) -> Vec<(String, Digest)> {
    let mut seen = HashSet::new();
    resolved
        .iter()
        .enumerate()
        .filter(|(i, r)| !presence.up_to_date(*i, r))
        .flat_map(|(_, r)| {
            r.children
                .iter()
                .map(|c| (r.job.dest.repository.clone(), c.digest.clone()))
        })
        .filter(|k| seen.insert(k.clone()))
        .collect()
}

/// The blobs whose presence must be asked: those of image manifests not
/// known present (a present manifest's blobs are: the registry checked).
pub fn blobs_to_check(resolved: &[Resolved], presence: &Presence) -> Vec<(String, Digest, u64)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, r) in resolved.iter().enumerate() {
        if presence.up_to_date(i, r) {
            continue;
        }
        let repo = &r.job.dest.repository;
        for m in r.images() {
            if presence
                .manifests
                .contains(&(repo.clone(), m.digest.clone()))
            {
                continue;
            }
            for b in m.blobs() {
                if seen.insert((repo.clone(), b.digest.clone())) {
                    out.push((repo.clone(), b.digest.clone(), b.size));
                }
            }
        }
    }
    out
}

/// A manifest to push.
#[derive(Debug, Clone)]
pub struct Push {
    /// Its digest, or the tag for the top manifest.
    pub reference: String,
    /// The manifest.
    pub manifest: Manifest,
}

/// One blob of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobInfo {
    /// Digest.
    pub digest: Digest,
    /// Size.
    pub size: u64,
    /// Already at the destination.
    pub present: bool,
}

/// One image's part of the plan.
#[derive(Debug, Clone)]
pub struct ImagePlan {
    /// The job.
    pub job: Job,
    /// The manifest the tag gets.
    pub top: Manifest,
    /// The source's manifest digest (differs from `top` when rewritten).
    pub source_digest: Digest,
    /// Whether `top` is a new index for the chosen platforms.
    pub rewritten: bool,
    /// Platforms copied (empty for a single image manifest).
    pub platforms: Vec<String>,
    /// The tag already names `top`: nothing to do.
    pub up_to_date: bool,
    /// Manifests to push, children first, the tag last.
    pub pushes: Vec<Push>,
    /// Manifests in all (children and top).
    pub manifests: usize,
    /// Unique blobs of the image.
    pub blobs: Vec<BlobInfo>,
}

impl ImagePlan {
    /// Blobs not yet at the destination.
    pub fn missing(&self) -> impl Iterator<Item = &BlobInfo> {
        self.blobs.iter().filter(|b| !b.present)
    }
}

/// A blob to copy, by the image that copies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// Index of the image (in `Plan::images`).
    pub image: usize,
    /// Source repository.
    pub src_repo: String,
    /// Destination repository.
    pub dst_repo: String,
    /// The blob.
    pub digest: Digest,
    /// Its size.
    pub size: u64,
}

/// The whole plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Per image.
    pub images: Vec<ImagePlan>,
    /// Blobs to copy, each once, in the order to start them.
    pub uploads: Vec<Upload>,
}

/// Builds the plan.
pub fn build(resolved: &[Resolved], presence: &Presence) -> Plan {
    let mut images = Vec::new();
    let mut uploads: Vec<Upload> = Vec::new();
    let mut planned: HashSet<(String, Digest)> = HashSet::new();
    for (i, r) in resolved.iter().enumerate() {
        let repo = r.job.dest.repository.clone();
        let up_to_date = presence.up_to_date(i, r);
        let top = &r.selection.top;
        let mut blobs: Vec<BlobInfo> = Vec::new();
        let mut seen = HashSet::new();
        for m in r.images() {
            let by_manifest = up_to_date
                || presence
                    .manifests
                    .contains(&(repo.clone(), m.digest.clone()));
            for b in m.blobs() {
                if !seen.insert(b.digest.clone()) {
                    continue;
                }
                let present =
                    by_manifest || presence.blobs.contains(&(repo.clone(), b.digest.clone()));
                blobs.push(BlobInfo {
                    digest: b.digest.clone(),
                    size: b.size,
                    present,
                });
            }
        }
        // A blob one image has present is present for all (same repository).
        for b in &mut blobs {
            b.present = b.present || presence.blobs.contains(&(repo.clone(), b.digest.clone()));
        }
        let mut pushes = Vec::new();
        if !up_to_date {
            for c in &r.children {
                if !presence
                    .manifests
                    .contains(&(repo.clone(), c.digest.clone()))
                {
                    pushes.push(Push {
                        reference: c.digest.to_string(),
                        manifest: c.clone(),
                    });
                }
            }
            pushes.push(Push {
                reference: r.job.dest.tag.clone(),
                manifest: top.clone(),
            });
            let mut mine: Vec<&BlobInfo> = blobs
                .iter()
                .filter(|b| !b.present && planned.insert((repo.clone(), b.digest.clone())))
                .collect();
            mine.sort_by_key(|b| std::cmp::Reverse(b.size));
            uploads.extend(mine.into_iter().map(|b| Upload {
                image: i,
                src_repo: r.job.source.repository.clone(),
                dst_repo: repo.clone(),
                digest: b.digest.clone(),
                size: b.size,
            }));
        }
        images.push(ImagePlan {
            job: r.job.clone(),
            top: top.clone(),
            source_digest: r.source_digest.clone(),
            rewritten: r.selection.rewritten,
            platforms: r
                .selection
                .children
                .iter()
                .filter_map(|c| c.platform.as_ref())
                .filter(|p| p.os != "unknown")
                .map(ToString::to_string)
                .collect(),
            up_to_date,
            pushes,
            manifests: r.children.len() + 1,
            blobs,
        });
    }
    Plan { images, uploads }
}

/// `1.5 MiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Writes the `--dry-run` plan.
pub fn render(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    let (mut blobs, mut present, mut bytes, mut copy_bytes) = (0, 0, 0u64, 0u64);
    let (mut manifests, mut to_push) = (0, 0);
    for img in &plan.images {
        let missing: Vec<&BlobInfo> = img.missing().collect();
        let size: u64 = img.blobs.iter().map(|b| b.size).sum();
        let miss_size: u64 = missing.iter().map(|b| b.size).sum();
        writeln!(out, "{} {}", img.job.component, img.job.source)?;
        writeln!(out, "  -> {}", img.job.dest)?;
        let kind = if img.top.is_index() {
            "index"
        } else {
            "manifest"
        };
        if img.rewritten {
            writeln!(
                out,
                "  {kind} {} rewritten for the chosen platforms as {} (a new digest)",
                img.source_digest, img.top.digest
            )?;
        } else {
            writeln!(out, "  {kind} {}", img.top.digest)?;
        }
        if !img.platforms.is_empty() {
            writeln!(out, "  platforms: {}", img.platforms.join(", "))?;
        }
        if img.up_to_date {
            writeln!(out, "  up to date: the tag already names this {kind}")?;
        }
        writeln!(
            out,
            "  manifests: {}, {} present, {} to push",
            img.manifests,
            img.manifests - img.pushes.len(),
            img.pushes.len()
        )?;
        writeln!(
            out,
            "  blobs: {} ({}), {} present, {} to copy ({})",
            img.blobs.len(),
            human_bytes(size),
            img.blobs.len() - missing.len(),
            missing.len(),
            human_bytes(miss_size)
        )?;
        manifests += img.manifests;
        to_push += img.pushes.len();
    }
    let mut seen = HashSet::new();
    for img in &plan.images {
        for b in &img.blobs {
            if seen.insert((&img.job.dest.repository, &b.digest)) {
                blobs += 1;
                bytes += b.size;
            }
        }
    }
    // Every missing blob is in `uploads` exactly once.
    present += blobs - plan.uploads.len();
    for u in &plan.uploads {
        copy_bytes += u.size;
    }
    writeln!(
        out,
        "Plan: {} images, {manifests} manifests ({to_push} to push), {blobs} blobs of {} ({present} present, {} to copy: {}).",
        plan.images.len(),
        human_bytes(bytes),
        plan.uploads.len(),
        human_bytes(copy_bytes)
    )
}

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Images asked for.
    pub images: usize,
    /// Images whose tag already named the right manifest.
    pub up_to_date: usize,
    /// Images that failed.
    pub failed: usize,
    /// Manifests pushed.
    pub manifests_pushed: usize,
    /// Blobs streamed.
    pub blobs_uploaded: usize,
    /// Blobs mounted from another repository.
    pub blobs_mounted: usize,
    /// Blobs found present, not copied.
    pub blobs_skipped: usize,
    /// Bytes streamed.
    pub bytes_uploaded: u64,
    /// Bytes not sent because present or mounted.
    pub bytes_skipped: u64,
}

/// The closing line.
pub fn render_summary(s: &Summary, took: Duration, out: &mut dyn Write) -> io::Result<()> {
    let secs = took.as_secs_f64().max(0.001);
    writeln!(
        out,
        "Mirrored {} of {} images ({} up to date{}) in {:.1}s: {} manifests pushed; blobs: {} copied ({}, {}/s), {} mounted, {} skipped as present ({}).",
        s.images - s.failed,
        s.images,
        s.up_to_date,
        if s.failed > 0 {
            format!(", {} failed", s.failed)
        } else {
            String::new()
        },
        secs,
        s.manifests_pushed,
        s.blobs_uploaded,
        human_bytes(s.bytes_uploaded),
        human_bytes((s.bytes_uploaded as f64 / secs) as u64),
        s.blobs_mounted,
        s.blobs_skipped,
        human_bytes(s.bytes_skipped),
    )
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests;
