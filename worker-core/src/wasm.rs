//! The JavaScript face of this crate (wasm-bindgen). Strings in, strings
//! out: the worker's JS stores and sends what it gets back verbatim, so it
//! never needs to know the shape of a recording.

use chrono::{DateTime, Utc};
use uuid::Uuid;
use wasm_bindgen::prelude::*;
use workflow_format::{CapturedEvent, EventKind, RecorderInfo};

use crate::session::{Flush, Meta, Session, Status, TabContext, assemble};
use crate::{delivery, keys};

fn time(ms: f64) -> Result<DateTime<Utc>, JsError> {
    DateTime::from_timestamp_millis(ms as i64).ok_or_else(|| JsError::new("time out of range"))
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
        let id = Uuid::parse_str(id).map_err(|e| JsError::new(&format!("bad id: {e}")))?;
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

#[wasm_bindgen]
pub fn is_expired(meta_json: &str, now_ms: f64) -> Result<bool, JsError> {
    Ok(delivery::is_expired(&meta(meta_json)?, time(now_ms)?))
}

#[wasm_bindgen]
pub fn is_due(meta_json: &str, now_ms: f64) -> Result<bool, JsError> {
    Ok(delivery::is_due(&meta(meta_json)?, time(now_ms)?))
}

/// Notes a failed upload; returns the updated meta to store.
#[wasm_bindgen]
pub fn record_failure(meta_json: &str, error: &str, now_ms: f64) -> Result<String, JsError> {
    let mut m = meta(meta_json)?;
    delivery::record_failure(&mut m, error, time(now_ms)?);
    Ok(serde_json::to_string(&m).expect("meta serializes"))
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

/// The loopback ports to look for the relay on, in order.
#[wasm_bindgen]
pub fn relay_ports() -> Vec<u16> {
    clawtrail_trust::PORTS.to_vec()
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
