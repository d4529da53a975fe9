//! Content digests — `oci-spec`'s [`Digest`], held to sha256 — and the
//! check that a byte stream is exactly the content a descriptor names: its
//! size and its sha256, verified while the bytes pass through, so a layer is
//! never held whole in memory. Pure: the streaming adapter in `upload` feeds
//! it chunk by chunk.

use sha2::{Digest as _, Sha256};

pub use oci_spec::image::Digest;
use oci_spec::image::DigestAlgorithm;

/// Parses `sha256:<64 lowercase hex>`. Only sha256, the algorithm every
/// registry uses and the only one ECR accepts, is copied; other algorithms
/// `oci-spec` reads are refused here.
pub fn parse(s: &str) -> Result<Digest, String> {
    match Digest::try_from(s) {
        Ok(d) if *d.algorithm() == DigestAlgorithm::Sha256 => Ok(d),
        Ok(d) => Err(format!(
            "digest algorithm `{}` is not supported (only sha256)",
            d.algorithm()
        )),
        Err(_) => Err(match s.split_once(':') {
            Some(("sha256", _)) => format!("`{s}` is not a sha256 digest"),
            Some((alg, _)) => format!("digest algorithm `{alg}` is not supported (only sha256)"),
            None => format!("`{s}` is not a digest"),
        }),
    }
}

/// The digest of `bytes`.
pub fn of(bytes: &[u8]) -> Digest {
    from_hasher(Sha256::new_with_prefix(bytes))
}

fn from_hasher(hasher: Sha256) -> Digest {
    let text = format!("sha256:{:x}", hasher.finalize());
    // Invariant: a sha256 output in lowercase hex is 64 hex digits, which
    // is exactly what `oci-spec` requires of a sha256 digest.
    #[allow(clippy::expect_used)]
    Digest::try_from(text).expect("sha256 hex is a valid digest")
}

/// What `docker` shows of a digest.
pub trait Short {
    /// The first 12 hex digits.
    fn short(&self) -> &str;
}

impl Short for Digest {
    fn short(&self) -> &str {
        let hex = self.digest();
        hex.get(..12).unwrap_or(hex)
    }
}

/// Why a stream is not the content it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// More bytes than the descriptor's size.
    #[error("{digest}: the source sent more than the {expected} bytes the manifest names")]
    TooLong {
        /// Expected digest.
        digest: Digest,
        /// Expected size.
        expected: u64,
    },
    /// The stream ended early.
    #[error("{digest}: the source sent {actual} of {expected} bytes")]
    TooShort {
        /// Expected digest.
        digest: Digest,
        /// Expected size.
        expected: u64,
        /// Bytes seen.
        actual: u64,
    },
    /// All bytes arrived, with another sha256.
    #[error(
        "{digest}: digest mismatch: the source served content with digest {actual} (corrupted in storage or in transit)"
    )]
    Digest {
        /// Expected digest.
        digest: Digest,
        /// What the bytes hash to.
        actual: Digest,
    },
}

/// Checks a stream against a descriptor, chunk by chunk.
pub struct Verifier {
    expected: Digest,
    size: u64,
    seen: u64,
    hasher: Sha256,
}

impl Verifier {
    /// A verifier for content of `size` bytes with digest `expected`.
    pub fn new(expected: Digest, size: u64) -> Self {
        Self {
            expected,
            size,
            seen: 0,
            hasher: Sha256::new(),
        }
    }

    /// Takes the next chunk. When it completes the content, the digest is
    /// checked here, so the caller can hold back the last chunk of a bad
    /// stream and the receiver never gets a complete wrong body.
    pub fn update(&mut self, chunk: &[u8]) -> Result<(), Mismatch> {
        let len = chunk.len() as u64;
        if self.seen + len > self.size {
            return Err(Mismatch::TooLong {
                digest: self.expected.clone(),
                expected: self.size,
            });
        }
        self.hasher.update(chunk);
        self.seen += len;
        if self.seen == self.size {
            self.check_digest()?;
        }
        Ok(())
    }

    /// Bytes taken so far.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// Whether every byte has been taken (and the digest checked).
    pub fn is_complete(&self) -> bool {
        self.seen == self.size
    }

    /// The check at the end of the stream: all bytes must have arrived.
    pub fn finish(&self) -> Result<(), Mismatch> {
        if self.seen < self.size {
            return Err(Mismatch::TooShort {
                digest: self.expected.clone(),
                expected: self.size,
                actual: self.seen,
            });
        }
        // An empty blob never passed through `update`'s completion check.
        if self.size == 0 {
            self.check_digest()?;
        }
        Ok(())
    }

    fn check_digest(&self) -> Result<(), Mismatch> {
        let actual = from_hasher(self.hasher.clone());
        if actual == self.expected {
            Ok(())
        } else {
            Err(Mismatch::Digest {
                digest: self.expected.clone(),
                actual,
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_sha256() {
        let d = of(b"hello");
        assert_eq!(
            d.as_ref(),
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(parse(d.as_ref()), Ok(d.clone()));
        assert_eq!(d.short(), "2cf24dba5fb0");
        assert!(parse("sha512:abcd").unwrap_err().contains("sha512"));
        let sha512 = format!("sha512:{}", "ab".repeat(64));
        assert!(
            parse(&sha512).unwrap_err().contains("sha512"),
            "a valid sha512 is still refused"
        );
        assert!(parse("sha256:ABCD").is_err());
        assert!(parse(&format!("sha256:{}", "A".repeat(64))).is_err());
        assert!(parse("nonsense").is_err());
    }

    #[test]
    fn verifies_while_streaming() {
        let body = b"0123456789".repeat(10);
        let d = of(&body);
        let mut v = Verifier::new(d.clone(), body.len() as u64);
        for chunk in body.chunks(7) {
            v.update(chunk).expect("good chunk");
        }
        assert!(v.is_complete());
        assert_eq!(v.finish(), Ok(()));

        // One flipped byte: the last chunk is refused.
        let mut bad = body.clone();
        bad[50] ^= 1;
        let mut v = Verifier::new(d.clone(), body.len() as u64);
        let results: Vec<_> = bad.chunks(30).map(|c| v.update(c)).collect();
        assert!(results[..3].iter().all(Result::is_ok));
        assert!(matches!(results[3], Err(Mismatch::Digest { .. })));

        let mut v = Verifier::new(d.clone(), 5);
        assert!(matches!(v.update(&body), Err(Mismatch::TooLong { .. })));
        let mut v = Verifier::new(d, 100);
        v.update(&body[..10]).expect("partial");
        assert!(matches!(
            v.finish(),
            Err(Mismatch::TooShort { actual: 10, .. })
        ));
        let empty = Verifier::new(of(b""), 0);
        assert_eq!(empty.finish(), Ok(()));
    }
}
