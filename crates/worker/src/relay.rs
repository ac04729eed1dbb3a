//! Talking to the relay without trusting the port: pairing, signing every
//! request, and believing only answers the paired relay signed.
//!
//! The JavaScript only moves bytes: it asks this module for the
//! `Authorization` header of a request, sends it, and hands the answer
//! back for [`answer_verifies`] or [`acknowledges`]. Anything else on the
//! port (another user's process, OpenClaw's relay, an impostor answering
//! 2xx to everything) gets no secret, and its answers change nothing.

use clawtrail_trust::pairing::{Role, Session, Start};
use clawtrail_trust::{Credentials, Key, RequestLine, digest, nonce, response};
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum RelayError {
    #[error("the relay's pairing answer is malformed")]
    Malformed,
    #[error("the relay did not prove it knows the code: it is not your clawtrail relay")]
    NotProven,
    #[error("pairing was not started")]
    NotStarted,
    #[error("the stored relay key is unreadable")]
    BadKey,
}

/// The extension's side of pairing (see `clawtrail_trust::pairing`).
pub struct Pairing {
    start: Option<Start>,
    session: Option<Session>,
}

impl Pairing {
    /// Starts with the code the user typed; returns the first message.
    pub fn start(code: &str, random: [u8; 64]) -> (Pairing, String) {
        let start = Start::new(Role::Extension, code, random);
        let msg = start.message();
        (
            Pairing {
                start: Some(start),
                session: None,
            },
            msg,
        )
    }

    /// Takes the relay's message; returns our confirmation.
    pub fn confirm(&mut self, relay_msg: &str) -> Result<String, RelayError> {
        let start = self.start.take().ok_or(RelayError::NotStarted)?;
        let session = start.finish(relay_msg).map_err(|_| RelayError::Malformed)?;
        let c = session.confirmation(Role::Extension);
        self.session = Some(session);
        Ok(c)
    }

    /// Takes the relay's key id and confirmation; the key, only if the
    /// relay proved it derived it from the same code.
    pub fn accept(&self, key_id: &str, relay_confirm: &str) -> Result<Key, RelayError> {
        let session = self.session.as_ref().ok_or(RelayError::NotStarted)?;
        if !session.check(Role::Relay, relay_confirm) {
            return Err(RelayError::NotProven);
        }
        let valid_id = (1..=64).contains(&key_id.len())
            && key_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid_id {
            return Err(RelayError::Malformed);
        }
        Ok(session.key(key_id.to_owned()))
    }
}

/// A signed request: its `Authorization` header and the nonce its answer
/// must be signed for.
#[derive(Debug, Serialize)]
pub struct Signed {
    pub authorization: String,
    pub nonce: String,
}

pub fn key_from_json(json: &str) -> Result<Key, RelayError> {
    serde_json::from_str(json).map_err(|_| RelayError::BadKey)
}

/// Signs a request to `host` (`127.0.0.1:<port>`) at `now_ms` (Unix
/// milliseconds), with a nonce from `random`.
pub fn sign(
    key: &Key,
    method: &str,
    path: &str,
    host: &str,
    now_ms: i64,
    random: &[u8],
    body: &[u8],
) -> Signed {
    let nonce = nonce(random);
    let line = RequestLine { method, path, host };
    Signed {
        authorization: Credentials::sign(key, &line, now_ms, &nonce, body).header(),
        nonce,
    }
}

/// Whether an answer is the paired relay's answer to the request that
/// carried `nonce`.
pub fn answer_verifies(
    key: &Key,
    nonce: &str,
    status: u16,
    body: &[u8],
    sig: Option<&str>,
) -> bool {
    sig.is_some_and(|sig| response::verify(key, nonce, status, body, sig))
}

#[derive(Deserialize)]
struct Ack {
    recording: AckRecording,
    received_sha256: String,
}

#[derive(Deserialize)]
struct AckRecording {
    id: String,
}

