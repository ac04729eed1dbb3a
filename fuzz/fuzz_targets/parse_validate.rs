//! Any bytes POSTed to /v1/recordings go through exactly this: parse,
//! validate, and (when valid) store the canonical form. None of it may
//! panic, and the canonical form must be a fixed point, since "identical
//! content" (200 vs 409) is decided by comparing canonical bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use workflow_format::{from_json_slice, to_canonical_json};

fuzz_target!(|data: &[u8]| {
    let Ok(rec) = from_json_slice(data) else {
        return;
    };
    if rec.validate().is_err() {
        return;
    }
    let canonical = to_canonical_json(&rec);
    let again = from_json_slice(&canonical).expect("canonical JSON parses");
    assert_eq!(again, rec, "canonical roundtrip changed the recording");
    again.validate().expect("a valid recording stays valid");
    assert_eq!(to_canonical_json(&again), canonical, "canonical form is not stable");
});
