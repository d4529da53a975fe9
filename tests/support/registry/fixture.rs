//! Multi-arch test images made here: an OCI layout holding, per tag, an
//! image index of linux/amd64 and linux/arm64 manifests whose layers are
//! real tar+gzip of seeded random data (a base layer shared by all, small
//! layers of their own, optionally big ones), pushed into a registry by
//! skopeo. What was made is returned so tests can check a copy blob by blob.

use sha2::{Digest as _, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Registry;

/// The repository every UEPE image lives in.
pub const REPO: &str = "usage-engine-private-edition";

/// The four tags of a version, as the core names them.
pub fn tags(version: &str) -> Vec<String> {
    ["", "-ec", "-operator", "-ui"]
        .iter()
        .map(|s| format!("{version}{s}"))
        .collect()
}

/// What to make.
pub struct Spec {
    /// Tags, one index each.
    pub tags: Vec<String>,
    /// Size of the base layer every manifest shares.
    pub shared: usize,
    /// Sizes of each manifest's own layers.
    pub layers: Vec<usize>,
    /// An extra big layer for the first tag's amd64 manifest.
    pub big: usize,
}

/// One platform manifest.
#[derive(Debug, Clone)]
pub struct Child {
    /// Its digest.
    pub digest: String,
    /// `amd64` or `arm64`.
    pub arch: String,
    /// Config and layers: (digest, size).
    pub blobs: Vec<(String, u64)>,
}

/// One tag.
#[derive(Debug, Clone)]
pub struct Image {
    /// The tag.
    pub tag: String,
    /// The index digest.
    pub index: String,
    /// amd64 then arm64.
    pub children: Vec<Child>,
}

/// A built layout.
pub struct Fixture {
    /// The OCI layout directory.
    pub layout: PathBuf,
    /// The images.
    pub images: Vec<Image>,
    /// Bytes of all distinct blobs.
    pub bytes: u64,
}

impl Fixture {
    /// Every distinct blob (digest, size).
    pub fn blobs(&self) -> Vec<(String, u64)> {
        let mut all: Vec<(String, u64)> = self
            .images
            .iter()
            .flat_map(|i| i.children.iter().flat_map(|c| c.blobs.clone()))
            .collect();
        all.sort();
        all.dedup();
        all
    }

    /// The blob of the big layer (the largest).
    pub fn biggest_blob(&self) -> (String, u64) {
        self.blobs()
            .into_iter()
            .max_by_key(|b| b.1)
            .expect("a blob")
    }
}

fn sha(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

fn put(layout: &Path, bytes: &[u8]) -> (String, u64) {
    let d = sha(bytes);
    let path = layout.join("blobs/sha256").join(&d["sha256:".len()..]);
    std::fs::write(path, bytes).expect("write blob");
    (d, bytes.len() as u64)
}

/// A tar.gz layer of `size` random bytes from `seed`; (blob, diff id).
fn layer(layout: &Path, seed: u64, size: usize) -> ((String, u64), String) {
    let mut data = vec![0u8; size];
    fastrand::Rng::with_seed(seed).fill(&mut data);
    let mut tar = tar::Builder::new(Vec::with_capacity(size + 2048));
    let mut header = tar::Header::new_gnu();
    header.set_size(size as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, format!("data-{seed}.bin"), data.as_slice())
        .expect("tar");
    let tar = tar.into_inner().expect("tar");
    drop(data);
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(tar.len() + 1024),
        flate2::Compression::none(),
    );
    std::io::Write::write_all(&mut gz, &tar).expect("gzip");
    let gz = gz.finish().expect("gzip");
    (put(layout, &gz), sha(&tar))
}

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// Builds the layout in `dir`.
pub fn build(dir: &Path, spec: &Spec) -> Fixture {
    let layout = dir.to_path_buf();
    std::fs::create_dir_all(layout.join("blobs/sha256")).expect("layout");
    std::fs::write(
        layout.join("oci-layout"),
        r#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .expect("oci-layout");
    let base = layer(&layout, 1, spec.shared);
    let mut seed = 100;
    let mut images = Vec::new();
    let mut top = Vec::new();
    for (t, tag) in spec.tags.iter().enumerate() {
        let mut children = Vec::new();
        let mut entries = Vec::new();
        for arch in ["amd64", "arm64"] {
            let mut layers = vec![base.clone()];
            let mut sizes = spec.layers.clone();
            if t == 0 && arch == "amd64" && spec.big > 0 {
                sizes.push(spec.big);
            }
            for size in sizes {
                seed += 1;
                layers.push(layer(&layout, seed, size));
            }
            let diff_ids: Vec<&String> = layers.iter().map(|l| &l.1).collect();
            let config = serde_json::json!({
                "architecture": arch, "os": "linux", "created": "2026-01-01T00:00:00Z",
                "config": {"Labels": {"tag": tag}},
                "rootfs": {"type": "layers", "diff_ids": diff_ids},
            });
            let config = put(&layout, config.to_string().as_bytes());
            let manifest = serde_json::json!({
                "schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config.0, "size": config.1},
                "layers": layers.iter().map(|l| serde_json::json!({"mediaType": LAYER, "digest": l.0.0, "size": l.0.1})).collect::<Vec<_>>(),
            });
            let m = put(&layout, manifest.to_string().as_bytes());
            entries.push(serde_json::json!({
                "mediaType": OCI_MANIFEST, "digest": m.0, "size": m.1,
                "platform": {"architecture": arch, "os": "linux"},
            }));
            let mut blobs = vec![config];
            blobs.extend(layers.iter().map(|l| l.0.clone()));
            children.push(Child {
                digest: m.0,
                arch: arch.into(),
                blobs,
            });
        }
        let index =
            serde_json::json!({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries});
        let i = put(&layout, index.to_string().as_bytes());
        top.push(serde_json::json!({
            "mediaType": OCI_INDEX, "digest": i.0, "size": i.1,
            "annotations": {"org.opencontainers.image.ref.name": tag},
        }));
        images.push(Image {
            tag: tag.clone(),
            index: i.0,
            children,
        });
    }
    std::fs::write(
        layout.join("index.json"),
        serde_json::json!({"schemaVersion": 2, "manifests": top}).to_string(),
    )
    .expect("index.json");
    let mut f = Fixture {
        layout,
        images,
        bytes: 0,
    };
    f.bytes = f.blobs().iter().map(|b| b.1).sum();
    f
}

/// An authfile (docker config JSON) with the test user for `hosts`.
pub fn authfile(dir: &Path, hosts: &[&str]) -> PathBuf {
    super::docker_config(dir, hosts).join("config.json")
}

/// Pushes every tag into `registry` under `repo` with skopeo, digests kept.
pub fn seed(f: &Fixture, registry: &Registry, repo: &str, work: &Path) {
    let auth = authfile(&work.join("seed-auth"), &[&registry.host]);
    for img in &f.images {
        let out = Command::new("skopeo")
            .args(["copy", "--all", "--preserve-digests", "--quiet"])
            .arg("--dest-tls-verify=false")
            .arg("--dest-authfile")
            .arg(&auth)
            .arg(format!("oci:{}:{}", f.layout.display(), img.tag))
            .arg(format!("docker://{}/{repo}:{}", registry.host, img.tag))
            .output()
            .expect("run skopeo");
        assert!(
            out.status.success(),
            "skopeo seeding {} failed: {}",
            img.tag,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
