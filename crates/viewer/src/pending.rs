//! Uploads still waiting in the extension's storage, as the service worker
//! reports them (`{type: "status"}` -> `pending`).

use clawtrail_protocol::messages::StatusReply;

use crate::fmt;

/// One upload still waiting, as the worker's status reply lists it.
pub use clawtrail_protocol::messages::PendingSummary as Pending;

/// How the page words a pending upload's times.
pub trait Describe {
    fn age(&self, now_ms: i64) -> String;
    fn next_try(&self, now_ms: i64) -> String;
}

/// Reads the worker's answer to `status` (JSON text; empty when nothing
/// answered): the status, or what to show instead.
pub fn read_status(text: &str) -> Result<StatusReply, String> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("odd worker reply: {e}"))?;
    if v["ok"] != true {
        return Err(v["error"]
            .as_str()
            .unwrap_or("the extension did not answer")
            .to_owned());
    }
    serde_json::from_value(v).map_err(|e| format!("odd status from the worker: {e}"))
}

impl Describe for Pending {
    /// How long ago it was recorded, e.g. `recorded 5 min ago`.
    fn age(&self, now_ms: i64) -> String {
        format!(
            "recorded {} ago",
            fmt::span(now_ms - self.started_at.timestamp_millis())
        )
    }

    /// When the worker tries again: `next try in 25 s`, `retrying now`,
    /// or `still recording` for the recording in progress.
    fn next_try(&self, now_ms: i64) -> String {
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

    /// What the worker answers (worker-core builds it) is what this page
    /// reads, and a refusal reads as its error.
    #[test]
    fn the_workers_status_reply_reads_back() {
        use worker_core::messages::status_reply;
        let session = worker_core::Session::start(
            uuid::Uuid::from_u128(3),
            "n".into(),
            workflow_format::RecorderInfo {
                version: "1".into(),
                user_agent: "ua".into(),
            },
            chrono::DateTime::from_timestamp_millis(1_700_000_000_000).unwrap(),
        );
        let reply = status_reply(
            Some(&session),
            1_700_000_060_000,
            clawtrail_protocol::messages::RelayStatus::NotPaired,
            None,
            &[session.meta().clone()],
        );
        let read = read_status(&serde_json::to_string(&reply).unwrap()).unwrap();
        assert_eq!(read, reply);
        assert_eq!(read.pending[0].next_try(read.now), "still recording");
        let refusal = worker_core::messages::failure("forbidden");
        assert_eq!(
            read_status(&serde_json::to_string(&refusal).unwrap()),
            Err("forbidden".to_owned())
        );
        assert!(read_status("").unwrap_err().starts_with("odd worker reply"));
        assert!(
            read_status(r#"{"ok": true}"#)
                .unwrap_err()
                .starts_with("odd status")
        );
    }

    #[test]
    fn age_and_next_try() {
        let p: Pending = serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001", "name": "n", "started_at": "2025-01-01T10:00:00Z", "events": 3,
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
