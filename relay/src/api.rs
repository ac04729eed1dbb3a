//! The HTTP API under `/v1`, as an axum [`Router`] built by [`app`].
//!
//! Every route except `/v1/health` passes [`guard`] first, in this order:
//! Host, Origin, then the request's signature (`clawtrail-trust`: key,
//! timestamp, nonce; pairing is the only unsigned exchange), then content
//! type and declared size, then the body against the digest it was signed
//! with. Authentication comes before any check on the body so that an
//! unauthenticated caller learns nothing about what the relay would accept:
//! it only ever sees 403 or 401. Every answer to a signed request is signed
//! in turn (`X-Clawtrail-Signature`), so the extension can tell this relay
//! from anything else listening on the port. No handler writes anything
//! before every check has passed, and no response ever carries CORS headers.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;
use workflow_format::{ParseError, from_json_slice};

use clawtrail_trust::pairing::{Role, Session, Start};
use clawtrail_trust::{Credentials, Key, RequestLine};

use crate::auth::{self, Keys, Nonces, Pending, RateLimiter};
use crate::store::{PutOutcome, Store, StoreError};

/// The OpenAPI document, published at `docs/openapi.json`.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// Every (method, path) the router serves; a test checks the OpenAPI
/// document lists exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/health"),
    ("get", "/v1/openapi.json"),
    ("post", "/v1/pair"),
    ("post", "/v1/pair/confirm"),
    ("get", "/v1/session"),
    ("get", "/v1/recordings"),
    ("post", "/v1/recordings"),
    ("get", "/v1/recordings/{id}"),
    ("delete", "/v1/recordings/{id}"),
    ("patch", "/v1/recordings/{id}"),
];

/// Default request body limit: 64 MiB holds a recording of tens of
/// thousands of events with long typed values.
pub const DEFAULT_MAX_BODY: usize = 64 * 1024 * 1024;
/// A pairing request is `{"msg": "<SPAKE2 message>"}` or `{"session",
/// "confirm", "replaces"}`, all base64url or hex of a few dozen bytes.
const PAIR_MAX_BODY: usize = 1024;
/// How long a pairing exchange may take between its two requests.
const PAIR_SESSION_TTL: Duration = Duration::from_secs(60);
/// Pairing exchanges open at once; more wait for older ones to expire.
const PAIR_SESSIONS_MAX: usize = 16;
/// Nonces remembered within the replay window.
const NONCES_MAX: usize = 100_000;
/// A rename is `{"name": "..."}` with a name of at most
/// `limits::NAME` bytes; JSON escapes can make it up to six times longer.
const RENAME_MAX_BODY: usize = 16 * 1024;

/// Settings fixed for the lifetime of a relay.
#[derive(Clone, Debug)]
pub struct Config {
    pub data_dir: PathBuf,
    /// Accepted `Host` header values, e.g. `127.0.0.1:18799`.
    pub allowed_hosts: Vec<String>,
    /// Accepted `Origin` header values, e.g. `chrome-extension://<id>`.
    pub allowed_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// How long a client may take to send a request body.
    pub body_timeout: Duration,
    /// Requests on `/v1/recordings*` handled at once; more are refused
    /// with 503. Health, session and pairing are not counted.
    pub max_concurrency: usize,
    /// Pairing attempts allowed per minute.
    pub pair_attempts_per_minute: usize,
}

