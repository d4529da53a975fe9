//! Manifests as the registry API carries them: the raw bytes (pushed
//! unchanged, so every digest is preserved), their media type, and what they
//! name — the children of an image index (OCI index or Docker manifest list)
//! or the blobs of an image manifest (OCI or Docker schema 2), read with the
//! `oci-spec` types. Choosing platforms, and writing the smaller index that
//! then replaces the source's, is here too. Pure.

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType, ToDockerV2S2};
use std::collections::HashSet;

use super::digest::{self, Digest};
use super::platform::{Filter, Platform};

/// What a manifest's media type makes it, in either family (OCI, or its
/// Docker schema 2 equivalent as `oci-spec` names it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Index,
    Image,
}

/// The media types the copier reads, OCI first then Docker's, per kind.
fn understood() -> [(MediaType, Kind); 4] {
    let docker = |oci: MediaType| {
        // Both have a Docker equivalent; `oci-spec` errs only for types without one.
        let name = oci.to_docker_v2s2().map(str::to_owned);
        name.map(|n| MediaType::from(n.as_str())).unwrap_or(oci)
    };
    [
        (MediaType::ImageIndex, Kind::Index),
        (docker(MediaType::ImageIndex), Kind::Index),
        (MediaType::ImageManifest, Kind::Image),
        (docker(MediaType::ImageManifest), Kind::Image),
    ]
}

fn kind(media_type: &MediaType) -> Option<Kind> {
    understood()
        .into_iter()
        .find(|(m, _)| m == media_type)
        .map(|(_, k)| k)
}

/// The `Accept` header of every manifest request: indexes and manifests of
/// both families.
pub fn accept() -> String {
    understood()
        .iter()
        .map(|(m, _)| m.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Registries refuse manifests over 4 MiB; a larger answer is not one.
pub const MAX_MANIFEST_BYTES: usize = 4 << 20;

/// A manifest: its bytes exactly as fetched and what they name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// sha256 of `bytes`.
    pub digest: Digest,
    /// Media type, pushed as `Content-Type`.
    pub media_type: MediaType,
    /// The raw bytes.
    pub bytes: Vec<u8>,
    /// What it names.
    pub body: Body,
}

/// What a manifest names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// An image index: child manifests.
    Index(Vec<Child>),
    /// An image manifest: config and layers.
    Image(Vec<Blob>),
}

/// One entry of an index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    /// The child manifest's digest.
    pub digest: Digest,
    /// Its media type.
    pub media_type: MediaType,
    /// Its size.
    pub size: u64,
    /// Its platform, when the index says.
    pub platform: Option<Platform>,
    /// For an attestation manifest (buildx), the manifest it describes.
    pub describes: Option<Digest>,
}

/// One blob of an image manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    /// Digest.
    pub digest: Digest,
    /// Size in bytes.
    pub size: u64,
    /// A non-distributable ("foreign") layer, fetched by clients from its
    /// URLs: registries do not hold it, so it is not copied.
    pub foreign: bool,
}

impl Manifest {
    /// The children, for an index.
    pub fn children(&self) -> &[Child] {
        match &self.body {
            Body::Index(c) => c,
            Body::Image(_) => &[],
        }
    }

    /// The blobs to copy, for an image manifest.
    pub fn blobs(&self) -> impl Iterator<Item = &Blob> {
        let blobs: &[Blob] = match &self.body {
            Body::Image(b) => b,
            Body::Index(_) => &[],
        };
        blobs.iter().filter(|b| !b.foreign)
    }

    /// Whether this is an index.
    pub fn is_index(&self) -> bool {
        matches!(self.body, Body::Index(_))
    }
}

fn digest_of(d: &Descriptor) -> Result<Digest, String> {
    digest::parse(d.digest().as_ref())
}

/// The probe that tells the families apart when no media type is given.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Probe {
    #[serde(default)]
    schema_version: Option<u32>,
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<serde_json::Value>,
}

