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
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
mod validate;

pub use model::*;
pub use pages::{PageGroup, format_offset, page_groups};
pub use parse::{
    ParseError, from_json_slice, from_json_str, is_canonical_json, to_canonical_json,
    write_canonical_json,
};
pub use rules::{
    ALLOWED_ABOUT_URLS, ARIA_ROLES, ClipboardKey, NAMED_KEYS, UrlPolicy, UrlProblem,
    allowed_scheme_with, check_url, clipboard_key, display_host, is_aria_role, quick_url_ok,
    roles_match,
};
pub use rules::{
    ALLOWED_SCHEMES, BANK_ACCOUNT_WORDS, CARD_WORDS, CJK_WORDS, FieldFacts,
    NAME_FROM_CONTENT_ROLES, ONE_TIME_CODE_WORDS, PASSWORD_WORDS, allowed_scheme,
    is_significant_key, is_value_role, limits, name_from_content, names_match, redaction_reason,
    secret_words, takes_text,
};
pub use validate::{Problem, ValidationError};

/// Puts `events` in the order the user acted, and numbers them again.
///
/// Events reach the service worker out of that order: a click is held in
/// the page for the double-click interval, so the tab it opened (and that
/// tab's first events) can arrive before it, and frames and tabs each have
/// their own channel. Every event carries `at`, taken in the page when the
/// user acted (kept through holds and resends; the worker's own tab events
/// use the same clock), so sorting by it restores the causal order. The
/// sort is stable: events of the same millisecond keep their arrival
/// order, which within one frame is the order they happened in.
pub fn into_causal_order(events: &mut [Event]) {
    events.sort_by_key(|e| e.at);
    for (seq, e) in events.iter_mut().enumerate() {
        e.seq = seq as u64;
    }
}

/// The format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON Schema of [`Recording`], as published at
/// `crates/format/schema/recording.v1.schema.json`.
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
