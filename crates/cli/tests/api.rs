//! API behaviour against a real relay process and real files.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use common::*;
use uuid::Uuid;

fn mode(p: &std::path::Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn upload_is_idempotent_conflicts_are_409_and_files_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    let rec = recording(id, "Sign in", 8);
    let body = body_of(&rec);

    let auth = signed(&token, "POST", "/v1/recordings", &relay.host(), &body);
    let r = raw(
        relay.port,
        "POST",
        "/v1/recordings",
        &[
            ("Host", &relay.host()),
            ("Origin", OUR_ORIGIN),
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        Some(&body),
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["status"], "created");
    assert_eq!(r.json()["recording"]["event_count"], 8);
    // The acknowledgement is signed for this request and names what was
    // received, so the extension can trust it before deleting its copy.
    assert!(answer_is_signed(&token, &auth, &r));
    assert_eq!(r.json()["recording"]["id"], id.to_string());
    assert_eq!(r.json()["received_sha256"], clawtrail_trust::digest(&body));
    let file = data.join("recordings").join(format!("{id}.json"));
    let stored = std::fs::read(&file).unwrap();
    assert_eq!(stored, workflow_format::to_canonical_json(&rec));

    // The extension retries: same content (even pretty-printed) is 200.
    let pretty = serde_json::to_vec_pretty(&rec).unwrap();
    let r = relay.send(&token, "POST", "/v1/recordings", Some(&pretty));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "unchanged");

    // Same id, different content: 409, and the stored file is untouched.
    let mut other = rec.clone();
    other.name = "Something else".into();
    let r = relay.send(&token, "POST", "/v1/recordings", Some(&body_of(&other)));
    assert_eq!(r.status, 409);
    assert_eq!(r.error_code(), "conflict");
    assert_eq!(std::fs::read(&file).unwrap(), stored);

    // Modes: directories 0700, files 0600.
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("recordings")), 0o700);
    assert_eq!(mode(&data.join("index")), 0o700);
    assert_eq!(mode(&data.join("pairing")), 0o700);
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&data.join("keys.json")), 0o600);
    assert_eq!(mode(&data.join("index").join(format!("{id}.json"))), 0o600);

    // Read it back, list it, delete it.
    let r = relay.send(&token, "GET", &format!("/v1/recordings/{id}"), None);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, stored);
    let r = relay.send(&token, "GET", "/v1/recordings", None);
    assert_eq!(r.status, 200);
    let list = r.json();
    assert_eq!(list["recordings"][0]["id"], id.to_string());
    assert_eq!(list["recordings"][0]["name"], "Sign in");
    assert_eq!(list["recordings"][0]["size_bytes"], stored.len());
    assert_eq!(list["recordings"][0]["tab_count"], 1);
    let r = relay.send(&token, "DELETE", &format!("/v1/recordings/{id}"), None);
    assert_eq!(r.status, 204);
    assert!(!file.exists());
    for m in ["GET", "DELETE"] {
        let r = relay.send(&token, m, &format!("/v1/recordings/{id}"), None);
        assert_eq!(r.status, 404);
        assert_eq!(r.error_code(), "not_found");
    }
    let r = relay.send(&token, "GET", "/v1/recordings/not-a-uuid", None);
    assert_eq!(r.status, 404);
    let r = relay.send(&token, "PUT", "/v1/recordings", Some(b"{}"));
    assert_eq!(r.status, 405);
    assert_eq!(r.error_code(), "method_not_allowed");

    // A first upload that is not in canonical form (another client,
    // pretty-printed) is stored in canonical form all the same: the relay
    // keeps the received bytes only when they are canonical.
    let id = Uuid::new_v4();
    let rec = recording(id, "Pretty", 3);
    let pretty = serde_json::to_vec_pretty(&rec).unwrap();
    let r = relay.send(&token, "POST", "/v1/recordings", Some(&pretty));
    assert_eq!(r.status, 201);
    assert_eq!(
        r.json()["received_sha256"],
        clawtrail_trust::digest(&pretty)
    );
    let canonical = workflow_format::to_canonical_json(&rec);
    assert_eq!(r.json()["recording"]["size_bytes"], canonical.len());
    let file = data.join("recordings").join(format!("{id}.json"));
    assert_eq!(std::fs::read(&file).unwrap(), canonical);
    // Neither the received copy nor the canonical one left a temp file.
    assert_eq!(recording_files(&data), [format!("{id}.json")]);
}