impl Config {
    /// The defaults for a relay on `port` serving `data_dir`, accepting the
    /// given extension ids.
    pub fn new(data_dir: PathBuf, port: u16, extension_ids: &[String]) -> Config {
        Config {
            data_dir,
            allowed_hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")],
            allowed_origins: extension_ids
                .iter()
                .map(|id| format!("chrome-extension://{id}"))
                .collect(),
            max_body_bytes: DEFAULT_MAX_BODY,
            body_timeout: Duration::from_secs(30),
            max_concurrency: 64,
            pair_attempts_per_minute: 5,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    store: Store,
    keys: Keys,
    nonces: Nonces,
    pair_limiter: RateLimiter,
    /// Pairing exchanges between their first and second request.
    pairing: Mutex<HashMap<String, PairSession>>,
    /// Slots for requests on `/v1/recordings*` (`Config::max_concurrency`).
    heavy: Arc<tokio::sync::Semaphore>,
    /// When this relay started (Unix milliseconds). Nonces live in memory,
    /// so a request signed before that (captured by whatever held the port
    /// while the relay was down) is refused by its timestamp instead.
    started_ms: i64,
    /// Serialises writes so that compare-then-write of one id is one step.
    write: Mutex<()>,
}

struct PairSession {
    session: Session,
    code: Pending,
    started: Instant,
}

impl AppState {
    pub fn new(config: Config) -> std::io::Result<AppState> {
        let store = Store::open(&config.data_dir)?;
        let keys = Keys::new(&config.data_dir);
        let heavy = config.max_concurrency.max(1);
        let pair_limiter = RateLimiter::new(
            config.pair_attempts_per_minute.max(1),
            Duration::from_secs(60),
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                store,
                keys,
                nonces: Nonces::new(NONCES_MAX),
                pair_limiter,
                pairing: Mutex::new(HashMap::new()),
                started_ms: chrono::Utc::now().timestamp_millis(),
                heavy: Arc::new(tokio::sync::Semaphore::new(heavy)),
                write: Mutex::new(()),
            }),
        })
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }
}

/// An error response: `{"error": {"code", "message"}}` with a precise status.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn internal(what: &str, e: impl std::fmt::Display) -> Self {
        // The detail goes to the log (it names paths, not values), the
        // client gets a generic message.
        tracing::error!(error = %e, "{what}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            what.to_owned(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(clawtrail_protocol::ErrorBody::new(self.code, self.message));
        let mut res = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(clawtrail_trust::SCHEME),
            );
        }
        res
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(id) => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                format!("recording {id} already exists with different content"),
            ),
            StoreError::NotFound(id) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no recording with id {id}"),
            ),
            e @ StoreError::Corrupt { .. } => ApiError::internal("stored recording is corrupt", e),
            StoreError::Invalid(e) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                e.to_string(),
            ),
            StoreError::Io(e) => ApiError::internal("storage failed", e),
        }
    }
}

/// Builds the relay's router.
pub fn app(state: AppState) -> Router {
    let guarded = Router::new()
        .route("/v1/openapi.json", get(openapi))
        .route("/v1/pair", post(pair))
        .route("/v1/pair/confirm", post(pair_confirm))
        .route("/v1/session", get(session))
        .route("/v1/recordings", get(list).post(upload))
        .route(
            "/v1/recordings/{id}",
            get(show).delete(delete).patch(rename),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), guard));
    Router::new()
        .route("/v1/health", get(health))
        .merge(guarded)
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

fn overloaded() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "the relay is busy; retry shortly",
    )
}

async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

fn single_header(headers: &HeaderMap, name: header::HeaderName) -> Result<Option<&[u8]>, ()> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Ok(None),
        (Some(v), None) => Ok(Some(v.as_bytes())),
        (Some(_), Some(_)) => Err(()),
    }
}

async fn guard(State(st): State<AppState>, req: Request, next: Next) -> Result<Response, ApiError> {
    let cfg = &st.inner.config;
    let forbidden = |code, msg: &str| ApiError::new(StatusCode::FORBIDDEN, code, msg.to_owned());

    // Host: DNS rebinding defence. A page on evil.example that rebinds its
    // name to 127.0.0.1 still sends `Host: evil.example`.
    let host = match single_header(req.headers(), header::HOST) {
        Ok(Some(h)) => Some(h.to_vec()),
        Ok(None) => req
            .uri()
            .authority()
            .map(|a| a.as_str().as_bytes().to_vec()),
        Err(()) => None,
    };
    if !host.is_some_and(|h| cfg.allowed_hosts.iter().any(|a| a.as_bytes() == h)) {
        return Err(forbidden(
            "forbidden_host",
            "Host must be 127.0.0.1:<port> or localhost:<port>",
        ));
    }

    // Origin: browsers always send it on cross-origin fetches; only our
    // extension's origin may talk to us. Absent = not a browser page
    // (curl, the CLI), which the token still has to authorise.
    match single_header(req.headers(), header::ORIGIN) {
        Ok(None) => {}
        Ok(Some(o)) if cfg.allowed_origins.iter().any(|a| a.as_bytes() == o) => {}
        _ => {
            return Err(forbidden(
                "forbidden_origin",
                "this Origin may not use the relay",
            ));
        }
    }

    let is_pair = matches!(req.uri().path(), "/v1/pair" | "/v1/pair/confirm");
    if is_pair {
        // Unsigned: pairing is how a key comes to exist. Its own proofs
        // (SPAKE2 and the confirmations) stand in for the signature, and
        // wrong codes are rate limited in `pair`.
        let req = checked_body(cfg, req, None).await?;
        return Ok(next.run(req).await);
    }
    let (key, creds) = authenticate(&st, &req)?;
    // Only the routes that read or write recordings count against the
    // concurrency limit, and the slot is taken before a body is read: slow
    // uploads can fill it, but health, session and pairing still answer.
    let _slot = if req.uri().path().starts_with("/v1/recordings") {
        match st.inner.heavy.clone().try_acquire_owned() {
            Ok(slot) => Some(slot),
            Err(_) => {
                return Ok(sign_response(&key, &creds.nonce, overloaded().into_response()).await);
            }
        }
    } else {
        None
    };
    let res = match checked_body(cfg, req, Some(&creds)).await {
        Ok(mut req) => {
            req.extensions_mut().insert(key.clone());
            next.run(req).await
        }
        Err(e) => e.into_response(),
    };
    Ok(sign_response(&key, &creds.nonce, res).await)
}

