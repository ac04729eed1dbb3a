//! The worker's control flow as data: what each command (record, pause,
//! resume, stop, toggle) does in which order and when it does nothing, what
//! each alarm triggers, how the session is rebuilt at startup, and which
//! items of a capture batch count. The JS interpreter (`run` in
//! extension/src/service_worker.js) performs each [`Step`] and decides
//! nothing itself.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use clawtrail_protocol::messages::ToContent;

use crate::delivery::RETRY_ALARM;
use crate::policy::TIMINGS;
use crate::session::Status;
use crate::storage_keys;

/// The alarm that keeps the worker alive while recording.
pub const KEEPALIVE_ALARM: &str = "keepalive";
/// The alarm of the periodic expiry sweep.
pub const EXPIRY_ALARM: &str = "expiry";

/// Diagnostics the tests print on failure: how many capture outcomes and
/// content-script hellos the worker keeps (the oldest go first).
pub const CAPTURE_LOG_CAP: usize = 200;
pub const HELLOS_CAP: usize = 500;

/// Storage key names and caps the JS needs (`core.constants()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Constants {
    pub capture_log_cap: usize,
    pub hellos_cap: usize,
    /// Storage keys of the pairing key and of the relay's last port.
    pub relay_key: &'static str,
    pub relay_port: &'static str,
}

pub const CONSTANTS: Constants = Constants {
    capture_log_cap: CAPTURE_LOG_CAP,
    hellos_cap: HELLOS_CAP,
    relay_key: crate::delivery_run::RELAY_KEY,
    relay_port: crate::delivery_run::RELAY_PORT,
};

/// What `chrome.storage.session` keeps under `state`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
}

impl SessionState {
    fn idle() -> SessionState {
        SessionState {
            status: Status::Idle,
            id: None,
        }
    }
}

/// One thing for the JS to do. Serialized externally tagged, e.g.
/// `"close_gates"`, `{"broadcast": true}`, `{"deliver": {"id", "wake"}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Start the recording in the core (`wc.start`) and store what it returns.
    BeginSession {
        id: Uuid,
        name: String,
    },
    /// Pause / resume the core's session.
    PauseSession,
    ResumeSession,
    /// End the core's session (`wc.stop`) and store its final writes.
    StopSession,
    /// `chrome.storage.session.set({state})`.
    SessionState(SessionState),
    /// `chrome.alarms.create(name, {periodInMinutes})`.
    PeriodicAlarm {
        name: String,
        period_minutes: f64,
    },
    /// `chrome.alarms.clear(name)`.
    ClearAlarm(String),
    /// Inject the content script into open tabs that have none: those
    /// whose top frame does not answer this ping.
    InjectTabs(ToContent),
    /// Send every tab this message (`set_recording`).
    Broadcast(ToContent),
    /// Close the pages' gates with this message and wait for captures to
    /// fall quiet.
    CloseGates(ToContent),
    /// Write what the session accepted since the last flush.
    Flush,
    /// Show the badge for the current state.
    UpdateBadge,
    /// Deliver recording `id`, in the background.
    Deliver {
        id: Uuid,
        wake: bool,
    },
    /// Expire and deliver what is due, in the background.
    Sweep,
}

/// The message that opens or closes the pages' recording gates.
pub fn set_recording(recording: bool) -> ToContent {
    ToContent::SetRecording { recording }
}

/// A command that changes the recording state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Record,
    Pause,
    Resume,
    Stop,
}

