//! The OpenAPI document of the relay, generated from its types.
//!
//! The paths are [`api::ROUTES`], each described by one entry of [`OPERATIONS`]
//! (summary, request body, answers and their statuses); the component
//! schemas are derived (`schemars`) from the types the handlers read and
//! write: `clawtrail-protocol`'s bodies and `workflow_format::Recording`,
//! whose definitions are embedded. `docs/openapi.json` is this document,
//! written by `scripts/gen-openapi`; `crates/relay-server/tests/openapi.rs` fails when the
//! file, the routes and the types disagree, and the relay serves the file.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value, json};

use clawtrail_protocol::{
    ErrorBody, Health, Listing, PairConfirm, PairConfirmed, PairRequest, PairResponse,
    RenameRequest, RenameResult, Session, UploadResult,
};
use workflow_format::Recording;

use crate::api::ROUTES;

/// Where a component schema is referenced from: `#/components/schemas/<name>`.
const COMPONENTS: &str = "/components/schemas";

/// Makes the component schema of `T` (and of every type it uses) and
/// returns the reference to it.
type SchemaOf = fn(&mut SchemaGenerator) -> Value;

fn schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

/// One answer: status, description and, unless it has no body, its schema.
struct Answer {
    status: u16,
    description: &'static str,
    body: Option<SchemaOf>,
}

const fn ok(status: u16, description: &'static str, body: SchemaOf) -> Answer {
    Answer {
        status,
        description,
        body: Some(body),
    }
}

const fn empty(status: u16, description: &'static str) -> Answer {
    Answer {
        status,
        description,
        body: None,
    }
}

/// An error answer: its body is always [`ErrorBody`].
const fn err(status: u16, description: &'static str) -> Answer {
    ok(status, description, schema::<ErrorBody>)
}

/// Who may call a route, and so which guard answers it adds.
#[derive(PartialEq)]
enum Guard {
    /// `/v1/health`: no guards at all.
    None,
    /// Pairing: Host and Origin (403), the in-flight limit (503), no
    /// signature.
    Unsigned,
    /// Everything else: also a signature (401).
    Signed,
}

struct Operation {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    description: Option<&'static str>,
    guard: Guard,
    request: Option<SchemaOf>,
    /// The route's own answers; the guards' are added after them.
    answers: &'static [Answer],
}

const UNAUTHORIZED: &str = "Missing or wrong request signature (unauthorized), a timestamp over 300 s off (stale_request), a nonce already seen (replayed_request) or a body other than the one signed (body_mismatch)";
const FORBIDDEN: &str = "Host is not 127.0.0.1:<port> or localhost:<port> (forbidden_host), or Origin is present and not an allowed extension (forbidden_origin)";
const OVERLOADED: &str = "Too many requests in flight (overloaded)";
const NOT_FOUND: Answer = err(404, "Unknown id (not_found)");

