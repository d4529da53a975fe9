//! The control plane's keys and certificates, made fresh for each test
//! binary: one CA that signs the API server's serving certificate (for
//! 127.0.0.1, as a Service IP would be) and every client certificate (the
//! API server trusts it as `--client-ca-file`), and the key the API server
//! signs ServiceAccount tokens with.

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A certificate and its private key, both PEM.
pub struct Pair {
    /// The certificate.
    pub cert: String,
    /// Its PKCS#8 private key.
    pub key: String,
}

/// The test CA.
pub struct Ca {
    /// The CA certificate, PEM.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    /// A fresh CA named `name`.
    pub fn new(name: &str) -> Ca {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("CA certificate");
        Ca {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// The API server's serving certificate: 127.0.0.1 and the names a
    /// pod uses for it.
    pub fn server(&self) -> Pair {
        let names = ["127.0.0.1", "localhost", "kubernetes.default.svc"].map(String::from);
        let mut params = CertificateParams::new(names.to_vec()).expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        self.sign(params)
    }

    /// A client certificate: the API server authenticates it as user
    /// `user` (CN) in `group` (O), if any.
    pub fn client(&self, user: &str, group: Option<&str>) -> Pair {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        params.distinguished_name.push(DnType::CommonName, user);
        if let Some(group) = group {
            params
                .distinguished_name
                .push(DnType::OrganizationName, group);
        }
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        self.sign(params)
    }

    fn sign(&self, mut params: CertificateParams) -> Pair {
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("certificate");
        Pair {
            cert: cert.pem(),
            key: key.serialize_pem(),
        }
    }
}

/// The key pair the API server signs ServiceAccount tokens with (ECDSA
/// P-256): the private key and the public key it verifies them with, PEM.
/// (It reads no public key out of a PKCS#8 private key file.)
pub fn signing_key() -> Pair {
    let key = KeyPair::generate().expect("signing key");
    Pair {
        cert: key.public_key_pem(),
        key: key.serialize_pem(),
    }
}