impl Command {
    /// `record`, `pause`, `resume`, `stop`; `toggle` is record when idle,
    /// else stop.
    pub fn resolve(name: &str, status: Status) -> Option<Command> {
        Some(match name {
            "record" => Command::Record,
            "pause" => Command::Pause,
            "resume" => Command::Resume,
            "stop" => Command::Stop,
            "toggle" if status == Status::Idle => Command::Record,
            "toggle" => Command::Stop,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Command::Record => "record",
            Command::Pause => "pause",
            Command::Resume => "resume",
            Command::Stop => "stop",
        }
    }
}

/// What `command` does in state `status` (`current`: the recording's id,
/// `new_id` and `name`: a new recording's, should it start one). Nothing
/// when the state does not allow it.
pub fn plan(
    command: Command,
    status: Status,
    current: Option<Uuid>,
    new_id: Uuid,
    name: String,
) -> Vec<Step> {
    let keepalive = || KEEPALIVE_ALARM.to_owned();
    match (command, status, current) {
        (Command::Record, Status::Idle, _) => vec![
            Step::BeginSession { id: new_id, name },
            Step::SessionState(SessionState {
                status: Status::Active,
                id: Some(new_id),
            }),
            // Alarms wake the worker every 30 s, so a long, quiet recording
            // keeps its worker (and its in-memory session) alive.
            Step::PeriodicAlarm {
                name: keepalive(),
                period_minutes: TIMINGS.keepalive_minutes,
            },
            Step::InjectTabs(ToContent::Ping),
            Step::Broadcast(set_recording(true)),
            Step::UpdateBadge,
        ],
        // Closing the gates comes first, while the session still accepts
        // events: pages answer only after what they still held was acked.
        (Command::Pause, Status::Active, Some(id)) => vec![
            Step::CloseGates(set_recording(false)),
            Step::PauseSession,
            Step::Flush,
            Step::SessionState(SessionState {
                status: Status::Paused,
                id: Some(id),
            }),
            Step::UpdateBadge,
        ],
        (Command::Resume, Status::Paused, Some(id)) => vec![
            Step::ResumeSession,
            Step::SessionState(SessionState {
                status: Status::Active,
                id: Some(id),
            }),
            Step::Broadcast(set_recording(true)),
            Step::UpdateBadge,
        ],
        (Command::Stop, Status::Active | Status::Paused, Some(id)) => {
            let mut steps = Vec::new();
            if status == Status::Active {
                steps.push(Step::CloseGates(set_recording(false)));
            }
            steps.extend([
                Step::Flush,
                Step::StopSession,
                Step::SessionState(SessionState::idle()),
                Step::ClearAlarm(keepalive()),
                Step::UpdateBadge,
                // In the background: the popup gets its answer now.
                Step::Deliver { id, wake: true },
            ]);
            steps
        }
        _ => Vec::new(),
    }
}

/// The recording command a keyboard shortcut (the manifest's `commands`)
/// runs, if it is one of ours.
pub fn keyboard_command(name: &str) -> Option<&'static str> {
    (name == "toggle-recording").then_some("toggle")
}

/// What an alarm triggers.
pub fn on_alarm(name: &str) -> Vec<Step> {
    match name {
        KEEPALIVE_ALARM => vec![Step::Flush],
        RETRY_ALARM | EXPIRY_ALARM => vec![Step::Sweep],
        _ => Vec::new(),
    }
}

/// The session to rebuild at startup from `chrome.storage.session`'s
/// `state` (JSON, `null` when absent): `(id, status)` when one was active
/// or paused.
pub fn restorable(state_json: &str) -> Option<(Uuid, Status)> {
    let state: serde_json::Value = serde_json::from_str(state_json).ok()?;
    let status = match state.get("status")?.as_str()? {
        "active" => Status::Active,
        "paused" => Status::Paused,
        _ => return None,
    };
    let id = state.get("id")?.as_str().filter(|s| !s.is_empty())?;
    Some((Uuid::parse_str(id).ok()?, status))
}

/// The meta key to read for [`restorable`]'s session.
pub fn restore_key(state_json: &str) -> Option<String> {
    restorable(state_json).map(|(id, _)| storage_keys::meta(id))
}

/// What startup does after looking for the session's meta (`found`: whether
/// it was there; `restoring`: whether there was a session to restore).
pub fn startup(restoring: bool, found: bool) -> Vec<Step> {
    let mut steps = Vec::new();
    if restoring && !found {
        steps.push(Step::SessionState(SessionState::idle()));
    }
    steps.extend([
        Step::PeriodicAlarm {
            name: EXPIRY_ALARM.to_owned(),
            period_minutes: TIMINGS.expiry_minutes,
        },
        Step::UpdateBadge,
        // Expiry and delivery run at every start, not only on their alarms:
        // a browser that was closed for a week must not wait an hour.
        Step::Sweep,
    ]);
    steps
}

