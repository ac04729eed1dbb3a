//! When to retry an upload, and when to give up on it; what one delivery
//! attempt came to and what the worker does about it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::effect::Effect;
use crate::session::Meta;
use crate::storage_keys;

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

/// The name of the alarm that wakes the worker for the next retry.
pub const RETRY_ALARM: &str = "retry";

/// Chromium fires alarms at most every 30 s; earlier times are rounded up.
pub const MIN_ALARM_DELAY_MS: i64 = 30_000;

/// The retry alarm for the pending recordings `metas`: at the earliest
/// `next_attempt_at`, or cleared when nothing waits. `next_attempt_at` is on
/// the worker's clock, which a test build may run `clock_offset_ms` ahead of
/// the browser's (`real_now_ms`); alarms run on the browser's.
pub fn retry_alarm(metas: &[Meta], clock_offset_ms: i64, real_now_ms: i64) -> Effect {
    match metas
        .iter()
        .filter_map(|m| m.delivery.next_attempt_at)
        .map(|t| t.timestamp_millis() - clock_offset_ms)
        .min()
    {
        None => Effect::ClearAlarm(RETRY_ALARM.to_owned()),
        Some(at) => Effect::Alarm {
            name: RETRY_ALARM.to_owned(),
            when_ms: at.max(real_now_ms + MIN_ALARM_DELAY_MS),
        },
    }
}

/// What a sweep does with one stored recording (not the one being recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SweepAction {
    /// Past its 7 days: delete these keys, report `expired`.
    Expire { remove: Vec<String> },
    /// Try to deliver it; `wake`: open the deep link if the relay is down.
    Deliver { wake: bool },
    /// Not due yet.
    Wait,
}

/// Expired recordings go; due ones (or all, when the user asks to retry
/// now, `force`) are delivered. Only a forced sweep may wake the relay: a
/// user whose relay is off must not get a new tab at every retry.
pub fn sweep_action(meta: &Meta, now: DateTime<Utc>, force: bool) -> SweepAction {
    if is_expired(meta, now) {
        SweepAction::Expire {
            remove: storage_keys::all(meta.id, meta.chunks),
        }
    } else if force || is_due(meta, now) {
        SweepAction::Deliver { wake: force }
    } else {
        SweepAction::Wait
    }
}

/// What one delivery attempt came to, as the worker's JS observed it, at
/// the stage where it ended. Serialized with a `stage` tag.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case", deny_unknown_fields)]
pub enum Attempt {
    /// The stored chunks do not make a valid recording.
    Unassemblable { reason: String },
    /// No pairing key is stored.
    Unpaired,
    /// No candidate port had the paired relay (after waking it, if asked);
    /// `refused`: something answered the handshake with 401.
    NoRelay { refused: bool },
    /// The paired relay was found on `port`, then the upload got no answer.
    NoAnswer { port: u16 },
    /// The upload was answered. `verified`: signed by the paired relay for
    /// this request; `acknowledged`: a verified 2xx naming this recording
    /// and the digest of the bytes sent (`relay::acknowledges`).
    Answered {
        port: u16,
        status: u16,
        verified: bool,
        acknowledged: bool,
        body: String,
    },
}

/// The result a delivery reports (`deliver()`'s return value, shown by the
/// tests and the popup's "Retry now").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Delivered,
    Invalid,
    NotPaired,
    RelayDown,
    Network,
    Unverified,
    Http(u16),
}

impl Outcome {
    /// `delivered`, `invalid`, `not-paired`, `relay-down`, `network`,
    /// `unverified` or `http-NNN`.
    pub fn code(self) -> String {
        match self {
            Outcome::Delivered => "delivered".into(),
            Outcome::Invalid => "invalid".into(),
            Outcome::NotPaired => "not-paired".into(),
            Outcome::RelayDown => "relay-down".into(),
            Outcome::Network => "network".into(),
            Outcome::Unverified => "unverified".into(),
            Outcome::Http(status) => format!("http-{status}"),
        }
    }
}

