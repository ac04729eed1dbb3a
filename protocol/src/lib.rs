//! What clawtrail's parts say to each other, declared once.
//!
//! The relay serializes these types and the viewer (an extension page in
//! Rust/WASM) and the CLI read the same types back, so a field renamed on
//! one side cannot silently stay on the other. docs/API.md documents them;
//! the recording itself is `workflow_format::Recording`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use workflow_format::Recording;

/// One line of `GET /v1/recordings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingSummary {
    pub id: Uuid,
    pub name: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub event_count: usize,
    pub tab_count: usize,
    /// Size of the stored canonical JSON.
    pub size_bytes: u64,
}

impl RecordingSummary {
    pub fn of(rec: &Recording, size_bytes: u64) -> Self {
        RecordingSummary {
            id: rec.id,
            name: rec.name.clone(),
            started_at: rec.started_at,
            ended_at: rec.ended_at,
            event_count: rec.events.len(),
            tab_count: rec.tabs.len(),
            size_bytes,
        }
    }
}

/// The body of `GET /v1/recordings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Oldest first.
    pub recordings: Vec<RecordingSummary>,
    /// Corrupt or foreign files: reported, never fatal.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
}

/// A file in the recordings directory that is not a readable recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

/// The body of every error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable (`not_found`, `conflict`, `invalid`...).
    pub code: String,
    /// For people.
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorBody {
            error: ErrorDetail {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_body_has_the_documented_shape() {
        let v =
            serde_json::to_value(ErrorBody::new("not_found", "no recording with that id")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"error": {"code": "not_found", "message": "no recording with that id"}})
        );
    }

    #[test]
    fn a_listing_without_skipped_files_still_reads() {
        let l: Listing = serde_json::from_str(r#"{"recordings": []}"#).unwrap();
        assert_eq!(l, Listing::default());
    }
}
