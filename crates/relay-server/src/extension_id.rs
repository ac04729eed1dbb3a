//! The Chromium extension id that may talk to the relay.
//!
//! Chromium derives an unpacked extension's id from the manifest `key`:
//! SHA-256 of the DER public key, first 16 bytes, each hex digit 0-f mapped
//! to a-p. Computing it from `extension/manifest.json` (embedded at build
//! time) keeps the id from ever being a second, hand-typed constant.

use base64::Engine;
use sha2::{Digest, Sha256};

const MANIFEST: &str = include_str!("../../../extension/manifest.json");

/// The id pinned by the `key` in extension/manifest.json.
pub fn pinned() -> String {
    let manifest: serde_json::Value =
        serde_json::from_str(MANIFEST).expect("extension/manifest.json is valid JSON");
    let key = manifest["key"]
        .as_str()
        .expect("extension/manifest.json has a `key`");
    from_public_key(key).expect("the manifest key is base64")
}

/// The id for a base64 DER public key, as Chromium computes it.
pub fn from_public_key(key_b64: &str) -> Result<String, base64::DecodeError> {
    let der = base64::engine::general_purpose::STANDARD.decode(key_b64.trim())?;
    let digest = Sha256::digest(&der);
    Ok(digest[..16]
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0f])
        .map(|nibble| char::from(b'a' + nibble))
        .collect())
}

/// Whether `id` has the shape of an extension id (32 letters a-p).
pub fn is_well_formed(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pinned_id_matches_the_manifest_key() {
        assert_eq!(pinned(), "niodlkgapdgglnicnoobiapimlhakbad");
        assert!(is_well_formed(&pinned()));
    }

    #[test]
    fn malformed_ids_are_refused() {
        assert!(!is_well_formed("niodlkgapdgglnicnoobiapimlhakba")); // 31
        assert!(!is_well_formed("niodlkgapdgglnicnoobiapimlhakbaz")); // z
        assert!(!is_well_formed("NIODLKGAPDGGLNICNOOBIAPIMLHAKBAD"));
    }
}
