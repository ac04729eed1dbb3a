//! The worker's side of the extension's messages
//! (`clawtrail_protocol::messages`): what each incoming message asks the
//! JS interpreter to do, and every reply, built here so that the JS sends
//! what it is given. The raw `MessageSender` and `Tab` objects come in as
//! JSON, so their fallbacks are decided here too.

use clawtrail_protocol::messages::{
    Capture, CaptureReply, Hello, HelloReply, PairCode, PendingSummary, RecordingState, Refusal,
    RelayStatus, RetryReply, StateReply, StatusReply, SweepResult,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use workflow_format::TabId;

use crate::control::{self, Step};
use crate::policy::{self, MessageType, Route};
use crate::session::{Accepted, Meta, Session, Status, TabContext};

/// `chrome.runtime.MessageSender`, the members the worker reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawSender {
    #[serde(default)]
    pub id: Option<String>,
    /// Kept raw: a sender with an odd tab is still a sender from a tab.
    #[serde(default)]
    pub tab: Option<Value>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub frame_id: Option<i64>,
}

impl RawSender {
    /// Reads `JSON.stringify(sender)`; anything unreadable is a sender of
    /// no known kind, whose messages are ignored.
    pub fn parse(json: &str) -> RawSender {
        serde_json::from_str(json).unwrap_or_default()
    }
}

/// `chrome.tabs.Tab`, the members a recording keeps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawTab {
    #[serde(default)]
    pub id: Option<TabId>,
    #[serde(default)]
    pub opener_tab_id: Option<TabId>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub pending_url: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

/// The tab an event belongs to. A tab still loading has no `url` yet, only
/// its `pendingUrl`; a tab event for a closed tab knows only the id.
pub fn tab_context(tab: &Value) -> Result<TabContext, String> {
    let raw: RawTab = serde_json::from_value(tab.clone()).map_err(|e| format!("bad tab: {e}"))?;
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(TabContext {
        tab_id: raw.id.ok_or("bad tab: no id")?,
        opener_tab_id: raw.opener_tab_id,
        url: nonempty(raw.url)
            .or_else(|| nonempty(raw.pending_url))
            .unwrap_or_default(),
        title: raw.title.unwrap_or_default(),
    })
}

/// What the JS does with a message. Serialized externally tagged, as the
/// steps are: `"ignore"`, `{"reply": {...}}`, `{"command": "record"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Not from this extension: no answer at all.
    Ignore,
    /// Answer this at once.
    Reply(Refusal),
    /// A content script says hello (`WorkerCore::hello`).
    Hello,
    /// A content script's batch (`WorkerCore::capture`).
    Capture,
    /// `record`, `pause`, `resume`, `stop` or `toggle`: run its steps,
    /// answer with the state they left.
    Command(String),
    /// Answer with the full status.
    Status,
    /// Deliver everything now, answer with the results.
    RetryNow,
    /// Pair with this code (`None`: the message had no string code).
    Pair(Option<String>),
}

/// Decides what to do with `msg` (parsed from `JSON.stringify(msg)`;
/// `Null` when it was `undefined`) from `sender`. `runtime_id`: this
/// extension's id; `extension_base`: `chrome.runtime.getURL('')`.
pub fn action(msg: &Value, sender: &RawSender, runtime_id: &str, extension_base: &str) -> Action {
    // `typeof msg === 'object'` holds for arrays too: they are messages
    // of no known type, not "not a message".
    let is_object = msg.is_object() || msg.is_array();
    let msg_type = msg.get("type").and_then(Value::as_str);
    let who = policy::Sender {
        ours: sender.id.as_deref() == Some(runtime_id),
        tab: sender.tab.is_some(),
        url: sender.url.as_deref(),
    };
    match policy::route(is_object, msg_type, &who, extension_base) {
        Route::Ignore => Action::Ignore,
        Route::Reject { error } => Action::Reply(Refusal::new(error)),
        Route::Hello => Action::Hello,
        Route::Capture => Action::Capture,
        Route::Command { command } => match command {
            MessageType::Status => Action::Status,
            MessageType::RetryNow => Action::RetryNow,
            MessageType::Pair => Action::Pair(
                serde_json::from_value::<PairCode>(msg.clone())
                    .ok()
                    .map(|p| p.code),
            ),
            // `route` answers these two itself; listed for the compiler.
            MessageType::Hello => Action::Hello,
            MessageType::Capture => Action::Capture,
            MessageType::Record
            | MessageType::Pause
            | MessageType::Resume
            | MessageType::Stop
            | MessageType::Toggle => Action::Command(msg_type.unwrap_or_default().to_owned()),
        },
    }
}

