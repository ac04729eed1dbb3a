//! The extension's own messages (`chrome.runtime.sendMessage` and
//! `chrome.tabs.sendMessage`), declared once: what the content script and
//! the extension pages (the popup, the viewer) send to the service worker,
//! what the worker sends to content scripts, and every reply.
//!
//! The worker (worker-core) and the viewer use these types directly. The
//! content script writes its `capture` message and reads the reply by hand,
//! because serde's derived code would ship to every frame; its native tests
//! check that hand-written code against these types, so they stay the one
//! definition. The popup is JavaScript and reads the status reply as it is
//! serialized here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use workflow_format::CapturedEvent;

// --- to the worker -----------------------------------------------------------

/// Every message the worker answers, tagged by `type`. Content scripts may
/// send only `hello` and `capture`; the commands come from our extension
/// pages (worker-core's `policy::route` decides who may send what).
///
/// [`MessageType`] is the same list without the payloads, generated from
/// this enum (its names are serde's tags; a test holds the two together).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "type", rename_all = "snake_case")]
#[strum_discriminants(
    name(MessageType),
    derive(Hash, Serialize, strum::EnumString, strum::IntoStaticStr),
    serde(rename_all = "snake_case"),
    strum(serialize_all = "snake_case")
)]
pub enum ToWorker {
    Hello(Hello),
    Capture(Capture),
    Record,
    Pause,
    Resume,
    Stop,
    /// Record when idle, else stop.
    Toggle,
    /// Answered with [`StatusReply`].
    Status,
    /// Deliver every pending recording now; answered with [`RetryReply`].
    RetryNow,
    /// Answered with [`PairReply`].
    Pair(PairCode),
}

/// A content script announcing itself, in every frame it starts in; the
/// answer ([`HelloReply`]) says whether a recording runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// The frame's index path from the top frame; `null` when the script
    /// could not work it out.
    #[serde(default)]
    pub frame: Option<Vec<u32>>,
    #[serde(default)]
    pub url: String,
    /// The script started without error.
    #[serde(default)]
    pub ok: bool,
}

/// A batch of captured events, each with the content script's id for it;
/// answered with [`CaptureReply`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Capture<I = CaptureItem> {
    pub events: Vec<I>,
}

/// One captured event. `cid` is `"<instance>:<counter>"`, unique per
/// document, so the worker can drop an event it already stored when only
/// the acknowledgement was lost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureItem<E = CapturedEvent> {
    pub cid: String,
    pub event: E,
}

/// The body of `pair`: the code `clawtrail pair` printed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairCode {
    pub code: String,
}

// --- to content scripts ----------------------------------------------------------

/// What the worker sends to a content script, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToContent {
    /// Open or close the recording gate; answered with [`FrameState`],
    /// when closing only after what the page still held was acknowledged.
    SetRecording { recording: bool },
    /// Is a content script alive in this frame? Answered with
    /// [`FrameState`] and diagnostics; no answer means none is.
    Ping,
}

/// A content script's answer to [`ToContent`]. The ping's answer carries
/// more (load timings, for the tests), which readers of this type ignore.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameState {
    pub ok: bool,
    pub recording: bool,
    #[serde(default)]
    pub frame: Option<Vec<u32>>,
}

// --- replies ----------------------------------------------------------------------

/// `{ok: false, error}`: a message refused, or a command that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// Always `false`.
    pub ok: bool,
    pub error: String,
}

impl Refusal {
    pub fn new(error: impl Into<String>) -> Refusal {
        Refusal {
            ok: false,
            error: error.into(),
        }
    }
}

/// The answer to `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloReply {
    /// Always `true`.
    pub ok: bool,
    /// A recording is running: the frame joins it.
    pub recording: bool,
}

/// The answer to `capture`: `{ok: true, acked: [cids]}`, or a
/// [`Refusal`] (the batch was no batch). An event not acked was refused
/// for good (not recording, or invalid); anything else is sent again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CaptureReply {
    Acked { ok: bool, acked: Vec<String> },
    Refused(Refusal),
}

