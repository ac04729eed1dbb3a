//! The example recordings under `examples/` are documentation that a
//! machine checks: every one must parse and validate, and each must really
//! show what its name promises.

mod common;

use std::collections::BTreeSet;

use common::{example_files, read_example};
use workflow_format::{
    ContentEditEvent, EventKind, FieldValue, InputEvent, KeyEvent, NavigateEvent, NavigationCause,
    RadioEvent, Recording, RedactionReason, SelectEvent, TabOpenedEvent, Target, from_json_slice,
    to_canonical_json,
};

#[test]
fn every_example_parses_validates_and_round_trips() {
    for path in example_files() {
        let name = path.display();
        let bytes = std::fs::read(&path).unwrap();
        let recording = from_json_slice(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        recording
            .validate()
            .unwrap_or_else(|e| panic!("{name} does not validate: {e}"));
        assert!(!recording.events.is_empty(), "{name} has no events");

        let canonical = to_canonical_json(&recording);
        assert_eq!(
            from_json_slice(&canonical).unwrap(),
            recording,
            "{name}: canonical JSON does not read back equal"
        );
    }
}

/// Examples spell out every field, `null`s included, exactly as a recorder
/// would send them, so that a reader of the file sees the whole shape.
#[test]
fn every_example_is_stored_as_serde_json_pretty_prints_it() {
    for path in example_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let recording = from_json_slice(text.as_bytes()).unwrap();
        let pretty = serde_json::to_string_pretty(&recording).unwrap() + "\n";
        if text != pretty {
            let line = text
                .lines()
                .zip(pretty.lines())
                .position(|(a, b)| a != b)
                .map_or(text.lines().count().min(pretty.lines().count()), |i| i);
            panic!(
                "{} differs from its pretty-printed form at line {}:\n  file: {:?}\n  want: {:?}",
                path.display(),
                line + 1,
                text.lines().nth(line),
                pretty.lines().nth(line)
            );
        }
    }
}

#[test]
fn the_examples_together_show_every_event_type() {
    let mut seen = BTreeSet::new();
    for path in example_files() {
        let recording = from_json_slice(&std::fs::read(&path).unwrap()).unwrap();
        seen.extend(recording.events.iter().map(|e| e.kind.type_name()));
    }
    let all = [
        "click",
        "double_click",
        "context_click",
        "input",
        "select",
        "checkbox",
        "radio",
        "content_edit",
        "submit",
        "key",
        "scroll",
        "navigate",
        "tab_opened",
        "tab_activated",
        "tab_closed",
    ];
    let missing: Vec<_> = all.iter().filter(|t| !seen.contains(*t)).collect();
    assert!(missing.is_empty(), "no example shows {missing:?}");
}

fn kinds<'a>(r: &'a Recording, type_name: &str) -> Vec<&'a workflow_format::Event> {
    r.events
        .iter()
        .filter(|e| e.kind.type_name() == type_name)
        .collect()
}

fn targets(r: &Recording) -> impl Iterator<Item = &Target> {
    r.events.iter().filter_map(|e| e.target())
}

