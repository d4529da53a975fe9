//! The plan over made-up manifests: order, sharing, what is skipped.

use super::*;
use crate::registry::manifest;
use crate::registry::platform::Filter;
use oci_spec::image::MediaType;

fn blob(n: u8, size: u64) -> String {
    format!(
        r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"{}","size":{size}}}"#,
        digest(n)
    )
}

fn digest(n: u8) -> Digest {
    crate::registry::digest::parse(&format!("sha256:{}", format!("{n:02x}").repeat(32)))
        .expect("digest")
}

fn image(config: u8, layers: &[(u8, u64)]) -> Manifest {
    let layers: Vec<String> = layers.iter().map(|(n, s)| blob(*n, *s)).collect();
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","config":{},"layers":[{}]}}"#,
        MediaType::ImageManifest,
        blob(config, 10).replace("layer.v1.tar+gzip", "config.v1+json"),
        layers.join(",")
    );
    manifest::parse(text.into_bytes(), None).expect("manifest")
}

fn index(children: &[(&Manifest, &str)]) -> Manifest {
    let entries: Vec<String> = children
        .iter()
        .map(|(m, arch)| {
            format!(
                r#"{{"mediaType":"{}","digest":"{}","size":{},"platform":{{"os":"linux","architecture":"{arch}"}}}}"#,
                MediaType::ImageManifest,
                m.digest,
                m.bytes.len()
            )
        })
        .collect();
    let text = format!(
        r#"{{"schemaVersion":2,"mediaType":"{}","manifests":[{}]}}"#,
        MediaType::ImageIndex,
        entries.join(",")
    );
    manifest::parse(text.into_bytes(), None).expect("index")
}

fn resolved(tag: &str, children: Vec<Manifest>) -> Resolved {
    let pairs: Vec<(&Manifest, &str)> = children.iter().zip(["amd64", "arm64"]).collect();
    let top = index(&pairs);
    let selection = manifest::select(&top, &Filter::All).expect("select");
    Resolved {
        job: Job {
            component: tag.into(),
            source: Ref::new("src.example.com/uepe", tag).expect("ref"),
            dest: Ref::new("dst.example.com/team/uepe", tag).expect("ref"),
        },
        source_digest: top.digest.clone(),
        selection,
        children,
    }
}

fn two_images() -> Vec<Resolved> {
    // Layer 1 is shared by every manifest; layer 9 is the big one.
    vec![
        resolved(
            "a",
            vec![
                image(100, &[(1, 50), (2, 5)]),
                image(101, &[(1, 50), (9, 900)]),
            ],
        ),
        resolved(
            "b",
            vec![
                image(102, &[(1, 50), (3, 7)]),
                image(103, &[(1, 50), (4, 8)]),
            ],
        ),
    ]
}

#[test]
fn copies_each_blob_once_larger_first_children_before_the_tag() {
    let r = two_images();
    let plan = build(&r, &Presence::default());
    let order: Vec<(usize, u64)> = plan.uploads.iter().map(|u| (u.image, u.size)).collect();
    assert_eq!(
        order,
        [
            (0, 900),
            (0, 50),
            (0, 10),
            (0, 10),
            (0, 5),
            (1, 10),
            (1, 10),
            (1, 8),
            (1, 7)
        ]
    );
    assert!(
        plan.uploads
            .iter()
            .all(|u| u.dst_repo == "team/uepe" && u.src_repo == "uepe")
    );
    let a = &plan.images[0];
    let refs: Vec<&str> = a.pushes.iter().map(|p| p.reference.as_str()).collect();
    assert_eq!(
        refs,
        [
            r[0].children[0].digest.as_ref(),
            r[0].children[1].digest.as_ref(),
            "a"
        ]
    );
    assert_eq!(a.platforms, ["linux/amd64", "linux/arm64"]);
    assert_eq!(a.manifests, 3);
    assert!(!a.up_to_date && !a.rewritten);
    // Image b needs layer 1 too, copied by a.
    assert!(plan.images[1].missing().any(|b| b.digest == digest(1)));
}

#[test]
fn skips_what_is_there() {
    let r = two_images();
    let mut presence = Presence::default();
    presence.tags.insert(1, r[1].selection.top.digest.clone());
    presence
        .manifests
        .insert(("team/uepe".into(), r[0].children[1].digest.clone()));
    presence.blobs.insert(("team/uepe".into(), digest(2)));
    assert_eq!(manifests_to_check(&r, &presence).len(), 2);
    let check: Vec<Digest> = blobs_to_check(&r, &presence)
        .into_iter()
        .map(|b| b.1)
        .collect();
    assert_eq!(check, [digest(100), digest(1), digest(2)]);
    let plan = build(&r, &presence);
    assert!(plan.images[1].up_to_date && plan.images[1].pushes.is_empty());
    assert_eq!(plan.images[1].missing().count(), 0);
    let sizes: Vec<u64> = plan.uploads.iter().map(|u| u.size).collect();
    assert_eq!(sizes, [50, 10]);
    assert_eq!(plan.images[0].pushes.len(), 2);

    let mut text = Vec::new();
    render(&plan, &mut text).expect("render");
    let text = String::from_utf8(text).expect("utf8");
    assert!(
        text.contains("up to date: the tag already names this index"),
        "{text}"
    );
    assert!(
        text.contains("Plan: 2 images, 6 manifests (2 to push), 9 blobs of 1010 B (7 present, 2 to copy: 60 B)."),
        "{text}"
    );
}

#[test]
fn renders_bytes_and_summary() {
    assert_eq!(human_bytes(0), "0 B");
    assert_eq!(human_bytes(1536), "1.5 KiB");
    assert_eq!(human_bytes(600 << 20), "600.0 MiB");
    let s = Summary {
        images: 4,
        up_to_date: 1,
        failed: 1,
        manifests_pushed: 6,
        blobs_uploaded: 3,
        blobs_mounted: 1,
        blobs_skipped: 2,
        bytes_uploaded: 10 << 20,
        bytes_skipped: 2048,
    };
    let mut out = Vec::new();
    render_summary(&s, Duration::from_secs(2), &mut out).expect("render");
    assert_eq!(
        String::from_utf8(out).expect("utf8"),
        "Mirrored 3 of 4 images (1 up to date, 1 failed) in 2.0s: 6 manifests pushed; blobs: 3 copied (10.0 MiB, 5.0 MiB/s), 1 mounted, 2 skipped as present (2.0 KiB).\n"
    );
}
