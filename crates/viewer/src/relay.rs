//! The relay client: every call is signed with the pairing key (see the
//! `clawtrail-trust` crate) and every answer must be signed by the relay
//! for that call, so an impostor on the port can neither use what it sees
//! nor feed the page a forged listing. The browser adds `Origin:
//! chrome-extension://<our id>` and `Host: 127.0.0.1:<port>`, which is
//! exactly what the relay's guards admit.

use clawtrail_trust::{Credentials, Key, RequestLine, response};
use gloo_net::http::{Method, RequestBuilder};
use serde_json::json;
use uuid::Uuid;
use workflow_format::Recording;

use crate::listing::Listing;

#[derive(Clone)]
pub struct Relay {
    port: u16,
    key: Key,
}

/// A verified answer: its status and body.
struct Answer {
    status: u16,
    text: String,
}

fn random16() -> Result<[u8; 16], String> {
    let mut buf = [0u8; 16];
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .ok_or("no crypto in this page")?
        .get_random_values_with_u8_array(&mut buf)
        .map_err(crate::chrome::js_error)?;
    Ok(buf)
}

impl Relay {
    pub fn new(port: u16, key_json: &str) -> Result<Relay, String> {
        let key = serde_json::from_str(key_json).map_err(
            |_| "the stored pairing key is unreadable: pair again from the clawtrail popup",
        )?;
        Ok(Relay { port, key })
    }

    /// Signs, sends, and checks that the relay signed the answer; turns
    /// any non-2xx answer into the relay's own message.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> Result<Answer, String> {
        let host = format!("127.0.0.1:{}", self.port);
        let nonce = clawtrail_trust::nonce(&random16()?);
        let line = RequestLine {
            method: method.as_ref(),
            path,
            host: &host,
        };
        let ts = js_sys::Date::now().floor() as i64;
        let creds = Credentials::sign(
            &self.key,
            &line,
            ts,
            &nonce,
            body.as_deref().unwrap_or("").as_bytes(),
        );
        let builder = RequestBuilder::new(&format!("http://{host}{path}"))
            .method(method)
            .header("Authorization", &creds.header());
        let req = match body {
            Some(b) => builder.header("Content-Type", "application/json").body(b),
            None => builder.build(),
        }
        .map_err(|e| e.to_string())?;
        let res = req.send().await.map_err(|_| {
            format!("the relay at {host} is not reachable: start it with `clawtrail serve`")
        })?;
        let status = res.status();
        let sig = res.headers().get(clawtrail_trust::SIGNATURE_HEADER);
        let text = res.text().await.map_err(|e| e.to_string())?;
        let signed =
            sig.is_some_and(|s| response::verify(&self.key, &nonce, status, text.as_bytes(), &s));
        if !signed {
            return Err(if status == 401 {
                "the relay refused the pairing key: pair again from the clawtrail popup".to_owned()
            } else {
                format!(
                    "the answer on port {} is not from your clawtrail relay",
                    self.port
                )
            });
        }
        if (200..300).contains(&status) {
            return Ok(Answer { status, text });
        }
        let detail = serde_json::from_str::<clawtrail_protocol::ErrorBody>(&text)
            .map(|b| b.error.message)
            .unwrap_or_default();
        Err(if detail.is_empty() {
            format!("the relay answered {status}")
        } else {
            format!("the relay answered {status}: {detail}")
        })
    }

    pub async fn list(&self) -> Result<Listing, String> {
        let a = self.send(Method::GET, "/v1/recordings", None).await?;
        debug_assert!(a.status == 200);
        serde_json::from_str(&a.text).map_err(|e| format!("odd listing: {e}"))
    }

    pub async fn get(&self, id: Uuid) -> Result<Recording, String> {
        let text = self
            .send(Method::GET, &format!("/v1/recordings/{id}"), None)
            .await?
            .text;
        let rec = workflow_format::from_json_str(&text).map_err(|e| e.to_string())?;
        // The relay validated it on upload, but the file may have been
        // edited since; what the viewer exports must be valid.
        rec.validate().map_err(|e| e.to_string())?;
        Ok(rec)
    }

    pub async fn rename(&self, id: Uuid, name: &str) -> Result<(), String> {
        let body = json!({ "name": name }).to_string();
        self.send(Method::PATCH, &format!("/v1/recordings/{id}"), Some(body))
            .await
            .map(drop)
    }

    pub async fn delete(&self, id: Uuid) -> Result<(), String> {
        self.send(Method::DELETE, &format!("/v1/recordings/{id}"), None)
            .await
            .map(drop)
    }
}