#[test]
fn bad_bodies_get_precise_errors_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &["--max-body-bytes", "20000"]);
    let token = relay.pair();

    let r = relay.send(
        &token,
        "POST",
        "/v1/recordings",
        Some(b"{\"format_version\": 1, "),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.error_code(), "malformed_json");

    let r = relay.send(
        &token,
        "POST",
        "/v1/recordings",
        Some(b"{\"format_version\": 1}"),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.error_code(), "invalid_shape");

    // A plain-text value in a password field: 422 naming field and seq.
    let mut rec = recording(Uuid::new_v4(), "leak", 4);
    if let workflow_format::EventKind::Input(workflow_format::InputEvent { value, .. }) =
        &mut rec.events[2].kind
    {
        *value = workflow_format::FieldValue::text("hunter2");
    }
    let r = relay.send(&token, "POST", "/v1/recordings", Some(&body_of(&rec)));
    assert_eq!(r.status, 422);
    assert_eq!(r.error_code(), "validation_failed");
    let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("events[2]") && msg.contains("seq 2"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");

    // Over the limit by Content-Length: refused before the body is read.
    let big = body_of(&recording(Uuid::new_v4(), "big", 200));
    assert!(big.len() > 20000);
    let r = relay.send(&token, "POST", "/v1/recordings", Some(&big));
    assert_eq!(r.status, 413);
    assert_eq!(r.error_code(), "payload_too_large");

    // Over the limit with a chunked body (no Content-Length).
    let mut s = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
    let auth = signed(&token, "POST", "/v1/recordings", &relay.host(), &big);
    let head = format!(
        "POST /v1/recordings HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        relay.host()
    );
    s.write_all(head.as_bytes()).unwrap();
    for chunk in big.chunks(4096) {
        if s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || s.write_all(chunk).is_err()
            || s.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let _ = s.write_all(b"0\r\n\r\n");
    let r = read_response(&mut s);
    assert_eq!(r.status, 413);

    assert!(
        recording_files(&data).is_empty(),
        "{:?}",
        recording_files(&data)
    );
    // Logs carry ids and sizes, never values or keys.
    let log = relay.log_text();
    assert!(
        !log.contains(
            &serde_json::to_value(key_of(&token)).unwrap()["secret"]
                .as_str()
                .unwrap()
                .to_owned()
        )
    );
    assert!(!log.contains("hunter2"));
}

#[test]
fn slow_bodies_time_out_with_408() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &["--body-timeout-secs", "1"]);
    let token = relay.pair();
    let body = body_of(&recording(Uuid::new_v4(), "slow", 4));
    let mut s = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
    let auth = signed(&token, "POST", "/v1/recordings", &relay.host(), &body);
    let head = format!(
        "POST /v1/recordings HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        relay.host(),
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..10]).unwrap();
    // ...and never send the rest.
    let r = read_response(&mut s);
    assert_eq!(r.status, 408);
    assert_eq!(r.error_code(), "request_timeout");
    assert!(recording_files(&data).is_empty());
}

#[test]
fn pairing_codes_work_once_are_rate_limited_and_unpair_revokes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let h = relay.host();
    let code = relay.code();
    // SPAKE2 needs the code on the relay's side too: it waits for its few
    // minutes in a private file, and only there.
    let files: Vec<_> = std::fs::read_dir(data.join("pairing"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&data.join("pairing")), 0o700);
    let key = pair_with(relay.port, &h, &code, None).expect("attempt 1 pairs");
    let token = serde_json::to_string(&key).unwrap();
    assert_eq!(mode(&data.join("keys.json")), 0o600);
    assert_eq!(
        std::fs::read_dir(data.join("pairing")).unwrap().count(),
        0,
        "used up"
    );
    // Attempt 2: the code is used.
    let r = pair_with(relay.port, &h, &code, None).unwrap_err();
    assert_eq!(r.status, 401);
    assert_eq!(r.error_code(), "invalid_code");
    // Attempts 3 to 5: a wrong code fails the confirmation.
    let pending = relay.code();
    for wrong in ["0000-0000", "1111-1111", "2222-2222"] {
        let r = pair_with(relay.port, &h, wrong, None).unwrap_err();
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (401, "invalid_code"),
            "{wrong}"
        );
    }
    // A valid code is refused too now: the limit counts every attempt.
    let r = pair_with(relay.port, &h, &pending, None).unwrap_err();
    assert_eq!(r.status, 429);
    assert_eq!(r.error_code(), "rate_limited");
    assert!(r.header("retry-after").is_some());

    // The key works until `clawtrail unpair` runs in another process.
    assert_eq!(
        relay.send(&token, "GET", "/v1/recordings", None).status,
        200
    );
    let out = cli(&data, &["unpair", "--json"]);
    assert!(out.status.success());
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["revoked"],
        1
    );
    assert_eq!(
        relay.send(&token, "GET", "/v1/recordings", None).status,
        401
    );
    assert_eq!(std::fs::read_dir(data.join("pairing")).unwrap().count(), 0);
    let secret = serde_json::to_value(&key).unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!relay.log_text().contains(&secret));
}

