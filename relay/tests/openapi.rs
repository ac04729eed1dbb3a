//! The published OpenAPI document and the router agree, checked in process
//! with `tower::ServiceExt::oneshot`.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use clawtrail::api::{self, AppState, Config, OPENAPI, ROUTES};
use tower::ServiceExt;

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
    let on_disk =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json"))
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
