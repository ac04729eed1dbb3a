//! The message a content script hands to the service worker for one event.
//!
//! A frame does not know its tab id or the event's position in the
//! recording; the service worker adds `seq` and `tab_id` and so completes a
//! `workflow_format::Event`. Until the format grows a named "partial event"
//! type, the envelope is exactly that event minus those two fields, built
//! from the format's own types so there is no second schema to drift.

use chrono::{DateTime, Utc};
use serde_json::json;
use workflow_format::{EventKind, FramePath, limits};

/// The JSON text for one captured event, or `None` when it could never pass
/// the relay's validation (a URL over the limit, a clock before 1970).
pub fn envelope(at_ms: f64, url: &str, frame_path: &FramePath, kind: &EventKind) -> Option<String> {
    if !at_ms.is_finite() || url.len() > limits::URL || frame_path.len() > limits::DEPTH {
        return None;
    }
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(at_ms as i64)?;
    Some(
        json!({
            "at": at,
            "url": url,
            "frame_path": frame_path,
            "kind": kind,
        })
        .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{self, ElementFacts};
    use crate::selector::Step;
    use workflow_format::{Modifiers, Point, Rect};

    fn click_kind(frame_path: &FramePath) -> EventKind {
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
        let target = capture::target(&facts, frame_path, |_| true).unwrap();
        capture::click(target, 0, Modifiers::default(), Point { x: 2.0, y: 3.0 }).unwrap()
    }

    /// The envelope plus `seq` and `tab_id` must be an event the relay
    /// accepts: wrap it in a recording and run the format's own validation.
    #[test]
    fn completed_envelope_passes_format_validation() {
        let frame_path = vec![0, 2];
        let json = envelope(
            1_700_000_000_123.0,
            "http://127.0.0.1:8080/page",
            &frame_path,
            &click_kind(&frame_path),
        )
        .unwrap();
        let mut event: serde_json::Value = serde_json::from_str(&json).unwrap();
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
        assert!(envelope(f64::NAN, "http://x/", &vec![], &kind).is_none());
        let long_url = format!("http://x/{}", "a".repeat(limits::URL));
        assert!(envelope(0.0, &long_url, &vec![], &kind).is_none());
        let deep = vec![0; limits::DEPTH + 1];
        assert!(envelope(0.0, "http://x/", &deep, &kind).is_none());
    }
}
