//! The JavaScript face of this crate (wasm-bindgen). Strings in, strings
//! out: the worker's JS stores and sends what it gets back verbatim, so it
//! never needs to know the shape of a recording.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use workflow_format::{CapturedEvent, EventKind, RecorderInfo};

use crate::effect::{self, Effect};
use crate::policy::{self, RelayState, RelayStatusCache};
use crate::session::{Flush, Meta, Session, Status, TabContext, assemble};
use crate::{delivery, keys};

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

    /// Rebuilds the session after a worker restart from the stored meta and
    /// the state kept in `chrome.storage.session` ("active" or "paused").
    pub fn restore(&mut self, meta_json: &str, status: &str) -> Result<(), JsError> {
        let status = match status {
            "active" => Status::Active,
            "paused" => Status::Paused,
            other => {
                return Err(JsError::new(&format!(
                    "cannot restore a session in state {other:?}"
                )));
            }
        };
        self.session = Some(Session::restore(meta(meta_json)?, status));
        Ok(())
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
            keys::meta(id),
            serde_json::to_string(session.meta()).expect("meta serializes"),
        );
        self.session = Some(session);
        Ok(writes_object(Flush {
            writes: vec![(key, value)],
        }))
    }

    /// `{"status": "idle"|"active"|"paused", "id", "name", "started_at", "events"}`.
    pub fn status(&self) -> String {
        match &self.session {
            None => serde_json::json!({ "status": Status::Idle }).to_string(),
            Some(s) => serde_json::json!({
                "status": s.status(),
                "id": s.meta().id,
                "name": s.meta().name,
                "started_at": s.meta().started_at,
                "events": s.event_count(),
            })
            .to_string(),
        }
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

    /// Accepts one `CapturedEvent` (JSON) from a content script. Returns the
    /// outcome as JSON (`{"outcome": "stored", "seq": N}`, ...).
    pub fn accept(&mut self, cid: Option<String>, tab_json: &str, captured_json: &str) -> String {
        let outcome = match (
            &mut self.session,
            serde_json::from_str::<TabContext>(tab_json),
        ) {
            (None, _) => crate::Accepted::NotRecording,
            (_, Err(e)) => crate::Accepted::Invalid {
                reason: format!("bad tab: {e}"),
            },
            (Some(s), Ok(tab)) => match serde_json::from_str::<CapturedEvent>(captured_json) {
                Ok(captured) => s.accept(cid.as_deref(), &tab, captured),
                Err(e) => crate::Accepted::Invalid {
                    reason: e.to_string(),
                },
            },
        };
        serde_json::to_string(&outcome).expect("outcome serializes")
    }

    /// A tab event seen by the worker: kind is "opened", "activated" or "closed".
    pub fn tab_event(
        &mut self,
        tab_json: &str,
        kind: &str,
        now_ms: f64,
    ) -> Result<String, JsError> {
        let tab: TabContext =
            serde_json::from_str(tab_json).map_err(|e| JsError::new(&format!("bad tab: {e}")))?;
        let kind = match kind {
            "opened" => EventKind::TabOpened {
                opener_tab_id: tab.opener_tab_id,
            },
            "activated" => EventKind::TabActivated,
            "closed" => EventKind::TabClosed,
            other => return Err(JsError::new(&format!("unknown tab event {other:?}"))),
        };
        let now = time(now_ms)?;
        let outcome = match &mut self.session {
            None => crate::Accepted::NotRecording,
            Some(s) => s.accept_tab_event(&tab, kind, now),
        };
        Ok(serde_json::to_string(&outcome).expect("outcome serializes"))
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

/// Builds and validates the finished recording from its stored meta and
/// chunks (in order). Returns the recording as JSON, ready to POST.
#[wasm_bindgen]
pub fn assemble_recording(meta_json: &str, chunks: Vec<String>) -> Result<String, JsError> {
    let recording =
        assemble(&meta(meta_json)?, &chunks).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(String::from_utf8(workflow_format::to_canonical_json(&recording)).expect("JSON is UTF-8"))
}

/// Every storage key of the recording described by `meta_json`.
#[wasm_bindgen]
pub fn recording_keys(meta_json: &str) -> Result<Vec<String>, JsError> {
    let m = meta(meta_json)?;
    Ok(keys::all(m.id, m.chunks))
}

/// The chunk keys, in order.
#[wasm_bindgen]
pub fn chunk_keys(meta_json: &str) -> Result<Vec<String>, JsError> {
    let m = meta(meta_json)?;
    Ok((0..m.chunks).map(|i| keys::chunk(m.id, i)).collect())
}

/// The recording id if `key` is a meta key.
#[wasm_bindgen]
pub fn meta_key_id(key: &str) -> Option<String> {
    keys::parse_meta(key).map(|id| id.to_string())
}

/// The meta key of recording `id`.
#[wasm_bindgen]
pub fn meta_key(id: &str) -> Result<String, JsError> {
    Ok(keys::meta(self::id(id)?))
}

/// The meta keys among all of `chrome.storage.local`'s keys of the
/// recordings waiting for delivery (all but `active`, the one recording).
#[wasm_bindgen]
pub fn pending_meta_keys(
    stored: Vec<String>,
    active: Option<String>,
) -> Result<Vec<String>, JsError> {
    let active = active.as_deref().map(id).transpose()?;
    Ok(keys::pending_metas(&stored, active))
}

/// What a sweep does with one pending recording:
/// `{"action": "expire", "remove": [keys]}`, `{"action": "deliver", "wake"}`
/// or `{"action": "wait"}`.
#[wasm_bindgen]
pub fn sweep_action(meta_json: &str, now_ms: f64, force: bool) -> Result<String, JsError> {
    let action = delivery::sweep_action(&meta(meta_json)?, time(now_ms)?, force);
    Ok(serde_json::to_string(&action).expect("action serializes"))
}

/// Settles a delivery attempt (`attempt_json`: see `delivery::Attempt`).
/// Returns `{"result": "delivered"|"relay-down"|"http-NNN"|..., "effects"}`.
#[wasm_bindgen]
pub fn settle_delivery(
    meta_json: &str,
    attempt_json: &str,
    now_ms: f64,
) -> Result<String, JsError> {
    let attempt: delivery::Attempt = serde_json::from_str(attempt_json)
        .map_err(|e| JsError::new(&format!("bad delivery attempt: {e}")))?;
    let (outcome, effects) = delivery::settle(&meta(meta_json)?, &attempt, time(now_ms)?);
    Ok(serde_json::json!({
        "result": outcome.code(),
        "effects": serde_json::from_str::<serde_json::Value>(&effect::to_json(&effects)).expect("valid JSON"),
    })
    .to_string())
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

/// A new recording's name for the time `now_ms`.
#[wasm_bindgen]
pub fn default_recording_name(now_ms: f64) -> Result<String, JsError> {
    Ok(policy::default_name(time(now_ms)?))
}

/// Who may send what: `{"route": "ignore"}` (no answer), `{"route":
/// "reject", "error"}`, `{"route": "hello"}`, `{"route": "capture"}` or
/// `{"route": "command", "command": <message type>}`.
#[wasm_bindgen]
pub fn route_message(
    is_object: bool,
    msg_type: Option<String>,
    ours: bool,
    tab: bool,
    url: Option<String>,
    extension_base: &str,
) -> String {
    let sender = policy::Sender {
        ours,
        tab,
        url: url.as_deref(),
    };
    let route = policy::route(is_object, msg_type.as_deref(), &sender, extension_base);
    serde_json::to_string(&route).expect("route serializes")
}

/// One port's answer to the signed handshake: `ours`, `refused` (a 401) or
/// `nothing`. `status`: `undefined` when nothing answered.
#[wasm_bindgen]
pub fn probe(status: Option<u16>, verified: bool) -> String {
    serde_json::to_value(policy::probe(status, verified))
        .expect("probe serializes")
        .as_str()
        .expect("a string")
        .to_owned()
}

/// The ports to look for the relay on, in order.
#[wasm_bindgen]
pub fn candidate_ports(remembered: Option<u16>, debug: Option<u16>) -> Vec<u16> {
    policy::candidate_ports(clawtrail_trust::PORTS, remembered, debug)
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

/// After opening the wake deep link: ms to sleep before the next health
/// check, or `undefined` when done.
#[wasm_bindgen]
pub fn wake_wait(tries_done: u32, up: bool) -> Option<u32> {
    policy::wake_wait(tries_done, up)
}

/// A summary for the popup: `{"id", "name", "started_at", "events",
/// "attempts", "next_attempt_at", "last_error", "finished"}`.
#[wasm_bindgen]
pub fn pending_summary(meta_json: &str) -> Result<String, JsError> {
    let m = meta(meta_json)?;
    Ok(serde_json::json!({
        "id": m.id,
        "name": m.name,
        "started_at": m.started_at,
        "events": m.next_seq,
        "attempts": m.delivery.attempts,
        "next_attempt_at": m.delivery.next_attempt_at,
        "last_error": m.delivery.last_error,
        "finished": m.ended_at.is_some(),
    })
    .to_string())
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

/// `{authorization, nonce}` for a request; `random`: 16 bytes or more.
#[wasm_bindgen]
pub fn sign_request(
    key_json: &str,
    method: &str,
    path: &str,
    host: &str,
    now_ms: f64,
    random: &[u8],
    body: &str,
) -> Result<String, JsError> {
    if random.len() < clawtrail_trust::NONCE_BYTES {
        return Err(JsError::new("a nonce needs 16 random bytes"));
    }
    let s = crate::relay::sign(
        &key(key_json)?,
        method,
        path,
        host,
        now_ms.floor() as i64,
        random,
        body.as_bytes(),
    );
    serde_json::to_string(&s).map_err(|e| JsError::new(&e.to_string()))
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
