//! The I/O of a mirror, in three steps around the pure plan: `resolve` reads
//! each image's manifests from the source (verifying digests), `inspect`
//! asks the destination what it already has, `execute` copies the plan's
//! blobs with `--jobs` workers and, per image, pushes its manifests once
//! every blob it needs is verified there — children by digest, then the tag.
//! An image whose blob fails pushes no manifest at all.

use futures_util::StreamExt as _;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

use super::Error;
use super::api::{blob_exists, get_manifest, manifest_digest, put_manifest};
use super::auth::Access;
use super::client::Registry;
use super::digest::Digest;
use super::manifest::select;
use super::plan::{self, Job, Plan, Presence, Resolved, Upload};
use super::platform::Filter;
use super::upload::{BlobCopy, How};

/// Reads what the source has for `job`.
pub async fn resolve(src: &Registry, job: &Job, filter: &Filter) -> Result<Resolved, Error> {
    let repo = &job.source.repository;
    let top = get_manifest(src, repo, &job.source.tag)
        .await?
        .ok_or_else(|| Error::FindImage {
            reference: job.source.to_string(),
            registry: src.host.clone(),
        })?;
    let selection = select(&top, filter).map_err(|reason| Error::SelectPlatforms {
        reference: job.source.to_string(),
        reason,
    })?;
    let children = futures_util::future::try_join_all(selection.children.iter().map(|c| async {
        let reference = format!("{}/{repo}@{}", src.host, c.digest);
        let m = get_manifest(src, repo, c.digest.as_ref())
            .await?
            .ok_or_else(|| Error::FindImage {
                reference: reference.clone(),
                registry: src.host.clone(),
            })?;
        if m.is_index() {
            return Err(Error::ParseManifest {
                reference,
                reason: "an index inside an index is not supported".into(),
            });
        }
        Ok(m)
    }))
    .await?;
    Ok(Resolved {
        job: job.clone(),
        source_digest: top.digest.clone(),
        selection,
        children,
    })
}

/// Asks the destination what it holds of the resolved images.
pub async fn inspect(
    dst: &Registry,
    resolved: &[Resolved],
    access: Access,
    jobs: usize,
) -> Result<Presence, Error> {
    let mut presence = Presence::default();
    let tags: Vec<Result<(usize, Option<Digest>), Error>> =
        futures_util::stream::iter(resolved.iter().enumerate().map(|(i, r)| async move {
            let d = manifest_digest(dst, &r.job.dest.repository, &r.job.dest.tag, access).await?;
            Ok((i, d))
        }))
        .buffer_unordered(jobs)
        .collect()
        .await;
    for t in tags {
        if let (i, Some(d)) = t? {
            presence.tags.insert(i, d);
        }
    }
    let manifests: Vec<Result<Option<(String, Digest)>, Error>> = futures_util::stream::iter(
        plan::manifests_to_check(resolved, &presence)
            .into_iter()
            .map(|(repo, d)| async move {
                let found = manifest_digest(dst, &repo, d.as_ref(), access).await?;
                Ok(found.map(|_| (repo, d)))
            }),
    )
    .buffer_unordered(jobs)
    .collect()
    .await;
    for m in manifests {
        if let Some(k) = m? {
            presence.manifests.insert(k);
        }
    }
    let blobs: Vec<Result<Option<(String, Digest)>, Error>> =
        futures_util::stream::iter(plan::blobs_to_check(resolved, &presence).into_iter().map(
            |(repo, d, size)| async move {
                let there = blob_exists(dst, &repo, &d, size, access).await?;
                Ok(there.then_some((repo, d)))
            },
        ))
        .buffer_unordered(jobs)
        .collect()
        .await;
    for b in blobs {
        if let Some(k) = b? {
            presence.blobs.insert(k);
        }
    }
    Ok(presence)
}

/// What the copy reports as it goes.
#[derive(Debug, Clone)]
pub enum Event {
    /// A blob is at the destination.
    Blob {
        /// Image that copied it.
        image: usize,
        /// Its digest.
        digest: Digest,
        /// Its size.
        size: u64,
        /// How.
        how: How,
    },
    /// A manifest was pushed.
    Pushed {
        /// Image.
        image: usize,
    },
    /// A retry or a change of method, worth a line.
    Note(String),
    /// An image is finished, or failed.
    ImageDone {
        /// Image.
        image: usize,
        /// Why it failed.
        error: Option<String>,
    },
}

#[derive(Debug, Clone)]
enum BlobState {
    Pending,
    Done,
    Failed(Arc<String>),
}

