//! Shared test helpers: a sample recording, a raw HTTP/1.1 client (so that
//! tests control every header byte, Host included), and a real relay
//! process on an ephemeral port with its data dir in a temp dir.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use uuid::Uuid;
use workflow_format::*;

pub const OUR_ORIGIN: &str = "chrome-extension://niodlkgapdgglnicnoobiapimlhakbad";
pub const OTHER_EXTENSION: &str = "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
pub const SECRET_VALUE: &str = "typed-value-that-must-not-be-logged";

pub fn t(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_760_000_000_000 + ms).unwrap()
}

pub fn target(tag: &str, input_type: Option<&str>, label: &str) -> Target {
    Target::test(tag)
        .css(format!("#{}", label.to_lowercase().replace(' ', "-")))
        .xpath("//*[@id='x']")
        .input_type(input_type)
        .label(label)
        .bounds(1.0, 2.0, 100.0, 20.0)
        .build()
}

/// A valid recording with `n_events` events (navigate, then typing and
/// clicks, including a redacted password field).
pub fn recording(id: Uuid, name: &str, n_events: usize) -> Recording {
    let url = "https://example.com/login".to_owned();
    let mut events = Vec::new();
    for seq in 0..n_events as u64 {
        let kind = match seq % 4 {
            0 => EventKind::Navigate(NavigateEvent {
                cause: NavigationCause::Load,
                title: "Login".into(),
                from_url: None,
            }),
            1 => EventKind::Input(InputEvent {
                target: target("input", Some("email"), "Email"),
                value: FieldValue::text(SECRET_VALUE),
            }),
            2 => EventKind::Input(InputEvent {
                target: target("input", Some("password"), "Password"),
                value: FieldValue::Redacted {
                    reason: RedactionReason::Password,
                },
            }),
            _ => EventKind::Click(Pointer {
                target: target("button", Some("submit"), "Sign in"),
                button: MouseButton::Primary,
                modifiers: Modifiers::default(),
                offset: Point { x: 3.0, y: 4.0 },
            }),
        };
        events.push(Event {
            seq,
            at: t(100 * seq as i64 + 10),
            tab_id: 7,
            frame_path: vec![],
            url: url.clone(),
            kind,
        });
    }
    Recording {
        format_version: 1,
        id,
        name: name.into(),
        started_at: t(0),
        ended_at: t(100 * n_events as i64 + 100),
        recorder: RecorderInfo {
            version: "0.1.0".into(),
            user_agent: "test".into(),
        },
        tabs: vec![TabInfo {
            tab_id: 7,
            opener_tab_id: None,
            initial_url: url,
            title: "Login".into(),
        }],
        events,
    }
}