/// Every route of [`ROUTES`], described.
const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/v1/health",
        id: "health",
        summary: "Is the relay up? No guards.",
        description: None,
        guard: Guard::None,
        request: None,
        answers: &[ok(200, "Up", schema::<Health>)],
    },
    Operation {
        method: "get",
        path: "/v1/openapi.json",
        id: "openapi",
        summary: "This document",
        description: None,
        guard: Guard::Signed,
        request: None,
        answers: &[empty(200, "OpenAPI 3.1 document")],
    },
    Operation {
        method: "post",
        path: "/v1/pair",
        id: "pair",
        summary: "Start pairing: exchange SPAKE2 messages derived from the one-time code",
        description: None,
        guard: Guard::Unsigned,
        request: Some(schema::<PairRequest>),
        answers: &[
            ok(200, "Paired", schema::<PairResponse>),
            err(400, "Malformed JSON (invalid_pair_request)"),
            err(401, "No pairing code is pending (invalid_code)"),
            err(408, "Body too slow (request_timeout)"),
            err(413, "Body over 1 KiB (payload_too_large)"),
            err(415, "Not application/json"),
            err(
                422,
                "Not {\"msg\": <SPAKE2 message>} (invalid_pair_request)",
            ),
            err(
                429,
                "More than 5 well-formed attempts in a minute (rate_limited); see Retry-After",
            ),
        ],
    },
    Operation {
        method: "post",
        path: "/v1/pair/confirm",
        id: "pairConfirm",
        summary: "Finish pairing: prove the code, receive the key id and the relay's proof",
        description: None,
        guard: Guard::Unsigned,
        request: Some(schema::<PairConfirm>),
        answers: &[
            ok(200, "Paired", schema::<PairConfirmed>),
            err(400, "Malformed JSON (invalid_pair_request)"),
            err(
                401,
                "Wrong code, expired session or code already used (invalid_code)",
            ),
            err(408, "Body too slow (request_timeout)"),
            err(413, "Body over 1 KiB (payload_too_large)"),
            err(415, "Not application/json"),
            err(
                422,
                "Not {\"session\", \"confirm\", \"replaces\"?} (invalid_pair_request)",
            ),
        ],
    },
    Operation {
        method: "get",
        path: "/v1/session",
        id: "session",
        summary: "Is this key valid, and is this my relay? The signed handshake the extension uses for \"connected\" / \"not paired\" and to find its relay among the candidate ports; guarded like every route but health.",
        description: None,
        guard: Guard::Signed,
        request: None,
        answers: &[ok(
            200,
            "The key is valid; the answer is signed",
            schema::<Session>,
        )],
    },
    Operation {
        method: "get",
        path: "/v1/recordings",
        id: "listRecordings",
        summary: "Summaries of all recordings, oldest first",
        description: None,
        guard: Guard::Signed,
        request: None,
        answers: &[ok(200, "Listing", schema::<Listing>)],
    },
    Operation {
        method: "post",
        path: "/v1/recordings",
        id: "uploadRecording",
        summary: "Store one complete recording",
        description: None,
        guard: Guard::Signed,
        request: Some(schema::<Recording>),
        answers: &[
            ok(201, "Stored", schema::<UploadResult>),
            ok(
                200,
                "Same id and identical content already stored (idempotent retry)",
                schema::<UploadResult>,
            ),
            err(400, "Malformed JSON (malformed_json)"),
            err(408, "Body too slow (request_timeout)"),
            err(409, "Same id, different content (conflict)"),
            err(413, "Body over the limit (payload_too_large)"),
            err(415, "Not application/json (unsupported_media_type)"),
            err(
                422,
                "Wrong shape (invalid_shape) or fails validation (validation_failed); the message names the field and event seq",
            ),
        ],
    },
    Operation {
        method: "get",
        path: "/v1/recordings/{id}",
        id: "getRecording",
        summary: "The stored recording (canonical JSON)",
        description: None,
        guard: Guard::Signed,
        request: None,
        answers: &[ok(200, "Recording", schema::<Recording>), NOT_FOUND],
    },
    Operation {
        method: "delete",
        path: "/v1/recordings/{id}",
        id: "deleteRecording",
        summary: "Delete a recording",
        description: None,
        guard: Guard::Signed,
        request: None,
        answers: &[empty(204, "Deleted"), NOT_FOUND],
    },
    Operation {
        method: "patch",
        path: "/v1/recordings/{id}",
        id: "renameRecording",
        summary: "Rename a recording",
        description: Some(
            "The name follows the format's rules: non-empty, at most 200 bytes, no control characters. The stored file is replaced atomically and its summary updated; every other field stays as recorded.",
        ),
        guard: Guard::Signed,
        request: Some(schema::<RenameRequest>),
        answers: &[
            ok(
                200,
                "Renamed (or already had that name)",
                schema::<RenameResult>,
            ),
            err(400, "Body is not JSON (malformed_json)"),
            NOT_FOUND,
            err(413, "Body over 16 KiB (payload_too_large)"),
            err(
                415,
                "Content-Type is not application/json (unsupported_media_type)",
            ),
            err(
                422,
                "Not {\"name\": string} (invalid_shape), or the name is empty, longer than 200 bytes or holds a control character (validation_failed)",
            ),
        ],
    },
];

