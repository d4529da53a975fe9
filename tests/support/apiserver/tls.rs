//! TLS for the API server double: a throwaway CA per double and a server
//! certificate for `127.0.0.1` (an IP SAN, as a Service IP would be) that
//! it signs, served with rustls. Only the in-cluster tests need it:
//! kube-rs's in-cluster config always speaks `https://` and trusts exactly
//! the `ca.crt` of the service account.

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

/// A test certificate authority: its certificate (PEM, what a pod's
/// `ca.crt` holds) and the key that signs server certificates.
pub struct TestCa {
    /// The CA certificate, PEM.
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    /// A fresh CA; `name` is its common name (two CAs with different names
    /// are told apart in a failure message).
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A rustls server configuration with a certificate for 127.0.0.1
    /// signed by this CA (leaf only: the client holds the CA).
    pub(super) fn server_config(&self) -> Arc<ServerConfig> {
        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "kube-apiserver double");
        let cert = params
            .signed_by(&key, &self.issuer)
            .expect("server certificate");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        // The provider is named: the tree enables only rustls's `ring`, and
        // naming it keeps a second provider elsewhere from making this ambiguous.
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .expect("protocol versions")
                .with_no_client_auth()
                .with_single_cert(vec![cert.der().clone()], key)
                .expect("server certificate and key");
        Arc::new(config)
    }
}
