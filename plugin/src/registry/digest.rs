//! Content digests (`sha256:<64 hex>`) and the check that a byte stream is
//! exactly the content a descriptor names: its size and its sha256, verified
//! while the bytes pass through, so a layer is never held whole in memory.
//! Pure: the streaming adapter in `upload` feeds it chunk by chunk.

use sha2::{Digest as _, Sha256};
use std::fmt;

/// A content digest. Only sha256, the algorithm every registry uses and the
/// only one ECR accepts, is copied; others are refused when parsed.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(String);

impl Digest {
    /// Parses `sha256:<64 lowercase hex>`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let Some(hex) = s.strip_prefix("sha256:") else {
            return Err(match s.split_once(':') {
                Some((alg, _)) => {
                    format!("digest algorithm `{alg}` is not supported (only sha256)")
                }
                None => format!("`{s}` is not a digest"),
            });
        };
        if hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!("`{s}` is not a sha256 digest"))
        }
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Self {
        Self(format!("sha256:{:x}", Sha256::digest(bytes)))
    }

    /// `sha256:...` as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 hex digits, as `docker` shows layers.
    pub fn short(&self) -> &str {
        let hex = &self.0["sha256:".len()..];
        &hex[..12]
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({})", self.0)
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
        let actual = Digest(format!("sha256:{:x}", self.hasher.clone().finalize()));
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
        let d = Digest::of(b"hello");
        assert_eq!(
            d.as_str(),
            "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        );
        assert_eq!(Digest::parse(d.as_str()), Ok(d.clone()));
        assert_eq!(d.short(), "2cf24dba5fb0");
        assert!(Digest::parse("sha512:abcd").unwrap_err().contains("sha512"));
        assert!(Digest::parse("sha256:ABCD").is_err());
        assert!(Digest::parse("nonsense").is_err());
    }

    #[test]
    fn verifies_while_streaming() {
        let body = b"0123456789".repeat(10);
        let d = Digest::of(&body);
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
        let empty = Verifier::new(Digest::of(b""), 0);
        assert_eq!(empty.finish(), Ok(()));
    }
}
