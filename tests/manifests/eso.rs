//! What a schema cannot see in the `external-secrets` runner's objects: the
//! references between them.

use serde_json::Value;

use super::cases::{Case, Keys, NAME, ROLE_ARN};

/// What a schema cannot see: every ExternalSecret names a generator that is
/// there, in its namespace, which authenticates with a ServiceAccount or a
/// Secret key that is there too (or that `commands credentials` creates).
#[track_caller]
pub(super) fn assert_eso_references(case: &Case, objects: &[Value]) {
    let find = |kind: &str, ns: &str, name: &str| {
        objects.iter().find(|o| {
            o["kind"] == kind && o["metadata"]["namespace"] == ns && o["metadata"]["name"] == name
        })
    };
    let namespaces = case.namespaces();
    for ns in &namespaces {
        let es = objects
            .iter()
            .find(|o| o["kind"] == "ExternalSecret" && o["metadata"]["namespace"] == ns.as_str())
            .unwrap_or_else(|| panic!("{}: no ExternalSecret in {ns}", case.name));
        let spec = &es["spec"];
        assert_eq!(spec["target"]["name"], NAME, "{}: target", case.name);
        assert_eq!(
            spec["target"]["template"]["type"], "kubernetes.io/dockerconfigjson",
            "{}: target type",
            case.name
        );
        let generator = &spec["dataFrom"][0]["sourceRef"]["generatorRef"];
        assert_eq!(generator["kind"], "ECRAuthorizationToken", "{}", case.name);
        let gen_name = generator["name"].as_str().unwrap_or_default();
        let token = find("ECRAuthorizationToken", ns, gen_name)
            .unwrap_or_else(|| panic!("{}: generator {gen_name} missing in {ns}", case.name));
        assert_eq!(
            generator["apiVersion"], token["apiVersion"],
            "{}: generatorRef apiVersion",
            case.name
        );
        let auth = &token["spec"]["auth"];
        if case.role_arn {
            let sa = auth["jwt"]["serviceAccountRef"]["name"]
                .as_str()
                .unwrap_or_default();
            let sa = find("ServiceAccount", ns, sa)
                .unwrap_or_else(|| panic!("{}: ServiceAccount {sa} missing in {ns}", case.name));
            assert_eq!(
                sa["metadata"]["annotations"]["eks.amazonaws.com/role-arn"], ROLE_ARN,
                "{}: IRSA annotation",
                case.name
            );
            assert!(
                auth.get("secretRef").is_none(),
                "{}: keys with IRSA",
                case.name
            );
        } else {
            let refs = auth["secretRef"].as_object().cloned().unwrap_or_default();
            let mut want = vec!["accessKeyIDSecretRef", "secretAccessKeySecretRef"];
            if case.keys == Keys::WithSession {
                want.push("sessionTokenSecretRef");
            }
            let mut got: Vec<&str> = refs.keys().map(String::as_str).collect();
            got.sort();
            assert_eq!(got, want, "{}: secretRef keys in {ns}", case.name);
            for r in refs.values() {
                let (secret, key) = (
                    r["name"].as_str().unwrap_or_default(),
                    r["key"].as_str().unwrap_or_default(),
                );
                match find("Secret", ns, secret) {
                    Some(s) => assert!(
                        s["data"].get(key).is_some(),
                        "{}: Secret {secret} in {ns} has no key {key}",
                        case.name
                    ),
                    None => assert_eq!(
                        case.keys,
                        Keys::None,
                        "{}: credentials Secret {secret} missing in {ns}",
                        case.name
                    ),
                }
            }
        }
    }
}
