//! The service worker's logic, in Rust.
//!
//! The worker's JavaScript only moves data between `chrome.*` APIs and this
//! crate: it hands over captured events and storage contents, and performs
//! the storage writes and HTTP requests this crate decides on. Everything
//! that can be wrong (seq assignment, which keys a flush writes, how a
//! recording is assembled and validated, when to retry, when to expire,
//! what a delivery attempt came to, who may send which message, what the
//! badge and the relay status say, how long to wait) is here, where
//! `cargo test` covers it. Decisions that touch `chrome.*` come back as
//! [`effect::Effect`]s for the JS to perform; what a command, an alarm or
//! startup does comes back as [`control::Step`]s; a delivery, a sweep, a
//! relay search and a pairing are state machines ([`delivery_run`],
//! [`sweep_run`], [`relay_run`], [`pair_run`]) that hand the JS one
//! [`delivery_run::Step`] at a time and take back its outcome.

pub mod control;
pub mod delivery;
pub mod delivery_run;
pub mod effect;
pub mod messages;
pub mod pair_run;
pub mod policy;
pub mod relay;
pub mod relay_run;
pub mod request;
pub mod session;
pub mod storage_keys;
pub mod sweep_run;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use session::{
    Accepted, Delivery, Flush, Meta, Session, SessionError, Status, TabContext, assemble,
};