/// Whether an upload's answer lets the extension delete its copy: a 2xx
/// the paired relay signed for this request, naming this recording and
/// the digest of exactly the bytes that were sent.
pub fn acknowledges(
    key: &Key,
    nonce: &str,
    status: u16,
    body: &[u8],
    sig: Option<&str>,
    recording_id: &str,
    sent: &[u8],
) -> bool {
    if !(200..300).contains(&status) || !answer_verifies(key, nonce, status, body, sig) {
        return false;
    }
    serde_json::from_slice::<Ack>(body)
        .is_ok_and(|a| a.recording.id == recording_id && a.received_sha256 == digest(sent))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The relay's side, as `crates/relay-server/src/api.rs` does it.
    fn relay_pairs(code: &str, ext_msg: &str) -> (Session, String) {
        let start = Start::new(Role::Relay, code, [2; 64]);
        let msg = start.message();
        (start.finish(ext_msg).unwrap(), msg)
    }

    #[test]
    fn pairing_gives_the_relays_key_only_when_the_relay_proves_the_code() {
        let (mut p, msg) = Pairing::start("abcd-efgh", [1; 64]);
        let (relay, relay_msg) = relay_pairs("ABCDEFGH", &msg);
        let ours = p.confirm(&relay_msg).unwrap();
        assert!(relay.check(Role::Extension, &ours));
        let key = p.accept("k1", &relay.confirmation(Role::Relay)).unwrap();
        assert_eq!(key, relay.key("k1".into()));
        // An impostor that does not know the code cannot produce the
        // confirmation, whatever it answers.
        let (mut p, msg) = Pairing::start("ABCDEFGH", [1; 64]);
        let (impostor, impostor_msg) = relay_pairs("00000000", &msg);
        p.confirm(&impostor_msg).unwrap();
        assert_eq!(
            p.accept("k1", &impostor.confirmation(Role::Relay)),
            Err(RelayError::NotProven)
        );
        assert_eq!(p.accept("k1", "AAAA"), Err(RelayError::NotProven));
        assert_eq!(
            Pairing::start("x", [0; 64]).0.accept("k", "c"),
            Err(RelayError::NotStarted)
        );
    }

    #[test]
    fn only_a_signed_ack_naming_the_recording_and_its_bytes_deletes() {
        let key = Key::new("k".into(), [4; 32]);
        let sent = br#"{"id":"r1"}"#;
        let s = sign(
            &key,
            "POST",
            "/v1/recordings",
            "127.0.0.1:18799",
            1,
            &[7; 16],
            sent,
        );
        let ack = format!(
            r#"{{"status":"created","recording":{{"id":"r1"}},"received_sha256":"{}"}}"#,
            digest(sent)
        );
        let sig = response::sign(&key, &s.nonce, 201, ack.as_bytes());
        let ok = |status, body: &str, sig: Option<&str>, id| {
            acknowledges(&key, &s.nonce, status, body.as_bytes(), sig, id, sent)
        };
        assert!(ok(201, &ack, Some(&sig), "r1"));
        // What an impostor answering 2xx to everything can send.
        assert!(!ok(201, &ack, None, "r1"), "unsigned");
        assert!(
            !ok(201, r#"{"status":"created"}"#, Some(&sig), "r1"),
            "another body"
        );
        assert!(!ok(200, &ack, Some(&sig), "r1"), "another status");
        assert!(!ok(201, &ack, Some(&sig), "r2"), "another recording");
        let other_key = Key::new("k".into(), [5; 32]);
        let forged = response::sign(&other_key, &s.nonce, 201, ack.as_bytes());
        assert!(
            !ok(201, &ack, Some(&forged), "r1"),
            "signed with another key"
        );
        // A real relay's ack for other bytes (a truncated upload).
        let short = ack.replace(&digest(sent), &digest(b"{"));
        let sig_short = response::sign(&key, &s.nonce, 201, short.as_bytes());
        assert!(!ok(201, &short, Some(&sig_short), "r1"));
        // A signed refusal is believed as a refusal, never as an ack.
        let refusal = r#"{"error":{"code":"conflict"}}"#;
        let sig_refusal = response::sign(&key, &s.nonce, 409, refusal.as_bytes());
        assert!(answer_verifies(
            &key,
            &s.nonce,
            409,
            refusal.as_bytes(),
            Some(&sig_refusal)
        ));
        assert!(!ok(409, refusal, Some(&sig_refusal), "r1"));
    }

    #[test]
    fn a_signed_request_carries_no_secret() {
        let key = Key::new("k".into(), [9; 32]);
        let s = sign(
            &key,
            "GET",
            "/v1/session",
            "127.0.0.1:18799",
            1,
            &[1; 16],
            b"",
        );
        let secret = serde_json::to_value(&key).unwrap()["secret"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(!s.authorization.contains(&secret));
        assert!(s.authorization.starts_with(clawtrail_trust::SCHEME));
    }
}