type Queue = Arc<Mutex<VecDeque<(Upload, watch::Sender<BlobState>)>>>;

/// Copies the plan. Returns when every image is done or failed; the events
/// say which. `progress[i]` counts the bytes image `i` has sent.
pub async fn execute(
    plan: Arc<Plan>,
    src: Arc<Registry>,
    dst: Arc<Registry>,
    jobs: usize,
    events: mpsc::UnboundedSender<Event>,
    progress: Arc<Vec<Arc<AtomicU64>>>,
) {
    let mut states: HashMap<(String, Digest), watch::Receiver<BlobState>> = HashMap::new();
    let mut queue = VecDeque::new();
    for u in &plan.uploads {
        let (tx, rx) = watch::channel(BlobState::Pending);
        states.insert((u.dst_repo.clone(), u.digest.clone()), rx);
        queue.push_back((u.clone(), tx));
    }
    let queue: Queue = Arc::new(Mutex::new(queue));
    let chunked = Arc::new(AtomicBool::new(false));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..jobs.min(plan.uploads.len()) {
        set.spawn(worker(
            queue.clone(),
            src.clone(),
            dst.clone(),
            chunked.clone(),
            events.clone(),
            progress.clone(),
        ));
    }
    for (i, img) in plan.images.iter().enumerate() {
        if img.up_to_date {
            let _ = events.send(Event::ImageDone {
                image: i,
                error: None,
            });
            continue;
        }
        let mut waits = Vec::new();
        let mut seen = HashSet::new();
        for b in img.missing() {
            let key = (img.job.dest.repository.clone(), b.digest.clone());
            if let Some(rx) = states.get(&key).filter(|_| seen.insert(key.clone())) {
                waits.push(rx.clone());
            }
        }
        set.spawn(push_image(
            i,
            plan.clone(),
            waits,
            dst.clone(),
            events.clone(),
        ));
    }
    while set.join_next().await.is_some() {}
}

async fn worker(
    queue: Queue,
    src: Arc<Registry>,
    dst: Arc<Registry>,
    chunked: Arc<AtomicBool>,
    events: mpsc::UnboundedSender<Event>,
    progress: Arc<Vec<Arc<AtomicU64>>>,
) {
    loop {
        let next = queue.lock().ok().and_then(|mut q| q.pop_front());
        let Some((u, state)) = next else { return };
        let copy = BlobCopy {
            src: &src,
            src_repo: &u.src_repo,
            dst: &dst,
            dst_repo: &u.dst_repo,
            digest: &u.digest,
            size: u.size,
            progress: progress
                .get(u.image)
                .cloned()
                .unwrap_or_else(|| Arc::new(AtomicU64::new(0))),
            chunked: &chunked,
        };
        let notify = |m: String| {
            let _ = events.send(Event::Note(m));
        };
        match copy.run(&notify).await {
            Ok(how) => {
                let _ = events.send(Event::Blob {
                    image: u.image,
                    digest: u.digest.clone(),
                    size: u.size,
                    how,
                });
                state.send_replace(BlobState::Done);
            }
            Err(e) => {
                state.send_replace(BlobState::Failed(Arc::new(e.to_string())));
            }
        }
    }
}

async fn push_image(
    i: usize,
    plan: Arc<Plan>,
    waits: Vec<watch::Receiver<BlobState>>,
    dst: Arc<Registry>,
    events: mpsc::UnboundedSender<Event>,
) {
    let done = |error: Option<String>| {
        let _ = events.send(Event::ImageDone { image: i, error });
    };
    let Some(img) = plan.images.get(i) else {
        return done(Some("internal: no such image in the plan".into()));
    };
    // Every blob first: one bad blob and nothing of the image is pushed.
    let mut failure = None;
    for mut rx in waits {
        let state = rx
            .wait_for(|s| !matches!(s, BlobState::Pending))
            .await
            .map(|s| s.clone());
        match state {
            Ok(BlobState::Failed(e)) if failure.is_none() => failure = Some(e.to_string()),
            Err(_) if failure.is_none() => failure = Some("internal: a blob copy stopped".into()),
            _ => {}
        }
    }
    if let Some(f) = failure {
        return done(Some(f));
    }
    let repo = &img.job.dest.repository;
    for p in &img.pushes {
        if let Err(e) = put_manifest(&dst, repo, &p.reference, &p.manifest).await {
            return done(Some(e.to_string()));
        }
        let _ = events.send(Event::Pushed { image: i });
    }
    done(None)
}