#[test]
fn multi_page_form_covers_pages_spa_routes_and_a_second_tab() {
    let (_, r) = read_example("multi-page-form.json");

    // Several real page loads, and one pushState route change whose URL is
    // the new route and whose from_url is the page before it.
    let loads: BTreeSet<&str> = r
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Navigate(NavigateEvent {
                    cause: NavigationCause::Load,
                    ..
                })
            )
        })
        .map(|e| e.url.as_str())
        .collect();
    assert!(loads.len() >= 3, "only {} distinct page loads", loads.len());
    let (i, push) = r
        .events
        .iter()
        .enumerate()
        .find(|(_, e)| {
            matches!(
                e.kind,
                EventKind::Navigate(NavigateEvent {
                    cause: NavigationCause::PushState,
                    ..
                })
            )
        })
        .expect("a pushState navigation");
    let EventKind::Navigate(NavigateEvent { from_url, .. }) = &push.kind else {
        unreachable!()
    };
    assert_eq!(from_url.as_deref(), Some(r.events[i - 1].url.as_str()));
    assert_ne!(push.url, r.events[i - 1].url);

    // Realistic targets: ARIA, visible text, id and data-testid selectors.
    assert!(targets(&r).any(|t| t.css == "#email" && t.aria.is_some()));
    assert!(targets(&r).any(|t| t.css.starts_with("[data-testid=")));
    assert!(targets(&r).any(|t| t.text.is_some() && t.tag == "a"));
    assert!(targets(&r).all(|t| t.bounds.width > 0.0 && t.bounds.height > 0.0));
    let typed: Vec<&str> = r
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Input(InputEvent { value, .. }) => value.as_text(),
            _ => None,
        })
        .collect();
    assert!(typed.contains(&"ada.lovelace@example.com"), "{typed:?}");
    for t in ["select", "checkbox", "radio", "submit", "scroll"] {
        assert!(!kinds(&r, t).is_empty(), "no {t} event");
    }
    assert!(
        kinds(&r, "key")
            .iter()
            .any(|e| matches!(&e.kind, EventKind::Key(KeyEvent { key, .. }) if key == "Enter"))
    );

    // The second tab: opened by the first, activated, used, closed, and
    // never heard of again after closing.
    assert_eq!(r.tabs.len(), 2);
    let (first, second) = (&r.tabs[0], &r.tabs[1]);
    assert_eq!(first.opener_tab_id, None);
    assert_eq!(second.opener_tab_id, Some(first.tab_id));
    let in_second: Vec<&str> = r
        .events
        .iter()
        .filter(|e| e.tab_id == second.tab_id)
        .map(|e| e.kind.type_name())
        .collect();
    assert_eq!(in_second.first(), Some(&"tab_opened"));
    assert_eq!(in_second.last(), Some(&"tab_closed"));
    assert!(in_second.contains(&"tab_activated"));
    let opened = kinds(&r, "tab_opened");
    assert!(matches!(
        opened[0].kind,
        EventKind::TabOpened(TabOpenedEvent { opener_tab_id: Some(o) }) if o == first.tab_id
    ));
    assert_eq!(opened[0].url, second.initial_url);
    // The user comes back to the first tab after closing the second.
    let closed_at = r
        .events
        .iter()
        .position(|e| matches!(e.kind, EventKind::TabClosed))
        .unwrap();
    assert!(
        r.events[closed_at..]
            .iter()
            .any(|e| matches!(e.kind, EventKind::TabActivated) && e.tab_id == first.tab_id)
    );
}

#[test]
fn iframes_and_shadow_dom_has_nested_frames_and_shadow_roots() {
    let (_, r) = read_example("iframes-and-shadow-dom.json");
    let top_origin = origin(&r.tabs[0].initial_url);

    let same_origin_frame: Vec<_> = r.events.iter().filter(|e| e.frame_path == [0]).collect();
    assert!(
        same_origin_frame
            .iter()
            .any(|e| e.target().is_some() && origin(&e.url) == top_origin),
        "no interaction in a same-origin iframe [0]"
    );
    let nested: Vec<_> = r.events.iter().filter(|e| e.frame_path == [0, 1]).collect();
    assert!(
        nested
            .iter()
            .any(|e| e.target().is_some() && origin(&e.url) != top_origin),
        "no interaction in a cross-origin nested iframe [0, 1]"
    );
    // A target's frame_path is always its event's (validate() checks it,
    // this makes sure the example exercises it with non-empty paths).
    assert!(
        r.events
            .iter()
            .filter_map(|e| e.target().map(|t| (e, t)))
            .any(|(e, t)| !t.frame_path.is_empty() && t.frame_path == e.frame_path)
    );

    let shadowed: Vec<&Target> = targets(&r).filter(|t| t.shadow_hosts.len() == 2).collect();
    assert!(!shadowed.is_empty(), "no target two shadow roots deep");
    assert!(
        shadowed
            .iter()
            .all(|t| t.shadow_hosts.iter().all(|h| !h.trim().is_empty()))
    );

    let edits: Vec<&str> = r
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ContentEdit(ContentEditEvent { text, .. }) => text.as_text(),
            _ => None,
        })
        .collect();
    assert!(
        edits.iter().any(|t| t.contains('\n')),
        "no multi-line contenteditable edit: {edits:?}"
    );
}