/// The request's key, if its signature is right: a known key id, the
/// method, path and Host it was signed for, a timestamp within the replay
/// window and a nonce not seen before. Every failure is the same 401
/// (apart from the clock), so a caller learns nothing about which keys
/// exist.
fn authenticate(st: &AppState, req: &Request) -> Result<(Key, Credentials), ApiError> {
    let unauthorized = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "missing or invalid request signature; pair with `clawtrail pair`",
        )
    };
    let creds = single_header(req.headers(), header::AUTHORIZATION)
        .ok()
        .flatten()
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| Credentials::parse(v).ok())
        .ok_or_else(unauthorized)?;
    let key = st
        .inner
        .keys
        .get(&creds.key_id)
        .map_err(|e| ApiError::internal("could not read keys", e))?
        .ok_or_else(unauthorized)?;
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let path = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let line = RequestLine {
        method: req.method().as_str(),
        path,
        host,
    };
    if !creds.verify(&key, &line) {
        return Err(unauthorized());
    }
    let now = chrono::Utc::now().timestamp_millis();
    if !creds.is_fresh(now) || creds.ts < st.inner.started_ms {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "stale_request",
            "the request's timestamp is too far from the relay's clock",
        ));
    }
    // Last: only a correctly signed request may use up a nonce.
    if !st.inner.nonces.fresh(&key.id, &creds.nonce, now / 1000) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "replayed_request",
            "this request was already received",
        ));
    }
    Ok((key, creds))
}

/// Content type, declared size, then (for a signed request) the body
/// against the digest in its signature. A body is read here, within its
/// limit and timeout, only once the caller is known; the handler reads it
/// again from memory.
async fn checked_body(
    cfg: &Config,
    req: Request,
    creds: Option<&Credentials>,
) -> Result<Request, ApiError> {
    let is_pair = matches!(req.uri().path(), "/v1/pair" | "/v1/pair/confirm");
    let has_body = req.method() == Method::POST || req.method() == Method::PATCH;
    if has_body {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be application/json",
            ));
        }
    }
    let limit = if is_pair {
        PAIR_MAX_BODY
    } else if req.method() == Method::PATCH {
        RENAME_MAX_BODY
    } else {
        cfg.max_body_bytes
    };
    if has_body {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
    }
    let Some(creds) = creds else {
        return Ok(req);
    };
    let mismatch = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "body_mismatch",
            "the body is not the one the request was signed with",
        )
    };
    if !has_body {
        // No route reads a body on other methods; it is ignored, unread.
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes = read_body(body, limit, cfg.body_timeout).await?;
    if !creds.covers(&bytes) {
        return Err(mismatch());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Adds the relay's signature over the request's nonce, the status and
/// the body (`clawtrail_trust::response`).
async fn sign_response(key: &Key, nonce: &str, res: Response) -> Response {
    let (mut parts, body) = res.into_parts();
    let bytes = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            return ApiError::internal("could not build the answer", e).into_response();
        }
    };
    let sig = clawtrail_trust::response::sign(key, nonce, parts.status.as_u16(), &bytes);
    if let Ok(v) = HeaderValue::from_str(&sig) {
        parts.headers.insert(clawtrail_trust::SIGNATURE_HEADER, v);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the body exceeds the limit of {limit} bytes"),
    )
}

