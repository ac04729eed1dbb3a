//! Starting Chromium under chromedriver with a fresh profile.
//!
//! The replayer never reuses the user's browser profile: a replayed workflow
//! may come from someone else, and it must neither see the user's cookies
//! nor leave anything behind. The profile is a temporary directory deleted
//! when the [`Browser`] is dropped, and chromedriver is killed with it.

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::ReplayError;

/// How to start the browser.
#[derive(Debug, Clone)]
pub struct BrowserOptions {
    /// The `chromedriver` executable.
    pub chromedriver: PathBuf,
    /// The Chromium executable chromedriver starts.
    pub chromium: PathBuf,
    pub headless: bool,
    /// How long chromedriver may take to accept connections.
    pub startup_timeout: Duration,
}

impl Default for BrowserOptions {
    fn default() -> Self {
        BrowserOptions {
            chromedriver: std::env::var_os("CLAWTRAIL_CHROMEDRIVER")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("chromedriver")),
            chromium: std::env::var_os("CLAWTRAIL_CHROMIUM")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium")),
            headless: default_headless(),
            startup_timeout: Duration::from_secs(20),
        }
    }
}

/// Headless unless there is a display to show a window on.
pub fn default_headless() -> bool {
    std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty())
        && std::env::var_os("WAYLAND_DISPLAY").is_none_or(|d| d.is_empty())
}

/// Chromium's sandbox refuses to start as root, and tests and containers
/// run as root; everywhere else the sandbox stays on, because a replayed
/// workflow may visit any site.
fn running_as_root() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // /proc/self belongs to the process's effective user.
        std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The Chromium command-line switches of a replay.
pub fn chromium_args(headless: bool, profile: &Path, as_root: bool) -> Vec<String> {
    let mut args = vec![
        "--disable-gpu".to_owned(),
        "--disable-quic".to_owned(),
        "--no-first-run".to_owned(),
        "--disable-background-networking".to_owned(),
        "--disable-component-update".to_owned(),
        "--disable-sync".to_owned(),
        // The DevTools export assumes the same viewport.
        "--window-size=1280,720".to_owned(),
        format!("--user-data-dir={}", profile.display()),
    ];
    if headless {
        args.push("--headless=new".to_owned());
    }
    if as_root {
        args.push("--no-sandbox".to_owned());
    }
    args
}

/// A running chromedriver with one Chromium session.
/// Preferences of the fresh replay profile. A recording is page-controlled
/// data, so the browser that replays it holds nothing worth taking and
/// can give nothing away: no downloads (`download_restrictions` 3 blocks
/// them all), and no `file://` page (the URL blocklist policy's
/// preference, which Chromium honours from the profile as well), unless
/// the user allowed local files for this replay.
/// Downloads would go to `download_dir` (inside the throwaway profile).
pub fn replay_prefs(allow_file_urls: bool, download_dir: &Path) -> serde_json::Value {
    let blocked: Vec<&str> = if allow_file_urls {
        Vec::new()
    } else {
        vec!["file://*"]
    };
    json!({
        "download_restrictions": 3,
        "download": {"prompt_for_download": false, "default_directory": download_dir},
        "policy": {"url_blocklist": blocked},
    })
}

/// Where downloads would land, inside the profile directory.
const DOWNLOADS: &str = "downloads";

pub struct Browser {
    pub client: Client,
    driver: Child,
    // Dropped (deleted) after the driver is killed, see Drop.
    profile: tempfile::TempDir,
}

impl Browser {
    /// `allow_file_urls`: whether `file://` pages may load at all.
    pub async fn launch(
        opts: &BrowserOptions,
        allow_file_urls: bool,
    ) -> Result<Browser, ReplayError> {
        let profile = tempfile::Builder::new()
            .prefix("clawtrail-replay-profile-")
            .tempdir()
            .map_err(|e| ReplayError::Launch(format!("cannot create a profile directory: {e}")))?;
        // chromedriver has no "pick a free port and tell me" mode: take one
        // from the OS and retry if another process grabbed it meanwhile.
        let mut last_err = String::new();
        for _ in 0..3 {
            let port =
                free_port().map_err(|e| ReplayError::Launch(format!("no free local port: {e}")))?;
            let mut driver = Command::new(&opts.chromedriver)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| {
                    ReplayError::Launch(format!(
                        "cannot start {}: {e} (install chromedriver or set CLAWTRAIL_CHROMEDRIVER)",
                        opts.chromedriver.display()
                    ))
                })?;
            match wait_listening(&mut driver, port, opts.startup_timeout).await {
                Ok(()) => {}
                Err(e) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    last_err = e;
                    continue;
                }
            }
            let caps = json!({
                "browserName": "chrome",
                "pageLoadStrategy": "normal",
                "goog:chromeOptions": {
                    "binary": opts.chromium,
                    "args": chromium_args(opts.headless, profile.path(), running_as_root()),
                    "prefs": replay_prefs(allow_file_urls, &profile.path().join(DOWNLOADS)),
                },
            });
            let serde_json::Value::Object(caps) = caps else {
                unreachable!("a JSON object literal")
            };
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(caps)
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            return match connected {
                Ok(client) => Ok(Browser {
                    client,
                    driver,
                    profile,
                }),
                Err(e) => {
                    let _ = driver.kill();
                    let _ = driver.wait();
                    Err(ReplayError::Launch(format!(
                        "chromedriver could not start {}: {e}",
                        opts.chromium.display()
                    )))
                }
            };
        }
        Err(ReplayError::Launch(format!(
            "chromedriver did not start: {last_err}"
        )))
    }

    /// Ends the session (closing Chromium) and stops chromedriver.
    /// Where a download would have landed (none can: see [`replay_prefs`]).
    pub fn download_dir(&self) -> PathBuf {
        self.profile.path().join(DOWNLOADS)
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        self.stop_driver();
    }

    fn stop_driver(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Killing chromedriver also ends the Chromium it started.
        self.stop_driver();
    }
}

fn free_port() -> std::io::Result<u16> {
    let l = TcpListener::bind(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0))?;
    Ok(l.local_addr()?.port())
}

async fn wait_listening(driver: &mut Child, port: u16, timeout: Duration) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    let addr = SocketAddrV4::new(Ipv4Addr::LOCALHOST, port);
    loop {
        if let Ok(Some(status)) = driver.try_wait() {
            return Err(format!("chromedriver exited early ({status})"));
        }
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "chromedriver did not listen on port {port} in {timeout:?}"
            ));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_is_disabled_only_for_root_and_headless_only_when_asked() {
        let p = Path::new("/tmp/p");
        let user = chromium_args(false, p, false);
        assert!(!user.iter().any(|a| a == "--no-sandbox"));
        assert!(!user.iter().any(|a| a.starts_with("--headless")));
        assert!(user.contains(&"--user-data-dir=/tmp/p".to_owned()));
        let root = chromium_args(true, p, true);
        assert!(root.contains(&"--no-sandbox".to_owned()));
        assert!(root.contains(&"--headless=new".to_owned()));
    }
}
