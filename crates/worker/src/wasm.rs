//! The JavaScript face of this crate (wasm-bindgen). Strings in, strings
//! out: the worker's JS stores and sends what it gets back verbatim, so it
//! never needs to know the shape of a recording.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use workflow_format::{EventKind, RecorderInfo};

use crate::effect::{self, Effect};
use crate::messages::{self, RawSender};
use crate::policy::{self, Learned, RelayState, RelayStatusCache};
use crate::session::{Flush, Meta, Session, Status};
use crate::{control, delivery, request, storage_keys};

fn time(ms: f64) -> Result<DateTime<Utc>, JsError> {
    DateTime::from_timestamp_millis(ms as i64).ok_or_else(|| JsError::new("time out of range"))
}

fn id(text: &str) -> Result<Uuid, JsError> {
    Uuid::parse_str(text).map_err(|e| JsError::new(&format!("bad id: {e}")))
}

fn meta(json: &str) -> Result<Meta, JsError> {
    serde_json::from_str(json).map_err(|e| JsError::new(&format!("bad recording meta: {e}")))
}

/// `{key: value, ...}` for `chrome.storage.local.set`.
fn writes_object(flush: Flush) -> String {
    let map: serde_json::Map<String, serde_json::Value> = flush
        .writes
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The worker's recording session (at most one at a time).
#[wasm_bindgen]
#[derive(Default)]
pub struct WorkerCore {
    session: Option<Session>,
    relay: RelayStatusCache,
}

#[wasm_bindgen]
impl WorkerCore {
    #[wasm_bindgen(constructor)]
    pub fn new() -> WorkerCore {
        WorkerCore::default()
    }

    /// Starts a recording. Returns the first storage writes (the meta).
    pub fn start(
        &mut self,
        id: &str,
        name: &str,
        version: &str,
        user_agent: &str,
        now_ms: f64,
    ) -> Result<String, JsError> {
        if self.session.is_some() {
            return Err(JsError::new("a recording is already running"));
        }
        let id = self::id(id)?;
        let recorder = RecorderInfo {
            version: version.to_owned(),
            user_agent: user_agent
                .chars()
                .take(workflow_format::limits::USER_AGENT)
                .collect(),
        };
        let session = Session::start(id, name.to_owned(), recorder, time(now_ms)?);
        let (key, value) = (
            storage_keys::meta(id),
            serde_json::to_string(session.meta()).expect("meta serializes"),
        );
        self.session = Some(session);
        Ok(writes_object(Flush {
            writes: vec![(key, value)],
        }))
    }

    fn current_status(&self) -> Status {
        self.session.as_ref().map_or(Status::Idle, |s| s.status())
    }

    /// The recording's state (`messages::state`): `{"status":
    /// "idle"|"active"|"paused", "id", "name", "started_at", "events"}`.
    pub fn status(&self) -> String {
        serde_json::to_string(&messages::state(self.session.as_ref())).expect("state serializes")
    }

    /// The answer to a recording command: `{ok: true, ...status}`.
    pub fn state_reply(&self) -> String {
        serde_json::to_string(&messages::state_reply(self.session.as_ref()))
            .expect("reply serializes")
    }

    /// The answer to `status` (`messages::status_reply`): `metas`, the
    /// pending recordings' stored metas; `relay`, the relay status;
    /// `now_ms`, the worker's clock.
    pub fn status_reply(
        &self,
        metas: Vec<String>,
        relay: &str,
        now_ms: f64,
    ) -> Result<String, JsError> {
        let metas = metas
            .iter()
            .map(|m| meta(m))
            .collect::<Result<Vec<_>, _>>()?;
        let relay: RelayState = serde_json::from_value(serde_json::Value::from(relay))
            .map_err(|e| JsError::new(&format!("bad relay status: {e}")))?;
        let reply = messages::status_reply(
            self.session.as_ref(),
            now_ms as i64,
            relay,
            self.relay.port(),
            &metas,
        );
        Ok(serde_json::to_string(&reply).expect("reply serializes"))
    }

    /// A content script's hello (`JSON.stringify` of the message and of
    /// its sender): `{"reply", "seen"}` (`messages::hello`).
    pub fn hello(&self, msg_json: &str, sender_json: &str) -> String {
        let msg = serde_json::from_str(msg_json).unwrap_or_default();
        let seen = messages::hello(self.current_status(), &msg, &RawSender::parse(sender_json));
        serde_json::to_string(&seen).expect("hello serializes")
    }

    /// The badge for the current state, as effects (JSON array).
    pub fn badge(&self) -> String {
        let (status, events) = match &self.session {
            None => (Status::Idle, 0),
            Some(s) => (s.status(), s.event_count()),
        };
        effect::to_json(&[policy::badge(status, events)])
    }

    /// The relay status learned less than 3 s ago (`now_ms`: `Date.now()`),
    /// else `undefined`.
    pub fn relay_status_cached(&self, now_ms: f64) -> Option<String> {
        self.relay.fresh(now_ms).map(|s| s.as_str().to_owned())
    }

    /// Notes the result of looking for the paired relay; returns the status
    /// it means (`connected`, `not_paired`, `not_running`).
    pub fn note_relay_search(&mut self, now_ms: f64, port: Option<u16>, refused: bool) -> String {
        let state = RelayState::of_search(port, refused);
        self.relay.note(now_ms, state, port);
        state.as_str().to_owned()
    }

    /// Notes the status without a pairing key: whether anything answered a
    /// health check. Returns the status.
    pub fn note_relay_unpaired(&mut self, now_ms: f64, anything_up: bool) -> String {
        let state = RelayState::unpaired(anything_up);
        self.relay.note(now_ms, state, None);
        state.as_str().to_owned()
    }

    /// Forgets the cached relay status (after pairing, or a port change).
    pub fn forget_relay(&mut self) {
        self.relay.forget();
    }

    /// The port the relay was last found on.
    pub fn relay_port(&self) -> Option<u16> {
        self.relay.port()
    }

    /// A tab event seen by the worker (`JSON.stringify(tab)`, the raw
    /// `chrome.tabs.Tab`): kind is "opened", "activated" or "closed".
    /// Returns the steps that follow it (`messages::tab_event_steps`):
    /// none unless recording.
    pub fn tab_event(
        &mut self,
        tab_json: &str,
        kind: &str,
        now_ms: f64,
    ) -> Result<String, JsError> {
        let steps = messages::tab_event_steps(self.current_status());
        if steps.is_empty() {
            return Ok(control::to_json(&steps));
        }
        let raw = serde_json::from_str(tab_json).unwrap_or_default();
        let tab = messages::tab_context(&raw).map_err(|e| JsError::new(&e))?;
        let kind = match kind {
            "opened" => EventKind::TabOpened(workflow_format::TabOpenedEvent {
                opener_tab_id: tab.opener_tab_id,
            }),
            "activated" => EventKind::TabActivated,
            "closed" => EventKind::TabClosed,
            other => return Err(JsError::new(&format!("unknown tab event {other:?}"))),
        };
        let now = time(now_ms)?;
        if let Some(s) = &mut self.session {
            s.accept_tab_event(&tab, kind, now);
        }
        Ok(control::to_json(&steps))
    }

    /// Storage writes for what was accepted since the last flush, or
    /// `undefined` when there is nothing new.
    pub fn flush(&mut self) -> Option<String> {
        self.session.as_mut()?.flush().map(writes_object)
    }

    pub fn pause(&mut self) {
        if let Some(s) = &mut self.session {
            s.pause();
        }
    }

    pub fn resume(&mut self) {
        if let Some(s) = &mut self.session {
            s.resume();
        }
    }

    /// `record` or `stop` for `toggle` in the current state; other command
    /// names as they are; `undefined` for names that are no command.
    pub fn resolve_command(&self, name: &str) -> Option<String> {
        control::Command::resolve(name, self.current_status()).map(|c| c.name().to_owned())
    }

    /// The steps of a command (`record`, `pause`, `resume`, `stop`,
    /// `toggle`) in the current state, JSON (`[]` when the state does not
    /// allow it). `new_id`: the id a recording started now gets.
    pub fn command(&self, name: &str, new_id: &str, now_ms: f64) -> Result<String, JsError> {
        let status = self.current_status();
        let command = control::Command::resolve(name, status)
            .ok_or_else(|| JsError::new(&format!("unknown command {name:?}")))?;
        let current = self.session.as_ref().map(|s| s.meta().id);
        let steps = control::plan(
            command,
            status,
            current,
            self::id(new_id)?,
            policy::default_name(time(now_ms)?),
        );
        Ok(control::to_json(&steps))
    }

    /// Startup: rebuilds the session kept in `state_json`
    /// (`chrome.storage.session`'s `state`, `null` when absent) from its
    /// stored meta (`undefined` when gone). Returns the startup steps.
    pub fn startup(
        &mut self,
        state_json: &str,
        meta_json: Option<String>,
    ) -> Result<String, JsError> {
        let restoring = control::restorable(state_json);
        if let (Some((_, status)), Some(m)) = (restoring, meta_json.as_deref()) {
            self.session = Some(Session::restore(meta(m)?, status));
        }
        Ok(control::to_json(&control::startup(
            restoring.is_some(),
            meta_json.is_some(),
        )))
    }

    /// Accepts a content script's batch (`JSON.stringify` of the message
    /// and of `sender.tab`): `{"reply", "received", "log", "warnings",
    /// "flush"}` (`messages::capture`).
    pub fn capture(&mut self, msg_json: &str, tab_json: &str) -> String {
        let msg = serde_json::from_str(msg_json).unwrap_or_default();
        let tab = serde_json::from_str(tab_json).unwrap_or_default();
        let captured = messages::capture(self.session.as_mut(), &msg, &tab);
        serde_json::to_string(&captured).expect("capture serializes")
    }

    /// Ends the recording. Returns `{"id", "writes"}`: the final storage
    /// writes; the session is gone afterwards.
    pub fn stop(&mut self, now_ms: f64) -> Result<String, JsError> {
        let session = self
            .session
            .take()
            .ok_or_else(|| JsError::new("not recording"))?;
        let (meta, flush) = session.stop(time(now_ms)?);
        Ok(serde_json::json!({ "id": meta.id, "writes": serde_json::from_str::<serde_json::Value>(&writes_object(flush)).expect("valid JSON") }).to_string())
    }
}

/// The chunk keys, in order.
#[wasm_bindgen]
pub fn chunk_keys(meta_json: &str) -> Result<Vec<String>, JsError> {
    let m = meta(meta_json)?;
    Ok((0..m.chunks)
        .map(|i| storage_keys::chunk(m.id, i))
        .collect())
}

/// The meta key of recording `id`.
#[wasm_bindgen]
pub fn meta_key(id: &str) -> Result<String, JsError> {
    Ok(storage_keys::meta(self::id(id)?))
}

/// The meta keys among all of `chrome.storage.local`'s keys of the
/// recordings waiting for delivery (all but `active`, the one recording).
#[wasm_bindgen]
pub fn pending_meta_keys(
    stored: Vec<String>,
    active: Option<String>,
) -> Result<Vec<String>, JsError> {
    let active = active.as_deref().map(id).transpose()?;
    Ok(storage_keys::pending_metas(&stored, active))
}

/// The retry alarm for the pending recordings' metas, as effects (JSON
/// array): set to the earliest next attempt, or cleared.
#[wasm_bindgen]
pub fn retry_alarm(
    metas: Vec<String>,
    clock_offset_ms: f64,
    real_now_ms: f64,
) -> Result<String, JsError> {
    let metas = metas
        .iter()
        .map(|m| meta(m))
        .collect::<Result<Vec<_>, _>>()?;
    let e: Effect = delivery::retry_alarm(&metas, clock_offset_ms as i64, real_now_ms as i64);
    Ok(effect::to_json(&[e]))
}

/// What to do with a message (`messages::action`), given
/// `JSON.stringify` of it (`undefined` for `undefined`) and of its sender,
/// this extension's id and `chrome.runtime.getURL('')`: `"ignore"` (no
/// answer), `{"reply": ...}`, `"hello"`, `"capture"`, `{"command": name}`,
/// `"status"`, `"retry_now"` or `{"pair": code}`.
#[wasm_bindgen]
pub fn route_message(
    msg_json: Option<String>,
    sender_json: &str,
    runtime_id: &str,
    extension_base: &str,
) -> String {
    let msg = msg_json
        .and_then(|m| serde_json::from_str(&m).ok())
        .unwrap_or_default();
    let action = messages::action(
        &msg,
        &RawSender::parse(sender_json),
        runtime_id,
        extension_base,
    );
    serde_json::to_string(&action).expect("action serializes")
}

/// Timeouts and alarm periods (see `policy::Timings`), JSON.
#[wasm_bindgen]
pub fn timings() -> String {
    serde_json::to_string(&policy::TIMINGS).expect("timings serialize")
}

/// While closing the gates: ms to sleep before looking again, or
/// `undefined` when done waiting.
#[wasm_bindgen]
pub fn quiet_wait(now_ms: f64, began_ms: f64, last_capture_ms: f64) -> Option<u32> {
    policy::quiet_wait(now_ms, began_ms, last_capture_ms)
}

/// The answer to `retry_now`, given the sweep's results (JSON).
#[wasm_bindgen]
pub fn retry_reply(results_json: &str) -> Result<String, JsError> {
    let results = serde_json::from_str(results_json)
        .map_err(|e| JsError::new(&format!("bad sweep results: {e}")))?;
    Ok(serde_json::to_string(&messages::retry_reply(results)).expect("reply serializes"))
}

/// `{ok: false, error}`: the answer when handling a message threw.
#[wasm_bindgen]
pub fn failure(error: &str) -> String {
    serde_json::to_string(&messages::failure(error)).expect("reply serializes")
}

/// Whether a tab needs the content script, from its top frame's answer to
/// the ping (`JSON.stringify`, `null` when none came).
#[wasm_bindgen]
pub fn needs_script(answer_json: Option<String>) -> bool {
    let answer = answer_json
        .and_then(|a| serde_json::from_str(&a).ok())
        .unwrap_or_default();
    messages::needs_script(&answer)
}

// --- the relay: pairing, signed requests, trusted answers ----------------

fn key(json: &str) -> Result<clawtrail_trust::Key, JsError> {
    crate::relay::key_from_json(json).map_err(|e| JsError::new(&e.to_string()))
}

/// A pairing in progress (the popup's code, for one relay port).
#[wasm_bindgen]
pub struct RelayPairing {
    inner: crate::relay::Pairing,
    message: String,
}

#[wasm_bindgen]
impl RelayPairing {
    /// `random`: 64 bytes from `crypto.getRandomValues`.
    #[wasm_bindgen(constructor)]
    pub fn new(code: &str, random: &[u8]) -> Result<RelayPairing, JsError> {
        let random: [u8; 64] = random
            .try_into()
            .map_err(|_| JsError::new("pairing needs 64 random bytes"))?;
        let (inner, message) = crate::relay::Pairing::start(code, random);
        Ok(RelayPairing { inner, message })
    }

    /// The body member `msg` of `POST /v1/pair`.
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// Takes the relay's `msg`; returns the `confirm` for `/v1/pair/confirm`.
    pub fn confirm(&mut self, relay_msg: &str) -> Result<String, JsError> {
        self.inner
            .confirm(relay_msg)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Takes the relay's `key_id` and `confirm`; returns the key (JSON) to
    /// store, or throws when the relay did not prove it knew the code.
    pub fn accept(&self, key_id: &str, relay_confirm: &str) -> Result<String, JsError> {
        let k = self
            .inner
            .accept(key_id, relay_confirm)
            .map_err(|e| JsError::new(&e.to_string()))?;
        serde_json::to_string(&k).map_err(|e| JsError::new(&e.to_string()))
    }
}

/// A signed request, whole (`request::signed`): `{url, method, headers,
/// body, timeout_ms, nonce}`; `random`: 16 bytes or more.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn signed_request(
    key_json: &str,
    port: u16,
    method: &str,
    path: &str,
    body: &str,
    timeout_ms: u32,
    now_ms: f64,
    random: &[u8],
) -> Result<String, JsError> {
    if random.len() < clawtrail_trust::NONCE_BYTES {
        return Err(JsError::new("a nonce needs 16 random bytes"));
    }
    let r = request::signed(
        &key(key_json)?,
        port,
        method,
        path,
        body,
        timeout_ms,
        now_ms.floor() as i64,
        random,
    );
    Ok(serde_json::to_string(&r).expect("request serializes"))
}

/// The unsigned health check of `port` (`request::health`).
#[wasm_bindgen]
pub fn health_request(port: u16, timeout_ms: u32) -> String {
    serde_json::to_string(&request::health(port, timeout_ms)).expect("request serializes")
}

/// An unsigned JSON POST (`request::post`).
#[wasm_bindgen]
pub fn post_request(port: u16, path: &str, body: &str, timeout_ms: u32) -> String {
    serde_json::to_string(&request::post(port, path, body, timeout_ms)).expect("request serializes")
}

/// Whether an answer is the paired relay's, for the request with `nonce`.
#[wasm_bindgen]
pub fn answer_verifies(
    key_json: &str,
    nonce: &str,
    status: u16,
    body: &str,
    sig: Option<String>,
) -> Result<bool, JsError> {
    Ok(crate::relay::answer_verifies(
        &key(key_json)?,
        nonce,
        status,
        body.as_bytes(),
        sig.as_deref(),
    ))
}

/// Whether an upload's answer lets the worker delete its copy.
#[wasm_bindgen]
pub fn acknowledges(
    key_json: &str,
    nonce: &str,
    status: u16,
    body: &str,
    sig: Option<String>,
    recording_id: &str,
    sent: &str,
) -> Result<bool, JsError> {
    Ok(crate::relay::acknowledges(
        &key(key_json)?,
        nonce,
        status,
        body.as_bytes(),
        sig.as_deref(),
        recording_id,
        sent.as_bytes(),
    ))
}

/// The command a keyboard shortcut named `name` runs, if any.
#[wasm_bindgen]
pub fn keyboard_command(name: &str) -> Option<String> {
    control::keyboard_command(name).map(str::to_owned)
}

/// The steps an alarm named `name` triggers (JSON).
#[wasm_bindgen]
pub fn on_alarm(name: &str) -> String {
    control::to_json(&control::on_alarm(name))
}

/// The meta key of the session `state_json` (`chrome.storage.session`'s
/// `state`, `null` when absent) asks to restore, if any.
#[wasm_bindgen]
pub fn restore_key(state_json: &str) -> Option<String> {
    control::restore_key(state_json)
}

/// Diagnostics caps (see `control::Constants`), JSON.
#[wasm_bindgen]
pub fn constants() -> String {
    serde_json::to_string(&control::CONSTANTS).expect("constants serialize")
}

/// One delivery as a state machine (`delivery_run::DeliveryRun`): each
/// `next` returns the step to perform (JSON), given the last one's outcome.
#[wasm_bindgen(js_name = DeliveryRun)]
pub struct JsDeliveryRun(crate::delivery_run::DeliveryRun);

#[wasm_bindgen(js_class = DeliveryRun)]
impl JsDeliveryRun {
    /// `wake`: open the deep link if the relay is down; `debug_port`: a
    /// test build's only candidate port.
    #[wasm_bindgen(constructor)]
    pub fn new(id: &str, wake: bool, debug_port: Option<u16>) -> Result<JsDeliveryRun, JsError> {
        Ok(JsDeliveryRun(crate::delivery_run::DeliveryRun::new(
            self::id(id)?,
            wake,
            debug_port,
        )))
    }

    /// The next step, given the last step's outcome (JSON; `null` for the
    /// first). `now_ms`: the worker's clock.
    pub fn next(&mut self, outcome_json: &str, now_ms: f64) -> Result<String, JsError> {
        step(outcome_json, |o| self.0.next(o, now_ms as i64))
    }
}

/// One step of a step machine: parses the last step's outcome (JSON),
/// runs `next` on it and serializes the step it returns.
fn step<S: serde::Serialize, E: std::fmt::Display>(
    outcome_json: &str,
    next: impl FnOnce(serde_json::Value) -> Result<S, E>,
) -> Result<String, JsError> {
    let outcome: serde_json::Value = serde_json::from_str(outcome_json)
        .map_err(|e| JsError::new(&format!("bad step outcome: {e}")))?;
    let step = next(outcome).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(serde_json::to_string(&step).expect("step serializes"))
}

/// Looking for the relay outside a delivery (`relay_run::RelayRun`):
/// `purpose` is `status` (the popup's relay status), `find` or `any_up`.
#[wasm_bindgen(js_name = RelayRun)]
pub struct JsRelayRun(crate::relay_run::RelayRun);

#[wasm_bindgen(js_class = RelayRun)]
impl JsRelayRun {
    #[wasm_bindgen(constructor)]
    pub fn new(purpose: &str, debug_port: Option<u16>) -> Result<JsRelayRun, JsError> {
        let purpose = match purpose {
            "status" => crate::relay_run::Purpose::Status,
            "find" => crate::relay_run::Purpose::Find,
            "any_up" => crate::relay_run::Purpose::AnyUp,
            other => return Err(JsError::new(&format!("unknown relay run {other:?}"))),
        };
        Ok(JsRelayRun(crate::relay_run::RelayRun::new(
            purpose, debug_port,
        )))
    }

    /// The next step (JSON), given the last one's outcome (JSON; `null` first).
    pub fn next(&mut self, outcome_json: &str, _now_ms: f64) -> Result<String, JsError> {
        step(outcome_json, |o| self.0.next(o))
    }
}

/// A sweep as a state machine (`sweep_run::SweepRun`). `force`: deliver
/// everything now, waking the relay.
#[wasm_bindgen(js_name = SweepRun)]
pub struct JsSweepRun(crate::sweep_run::SweepRun);

#[wasm_bindgen(js_class = SweepRun)]
impl JsSweepRun {
    #[wasm_bindgen(constructor)]
    pub fn new(force: bool) -> JsSweepRun {
        JsSweepRun(crate::sweep_run::SweepRun::new(force))
    }

    /// The next step (JSON), given the last one's outcome (JSON; `null`
    /// first). `now_ms`: the worker's clock.
    pub fn next(&mut self, outcome_json: &str, now_ms: f64) -> Result<String, JsError> {
        step(outcome_json, |o| self.0.next(o, now_ms as i64))
    }
}

/// Pairing as a state machine (`pair_run::PairRun`). `code`: what the
/// popup sent, `undefined` when it is no string.
#[wasm_bindgen(js_name = PairRun)]
pub struct JsPairRun(crate::pair_run::PairRun);

#[wasm_bindgen(js_class = PairRun)]
impl JsPairRun {
    #[wasm_bindgen(constructor)]
    pub fn new(code: Option<String>, debug_port: Option<u16>) -> JsPairRun {
        JsPairRun(crate::pair_run::PairRun::new(code, debug_port))
    }

    /// The next step (JSON), given the last one's outcome (JSON; `null` first).
    pub fn next(&mut self, outcome_json: &str, _now_ms: f64) -> Result<String, JsError> {
        step(outcome_json, |o| self.0.next(o))
    }
}
