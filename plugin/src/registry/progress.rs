//! What the user sees while a mirror runs: one `indicatif` bar per image
//! (bytes, rate) when stderr is a terminal, else plain lines on the output;
//! and the tally the summary is made from. Line texts are built by pure
//! functions so they can be tested.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::copy::Event;
use super::digest::Short as _;
use super::plan::{Plan, Summary, human_bytes};
use super::upload::How;

/// The line for a copied blob.
pub fn blob_line(image: &str, digest_short: &str, size: u64, how: How) -> String {
    let verb = match how {
        How::Uploaded => "copied",
        How::Chunked => "copied in chunks",
        How::Mounted => "mounted",
        How::Present => "found present",
    };
    format!(
        "{image}: blob {digest_short} {verb} ({})",
        human_bytes(size)
    )
}

/// The line for a finished image.
pub fn done_line(image: &str, dest: &str, error: Option<&str>) -> String {
    match error {
        None => format!("{image}: done: {dest}"),
        Some(e) => format!("{image}: FAILED: {e}"),
    }
}

/// Progress display and tally.
pub struct Display<'a> {
    out: &'a mut dyn Write,
    bars: Option<(MultiProgress, Vec<ProgressBar>)>,
    names: Vec<String>,
    dests: Vec<String>,
    progress: Arc<Vec<Arc<AtomicU64>>>,
    /// The tally so far.
    pub summary: Summary,
    /// `IMAGE: reason` of each failed image.
    pub failures: Vec<String>,
    /// Images finished (done or failed).
    pub finished: usize,
}

impl<'a> Display<'a> {
    /// A display for `plan`; bars when `tty`.
    pub fn new(
        plan: &Plan,
        out: &'a mut dyn Write,
        tty: bool,
        progress: Arc<Vec<Arc<AtomicU64>>>,
    ) -> Self {
        let names: Vec<String> = plan
            .images
            .iter()
            .map(|i| format!("{}:{}", i.job.component, i.job.source.tag))
            .collect();
        let width = names.iter().map(String::len).max().unwrap_or(0);
        let bars = tty.then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let bars = plan
                .images
                .iter()
                .zip(&names)
                .enumerate()
                .map(|(i, (img, name))| {
                    let total: u64 = plan
                        .uploads
                        .iter()
                        .filter(|u| u.image == i)
                        .map(|u| u.size)
                        .sum();
                    let bar = multi.add(ProgressBar::new(total));
                    bar.set_style(style.clone());
                    bar.set_prefix(format!("{name:width$}"));
                    if img.up_to_date {
                        bar.finish_with_message("up to date");
                    }
                    bar
                })
                .collect();
            (multi, bars)
        });
        let mut summary = Summary {
            images: plan.images.len(),
            up_to_date: plan.images.iter().filter(|i| i.up_to_date).count(),
            ..Summary::default()
        };
        let planned: std::collections::HashSet<_> = plan
            .uploads
            .iter()
            .map(|u| (&u.dst_repo, &u.digest))
            .collect();
        let mut skipped = std::collections::HashSet::new();
        for img in &plan.images {
            for b in &img.blobs {
                let key = (&img.job.dest.repository, &b.digest);
                if !planned.contains(&key) && skipped.insert(key) {
                    summary.blobs_skipped += 1;
                    summary.bytes_skipped += b.size;
                }
            }
        }
        Self {
            out,
            bars,
            names,
            dests: plan.images.iter().map(|i| i.job.dest.to_string()).collect(),
            progress,
            summary,
            failures: Vec::new(),
            finished: 0,
        }
    }

    fn line(&mut self, text: &str) -> io::Result<()> {
        match &self.bars {
            Some((multi, _)) => multi.println(text),
            None => writeln!(self.out, "{text}"),
        }
    }

    fn name(&self, i: usize) -> String {
        self.names.get(i).cloned().unwrap_or_default()
    }

    /// Takes one event.
    pub fn event(&mut self, e: Event) -> io::Result<()> {
        match e {
            Event::Blob {
                image,
                digest,
                size,
                how,
            } => {
                match how {
                    How::Uploaded | How::Chunked => {
                        self.summary.blobs_uploaded += 1;
                        self.summary.bytes_uploaded += size;
                    }
                    How::Mounted => {
                        self.summary.blobs_mounted += 1;
                        self.summary.bytes_skipped += size;
                    }
                    How::Present => {
                        self.summary.blobs_skipped += 1;
                        self.summary.bytes_skipped += size;
                    }
                }
                if self.bars.is_none() {
                    let line = blob_line(&self.name(image), digest.short(), size, how);
                    self.line(&line)?;
                }
            }
            Event::Pushed { .. } => self.summary.manifests_pushed += 1,
            Event::Note(n) => self.line(&format!("note: {n}"))?,
            Event::ImageDone { image, error } => {
                self.finished += 1;
                let name = self.name(image);
                if let Some(e) = &error {
                    self.summary.failed += 1;
                    self.failures.push(format!("{name}: {e}"));
                }
                let dest = self.dests.get(image).cloned().unwrap_or_default();
                let text = done_line(&name, &dest, error.as_deref());
                match self.bars.as_ref().and_then(|(_, b)| b.get(image)) {
                    Some(bar) => {
                        self.tick();
                        let msg = if error.is_some() { "FAILED" } else { "done" };
                        if !bar.is_finished() {
                            bar.finish_with_message(msg);
                        }
                        if error.is_some() {
                            self.line(&text)?;
                        }
                    }
                    None => self.line(&text)?,
                }
            }
        }
        Ok(())
    }

    /// Moves the bars to the bytes counted so far.
    pub fn tick(&self) {
        if let Some((_, bars)) = &self.bars {
            for (bar, n) in bars.iter().zip(self.progress.iter()) {
                if !bar.is_finished() {
                    bar.set_position(n.load(Ordering::Relaxed));
                }
            }
        }
    }

    /// Ends the bars and gives the output back for the summary.
    pub fn finish(self) -> (&'a mut dyn Write, Summary, Vec<String>) {
        if let Some((_, bars)) = &self.bars {
            for b in bars {
                if !b.is_finished() {
                    b.abandon();
                }
            }
        }
        (self.out, self.summary, self.failures)
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        assert_eq!(
            blob_line("platform:4.3.0", "0123456789ab", 3 << 20, How::Uploaded),
            "platform:4.3.0: blob 0123456789ab copied (3.0 MiB)"
        );
        assert_eq!(
            blob_line("ec:4.3.0", "0123456789ab", 10, How::Mounted),
            "ec:4.3.0: blob 0123456789ab mounted (10 B)"
        );
        assert_eq!(
            done_line("ui:4.3.0", "r/x:4.3.0-ui", None),
            "ui:4.3.0: done: r/x:4.3.0-ui"
        );
        assert_eq!(
            done_line("ui:4.3.0", "r", Some("blob sha256:1: digest mismatch")),
            "ui:4.3.0: FAILED: blob sha256:1: digest mismatch"
        );
    }
}
