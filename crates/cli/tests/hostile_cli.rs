//! The CLI's guards against forged recordings and hostile page text
//! (issue 14): clipboard shortcuts left out of exports and replays unless
//! allowed, `file:` pages refused unless allowed, and the review printed
//! where the user is looking.

mod common;

use common::*;
use uuid::Uuid;
use workflow_format::{Event, EventKind, KeyEvent, Modifiers, Recording};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `recording()` plus Ctrl+A, Ctrl+C on the page.
fn with_copy(id: Uuid) -> Recording {
    let mut rec = recording(id, "Copy the page", 4);
    for key in ["a", "c"] {
        let seq = rec.events.len() as u64;
        rec.events.push(Event {
            seq,
            at: t(100 * seq as i64 + 10),
            tab_id: 7,
            frame_path: vec![],
            url: rec.events[0].url.clone(),
            kind: EventKind::Key(KeyEvent {
                key: key.into(),
                code: format!("Key{}", key.to_uppercase()),
                modifiers: Modifiers {
                    ctrl: true,
                    ..Modifiers::default()
                },
                target: None,
            }),
        });
    }
    rec.ended_at = t(100 * rec.events.len() as i64 + 100);
    rec.validate().unwrap();
    rec
}

fn read_tree(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for e in walk(dir) {
        out.push_str(&std::fs::read_to_string(e).unwrap_or_default());
    }
    out
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `clawtrail export ID --format FORMAT --out OUT EXTRA...`.
fn export(
    data: &std::path::Path,
    id: &str,
    format: &str,
    out: &std::path::Path,
    extra: &[&str],
) -> std::process::Output {
    let mut args = vec![
        "export",
        id,
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    cli(data, &args)
}

#[test]
fn exports_leave_clipboard_shortcuts_out_unless_allowed_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let rec = with_copy(Uuid::new_v4());
    let store = clawtrail_relay::store::Store::open(&data).unwrap();
    store.put(&rec).unwrap();
    let id = rec.id.to_string();

    let out_dir = dir.path().join("out");
    let out = export(&data, &id, "openclaw-skill", &out_dir, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Review before an agent runs this export:"),
        "{err}"
    );
    assert!(
        err.contains("(`Control+a`) is left out: a clipboard shortcut"),
        "{err}"
    );
    assert!(err.contains("(`Control+c`) is left out"), "{err}");
    let skill = read_tree(&out_dir);
    assert!(!skill.contains("\"Control+c\""), "a plan presses Ctrl+C");
    assert!(!skill.contains("\"Control+a\""), "a plan presses Ctrl+A");
    assert!(skill.contains("**Left out of the plan:** a clipboard shortcut"));
    let flow_dir = dir.path().join("flow");
    std::fs::create_dir(&flow_dir).unwrap();
    let out = export(&data, &id, "devtools", &flow_dir, &["--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v["review"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "left_out"),
        "{v}"
    );
    let flow = read_tree(&flow_dir);
    assert!(!flow.contains("\"key\": \"c\""), "{flow}");

    // Allowed: the plan presses them, and nothing is said to be left out.
    let allowed = dir.path().join("allowed");
    let out = export(
        &data,
        &id,
        "openclaw-skill",
        &allowed,
        &["--allow-clipboard"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("left out"), "{}", stderr(&out));
    let skill = read_tree(&allowed);
    assert!(skill.contains("\"Control+c\"") && skill.contains("\"Control+a\""));
}

#[test]
fn a_planted_recording_with_a_file_page_is_refused_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A file the relay would never have accepted, written by hand.
    clawtrail_relay::store::Store::open(&data).unwrap();
    let mut rec = recording(Uuid::new_v4(), "Local", 4);
    for e in &mut rec.events {
        e.url = "file:///home/user/.ssh/id_rsa.txt".into();
    }
    rec.tabs[0].initial_url = "file:///home/user/.ssh/id_rsa.txt".into();
    rec.validate_with(workflow_format::UrlPolicy::WebAndFiles)
        .unwrap();
    let file = data.join("recordings").join(format!("{}.json", rec.id));
    std::fs::write(&file, workflow_format::to_canonical_json(&rec)).unwrap();
    let id = rec.id.to_string();

    let env_cli = |args: &[&str]| {
        std::process::Command::new(bin())
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .env_remove("CLAWTRAIL_DATA_DIR")
            // Reaching the browser launch shows that validation passed.
            .env("CLAWTRAIL_CHROMEDRIVER", "/nonexistent/chromedriver")
            .output()
            .unwrap()
    };
    for args in [
        vec!["replay", &*id, "--headless", "--param", "password=x"],
        vec!["export", &*id, "--format", "devtools"],
    ] {
        let out = env_cli(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(
            err.contains("URL scheme is not http or https"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"));
    }
    // The explicit flag lets the replay past validation (to the browser).
    let out = env_cli(&[
        "replay",
        &id,
        "--headless",
        "--allow-file-urls",
        "--param",
        "password=x",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("/nonexistent/chromedriver"), "{err}");
}
