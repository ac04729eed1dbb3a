//! Small recordings built in code, for tests that need a precise shape.
#![allow(dead_code)]

use chrono::{DateTime, Duration, Utc};
use workflow_format::{
    AriaRef, Event, EventKind, FieldValue, InputEvent, KeyEvent, Modifiers, MouseButton,
    NavigateEvent, NavigationCause, Point, Pointer, RecorderInfo, Recording, RedactionReason,
    TabInfo, Target,
};

pub const TAB: u32 = 7;
pub const URL: &str = "https://app.example.com/start";

pub fn t0() -> DateTime<Utc> {
    "2025-11-20T10:00:00Z".parse().unwrap()
}

/// A plain element target; `css` doubles as its id-based XPath.
pub fn el(tag: &str, css: &str) -> Target {
    Target::test(tag)
        .css(css)
        .xpath(format!("//*[@data-css={:?}]", css))
        .bounds(10.0, 20.0, 100.0, 30.0)
        .build()
}

pub fn button(name: &str, css: &str) -> Target {
    Target {
        aria: Some(AriaRef {
            role: "button".into(),
            name: name.into(),
        }),
        text: Some(name.into()),
        ..el("button", css)
    }
}

pub fn textbox(label: &str, css: &str) -> Target {
    Target {
        aria: Some(AriaRef {
            role: "textbox".into(),
            name: label.into(),
        }),
        label: Some(label.into()),
        input_type: Some("text".into()),
        ..el("input", css)
    }
}

pub fn password(css: &str) -> Target {
    Target {
        input_type: Some("password".into()),
        autocomplete: Some("current-password".into()),
        ..textbox("Password", css)
    }
}

pub fn click(t: Target) -> EventKind {
    EventKind::Click(Pointer {
        target: t,
        button: MouseButton::Primary,
        modifiers: Modifiers::default(),
        offset: Point { x: 5.0, y: 6.0 },
    })
}

pub fn input(t: Target, text: &str) -> EventKind {
    EventKind::Input(InputEvent {
        target: t,
        value: FieldValue::text(text),
    })
}

pub fn redacted(t: Target, reason: RedactionReason) -> EventKind {
    EventKind::Input(InputEvent {
        target: t,
        value: FieldValue::Redacted { reason },
    })
}

pub fn key(k: &str, mods: Modifiers, t: Option<Target>) -> EventKind {
    EventKind::Key(KeyEvent {
        key: k.to_owned(),
        code: format!("Key{k}"),
        modifiers: mods,
        target: t,
    })
}

pub fn load(title: &str) -> EventKind {
    EventKind::Navigate(NavigateEvent {
        cause: NavigationCause::Load,
        title: title.to_owned(),
        from_url: None,
    })
}

/// Builds a valid single-tab recording from (url, kind) pairs; a leading
/// load of [`URL`] is added.
pub fn recording(name: &str, events: Vec<(&str, EventKind)>) -> Recording {
    let mut all = vec![(URL, load("Start"))];
    all.extend(events);
    recording_raw(name, all)
}

/// Like [`recording`] without the leading load.
pub fn recording_raw(name: &str, events: Vec<(&str, EventKind)>) -> Recording {
    let n = events.len() as i64;
    let events = events
        .into_iter()
        .enumerate()
        .map(|(i, (url, kind))| Event {
            seq: i as u64,
            at: t0() + Duration::milliseconds(i as i64 * 100),
            tab_id: TAB,
            frame_path: kind
                .target()
                .map(|t| t.frame_path.clone())
                .unwrap_or_default(),
            url: url.to_owned(),
            kind,
        })
        .collect();
    Recording {
        format_version: 1,
        id: "0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9".parse().unwrap(),
        name: name.to_owned(),
        started_at: t0(),
        ended_at: t0() + Duration::milliseconds(n * 100 + 1),
        recorder: RecorderInfo {
            version: "0.1.0".into(),
            user_agent: "test".into(),
        },
        tabs: vec![TabInfo {
            tab_id: TAB,
            opener_tab_id: None,
            initial_url: URL.into(),
            title: "Start".into(),
        }],
        events,
    }
}

/// The example recordings of workflow-format, parsed.
pub fn examples() -> Vec<(String, Recording)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../format/examples");
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for p in paths {
        let bytes = std::fs::read(&p).unwrap();
        let rec = workflow_format::from_json_slice(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), rec));
    }
    assert!(
        !out.is_empty(),
        "no example recordings in {}",
        dir.display()
    );
    out
}
