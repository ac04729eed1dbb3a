//! Table-driven tests for `validate()` and `from_json_slice()`: each case
//! breaks exactly one thing in a valid recording and states the exact
//! `Problem`, the exact JSON path of the field and the event's seq.

mod common;

use chrono::Duration;
use common::{OTHER_TAB, TAB, password_field, recording};
use uuid::Uuid;
use workflow_format::{
    ContentEditEvent, EventKind, FieldValue, InputEvent, KeyEvent, NavigateEvent, ParseError,
    Problem, RadioEvent, Recording, RedactionReason, ScrollEvent, SelectEvent, Target,
    ValidationError, from_json_slice, limits, to_canonical_json,
};

/// The target of event `i`, for cases that break a target.
fn target_mut(r: &mut Recording, i: usize) -> &mut Target {
    r.events[i]
        .kind
        .target_mut()
        .unwrap_or_else(|| panic!("event {i} has no target"))
}

struct Case {
    name: &'static str,
    break_it: fn(&mut Recording),
    field: &'static str,
    seq: Option<u64>,
    problem: Problem,
}

fn cases() -> Vec<Case> {
    let too_long_name = limits::NAME + 1;
    vec![
        Case {
            name: "unknown format version",
            break_it: |r| r.format_version = 2,
            field: "format_version",
            seq: None,
            problem: Problem::UnsupportedVersion {
                found: 2,
                supported: 1,
            },
        },
        Case {
            name: "nil id",
            break_it: |r| r.id = Uuid::nil(),
            field: "id",
            seq: None,
            problem: Problem::NilId,
        },
        Case {
            name: "blank name",
            break_it: |r| r.name = " \u{3000}".into(),
            field: "name",
            seq: None,
            problem: Problem::Empty,
        },
        Case {
            name: "empty recorder version",
            break_it: |r| r.recorder.version = String::new(),
            field: "recorder.version",
            seq: None,
            problem: Problem::Empty,
        },
        Case {
            name: "empty css selector",
            break_it: |r| target_mut(r, 1).css = String::new(),
            field: "events[1].kind.target.css",
            seq: Some(1),
            problem: Problem::Empty,
        },
        Case {
            name: "empty aria role",
            break_it: |r| target_mut(r, 2).aria.as_mut().unwrap().role = " ".into(),
            field: "events[2].kind.target.aria.role",
            seq: Some(2),
            problem: Problem::Empty,
        },
        Case {
            name: "empty key",
            break_it: |r| {
                if let EventKind::Key(KeyEvent { key, .. }) = &mut r.events[5].kind {
                    key.clear();
                }
            },
            field: "events[5].kind.key",
            seq: Some(5),
            problem: Problem::Empty,
        },
        Case {
            name: "name one byte too long",
            break_it: |r| r.name = "n".repeat(limits::NAME + 1),
            field: "name",
            seq: None,
            problem: Problem::TooLong {
                len: too_long_name,
                max: limits::NAME,
            },
        },
        Case {
            name: "name over the limit in bytes, not chars",
            // 67 × 3 bytes = 201 bytes, only 67 characters.
            break_it: |r| r.name = "€".repeat(67),
            field: "name",
            seq: None,
            problem: Problem::TooLong {
                len: 201,
                max: limits::NAME,
            },
        },
        Case {
            name: "css selector too long",
            break_it: |r| target_mut(r, 1).css = "a".repeat(limits::SELECTOR + 1),
            field: "events[1].kind.target.css",
            seq: Some(1),
            problem: Problem::TooLong {
                len: limits::SELECTOR + 1,
                max: limits::SELECTOR,
            },
        },
        Case {
            name: "typed value too long",
            break_it: |r| {
                r.events[2].kind = EventKind::Input(InputEvent {
                    target: target_mut(r, 2).clone(),
                    value: FieldValue::text("x".repeat(limits::VALUE + 1)),
                })
            },
            field: "events[2].kind.value.text",
            seq: Some(2),
            problem: Problem::TooLong {
                len: limits::VALUE + 1,
                max: limits::VALUE,
            },
        },
        Case {
            name: "url too long",
            break_it: |r| {
                r.events[6].url = format!("https://example.com/{}", "p".repeat(limits::URL))
            },
            field: "events[6].url",
            seq: Some(6),
            problem: Problem::TooLong {
                len: limits::URL + 20,
                max: limits::URL,
            },
        },
        Case {
            name: "too many tabs",
            break_it: |r| {
                let template = r.tabs[0].clone();
                r.tabs = (0..=limits::TABS as u32)
                    .map(|tab_id| workflow_format::TabInfo {
                        tab_id,
                        ..template.clone()
                    })
                    .collect();
            },
            field: "tabs",
            seq: None,
            problem: Problem::TooMany {
                count: limits::TABS + 1,
                max: limits::TABS,
            },
        },
        Case {
            name: "too many selected options",
            break_it: |r| {
                if let EventKind::Select(SelectEvent { values, labels, .. }) = &mut r.events[4].kind
                {
                    *values = vec!["v".into(); limits::OPTIONS + 1];
                    *labels = vec!["l".into(); limits::OPTIONS + 1];
                }
            },
            field: "events[4].kind.values",
            seq: Some(4),
            problem: Problem::TooMany {
                count: limits::OPTIONS + 1,
                max: limits::OPTIONS,
            },
        },
        Case {
            name: "frames nested too deep",
            break_it: |r| r.events[6].frame_path = vec![0; limits::DEPTH + 1],
            field: "events[6].frame_path",
            seq: Some(6),
            problem: Problem::TooDeep {
                depth: limits::DEPTH + 1,
                max: limits::DEPTH,
            },
        },
        Case {
            name: "shadow roots nested too deep",
            break_it: |r| target_mut(r, 1).shadow_hosts = vec!["x-host".into(); limits::DEPTH + 1],
            field: "events[1].kind.target.shadow_hosts",
            seq: Some(1),
            problem: Problem::TooDeep {
                depth: limits::DEPTH + 1,
                max: limits::DEPTH,
            },
        },
        Case {
            name: "control character in the name",
            break_it: |r| r.name = "Sign\u{7}in".into(),
            field: "name",
            seq: None,
            problem: Problem::ControlCharacter,
        },
        Case {
            name: "newline in a single-line field",
            break_it: |r| target_mut(r, 1).text = Some("Sign\nin".into()),
            field: "events[1].kind.target.text",
            seq: Some(1),
            problem: Problem::ControlCharacter,
        },
        Case {
            name: "NUL in a typed value",
            break_it: |r| {
                r.events[2].kind = EventKind::Input(InputEvent {
                    target: target_mut(r, 2).clone(),
                    value: FieldValue::text("ada\0@example.com"),
                })
            },
            field: "events[2].kind.value.text",
            seq: Some(2),
            problem: Problem::ControlCharacter,
        },
        Case {
            name: "whitespace inside a url",
            break_it: |r| r.events[0].url = "https://example.com/a b".into(),
            field: "events[0].url",
            seq: Some(0),
            problem: Problem::ControlCharacter,
        },
        Case {
            name: "javascript: event url",
            break_it: |r| r.events[0].url = "javascript:alert(document.cookie)".into(),
            field: "events[0].url",
            seq: Some(0),
            problem: Problem::DisallowedScheme,
        },
        Case {
            name: "data: tab url",
            break_it: |r| r.tabs[1].initial_url = "data:text/html,<script>x()</script>".into(),
            field: "tabs[1].initial_url",
            seq: None,
            problem: Problem::DisallowedScheme,
        },
        Case {
            name: "chrome: navigation source",
            break_it: |r| {
                if let EventKind::Navigate(NavigateEvent { from_url, .. }) = &mut r.events[0].kind {
                    *from_url = Some("chrome://settings".into());
                }
            },
            field: "events[0].kind.from_url",
            seq: Some(0),
            problem: Problem::DisallowedScheme,
        },
        Case {
            name: "file: event url (a forged recording's way to a local file)",
            break_it: |r| r.events[0].url = "file:///home/u/.ssh/id_rsa.txt".into(),
            field: "events[0].url",
            seq: Some(0),
            problem: Problem::DisallowedScheme,
        },
        Case {
            name: "about: tab url other than blank or srcdoc",
            break_it: |r| r.tabs[1].initial_url = "about:config".into(),
            field: "tabs[1].initial_url",
            seq: None,
            problem: Problem::DisallowedScheme,
        },
        Case {
            name: "backslash in a url (a WHATWG parser reads it as a slash)",
            break_it: |r| r.events[0].url = "https://evil.test\\@bank.example.com/".into(),
            field: "events[0].url",
            seq: Some(0),
            problem: Problem::UrlBackslash,
        },
        Case {
            name: "credentials in a url",
            break_it: |r| r.tabs[1].initial_url = "https://bank.example.com@evil.test/".into(),
            field: "tabs[1].initial_url",
            seq: None,
            problem: Problem::UrlCredentials,
        },
        Case {
            name: "url that no browser parses",
            break_it: |r| r.events[0].url = "http://[::1/".into(),
            field: "events[0].url",
            seq: Some(0),
            problem: Problem::UrlUnparsable,
        },
        Case {
            name: "ends before it starts",
            break_it: |r| r.ended_at = r.started_at - Duration::milliseconds(1),
            field: "ended_at",
            seq: None,
            problem: Problem::EndsBeforeStart,
        },
        Case {
            name: "seq gap",
            break_it: |r| {
                r.events.remove(3);
            },
            field: "events[3].seq",
            seq: Some(4),
            problem: Problem::SeqGap {
                expected: 3,
                found: 4,
            },
        },
        Case {
            name: "seq duplicated",
            break_it: |r| r.events[3].seq = 2,
            field: "events[3].seq",
            seq: Some(2),
            problem: Problem::SeqDuplicate { seq: 2 },
        },
        Case {
            name: "event before the start",
            break_it: |r| r.events[2].at = r.started_at - Duration::milliseconds(1),
            field: "events[2].at",
            seq: Some(2),
            problem: Problem::BeforeStart {
                at: common::start() - Duration::milliseconds(1),
                started_at: common::start(),
            },
        },
        Case {
            name: "event after the end",
            break_it: |r| r.events[7].at = r.ended_at + Duration::seconds(1),
            field: "events[7].at",
            seq: Some(7),
            problem: Problem::AfterEnd {
                at: common::start() + Duration::minutes(5) + Duration::seconds(1),
                ended_at: common::start() + Duration::minutes(5),
            },
        },
        Case {
            name: "event in an unlisted tab",
            break_it: |r| r.events[2].tab_id = 99,
            field: "events[2].tab_id",
            seq: Some(2),
            problem: Problem::UnknownTab { tab_id: 99 },
        },
        Case {
            name: "tab listed twice",
            break_it: |r| r.tabs[1].tab_id = TAB,
            field: "tabs[1].tab_id",
            seq: None,
            problem: Problem::DuplicateTab { tab_id: TAB },
        },
        Case {
            name: "target in another frame than its event",
            break_it: |r| target_mut(r, 1).frame_path = vec![0],
            field: "events[1].kind.target.frame_path",
            seq: Some(1),
            problem: Problem::FramePathMismatch,
        },
        Case {
            name: "NaN scroll position",
            break_it: |r| {
                if let EventKind::Scroll(ScrollEvent { y, .. }) = &mut r.events[6].kind {
                    *y = f64::NAN;
                }
            },
            field: "events[6].kind.y",
            seq: Some(6),
            problem: Problem::NotFinite,
        },
        Case {
            name: "infinite click offset",
            break_it: |r| {
                if let EventKind::Click(p) = &mut r.events[1].kind {
                    p.offset.x = f64::INFINITY;
                }
            },
            field: "events[1].kind.offset.x",
            seq: Some(1),
            problem: Problem::NotFinite,
        },
        Case {
            name: "NaN bounds",
            break_it: |r| target_mut(r, 2).bounds.height = f64::NAN,
            field: "events[2].kind.target.bounds.height",
            seq: Some(2),
            problem: Problem::NotFinite,
        },
        Case {
            name: "negative width",
            break_it: |r| target_mut(r, 1).bounds.width = -1.0,
            field: "events[1].kind.target.bounds.width",
            seq: Some(1),
            problem: Problem::OutOfRange,
        },
        Case {
            name: "absurd scroll position",
            break_it: |r| {
                if let EventKind::Scroll(ScrollEvent { x, .. }) = &mut r.events[6].kind {
                    *x = -(limits::COORD * 2.0);
                }
            },
            field: "events[6].kind.x",
            seq: Some(6),
            problem: Problem::OutOfRange,
        },
        Case {
            name: "password captured as text",
            break_it: |r| {
                r.events[3].kind = EventKind::Input(InputEvent {
                    target: password_field(),
                    value: FieldValue::text("hunter2"),
                })
            },
            field: "events[3].kind.value",
            seq: Some(3),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::Password,
            },
        },
        Case {
            name: "show-password field captured as text",
            break_it: |r| {
                let mut t = password_field();
                t.input_type = Some("text".into());
                t.autocomplete = None;
                t.was_password = true;
                r.events[3].kind = EventKind::Input(InputEvent {
                    target: t,
                    value: FieldValue::text("hunter2"),
                })
            },
            field: "events[3].kind.value",
            seq: Some(3),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::Password,
            },
        },
        Case {
            name: "masked PIN field captured as text",
            break_it: |r| {
                let t = target_mut(r, 2);
                // No type=password, no telling name: only the style.
                t.input_type = Some("tel".into());
                t.name = Some("field1".into());
                t.label = None;
                t.placeholder = None;
                t.autocomplete = None;
                t.aria = None;
                t.masked = true;
            },
            field: "events[2].kind.value",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::Masked,
            },
        },
        Case {
            name: "card number field named cardnumber captured as text",
            break_it: |r| {
                let t = target_mut(r, 2);
                t.name = Some("cardnumber".into());
                t.autocomplete = None;
            },
            field: "events[2].kind.value",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::CardData,
            },
        },
        Case {
            name: "CVV field known by its id captured as text",
            break_it: |r| {
                let t = target_mut(r, 2);
                t.id = Some("cvv2".into());
                t.autocomplete = None;
            },
            field: "events[2].kind.value",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::CardData,
            },
        },
        Case {
            name: "IBAN field labelled in German captured as text",
            break_it: |r| target_mut(r, 2).label = Some("Kontonummer".into()),
            field: "events[2].kind.value",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::BankAccount,
            },
        },
        Case {
            name: "password field labelled in French captured as text",
            break_it: |r| target_mut(r, 2).placeholder = Some("Mot de passe".into()),
            field: "events[2].kind.value",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::Password,
            },
        },
        Case {
            name: "Enter on a field named for a one-time code",
            break_it: |r| {
                if let EventKind::Key(KeyEvent {
                    target: Some(t), ..
                }) = &mut r.events[5].kind
                {
                    t.name = Some("otp".into());
                }
            },
            field: "events[5].kind.key",
            seq: Some(5),
            problem: Problem::KeyOnSensitiveField {
                reason: RedactionReason::OneTimeCode,
            },
        },
        Case {
            name: "one-time code in a contenteditable",
            break_it: |r| {
                let mut t = target_mut(r, 2).clone();
                t.autocomplete = Some("one-time-code".into());
                r.events[2].kind = EventKind::ContentEdit(ContentEditEvent {
                    target: t,
                    text: FieldValue::text("123456"),
                })
            },
            field: "events[2].kind.text",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::OneTimeCode,
            },
        },
        Case {
            name: "card expiry select with values",
            break_it: |r| target_mut(r, 4).autocomplete = Some("cc-exp-month".into()),
            field: "events[4].kind.values",
            seq: Some(4),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::CardData,
            },
        },
        Case {
            name: "radio value on a hidden input",
            break_it: |r| {
                let mut t = target_mut(r, 2).clone();
                t.input_type = Some("hidden".into());
                r.events[2].kind = EventKind::Radio(RadioEvent {
                    target: t,
                    value: "secret".into(),
                    via_label: false,
                })
            },
            field: "events[2].kind.value",
            seq: Some(2),
            problem: Problem::RedactionRequired {
                reason: RedactionReason::Hidden,
            },
        },
        Case {
            name: "Enter on a password field",
            break_it: |r| {
                if let EventKind::Key(KeyEvent { target, .. }) = &mut r.events[5].kind {
                    *target = Some(password_field());
                }
            },
            field: "events[5].kind.key",
            seq: Some(5),
            problem: Problem::KeyOnSensitiveField {
                reason: RedactionReason::Password,
            },
        },
        Case {
            name: "a printable key without a modifier",
            break_it: |r| {
                if let EventKind::Key(KeyEvent { key, code, .. }) = &mut r.events[5].kind {
                    *key = "a".into();
                    *code = "KeyA".into();
                }
            },
            field: "events[5].kind.key",
            seq: Some(5),
            problem: Problem::InsignificantKey { key: "a".into() },
        },
        Case {
            name: "labels do not match values",
            break_it: |r| {
                if let EventKind::Select(SelectEvent { labels, .. }) = &mut r.events[4].kind {
                    labels.clear();
                }
            },
            field: "events[4].kind.labels",
            seq: Some(4),
            problem: Problem::LengthMismatch {
                values: 1,
                labels: 0,
            },
        },
    ]
}