/// Parses manifest bytes; `content_type` is the response's header, if any.
pub fn parse(bytes: Vec<u8>, content_type: Option<&str>) -> Result<Manifest, String> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(format!("{} bytes is too large for a manifest", bytes.len()));
    }
    let probe: Probe =
        serde_json::from_slice(&bytes).map_err(|e| format!("not a JSON manifest: {e}"))?;
    if probe.schema_version == Some(1) {
        return Err("Docker schema 1 manifests are not supported (deprecated since 2017)".into());
    }
    let header = content_type
        .map(|c| c.split(';').next().unwrap_or_default().trim().to_owned())
        .filter(|c| !c.is_empty() && c != "application/json" && c != "text/plain");
    let media_type = match (probe.media_type, header) {
        (Some(m), _) => MediaType::from(m.as_str()),
        (None, Some(h)) => MediaType::from(h.as_str()),
        (None, None) if probe.manifests.is_some() => MediaType::ImageIndex,
        (None, None) => MediaType::ImageManifest,
    };
    let digest = digest::of(&bytes);
    let body = match kind(&media_type) {
        Some(Kind::Index) => {
            let index: ImageIndex =
                serde_json::from_slice(&bytes).map_err(|e| format!("not an image index: {e}"))?;
            Body::Index(
                index
                    .manifests()
                    .iter()
                    .map(child)
                    .collect::<Result<_, _>>()?,
            )
        }
        Some(Kind::Image) => {
            let m: ImageManifest = serde_json::from_slice(&bytes)
                .map_err(|e| format!("not an image manifest: {e}"))?;
            let mut blobs = vec![blob(m.config())?];
            for layer in m.layers() {
                blobs.push(blob(layer)?);
            }
            Body::Image(blobs)
        }
        None => {
            return Err(format!(
                "media type `{media_type}` is not an image or index"
            ));
        }
    };
    Ok(Manifest {
        digest,
        media_type,
        bytes,
        body,
    })
}

fn child(d: &Descriptor) -> Result<Child, String> {
    Ok(Child {
        digest: digest_of(d)?,
        media_type: d.media_type().clone(),
        size: d.size(),
        platform: d.platform().as_ref().map(|p| Platform {
            os: p.os().to_string(),
            arch: p.architecture().to_string(),
            variant: p.variant().clone(),
        }),
        describes: d
            .annotations()
            .as_ref()
            .and_then(|a| a.get("vnd.docker.reference.digest"))
            .and_then(|v| digest::parse(v).ok()),
    })
}

fn blob(d: &Descriptor) -> Result<Blob, String> {
    let media = d.media_type().to_string();
    Ok(Blob {
        digest: digest_of(d)?,
        size: d.size(),
        foreign: d.urls().as_ref().is_some_and(|u| !u.is_empty())
            || media.contains("foreign")
            || media.contains("nondistributable"),
    })
}

/// What to copy of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// The manifest pushed under the tag: the source's own, or the new
    /// smaller index when only some platforms were chosen.
    pub top: Manifest,
    /// The child manifests to copy (empty for a single image manifest).
    pub children: Vec<Child>,
    /// Whether `top` is a new index written for the chosen platforms.
    pub rewritten: bool,
}