/// One capture batch item that counts: its capture id and event (JSON).
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureItem {
    pub cid: String,
    pub event_json: String,
    /// `event.kind.type`, for the diagnostics log.
    pub kind: serde_json::Value,
}

/// What a `capture` message without an array of events is told.
pub const NOT_AN_ARRAY: &str = "events must be an array";

/// A content script's batch (`msg.events`, JSON; `null` when absent):
/// `Err` when it is not an array; else how many items arrived and those
/// that are objects with a string `cid` (the others are skipped unacked).
pub fn capture_items(events_json: &str) -> Result<(usize, Vec<CaptureItem>), &'static str> {
    let events: serde_json::Value = serde_json::from_str(events_json).map_err(|_| NOT_AN_ARRAY)?;
    let items = events.as_array().ok_or(NOT_AN_ARRAY)?;
    Ok((items.len(), capture_items_of(items)))
}

/// The items of a batch that are a protocol `CaptureItem` as far as the
/// cid goes; the event is checked when it is accepted, so that one bad
/// event cannot cost the others.
pub fn capture_items_of(items: &[serde_json::Value]) -> Vec<CaptureItem> {
    type Item = clawtrail_protocol::messages::CaptureItem<Option<serde_json::Value>>;
    items
        .iter()
        .filter(|item| item.is_object())
        .filter_map(|item| serde_json::from_value::<Item>(item.clone()).ok())
        .map(|item| {
            let event = item.event.unwrap_or(serde_json::Value::Null);
            let kind = event
                .get("kind")
                .and_then(|k| k.get("type"))
                .cloned()
                .unwrap_or(serde_json::Value::Null);
            CaptureItem {
                cid: item.cid,
                event_json: event.to_string(),
                kind,
            }
        })
        .collect()
}

