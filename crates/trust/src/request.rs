//! Signed requests: `Authorization: Clawtrail-HMAC-SHA256 key=..,ts=..,nonce=..,body=..,sig=..`.
//!
//! `sig` is the key's HMAC-SHA256 over the method, the path (with its
//! query), the `Host`, the timestamp (Unix milliseconds: the relay refuses
//! anything signed before it started, to the millisecond), the nonce and `body`,
//! the hex SHA-256 of the body (of nothing, for a GET). The relay checks
//! the signature before it reads the body, then checks the body against
//! `body`. Nothing in the header is a secret.

use thiserror::Error;

use crate::{Key, MAX_SKEW_SECS, SCHEME, digest};

const DOMAIN: &str = "clawtrail request v1";

/// What of a request is signed besides its credentials.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    /// Upper case, e.g. `POST`.
    pub method: &'a str,
    /// Path and query, e.g. `/v1/recordings`.
    pub path: &'a str,
    /// The `Host` header, e.g. `127.0.0.1:18799`.
    pub host: &'a str,
}

/// The members of a signed request's `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub key_id: String,
    pub ts: i64,
    pub nonce: String,
    /// Hex SHA-256 of the body.
    pub body: String,
    pub sig: String,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum CredentialsError {
    #[error("the Authorization scheme is not {SCHEME}")]
    Scheme,
    #[error("the Authorization header is malformed: {0}")]
    Malformed(&'static str),
}

fn parts<'a>(c: &'a Credentials, line: &'a RequestLine<'a>, ts: &'a str) -> [&'a [u8]; 7] {
    [
        line.method.as_bytes(),
        line.path.as_bytes(),
        line.host.as_bytes(),
        ts.as_bytes(),
        c.nonce.as_bytes(),
        c.body.as_bytes(),
        c.key_id.as_bytes(),
    ]
}

impl Credentials {
    /// Signs a request with `key`.
    pub fn sign(key: &Key, line: &RequestLine, ts: i64, nonce: &str, body: &[u8]) -> Credentials {
        let mut c = Credentials {
            key_id: key.id.clone(),
            ts,
            nonce: nonce.to_owned(),
            body: digest(body),
            sig: String::new(),
        };
        let ts = ts.to_string();
        c.sig = crate::b64(&key.mac(DOMAIN, &parts(&c, line, &ts)));
        c
    }

    /// The `Authorization` header value.
    pub fn header(&self) -> String {
        format!(
            "{SCHEME} key={},ts={},nonce={},body={},sig={}",
            self.key_id, self.ts, self.nonce, self.body, self.sig
        )
    }

