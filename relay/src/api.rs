//! The HTTP API under `/v1`, as an axum [`Router`] built by [`app`].
//!
//! Every route except `/v1/health` passes [`guard`] first, in this order:
//! Host, Origin, then token (or the pairing rate limit), then content type
//! and declared size. Authentication comes before any check on the body so
//! that an unauthenticated caller learns nothing about what the relay would
//! accept: it only ever sees 403 or 401. No handler writes anything before
//! every check has passed, and no response ever carries CORS headers.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Json, Router};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::Deserialize;
use serde_json::json;
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use uuid::Uuid;
use workflow_format::{ParseError, from_json_slice};

use crate::auth::{self, RateLimiter, Tokens};
use crate::store::{PutOutcome, Store, StoreError};

/// The OpenAPI document, published at `docs/openapi.json`.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// Every (method, path) the router serves; a test checks the OpenAPI
/// document lists exactly these.
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/v1/health"),
    ("get", "/v1/openapi.json"),
    ("post", "/v1/pair"),
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
/// A pairing request is `{"code": "XXXX-XXXX"}`.
const PAIR_MAX_BODY: usize = 1024;
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
    /// Requests handled at once; more are refused with 503.
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
    tokens: Tokens,
    pair_limiter: RateLimiter,
    /// Serialises writes so that compare-then-write of one id is one step.
    write: Mutex<()>,
}

impl AppState {
    pub fn new(config: Config) -> std::io::Result<AppState> {
        let store = Store::open(&config.data_dir)?;
        let tokens = Tokens::new(&config.data_dir);
        let pair_limiter = RateLimiter::new(
            config.pair_attempts_per_minute.max(1),
            Duration::from_secs(60),
        );
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                store,
                tokens,
                pair_limiter,
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
        let body = Json(json!({"error": {"code": self.code, "message": self.message}}));
        let mut res = (self.status, body).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
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
        .route("/v1/session", get(session))
        .route("/v1/recordings", get(list).post(upload))
        .route(
            "/v1/recordings/{id}",
            get(show).delete(delete).patch(rename),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), guard));
    let max_concurrency = state.inner.config.max_concurrency.max(1);
    Router::new()
        .route("/v1/health", get(health))
        .merge(guarded)
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(overloaded))
                .load_shed()
                // Global: `Router::layer` wraps each route separately, and a
                // plain ConcurrencyLimit would then count per route.
                .layer(GlobalConcurrencyLimitLayer::new(max_concurrency)),
        )
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

async fn overloaded(_: BoxError) -> ApiError {
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

    let is_pair = req.uri().path() == "/v1/pair";
    if is_pair {
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
    } else {
        let token = single_header(req.headers(), header::AUTHORIZATION)
            .ok()
            .flatten()
            .and_then(|v| v.strip_prefix(b"Bearer "))
            .and_then(|t| std::str::from_utf8(t).ok());
        let ok = match token {
            Some(t) => st
                .inner
                .tokens
                .verify(t)
                .map_err(|e| ApiError::internal("could not read tokens", e))?,
            None => false,
        };
        if !ok {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "missing or invalid bearer token; pair with `clawtrail pair`",
            ));
        }
    }

    if req.method() == Method::POST || req.method() == Method::PATCH {
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
        let limit = if is_pair {
            PAIR_MAX_BODY
        } else if req.method() == Method::PATCH {
            RENAME_MAX_BODY
        } else {
            cfg.max_body_bytes
        };
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|n| n > limit as u64) {
            return Err(too_large(limit));
        }
    }
    Ok(next.run(req).await)
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
    code: String,
}

async fn pair(State(st): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, PAIR_MAX_BODY, st.inner.config.body_timeout).await?;
    let req: PairRequest = serde_json::from_slice(&bytes).map_err(|e| {
        let status = if e.is_data() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::new(
            status,
            "invalid_pair_request",
            "expected {\"code\": \"XXXX-XXXX\"}",
        )
    })?;
    let st2 = st.clone();
    let token = blocking(move || {
        let data_dir = &st2.inner.config.data_dir;
        let ok = auth::redeem_code(data_dir, &req.code, chrono::Utc::now())
            .map_err(|e| ApiError::internal("could not read pairing codes", e))?;
        if !ok {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_code",
                "unknown, used or expired pairing code; run `clawtrail pair` for a new one",
            ));
        }
        st2.inner
            .tokens
            .issue()
            .map_err(|e| ApiError::internal("could not store token", e))
    })
    .await?;
    tracing::info!("paired a new client");
    Ok((StatusCode::OK, Json(json!({ "token": token }))).into_response())
}

async fn upload(State(st): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let cfg = &st.inner.config;
    let bytes = read_body(body, cfg.max_body_bytes, cfg.body_timeout).await?;
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
    Ok((status, Json(json!({"status": word, "recording": summary}))).into_response())
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
