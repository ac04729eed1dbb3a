//! Large, valid recordings for the benchmarks.
//!
//! The events are the published example's events (clicks, typing, frames,
//! shadow DOM, navigations) repeated with fresh `seq` and timestamps, so the
//! bytes the relay parses look like what the extension really sends rather
//! than a million copies of one tiny event.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;
use workflow_format::{Event, Recording, from_json_str};

/// A realistic recording with frames and shadow roots (workflow-format's
/// own example, so it follows the format whenever the format changes).
const EXAMPLE: &str = include_str!("../../workflow-format/examples/iframes-and-shadow-dom.json");

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
        assert_ne!(id(1), id(2));
        assert_ne!(id(0), id(64));
        assert!(!id(0).is_nil());
    }
}
