//! The published OpenAPI document, the router and the wire types agree:
//! the document is regenerated from `api::ROUTES` and the types and must
//! equal `docs/openapi.json`, and every route is served (checked in process
//! with `tower::ServiceExt::oneshot`).

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clawtrail_relay::api::{self, AppState, Config, OPENAPI, ROUTES};
use clawtrail_relay::openapi;
use tower::ServiceExt;

#[test]
fn openapi_json_is_generated_from_the_routes_and_types() {
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap();
    assert!(
        on_disk == openapi::document_string(),
        "docs/openapi.json is out of date with the relay's routes or wire types \
         (crates/relay-server/src/openapi.rs, clawtrail-protocol, workflow-format).\n\
         Regenerate it from the workspace root with:\n  scripts/gen-openapi"
    );
}

/// Every body the document names resolves: no `$ref` points at a schema
/// that is not among the components.
#[test]
fn every_reference_resolves() {
    fn refs<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|v| refs(v, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let mut all = vec![];
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("{r} is not a component reference"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} does not resolve"
        );
    }
}

#[test]
fn openapi_lists_exactly_the_routes() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let mut documented: Vec<(String, String)> = vec![];
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    documented.sort();
    let mut served: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    served.sort();
    assert_eq!(documented, served);
    // The repo copy is the one served.
    let on_disk = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/openapi.json"
    ))
    .unwrap();
    assert_eq!(on_disk, OPENAPI);
}

#[tokio::test]
async fn every_listed_route_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::new(
        dir.path().to_owned(),
        18799,
        &["niodlkgapdgglnicnoobiapimlhakbad".into()],
    );
    let app = api::app(AppState::new(cfg).unwrap());
    for (method, path) in ROUTES {
        let path = path.replace("{id}", "00000000-0000-4000-8000-000000000000");
        let req = Request::builder()
            .method(method.to_uppercase().as_str())
            .uri(&path)
            .header("host", "127.0.0.1:18799")
            .body(Body::empty())
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        // Without a signature every guarded route answers 401 (or 415 for the
        // unsigned pair routes) — never the router's 404/405.
        let want = match (*method, path.as_str()) {
            ("get", "/v1/health") => StatusCode::OK,
            ("post", "/v1/pair" | "/v1/pair/confirm") => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => StatusCode::UNAUTHORIZED,
        };
        assert_eq!(res.status(), want, "{method} {path}");
    }
    let req = Request::builder()
        .uri("/v1/health")
        .body(Body::empty())
        .unwrap();
    let res = app.oneshot(req).await.unwrap();
    let body = axum::body::to_bytes(res.into_body(), 1 << 16)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["format_version"], 1);
}

/// The router's answers satisfy the schemas the document gives them: the
/// health answer (unguarded) and an error answer (an unsigned request).
#[tokio::test]
async fn answers_satisfy_the_documented_schemas() {
    let doc: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
    let check = |schema: &serde_json::Value, instance: &serde_json::Value| {
        // The components travel along so that `#/components/...` resolves.
        let root = serde_json::json!({
            "$ref": schema["$ref"],
            "components": doc["components"],
        });
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap();
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{instance}: {errors:?}");
    };
    let dir = tempfile::tempdir().unwrap();
    let cfg = Config::new(dir.path().to_owned(), 18799, &[]);
    let app = api::app(AppState::new(cfg).unwrap());
    for (path, status) in [
        ("/v1/health", StatusCode::OK),
        ("/v1/session", StatusCode::UNAUTHORIZED),
    ] {
        let req = Request::builder()
            .uri(path)
            .header("host", "127.0.0.1:18799")
            .body(Body::empty())
            .unwrap();
        let res = app.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), status, "{path}");
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let answer: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let schema = &doc["paths"][path]["get"]["responses"][status.as_str()]["content"]["application/json"]
            ["schema"];
        assert!(schema.is_object(), "{path} {status}: no schema");
        check(schema, &answer);
    }
}