/// Classifies an attempt: its outcome and, for a failure, the error the
/// popup shows. Only an acknowledged upload is a delivery; whatever else
/// happened, the recording is kept for a later attempt.
pub fn classify(attempt: &Attempt) -> (Outcome, Option<String>) {
    match attempt {
        Attempt::Unassemblable { reason } => {
            (Outcome::Invalid, Some(format!("cannot assemble: {reason}")))
        }
        Attempt::Unpaired => (
            Outcome::NotPaired,
            Some("not paired: run `clawtrail pair` and enter the code in the popup".into()),
        ),
        Attempt::NoRelay { refused: true } => (
            Outcome::RelayDown,
            Some("no relay accepted the pairing key: pair again with `clawtrail pair`".into()),
        ),
        Attempt::NoRelay { refused: false } => {
            (Outcome::RelayDown, Some("relay not running".into()))
        }
        Attempt::NoAnswer { .. } => (
            Outcome::Network,
            Some("upload failed: the relay stopped answering".into()),
        ),
        Attempt::Answered {
            acknowledged: true, ..
        } => (Outcome::Delivered, None),
        Attempt::Answered {
            verified: false,
            port,
            ..
        } => (
            Outcome::Unverified,
            Some(format!(
                "the answer on port {port} was not signed by your relay; the recording is kept"
            )),
        ),
        Attempt::Answered { status, body, .. } => {
            let detail = error_message(body);
            let error = match detail {
                Some(d) => format!("relay answered {status}: {d}"),
                None => format!("relay answered {status}"),
            };
            (Outcome::Http(*status), Some(error))
        }
    }
}

/// `error.message` of a relay's JSON error body, when there is one.
fn error_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let m = v.get("error")?.get("message")?.as_str()?;
    (!m.is_empty()).then(|| m.to_owned())
}

