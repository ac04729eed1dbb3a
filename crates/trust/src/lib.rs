//! How the extension and the relay prove to each other that they hold the
//! pairing key, without ever sending it.
//!
//! Anything on this machine can listen on a loopback port while the relay
//! is down, and OpenClaw's own browser relay listens on 18799 by default.
//! So the extension must not trust whatever answers there, and nothing it
//! sends may be a credential another process could reuse:
//!
//! - **Pairing** ([`pairing`]) turns the short code `clawtrail pair` prints
//!   into a 256-bit key with SPAKE2: each side proves it knows the code, and
//!   neither an eavesdropper nor an impostor on the port learns anything it
//!   could test guesses against offline (one online guess per attempt, which
//!   the relay rate-limits).
//! - **Requests** ([`request`]) carry an HMAC over the method, path, host, a
//!   timestamp, a nonce and the body's SHA-256. The relay refuses a bad
//!   signature, a timestamp outside [`MAX_SKEW_SECS`] or from before it
//!   started, and a nonce it has already seen, so a captured request is
//!   worth nothing later.
//! - **Answers** ([`response`]) carry an HMAC over the request's nonce, the
//!   status and the answer's SHA-256. The extension believes an answer
//!   (and deletes a delivered recording) only when it verifies.
//!
//! Both the relay and the extension's service worker (compiled to wasm)
//! use this crate, so there is one definition of every string that is
//! signed. Randomness is handed in: the service worker has no OS RNG.

pub mod pairing;
pub mod request;
pub mod response;

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use pairing::{PairError, Role, normalize_code};
pub use request::{Credentials, RequestLine};

/// The `Authorization` scheme of a signed request.
pub const SCHEME: &str = "Clawtrail-HMAC-SHA256";
/// The response header holding the relay's signature.
pub const SIGNATURE_HEADER: &str = "x-clawtrail-signature";
/// How far a request's timestamp may be from the relay's clock, in seconds.
/// The relay remembers nonces for twice as long, so a captured request can
/// never be replayed: too old, or already seen.
pub const MAX_SKEW_SECS: i64 = 300;
/// Random bytes in a nonce.
pub const NONCE_BYTES: usize = 16;

/// The loopback ports a relay serves on, in order: 18799 (the spec's),
/// then fallbacks for when something else holds it (OpenClaw's own
/// browser relay listens on 18799 by default). The fallbacks stay outside
/// OpenClaw's ranges: its gateway 18789 and the ports it derives from it
/// (18790–18792, control 18791, reserved 18792–18799, browser CDP
/// 18800–18899). The extension finds its relay among these by the signed
/// handshake, never by who answers first.
pub const PORTS: &[u16] = &[18799, 18787, 18786, 18785];

/// A shared pairing key: an id the relay looks it up by, and the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub id: String,
    #[serde(with = "secret_b64")]
    secret: [u8; 32],
}

impl Key {
    pub fn new(id: String, secret: [u8; 32]) -> Key {
        Key { id, secret }
    }

    /// The HMAC over `domain` and `parts`, each part prefixed with its
    /// length, so no two different part lists sign alike.
    fn hmac(&self, domain: &str, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.secret)
            .expect("HMAC takes keys of any length");
        mac.update(domain.as_bytes());
        for p in parts {
            mac.update(&(p.len() as u64).to_be_bytes());
            mac.update(p);
        }
        mac
    }

    fn mac(&self, domain: &str, parts: &[&[u8]]) -> Vec<u8> {
        self.hmac(domain, parts).finalize().into_bytes().to_vec()
    }

    /// Whether `sig` (base64url) is this key's MAC over `parts`, compared
    /// in constant time.
    fn verify(&self, domain: &str, parts: &[&[u8]], sig: &str) -> bool {
        unb64(sig).is_some_and(|sig| self.hmac(domain, parts).verify_slice(&sig).is_ok())
    }
}

/// The secret never appears in logs or panics.
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Key")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

mod secret_b64 {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(secret: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&URL_SAFE_NO_PAD.encode(secret))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = String::deserialize(d)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(s.as_bytes())
            .map_err(|_| D::Error::custom("the key secret is not base64url"))?;
        bytes
            .try_into()
            .map_err(|_| D::Error::custom("the key secret is not 32 bytes"))
    }
}

/// Lower-case hex SHA-256 of `bytes`: how a body is named in signatures
/// and in the relay's acknowledgement of an upload.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A nonce from `random` (at least [`NONCE_BYTES`] bytes), base64url.
pub fn nonce(random: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(&random[..NONCE_BYTES.min(random.len())])
}

pub(crate) fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn unb64(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_through_json_and_never_print_their_secret() {
        let k = Key::new("k1".into(), [7; 32]);
        let json = serde_json::to_string(&k).unwrap();
        assert_eq!(serde_json::from_str::<Key>(&json).unwrap(), k);
        assert!(!format!("{k:?}").contains("BwcH"), "{k:?}");
        assert!(serde_json::from_str::<Key>(r#"{"id":"k","secret":"AAAA"}"#).is_err());
    }

    #[test]
    fn part_lists_cannot_be_shifted_into_each_other() {
        let k = Key::new("k".into(), [1; 32]);
        assert_ne!(k.mac("d", &[b"ab", b"c"]), k.mac("d", &[b"a", b"bc"]));
        assert!(k.verify("d", &[b"x"], &b64(&k.mac("d", &[b"x"]))));
        assert!(!k.verify("e", &[b"x"], &b64(&k.mac("d", &[b"x"]))));
        assert!(!k.verify("d", &[b"x"], "not base64!"));
    }

    #[test]
    fn digests_are_hex_sha256() {
        assert_eq!(
            digest(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
