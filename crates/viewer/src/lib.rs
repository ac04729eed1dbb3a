//! clawtrail's Recordings page (`viewer.html` inside the extension).
//!
//! scripts/build-extension turns it into plain files the extension ships: an HTML
//! page, a wasm-bindgen ES module, the `.wasm` and an external boot script
//! (MV3 extension pages refuse inline scripts). It talks to the local relay
//! with the token the service worker stored at pairing time, and to the
//! service worker itself for the uploads still waiting in chrome.storage.
//!
//! What the page shows is computed by pure modules that `cargo test` checks
//! natively:
//!
//! * [`listing`]: the recording list, its search filter and its columns.
//! * [`timeline`]: one recording as page groups of steps, rendered in
//!   chunks so a 10,000-event recording stays responsive.
//! * [`pending`]: uploads waiting in the worker, with their age and retry.
//! * [`skill_zip`]: the OpenClaw skill download as one `.zip`.
//! * [`fmt`]: durations, offsets and dates, identical everywhere.
//!
//! The DOM glue (`app`, `dom`, `chrome`, `relay`) exists only for wasm32.

pub mod fmt;
pub mod listing;
pub mod pending;
pub mod skill_zip;
pub mod timeline;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod chrome;
#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod relay;