/// The session's state, as every command answers it.
pub fn state(session: Option<&Session>) -> RecordingState {
    match session {
        None => RecordingState {
            status: Status::Idle,
            id: None,
            name: None,
            started_at: None,
            events: None,
        },
        Some(s) => RecordingState {
            status: s.status(),
            id: Some(s.meta().id),
            name: Some(s.meta().name.clone()),
            started_at: Some(s.meta().started_at),
            events: Some(s.event_count()),
        },
    }
}

/// The answer to a recording command.
pub fn state_reply(session: Option<&Session>) -> StateReply {
    StateReply {
        ok: true,
        state: state(session),
    }
}

/// A pending recording as the popup and the viewer list it.
pub fn pending_summary(m: &Meta) -> PendingSummary {
    PendingSummary {
        id: m.id,
        name: m.name.clone(),
        started_at: m.started_at,
        events: m.next_seq,
        attempts: m.delivery.attempts,
        next_attempt_at: m.delivery.next_attempt_at,
        last_error: m.delivery.last_error.clone(),
        finished: m.ended_at.is_some(),
    }
}

/// The answer to `status`. `now_ms`: the worker's clock; `pending`: the
/// metas of the recordings waiting for delivery.
pub fn status_reply(
    session: Option<&Session>,
    now_ms: i64,
    relay: RelayStatus,
    relay_port: Option<u16>,
    pending: &[Meta],
) -> StatusReply {
    StatusReply {
        ok: true,
        state: state(session),
        now: now_ms,
        relay,
        relay_port,
        pending: pending.iter().map(pending_summary).collect(),
    }
}

/// The answer to `retry_now`.
pub fn retry_reply(results: Vec<SweepResult>) -> RetryReply {
    RetryReply { ok: true, results }
}

/// A content script's hello: the answer, and the frame for the tests'
/// diagnostics (`None` when the sender is no tab).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HelloSeen {
    pub reply: HelloReply,
    pub seen: Option<SeenFrame>,
}

/// A frame with a live content script.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeenFrame {
    pub tab_id: Option<Value>,
    pub frame_id: Option<i64>,
    pub frame: Option<Vec<u32>>,
    pub url: Option<String>,
}

pub fn hello(status: Status, msg: &Value, sender: &RawSender) -> HelloSeen {
    let hello = serde_json::from_value::<Hello>(msg.clone()).ok();
    HelloSeen {
        reply: HelloReply {
            ok: true,
            recording: status == Status::Active,
        },
        seen: sender.tab.as_ref().map(|tab| SeenFrame {
            tab_id: tab.get("id").cloned(),
            frame_id: sender.frame_id,
            frame: hello.as_ref().and_then(|h| h.frame.clone()),
            url: hello.map(|h| h.url),
        }),
    }
}

/// What a batch came to: the reply, and what the JS keeps of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Captured {
    pub reply: CaptureReply,
    /// Items that arrived (the tests wait for captures to go idle).
    pub received: usize,
    /// `{tab_id, type, outcome}` per item, for the diagnostics log.
    pub log: Vec<Value>,
    /// Why events were dropped, for the console.
    pub warnings: Vec<String>,
    /// Something was accepted: flush it (before the reply goes out) and
    /// note the time; a batch that was no batch changes nothing.
    pub flush: bool,
}

