//! Large, valid recordings for the benchmarks.
//!
//! The events are the published example's events (clicks, typing, frames,
//! shadow DOM, navigations) repeated with fresh `seq` and timestamps, so the
//! bytes the relay parses look like what the extension really sends rather
//! than a million copies of one tiny event.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use workflow_format::{
    Event, EventKind, Modifiers, MouseButton, NavigateEvent, NavigationCause, Point, Pointer,
    RecorderInfo, Recording, TabInfo, Target, from_json_str,
};

/// A realistic recording with frames and shadow roots (workflow-format's
/// own example, so it follows the format whenever the format changes).
const EXAMPLE: &str = include_str!("../../format/examples/iframes-and-shadow-dom.json");

/// The example's events, parsed once per call.
pub fn template_events() -> Vec<Event> {
    from_json_str(EXAMPLE)
        .expect("the workflow-format example parses")
        .events
}

/// A valid recording with `events` events and the given id.
pub fn recording(id: Uuid, events: usize) -> Recording {
    let template = from_json_str(EXAMPLE).expect("the workflow-format example parses");
    let started = template.started_at;
    let mut out = template.clone();
    out.id = id;
    out.name = format!("bench recording of {events} events");
    out.events = Vec::with_capacity(events);
    for seq in 0..events {
        let mut e = template.events[seq % template.events.len()].clone();
        e.seq = seq as u64;
        e.at = at(started, seq);
        out.events.push(e);
    }
    out.ended_at = at(started, events);
    debug_assert!(out.validate().is_ok());
    out
}

/// The number of buttons (`#b0` ... `#b49`) on the replay benchmark's page;
/// click `i` of a replay recording goes to button `i % REPLAY_BUTTONS`.
pub const REPLAY_BUTTONS: usize = 50;

/// A recording for the replay benchmark: load `url`, then `clicks` primary
/// clicks on the page's buttons, none of which navigates. Each target has a
/// unique id selector first, so the replayer's first alternative finds it
/// and the figure is replay overhead, not locator fallbacks.
pub fn replay_recording(id: Uuid, url: &str, clicks: usize) -> Recording {
    let start: DateTime<Utc> = DateTime::from_timestamp(1_790_000_000, 0).expect("in range");
    let event = |seq: usize, kind: EventKind| Event {
        seq: seq as u64,
        at: at(start, seq),
        tab_id: 1,
        frame_path: Vec::new(),
        url: url.to_owned(),
        kind,
    };
    let mut events = vec![event(
        0,
        EventKind::Navigate(NavigateEvent {
            cause: NavigationCause::Load,
            title: "replay bench".into(),
            from_url: None,
        }),
    )];
    for i in 0..clicks {
        let b = i % REPLAY_BUTTONS;
        let target = Target::test("button")
            .aria("button", format!("Button {b}"))
            .text(format!("Button {b}"))
            .css(format!("#b{b}"))
            .xpath(format!("//*[@id=\"b{b}\"]"))
            .input_type("button")
            .bounds(8.0, 8.0 + 24.0 * b as f64, 80.0, 20.0)
            .build();
        events.push(event(
            i + 1,
            EventKind::Click(Pointer {
                target,
                button: MouseButton::Primary,
                modifiers: Modifiers::default(),
                offset: Point { x: 5.0, y: 5.0 },
            }),
        ));
    }
    let rec = Recording {
        format_version: workflow_format::FORMAT_VERSION,
        id,
        name: format!("replay bench, {clicks} clicks"),
        started_at: start,
        ended_at: at(start, clicks + 1),
        recorder: RecorderInfo {
            version: "0.1.0".into(),
            user_agent: "clawtrail-bench".into(),
        },
        tabs: vec![TabInfo {
            tab_id: 1,
            opener_tab_id: None,
            initial_url: url.to_owned(),
            title: String::new(),
        }],
        events,
    };
    debug_assert!(rec.validate().is_ok());
    rec
}

/// One event every 10 ms: monotonic, and 100k events still span minutes.
fn at(start: DateTime<Utc>, seq: usize) -> DateTime<Utc> {
    start + Duration::milliseconds(10 * seq as i64)
}

/// Deterministic distinct ids (v4-shaped), so runs are reproducible. `n`
/// sits in the last eight bytes, clear of the version and variant bits.
pub fn id(n: u64) -> Uuid {
    let mut bytes = [0x5e; 16];
    bytes[8..].copy_from_slice(&n.to_be_bytes());
    let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
    debug_assert_eq!(&id.as_bytes()[9..], &n.to_be_bytes()[1..]);
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_recordings_are_valid_and_round_trip() {
        for n in [0, 1, 7, 1000] {
            let r = recording(id(n as u64), n);
            r.validate().expect("valid");
            assert_eq!(r.events.len(), n);
            let bytes = workflow_format::to_canonical_json(&r);
            assert_eq!(workflow_format::from_json_slice(&bytes).unwrap(), r);
        }
        for clicks in [1, 50] {
            let r = replay_recording(id(7), "http://127.0.0.1:1/page", clicks);
            r.validate().expect("valid replay recording");
            assert_eq!(r.events.len(), clicks + 1);
        }
        assert_ne!(id(1), id(2));
        assert_ne!(id(0), id(64));
        assert!(!id(0).is_nil());
    }
}
