//! The relay client: every call carries the paired token. The browser adds
//! `Origin: chrome-extension://<our id>` and `Host: 127.0.0.1:<port>`, which
//! is exactly what the relay's guards admit.

use gloo_net::http::{Request, RequestBuilder, Response};
use serde_json::json;
use uuid::Uuid;
use workflow_format::Recording;

use crate::listing::Listing;

#[derive(Clone)]
pub struct Relay {
    base: String,
    bearer: String,
}

impl Relay {
    pub fn new(port: u16, token: &str) -> Relay {
        Relay {
            base: format!("http://127.0.0.1:{port}"),
            bearer: format!("Bearer {token}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn authed(&self, b: RequestBuilder) -> RequestBuilder {
        b.header("Authorization", &self.bearer)
    }

    /// Sends and turns any non-2xx answer into the relay's own message.
    async fn send(&self, req: Result<Request, gloo_net::Error>) -> Result<Response, String> {
        let req = req.map_err(|e| e.to_string())?;
        let res = req.send().await.map_err(|_| {
            format!(
                "the relay at {} is not reachable: start it with `clawtrail serve`",
                self.base
            )
        })?;
        if res.ok() {
            return Ok(res);
        }
        let status = res.status();
        let detail = res
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        Err(if status == 401 {
            "the relay refused the token: pair again from the clawtrail popup".to_owned()
        } else if detail.is_empty() {
            format!("the relay answered {status}")
        } else {
            format!("the relay answered {status}: {detail}")
        })
    }

    pub async fn list(&self) -> Result<Listing, String> {
        let res = self
            .send(
                self.authed(Request::get(&self.url("/v1/recordings")))
                    .build(),
            )
            .await?;
        res.json().await.map_err(|e| format!("odd listing: {e}"))
    }

    pub async fn get(&self, id: Uuid) -> Result<Recording, String> {
        let res = self
            .send(
                self.authed(Request::get(&self.url(&format!("/v1/recordings/{id}"))))
                    .build(),
            )
            .await?;
        let text = res.text().await.map_err(|e| e.to_string())?;
        let rec = workflow_format::from_json_str(&text).map_err(|e| e.to_string())?;
        // The relay validated it on upload, but the file may have been
        // edited since; what the viewer exports must be valid.
        rec.validate().map_err(|e| e.to_string())?;
        Ok(rec)
    }

    pub async fn rename(&self, id: Uuid, name: &str) -> Result<(), String> {
        let req = self
            .authed(Request::patch(&self.url(&format!("/v1/recordings/{id}"))))
            .json(&json!({ "name": name }));
        self.send(req).await.map(drop)
    }

    pub async fn delete(&self, id: Uuid) -> Result<(), String> {
        let req = self
            .authed(Request::delete(&self.url(&format!("/v1/recordings/{id}"))))
            .build();
        self.send(req).await.map(drop)
    }
}