    /// Reads an `Authorization` header value. Strict: every member once,
    /// nothing else, each in its own alphabet.
    pub fn parse(header: &str) -> Result<Credentials, CredentialsError> {
        let rest = header
            .strip_prefix(SCHEME)
            .and_then(|r| r.strip_prefix(' '))
            .ok_or(CredentialsError::Scheme)?;
        let (mut key_id, mut ts, mut nonce, mut body, mut sig) = (None, None, None, None, None);
        for member in rest.split(',') {
            let (name, value) = member
                .split_once('=')
                .ok_or(CredentialsError::Malformed("a member without ="))?;
            let slot = match name {
                "key" => &mut key_id,
                "ts" => &mut ts,
                "nonce" => &mut nonce,
                "body" => &mut body,
                "sig" => &mut sig,
                _ => return Err(CredentialsError::Malformed("an unknown member")),
            };
            if slot.replace(value).is_some() {
                return Err(CredentialsError::Malformed("a member given twice"));
            }
        }
        let b64url = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        let key_id = key_id.filter(|k| (1..=64).contains(&k.len()) && b64url(k));
        let ts = ts.and_then(|t| t.parse::<i64>().ok());
        let nonce = nonce.filter(|n| (16..=64).contains(&n.len()) && b64url(n));
        let body = body
            .filter(|b| b.len() == 64 && b.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
        let sig = sig.filter(|s| s.len() == 43 && b64url(s));
        match (key_id, ts, nonce, body, sig) {
            (Some(key_id), Some(ts), Some(nonce), Some(body), Some(sig)) => Ok(Credentials {
                key_id: key_id.to_owned(),
                ts,
                nonce: nonce.to_owned(),
                body: body.to_owned(),
                sig: sig.to_owned(),
            }),
            _ => Err(CredentialsError::Malformed(
                "a member is missing or invalid",
            )),
        }
    }

    /// Whether `key` signed exactly this request line with these members
    /// (constant-time comparison of the MAC).
    pub fn verify(&self, key: &Key, line: &RequestLine) -> bool {
        let ts = self.ts.to_string();
        key.id == self.key_id && key.verify(DOMAIN, &parts(self, line, &ts), &self.sig)
    }

    /// Whether the timestamp is within [`MAX_SKEW_SECS`] of `now_ms`.
    pub fn is_fresh(&self, now_ms: i64) -> bool {
        self.ts.abs_diff(now_ms) <= MAX_SKEW_SECS as u64 * 1000
    }

    /// Whether `body` is the body that was signed.
    pub fn covers(&self, body: &[u8]) -> bool {
        digest(body) == self.body
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LINE: RequestLine = RequestLine {
        method: "POST",
        path: "/v1/recordings",
        host: "127.0.0.1:18799",
    };

    fn key() -> Key {
        Key::new("k-1".into(), [9; 32])
    }

    #[test]
    fn a_signed_request_verifies_and_round_trips_through_its_header() {
        let c = Credentials::sign(
            &key(),
            &LINE,
            1_700_000_000,
            "AAAAAAAAAAAAAAAAAAAAAA",
            b"{}",
        );
        let parsed = Credentials::parse(&c.header()).unwrap();
        assert_eq!(parsed, c);
        assert!(parsed.verify(&key(), &LINE));
        assert!(parsed.covers(b"{}"));
        assert!(!parsed.covers(b"{ }"));
        assert!(parsed.is_fresh(1_700_000_000 + MAX_SKEW_SECS * 1000));
        assert!(!parsed.is_fresh(1_700_000_000 + MAX_SKEW_SECS * 1000 + 1));
        assert!(!parsed.is_fresh(1_700_000_000 - MAX_SKEW_SECS * 1000 - 1));
    }

    #[test]
    fn any_change_breaks_the_signature() {
        let c = Credentials::sign(&key(), &LINE, 1, "AAAAAAAAAAAAAAAAAAAAAA", b"x");
        let other = |m, p, h| RequestLine {
            method: m,
            path: p,
            host: h,
        };
        assert!(!c.verify(
            &key(),
            &other("DELETE", "/v1/recordings", "127.0.0.1:18799")
        ));
        assert!(!c.verify(
            &key(),
            &other("POST", "/v1/recordings?x", "127.0.0.1:18799")
        ));
        assert!(!c.verify(&key(), &other("POST", "/v1/recordings", "127.0.0.1:18787")));
        assert!(!c.verify(&Key::new("k-1".into(), [8; 32]), &LINE));
        assert!(!c.verify(&Key::new("k-2".into(), [9; 32]), &LINE));
        for tamper in [
            Credentials { ts: 2, ..c.clone() },
            Credentials {
                nonce: "BAAAAAAAAAAAAAAAAAAAAA".into(),
                ..c.clone()
            },
            Credentials {
                body: digest(b"y"),
                ..c.clone()
            },
        ] {
            assert!(!tamper.verify(&key(), &LINE), "{tamper:?}");
        }
    }

    #[test]
    fn malformed_headers_are_refused() {
        let good = Credentials::sign(&key(), &LINE, 1, "AAAAAAAAAAAAAAAAAAAAAA", b"").header();
        assert_eq!(
            Credentials::parse("Bearer abc"),
            Err(CredentialsError::Scheme)
        );
        for bad in [
            good.replace("key=k-1", "key=k 1"),
            good.replace("ts=1", "ts=one"),
            good.replacen(",sig=", ",nonce=AAAAAAAAAAAAAAAAAAAAAA,sig=", 1),
            format!("{good},extra=1"),
            good.replace(",body=", ",bod="),
            good.replace("nonce=AAAAAAAAAAAAAAAAAAAAAA", "nonce=short"),
        ] {
            assert!(Credentials::parse(&bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics(s in "\\PC{0,300}") {
            let _ = Credentials::parse(&s);
            let _ = Credentials::parse(&format!("{SCHEME} {s}"));
        }
    }
}
