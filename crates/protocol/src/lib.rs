//! What clawtrail's parts say to each other, declared once.
//!
//! The relay serializes these types and the viewer (an extension page in
//! Rust/WASM) and the CLI read the same types back, so a field renamed on
//! one side cannot silently stay on the other. docs/API.md documents them;
//! the recording itself is `workflow_format::Recording`. With the `schema`
//! feature every type derives `schemars::JsonSchema`: the relay's
//! `docs/openapi.json` is generated from these derives.

pub mod messages;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use workflow_format::Recording;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// One line of `GET /v1/recordings`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema), schemars(rename = "Summary"))]
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
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Listing {
    /// Oldest first.
    pub recordings: Vec<RecordingSummary>,
    /// Corrupt or foreign files: reported, never fatal.
    #[serde(default)]
    pub skipped: Vec<Skipped>,
}

/// A file in the recordings directory that is not a readable recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

/// The body of every error answer: `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema), schemars(rename = "Error"))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
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

// The remaining bodies. Fields of the answers are declared in the order
// they have always been sent in (the relay once built them with `json!`,
// whose keys come out sorted), so the bytes on the wire did not change
// when these types took over.

/// The body of `GET /v1/health`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Health {
    /// The format version of the recordings this relay reads and writes.
    pub format_version: u32,
    pub status: HealthStatus,
    /// The relay's version.
    pub version: String,
}

/// Always `"ok"`: a relay that answers is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Ok,
}

/// The body of `GET /v1/session`: the signed answer that tells the
/// extension its key is valid and this is its relay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct Session {
    /// Always `true` (any other case is an error answer).
    #[cfg_attr(feature = "schema", schemars(extend("const" = true)))]
    pub paired: bool,
}

/// The extension's SPAKE2 message (symmetric, Ed25519, identity `clawtrail
/// pairing v1`, password: the normalised code), base64url.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PairRequest {
    /// The extension's SPAKE2 message, base64url.
    pub msg: String,
}

/// The answer to `POST /v1/pair`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PairResponse {
    /// The relay's SPAKE2 message, base64url.
    pub msg: String,
    /// Names this exchange in /v1/pair/confirm (valid 60 s, one try).
    pub session: String,
}

/// The body of `POST /v1/pair/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PairConfirm {
    /// The `session` of the answer to /v1/pair.
    pub session: String,
    /// HMAC-SHA256 over both messages with the extension's confirmation
    /// key, base64url.
    pub confirm: String,
    /// The key id this extension held before; it is revoked (key rotation
    /// on re-pair).
    #[serde(default)]
    pub replaces: Option<String>,
}

/// The answer to `POST /v1/pair/confirm`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct PairConfirmed {
    /// The relay's confirmation; the extension keeps the key only when it
    /// verifies.
    pub confirm: String,
    /// Names the new key in signed requests.
    pub key_id: String,
}

/// The answer to `POST /v1/recordings` (201 or 200).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct UploadResult {
    /// Hex SHA-256 of the request body as received. The extension deletes
    /// its copy only when this matches what it sent, in an answer whose
    /// X-Clawtrail-Signature verifies.
    pub received_sha256: String,
    pub recording: RecordingSummary,
    pub status: UploadStatus,
}

/// Whether an upload stored a new recording or found it already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UploadStatus {
    /// A new id: stored (201).
    Created,
    /// Same id and identical content already stored (200).
    Unchanged,
}

/// The body of `PATCH /v1/recordings/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    /// At most 200 bytes (UTF-8), no control characters
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub name: String,
}

/// The answer to `PATCH /v1/recordings/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
pub struct RenameResult {
    pub recording: RecordingSummary,
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

    fn summary() -> RecordingSummary {
        RecordingSummary {
            id: Uuid::nil(),
            name: "n".into(),
            started_at: DateTime::UNIX_EPOCH,
            ended_at: DateTime::UNIX_EPOCH,
            event_count: 2,
            tab_count: 1,
            size_bytes: 300,
        }
    }

