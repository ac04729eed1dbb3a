//! Every HTTP request the worker makes, whole: the JS hands it to `fetch`
//! as it is and only reads the answer back. The relay listens on loopback
//! only, so the host is always `127.0.0.1:<port>`.

use std::collections::BTreeMap;

use clawtrail_trust::Key;
use serde::Serialize;

use crate::relay;

/// One `fetch(url, {method, headers, body, signal: AbortSignal.timeout(timeout_ms)})`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HttpRequest {
    pub url: String,
    pub method: String,
    pub headers: BTreeMap<String, String>,
    /// `None` sends no body at all (GET).
    pub body: Option<String>,
    pub timeout_ms: u32,
    /// A signed request's nonce: the answer must be signed for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

const CONTENT_TYPE: &str = "Content-Type";
const JSON: &str = "application/json";

fn host(port: u16) -> String {
    format!("127.0.0.1:{port}")
}

/// A request signed with the pairing key at `now_ms` (Unix ms), its nonce
/// made from `random`. An empty body is no body.
#[allow(clippy::too_many_arguments)]
pub fn signed(
    key: &Key,
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    timeout_ms: u32,
    now_ms: i64,
    random: &[u8],
) -> HttpRequest {
    let host = host(port);
    let s = relay::sign(key, method, path, &host, now_ms, random, body.as_bytes());
    let mut headers = BTreeMap::from([("Authorization".to_owned(), s.authorization)]);
    if !body.is_empty() {
        headers.insert(CONTENT_TYPE.to_owned(), JSON.to_owned());
    }
    HttpRequest {
        url: format!("http://{host}{path}"),
        method: method.to_owned(),
        headers,
        body: (!body.is_empty()).then(|| body.to_owned()),
        timeout_ms,
        nonce: Some(s.nonce),
    }
}

/// The unsigned health check: enough to offer pairing, never enough to
/// send anything.
pub fn health(port: u16, timeout_ms: u32) -> HttpRequest {
    HttpRequest {
        url: format!("http://{}/v1/health", host(port)),
        method: "GET".to_owned(),
        headers: BTreeMap::new(),
        body: None,
        timeout_ms,
        nonce: None,
    }
}

/// An unsigned JSON POST (pairing, before there is a key).
pub fn post(port: u16, path: &str, body: &str, timeout_ms: u32) -> HttpRequest {
    HttpRequest {
        url: format!("http://{}{path}", host(port)),
        method: "POST".to_owned(),
        headers: BTreeMap::from([(CONTENT_TYPE.to_owned(), JSON.to_owned())]),
        body: Some(body.to_owned()),
        timeout_ms,
        nonce: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("k".into(), [4; 32])
    }

    #[test]
    fn a_signed_request_carries_its_signature_and_a_body_only_when_there_is_one() {
        let get = signed(
            &key(),
            18799,
            "GET",
            "/v1/session",
            "",
            1500,
            1_000,
            &[1; 16],
        );
        assert_eq!(get.url, "http://127.0.0.1:18799/v1/session");
        assert_eq!(get.method, "GET");
        assert_eq!(get.body, None);
        assert_eq!(get.timeout_ms, 1500);
        assert_eq!(
            get.headers.keys().collect::<Vec<_>>(),
            ["Authorization"],
            "no Content-Type without a body"
        );
        let expected = relay::sign(
            &key(),
            "GET",
            "/v1/session",
            "127.0.0.1:18799",
            1_000,
            &[1; 16],
            b"",
        );
        assert_eq!(get.headers["Authorization"], expected.authorization);
        assert_eq!(get.nonce, Some(expected.nonce));

        let up = signed(
            &key(),
            4000,
            "POST",
            "/v1/recordings",
            "{}",
            60_000,
            1,
            &[2; 16],
        );
        assert_eq!(up.url, "http://127.0.0.1:4000/v1/recordings");
        assert_eq!(up.body.as_deref(), Some("{}"));
        assert_eq!(up.headers["Content-Type"], "application/json");
        assert!(up.headers.contains_key("Authorization"));
    }

    #[test]
    fn unsigned_requests_go_to_loopback() {
        let h = health(4000, 1500);
        assert_eq!(h.url, "http://127.0.0.1:4000/v1/health");
        assert_eq!(
            (h.method.as_str(), h.body, h.headers.len()),
            ("GET", None, 0)
        );
        let p = post(18799, "/v1/pair", r#"{"msg":"m"}"#, 5000);
        assert_eq!(p.url, "http://127.0.0.1:18799/v1/pair");
        assert_eq!(p.method, "POST");
        assert_eq!(p.headers["Content-Type"], "application/json");
        assert_eq!(p.body.as_deref(), Some(r#"{"msg":"m"}"#));
        // What the JS hands to fetch: no nonce member on unsigned requests.
        let v = serde_json::to_value(&p).unwrap();
        assert!(v.get("nonce").is_none());
        assert_eq!(v["timeout_ms"], 5000);
    }
}