/// Any web page can make the browser send GETs (`<img src>`) and simple
/// POSTs (a form, `fetch` with `no-cors`) to 127.0.0.1. None of them is a
/// well-formed JSON pairing request, so none counts against the limit: a
/// page cannot lock the user out of pairing.
#[test]
fn web_pages_cannot_use_up_the_pairing_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("data"), &[]);
    let h = relay.host();
    for _ in 0..20 {
        // <img src="http://127.0.0.1:18799/v1/pair">: no Origin on an image.
        assert_eq!(
            raw(relay.port, "GET", "/v1/pair", &[("Host", &h)], None).status,
            405
        );
        // <form method=post enctype=text/plain>, from the page's origin.
        let r = raw(
            relay.port,
            "POST",
            "/v1/pair",
            &[
                ("Host", &h),
                ("Origin", "https://evil.example"),
                ("Content-Type", "text/plain"),
            ],
            Some(b"code=0000-0000"),
        );
        assert_eq!(r.status, 403);
        // Even without an Origin (a local process): not JSON, not counted.
        let r = raw(
            relay.port,
            "POST",
            "/v1/pair",
            &[("Host", &h), ("Content-Type", "text/plain")],
            Some(b"{\"msg\":\"AAAA\"}"),
        );
        assert_eq!(r.status, 415);
        let r = raw(
            relay.port,
            "POST",
            "/v1/pair",
            &[("Host", &h), ("Content-Type", "application/json")],
            Some(b"{\"code\":\"0000-0000\"}"),
        );
        assert_eq!(r.status, 422, "the old shape is not an attempt");
    }
    let code = relay.code();
    assert!(pair_with(relay.port, &h, &code, None).is_ok());
}

#[test]
fn sigterm_lets_an_inflight_upload_finish() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let mut relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    let body = body_of(&recording(id, "graceful", 40));
    let mut s = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
    let auth = signed(&token, "POST", "/v1/recordings", &relay.host(), &body);
    let head = format!(
        "POST /v1/recordings HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        relay.host(),
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &relay.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(200));
    s.write_all(&body[body.len() / 2..]).unwrap();
    let r = read_response(&mut s);
    assert_eq!(r.status, 201);
    let status = relay.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let stored = std::fs::read(data.join("recordings").join(format!("{id}.json"))).unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&stored).unwrap()["name"],
        "graceful"
    );
    // Nothing half-written.
    assert_eq!(recording_files(&data), vec![format!("{id}.json")]);
}

