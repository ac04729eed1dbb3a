//! The [`CapturedEvent`] a content script hands to the service worker.
//!
//! A frame does not know its tab id or the event's place in the recording;
//! the worker adds `seq` and `tab_id`. The message type is the format's own
//! `CapturedEvent`, so there is no second schema to drift, and every event
//! is checked here with the very rules the worker and the relay apply: an
//! event they would refuse is dropped at the source instead of stalling
//! the delivery queue.

use chrono::{DateTime, Utc};
use workflow_format::{CapturedEvent, EventKind, FramePath};

/// The event, or `None` when it could never pass the format's validation
/// (a URL over the limit or with a refused scheme, a clock before 1970).
pub fn captured(
    at_ms: f64,
    url: &str,
    frame_path: &FramePath,
    kind: EventKind,
) -> Option<CapturedEvent> {
    if !at_ms.is_finite() {
        return None;
    }
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(at_ms as i64)?;
    let event = CapturedEvent {
        at,
        frame_path: frame_path.clone(),
        url: url.to_owned(),
        kind,
    };
    // `validate_alone` needs a whole `Event`; seq and tab id do not take
    // part in the per-event rules, so placeholders do.
    event.clone().into_event(0, 0).validate_alone().ok()?;
    Some(event)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{self, ClickKind, ElementFacts};
    use crate::selector::Step;
    use serde_json::json;
    use workflow_format::{FieldValue, Modifiers, Point, Rect, limits};

    fn button(frame_path: &FramePath) -> workflow_format::Target {
        let facts = ElementFacts {
            chain: vec![
                Step {
                    tag: "button".into(),
                    nth_of_type: 2,
                    of_type_count: 2,
                    ..Step::default()
                },
                Step {
                    tag: "html".into(),
                    nth_of_type: 1,
                    of_type_count: 1,
                    ..Step::default()
                },
            ],
            text: Some("Save".into()),
            bounds: Rect {
                x: 1.0,
                y: 2.0,
                width: 3.0,
                height: 4.0,
            },
            ..ElementFacts::default()
        };
        capture::target(&facts, frame_path, |_| true).unwrap()
    }

    fn click_kind(frame_path: &FramePath) -> EventKind {
        capture::click(
            ClickKind::Click,
            button(frame_path),
            0,
            Modifiers::default(),
            Point { x: 2.0, y: 3.0 },
        )
        .unwrap()
    }

    /// The JSON plus `seq` and `tab_id` must be an event the relay accepts:
    /// wrap it in a recording and run the format's own parser and checks.
    #[test]
    fn completed_event_passes_format_validation() {
        let frame_path = vec![0, 2];
        let event = captured(
            1_700_000_000_123.0,
            "http://127.0.0.1:8080/page",
            &frame_path,
            click_kind(&frame_path),
        )
        .unwrap();
        let mut event = serde_json::to_value(&event).unwrap();
        assert_eq!(event["at"], "2023-11-14T22:13:20.123Z");
        assert_eq!(event["kind"]["type"], "click");
        event["seq"] = 0.into();
        event["tab_id"] = 7.into();
        let recording = json!({
            "format_version": workflow_format::FORMAT_VERSION,
            "id": "00000000-0000-4000-8000-000000000001",
            "name": "t",
            "started_at": "2023-11-14T22:13:20Z",
            "ended_at": "2023-11-14T22:14:20Z",
            "recorder": {"version": "0.1.0", "user_agent": "test"},
            "tabs": [{"tab_id": 7, "opener_tab_id": null, "initial_url": "http://127.0.0.1:8080/page", "title": ""}],
            "events": [event],
        });
        let parsed = workflow_format::from_json_slice(recording.to_string().as_bytes()).unwrap();
        parsed.validate().unwrap();
    }

    #[test]
    fn refuses_what_the_relay_would_refuse() {
        let kind = click_kind(&vec![]);
        assert!(captured(f64::NAN, "http://x/", &vec![], kind.clone()).is_none());
        let long_url = format!("http://x/{}", "a".repeat(limits::URL));
        assert!(captured(0.0, &long_url, &vec![], kind.clone()).is_none());
        assert!(captured(0.0, "javascript:alert(1)", &vec![], kind.clone()).is_none());
        let deep = vec![0; limits::DEPTH + 1];
        assert!(captured(0.0, "http://x/", &deep, kind.clone()).is_none());
        // The target's frame path must be the event's.
        assert!(captured(0.0, "http://x/", &vec![1], kind).is_none());
    }

    #[test]
    fn a_hand_built_unredacted_password_is_refused() {
        // Belt and braces: even if a builder bug put a value on a password
        // field, the validation here would stop it before it is sent.
        let mut t = button(&vec![]);
        t.tag = "input".into();
        t.input_type = Some("password".into());
        let kind = EventKind::Input {
            target: t,
            value: FieldValue::text("hunter2"),
        };
        assert!(captured(0.0, "http://x/", &vec![], kind).is_none());
    }
}