#[test]
fn the_fixture_is_valid() {
    recording().validate().unwrap();
}

#[test]
fn each_broken_rule_is_reported_with_its_field_and_seq() {
    let mut failures = Vec::new();
    for case in cases() {
        let mut r = recording();
        (case.break_it)(&mut r);
        let expected = ValidationError {
            field: case.field.to_owned(),
            seq: case.seq,
            problem: case.problem.clone(),
        };
        match r.validate() {
            Err(e) if e == expected => {}
            other => failures.push(format!(
                "{}: expected {expected:?}\n      got {other:?}",
                case.name
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_problem_variant_has_a_case() {
    // A new Problem variant must get a row in the table above: this match
    // stops compiling until it is listed, and the count below until the
    // table has a case for it.
    fn index(p: &Problem) -> usize {
        match p {
            Problem::UnsupportedVersion { .. } => 0,
            Problem::NilId => 1,
            Problem::Empty => 2,
            Problem::TooLong { .. } => 3,
            Problem::TooMany { .. } => 4,
            Problem::TooDeep { .. } => 5,
            Problem::ControlCharacter => 6,
            Problem::DisallowedScheme => 7,
            Problem::EndsBeforeStart => 8,
            Problem::SeqGap { .. } => 9,
            Problem::SeqDuplicate { .. } => 10,
            Problem::BeforeStart { .. } => 11,
            Problem::AfterEnd { .. } => 12,
            Problem::UnknownTab { .. } => 13,
            Problem::DuplicateTab { .. } => 14,
            Problem::FramePathMismatch => 15,
            Problem::NotFinite => 16,
            Problem::OutOfRange => 17,
            Problem::RedactionRequired { .. } => 18,
            Problem::KeyOnSensitiveField { .. } => 19,
            Problem::InsignificantKey { .. } => 20,
            Problem::LengthMismatch { .. } => 21,
            Problem::UrlBackslash => 22,
            Problem::UrlCredentials => 23,
            Problem::UrlUnparsable => 24,
        }
    }
    let mut covered = [false; 25];
    for case in cases() {
        covered[index(&case.problem)] = true;
    }
    let missing: Vec<usize> = (0..covered.len()).filter(|&i| !covered[i]).collect();
    assert!(
        missing.is_empty(),
        "Problem variants without a case: {missing:?}"
    );
}

#[test]
fn display_names_the_field_the_seq_and_the_rule() {
    for case in cases() {
        let mut r = recording();
        (case.break_it)(&mut r);
        let e = r.validate().unwrap_err();
        let shown = e.to_string();
        let expected = match case.seq {
            Some(seq) => format!("{} (event seq {seq}): {}", case.field, case.problem),
            None => format!("{}: {}", case.field, case.problem),
        };
        assert_eq!(shown, expected, "{}", case.name);
    }

    // Two spelled out in full, so the wording itself is pinned down.
    let mut r = recording();
    r.events[3].kind = EventKind::Input(InputEvent {
        target: password_field(),
        value: FieldValue::text("hunter2"),
    });
    assert_eq!(
        r.validate().unwrap_err().to_string(),
        "events[3].kind.value (event seq 3): holds a value although the field requires \
         redaction (Password)"
    );
    let mut r = recording();
    r.format_version = 7;
    assert_eq!(
        r.validate().unwrap_err().to_string(),
        "format_version: format version 7 is not supported (this build reads version 1)"
    );
}

/// Changes a recording in a way the rules allow.
type Change = fn(&mut Recording);

#[test]
fn what_the_rules_allow() {
    let ok: Vec<(&str, Change)> = vec![
        ("line breaks and tabs in a typed value", |r| {
            r.events[2].kind = EventKind::Input(InputEvent {
                target: common::text_field("#email"),
                value: FieldValue::text("line one\r\nline\ttwo"),
            })
        }),
        ("non-ASCII text up to the byte limit", |r| {
            // 50 × 4 bytes = exactly limits::NAME.
            r.name = "🦀".repeat(limits::NAME / 4);
        }),
        ("a value of exactly the limit", |r| {
            r.events[2].kind = EventKind::Input(InputEvent {
                target: common::text_field("#email"),
                value: FieldValue::text("x".repeat(limits::VALUE)),
            })
        }),
        ("redacting a field that did not need it", |r| {
            r.events[2].kind = EventKind::Input(InputEvent {
                target: common::text_field("#email"),
                value: FieldValue::Redacted {
                    reason: RedactionReason::Password,
                },
            })
        }),
        ("frames exactly at the depth limit", |r| {
            r.events[6].frame_path = vec![3; limits::DEPTH]
        }),
        ("a shortcut key on a plain field", |r| {
            if let EventKind::Key(KeyEvent { key, modifiers, .. }) = &mut r.events[5].kind {
                *key = "k".into();
                modifiers.meta = true;
            }
        }),
        ("an empty recording", |r| r.events.clear()),
        ("upper-case scheme and the about: placeholders", |r| {
            r.events[0].url = "HTTPS://EXAMPLE.COM/".into();
            r.tabs[1].initial_url = "about:blank".into();
        }),
        ("an event exactly at the start and one at the end", |r| {
            r.events[0].at = r.started_at;
            r.events[7].at = r.ended_at;
        }),
        ("an event in the second tab", |r| {
            r.events[6].tab_id = OTHER_TAB
        }),
    ];
    for (what, change) in ok {
        let mut r = recording();
        change(&mut r);
        if let Err(e) = r.validate() {
            panic!("{what}: {e}");
        }
    }
}

// ---- from_json_slice ----------------------------------------------------

fn fixture_json() -> serde_json::Value {
    serde_json::to_value(recording()).unwrap()
}

fn parse_value(v: &serde_json::Value) -> Result<Recording, ParseError> {
    from_json_slice(&serde_json::to_vec(v).unwrap())
}

fn shape(result: Result<Recording, ParseError>) -> (String, String) {
    match result {
        Err(ParseError::Shape { path, message }) => (path, message),
        other => panic!("expected a Shape error, got {other:?}"),
    }
}

fn syntax(result: Result<Recording, ParseError>) -> (usize, usize, String) {
    match result {
        Err(ParseError::Syntax {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a Syntax error, got {other:?}"),
    }
}

#[test]
fn canonical_json_reads_back() {
    let r = recording();
    assert_eq!(from_json_slice(&to_canonical_json(&r)).unwrap(), r);
}

#[test]
fn malformed_json_is_a_syntax_error_with_line_and_column() {
    let (line, column, message) =
        syntax(from_json_slice(b"{\n  \"format_version\": 1,\n  \"id\": }"));
    assert_eq!((line, column), (3, 9), "{message}");
    assert!(
        !message.contains(" at line "),
        "position repeated: {message}"
    );

    let err = from_json_slice(b"{\n  \"format_version\": 1,\n  \"id\": }").unwrap_err();
    assert!(err.is_syntax());
    assert!(
        err.to_string()
            .starts_with("malformed JSON at line 3, column 9: "),
        "{err}"
    );
}

#[test]
fn truncated_and_empty_input_are_syntax_errors() {
    let full = to_canonical_json(&recording());
    let (line, column, _) = syntax(from_json_slice(&full[..full.len() - 3]));
    assert_eq!((line, column), (1, full.len() - 3));
    let (line, column, message) = syntax(from_json_slice(b""));
    assert_eq!((line, column), (1, 0), "{message}");
}

#[test]
fn trailing_garbage_is_a_syntax_error() {
    let mut bytes = to_canonical_json(&recording());
    bytes.extend_from_slice(b"\n{}");
    let (line, column, message) = syntax(from_json_slice(&bytes));
    assert_eq!((line, column), (2, 1));
    assert!(message.contains("trailing"), "{message}");

    // Trailing whitespace is not garbage.
    let mut bytes = to_canonical_json(&recording());
    bytes.extend_from_slice(b"\n  \n");
    from_json_slice(&bytes).unwrap();
}

#[test]
fn unknown_fields_are_refused_with_their_path() {
    let mut v = fixture_json();
    v["debug"] = true.into();
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "debug");
    assert!(message.contains("unknown field `debug`"), "{message}");

    let mut v = fixture_json();
    v["recorder"]["extension_id"] = "x".into();
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "recorder.extension_id");
    assert!(
        message.contains("unknown field `extension_id`"),
        "{message}"
    );

    // Inside an event kind serde buffers the tagged content, so the path
    // ends at the kind; the message names the field.
    let mut v = fixture_json();
    v["events"][1]["kind"]["target"]["onclick"] = "steal()".into();
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "events[1].kind");
    assert!(message.contains("unknown field `onclick`"), "{message}");
}

#[test]
fn unknown_event_types_are_refused_with_their_path() {
    let mut v = fixture_json();
    v["events"][0]["kind"] = serde_json::json!({"type": "run_script", "source": "x()"});
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "events[0].kind.type");
    assert!(
        message.contains("unknown variant `run_script`"),
        "{message}"
    );

    let err = parse_value(&v).unwrap_err();
    assert!(!err.is_syntax());
    assert!(
        err.to_string().starts_with("events[0].kind.type: "),
        "{err}"
    );
}

#[test]
fn wrong_types_and_missing_fields_are_refused_with_their_path() {
    let mut v = fixture_json();
    v["events"][2]["seq"] = "two".into();
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "events[2].seq");
    assert!(message.contains("invalid type"), "{message}");

    let mut v = fixture_json();
    v["format_version"] = (-1).into();
    assert_eq!(shape(parse_value(&v)).0, "format_version");

    let mut v = fixture_json();
    v["started_at"] = "last tuesday".into();
    assert_eq!(shape(parse_value(&v)).0, "started_at");

    let mut v = fixture_json();
    v["recorder"].as_object_mut().unwrap().remove("version");
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "recorder");
    assert!(message.contains("missing field `version`"), "{message}");

    let (path, message) = shape(from_json_slice(b"42"));
    assert_eq!(path, "(root)");
    assert!(message.contains("expected struct Recording"), "{message}");
}

/// A version the crate does not know still parses when its shape is v1's;
/// `validate()` is what refuses it, naming the version. (A v2 document with
/// a different shape fails earlier, at parsing, on the first unknown field.)
#[test]
fn unknown_versions_parse_but_do_not_validate() {
    let mut v = fixture_json();
    v["format_version"] = 2.into();
    let r = parse_value(&v).unwrap();
    assert_eq!(
        r.validate().unwrap_err().problem,
        Problem::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    );
}

/// Members typed `T | null` may be left out; they read as `null`.
#[test]
fn masked_and_id_are_left_out_when_unset_and_read_back_when_set() {
    // Recordings made before these members existed have neither: they are
    // left out when unset, so such a recording is what we write today.
    let v = fixture_json();
    let target = v["events"][2]["kind"]["target"].as_object().unwrap();
    assert!(!target.contains_key("masked") && !target.contains_key("id"));
    parse_value(&v).unwrap().validate().unwrap();

    let mut r = recording();
    let t = target_mut(&mut r, 2);
    t.masked = true;
    t.id = Some("pin".into());
    r.events[2].kind = EventKind::Input(InputEvent {
        target: t.clone(),
        value: FieldValue::Redacted {
            reason: RedactionReason::Password,
        },
    });
    r.validate().unwrap();
    let back = from_json_slice(&to_canonical_json(&r)).unwrap();
    assert_eq!(back, r);
    let t = back.events[2].target().unwrap();
    assert!(t.masked);
    assert_eq!(t.id.as_deref(), Some("pin"));
    // An `id` is a single line of bounded length like `name`.
    let mut r = recording();
    target_mut(&mut r, 1).id = Some("a\nb".into());
    let err = r.validate().unwrap_err();
    assert_eq!(err.field, "events[1].kind.target.id");
    assert_eq!(err.problem, Problem::ControlCharacter);
}

#[test]
fn optional_members_may_be_omitted() {
    let mut v = fixture_json();
    for member in [
        "aria",
        "text",
        "input_type",
        "name",
        "label",
        "placeholder",
        "autocomplete",
    ] {
        v["events"][1]["kind"]["target"]
            .as_object_mut()
            .unwrap()
            .remove(member);
    }
    v["events"][0]["kind"]
        .as_object_mut()
        .unwrap()
        .remove("from_url");
    v["tabs"][0]
        .as_object_mut()
        .unwrap()
        .remove("opener_tab_id");
    let r = parse_value(&v).unwrap();
    r.validate().unwrap();
    let EventKind::Click(p) = &r.events[1].kind else {
        panic!("event 1 is a click")
    };
    assert_eq!((&p.target.aria, &p.target.name), (&None, &None));

    // A required member may not.
    let mut v = fixture_json();
    v["events"][1]["kind"]["target"]
        .as_object_mut()
        .unwrap()
        .remove("was_password");
    let (path, message) = shape(parse_value(&v));
    assert_eq!(path, "events[1].kind");
    assert!(
        message.contains("missing field `was_password`"),
        "{message}"
    );
}

/// serde would read a struct from an array of its field values; the format
/// has no such form (the schema says "object"), so the parser refuses it,
/// naming the member.
#[test]
fn objects_given_as_arrays_are_refused_with_their_path() {
    fn as_array(v: &serde_json::Value, order: &[&str]) -> serde_json::Value {
        order.iter().map(|k| v[*k].clone()).collect()
    }
    let fixture = fixture_json();

    let root = as_array(
        &fixture,
        &[
            "format_version",
            "id",
            "name",
            "started_at",
            "ended_at",
            "recorder",
            "tabs",
            "events",
        ],
    );
    let (path, message) = shape(parse_value(&root));
    assert_eq!(path, "(root)");
    assert!(message.contains("invalid type: sequence"), "{message}");

    let mut v = fixture.clone();
    v["recorder"] = as_array(&fixture["recorder"], &["version", "user_agent"]);
    assert_eq!(shape(parse_value(&v)).0, "recorder");

    let mut v = fixture.clone();
    v["events"][0] = as_array(
        &fixture["events"][0],
        &["seq", "at", "tab_id", "frame_path", "url", "kind"],
    );
    assert_eq!(shape(parse_value(&v)).0, "events[0]");

    let mut v = fixture.clone();
    let bounds = &fixture["events"][1]["kind"]["target"]["bounds"];
    v["events"][1]["kind"]["target"]["bounds"] = as_array(bounds, &["x", "y", "width", "height"]);
    assert_eq!(shape(parse_value(&v)).0, "events[1].kind.target.bounds");

    // Arrays where the format has them are fine, empty or not.
    let mut v = fixture.clone();
    v["events"][1]["kind"]["target"]["shadow_hosts"] = serde_json::json!(["app-shell"]);
    parse_value(&v).unwrap().validate().unwrap();
}

/// The relay stores the bytes it received when they are canonical, so the
/// check must say yes exactly for `to_canonical_json`'s bytes: not for the
/// same recording pretty-printed, reordered, or one byte off.
#[test]
fn canonical_bytes_are_recognised_and_nothing_else() {
    let r = recording();
    let canonical = to_canonical_json(&r);
    assert!(workflow_format::is_canonical_json(&r, &canonical));
    let mut streamed = Vec::new();
    workflow_format::write_canonical_json(&r, &mut streamed).unwrap();
    assert_eq!(streamed, canonical);

    let pretty = serde_json::to_vec_pretty(&r).unwrap();
    assert!(!workflow_format::is_canonical_json(&r, &pretty));
    assert!(!workflow_format::is_canonical_json(
        &r,
        &canonical[..canonical.len() - 1]
    ));
    let mut longer = canonical.clone();
    longer.push(b' ');
    assert!(!workflow_format::is_canonical_json(&r, &longer));
    // Same members, another order: parses to the same recording, is not
    // canonical.
    let mut v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&canonical).unwrap();
    let name = v.remove("name").unwrap();
    v.insert("name".into(), name);
    let reordered = serde_json::to_vec(&v).unwrap();
    assert_eq!(from_json_slice(&reordered).unwrap(), r);
    assert!(!workflow_format::is_canonical_json(&r, &reordered));
    let mut other = r.clone();
    other.name.push('!');
    assert!(!workflow_format::is_canonical_json(&other, &canonical));
}
