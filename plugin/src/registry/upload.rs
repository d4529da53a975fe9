//! Copying one blob from the source to the destination without holding it:
//! HEAD is done by the caller; here a cross-repository mount when both are
//! the same registry, else the source's GET body streamed into one
//! monolithic PUT with `Content-Length`, its sha256 checked on the way (the
//! last chunk of a bad body is never sent, so the registry never completes a
//! wrong blob). A registry that refuses monolithic uploads gets chunked ones
//! (PATCH of at least 5 MiB, 201 or 202 accepted, as ECR needs) from then on.
//! Failures that may pass are retried whole, with the crate's retry helper.

use futures_util::StreamExt as _;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE};
use reqwest::{Method, Url};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Error;
use super::api::blob_exists;
use super::auth::{Access, scope};
use super::client::{MAX_REAUTHS, Registry, Sent};
use super::digest::{Digest, Mismatch, Short as _, Verifier};
use super::error::{error_detail, transport};
use crate::retry::{self, Failure, Stopped};

/// Chunk size of chunked uploads: ECR's minimum part size.
pub const CHUNK: usize = 5 << 20;

/// Bytes gathered from the source before a write to the destination: fewer,
/// larger writes cost both sides less than the reads' small pieces.
pub const WRITE_BUFFER: usize = 256 << 10;

/// How a blob got to the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// It was there already (found on a retry).
    Present,
    /// Mounted from the source repository of the same registry.
    Mounted,
    /// Streamed in one PUT.
    Uploaded,
    /// Streamed in chunks.
    Chunked,
}

/// One blob to copy.
pub struct BlobCopy<'a> {
    /// Source registry.
    pub src: &'a Registry,
    /// Source repository.
    pub src_repo: &'a str,
    /// Destination registry.
    pub dst: &'a Registry,
    /// Destination repository.
    pub dst_repo: &'a str,
    /// The blob.
    pub digest: &'a Digest,
    /// Its size.
    pub size: u64,
    /// Counts bytes sent, for progress (taken back when a try fails).
    pub progress: Arc<AtomicU64>,
    /// Set once the destination refused a monolithic upload.
    pub chunked: &'a AtomicBool,
}

enum Step {
    Retry(String, Option<Duration>),
    Reauth(u64, Option<String>, u16),
    Refused(String),
    Fatal(Error),
}

impl From<Error> for Step {
    fn from(e: Error) -> Self {
        Step::Fatal(e)
    }
}

/// How an attempt failed: a passing fault, or for good.
enum Trouble {
    Passing(String),
    Failed(Error),
}

/// What went wrong inside the body stream, seen after the PUT fails.
enum StreamFailure {
    Verify(Mismatch),
    Source(String),
}

