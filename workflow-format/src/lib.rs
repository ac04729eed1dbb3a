//! The one versioned definition of a clawtrail recording.
//!
//! The wasm content script builds these types, the relay parses and
//! validates them, and every exporter reads them. There is no second copy of
//! the schema anywhere: `schema/recording.v1.schema.json` is generated from
//! these types (feature `schema`) and a test fails if it drifts.
//!
//! The crate builds for `wasm32-unknown-unknown` as well as native targets,
//! so it stays free of I/O, clocks and randomness: the caller supplies ids
//! and timestamps.

mod describe;
mod model;
mod pages;
mod parse;
mod rules;
mod tagged;
mod validate;

pub use model::*;
pub use pages::{PageGroup, format_offset, page_groups};
pub use parse::{ParseError, from_json_slice, from_json_str, to_canonical_json};
pub use rules::{ALLOWED_SCHEMES, allowed_scheme, is_significant_key, limits, redaction_reason};
pub use validate::{Problem, ValidationError};

/// The format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON Schema of [`Recording`], as published at
/// `workflow-format/schema/recording.v1.schema.json`.
#[cfg(feature = "schema")]
pub fn json_schema() -> schemars::Schema {
    schemars::schema_for!(Recording)
}

/// The published schema file, pretty-printed with a trailing newline.
#[cfg(feature = "schema")]
pub fn json_schema_string() -> String {
    let mut s = serde_json::to_string_pretty(&json_schema()).expect("a schema always serializes");
    s.push('\n');
    s
}
