//! The service worker's logic, in Rust.
//!
//! The worker's JavaScript only moves data between `chrome.*` APIs and this
//! crate: it hands over captured events and storage contents, and performs
//! the storage writes and HTTP requests this crate decides on. Everything
//! that can be wrong (seq assignment, which keys a flush writes, how a
//! recording is assembled and validated, when to retry, when to expire) is
//! here, where `cargo test` covers it.

pub mod delivery;
pub mod keys;
pub mod relay;
pub mod session;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use session::{
    Accepted, Delivery, Flush, Meta, Session, SessionError, Status, TabContext, assemble,
};