/// Accepts a content script's batch `msg` from tab `tab` (the sender's raw
/// tab). Every item with a string cid is acked whatever became of it: a
/// refused event would only be refused again.
pub fn capture(session: Option<&mut Session>, msg: &Value, tab: &Value) -> Captured {
    let batch = match serde_json::from_value::<Capture<Value>>(msg.clone()) {
        Ok(b) => b,
        Err(_) => {
            return Captured {
                reply: CaptureReply::Refused(Refusal::new(control::NOT_AN_ARRAY)),
                received: 0,
                log: Vec::new(),
                warnings: Vec::new(),
                flush: false,
            };
        }
    };
    let received = batch.events.len();
    let items = control::capture_items_of(&batch.events);
    let tab_context = tab_context(tab);
    let tab_id = tab.get("id").cloned().unwrap_or(Value::Null);
    let mut session = session;
    let mut acked = Vec::new();
    let mut log = Vec::new();
    let mut warnings = Vec::new();
    for item in items {
        let outcome = match (session.as_deref_mut(), &tab_context) {
            (None, _) => Accepted::NotRecording,
            (_, Err(e)) => Accepted::Invalid { reason: e.clone() },
            (Some(s), Ok(t)) => accept(s, &item.cid, t, &item.event_json),
        };
        if let Accepted::Invalid { reason } = &outcome {
            warnings.push(reason.clone());
        }
        let outcome = serde_json::to_value(&outcome).expect("outcome serializes");
        log.push(serde_json::json!({
            "tab_id": tab_id, "type": item.kind, "outcome": outcome["outcome"],
        }));
        acked.push(item.cid);
    }
    Captured {
        reply: CaptureReply::acked(acked),
        received,
        log,
        warnings,
        flush: true,
    }
}

fn accept(s: &mut Session, cid: &str, tab: &TabContext, event_json: &str) -> Accepted {
    match serde_json::from_str(event_json) {
        Ok(captured) => s.accept(Some(cid), tab, captured),
        Err(e) => Accepted::Invalid {
            reason: e.to_string(),
        },
    }
}

/// What a tab event asks of the JS: nothing unless recording, else the
/// flush of what it added and the badge.
pub fn tab_event_steps(status: Status) -> Vec<Step> {
    if status == Status::Active {
        vec![Step::Flush, Step::UpdateBadge]
    } else {
        Vec::new()
    }
}

/// Whether a tab needs the content script injected, from what its top
/// frame answered a ping (`Null` for no answer): any content script
/// answers with its state, so a tab without an answer has none.
pub fn needs_script(answer: &Value) -> bool {
    !crate::delivery_run::truthy(answer)
}

