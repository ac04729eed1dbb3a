//! The [`CapturedEvent`] a content script hands to the service worker.
//!
//! A frame does not know its tab id or the event's place in the recording;
//! the worker adds `seq` and `tab_id`. The message type is the format's own
//! `CapturedEvent`, so there is no second schema to drift.
//!
//! The full per-event validation is not run here: the worker runs it on
//! every event it receives (`worker-core`'s `Session::accept`) and refuses
//! what fails, and the outbox drops refused events instead of resending
//! them. Shipping the validator in the content script would add its code to
//! every frame of every page. The cheap checks below catch what a page can
//! cause on its own (its URL, its clock, its frame depth).

use chrono::{DateTime, Utc};
use workflow_format::{CapturedEvent, EventKind, FramePath, limits};

use crate::capture::url_ok;

/// The event, or `None` when it could never pass the format's validation
/// because of the page (a URL over the limit or with a refused scheme, a
/// clock before 1970, frames nested too deeply).
pub fn captured(
    at_ms: f64,
    url: &str,
    frame_path: &FramePath,
    kind: EventKind,
) -> Option<CapturedEvent> {
    if !at_ms.is_finite() || !url_ok(url) || frame_path.len() > limits::DEPTH {
        return None;
    }
    let at: DateTime<Utc> = DateTime::from_timestamp_millis(at_ms as i64)?;
    Some(CapturedEvent {
        at,
        frame_path: frame_path.clone(),
        url: url.to_owned(),
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{self, ClickKind, ElementFacts};
    use crate::selector::Step;
    use serde_json::json;
    use workflow_format::{Modifiers, Point, Rect};

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
        assert!(captured(0.0, "https://x/", &vec![], kind).is_some());
    }
}
