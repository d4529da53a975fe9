//! `mirror --components refresher` (issue 11 item 18): the aws-cli runner's
//! two images, each from its own public registry, into the UEPE
//! destination under their own repository path, so an air-gapped cluster
//! can run the refresher. Two anonymous loopback registries stand in for
//! public.ecr.aws and registry.k8s.io (`--aws-cli-image`/`--kubectl-image`
//! name them, as `--from` names the UEPE source in the other tests).

use std::path::Path;

use super::{DEST_PATH, REPO, VERSION, assert_ok, sha256, skopeo_raw};
use crate::support::registry::fixture::{self, Fixture, Spec};
use crate::support::registry::{self, Registry};
use crate::support::{run, tempdir, uepe};

/// An anonymous registry (as the public ones are) seeded with `repo:tag`.
fn public(dir: &Path, name: &str, repo: &str, tag: &str) -> (Registry, Fixture) {
    let reg = Registry::start_with_auth(&dir.join(name), &[], "");
    let fix = fixture::build(
        &dir.join(format!("{name}-layout")),
        &Spec {
            tags: vec![tag.to_owned()],
            shared: 32 << 10,
            layers: vec![16 << 10],
            big: 0,
        },
    );
    fixture::seed(&fix, &reg, repo, dir);
    (reg, fix)
}

#[test]
fn refresher_images_come_from_their_own_registries_to_the_destination() {
    if !registry::peers_present() {
        return;
    }
    let tmp = tempdir();
    let dir = tmp.path();
    let (aws, aws_fix) = public(dir, "aws", "aws-cli/aws-cli", "2.27.0");
    let (k8s, k8s_fix) = public(dir, "k8s", "kubectl", "v1.34.0");
    let src = Registry::start_default(&dir.join("src"));
    let dst = Registry::start_default(&dir.join("dst"));
    let uepe_fix = fixture::build(
        &dir.join("layout"),
        &Spec {
            tags: fixture::tags(VERSION),
            shared: 32 << 10,
            layers: vec![16 << 10],
            big: 0,
        },
    );
    fixture::seed(&uepe_fix, &src, REPO, dir);
    // Credentials for the UEPE source and the destination only: the
    // refresher's registries are read anonymously.
    let config = registry::docker_config(&dir.join("docker"), &[&src.host, &dst.host]);
    let aws_image = format!("{}/aws-cli/aws-cli:2.27.0", aws.host);
    let kubectl_image = format!("{}/kubectl:v1.34.0", k8s.host);
    let to = format!("{}/{DEST_PATH}", dst.host);
    let mirror = |extra: &[&str]| {
        let mut args = vec![
            "mirror",
            "--to",
            &to,
            "--aws-cli-image",
            &aws_image,
            "--kubectl-image",
            &kubectl_image,
        ];
        args.extend_from_slice(extra);
        let mut c = uepe(&args);
        c.env("DOCKER_CONFIG", &config);
        run(c)
    };

    // The plan names each image where it comes from and where it goes;
    // nothing is copied.
    for form in ["--dry-run", "--dry-run=client"] {
        let plan = mirror(&["--components", "refresher", form]);
        assert_ok("mirror --components refresher --dry-run", &plan);
        for name in [
            format!("{DEST_PATH}/aws-cli/aws-cli:2.27.0"),
            format!("{DEST_PATH}/kubectl:v1.34.0"),
        ] {
            assert_contains!(plan.stdout, &name, "{form}: plan lacks {name}");
        }
        assert_eq!(dst.blob_writes(), 0, "{form} copied something");
    }

    // The refresher's images with one UEPE image, from three registries.
    let r = mirror(&[
        "--components",
        "platform,refresher",
        "--version",
        VERSION,
        "--from",
        &src.host,
    ]);
    assert_ok("mirror --components platform,refresher", &r);
    let copied = [
        (
            format!("{DEST_PATH}/aws-cli/aws-cli:2.27.0"),
            &aws_fix.images[0].index,
        ),
        (
            format!("{DEST_PATH}/kubectl:v1.34.0"),
            &k8s_fix.images[0].index,
        ),
        (
            format!("{DEST_PATH}/{REPO}:{VERSION}"),
            &uepe_fix.images[0].index,
        ),
    ];
    for (reference, digest) in copied {
        let raw = skopeo_raw(dir, &dst.host, &reference);
        assert_eq!(&sha256(&raw), digest, "{reference} at the destination");
    }
    // No other UEPE image was chosen.
    assert!(
        !dst.client()
            .has_manifest(&format!("{DEST_PATH}/{REPO}"), &format!("{VERSION}-ec")),
        "--components platform,refresher copied the ec image"
    );

    // The mirrored images are what cronjob install then takes.
    let r = run(uepe(&[
        "cronjob",
        "install",
        "--dry-run=client",
        "--role-arn",
        "arn:aws:iam::123456789012:role/ecr-reader",
        "--aws-cli-image",
        &format!("{to}/aws-cli/aws-cli:2.27.0"),
        "--kubectl-image",
        &format!("{to}/kubectl:v1.34.0"),
    ]));
    assert_ok("cronjob install with the mirrored images", &r);
    assert_contains!(r.stdout, &format!("image: {to}/kubectl:v1.34.0"));

    // A UEPE version with only the refresher's images is a mistake, and
    // the refresher's images without the component too.
    let r = mirror(&["--components", "refresher", "--version", VERSION]);
    assert!(
        r.code != 0 && r.stderr.contains("--version"),
        "{}",
        r.stderr
    );
    let r = mirror(&["--version", VERSION, "--from", &src.host, "--dry-run"]);
    assert!(
        r.code != 0 && r.stderr.contains("--aws-cli-image"),
        "{}",
        r.stderr
    );
}