fn origin(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    &url[..end]
}

#[test]
fn redacted_fields_never_carry_a_sensitive_value() {
    let (_, r) = read_example("redacted-fields.json");

    let mut reasons = BTreeSet::new();
    let mut redacted_values = 0;
    for e in &r.events {
        let Some(target) = e.target() else { continue };
        let Some(reason) = target.redaction_reason() else {
            continue;
        };
        reasons.insert(format!("{reason:?}"));
        match &e.kind {
            EventKind::Input(InputEvent { value, .. })
            | EventKind::ContentEdit(ContentEditEvent { text: value, .. }) => {
                assert_eq!(
                    value,
                    &FieldValue::Redacted { reason },
                    "seq {}: sensitive field not redacted with its own reason",
                    e.seq
                );
                redacted_values += 1;
            }
            EventKind::Select(SelectEvent { values, labels, .. }) => {
                assert!(values.is_empty() && labels.is_empty(), "seq {}", e.seq);
            }
            EventKind::Radio(RadioEvent { value, .. }) => {
                assert!(value.is_empty(), "seq {}", e.seq)
            }
            EventKind::Key(_) => panic!("seq {}: key event on a sensitive field", e.seq),
            _ => {}
        }
    }
    assert_eq!(
        reasons,
        BTreeSet::from(["CardData".into(), "OneTimeCode".into(), "Password".into()])
    );
    assert!(
        redacted_values >= 6,
        "only {redacted_values} redacted values"
    );

    // The show-password toggle case: a field that is type=text now but was
    // a password field, redacted all the same.
    assert!(targets(&r).any(|t| t.was_password
        && t.input_type.as_deref() == Some("text")
        && t.redaction_reason() == Some(RedactionReason::Password)));
    for token in ["cc-number", "cc-exp", "cc-csc", "one-time-code"] {
        assert!(
            targets(&r).any(|t| t
                .autocomplete
                .as_deref()
                .is_some_and(|a| a.split_whitespace().any(|w| w == token))),
            "no field with autocomplete {token}"
        );
    }

    // Whatever *was* captured holds nothing that looks like a code or a card
    // number (six or more digits in a row).
    for e in &r.events {
        let captured: Vec<&str> = match &e.kind {
            EventKind::Input(InputEvent { value, .. }) => value.as_text().into_iter().collect(),
            EventKind::Select(SelectEvent { values, labels, .. }) => {
                values.iter().chain(labels).map(String::as_str).collect()
            }
            EventKind::Radio(RadioEvent { value, .. }) => vec![value.as_str()],
            _ => vec![],
        };
        for s in captured {
            assert!(
                !has_digit_run(s, 6),
                "seq {}: captured value {s:?} looks secret",
                e.seq
            );
        }
    }
}

fn has_digit_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for c in s.chars() {
        if c.is_ascii_digit() {
            run += 1;
            if run >= n {
                return true;
            }
        } else if c != ' ' && c != '-' {
            run = 0;
        }
    }
    false
}

/// The JSON in docs/FORMAT.md is checked like the example files: every
/// ```json block is JSON, and every complete recording in it parses and
/// validates.
#[test]
fn the_json_in_format_md_is_right() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/FORMAT.md");
    let doc = std::fs::read_to_string(&path).expect("docs/FORMAT.md exists");
    let mut recordings = 0;
    for (i, block) in doc.split("```json\n").skip(1).enumerate() {
        let block = block.split("```").next().unwrap();
        let value: serde_json::Value =
            serde_json::from_str(block).unwrap_or_else(|e| panic!("FORMAT.md json block {i}: {e}"));
        if value.get("format_version").is_some() {
            let r = from_json_slice(block.as_bytes())
                .unwrap_or_else(|e| panic!("FORMAT.md json block {i}: {e}"));
            r.validate()
                .unwrap_or_else(|e| panic!("FORMAT.md json block {i}: {e}"));
            recordings += 1;
        }
    }
    assert!(recordings >= 1, "FORMAT.md shows no complete recording");
}
