//! What a mirror copies where. The UEPE images of a version go from one
//! registry to another under the same repository name; the `refresher`
//! component is the `aws-cli` runner's two images (AWS's and Kubernetes'
//! own, on public.ecr.aws and registry.k8s.io), which an air-gapped cluster
//! needs too. Each comes from its own registry and lands under the
//! destination with its repository path kept (`TO/aws-cli/aws-cli:TAG`,
//! `TO/kubectl:TAG`), so `cronjob install --aws-cli-image` can name it.

use crate::images::{self, Component, Registry};
use crate::validate::{self, Version};

/// The `--components` name of the refresher's images.
pub const REFRESHER: &str = "refresher";

pub use crate::types::{MirrorCopy as Copy, Place};

impl Place {
    /// `REPOSITORY:TAG`.
    pub fn image(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }
}

/// What `--components` chose: UEPE images, and whether the refresher's.
pub fn components(list: &[String]) -> Result<(Vec<Component>, bool), String> {
    let refresher = list.iter().any(|c| c == REFRESHER);
    let uepe: Vec<String> = list.iter().filter(|c| *c != REFRESHER).cloned().collect();
    if refresher && uepe.is_empty() {
        return Ok((Vec::new(), true));
    }
    if let Some(bad) = uepe
        .iter()
        .find(|n| !images::COMPONENTS.iter().any(|c| c.name == n.as_str()))
    {
        return Err(format!(
            "`{bad}` is not a component to mirror: choose from platform, ec, operator, ui, {REFRESHER}"
        ));
    }
    images::components(&uepe).map(|c| (c, refresher))
}

/// Splits a checked image reference `HOST[:PORT]/PATH:TAG` into the registry
/// host, the path under it and the tag. A mirror copies by tag, from a
/// named registry.
pub fn split_image(image: &str) -> Result<(String, String, String), String> {
    let checked = validate::image(image)?;
    if checked.contains('@') {
        return Err(format!(
            "`{image}`: a mirror copies by tag; give the image as HOST/PATH:TAG"
        ));
    }
    let last_slash = checked.rfind('/').unwrap_or(0);
    let colon = checked[last_slash..]
        .rfind(':')
        .map(|i| last_slash + i)
        .ok_or_else(|| format!("`{image}` has no tag"))?;
    let (name, tag) = (&checked[..colon], &checked[colon + 1..]);
    match name.split_once('/') {
        Some((host, path)) if host.contains(['.', ':']) || host == "localhost" => {
            Ok((host.to_owned(), path.to_owned(), tag.to_owned()))
        }
        _ => Err(format!(
            "`{image}` names no registry host: give HOST/PATH:TAG, such as public.ecr.aws/aws-cli/aws-cli:2.27.0"
        )),
    }
}

/// The copies of a mirror: the UEPE images of `version` (when any UEPE
/// component is chosen), then the refresher's images (each given as
/// `(host, path, tag)`).
pub fn plan(
    version: Option<Version>,
    from: &Registry,
    to: &Registry,
    uepe: &[Component],
    refresher: &[(String, String, String)],
) -> Vec<Copy> {
    let mut copies: Vec<Copy> = Vec::new();
    if let Some(v) = version {
        let dests = images::images(v, to, uepe);
        for (s, d) in images::images(v, from, uepe).into_iter().zip(dests) {
            copies.push(Copy {
                component: s.component.to_owned(),
                multi_arch: s.multi_arch,
                source: Place {
                    repository: s.repository,
                    tag: s.tag,
                },
                dest: Place {
                    repository: d.repository,
                    tag: d.tag,
                },
            });
        }
    }
    for (host, path, tag) in refresher {
        copies.push(Copy {
            component: REFRESHER.to_owned(),
            // Both are multi-architecture indexes upstream.
            multi_arch: true,
            source: Place {
                repository: format!("{host}/{path}"),
                tag: tag.clone(),
            },
            dest: Place {
                repository: format!("{}/{path}", to.display()),
                tag: tag.clone(),
            },
        });
    }
    copies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresher_images_keep_their_path_under_the_destination() {
        let to = Registry {
            host: "reg.example.com:5000".into(),
            path: "team".into(),
        };
        let aws = split_image("public.ecr.aws/aws-cli/aws-cli:2.27.0").expect("valid");
        let kubectl = split_image("registry.k8s.io/kubectl:v1.34.0").expect("valid");
        let copies = plan(None, &Registry::vendor(), &to, &[], &[aws, kubectl]);
        let dests: Vec<String> = copies.iter().map(|c| c.dest.image()).collect();
        assert_eq!(
            dests,
            [
                "reg.example.com:5000/team/aws-cli/aws-cli:2.27.0",
                "reg.example.com:5000/team/kubectl:v1.34.0"
            ]
        );
        assert_eq!(
            copies[0].source.image(),
            "public.ecr.aws/aws-cli/aws-cli:2.27.0"
        );
    }

    #[test]
    fn images_without_host_or_tag_are_refused() {
        assert!(split_image("aws-cli/aws-cli:2.27.0").is_err());
        assert!(split_image(&format!("x.io/y@sha256:{}", "a".repeat(64))).is_err());
        assert!(split_image("localhost:5000/kubectl:v1").is_ok());
    }

    #[test]
    fn refresher_alone_chooses_no_uepe_image() {
        let only = components(&["refresher".into()]).expect("valid");
        assert_eq!((only.0.len(), only.1), (0, true));
        let all = components(&[]).expect("valid");
        assert_eq!((all.0.len(), all.1), (4, false));
        assert!(components(&["nope".into()]).is_err());
    }
}