#[test]
fn the_relay_refuses_non_loopback_binds_and_a_second_instance() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = cli(&data, &["serve", "--bind", "0.0.0.0", "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("refusing to bind 0.0.0.0"), "{err}");

    let _relay = Relay::start(&data, &[]);
    let out = cli(&data, &["serve", "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already serving"));

    let out = cli(
        &data,
        &["serve", "--port", "0", "--allow-extension-id", "not-an-id"],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn uploads_beyond_the_concurrency_limit_get_503_and_health_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(
        &data,
        &["--max-concurrency", "4", "--body-timeout-secs", "3"],
    );
    let token = relay.pair();
    // Slow uploads hold every slot while their bodies trickle in...
    let slow: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = TcpStream::connect(("127.0.0.1", relay.port)).unwrap();
            let auth = signed(&token, "POST", "/v1/recordings", &relay.host(), &[b'{'; 100]);
            let head = format!(
                "POST /v1/recordings HTTP/1.1\r\nHost: {}\r\nAuthorization: {auth}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{",
                relay.host()
            );
            s.write_all(head.as_bytes()).unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // ...so another upload or read is shed...
    let r = relay.send(&token, "GET", "/v1/recordings", None);
    assert_eq!((r.status, r.error_code().as_str()), (503, "overloaded"));
    // ...but health, the extension's handshake and pairing answer at once.
    let t = std::time::Instant::now();
    assert_eq!(
        raw(
            relay.port,
            "GET",
            "/v1/health",
            &[("Host", &relay.host())],
            None
        )
        .status,
        200
    );
    assert_eq!(relay.send(&token, "GET", "/v1/session", None).status, 200);
    let code = relay.code();
    assert!(pair_with(relay.port, &relay.host(), &code, None).is_ok());
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    for mut s in slow {
        assert_eq!(read_response(&mut s).status, 408);
    }
    assert_eq!(
        relay.send(&token, "GET", "/v1/recordings", None).status,
        200
    );
}

/// More idle connections than the process has descriptors, as a hostile
/// local program can open: the relay caps connections below the limit and
/// closes idle ones after the header timeout, so it answers again (and can
/// still write recordings) while the flood is still held open.
#[test]
fn an_idle_connection_flood_does_not_make_the_relay_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start_with_nofile(&data, 256, &["--header-timeout-secs", "2"]);
    let token = relay.pair();
    let mut flood = Vec::new();
    for _ in 0..400 {
        if let Ok(s) = TcpStream::connect(("127.0.0.1", relay.port)) {
            flood.push(s);
        }
    }
    assert!(flood.len() > 300, "{} connections opened", flood.len());
    // Idle connections are closed by the relay after the header timeout.
    std::thread::sleep(Duration::from_millis(3_000));
    let r = raw(
        relay.port,
        "GET",
        "/v1/health",
        &[("Host", &relay.host())],
        None,
    );
    assert_eq!(r.status, 200);
    relay.upload(&token, &recording(Uuid::new_v4(), "after the flood", 4));
    // The flood's sockets were closed by the relay, not by us.
    let mut closed = 0;
    for s in &mut flood {
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let mut buf = [0u8; 1];
        if matches!(std::io::Read::read(s, &mut buf), Ok(0) | Err(_)) {
            closed += 1;
        }
    }
    assert_eq!(closed, flood.len());
}

/// `GET /v1/session` is the extension's "am I paired?" probe: 200 only with
/// a valid token, behind the same Host and Origin guards as everything else.
#[test]
fn session_answers_whether_the_token_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("data"), &[]);
    let token = relay.pair();
    let ok = relay.send(&token, "GET", "/v1/session", None);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.json(), serde_json::json!({ "paired": true }));
    let unknown =
        serde_json::to_string(&clawtrail_trust::Key::new("nope".into(), [0; 32])).unwrap();
    let wrong = relay.send(&unknown, "GET", "/v1/session", None);
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.error_code(), "unauthorized");
    assert!(
        wrong.header(clawtrail_trust::SIGNATURE_HEADER).is_none(),
        "nothing signs for a stranger"
    );
    let bearer = signed(&token, "GET", "/v1/session", "evil.example:80", b"");
    let evil_host = raw(
        relay.port,
        "GET",
        "/v1/session",
        &[("Host", "evil.example:80"), ("Authorization", &bearer)],
        None,
    );
    assert_eq!(evil_host.status, 403);
    let host = relay.host();
    let bearer = signed(&token, "GET", "/v1/session", &host, b"");
    let web_page = raw(
        relay.port,
        "GET",
        "/v1/session",
        &[
            ("Host", &host),
            ("Origin", "https://evil.example"),
            ("Authorization", &bearer),
        ],
        None,
    );
    assert_eq!(web_page.status, 403);
}

/// Re-pairing rotates the key: the extension names the key it held, and
/// the relay revokes it once the new one is made.
#[test]
fn re_pairing_revokes_the_key_it_replaces() {
    let dir = tempfile::tempdir().unwrap();
    let relay = Relay::start(&dir.path().join("data"), &[]);
    let old = relay.pair();
    let other = relay.pair(); // another browser's key
    assert_eq!(relay.send(&old, "GET", "/v1/session", None).status, 200);
    let code = relay.code();
    let new = pair_with(relay.port, &relay.host(), &code, Some(&key_of(&old).id)).unwrap();
    let new = serde_json::to_string(&new).unwrap();
    assert_eq!(relay.send(&old, "GET", "/v1/session", None).status, 401);
    assert_eq!(relay.send(&new, "GET", "/v1/session", None).status, 200);
    assert_eq!(
        relay.send(&other, "GET", "/v1/session", None).status,
        200,
        "only the named key goes"
    );
}