pub fn body_of(rec: &Recording) -> Vec<u8> {
    serde_json::to_vec(rec).unwrap()
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Sends one request on a fresh connection. `headers` are sent verbatim
/// (include Host yourself); Content-Length is added when `body` is given.
pub fn raw(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    // The server may answer (e.g. 401) before reading the body and close;
    // a failed write is then expected, the response is what matters.
    let _ = s.write_all(head.as_bytes());
    if let Some(b) = body {
        let _ = s.write_all(b);
    }
    read_response(&mut s)
}

pub fn read_response(s: &mut TcpStream) -> Resp {
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    parse_response(&buf)
}

pub fn parse_response(buf: &[u8]) -> Resp {
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = buf[split + 4..].to_vec();
    if headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"))
    {
        body = dechunk(&body);
    }
    Resp {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(nl) = b.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(std::str::from_utf8(&b[..nl]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 4 + size..];
    }
    out
}

/// The key a test client holds (see [`Relay::pair`]).
pub fn key_of(token: &str) -> clawtrail_trust::Key {
    serde_json::from_str(token).expect("a key as JSON")
}

/// A fresh random nonce.
pub fn fresh_nonce() -> String {
    clawtrail_trust::nonce(Uuid::new_v4().as_bytes())
}

/// The `Authorization` header of a request signed now with `token`.
pub fn signed(token: &str, method: &str, path: &str, host: &str, body: &[u8]) -> String {
    signed_at(
        token,
        method,
        path,
        host,
        body,
        Utc::now().timestamp_millis(),
        &fresh_nonce(),
    )
}

pub fn signed_at(
    token: &str,
    method: &str,
    path: &str,
    host: &str,
    body: &[u8],
    ts: i64,
    nonce: &str,
) -> String {
    let line = clawtrail_trust::RequestLine { method, path, host };
    clawtrail_trust::Credentials::sign(&key_of(token), &line, ts, nonce, body).header()
}

/// The extension's side of pairing with `code`: `POST /v1/pair`, then
/// `POST /v1/pair/confirm`, checking the relay's confirmation. The key, or
/// the answer that refused.
pub fn pair_with(
    port: u16,
    host: &str,
    code: &str,
    replaces: Option<&str>,
) -> Result<clawtrail_trust::Key, Resp> {
    use clawtrail_trust::pairing::{Role, Start};
    let headers = [
        ("Host", host),
        ("Origin", OUR_ORIGIN),
        ("Content-Type", "application/json"),
    ];
    let mut random = [0u8; 64];
    random[..16].copy_from_slice(Uuid::new_v4().as_bytes());
    random[16..32].copy_from_slice(Uuid::new_v4().as_bytes());
    let start = Start::new(Role::Extension, code, random);
    let body = serde_json::json!({"msg": start.message()}).to_string();
    let r = raw(port, "POST", "/v1/pair", &headers, Some(body.as_bytes()));
    if r.status != 200 {
        return Err(r);
    }
    let v = r.json();
    let session = start
        .finish(v["msg"].as_str().unwrap())
        .expect("the relay's SPAKE2 message");
    let mut confirm = serde_json::json!({
        "session": v["session"],
        "confirm": session.confirmation(Role::Extension),
    });
    if let Some(old) = replaces {
        confirm["replaces"] = old.into();
    }
    let r = raw(
        port,
        "POST",
        "/v1/pair/confirm",
        &headers,
        Some(confirm.to_string().as_bytes()),
    );
    if r.status != 200 {
        return Err(r);
    }
    let v = r.json();
    assert!(
        session.check(Role::Relay, v["confirm"].as_str().unwrap()),
        "the relay proves it knew the code"
    );
    Ok(session.key(v["key_id"].as_str().unwrap().to_owned()))
}

/// Whether `r` is signed by `token`'s key as the answer to a request that
/// carried `authorization`.
pub fn answer_is_signed(token: &str, authorization: &str, r: &Resp) -> bool {
    let creds = clawtrail_trust::Credentials::parse(authorization).unwrap();
    r.header(clawtrail_trust::SIGNATURE_HEADER)
        .is_some_and(|sig| {
            clawtrail_trust::response::verify(&key_of(token), &creds.nonce, r.status, &r.body, sig)
        })
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_clawtrail")
}

/// Runs the CLI against `data_dir`.
pub fn cli(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("CLAWTRAIL_DATA_DIR")
        .output()
        .expect("run clawtrail")
}

/// A real relay process; killed on drop.
pub struct Relay {
    pub child: Child,
    /// When it was started (Unix milliseconds, taken before the spawn).
    pub started: i64,
    pub port: u16,
    pub data_dir: PathBuf,
    pub log: PathBuf,
}

impl Relay {
    pub fn start(data_dir: &Path, extra: &[&str]) -> Relay {
        let mut cmd = Command::new(bin());
        cmd.arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--port", "0"])
            .args(extra);
        Relay::spawn(cmd, data_dir)
    }

    /// Like [`Relay::start`], with the descriptor limit (`ulimit -n`) at
    /// `nofile`.
    pub fn start_with_nofile(data_dir: &Path, nofile: u32, extra: &[&str]) -> Relay {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("ulimit -n {nofile} && exec \"$0\" \"$@\""))
            .arg(bin())
            .arg("--data-dir")
            .arg(data_dir)
            .args(["serve", "--port", "0"])
            .args(extra);
        Relay::spawn(cmd, data_dir)
    }

    fn spawn(mut cmd: Command, data_dir: &Path) -> Relay {
        let log = data_dir.with_extension(format!("log-{}", rand_suffix()));
        let started = Utc::now().timestamp_millis();
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("spawn relay");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; log: {}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                )
            });
        let port = addr.rsplit(':').next().unwrap().parse().unwrap();
        Relay {
            child,
            started,
            port,
            data_dir: data_dir.to_owned(),
            log,
        }
    }

    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A fresh pairing code from `clawtrail pair --json`.
    pub fn code(&self) -> String {
        let out = cli(&self.data_dir, &["pair", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["code"].as_str().unwrap().to_owned()
    }

    /// Pairs through the real flow: `clawtrail pair --json`, then the two
    /// requests of SPAKE2 pairing, as the extension makes them. Returns the
    /// key as JSON (what the tests call a token: what a client holds).
    pub fn pair(&self) -> String {
        let code = self.code();
        match pair_with(self.port, &self.host(), &code, None) {
            Ok(key) => serde_json::to_string(&key).unwrap(),
            Err(r) => panic!(
                "pairing failed: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            ),
        }
    }

    /// An authorised request from the extension: signed with the key.
    pub fn send(&self, token: &str, method: &str, path: &str, body: Option<&[u8]>) -> Resp {
        let auth = signed(token, method, path, &self.host(), body.unwrap_or_default());
        let mut h = vec![
            ("Host", self.host()),
            ("Origin", OUR_ORIGIN.to_owned()),
            ("Authorization", auth),
        ];
        if body.is_some() {
            h.push(("Content-Type", "application/json".to_owned()));
        }
        let h: Vec<(&str, &str)> = h.iter().map(|(k, v)| (*k, v.as_str())).collect();
        raw(self.port, method, path, &h, body)
    }

    /// Uploads `rec` with `token` and asserts it was stored as new (201).
    pub fn upload(&self, token: &str, rec: &Recording) {
        let r = self.send(token, "POST", "/v1/recordings", Some(&body_of(rec)));
        assert_eq!(r.status, 201, "upload of {}: {:?}", rec.id, r.json());
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn rand_suffix() -> String {
    Uuid::new_v4().simple().to_string()
}

/// Names of the files in `<data>/recordings`, sorted.
pub fn recording_files(data_dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(data_dir.join("recordings")) {
        Ok(rd) => rd
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => vec![],
    };
    v.sort();
    v
}
