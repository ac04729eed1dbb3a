//! The two extension APIs the page needs, bound directly: the pairing key
//! and the port the relay proved itself on (and the tests' relay port) in
//! `chrome.storage.local`, and the service worker's status message for
//! pending uploads.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use clawtrail_protocol::messages::ToWorker;

use crate::pending::Pending;
use crate::pending::read_status;

/// Where the service worker keeps the pairing key (JSON) and the port its
/// relay last proved itself on (see extension/src/service_worker.js).
const KEY_KEY: &str = "relay_key";
const RELAY_PORT_KEY: &str = "relay_port";
/// Set only by the end-to-end tests, which run their relay on a free port;
/// read only in a test build (scripts/build-extension turns the feature on
/// for debug builds), so a stale key cannot redirect a user's viewer.
#[cfg(feature = "test-hooks")]
const DEBUG_PORT_KEY: &str = "debug_relay_port";
#[cfg(not(feature = "test-hooks"))]
const DEBUG_PORT_KEY: &str = "";
pub const DEFAULT_PORT: u16 = 18799;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = ["chrome", "storage", "local"], js_name = get, catch)]
    fn storage_local_get(keys: &JsValue) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_namespace = ["chrome", "runtime"], js_name = sendMessage, catch)]
    fn runtime_send_message(message: &JsValue) -> Result<js_sys::Promise, JsValue>;
}

/// A JS exception as text.
pub fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            js_sys::Reflect::get(&e, &"message".into())
                .ok()
                .and_then(|m| m.as_string())
        })
        .unwrap_or_else(|| "unknown error".to_owned())
}

pub struct Settings {
    /// The pairing key, as JSON.
    pub key: Option<String>,
    pub port: u16,
}

pub async fn settings() -> Result<Settings, String> {
    let keys = js_sys::Array::of3(
        &KEY_KEY.into(),
        &RELAY_PORT_KEY.into(),
        &DEBUG_PORT_KEY.into(),
    );
    let got = JsFuture::from(storage_local_get(&keys).map_err(js_error)?)
        .await
        .map_err(js_error)?;
    let field = |k: &str| js_sys::Reflect::get(&got, &k.into()).ok();
    let key = field(KEY_KEY)
        .and_then(|t| t.as_string())
        .filter(|t| !t.is_empty());
    let port_of = |k: &str| {
        field(k)
            .and_then(|p| p.as_f64())
            .filter(|p| p.fract() == 0.0 && (1.0..=65535.0).contains(p))
            .map(|p| p as u16)
    };
    let debug = (!DEBUG_PORT_KEY.is_empty())
        .then(|| port_of(DEBUG_PORT_KEY))
        .flatten();
    let port = debug
        .or_else(|| port_of(RELAY_PORT_KEY))
        .unwrap_or(DEFAULT_PORT);
    Ok(Settings { key, port })
}

/// The worker's view: relay state and the uploads still waiting.
pub struct WorkerStatus {
    pub relay: Option<String>,
    pub now_ms: i64,
    pub pending: Vec<Pending>,
}

pub async fn worker_status() -> Result<WorkerStatus, String> {
    let message = serde_json::to_string(&ToWorker::Status).expect("message serializes");
    let message = js_sys::JSON::parse(&message).map_err(js_error)?;
    let reply = JsFuture::from(runtime_send_message(&message).map_err(js_error)?)
        .await
        .map_err(js_error)?;
    // `undefined` (no listener answered) stringifies to nothing.
    let text = js_sys::JSON::stringify(&reply)
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    let status = read_status(&text)?;
    Ok(WorkerStatus {
        relay: Some(status.relay.as_str().to_owned()),
        now_ms: status.now,
        pending: status.pending,
    })
}
