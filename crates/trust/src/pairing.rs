//! Pairing: the code `clawtrail pair` printed becomes a shared [`Key`].
//!
//! SPAKE2 (symmetric, over Ed25519) with the normalised code as password:
//!
//! 1. The extension sends its SPAKE2 message; the relay answers with its
//!    own. Both now hold the same secret if, and only if, both used the
//!    same code. The messages reveal nothing to test a guess against.
//! 2. The extension sends its confirmation (an HMAC over both messages
//!    with a key derived from that secret). The relay checks it: a wrong
//!    code fails here, and counts against the pairing rate limit.
//! 3. The relay stores the derived pairing key and answers with its own
//!    confirmation, which the extension checks before it keeps the key.
//!    An impostor on the port that did not know the code cannot make it.
//!
//! Each attempt gives an attacker one guess of a 40-bit code.

use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use rand_core::{CryptoRng, RngCore};
use sha2::Sha256;
use spake2::{Ed25519Group, Identity, Password, Spake2};
use thiserror::Error;

use crate::{Key, b64, unb64};

const IDENTITY: &[u8] = b"clawtrail pairing v1";

/// Which side of the pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Extension,
    Relay,
}

impl Role {
    fn label(self) -> &'static [u8] {
        match self {
            Role::Extension => b"extension",
            Role::Relay => b"relay",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PairError {
    #[error("the other side's pairing message is malformed")]
    Malformed,
}

/// Upper-cases and strips separators; maps the look-alikes Crockford
/// base32 allows (O->0, I/L->1). Both sides normalise before SPAKE2, so
/// "abcd-efgh" typed in the popup pairs with "ABCDEFGH".
pub fn normalize_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

/// A CSPRNG over 64 bytes of randomness handed in (the service worker's
/// `crypto.getRandomValues`, the relay's OS RNG): HKDF-expand of them.
struct Seeded {
    hk: Hkdf<Sha256>,
    counter: u64,
}

impl RngCore for Seeded {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }

    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(255 * 32) {
            self.hk
                .expand(&self.counter.to_be_bytes(), chunk)
                .expect("a chunk is within HKDF's output limit");
            self.counter += 1;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for Seeded {}

/// One side's first pairing step.
pub struct Start {
    role: Role,
    state: Spake2<Ed25519Group>,
    msg: Vec<u8>,
}

impl Start {
    /// Starts pairing with `code` (normalised here), using 64 random bytes.
    pub fn new(role: Role, code: &str, random: [u8; 64]) -> Start {
        let rng = Seeded {
            hk: Hkdf::<Sha256>::new(Some(b"clawtrail pairing rng"), &random),
            counter: 0,
        };
        let password = Password::new(normalize_code(code).as_bytes());
        let (state, msg) = Spake2::<Ed25519Group>::start_symmetric_with_rng(
            &password,
            &Identity::new(IDENTITY),
            rng,
        );
        Start { role, state, msg }
    }

    /// This side's message, base64url.
    pub fn message(&self) -> String {
        b64(&self.msg)
    }

    /// Takes the other side's message.
    pub fn finish(self, peer: &str) -> Result<Session, PairError> {
        let peer = unb64(peer).ok_or(PairError::Malformed)?;
        let shared = self.state.finish(&peer).map_err(|_| PairError::Malformed)?;
        let (ext, relay) = match self.role {
            Role::Extension => (&self.msg, &peer),
            Role::Relay => (&peer, &self.msg),
        };
        let mut transcript = Vec::new();
        for m in [ext, relay] {
            transcript.extend_from_slice(&(m.len() as u64).to_be_bytes());
            transcript.extend_from_slice(m);
        }
        Ok(Session {
            hk: Hkdf::<Sha256>::new(Some(&transcript), &shared),
            transcript,
        })
    }
}

/// Both messages exchanged: confirmations and the pairing key.
pub struct Session {
    hk: Hkdf<Sha256>,
    transcript: Vec<u8>,
}

impl Session {
    fn derive(&self, info: &[&[u8]]) -> [u8; 32] {
        let mut out = [0u8; 32];
        self.hk
            .expand_multi_info(info, &mut out)
            .expect("32 bytes are within HKDF's output limit");
        out
    }

    fn confirm_mac(&self, by: Role) -> Hmac<Sha256> {
        let key = self.derive(&[b"clawtrail confirm ", by.label()]);
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("HMAC takes keys of any length");
        mac.update(&self.transcript);
        mac
    }

    /// The confirmation `by` sends: proof it derived the same secret.
    pub fn confirmation(&self, by: Role) -> String {
        b64(&self.confirm_mac(by).finalize().into_bytes())
    }

    /// Whether `confirmation` is the one `by` must send (constant time).
    pub fn check(&self, by: Role, confirmation: &str) -> bool {
        unb64(confirmation).is_some_and(|c| self.confirm_mac(by).verify_slice(&c).is_ok())
    }

    /// The pairing key both sides keep, under the relay's id for it.
    pub fn key(&self, id: String) -> Key {
        Key::new(id, self.derive(&[b"clawtrail pairing key"]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(ext_code: &str, relay_code: &str) -> (Session, Session) {
        let ext = Start::new(Role::Extension, ext_code, [1; 64]);
        let relay = Start::new(Role::Relay, relay_code, [2; 64]);
        let (em, rm) = (ext.message(), relay.message());
        (ext.finish(&rm).unwrap(), relay.finish(&em).unwrap())
    }

    #[test]
    fn the_same_code_gives_both_sides_the_same_key_and_confirmations() {
        let (e, r) = run("abcd-efgh", "ABCDEFGH");
        assert!(r.check(Role::Extension, &e.confirmation(Role::Extension)));
        assert!(e.check(Role::Relay, &r.confirmation(Role::Relay)));
        assert_eq!(e.key("id".into()), r.key("id".into()));
        // A confirmation is not valid for the other role.
        assert!(!r.check(Role::Relay, &e.confirmation(Role::Extension)));
    }

    #[test]
    fn a_wrong_code_fails_the_confirmation_and_gives_other_keys() {
        let (e, r) = run("ABCDEFGH", "ABCDEFGJ");
        assert!(!r.check(Role::Extension, &e.confirmation(Role::Extension)));
        assert!(!e.check(Role::Relay, &r.confirmation(Role::Relay)));
        assert_ne!(e.key("id".into()), r.key("id".into()));
    }

    #[test]
    fn fresh_randomness_gives_fresh_messages_and_keys() {
        let a = Start::new(Role::Extension, "ABCDEFGH", [1; 64]);
        let b = Start::new(Role::Extension, "ABCDEFGH", [3; 64]);
        assert_ne!(a.message(), b.message());
        assert!(
            Start::new(Role::Relay, "ABCDEFGH", [2; 64])
                .finish("%%")
                .is_err()
        );
        assert!(
            Start::new(Role::Relay, "ABCDEFGH", [2; 64])
                .finish("AAAA")
                .is_err()
        );
    }

    #[test]
    fn codes_normalise_like_crockford_base32() {
        assert_eq!(normalize_code(" abcd-efgh "), "ABCDEFGH");
        assert_eq!(normalize_code("o1l-I"), "0111");
    }
}