/// `{ok: false, error}` for a command that threw.
pub fn failure(error: &str) -> Refusal {
    Refusal::new(error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use clawtrail_protocol::messages::{Reply, StatusReply, ToWorker};
    use serde_json::json;
    use uuid::Uuid;
    use workflow_format::RecorderInfo;

    const ID: &str = "ext-id";
    const BASE: &str = "chrome-extension://ext-id/";

    fn page(url: &str) -> RawSender {
        RawSender::parse(&json!({"id": ID, "url": url, "tab": {"id": 3}}).to_string())
    }

    fn popup() -> RawSender {
        RawSender::parse(&json!({"id": ID, "url": format!("{BASE}popup.html")}).to_string())
    }

    fn session() -> Session {
        Session::start(
            Uuid::from_u128(7),
            "n".into(),
            RecorderInfo {
                version: "1".into(),
                user_agent: "ua".into(),
            },
            DateTime::from_timestamp_millis(1_700_000_000_000).unwrap(),
        )
    }

    #[test]
    fn each_message_the_pages_send_names_what_to_run() {
        let wire = |m: ToWorker| serde_json::to_value(m).unwrap();
        let a = |m: ToWorker| action(&wire(m), &popup(), ID, BASE);
        assert_eq!(a(ToWorker::Record), Action::Command("record".into()));
        assert_eq!(a(ToWorker::Toggle), Action::Command("toggle".into()));
        assert_eq!(a(ToWorker::Status), Action::Status);
        assert_eq!(a(ToWorker::RetryNow), Action::RetryNow);
        assert_eq!(
            a(ToWorker::Pair(PairCode { code: "c".into() })),
            Action::Pair(Some("c".into()))
        );
        // A code that is no string is no code: pairing says what is missing.
        assert_eq!(
            action(&json!({"type": "pair", "code": 5}), &popup(), ID, BASE),
            Action::Pair(None)
        );
        // What JS serializes the actions to.
        let j = |a: Action| serde_json::to_value(a).unwrap();
        assert_eq!(j(Action::Ignore), json!("ignore"));
        assert_eq!(
            j(Action::Command("stop".into())),
            json!({"command": "stop"})
        );
        assert_eq!(j(Action::Pair(None)), json!({"pair": null}));
        assert_eq!(
            j(Action::Reply(Refusal::new("forbidden"))),
            json!({"reply": {"ok": false, "error": "forbidden"}})
        );
    }

    #[test]
    fn content_scripts_say_hello_and_capture_and_strangers_are_ignored() {
        let p = page("https://example.com/");
        let hello =
            json!({"type": "hello", "frame": [], "url": "https://example.com/", "ok": true});
        assert_eq!(action(&hello, &p, ID, BASE), Action::Hello);
        assert_eq!(
            action(&json!({"type": "capture", "events": []}), &p, ID, BASE),
            Action::Capture
        );
        assert_eq!(
            action(&json!({"type": "stop"}), &p, ID, BASE),
            Action::Reply(Refusal::new("forbidden"))
        );
        let stranger = RawSender::parse(r#"{"id": "other", "url": "chrome-extension://ext-id/"}"#);
        assert_eq!(action(&hello, &stranger, ID, BASE), Action::Ignore);
        assert_eq!(
            action(&hello, &RawSender::parse("oops"), ID, BASE),
            Action::Ignore
        );
        assert_eq!(
            action(&Value::Null, &popup(), ID, BASE),
            Action::Reply(Refusal::new("not a message"))
        );
        assert_eq!(
            action(&json!([]), &popup(), ID, BASE),
            Action::Reply(Refusal::new("unknown message type"))
        );
    }

    #[test]
    fn a_tab_gets_its_pending_url_while_loading() {
        let t = tab_context(&json!({"id": 4, "openerTabId": 2, "url": "", "pendingUrl": "https://a/", "title": "T"}))
            .unwrap();
        assert_eq!(
            (t.tab_id, t.opener_tab_id, t.url.as_str(), t.title.as_str()),
            (4, Some(2), "https://a/", "T")
        );
        let t = tab_context(&json!({"id": 4, "url": "https://b/", "pendingUrl": "https://a/"}))
            .unwrap();
        assert_eq!(t.url, "https://b/");
        // A closed tab: only the id.
        let t = tab_context(&json!({"id": 9})).unwrap();
        assert_eq!(
            (t.url.as_str(), t.title.as_str(), t.opener_tab_id),
            ("", "", None)
        );
        assert!(tab_context(&json!({"url": "https://a/"})).is_err());
        assert!(tab_context(&Value::Null).is_err());
    }

    #[test]
    fn hello_says_whether_a_recording_runs() {
        let msg = json!({"type": "hello", "frame": [1], "url": "https://a/", "ok": true});
        let sender = RawSender::parse(r#"{"id":"ext-id","tab":{"id":5},"frameId":7}"#);
        let h = hello(Status::Active, &msg, &sender);
        assert_eq!(
            h.reply,
            HelloReply {
                ok: true,
                recording: true
            }
        );
        assert_eq!(
            h.seen,
            Some(SeenFrame {
                tab_id: Some(json!(5)),
                frame_id: Some(7),
                frame: Some(vec![1]),
                url: Some("https://a/".into()),
            })
        );
        assert!(!hello(Status::Paused, &msg, &sender).reply.recording);
        assert_eq!(hello(Status::Idle, &msg, &popup()).seen, None);
        assert_eq!(
            serde_json::to_value(hello(Status::Idle, &msg, &popup()).reply).unwrap(),
            json!({"ok": true, "recording": false})
        );
    }

    #[test]
    fn a_batch_is_acked_item_by_item_and_a_non_batch_refused() {
        let tab = json!({"id": 3, "url": "https://a/", "title": "A"});
        let refused = capture(None, &json!({"type": "capture", "events": {}}), &tab);
        assert_eq!(
            serde_json::to_value(&refused.reply).unwrap(),
            json!({"ok": false, "error": "events must be an array"})
        );
        assert!(!refused.flush);
        assert_eq!(refused.received, 0);

        let msg = json!({"type": "capture", "events": [
            {"cid": "a:0", "event": {"kind": {"type": "click"}}},
            {"cid": 1},
            "x",
        ]});
        let not_recording = capture(None, &msg, &tab);
        assert_eq!(
            serde_json::to_value(&not_recording.reply).unwrap(),
            json!({"ok": true, "acked": ["a:0"]})
        );
        assert_eq!(not_recording.received, 3);
        assert_eq!(
            not_recording.log,
            [json!({"tab_id": 3, "type": "click", "outcome": "not_recording"})]
        );
        let mut s = session();
        let invalid = capture(Some(&mut s), &msg, &tab);
        assert_eq!(invalid.log[0]["outcome"], "invalid");
        assert_eq!(invalid.warnings.len(), 1);
        assert!(invalid.flush);
    }

    #[test]
    fn tab_events_only_count_while_recording() {
        assert!(tab_event_steps(Status::Idle).is_empty());
        assert!(tab_event_steps(Status::Paused).is_empty());
        assert_eq!(
            tab_event_steps(Status::Active),
            [Step::Flush, Step::UpdateBadge]
        );
    }

    #[test]
    fn the_status_reply_is_what_the_viewer_reads() {
        let s = session();
        let reply = status_reply(
            Some(&s),
            5,
            RelayStatus::Connected,
            Some(18799),
            &[s.meta().clone()],
        );
        let wire = serde_json::to_string(&reply).unwrap();
        let read: StatusReply = serde_json::from_str::<Reply<StatusReply>>(&wire)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(read, reply);
        let v: Value = serde_json::from_str(&wire).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["status"], "active");
        assert_eq!(v["now"], 5);
        assert_eq!(v["relay"], "connected");
        assert_eq!(v["relay_port"], 18799);
        assert_eq!(v["pending"][0]["finished"], false);
        let idle = status_reply(None, 5, RelayStatus::NotRunning, None, &[]);
        assert_eq!(
            serde_json::to_value(idle).unwrap(),
            json!({"ok": true, "status": "idle", "now": 5, "relay": "not_running", "relay_port": null, "pending": []})
        );
        assert_eq!(
            serde_json::to_value(state_reply(None)).unwrap(),
            json!({"ok": true, "status": "idle"})
        );
        assert_eq!(
            serde_json::to_value(retry_reply(vec![])).unwrap(),
            json!({"ok": true, "results": []})
        );
    }

    #[test]
    fn a_tab_whose_ping_got_no_answer_gets_the_script() {
        assert!(needs_script(&Value::Null));
        assert!(needs_script(&json!(false)));
        assert!(!needs_script(
            &json!({"ok": true, "recording": false, "frame": []})
        ));
        assert!(!needs_script(&json!({"ok": false})));
        assert_eq!(
            serde_json::to_value(control::set_recording(false)).unwrap(),
            json!({"type": "set_recording", "recording": false})
        );
    }
}
