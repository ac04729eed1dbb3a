//! `PATCH /v1/recordings/{id}`: renaming against a real relay process and
//! real files. Every refused request must leave the stored bytes alone.

mod common;

use common::*;
use uuid::Uuid;

fn stored(data: &std::path::Path, id: Uuid) -> Vec<u8> {
    std::fs::read(data.join("recordings").join(format!("{id}.json"))).unwrap()
}

fn listed_name(data: &std::path::Path, id: Uuid) -> String {
    let out = cli(data, &["list", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["recordings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id.to_string())
        .expect("listed")["name"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn rename_rewrites_the_recording_and_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    let rec = recording(id, "Sign in", 5);
    relay.upload(&token, &rec);
    // Listing once writes the summary cache the rename must keep current.
    assert_eq!(listed_name(&data, id), "Sign in");
    let path = format!("/v1/recordings/{id}");

    let r = relay.send(
        &token,
        "PATCH",
        &path,
        Some(br#"{"name":"Export the monthly report"}"#),
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["recording"]["name"], "Export the monthly report");
    assert_eq!(r.json()["recording"]["event_count"], 5);
    let mut want = rec.clone();
    want.name = "Export the monthly report".into();
    // Only the name changed, and the file is canonical and valid.
    assert_eq!(stored(&data, id), workflow_format::to_canonical_json(&want));
    assert_eq!(r.json()["recording"]["size_bytes"], stored(&data, id).len());
    assert_eq!(listed_name(&data, id), "Export the monthly report");
    let r = relay.send(&token, "GET", &path, None);
    assert_eq!(r.body, stored(&data, id));

    // A new name of the same byte length keeps the file size, which is what
    // the summary cache is keyed on: the listing must still follow.
    let r = relay.send(
        &token,
        "PATCH",
        &path,
        Some(br#"{"name":"Export the weekly! report"}"#),
    );
    assert_eq!(r.status, 200);
    assert_eq!(listed_name(&data, id), "Export the weekly! report");
    let r = relay.send(&token, "GET", "/v1/recordings", None);
    assert_eq!(
        r.json()["recordings"][0]["name"],
        "Export the weekly! report"
    );

    // Renaming to the current name is a no-op success; Unicode is fine.
    let r = relay.send(
        &token,
        "PATCH",
        &path,
        Some(r#"{"name":"Überweisung 🚀"}"#.as_bytes()),
    );
    assert_eq!(r.status, 200);
    assert_eq!(listed_name(&data, id), "Überweisung 🚀");
    let r = relay.send(
        &token,
        "PATCH",
        &path,
        Some(r#"{"name":"Überweisung 🚀"}"#.as_bytes()),
    );
    assert_eq!(r.status, 200);
    // No temp file is left behind.
    assert_eq!(recording_files(&data), vec![format!("{id}.json")]);
}

#[test]
fn bad_renames_get_precise_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    let rec = recording(id, "Keep me", 3);
    relay.upload(&token, &rec);
    let before = stored(&data, id);
    let path = format!("/v1/recordings/{id}");
    let too_long = format!(r#"{{"name":"{}"}}"#, "x".repeat(201));
    let just_fits = "y".repeat(200);
    let cases: Vec<(&[u8], u16, &str)> = vec![
        (b"{not json", 400, "malformed_json"),
        (b"", 400, "malformed_json"),
        (br#"{"name":""}"#, 422, "validation_failed"),
        (br#"{"name":"line\nbreak"}"#, 422, "validation_failed"),
        (br#"{"name":"bell\u0007"}"#, 422, "validation_failed"),
        (too_long.as_bytes(), 422, "validation_failed"),
        (br#"{"name":42}"#, 422, "invalid_shape"),
        (br#"{}"#, 422, "invalid_shape"),
        (br#"{"name":"ok","events":[]}"#, 422, "invalid_shape"),
        (br#"["name"]"#, 422, "invalid_shape"),
    ];
    for (body, status, code) in cases {
        let r = relay.send(&token, "PATCH", &path, Some(body));
        assert_eq!(
            (r.status, r.error_code().as_str()),
            (status, code),
            "{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(stored(&data, id), before);
    }
    // The error names the field.
    let r = relay.send(&token, "PATCH", &path, Some(too_long.as_bytes()));
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("name")
    );

    // Unknown or malformed ids are 404 and create nothing.
    let other = format!("/v1/recordings/{}", Uuid::new_v4());
    for p in [other.as_str(), "/v1/recordings/not-a-uuid"] {
        let r = relay.send(&token, "PATCH", p, Some(br#"{"name":"x"}"#));
        assert_eq!((r.status, r.error_code().as_str()), (404, "not_found"));
    }
    assert_eq!(recording_files(&data), vec![format!("{id}.json")]);

    // Not JSON: 415. Over the 16 KiB rename limit: 413.
    let host = relay.host();
    let bearer = signed(&token, "PATCH", &path, &host, br#"{"name":"x"}"#);
    let r = raw(
        relay.port,
        "PATCH",
        &path,
        &[
            ("Host", &host),
            ("Authorization", &bearer),
            ("Content-Type", "text/plain"),
        ],
        Some(br#"{"name":"x"}"#),
    );
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (415, "unsupported_media_type")
    );
    let huge = format!(r#"{{"name":"{}"}}"#, "z".repeat(20_000));
    let r = relay.send(&token, "PATCH", &path, Some(huge.as_bytes()));
    assert_eq!(
        (r.status, r.error_code().as_str()),
        (413, "payload_too_large")
    );
    assert_eq!(stored(&data, id), before);

    // The longest allowed name is accepted.
    let body = format!(r#"{{"name":"{just_fits}"}}"#);
    assert_eq!(
        relay
            .send(&token, "PATCH", &path, Some(body.as_bytes()))
            .status,
        200
    );
    assert_eq!(listed_name(&data, id), just_fits);
}

#[test]
fn rename_is_guarded_like_every_route() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let relay = Relay::start(&data, &[]);
    let token = relay.pair();
    let id = Uuid::new_v4();
    relay.upload(&token, &recording(id, "Original", 2));
    let before = stored(&data, id);
    let path = format!("/v1/recordings/{id}");
    let good = relay.host();
    let bearer = signed(&token, "PATCH", &path, &good, br#"{"name":"pwned"}"#);
    let json = ("Content-Type", "application/json");
    type Case<'a> = (Vec<(&'a str, &'a str)>, u16, &'a str);
    let cases: [Case; 5] = [
        (
            vec![("Host", "evil.example"), ("Authorization", &bearer), json],
            403,
            "forbidden_host",
        ),
        (
            vec![
                ("Host", &good),
                ("Origin", "https://evil.example"),
                ("Authorization", &bearer),
                json,
            ],
            403,
            "forbidden_origin",
        ),
        (
            vec![
                ("Host", &good),
                ("Origin", OTHER_EXTENSION),
                ("Authorization", &bearer),
                json,
            ],
            403,
            "forbidden_origin",
        ),
        (
            vec![("Host", &good), ("Authorization", "Bearer nope"), json],
            401,
            "unauthorized",
        ),
        (vec![("Host", &good), json], 401, "unauthorized"),
    ];
    for (h, status, code) in cases {
        let r = raw(relay.port, "PATCH", &path, &h, Some(br#"{"name":"pwned"}"#));
        assert_eq!((r.status, r.error_code().as_str()), (status, code), "{h:?}");
        assert!(r.header("access-control-allow-origin").is_none());
        assert_eq!(stored(&data, id), before);
    }
    assert_eq!(listed_name(&data, id), "Original");
}
