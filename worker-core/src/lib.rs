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
//! [`effect::Effect`]s for the JS to perform.

pub mod delivery;
pub mod effect;
pub mod keys;
pub mod policy;
pub mod relay;
pub mod session;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use session::{
    Accepted, Delivery, Flush, Meta, Session, SessionError, Status, TabContext, assemble,
};