fn answer(generator: &mut SchemaGenerator, a: &Answer) -> Value {
    let mut v = json!({ "description": a.description });
    if let Some(body) = a.body {
        v["content"] = json!({ "application/json": { "schema": body(generator) } });
    }
    v
}

fn operation(generator: &mut SchemaGenerator, op: &Operation) -> Value {
    let mut v = json!({ "operationId": op.id, "summary": op.summary });
    if let Some(d) = op.description {
        v["description"] = json!(d);
    }
    if op.guard == Guard::Signed {
        v["security"] = json!([{ "clawtrailHmac": [] }]);
    }
    if op.path.contains("{id}") {
        v["parameters"] = json!([{
            "name": "id",
            "in": "path",
            "required": true,
            "schema": { "type": "string", "format": "uuid" },
        }]);
    }
    if let Some(body) = op.request {
        v["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": body(generator) } },
        });
    }
    let guards: &[Answer] = match op.guard {
        Guard::None => &[],
        Guard::Unsigned => &[err(403, FORBIDDEN), err(503, OVERLOADED)],
        Guard::Signed => &[
            err(401, UNAUTHORIZED),
            err(403, FORBIDDEN),
            err(503, OVERLOADED),
        ],
    };
    let mut responses = Map::new();
    for a in op.answers.iter().chain(guards) {
        let key = a.status.to_string();
        // A route's own answer for a status (pairing's 401) wins over the
        // guard's.
        if !responses.contains_key(&key) {
            responses.insert(key, answer(generator, a));
        }
    }
    v["responses"] = Value::Object(responses);
    v
}

/// The document, as a JSON value.
///
/// # Panics
///
/// When a route of [`ROUTES`] has no entry in the operations table, or an
/// entry names no route: both are bugs the tests catch.
pub fn document() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = COMPONENTS.into();
            s.meta_schema = None;
        })
        .into_generator();
    let mut paths = Map::new();
    for (method, path) in ROUTES {
        let op = OPERATIONS
            .iter()
            .find(|op| op.method == *method && op.path == *path)
            .unwrap_or_else(|| panic!("{method} {path} is served but not described"));
        let item = paths.entry(*path).or_insert_with(|| json!({}));
        item[*method] = operation(&mut generator, op);
    }
    for op in OPERATIONS {
        assert!(
            ROUTES.contains(&(op.method, op.path)),
            "{} {} is described but not served",
            op.method,
            op.path
        );
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "clawtrail relay API",
            "version": "1",
            "description": "Local relay on 127.0.0.1 that stores browser workflow recordings. See docs/API.md for the guards and examples.",
        },
        "servers": [{ "url": "http://127.0.0.1:18799" }],
        "components": {
            "securitySchemes": {
                "clawtrailHmac": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Clawtrail-HMAC-SHA256 key=<id>,ts=<unix ms>,nonce=<base64url>,body=<hex sha256>,sig=<base64url>`: HMAC-SHA256 with the pairing key over method, path, Host, ts, nonce, body digest and key id (docs/API.md). Every answer to a signed request carries X-Clawtrail-Signature: HMAC over the request's nonce, the status and the answer's SHA-256.",
                },
            },
            "schemas": schemas,
        },
        "paths": paths,
    })
}

/// `docs/openapi.json`: the document pretty-printed, with a trailing
/// newline. Deterministic: every object's keys come out sorted.
pub fn document_string() -> String {
    let mut s = serde_json::to_string_pretty(&document()).expect("a JSON value always serializes");
    s.push('\n');
    s
}
