//! The guard matrix against a real relay process: Host x Origin x token x
//! content type, asserting the exact status, that a refused request left
//! no file behind, and that no response ever carries CORS headers.

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
    let wrong = format!("Bearer {}x", token);
    let right = format!("Bearer {token}");
    let tokens: Vec<(Option<&str>, bool)> = vec![
        (None, false),
        (Some("Bearer wrong"), false),
        (Some(wrong.as_str()), false),
        (Some(token.as_str()), false), // no "Bearer " scheme
        (Some(right.as_str()), true),
    ];
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
                    let mut h: Vec<(&str, &str)> = vec![];
                    if let Some(v) = host {
                        h.push(("Host", v));
                    }
                    if let Some(v) = origin {
                        h.push(("Origin", v));
                    }
                    if let Some(v) = auth {
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
                    } else if !auth_ok {
                        (401, "unauthorized")
                    } else if !ct_ok {
                        (415, "unsupported_media_type")
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
    // 2 hosts x 2 origins x 1 token x 2 content types got through.
    assert_eq!(stored, 8);
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
    let bearer = format!("Bearer {token}");
    let item = format!("/v1/recordings/{id}");
    for (method, path) in [
        ("GET", "/v1/recordings"),
        ("GET", item.as_str()),
        ("DELETE", item.as_str()),
        ("GET", "/v1/openapi.json"),
        ("GET", "/v1/nonexistent"),
    ] {
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

    let out = cli(&data, &["pair", "--json"]);
    let code: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let body = format!(r#"{{"code":"{}"}}"#, code["code"].as_str().unwrap());
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
    // The refused attempts did not consume the code, nor mint a token.
    assert!(!data.join("tokens.json").exists());
    let r = raw(
        relay.port,
        "POST",
        "/v1/pair",
        &[
            ("Host", &good),
            ("Origin", OUR_ORIGIN),
            ("Content-Type", "application/json"),
        ],
        Some(body.as_bytes()),
    );
    assert_eq!(r.status, 200);
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
    let bearer = format!("Bearer {token}");
    for origin in [OTHER_EXTENSION, OUR_ORIGIN] {
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