/// Reads the whole body, enforcing the size limit (also for chunked
/// bodies without Content-Length) and the slow-client timeout.
///
/// Returns the collected `Bytes` as they are: a body that arrived in one
/// chunk is not copied, and a 50 MB upload is not copied a second time into
/// a `Vec` only to be read once.
async fn read_body(body: Body, limit: usize, timeout: Duration) -> Result<Bytes, ApiError> {
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body did not arrive in time",
        )),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large(limit)),
        Ok(Err(_)) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "the request body could not be read",
        )),
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal("storage task failed", e))?
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "format_version": workflow_format::FORMAT_VERSION,
    }))
}

/// Reached only through the guards, so a 200 means Host, Origin and token
/// are all right. The extension polls this for its "connected" status:
/// unlike listing, it costs nothing however many recordings there are.
async fn session() -> Json<serde_json::Value> {
    Json(json!({ "paired": true }))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not support that method",
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairRequest {
    /// The extension's SPAKE2 message, base64url.
    msg: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PairConfirm {
    session: String,
    /// The extension's confirmation, base64url.
    confirm: String,
    /// The key id this extension held before: re-pairing revokes it.
    #[serde(default)]
    replaces: Option<String>,
}

/// Reads a small JSON object of the documented shape.
fn pair_json<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    shape: &'static str,
) -> Result<T, ApiError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "invalid_pair_request", shape))?;
    if !value.is_object() {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_pair_request",
            shape,
        ));
    }
    serde_json::from_value(value).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_pair_request",
            shape,
        )
    })
}

fn invalid_code(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_code", message.to_owned())
}

/// `POST /v1/pair`: the first half of pairing (see `clawtrail_trust::pairing`).
/// Each well-formed attempt is one guess at the code and counts against
/// the rate limit; nothing else does, so no web page (which can send
/// neither this content type nor, from its origin, anything the guard
/// lets through) can lock pairing out.
async fn pair(State(st): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, PAIR_MAX_BODY, st.inner.config.body_timeout).await?;
    let req: PairRequest = pair_json(&bytes, "expected {\"msg\": \"<SPAKE2 message>\"}")?;
    if let Err(retry) = st.inner.pair_limiter.check() {
        tracing::warn!("pairing rate limit hit");
        let mut res = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "too many pairing attempts; wait a minute",
        )
        .into_response();
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(retry.as_secs().max(1)),
        );
        return Ok(res);
    }
    let data_dir = st.inner.config.data_dir.clone();
    let code = blocking(move || {
        auth::current_code(&data_dir, chrono::Utc::now())
            .map_err(|e| ApiError::internal("could not read pairing codes", e))
    })
    .await?
    .ok_or_else(|| invalid_code("no pairing code is pending; run `clawtrail pair` for one"))?;
    let random = auth::random_bytes::<64>().map_err(|e| ApiError::internal("no randomness", e))?;
    let start = Start::new(Role::Relay, &code.code, random);
    let msg = start.message();
    let session = start.finish(&req.msg).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_pair_request",
            "the SPAKE2 message is malformed",
        )
    })?;
    let id = auth::new_key_id().map_err(|e| ApiError::internal("no randomness", e))?;
    {
        let mut open = st.inner.pairing.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|_, s| s.started.elapsed() < PAIR_SESSION_TTL);
        if open.len() >= PAIR_SESSIONS_MAX {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "too many pairings at once; retry in a minute",
            ));
        }
        open.insert(
            id.clone(),
            PairSession {
                session,
                code,
                started: Instant::now(),
            },
        );
    }
    Ok(Json(json!({ "session": id, "msg": msg })).into_response())
}

