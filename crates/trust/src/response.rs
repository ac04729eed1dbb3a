//! Signed answers: the relay's `X-Clawtrail-Signature` header.
//!
//! The signature is the key's HMAC-SHA256 over the nonce of the request it
//! answers, the status code and the hex SHA-256 of the answer's body. An
//! answer is bound to one request: an impostor cannot replay a real
//! relay's "201 Created" for another upload, and without the key it cannot
//! make one.

use crate::{Key, digest};

const DOMAIN: &str = "clawtrail response v1";

/// The signature for an answer to the request that carried `nonce`.
pub fn sign(key: &Key, nonce: &str, status: u16, body: &[u8]) -> String {
    let status = status.to_string();
    let body = digest(body);
    crate::b64(&key.mac(
        DOMAIN,
        &[nonce.as_bytes(), status.as_bytes(), body.as_bytes()],
    ))
}

/// Whether `sig` is `key`'s signature of this answer (constant time).
pub fn verify(key: &Key, nonce: &str, status: u16, body: &[u8], sig: &str) -> bool {
    let status = status.to_string();
    let body = digest(body);
    key.verify(
        DOMAIN,
        &[nonce.as_bytes(), status.as_bytes(), body.as_bytes()],
        sig,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_verifies_only_for_its_request_status_and_body() {
        let k = Key::new("k".into(), [3; 32]);
        let sig = sign(&k, "n1", 201, b"{\"status\":\"created\"}");
        assert!(verify(&k, "n1", 201, b"{\"status\":\"created\"}", &sig));
        assert!(!verify(&k, "n2", 201, b"{\"status\":\"created\"}", &sig));
        assert!(!verify(&k, "n1", 200, b"{\"status\":\"created\"}", &sig));
        assert!(!verify(&k, "n1", 201, b"{\"status\":\"unchanged\"}", &sig));
        assert!(!verify(
            &Key::new("k".into(), [4; 32]),
            "n1",
            201,
            b"{\"status\":\"created\"}",
            &sig
        ));
        assert!(!verify(&k, "n1", 201, b"{\"status\":\"created\"}", ""));
    }
}
