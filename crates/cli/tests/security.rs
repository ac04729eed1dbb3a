//! The guard matrix against a real relay process: Host x Origin x signature
//! x content type, asserting the exact status, that a refused request left
//! no file behind, and that no response ever carries CORS headers; and
//! captured requests replayed later.

mod common;

use common::*;
use uuid::Uuid;

fn no_cors(r: &Resp) {
    for (k, _) in &r.headers {
        assert!(
            !k.to_ascii_lowercase().starts_with("access-control-"),
            "CORS header {k} in {r:?}"
        );
    }
}

#[test]
fn upload_guard_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let p = relay.port;

    let good_hosts = [format!("127.0.0.1:{p}"), format!("localhost:{p}")];
    let hosts: Vec<(Option<String>, bool)> = vec![
        (Some(good_hosts[0].clone()), true),
        (Some(good_hosts[1].clone()), true),
        (Some("evil.example".into()), false),
        (Some(format!("evil.example:{p}")), false),
        (Some(format!("127.0.0.1:{}", p.wrapping_add(1))), false),
        (Some(format!("LOCALHOST:{p}")), false), // byte for byte
        (None, false),
    ];
    let origins: Vec<(Option<&str>, bool)> = vec![
        (None, true),
        (Some("https://evil.example"), false),
        (Some("null"), false),
        (Some(OTHER_EXTENSION), false),
        (Some(OUR_ORIGIN), true),
    ];
    // Each signature is made for the case's own body and Host, with a
    // fresh nonce: (how, whether it should pass).
    let stranger =
        serde_json::to_string(&clawtrail_trust::Key::new("nope".into(), [0; 32])).unwrap();
    let tokens: Vec<(&str, bool)> = vec![
        ("none", false),
        ("bearer", false),
        ("unknown key", false),
        ("signed for another body", false),
        ("right", true),
    ];
    let authorization = |how: &str, host: &str, body: &[u8]| -> Option<String> {
        match how {
            "none" => None,
            // The old scheme: a bearer credential is never accepted.
            "bearer" => Some(format!("Bearer {token}")),
            "unknown key" => Some(signed(&stranger, "POST", "/v1/recordings", host, body)),
            "signed for another body" => {
                Some(signed(&token, "POST", "/v1/recordings", host, b"{}"))
            }
            _ => Some(signed(&token, "POST", "/v1/recordings", host, body)),
        }
    };
    let cts: Vec<(Option<&str>, bool)> = vec![
        (Some("application/json"), true),
        (Some("application/json; charset=utf-8"), true),
        (Some("text/plain"), false),
        (Some("application/x-www-form-urlencoded"), false),
        (None, false),
    ];

    let mut cases = 0;
    let mut stored = 0;
    for (host, host_ok) in &hosts {
        for (origin, origin_ok) in &origins {
            for (auth, auth_ok) in &tokens {
                for (ct, ct_ok) in &cts {
                    let id = Uuid::new_v4();
                    let body = body_of(&recording(id, "matrix", 4));
                    let auth_value =
                        authorization(auth, host.as_deref().unwrap_or("127.0.0.1"), &body);
                    let mut h: Vec<(&str, &str)> = vec![];
                    if let Some(v) = host {
                        h.push(("Host", v));
                    }
                    if let Some(v) = origin {
                        h.push(("Origin", v));
                    }
                    if let Some(v) = &auth_value {
                        h.push(("Authorization", v));
                    }
                    if let Some(v) = ct {
                        h.push(("Content-Type", v));
                    }
                    let before = recording_files(&data);
                    let r = raw(p, "POST", "/v1/recordings", &h, Some(&body));
                    let (status, code) = if !host_ok {
                        (403, "forbidden_host")
                    } else if !origin_ok {
                        (403, "forbidden_origin")
                    } else if !auth_ok && *auth != "signed for another body" {
                        (401, "unauthorized")
                    } else if !ct_ok {
                        (415, "unsupported_media_type")
                    } else if !auth_ok {
                        // The body is read and checked once the caller is
                        // known and the content type is right.
                        (401, "body_mismatch")
                    } else {
                        (201, "")
                    };
                    let ctx = format!("host={host:?} origin={origin:?} auth={auth:?} ct={ct:?}");
                    assert_eq!(
                        r.status,
                        status,
                        "{ctx}: {}",
                        String::from_utf8_lossy(&r.body)
                    );
                    no_cors(&r);
                    let after = recording_files(&data);
                    if status == 201 {
                        stored += 1;
                        assert!(after.contains(&format!("{id}.json")), "{ctx}");
                        assert_eq!(after.len(), before.len() + 1, "{ctx}");
                    } else {
                        assert_eq!(r.error_code(), code, "{ctx}");
                        assert_eq!(before, after, "{ctx}: a refused request wrote a file");
                    }
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 7 * 5 * 5 * 5);
    // 2 hosts x 2 origins x 1 signature x 2 content types got through.
    assert_eq!(stored, 8);
}

/// What an eavesdropper (or an impostor that once held the port) could
/// capture is worth nothing later: the same request again, its nonce with
/// another body, an old or future timestamp, or its signature on another
/// path are all refused, and none of them writes anything.
#[test]
fn captured_requests_cannot_be_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let host = relay.host();
    let send = |auth: &str, method: &str, path: &str, body: Option<&[u8]>| {
        let mut h = vec![
            ("Host", host.as_str()),
            ("Origin", OUR_ORIGIN),
            ("Authorization", auth),
        ];
        if body.is_some() {
            h.push(("Content-Type", "application/json"));
        }
        raw(relay.port, method, path, &h, body)
    };
    let first = body_of(&recording(Uuid::new_v4(), "first", 4));
    let captured = signed(&token, "POST", "/v1/recordings", &host, &first);
    assert_eq!(
        send(&captured, "POST", "/v1/recordings", Some(&first)).status,
        201
    );
    let files = recording_files(&data);

    let other = body_of(&recording(Uuid::new_v4(), "forged", 4));
    let now = chrono::Utc::now().timestamp_millis();
    let skew = clawtrail_trust::MAX_SKEW_SECS * 1000;
    let cases: Vec<(&str, String, &[u8], &str)> = vec![
        (
            "the same request again",
            captured.clone(),
            &first,
            "replayed_request",
        ),
        (
            "its nonce with another body",
            captured.clone(),
            &other,
            "replayed_request",
        ),
        (
            "a signature for one body, sent with another",
            signed(&token, "POST", "/v1/recordings", &host, &first),
            &other,
            "body_mismatch",
        ),
        (
            "a timestamp from before the window",
            signed_at(
                &token,
                "POST",
                "/v1/recordings",
                &host,
                &other,
                now - skew - 5_000,
                &fresh_nonce(),
            ),
            &other,
            "stale_request",
        ),
        (
            "a timestamp from after the window",
            signed_at(
                &token,
                "POST",
                "/v1/recordings",
                &host,
                &other,
                now + skew + 5_000,
                &fresh_nonce(),
            ),
            &other,
            "stale_request",
        ),
        (
            "a signature made for another port",
            signed(&token, "POST", "/v1/recordings", "127.0.0.1:1", &other),
            &other,
            "unauthorized",
        ),
    ];
    for (what, auth, body, code) in cases {
        let r = send(&auth, "POST", "/v1/recordings", Some(body));
        assert_eq!((r.status, r.error_code().as_str()), (401, code), "{what}");
        assert_eq!(recording_files(&data), files, "{what} wrote something");
    }
    // A request signed before this relay started (captured while it was
    // down, say, by whatever held the port) is refused, though it is well
    // inside the skew window and its nonce is not in this process's memory.
    let early = signed_at(
        &token,
        "POST",
        "/v1/recordings",
        &host,
        &other,
        relay.started - 1,
        &fresh_nonce(),
    );
    let r = send(&early, "POST", "/v1/recordings", Some(&other));
    assert_eq!((r.status, r.error_code().as_str()), (401, "stale_request"));
    assert_eq!(recording_files(&data), files);
    // A captured read or delete cannot be pointed at another recording.
    let id = files[0].trim_end_matches(".json");
    let list = signed(&token, "GET", "/v1/recordings", &host, b"");
    let r = send(&list, "DELETE", &format!("/v1/recordings/{id}"), None);
    assert_eq!((r.status, r.error_code().as_str()), (401, "unauthorized"));
    assert_eq!(recording_files(&data), files);
    // And a fresh, correct request still works.
    let r = relay.send(&token, "DELETE", &format!("/v1/recordings/{id}"), None);
    assert_eq!(r.status, 204);
}

#[test]
fn read_and_delete_routes_are_guarded_too() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    relay.upload(&token, &recording(id, "x", 3));
    let p = relay.port;
    let good = relay.host();
    let item = format!("/v1/recordings/{id}");
    for (method, path) in [
        ("GET", "/v1/recordings"),
        ("GET", item.as_str()),
        ("DELETE", item.as_str()),
        ("GET", "/v1/openapi.json"),
        ("GET", "/v1/nonexistent"),
    ] {
        let bearer = signed(&token, method, path, &good, b"");
        let cases: [(&[(&str, &str)], u16); 4] = [
            (&[("Host", "evil.example"), ("Authorization", &bearer)], 403),
            (
                &[
                    ("Host", &good),
                    ("Origin", "https://evil.example"),
                    ("Authorization", &bearer),
                ],
                403,
            ),
            (
                &[
                    ("Host", &good),
                    ("Origin", OTHER_EXTENSION),
                    ("Authorization", &bearer),
                ],
                403,
            ),
            (
                &[
                    ("Host", &good),
                    ("Origin", OUR_ORIGIN),
                    ("Authorization", "Bearer nope"),
                ],
                401,
            ),
        ];
        for (h, want) in cases {
            let r = raw(p, method, path, h, None);
            assert_eq!(r.status, want, "{method} {path} {h:?}");
            no_cors(&r);
        }
    }
    // Nothing was deleted by the refused DELETEs.
    assert_eq!(recording_files(&data), vec![format!("{id}.json")]);
    // A CORS preflight from a web page gets no permission.
    let r = raw(
        p,
        "OPTIONS",
        "/v1/recordings",
        &[
            ("Host", &good),
            ("Origin", "https://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        None,
    );
    assert_eq!(r.status, 403);
    no_cors(&r);
}

#[test]
fn health_needs_no_credentials_and_pair_is_host_and_origin_guarded() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let r = raw(
        relay.port,
        "GET",
        "/v1/health",
        &[("Host", "anything")],
        None,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    assert_eq!(r.json()["version"], env!("CARGO_PKG_VERSION"));
    no_cors(&r);

    let code = relay.code();
    let body = serde_json::json!({"msg": clawtrail_trust::pairing::Start::new(
        clawtrail_trust::Role::Extension,
        &code,
        [5; 64],
    )
    .message()})
    .to_string();
    let good = relay.host();
    for (h, want) in [
        (
            vec![
                ("Host", "evil.example"),
                ("Content-Type", "application/json"),
            ],
            403,
        ),
        (
            vec![
                ("Host", good.as_str()),
                ("Origin", "https://evil.example"),
                ("Content-Type", "application/json"),
            ],
            403,
        ),
        (
            vec![
                ("Host", good.as_str()),
                ("Origin", OUR_ORIGIN),
                ("Content-Type", "text/plain"),
            ],
            415,
        ),
    ] {
        let r = raw(relay.port, "POST", "/v1/pair", &h, Some(body.as_bytes()));
        assert_eq!(r.status, want, "{h:?}");
    }
    // The refused attempts did not consume the code, nor make a key.
    assert!(!data.join("keys.json").exists());
    assert!(pair_with(relay.port, &good, &code, None).is_ok());
}

#[test]
fn allow_extension_id_extends_the_allowlist() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(
        &data,
        &["--allow-extension-id", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"],
    );
    let token = relay.pair();
    for origin in [OTHER_EXTENSION, OUR_ORIGIN] {
        let bearer = signed(&token, "GET", "/v1/recordings", &relay.host(), b"");
        let r = raw(
            relay.port,
            "GET",
            "/v1/recordings",
            &[
                ("Host", &relay.host()),
                ("Origin", origin),
                ("Authorization", &bearer),
            ],
            None,
        );
        assert_eq!(r.status, 200, "{origin}");
    }
    let bearer = signed(&token, "GET", "/v1/recordings", &relay.host(), b"");
    let r = raw(
        relay.port,
        "GET",
        "/v1/recordings",
        &[
            ("Host", &relay.host()),
            (
                "Origin",
                "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
            ),
            ("Authorization", &bearer),
        ],
        None,
    );
    assert_eq!(r.status, 403);
}