/// `POST /v1/pair/confirm`: the extension proves it used the code; the
/// relay stores the key and proves the same. One try per session.
async fn pair_confirm(State(st): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, PAIR_MAX_BODY, st.inner.config.body_timeout).await?;
    let req: PairConfirm = pair_json(
        &bytes,
        "expected {\"session\": \"...\", \"confirm\": \"...\", \"replaces\"?: \"...\"}",
    )?;
    let open = st
        .inner
        .pairing
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&req.session)
        .filter(|s| s.started.elapsed() < PAIR_SESSION_TTL)
        .ok_or_else(|| invalid_code("this pairing attempt expired; enter the code again"))?;
    if !open.session.check(Role::Extension, &req.confirm) {
        tracing::warn!("pairing with a wrong code");
        return Err(invalid_code(
            "wrong pairing code; run `clawtrail pair` for a new one if it expired",
        ));
    }
    let st2 = st.clone();
    let key_id = blocking(move || {
        if !auth::consume_code(&open.code)
            .map_err(|e| ApiError::internal("could not read pairing codes", e))?
        {
            return Err(invalid_code("this pairing code was already used"));
        }
        let id = auth::new_key_id().map_err(|e| ApiError::internal("no randomness", e))?;
        st2.inner
            .keys
            .add(open.session.key(id.clone()), req.replaces.as_deref())
            .map_err(|e| ApiError::internal("could not store the key", e))?;
        Ok((id, open.session.confirmation(Role::Relay)))
    })
    .await?;
    tracing::info!("paired a new client");
    Ok(Json(json!({ "key_id": key_id.0, "confirm": key_id.1 })).into_response())
}

async fn upload(State(st): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let cfg = &st.inner.config;
    let bytes = read_body(body, cfg.max_body_bytes, cfg.body_timeout).await?;
    let received = clawtrail_trust::digest(&bytes);
    let rec = from_json_slice(&bytes).map_err(|e| match e {
        ParseError::Syntax { .. } => {
            ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.to_string())
        }
        ParseError::Shape { .. } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_shape",
            e.to_string(),
        ),
    })?;
    rec.validate().map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            e.to_string(),
        )
    })?;
    let st2 = st.clone();
    let (outcome, summary) = blocking(move || {
        let _guard = st2.inner.write.lock().unwrap_or_else(|p| p.into_inner());
        st2.inner.store.put(&rec).map_err(ApiError::from)
    })
    .await?;
    let (status, word) = match outcome {
        PutOutcome::Created => (StatusCode::CREATED, "created"),
        PutOutcome::Unchanged => (StatusCode::OK, "unchanged"),
    };
    tracing::info!(id = %summary.id, bytes = summary.size_bytes, events = summary.event_count, outcome = word, "upload");
    // The acknowledgement names what was received: the extension deletes
    // its copy only when this answer is signed and names its recording and
    // the digest of the bytes it sent.
    Ok((
        status,
        Json(json!({"status": word, "recording": summary, "received_sha256": received})),
    )
        .into_response())
}

async fn list(State(st): State<AppState>) -> Result<Response, ApiError> {
    let listing = blocking(move || st.inner.store.list().map_err(ApiError::from)).await?;
    Ok(Json(listing).into_response())
}

fn parse_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no recording with that id",
        )
    })
}

async fn show(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let (_, bytes) = blocking(move || st.inner.store.get(id).map_err(ApiError::from)).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], bytes).into_response())
}

async fn delete(State(st): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    blocking(move || {
        let _guard = st.inner.write.lock().unwrap_or_else(|p| p.into_inner());
        st.inner.store.delete(id).map_err(ApiError::from)
    })
    .await?;
    tracing::info!(%id, "deleted");
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RenameRequest {
    name: String,
}

/// `PATCH /v1/recordings/{id}` with `{"name": "..."}`: the one edit the
/// viewer offers. The name obeys the format's rules (non-empty, at most
/// `limits::NAME` bytes, no control characters) because the renamed file
/// must still be a valid recording.
async fn rename(
    State(st): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let bytes = read_body(body, RENAME_MAX_BODY, st.inner.config.body_timeout).await?;
    let shape = || {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_shape",
            "expected {\"name\": \"...\"}",
        )
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", e.to_string()))?;
    // serde would also read a struct from an array (`["new name"]`); the
    // API, like the format, accepts only the documented object.
    if !value.is_object() {
        return Err(shape());
    }
    let req: RenameRequest = serde_json::from_value(value).map_err(|_| shape())?;
    let summary = blocking(move || {
        let _guard = st.inner.write.lock().unwrap_or_else(|p| p.into_inner());
        st.inner.store.rename(id, &req.name).map_err(ApiError::from)
    })
    .await?;
    tracing::info!(%id, "renamed");
    Ok(Json(json!({"recording": summary})).into_response())
}
