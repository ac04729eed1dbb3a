//! Shared fixtures for the integration tests: a small, valid recording built
//! in code (so a test does not depend on an example file it is not about),
//! and the list of example files.
//!
//! Each test binary uses a different subset of these helpers, hence the
//! `dead_code` allowance.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use workflow_format::{
    AriaRef, Event, EventKind, FORMAT_VERSION, FieldValue, InputEvent, KeyEvent, Modifiers,
    MouseButton, NavigateEvent, NavigationCause, Point, RecorderInfo, Recording, RedactionReason,
    ScrollEvent, SelectEvent, SubmitEvent, TabInfo, Target,
};

pub const TAB: u32 = 7;
pub const OTHER_TAB: u32 = 8;
pub const URL: &str = "http://127.0.0.1:8000/form";

pub fn start() -> DateTime<Utc> {
    "2025-11-20T09:00:00Z".parse().expect("a valid timestamp")
}

/// A plain, non-sensitive text field.
pub fn text_field(css: &str) -> Target {
    Target::test("input")
        .aria("textbox", "Email")
        .css(css)
        .xpath(format!(
            "//input[@name=\"{}\"]",
            css.trim_start_matches('#')
        ))
        .input_type("email")
        .name("email")
        .label("Email")
        .placeholder("you@example.com")
        .autocomplete("email")
        .bounds(10.0, 20.0, 300.0, 40.0)
        .build()
}

pub fn password_field() -> Target {
    Target {
        aria: Some(AriaRef {
            role: "textbox".into(),
            name: "Password".into(),
        }),
        input_type: Some("password".into()),
        name: Some("password".into()),
        label: Some("Password".into()),
        placeholder: None,
        autocomplete: Some("current-password".into()),
        ..text_field("#password")
    }
}

pub fn button() -> Target {
    Target {
        aria: Some(AriaRef {
            role: "button".into(),
            name: "Sign in".into(),
        }),
        text: Some("Sign in".into()),
        css: "[data-testid=\"submit\"]".into(),
        xpath: "//form/button".into(),
        tag: "button".into(),
        input_type: Some("submit".into()),
        name: None,
        label: None,
        placeholder: None,
        autocomplete: None,
        ..text_field("#unused")
    }
}

pub fn select_field() -> Target {
    Target {
        aria: Some(AriaRef {
            role: "combobox".into(),
            name: "Country".into(),
        }),
        css: "#country".into(),
        xpath: "//*[@id=\"country\"]".into(),
        tag: "select".into(),
        input_type: None,
        name: Some("country".into()),
        label: Some("Country".into()),
        placeholder: None,
        autocomplete: None,
        ..text_field("#unused")
    }
}

pub fn pointer(target: Target) -> workflow_format::Pointer {
    workflow_format::Pointer {
        target,
        button: MouseButton::Primary,
        modifiers: Modifiers::default(),
        offset: Point { x: 5.0, y: 6.5 },
    }
}

pub fn event(seq: u64, kind: EventKind) -> Event {
    Event {
        seq,
        at: start() + Duration::seconds(seq as i64 + 1),
        tab_id: TAB,
        frame_path: vec![],
        url: URL.into(),
        kind,
    }
}

/// A valid recording with one event of each common shape. The tests in
/// `validate.rs` break exactly one thing in it; their paths refer to these
/// indices:
///
/// 0 navigate, 1 click button, 2 input email, 3 input password (redacted),
/// 4 select, 5 key Enter on the email field, 6 scroll window, 7 submit.
pub fn recording() -> Recording {
    let events = vec![
        EventKind::Navigate(NavigateEvent {
            cause: NavigationCause::Load,
            title: "Sign in".into(),
            from_url: None,
        }),
        EventKind::Click(pointer(button())),
        EventKind::Input(InputEvent {
            target: text_field("#email"),
            value: FieldValue::text("ada@example.com"),
        }),
        EventKind::Input(InputEvent {
            target: password_field(),
            value: FieldValue::Redacted {
                reason: RedactionReason::Password,
            },
        }),
        EventKind::Select(SelectEvent {
            target: select_field(),
            values: vec!["GB".into()],
            labels: vec!["United Kingdom".into()],
        }),
        EventKind::Key(KeyEvent {
            key: "Enter".into(),
            code: "Enter".into(),
            modifiers: Modifiers::default(),
            target: Some(text_field("#email")),
        }),
        EventKind::Scroll(ScrollEvent {
            target: None,
            x: 0.0,
            y: 480.0,
        }),
        EventKind::Submit(SubmitEvent {
            target: Target {
                css: "#login".into(),
                xpath: "//*[@id=\"login\"]".into(),
                tag: "form".into(),
                aria: None,
                input_type: None,
                ..button()
            },
        }),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, kind)| event(i as u64, kind))
    .collect();
    Recording {
        format_version: FORMAT_VERSION,
        id: Uuid::from_u128(0x0123_4567_89ab_4def_8123_4567_89ab_cdef),
        name: "Sign in".into(),
        started_at: start(),
        ended_at: start() + Duration::minutes(5),
        recorder: RecorderInfo {
            version: "0.1.0".into(),
            user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/142.0.0.0".into(),
        },
        tabs: vec![
            TabInfo {
                tab_id: TAB,
                opener_tab_id: None,
                initial_url: URL.into(),
                title: "Sign in".into(),
            },
            TabInfo {
                tab_id: OTHER_TAB,
                opener_tab_id: Some(TAB),
                initial_url: "about:blank".into(),
                title: String::new(),
            },
        ],
        events,
    }
}

pub fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Every `*.json` file under `examples/`, sorted, so that a new example is
/// covered by the tests without touching them.
pub fn example_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .expect("examples/ exists")
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no example recordings found");
    files
}

pub fn read_example(name: &str) -> (Vec<u8>, Recording) {
    let path = examples_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let recording = workflow_format::from_json_slice(&bytes)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (bytes, recording)
}
