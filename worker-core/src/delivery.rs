//! When to retry an upload, and when to give up on it.

use chrono::{DateTime, Duration, Utc};

use crate::session::Meta;

/// Recorded data that was never delivered is deleted after this long,
/// counted from the start of the recording.
pub const EXPIRY: Duration = Duration::days(7);

/// First retry delay; doubles with each failure up to [`MAX_BACKOFF`].
/// Chromium does not fire alarms more often than every 30 s anyway.
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
pub const MAX_BACKOFF: Duration = Duration::hours(1);

/// Whether the recording is past its 7 days.
pub fn is_expired(meta: &Meta, now: DateTime<Utc>) -> bool {
    now - meta.started_at >= EXPIRY
}

/// The delay before attempt number `attempts + 1`, after `attempts` failures.
pub fn backoff(attempts: u32) -> Duration {
    let factor = 1i32 << attempts.min(16);
    let delay = FIRST_BACKOFF * factor;
    delay.min(MAX_BACKOFF)
}

/// Records a failed upload and schedules the next one.
pub fn record_failure(meta: &mut Meta, error: &str, now: DateTime<Utc>) {
    meta.delivery.attempts = meta.delivery.attempts.saturating_add(1);
    meta.delivery.next_attempt_at = Some(now + backoff(meta.delivery.attempts - 1));
    // Errors come from fetch/the relay; keep them short, they are shown in
    // the popup and must not grow the meta without bound.
    meta.delivery.last_error = Some(error.chars().take(300).collect());
}

/// Whether a finished recording should be uploaded now.
pub fn is_due(meta: &Meta, now: DateTime<Utc>) -> bool {
    match meta.delivery.next_attempt_at {
        None => true,
        Some(at) => now >= at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;
    use chrono::TimeZone;
    use uuid::Uuid;
    use workflow_format::RecorderInfo;

    fn meta_started_at(start: DateTime<Utc>) -> Meta {
        let s = Session::start(
            Uuid::from_u128(1),
            "x".into(),
            RecorderInfo {
                version: "0.1.0".into(),
                user_agent: "UA".into(),
            },
            start,
        );
        s.stop(start).0
    }

    #[test]
    fn expires_after_exactly_seven_days() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let meta = meta_started_at(start);
        assert!(!is_expired(
            &meta,
            start + Duration::days(7) - Duration::seconds(1)
        ));
        assert!(is_expired(&meta, start + Duration::days(7)));
    }

    #[test]
    fn backoff_doubles_then_caps() {
        assert_eq!(backoff(0), Duration::seconds(30));
        assert_eq!(backoff(1), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(240));
        assert_eq!(backoff(10), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn failures_schedule_the_next_attempt() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut meta = meta_started_at(start);
        assert!(is_due(&meta, start));
        record_failure(&mut meta, "relay not running", start);
        assert_eq!(meta.delivery.attempts, 1);
        assert!(!is_due(&meta, start + Duration::seconds(29)));
        assert!(is_due(&meta, start + Duration::seconds(30)));
        record_failure(&mut meta, &"x".repeat(1000), start);
        assert_eq!(
            meta.delivery.next_attempt_at,
            Some(start + Duration::seconds(60))
        );
        assert_eq!(meta.delivery.last_error.as_ref().unwrap().len(), 300);
    }
}