    /// The answers the relay once built with `json!` keep their bytes:
    /// the fields are declared in the (sorted) order they were sent in.
    #[test]
    fn the_answers_keep_their_bytes_on_the_wire() {
        let health = Health {
            format_version: 1,
            status: HealthStatus::Ok,
            version: "0.1.0".into(),
        };
        let cases = [
            (
                serde_json::to_string(&health).unwrap(),
                r#"{"format_version":1,"status":"ok","version":"0.1.0"}"#,
            ),
            (
                serde_json::to_string(&Session { paired: true }).unwrap(),
                r#"{"paired":true}"#,
            ),
            (
                serde_json::to_string(&PairResponse {
                    msg: "m".into(),
                    session: "s".into(),
                })
                .unwrap(),
                r#"{"msg":"m","session":"s"}"#,
            ),
            (
                serde_json::to_string(&PairConfirmed {
                    confirm: "c".into(),
                    key_id: "k".into(),
                })
                .unwrap(),
                r#"{"confirm":"c","key_id":"k"}"#,
            ),
        ];
        for (got, want) in cases {
            assert_eq!(got, want);
        }
        let ack = serde_json::to_value(UploadResult {
            received_sha256: "ab".into(),
            recording: summary(),
            status: UploadStatus::Unchanged,
        })
        .unwrap();
        assert_eq!(ack["status"], "unchanged");
        assert_eq!(ack["received_sha256"], "ab");
        assert_eq!(ack["recording"]["size_bytes"], 300);
    }

    #[test]
    fn the_requests_accept_only_their_documented_fields() {
        let c: PairConfirm = serde_json::from_str(r#"{"session":"s","confirm":"c"}"#).unwrap();
        assert_eq!(c.replaces, None);
        assert!(
            serde_json::from_str::<PairConfirm>(r#"{"session":"s","confirm":"c","x":1}"#).is_err()
        );
        assert!(serde_json::from_str::<PairRequest>(r#"{"msg":"m","x":1}"#).is_err());
        assert!(serde_json::from_str::<RenameRequest>(r#"{"name":"n","x":1}"#).is_err());
        let r: RenameRequest = serde_json::from_str(r#"{"name":"n"}"#).unwrap();
        assert_eq!(r.name, "n");
    }

    /// What the types serialize satisfies the schemas derived from them
    /// (the relay's OpenAPI components), and what the schemas refuse the
    /// types refuse too.
    #[test]
    fn the_bodies_satisfy_their_schemas() {
        fn check<T: Serialize + schemars::JsonSchema>(value: &T) {
            let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
            let instance = serde_json::to_value(value).unwrap();
            let validator = jsonschema::draft202012::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap();
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{instance}: {errors:?}");
        }
        check(&ErrorBody::new("not_found", "no such route"));
        check(&Health {
            format_version: 1,
            status: HealthStatus::Ok,
            version: "0.1.0".into(),
        });
        check(&Session { paired: true });
        check(&PairRequest { msg: "m".into() });
        check(&PairResponse {
            msg: "m".into(),
            session: "s".into(),
        });
        check(&PairConfirm {
            session: "s".into(),
            confirm: "c".into(),
            replaces: Some("k".into()),
        });
        check(&PairConfirmed {
            confirm: "c".into(),
            key_id: "k".into(),
        });
        check(&Listing {
            recordings: vec![summary()],
            skipped: vec![Skipped {
                file: "x.json".into(),
                reason: "not JSON".into(),
            }],
        });
        check(&UploadResult {
            received_sha256: "ab".into(),
            recording: summary(),
            status: UploadStatus::Created,
        });
        check(&RenameRequest { name: "n".into() });
        check(&RenameResult {
            recording: summary(),
        });
        // Refused by both: the empty name, `paired: false`.
        let rename = serde_json::to_value(schemars::schema_for!(RenameRequest)).unwrap();
        assert!(!jsonschema::is_valid(
            &rename,
            &serde_json::json!({"name": ""})
        ));
        let session = serde_json::to_value(schemars::schema_for!(Session)).unwrap();
        assert!(!jsonschema::is_valid(
            &session,
            &serde_json::json!({"paired": false})
        ));
    }
}
