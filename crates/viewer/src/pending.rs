//! Uploads still waiting in the extension's storage, as the service worker
//! reports them (`{type: "status"}` -> `pending`).

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::fmt;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Pending {
    pub id: String,
    pub name: String,
    pub started_at: DateTime<Utc>,
    pub events: u64,
    #[serde(default)]
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    #[serde(default)]
    pub finished: bool,
}

impl Pending {
    /// How long ago it was recorded, e.g. `recorded 5 min ago`.
    pub fn age(&self, now_ms: i64) -> String {
        format!(
            "recorded {} ago",
            fmt::span(now_ms - self.started_at.timestamp_millis())
        )
    }

    /// When the worker tries again: `next try in 25 s`, `retrying now`,
    /// or `still recording` for the recording in progress.
    pub fn next_try(&self, now_ms: i64) -> String {
        if !self.finished {
            return "still recording".into();
        }
        match self.next_attempt_at {
            Some(t) if t.timestamp_millis() > now_ms => {
                format!("next try in {}", fmt::span(t.timestamp_millis() - now_ms))
            }
            Some(_) => "retrying now".into(),
            None => "waiting".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_and_next_try() {
        let p: Pending = serde_json::from_value(serde_json::json!({
            "id": "x", "name": "n", "started_at": "2025-01-01T10:00:00Z", "events": 3,
            "attempts": 2, "next_attempt_at": "2025-01-01T10:06:00Z",
            "last_error": "relay not running", "finished": true,
        }))
        .unwrap();
        let now = p.started_at.timestamp_millis() + 5 * 60_000;
        assert_eq!(p.age(now), "recorded 5 min ago");
        assert_eq!(p.next_try(now), "next try in 1 min");
        assert_eq!(p.next_try(now + 120_000), "retrying now");
        let live = Pending {
            finished: false,
            ..p.clone()
        };
        assert_eq!(live.next_try(now), "still recording");
    }
}
