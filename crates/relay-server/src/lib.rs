//! clawtrail's relay: what listens on 127.0.0.1:18799.
//!
//! * [`api`]: the HTTP API (axum router, [`api::app`]) and every guard a
//!   request passes: host, origin, signature, nonce, size, shape.
//! * [`openapi`]: its OpenAPI document, generated from the routes and the
//!   `clawtrail-protocol` types.
//! * [`server`]: the process around it (loopback bind, data-dir lock,
//!   signals), used by `clawtrail serve`.
//! * [`store`]: the durable recordings directory under `~/.openclaw/`.
//! * [`auth`]: pairing keys, pairing codes, nonces, the pairing rate limit.
//! * [`extension_id`]: which extension ids may call it.
//!
//! The command line that drives it is the `clawtrail` binary (`crates/cli`).

pub mod api;
pub mod auth;
pub mod extension_id;
pub mod openapi;
pub mod server;
pub mod store;