/// Chooses the children of `top` for `filter`. A subset gets a new index
/// holding only the chosen entries (and the attestations that describe
/// them); everything else in the index is kept as it was.
pub fn select(top: &Manifest, filter: &Filter) -> Result<Selection, String> {
    let all = top.children();
    let wanted = match filter {
        Filter::Only(w) if top.is_index() => w,
        _ => {
            return Ok(Selection {
                top: top.clone(),
                children: all.to_vec(),
                rewritten: false,
            });
        }
    };
    let missing: Vec<String> = wanted
        .iter()
        .filter(|w| {
            !all.iter()
                .any(|c| c.platform.as_ref().is_some_and(|p| w.matches(p)))
        })
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        let available: Vec<String> = all
            .iter()
            .filter_map(|c| c.platform.as_ref())
            .filter(|p| p.os != "unknown")
            .map(ToString::to_string)
            .collect();
        return Err(format!(
            "platform {} is not in the image (it has {})",
            missing.join(", "),
            available.join(", ")
        ));
    }
    let chosen: HashSet<&Digest> = all
        .iter()
        .filter(|c| {
            c.platform
                .as_ref()
                .is_some_and(|p| wanted.iter().any(|w| w.matches(p)))
        })
        .map(|c| &c.digest)
        .collect();
    let keep: Vec<Child> = all
        .iter()
        .filter(|c| {
            chosen.contains(&c.digest) || c.describes.as_ref().is_some_and(|d| chosen.contains(d))
        })
        .cloned()
        .collect();
    if keep.len() == all.len() {
        return Ok(Selection {
            top: top.clone(),
            children: keep,
            rewritten: false,
        });
    }
    let kept: HashSet<&str> = keep.iter().map(|c| c.digest.as_ref()).collect();
    let mut doc: serde_json::Value =
        serde_json::from_slice(&top.bytes).map_err(|e| format!("the index is not JSON: {e}"))?;
    if let Some(list) = doc.get_mut("manifests").and_then(|m| m.as_array_mut()) {
        list.retain(|m| {
            m.get("digest")
                .and_then(|d| d.as_str())
                .is_some_and(|d| kept.contains(d))
        });
    }
    let bytes = serde_json::to_vec(&doc).map_err(|e| format!("writing the new index: {e}"))?;
    let new_top = Manifest {
        digest: digest::of(&bytes),
        media_type: top.media_type.clone(),
        bytes,
        body: Body::Index(keep.clone()),
    };
    Ok(Selection {
        top: new_top,
        children: keep,
        rewritten: true,
    })
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";

    #[test]
    fn accepts_both_families_in_the_order_registries_expect() {
        assert_eq!(
            accept(),
            "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
        );
    }

    fn d(n: u8) -> String {
        format!("sha256:{}", format!("{n:02x}").repeat(32))
    }

    fn index() -> Vec<u8> {
        format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[
            {{"mediaType":"{m}","digest":"{}","size":10,"platform":{{"architecture":"amd64","os":"linux"}}}},
            {{"mediaType":"{m}","digest":"{}","size":11,"platform":{{"architecture":"arm64","os":"linux","variant":"v8"}}}},
            {{"mediaType":"{m}","digest":"{}","size":12,"platform":{{"architecture":"unknown","os":"unknown"}},
              "annotations":{{"vnd.docker.reference.digest":"{}","vnd.docker.reference.type":"attestation-manifest"}}}}],
            "annotations":{{"org.opencontainers.image.created":"2026-01-01"}}}}"#,
            MediaType::ImageIndex,
            d(1),
            d(2),
            d(3),
            d(2),
            m = MediaType::ImageManifest
        )
        .into_bytes()
    }

    #[test]
    fn reads_an_index_and_keeps_its_bytes() {
        let bytes = index();
        let m = parse(
            bytes.clone(),
            Some("application/vnd.oci.image.index.v1+json"),
        )
        .expect("index");
        assert_eq!(m.bytes, bytes);
        assert_eq!(m.digest, digest::of(&bytes));
        assert_eq!(m.children().len(), 3);
        assert_eq!(
            m.children()[1].platform.as_ref().map(ToString::to_string),
            Some("linux/arm64/v8".to_owned())
        );
        assert_eq!(
            m.children()[2].describes.as_ref().map(AsRef::<str>::as_ref),
            Some(d(2).as_str())
        );
        let all = select(&m, &Filter::All).expect("all");
        assert!(!all.rewritten);
        assert_eq!(all.top, m);
    }

    /// `--platform` as the core reads it.
    fn platforms(flag: &str) -> Filter {
        crate::core::Core::load()
            .expect("core")
            .platforms(&crate::core::PlatformsRequest {
                platform: vec![flag.to_owned()],
            })
            .expect("core accepts")
    }

    #[test]
    fn writes_a_smaller_index_for_chosen_platforms() {
        let m = parse(index(), None).expect("index");
        let only = platforms("linux/arm64");
        let s = select(&m, &only).expect("arm64 is there");
        assert!(s.rewritten);
        // arm64 and the attestation that describes it.
        let kept: Vec<&str> = s.children.iter().map(|c| c.digest.as_ref()).collect();
        assert_eq!(kept, [d(2), d(3)]);
        let doc: serde_json::Value = serde_json::from_slice(&s.top.bytes).expect("json");
        assert_eq!(doc["manifests"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            doc["annotations"]["org.opencontainers.image.created"],
            "2026-01-01"
        );
        assert_eq!(s.top.digest, digest::of(&s.top.bytes));
        // Same input, same bytes: a rerun finds the same index.
        assert_eq!(select(&m, &only).expect("again").top.bytes, s.top.bytes);

        let both = platforms("linux/arm64,linux/amd64");
        assert!(!select(&m, &both).expect("both").rewritten);
        let none = platforms("linux/s390x");
        let err = select(&m, &none).expect_err("not there");
        assert!(
            err.contains("linux/s390x") && err.contains("linux/amd64"),
            "{err}"
        );
    }

    #[test]
    fn reads_docker_manifests_and_skips_foreign_layers() {
        let bytes = format!(
            r#"{{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"{}","size":5}},
            "layers":[{{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","digest":"{}","size":7}},
                      {{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip","digest":"{}","size":9,"urls":["https://example.com/x"]}}]}}"#,
            DOCKER_MANIFEST,
            d(4),
            d(5),
            d(6)
        )
        .into_bytes();
        let m = parse(bytes, None).expect("manifest");
        assert_eq!(m.media_type, MediaType::from(DOCKER_MANIFEST));
        let blobs: Vec<(String, u64)> = m.blobs().map(|b| (b.digest.to_string(), b.size)).collect();
        assert_eq!(blobs, [(d(4), 5), (d(5), 7)]);
        assert!(parse(br#"{"schemaVersion":1}"#.to_vec(), None).is_err());
        assert!(parse(b"<html>".to_vec(), None).is_err());
    }
}