impl CaptureReply {
    pub fn acked(cids: Vec<String>) -> CaptureReply {
        CaptureReply::Acked {
            ok: true,
            acked: cids,
        }
    }
}

/// Recording state, as kept in `chrome.storage.session` and reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordingStatus {
    Idle,
    Active,
    Paused,
}

/// The recording, if any: what every command answers, after `ok: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingState {
    pub status: RecordingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<u64>,
}

/// The answer to `record`, `pause`, `resume`, `stop` and `toggle`: the
/// state they left.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateReply {
    /// Always `true`.
    pub ok: bool,
    #[serde(flatten)]
    pub state: RecordingState,
}

/// What the popup shows about the relay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelayStatus {
    Connected,
    NotPaired,
    NotRunning,
}

impl RelayStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RelayStatus::Connected => "connected",
            RelayStatus::NotPaired => "not_paired",
            RelayStatus::NotRunning => "not_running",
        }
    }
}

/// A recording waiting for delivery, as the popup and the viewer list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSummary {
    pub id: Uuid,
    pub name: String,
    pub started_at: DateTime<Utc>,
    pub events: u64,
    #[serde(default)]
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    /// Ended (else it is the recording in progress).
    #[serde(default)]
    pub finished: bool,
}

/// The answer to `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusReply {
    /// Always `true`.
    pub ok: bool,
    #[serde(flatten)]
    pub state: RecordingState,
    /// The worker's clock (ms since the epoch), which tests may move.
    pub now: i64,
    pub relay: RelayStatus,
    /// The port the relay was last found on.
    pub relay_port: Option<u16>,
    pub pending: Vec<PendingSummary>,
}

/// What became of one pending recording in a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepResult {
    pub id: Uuid,
    /// `delivered`, `expired`, `relay-down`, ...
    pub result: String,
}

/// The answer to `retry_now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryReply {
    /// Always `true`.
    pub ok: bool,
    pub results: Vec<SweepResult>,
}

/// The answer to `pair`: `{ok: true}`, or `{ok: false, error}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairReply {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A reply that may be a [`Refusal`]: how a page reads any answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reply<T> {
    Refused(Refusal),
    Done(T),
}

