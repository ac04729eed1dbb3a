//! Verifying a sideload package before installing it.
//!
//! `scripts/package` writes `clawtrail-extension-<version>.zip`, a
//! `.zip.sha256` file and a detached minisign signature `.zip.minisig`. The
//! signature is what matters: the SHA-256 file only helps people who compare
//! checksums by eye, and it is checked too so that a stale one is noticed.
//! The release public key ships in the repository (`keys/`) and is compiled
//! in as the default; the secret key never is.

use std::fmt::Write as _;

use minisign_verify::{PublicKey, Signature};
use sha2::{Digest, Sha256};

/// The project's release public key (`keys/clawtrail-release.pub`).
pub const RELEASE_PUBLIC_KEY: &str = include_str!("../../../keys/clawtrail-release.pub");

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the public key is unreadable: {0}")]
    BadPublicKey(minisign_verify::Error),
    #[error("the signature file is unreadable: {0}")]
    BadSignature(minisign_verify::Error),
    #[error(
        "the signature does not match: the package was modified, or it was signed by another key ({0})"
    )]
    Mismatch(minisign_verify::Error),
    #[error("the .sha256 file is malformed")]
    BadChecksumFile,
    #[error("the SHA-256 is {actual}, the .sha256 file says {expected}")]
    ChecksumMismatch { expected: String, actual: String },
}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The signed (trusted) comment, e.g. `clawtrail-extension 0.1.0`.
    pub trusted_comment: String,
    /// Lower-case hex SHA-256 of the package.
    pub sha256: String,
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Checks `package` against a minisign signature and public key (the
/// contents of the `.minisig` and `.pub` files). Legacy (non-prehashed)
/// signatures are accepted only because `minisign -S` may still write them
/// for small files; both forms are Ed25519.
pub fn verify(package: &[u8], signature: &str, public_key: &str) -> Result<Verified, VerifyError> {
    let pk = PublicKey::decode(public_key.trim()).map_err(VerifyError::BadPublicKey)?;
    let sig = Signature::decode(signature.trim()).map_err(VerifyError::BadSignature)?;
    pk.verify(package, &sig, true)
        .map_err(VerifyError::Mismatch)?;
    Ok(Verified {
        trusted_comment: sig.trusted_comment().to_owned(),
        sha256: sha256_hex(package),
    })
}

/// Checks a `sha256sum`-style line (`<hex>  <file name>`) against `package`.
pub fn check_sha256_file(package: &[u8], sha256_file: &str) -> Result<(), VerifyError> {
    let expected = sha256_file
        .split_whitespace()
        .next()
        .filter(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit()))
        .ok_or(VerifyError::BadChecksumFile)?
        .to_ascii_lowercase();
    let actual = sha256_hex(package);
    if expected != actual {
        return Err(VerifyError::ChecksumMismatch { expected, actual });
    }
    Ok(())
}