impl BlobCopy<'_> {
    fn same_registry(&self) -> bool {
        std::ptr::eq(self.src, self.dst) && self.src_repo != self.dst_repo
    }

    /// Copies the blob, retrying what may pass with the crate's retry
    /// helper; `notify` hears each retry. Each attempt re-opens the source
    /// (the streamed body is never replayed) and first asks whether an
    /// earlier attempt got the blob there after all.
    pub async fn run(&self, notify: &(dyn Fn(String) + Send + Sync)) -> Result<How, Error> {
        let reauths = AtomicU32::new(0);
        let refusals = AtomicU32::new(0);
        let (reauths, refusals) = (&reauths, &refusals);
        let attempt = move |attempt| async move {
            let sent = Arc::new(AtomicU64::new(0));
            let step = match self.try_once(attempt, &sent).await {
                Ok(how) => return Ok(how),
                Err(step) => step,
            };
            self.progress
                .fetch_sub(sent.load(Ordering::Relaxed), Ordering::Relaxed);
            match step {
                Step::Fatal(e) => Err(Failure::Fatal(Trouble::Failed(e))),
                Step::Reauth(generation, www, status) => {
                    if reauths.fetch_add(1, Ordering::Relaxed) == MAX_REAUTHS {
                        let e = self.dst.refused(status, "a blob upload");
                        return Err(Failure::Fatal(Trouble::Failed(e)));
                    }
                    self.dst
                        .reauthenticate(generation, www.as_deref())
                        .await
                        .map_err(|e| Failure::Fatal(Trouble::Failed(e)))?;
                    Err(Failure::Again)
                }
                Step::Refused(why) => {
                    if refusals.fetch_add(1, Ordering::Relaxed) == 1 {
                        return Err(Failure::Fatal(Trouble::Failed(self.upload_error(why))));
                    }
                    notify(format!(
                        "{}: monolithic upload refused ({why}); using chunked uploads",
                        self.dst.host
                    ));
                    self.chunked.store(true, Ordering::Relaxed);
                    Err(Failure::Again)
                }
                Step::Retry(why, after) => Err(Failure::Transient {
                    error: Trouble::Passing(why),
                    after,
                }),
            }
        };
        let max = retry::REGISTRY.max_attempts;
        let on_retry = |trouble: &Trouble, attempt: u32, _| {
            if let Trouble::Passing(why) = trouble {
                notify(format!(
                    "blob {}: {why}; retrying ({attempt}/{max})",
                    self.digest.short()
                ));
            }
        };
        retry::REGISTRY.run(attempt, on_retry).await.map_err(
            |Stopped {
                 error, attempts, ..
             }| match error {
                Trouble::Passing(last) => Error::GaveUp {
                    registry: self.dst.host.clone(),
                    what: format!("copying blob {}", self.digest),
                    attempts,
                    last,
                },
                Trouble::Failed(e) => e,
            },
        )
    }

    fn upload_error(&self, reason: String) -> Error {
        Error::UploadBlob {
            registry: self.dst.host.clone(),
            digest: self.digest.to_string(),
            reason,
        }
    }

    async fn try_once(&self, attempt: u32, sent: &Arc<AtomicU64>) -> Result<How, Step> {
        let push = scope(
            self.dst_repo,
            Access::Push,
            self.same_registry().then_some(self.src_repo),
        );
        if attempt > 1
            && blob_exists(
                self.dst,
                self.dst_repo,
                self.digest,
                self.size,
                Access::Push,
            )
            .await?
        {
            return Ok(How::Present);
        }
        let mut start = self
            .dst
            .url(&format!("v2/{}/blobs/uploads/", self.dst_repo));
        if self.same_registry() {
            start
                .query_pairs_mut()
                .append_pair("mount", self.digest.as_ref())
                .append_pair("from", self.src_repo);
        }
        let what = format!("starting the upload of {}", self.digest);
        let resp = self
            .dst
            .send(&push, &what, |_| {
                self.dst
                    .request(Method::POST, start.clone())
                    .header(CONTENT_LENGTH, 0)
            })
            .await?;
        match resp.status().as_u16() {
            201 if self.same_registry() => return Ok(How::Mounted),
            202 => {}
            status => {
                let body = resp.bytes().await.unwrap_or_default();
                return Err(Step::Fatal(Error::Request {
                    registry: self.dst.host.clone(),
                    what,
                    status,
                    detail: error_detail(&body),
                }));
            }
        }
        let location = self.dst.location(resp.headers(), &what)?;
        let source = self.get_source().await?;
        let result = if self.chunked.load(Ordering::Relaxed) {
            self.chunked_upload(location.clone(), source, sent).await
        } else {
            self.monolithic(location.clone(), source, sent).await
        };
        if matches!(result, Err(Step::Fatal(_))) {
            // Best effort: let the registry drop the unfinished upload now.
            let _ = self
                .dst
                .send_once(&push, self.dst.request(Method::DELETE, location))
                .await;
        }
        result
    }

    async fn get_source(&self) -> Result<reqwest::Response, Step> {
        let what = format!("GET blob {} from {}", self.digest, self.src_repo);
        let url = self
            .src
            .url(&format!("v2/{}/blobs/{}", self.src_repo, self.digest));
        let resp = self
            .src
            .send(&scope(self.src_repo, Access::Pull, None), &what, |_| {
                self.src.request(Method::GET, url.clone())
            })
            .await?;
        if resp.status().as_u16() != 200 {
            let status = resp.status().as_u16();
            let body = resp.bytes().await.unwrap_or_default();
            return Err(Step::Fatal(Error::Request {
                registry: self.src.host.clone(),
                what,
                status,
                detail: error_detail(&body),
            }));
        }
        match resp.content_length() {
            Some(len) if len != self.size => {
                Err(Step::Fatal(Error::VerifyBlob(if len > self.size {
                    Mismatch::TooLong {
                        digest: self.digest.clone(),
                        expected: self.size,
                    }
                } else {
                    Mismatch::TooShort {
                        digest: self.digest.clone(),
                        expected: self.size,
                        actual: len,
                    }
                })))
            }
            _ => Ok(resp),
        }
    }

    async fn monolithic(
        &self,
        location: Url,
        source: reqwest::Response,
        sent: &Arc<AtomicU64>,
    ) -> Result<How, Step> {
        let failure: Arc<Mutex<Option<StreamFailure>>> = Arc::default();
        let counters = (sent.clone(), self.progress.clone());
        let state = (
            source.bytes_stream(),
            Verifier::new(self.digest.clone(), self.size),
            failure.clone(),
            counters,
        );
        let body = futures_util::stream::unfold(Some(state), |state| async move {
            let (mut stream, mut verifier, failure, counters) = state?;
            let record = |f: StreamFailure| {
                if let Ok(mut slot) = failure.lock() {
                    *slot = Some(f);
                }
            };
            let broken = || std::io::Error::other("blob stream stopped");
            // Gather up to WRITE_BUFFER; every piece is verified as it comes,
            // so the piece completing a bad blob never leaves this function.
            let mut out: Vec<u8> = Vec::new();
            loop {
                match stream.next().await {
                    Some(Ok(chunk)) => {
                        if let Err(m) = verifier.update(&chunk) {
                            record(StreamFailure::Verify(m));
                            return Some((Err(broken()), None));
                        }
                        let n = chunk.len() as u64;
                        counters.0.fetch_add(n, Ordering::Relaxed);
                        counters.1.fetch_add(n, Ordering::Relaxed);
                        if out.is_empty() && chunk.len() >= WRITE_BUFFER {
                            return Some((
                                Ok(chunk.to_vec()),
                                Some((stream, verifier, failure, counters)),
                            ));
                        }
                        out.extend_from_slice(&chunk);
                        if out.len() >= WRITE_BUFFER || verifier.is_complete() {
                            return Some((Ok(out), Some((stream, verifier, failure, counters))));
                        }
                    }
                    Some(Err(e)) => {
                        record(StreamFailure::Source(transport(e)));
                        return Some((Err(broken()), None));
                    }
                    None => {
                        return match verifier.finish() {
                            Err(m) => {
                                record(StreamFailure::Verify(m));
                                Some((Err(broken()), None))
                            }
                            Ok(()) if out.is_empty() => None,
                            Ok(()) => Some((Ok(out), None)),
                        };
                    }
                }
            }
        });
        let mut url = location;
        url.query_pairs_mut()
            .append_pair("digest", self.digest.as_ref());
        let req = self
            .dst
            .request(Method::PUT, url)
            .header(CONTENT_LENGTH, self.size)
            .header(CONTENT_TYPE, "application/octet-stream")
            .body(reqwest::Body::wrap_stream(body));
        let push = scope(self.dst_repo, Access::Push, None);
        let outcome = self.dst.send_once(&push, req).await?;
        let stream_failure = failure.lock().ok().and_then(|mut f| f.take());
        if let Some(StreamFailure::Verify(m)) = stream_failure {
            return Err(Step::Fatal(Error::VerifyBlob(m)));
        }
        match outcome {
            Err(e) => Err(Step::Retry(
                match stream_failure {
                    Some(StreamFailure::Source(s)) => format!("reading the source broke: {s}"),
                    _ => format!("sending broke: {}", transport(e)),
                },
                None,
            )),
            Ok(Sent::Reauth(g, www, s)) => Err(Step::Reauth(g, www, s)),
            Ok(Sent::Retry(why, after)) => Err(Step::Retry(why, after)),
            Ok(Sent::Answer(resp)) => self.finished(resp, How::Uploaded).await,
        }
    }

    /// Reads the answer to the final PUT.
    async fn finished(&self, resp: reqwest::Response, how: How) -> Result<How, Step> {
        let status = resp.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(how);
        }
        let body = resp.bytes().await.unwrap_or_default();
        let detail = error_detail(&body);
        match status {
            // The upload session expired or was lost: start again.
            404 => Err(Step::Retry(format!("upload session lost{detail}"), None)),
            400 if detail.contains("DIGEST_INVALID") || detail.contains("SIZE_INVALID") => {
                Err(Step::Fatal(self.upload_error(format!(
                    "the registry computed another digest{detail}"
                ))))
            }
            400 | 405 | 411 | 413 | 415 | 416 | 501 if how == How::Uploaded => {
                Err(Step::Refused(format!("status {status}{detail}")))
            }
            _ => Err(Step::Fatal(
                self.upload_error(format!("status {status}{detail}")),
            )),
        }
    }

    async fn chunked_upload(
        &self,
        mut location: Url,
        source: reqwest::Response,
        sent: &Arc<AtomicU64>,
    ) -> Result<How, Step> {
        let mut stream = source.bytes_stream();
        let mut verifier = Verifier::new(self.digest.clone(), self.size);
        let mut buf: Vec<u8> = Vec::with_capacity(CHUNK);
        let mut offset = 0u64;
        loop {
            match stream.next().await {
                Some(Ok(chunk)) => {
                    verifier
                        .update(&chunk)
                        .map_err(|m| Step::Fatal(Error::VerifyBlob(m)))?;
                    buf.extend_from_slice(&chunk);
                    if buf.len() >= CHUNK {
                        location = self.patch(location, &mut buf, &mut offset, sent).await?;
                    }
                }
                Some(Err(e)) => {
                    return Err(Step::Retry(
                        format!("reading the source broke: {}", transport(e)),
                        None,
                    ));
                }
                None => break,
            }
        }
        verifier
            .finish()
            .map_err(|m| Step::Fatal(Error::VerifyBlob(m)))?;
        if !buf.is_empty() {
            location = self.patch(location, &mut buf, &mut offset, sent).await?;
        }
        location
            .query_pairs_mut()
            .append_pair("digest", self.digest.as_ref());
        let req = self
            .dst
            .request(Method::PUT, location)
            .header(CONTENT_LENGTH, 0)
            .header(CONTENT_TYPE, "application/octet-stream");
        let push = scope(self.dst_repo, Access::Push, None);
        match self.dst.send_once(&push, req).await? {
            Err(e) => Err(Step::Retry(
                format!("sending broke: {}", transport(e)),
                None,
            )),
            Ok(Sent::Reauth(g, www, s)) => Err(Step::Reauth(g, www, s)),
            Ok(Sent::Retry(why, after)) => Err(Step::Retry(why, after)),
            Ok(Sent::Answer(resp)) => self.finished(resp, How::Chunked).await,
        }
    }

    /// Sends `buf` as the next chunk; returns the next upload URL.
    async fn patch(
        &self,
        location: Url,
        buf: &mut Vec<u8>,
        offset: &mut u64,
        sent: &Arc<AtomicU64>,
    ) -> Result<Url, Step> {
        let data = std::mem::replace(buf, Vec::with_capacity(CHUNK));
        let len = data.len() as u64;
        let req = self
            .dst
            .request(Method::PATCH, location.clone())
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_LENGTH, len)
            .header(CONTENT_RANGE, format!("{}-{}", *offset, *offset + len - 1))
            .body(data);
        let push = scope(self.dst_repo, Access::Push, None);
        let resp = match self.dst.send_once(&push, req).await? {
            Err(e) => {
                return Err(Step::Retry(
                    format!("sending broke: {}", transport(e)),
                    None,
                ));
            }
            Ok(Sent::Reauth(g, www, s)) => return Err(Step::Reauth(g, www, s)),
            Ok(Sent::Retry(why, after)) => return Err(Step::Retry(why, after)),
            Ok(Sent::Answer(r)) => r,
        };
        let status = resp.status().as_u16();
        // 202 is the spec's answer; ECR answers 201.
        if !matches!(status, 201 | 202 | 204) {
            let body = resp.bytes().await.unwrap_or_default();
            return Err(Step::Fatal(self.upload_error(format!(
                "chunk at {} answered {status}{}",
                *offset,
                error_detail(&body)
            ))));
        }
        *offset += len;
        sent.fetch_add(len, Ordering::Relaxed);
        self.progress.fetch_add(len, Ordering::Relaxed);
        // Registries may move the upload on; without a new Location it stays.
        Ok(self
            .dst
            .location(resp.headers(), "a chunk upload")
            .unwrap_or(location))
    }
}