/// An attempt's outcome and what to store: a delivered recording's keys are
/// removed; a failed one's meta is rewritten with the failure and the next
/// attempt's time.
pub fn settle(meta: &Meta, attempt: &Attempt, now: DateTime<Utc>) -> (Outcome, Vec<Effect>) {
    let (outcome, error) = classify(attempt);
    let effect = match error {
        None => Effect::Remove(storage_keys::all(meta.id, meta.chunks)),
        Some(error) => {
            let mut updated = meta.clone();
            record_failure(&mut updated, &error, now);
            Effect::set(
                storage_keys::meta(meta.id),
                serde_json::to_string(&updated).expect("meta serializes"),
            )
        }
    };
    (outcome, vec![effect])
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn meta_started_at(start: DateTime<Utc>) -> Meta {
        crate::session::finished(Uuid::from_u128(1), start).0
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

    fn answered(status: u16, verified: bool, acknowledged: bool, body: &str) -> Attempt {
        Attempt::Answered {
            port: 4100,
            status,
            verified,
            acknowledged,
            body: body.into(),
        }
    }

    #[test]
    fn attempts_classify_into_results() {
        let code = |a: Attempt| classify(&a).0.code();
        let error = |a: Attempt| classify(&a).1;
        assert_eq!(
            code(Attempt::Unassemblable {
                reason: "seq gap".into()
            }),
            "invalid"
        );
        assert_eq!(
            error(Attempt::Unassemblable {
                reason: "seq gap".into()
            })
            .unwrap(),
            "cannot assemble: seq gap"
        );
        assert_eq!(code(Attempt::Unpaired), "not-paired");
        assert!(
            error(Attempt::Unpaired)
                .unwrap()
                .starts_with("not paired: run `clawtrail pair`")
        );
        assert_eq!(code(Attempt::NoRelay { refused: false }), "relay-down");
        assert_eq!(
            error(Attempt::NoRelay { refused: false }).unwrap(),
            "relay not running"
        );
        assert_eq!(code(Attempt::NoRelay { refused: true }), "relay-down");
        assert!(
            error(Attempt::NoRelay { refused: true })
                .unwrap()
                .starts_with("no relay accepted the pairing key")
        );
        assert_eq!(code(Attempt::NoAnswer { port: 1 }), "network");
        assert_eq!(code(answered(201, true, true, "")), "delivered");
        assert_eq!(error(answered(201, true, true, "")), None);
        // Unsigned: whatever it says, nothing is deleted.
        assert_eq!(code(answered(201, false, false, "")), "unverified");
        assert_eq!(
            error(answered(500, false, false, "")).unwrap(),
            "the answer on port 4100 was not signed by your relay; the recording is kept"
        );
        // Signed refusals carry the relay's message.
        let body = r#"{"error":{"code":"too_large","message":"recording too large"}}"#;
        assert_eq!(code(answered(413, true, false, body)), "http-413");
        assert_eq!(
            error(answered(413, true, false, body)).unwrap(),
            "relay answered 413: recording too large"
        );
        assert_eq!(
            error(answered(500, true, false, "oops")).unwrap(),
            "relay answered 500"
        );
        assert_eq!(
            error(answered(500, true, false, r#"{"error":{"message":""}}"#)).unwrap(),
            "relay answered 500"
        );
        // A signed 2xx that does not acknowledge this recording is no delivery.
        assert_eq!(code(answered(200, true, false, "{}")), "http-200");
    }

    #[test]
    fn attempts_parse_from_the_worker() {
        let a: Attempt = serde_json::from_str(r#"{"stage":"no_relay","refused":true}"#).unwrap();
        assert_eq!(a, Attempt::NoRelay { refused: true });
        let a: Attempt = serde_json::from_str(
            r#"{"stage":"answered","port":1,"status":401,"verified":true,"acknowledged":false,"body":""}"#,
        )
        .unwrap();
        assert_eq!(classify(&a).0, Outcome::Http(401));
        assert!(serde_json::from_str::<Attempt>(r#"{"stage":"delivered"}"#).is_err());
    }

    #[test]
    fn settling_removes_or_reschedules() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let meta = meta_started_at(start);
        let (outcome, effects) = settle(&meta, &answered(201, true, true, ""), start);
        assert_eq!(outcome, Outcome::Delivered);
        assert_eq!(
            effects,
            vec![Effect::Remove(storage_keys::all(meta.id, meta.chunks))]
        );

        let (outcome, effects) = settle(&meta, &Attempt::NoRelay { refused: false }, start);
        assert_eq!(outcome, Outcome::RelayDown);
        let [Effect::Set(writes)] = effects.as_slice() else {
            panic!("{effects:?}")
        };
        let stored: Meta = serde_json::from_str(&writes[&storage_keys::meta(meta.id)]).unwrap();
        assert_eq!(stored.delivery.attempts, 1);
        assert_eq!(
            stored.delivery.last_error.as_deref(),
            Some("relay not running")
        );
        assert_eq!(
            stored.delivery.next_attempt_at,
            Some(start + Duration::seconds(30))
        );
    }

    #[test]
    fn sweeps_expire_deliver_or_wait() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut meta = meta_started_at(start);
        assert_eq!(
            sweep_action(&meta, start, false),
            SweepAction::Deliver { wake: false }
        );
        record_failure(&mut meta, "x", start);
        assert_eq!(sweep_action(&meta, start, false), SweepAction::Wait);
        assert_eq!(
            sweep_action(&meta, start, true),
            SweepAction::Deliver { wake: true }
        );
        assert_eq!(
            sweep_action(&meta, start + Duration::seconds(30), false),
            SweepAction::Deliver { wake: false }
        );
        // Expiry wins over a forced retry.
        assert_eq!(
            sweep_action(&meta, start + EXPIRY, true),
            SweepAction::Expire {
                remove: storage_keys::all(meta.id, meta.chunks)
            }
        );
        assert_eq!(
            serde_json::to_string(&SweepAction::Deliver { wake: true }).unwrap(),
            r#"{"action":"deliver","wake":true}"#
        );
    }

    #[test]
    fn the_retry_alarm_fires_at_the_earliest_attempt() {
        let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let t0 = start.timestamp_millis();
        let clear = Effect::ClearAlarm(RETRY_ALARM.into());
        let alarm = |when_ms| Effect::Alarm {
            name: RETRY_ALARM.into(),
            when_ms,
        };
        // Never attempted (nothing scheduled): no alarm.
        let fresh = meta_started_at(start);
        assert_eq!(retry_alarm(&[], 0, t0), clear);
        assert_eq!(retry_alarm(std::slice::from_ref(&fresh), 0, t0), clear);
        let mut a = meta_started_at(start);
        let mut b = meta_started_at(start);
        record_failure(&mut a, "x", start + Duration::hours(2));
        record_failure(&mut b, "x", start + Duration::hours(1));
        let b_at = t0 + 3_600_000 + 30_000;
        assert_eq!(
            retry_alarm(&[fresh, a.clone(), b.clone()], 0, t0),
            alarm(b_at)
        );
        // Never sooner than 30 s from now.
        assert_eq!(retry_alarm(&[b.clone()], 0, b_at), alarm(b_at + 30_000));
        // A worker clock running a day ahead: the alarm is a day earlier.
        let day = 86_400_000;
        assert_eq!(retry_alarm(&[b], day, t0 - day), alarm(b_at - day));
    }
}
