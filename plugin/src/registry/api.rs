//! The distribution API calls the copier makes on a [`Registry`], apart from
//! blob uploads (`upload.rs`): fetch a manifest (verifying its digest), ask
//! whether a manifest or blob is there, push a manifest's raw bytes.

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE};

use super::Error;
use super::auth::{Access, scope};
use super::client::Registry;
use super::digest::{self, Digest};
use super::error::error_detail;
use super::manifest::{self, Manifest};

/// `Docker-Content-Digest` of an answer.
fn content_digest(headers: &reqwest::header::HeaderMap) -> Option<Digest> {
    headers
        .get("docker-content-digest")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| digest::parse(v.trim()).ok())
}

async fn unexpected(registry: &Registry, what: &str, resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    let body = resp.bytes().await.unwrap_or_default();
    Error::Request {
        registry: registry.host.clone(),
        what: what.into(),
        status,
        detail: error_detail(&body),
    }
}

/// GETs a manifest by tag or digest; `None` when it is not there. A digest
/// reference must match the bytes; a tag's bytes must match the digest the
/// registry says it has.
pub async fn get_manifest(
    r: &Registry,
    repository: &str,
    reference: &str,
) -> Result<Option<Manifest>, Error> {
    let what = format!("GET manifest {repository}:{reference}");
    let url = r.url(&format!("v2/{repository}/manifests/{reference}"));
    let resp = r
        .send(&scope(repository, Access::Pull, None), &what, |_| {
            r.request(Method::GET, url.clone())
                .header(ACCEPT, manifest::accept())
        })
        .await?;
    match resp.status().as_u16() {
        200 => {}
        404 => return Ok(None),
        _ => return Err(unexpected(r, &what, resp).await),
    }
    let shown = format!("{}/{repository}:{reference}", r.host);
    let said = content_digest(resp.headers());
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let bytes = resp.bytes().await.map_err(|e| Error::GaveUp {
        registry: r.host.clone(),
        what: what.clone(),
        attempts: 1,
        last: super::error::transport(e),
    })?;
    let m = manifest::parse(bytes.to_vec(), content_type.as_deref()).map_err(|reason| {
        Error::ParseManifest {
            reference: shown.clone(),
            reason,
        }
    })?;
    let expected = match digest::parse(reference) {
        Ok(d) => Some(d),
        Err(_) => said,
    };
    if let Some(expected) = expected.filter(|e| *e != m.digest) {
        return Err(Error::VerifyManifest {
            reference: shown,
            expected: expected.to_string(),
            actual: m.digest.to_string(),
        });
    }
    Ok(Some(m))
}

/// The digest a manifest reference has at the registry, `None` when absent.
pub async fn manifest_digest(
    r: &Registry,
    repository: &str,
    reference: &str,
    access: Access,
) -> Result<Option<Digest>, Error> {
    let what = format!("HEAD manifest {repository}:{reference}");
    let url = r.url(&format!("v2/{repository}/manifests/{reference}"));
    let resp = r
        .send(&scope(repository, access, None), &what, |_| {
            r.request(Method::HEAD, url.clone())
                .header(ACCEPT, manifest::accept())
        })
        .await?;
    match resp.status().as_u16() {
        200 => {}
        404 => return Ok(None),
        _ => return Err(unexpected(r, &what, resp).await),
    }
    if let Some(d) = content_digest(resp.headers()) {
        return Ok(Some(d));
    }
    // No digest header: read the manifest to know.
    Ok(get_manifest(r, repository, reference)
        .await?
        .map(|m| m.digest))
}

/// Whether blob `digest` of `size` bytes is in `repository`.
pub async fn blob_exists(
    r: &Registry,
    repository: &str,
    digest: &Digest,
    size: u64,
    access: Access,
) -> Result<bool, Error> {
    let what = format!("HEAD blob {digest} in {repository}");
    let url = r.url(&format!("v2/{repository}/blobs/{digest}"));
    let resp = r
        .send(&scope(repository, access, None), &what, |_| {
            r.request(Method::HEAD, url.clone())
        })
        .await?;
    match resp.status().as_u16() {
        200 => {
            let len = resp
                .headers()
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            // A registry that says another size does not hold this content.
            Ok(len.is_none_or(|l| l == size))
        }
        404 => Ok(false),
        _ => Err(unexpected(r, &what, resp).await),
    }
}

/// PUTs a manifest's raw bytes under `reference` (its digest or a tag).
pub async fn put_manifest(
    r: &Registry,
    repository: &str,
    reference: &str,
    m: &Manifest,
) -> Result<(), Error> {
    let what = format!("PUT manifest {repository}:{reference}");
    let url = r.url(&format!("v2/{repository}/manifests/{reference}"));
    let resp = r
        .send(&scope(repository, Access::Push, None), &what, |_| {
            r.request(Method::PUT, url.clone())
                .header(CONTENT_TYPE, m.media_type.to_string())
                .body(m.bytes.clone())
        })
        .await?;
    if !resp.status().is_success() {
        return Err(unexpected(r, &what, resp).await);
    }
    match content_digest(resp.headers()) {
        Some(d) if d != m.digest => Err(Error::VerifyManifest {
            reference: format!("{}/{repository}:{reference}", r.host),
            expected: m.digest.to_string(),
            actual: d.to_string(),
        }),
        _ => Ok(()),
    }
}