impl<T> Reply<T> {
    /// The answer, or the refusal's error.
    pub fn into_result(self) -> Result<T, String> {
        match self {
            Reply::Done(t) => Ok(t),
            Reply::Refused(r) => Err(r.error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn messages_to_the_worker_are_tagged_by_type() {
        let cases = [
            (ToWorker::Record, json!({"type": "record"})),
            (ToWorker::RetryNow, json!({"type": "retry_now"})),
            (
                ToWorker::Pair(PairCode {
                    code: "ab-cd".into(),
                }),
                json!({"type": "pair", "code": "ab-cd"}),
            ),
            (
                ToWorker::Hello(Hello {
                    frame: Some(vec![1, 0]),
                    url: "http://x/".into(),
                    ok: true,
                }),
                json!({"type": "hello", "frame": [1, 0], "url": "http://x/", "ok": true}),
            ),
        ];
        for (message, wire) in cases {
            assert_eq!(serde_json::to_value(&message).unwrap(), wire);
            assert_eq!(parse::<ToWorker>(wire), message);
        }
    }

    /// The worker routes by [`MessageType`], parsed from the `type` member
    /// alone; it must name every message exactly as serde tags it.
    #[test]
    fn message_types_are_the_serde_tags() {
        let every = [
            ToWorker::Hello(Hello {
                frame: None,
                url: String::new(),
                ok: true,
            }),
            ToWorker::Capture(Capture { events: Vec::new() }),
            ToWorker::Record,
            ToWorker::Pause,
            ToWorker::Resume,
            ToWorker::Stop,
            ToWorker::Toggle,
            ToWorker::Status,
            ToWorker::RetryNow,
            ToWorker::Pair(PairCode { code: "c".into() }),
        ];
        let mut seen = std::collections::HashSet::new();
        for message in &every {
            let kind = MessageType::from(message);
            let tag = serde_json::to_value(message).unwrap()["type"].clone();
            let name: &'static str = kind.into();
            assert_eq!(tag, name);
            assert_eq!(name.parse::<MessageType>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), tag);
            seen.insert(kind);
        }
        // `every` lists each variant once (a new one must be added here).
        assert_eq!(seen.len(), every.len());
        assert!("Record".parse::<MessageType>().is_err());
        assert!("nope".parse::<MessageType>().is_err());
    }

    #[test]
    fn malformed_messages_are_refused() {
        for bad in [
            json!({"type": "nope"}),
            json!({"kind": "record"}),
            json!({"type": "pair"}),
            json!({"type": "pair", "code": 5}),
            json!({"type": "capture"}),
            json!({"type": "capture", "events": {}}),
            json!({"type": "capture", "events": [{"cid": 1, "event": null}]}),
            json!("record"),
        ] {
            assert!(
                serde_json::from_value::<ToWorker>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        assert!(serde_json::from_value::<ToContent>(json!({"type": "pong"})).is_err());
        assert!(serde_json::from_value::<ToContent>(json!({"type": "set_recording"})).is_err());
    }

    #[test]
    fn messages_to_content_scripts_are_tagged_by_type() {
        assert_eq!(
            serde_json::to_value(ToContent::SetRecording { recording: true }).unwrap(),
            json!({"type": "set_recording", "recording": true})
        );
        assert_eq!(
            serde_json::to_value(ToContent::Ping).unwrap(),
            json!({"type": "ping"})
        );
        // The ping's answer carries diagnostics besides the frame's state.
        let s: FrameState = parse(json!({
            "ok": true, "recording": false, "frame": [], "init_ms": 1.5, "unacked": 0
        }));
        assert_eq!(
            s,
            FrameState {
                ok: true,
                recording: false,
                frame: Some(vec![])
            }
        );
    }

    #[test]
    fn replies_have_their_documented_shapes() {
        assert_eq!(
            serde_json::to_value(CaptureReply::acked(vec!["a:0".into()])).unwrap(),
            json!({"ok": true, "acked": ["a:0"]})
        );
        assert_eq!(
            serde_json::to_value(CaptureReply::Refused(Refusal::new(
                "events must be an array"
            )))
            .unwrap(),
            json!({"ok": false, "error": "events must be an array"})
        );
        assert_eq!(
            parse::<CaptureReply>(json!({"ok": false, "error": "x"})),
            CaptureReply::Refused(Refusal::new("x"))
        );
        assert_eq!(
            serde_json::to_value(StateReply {
                ok: true,
                state: RecordingState {
                    status: RecordingStatus::Idle,
                    id: None,
                    name: None,
                    started_at: None,
                    events: None,
                },
            })
            .unwrap(),
            json!({"ok": true, "status": "idle"})
        );
        assert_eq!(
            serde_json::to_value(PairReply {
                ok: true,
                error: None
            })
            .unwrap(),
            json!({"ok": true})
        );
    }

    #[test]
    fn a_status_reply_reads_back_and_a_refusal_reads_as_one() {
        let wire = json!({
            "ok": true, "status": "active", "id": Uuid::nil(), "name": "n",
            "started_at": "2026-01-02T03:04:05Z", "events": 3, "now": 1_700_000_000_000i64,
            "relay": "not_paired", "relay_port": null,
            "pending": [{
                "id": Uuid::nil(), "name": "n", "started_at": "2026-01-02T03:04:05Z",
                "events": 3, "attempts": 0, "next_attempt_at": null, "last_error": null,
                "finished": false
            }]
        });
        let s = parse::<Reply<StatusReply>>(wire.clone())
            .into_result()
            .unwrap();
        assert_eq!(s.state.status, RecordingStatus::Active);
        assert_eq!(s.relay, RelayStatus::NotPaired);
        assert_eq!(s.pending.len(), 1);
        assert_eq!(serde_json::to_value(&s).unwrap(), wire);
        assert_eq!(
            parse::<Reply<StatusReply>>(json!({"ok": false, "error": "forbidden"})).into_result(),
            Err("forbidden".to_owned())
        );
        assert!(serde_json::from_value::<Reply<StatusReply>>(json!({"ok": true})).is_err());
    }
}