/// The JSON the JS interpreter reads: an array of steps.
pub fn to_json(steps: &[Step]) -> String {
    serde_json::to_string(steps).expect("steps serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Uuid = Uuid::from_u128(1);
    const B: Uuid = Uuid::from_u128(2);

    fn plan_of(c: Command, s: Status, cur: Option<Uuid>) -> Vec<Step> {
        plan(c, s, cur, B, "n".into())
    }

    #[test]
    fn toggle_is_record_when_idle_else_stop() {
        assert_eq!(
            Command::resolve("toggle", Status::Idle),
            Some(Command::Record)
        );
        assert_eq!(
            Command::resolve("toggle", Status::Active),
            Some(Command::Stop)
        );
        assert_eq!(
            Command::resolve("toggle", Status::Paused),
            Some(Command::Stop)
        );
        assert_eq!(Command::resolve("status", Status::Idle), None);
        for c in [
            Command::Record,
            Command::Pause,
            Command::Resume,
            Command::Stop,
        ] {
            assert_eq!(Command::resolve(c.name(), Status::Active), Some(c));
        }
    }

    #[test]
    fn guards_do_nothing_in_the_wrong_state() {
        assert!(plan_of(Command::Record, Status::Active, Some(A)).is_empty());
        assert!(plan_of(Command::Record, Status::Paused, Some(A)).is_empty());
        assert!(plan_of(Command::Pause, Status::Idle, None).is_empty());
        assert!(plan_of(Command::Pause, Status::Paused, Some(A)).is_empty());
        assert!(plan_of(Command::Resume, Status::Active, Some(A)).is_empty());
        assert!(plan_of(Command::Resume, Status::Idle, None).is_empty());
        assert!(plan_of(Command::Stop, Status::Idle, None).is_empty());
    }

    #[test]
    fn record_starts_stores_and_keeps_alive() {
        assert_eq!(
            to_json(&plan_of(Command::Record, Status::Idle, None)),
            format!(
                r#"[{{"begin_session":{{"id":"{B}","name":"n"}}}},{{"session_state":{{"status":"active","id":"{B}"}}}},{{"periodic_alarm":{{"name":"keepalive","period_minutes":0.5}}}},{{"inject_tabs":{{"type":"ping"}}}},{{"broadcast":{{"type":"set_recording","recording":true}}}},"update_badge"]"#
            )
        );
    }

    #[test]
    fn pause_closes_gates_before_pausing() {
        assert_eq!(
            plan_of(Command::Pause, Status::Active, Some(A)),
            vec![
                Step::CloseGates(set_recording(false)),
                Step::PauseSession,
                Step::Flush,
                Step::SessionState(SessionState {
                    status: Status::Paused,
                    id: Some(A)
                }),
                Step::UpdateBadge,
            ]
        );
    }

    #[test]
    fn resume_reopens_the_gates() {
        assert_eq!(
            plan_of(Command::Resume, Status::Paused, Some(A)),
            vec![
                Step::ResumeSession,
                Step::SessionState(SessionState {
                    status: Status::Active,
                    id: Some(A)
                }),
                Step::Broadcast(set_recording(true)),
                Step::UpdateBadge,
            ]
        );
    }

    #[test]
    fn stop_closes_gates_only_while_active_and_delivers_with_wake() {
        let active = plan_of(Command::Stop, Status::Active, Some(A));
        let paused = plan_of(Command::Stop, Status::Paused, Some(A));
        assert_eq!(active[0], Step::CloseGates(set_recording(false)));
        assert_eq!(&active[1..], &paused[..]);
        assert_eq!(
            to_json(&paused),
            format!(
                r#"["flush","stop_session",{{"session_state":{{"status":"idle"}}}},{{"clear_alarm":"keepalive"}},"update_badge",{{"deliver":{{"id":"{A}","wake":true}}}}]"#
            )
        );
    }

    #[test]
    fn the_shortcut_toggles() {
        assert_eq!(keyboard_command("toggle-recording"), Some("toggle"));
        assert_eq!(keyboard_command("_execute_action"), None);
        // Whatever it names is a command.
        let toggle = keyboard_command("toggle-recording").unwrap();
        assert!(Command::resolve(toggle, Status::Idle).is_some());
    }

    #[test]
    fn alarms_route_by_name() {
        assert_eq!(on_alarm("keepalive"), vec![Step::Flush]);
        assert_eq!(on_alarm(RETRY_ALARM), vec![Step::Sweep]);
        assert_eq!(on_alarm("expiry"), vec![Step::Sweep]);
        assert!(on_alarm("other").is_empty());
    }

    #[test]
    fn restores_only_an_active_or_paused_session_with_an_id() {
        let a = format!(r#"{{"status":"active","id":"{A}"}}"#);
        let p = format!(r#"{{"status":"paused","id":"{A}"}}"#);
        assert_eq!(restorable(&a), Some((A, Status::Active)));
        assert_eq!(restorable(&p), Some((A, Status::Paused)));
        assert_eq!(restore_key(&a), Some(storage_keys::meta(A)));
        assert_eq!(restorable("null"), None);
        assert_eq!(restorable(r#"{"status":"idle"}"#), None);
        assert_eq!(restorable(r#"{"status":"active"}"#), None);
        assert_eq!(restorable(r#"{"status":"active","id":""}"#), None);
    }

    #[test]
    fn startup_resets_a_state_whose_meta_is_gone() {
        let full = startup(true, false);
        assert_eq!(full[0], Step::SessionState(SessionState::idle()));
        assert_eq!(&full[1..], &startup(true, true)[..]);
        assert_eq!(startup(false, false), startup(true, true));
        assert_eq!(
            to_json(&startup(false, false)),
            r#"[{"periodic_alarm":{"name":"expiry","period_minutes":60.0}},"update_badge","sweep"]"#
        );
    }

    #[test]
    fn capture_items_need_an_array_and_string_cids() {
        assert_eq!(capture_items("null"), Err("events must be an array"));
        assert_eq!(capture_items(r#"{"a":1}"#), Err("events must be an array"));
        let (n, items) = capture_items(
            r#"[null, 3, {"cid": 5}, {"cid": "x", "event": {"kind": {"type": "click"}}}, {"cid": "y"}]"#,
        )
        .unwrap();
        assert_eq!(n, 5);
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].cid, "x");
        assert_eq!(items[0].kind, serde_json::json!("click"));
        assert_eq!(items[1].event_json, "null");
        assert_eq!(items[1].kind, serde_json::Value::Null);
    }
}
