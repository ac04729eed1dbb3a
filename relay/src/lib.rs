//! clawtrail's relay and command line.
//!
//! * [`api`]: the HTTP API (axum router) and its guards.
//! * [`openapi`]: its OpenAPI document, generated from the routes and types.
//! * [`server`]: `clawtrail serve` around it (loopback bind, lock, signals).
//! * [`store`]: the durable recordings directory.
//! * [`auth`]: tokens, pairing codes, the pairing rate limit.
//! * [`cli`]: the `clawtrail` command line.

pub mod api;
pub mod auth;
pub mod cli;
pub mod duration;
pub mod extension_id;
pub mod openapi;
pub mod progress;
pub mod server;
pub mod store;
pub mod timeline;
pub mod url_scheme;
