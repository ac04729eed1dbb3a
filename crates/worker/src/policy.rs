//! The worker's small decisions: the badge, a new recording's name, who may
//! send which message, what the relay's status is and how long that answer
//! holds, which ports to look on, and how long to wait for what. Time is
//! always passed in (milliseconds), never read here.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::effect::Effect;
use crate::session::Status;

// --- the toolbar badge ---------------------------------------------------

/// Badge colour while recording.
pub const BADGE_RECORDING: &str = "#c62828";
/// Badge colour otherwise (paused; idle shows no text).
pub const BADGE_IDLE: &str = "#757575";

/// The badge for a recording state: the event count while recording, `||`
/// while paused, nothing when idle.
pub fn badge(status: Status, events: u64) -> Effect {
    let text = match status {
        Status::Active => events.to_string(),
        Status::Paused => "||".to_owned(),
        Status::Idle => String::new(),
    };
    let color = if status == Status::Active {
        BADGE_RECORDING
    } else {
        BADGE_IDLE
    };
    Effect::Badge {
        text,
        color: color.to_owned(),
    }
}

// --- naming ----------------------------------------------------------------

/// A new recording's name: `Recording YYYY-MM-DD HH:MM` (UTC).
pub fn default_name(now: DateTime<Utc>) -> String {
    format!("Recording {}", now.format("%Y-%m-%d %H:%M"))
}

// --- messages --------------------------------------------------------------

/// Every message type, generated from the protocol's `ToWorker`: only our
/// own extension pages (popup, viewer) may send the commands among them.
pub use clawtrail_protocol::messages::MessageType;

/// Who sent a `chrome.runtime` message, as `MessageSender` says.
#[derive(Debug, Clone, Default)]
pub struct Sender<'a> {
    /// `sender.id` is this extension's id.
    pub ours: bool,
    /// `sender.tab` is set: a content script, or an extension page in a tab.
    pub tab: bool,
    /// `sender.url`, filled in by the browser.
    pub url: Option<&'a str>,
}

/// What to do with a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "route", rename_all = "snake_case")]
pub enum Route {
    /// Not from this extension: no answer at all.
    Ignore,
    /// Answer `{ok: false, error}`.
    Reject { error: &'static str },
    /// A content script announcing itself (any sender of ours).
    Hello,
    /// Captured events: only from a tab.
    Capture,
    /// A command from one of our extension pages (any type but `hello`
    /// and `capture`).
    Command { command: MessageType },
}

/// Decides who may send what. Content scripts run inside arbitrary pages,
/// so they may only say hello and send captures. Commands come only from
/// our extension pages: an extension page in a tab has `sender.tab` too, and
/// its URL tells it apart, because the browser fills in `sender.url` and for
/// a content script it is the web page's (and no web page can load one of
/// our pages: there are no web_accessible_resources). `extension_base` is
/// `chrome.runtime.getURL('')`. `msg_type` is `msg.type` when a string.
pub fn route(
    is_object: bool,
    msg_type: Option<&str>,
    sender: &Sender,
    extension_base: &str,
) -> Route {
    if !sender.ours {
        return Route::Ignore;
    }
    if !is_object {
        return Route::Reject {
            error: "not a message",
        };
    }
    match msg_type.and_then(|t| t.parse::<MessageType>().ok()) {
        None => Route::Reject {
            error: "unknown message type",
        },
        Some(MessageType::Hello) => Route::Hello,
        Some(MessageType::Capture) if !sender.tab => Route::Reject {
            error: "capture comes from a tab",
        },
        Some(MessageType::Capture) => Route::Capture,
        Some(_) if !from_extension_page(sender, extension_base) => {
            Route::Reject { error: "forbidden" }
        }
        Some(command) => Route::Command { command },
    }
}

fn from_extension_page(sender: &Sender, extension_base: &str) -> bool {
    sender.ours
        && !extension_base.is_empty()
        && sender.url.is_some_and(|u| u.starts_with(extension_base))
}

// --- the relay's status ----------------------------------------------------

/// What the popup shows about the relay (the protocol's `relay` member).
pub use clawtrail_protocol::messages::RelayStatus as RelayState;

/// What the worker learned about the relay, as a [`RelayState`].
pub trait Learned {
    /// After looking for the paired relay: found on a port, or not; when
    /// not, `refused` says something answered the signed handshake with 401
    /// (our relay after `clawtrail unpair`, or anyone: either way the key is
    /// not accepted there).
    fn of_search(port: Option<u16>, refused: bool) -> RelayState;
    /// Without a pairing key: whether anything answers a health check.
    fn unpaired(anything_up: bool) -> RelayState;
}

impl Learned for RelayState {
    fn of_search(port: Option<u16>, refused: bool) -> RelayState {
        match (port, refused) {
            (Some(_), _) => RelayState::Connected,
            (None, true) => RelayState::NotPaired,
            (None, false) => RelayState::NotRunning,
        }
    }

    fn unpaired(anything_up: bool) -> RelayState {
        if anything_up {
            RelayState::NotPaired
        } else {
            RelayState::NotRunning
        }
    }
}

/// One port's answer to the signed handshake (`GET /v1/session`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Probe {
    /// A 200 signed by the paired relay for this very request: ours.
    Ours,
    /// A 401: the key is not accepted there. Signed or not, it proves
    /// nothing else; keep looking.
    Refused,
    /// Nothing, or anything else: keep looking.
    Nothing,
}

/// `status`: `None` when nothing answered.
pub fn probe(status: Option<u16>, verified: bool) -> Probe {
    match status {
        Some(200) if verified => Probe::Ours,
        Some(401) => Probe::Refused,
        _ => Probe::Nothing,
    }
}

/// How long a relay status is reused before asking again.
pub const RELAY_STATUS_TTL_MS: f64 = 3000.0;

/// The last relay status learned, and when (the browser's clock).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RelayStatusCache {
    at_ms: f64,
    value: Option<RelayState>,
    port: Option<u16>,
}

impl RelayStatusCache {
    /// The cached status while it is younger than [`RELAY_STATUS_TTL_MS`].
    pub fn fresh(&self, now_ms: f64) -> Option<RelayState> {
        self.value
            .filter(|_| now_ms - self.at_ms < RELAY_STATUS_TTL_MS)
    }

    pub fn note(&mut self, now_ms: f64, value: RelayState, port: Option<u16>) {
        *self = RelayStatusCache {
            at_ms: now_ms,
            value: Some(value),
            port,
        };
    }

    /// Forgets everything (after pairing, or when the port changes).
    pub fn forget(&mut self) {
        *self = RelayStatusCache::default();
    }

    /// The port the relay was last found on.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

/// The ports to look on: a test build's override alone; else the port our
/// relay last proved itself on, then the rest of `documented`.
pub fn candidate_ports(
    documented: &[u16],
    remembered: Option<u16>,
    debug: Option<u16>,
) -> Vec<u16> {
    if let Some(p) = debug.filter(|&p| p != 0) {
        return vec![p];
    }
    match remembered {
        Some(r) if documented.contains(&r) => std::iter::once(r)
            .chain(documented.iter().copied().filter(|&p| p != r))
            .collect(),
        _ => documented.to_vec(),
    }
}

// --- waiting ---------------------------------------------------------------

/// Timings the worker's JS uses, in milliseconds (alarm periods in minutes,
/// as `chrome.alarms` takes them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Timings {
    /// The signed handshake and the health check, per port.
    pub probe_timeout_ms: u32,
    /// A signed request (and pairing requests).
    pub request_timeout_ms: u32,
    /// Uploading a recording.
    pub upload_timeout_ms: u32,
    /// The keepalive alarm while recording: a long, quiet recording keeps
    /// its worker (and its in-memory session).
    pub keepalive_minutes: f64,
    /// The expiry sweep.
    pub expiry_minutes: f64,
}

pub const TIMINGS: Timings = Timings {
    probe_timeout_ms: 1500,
    request_timeout_ms: 5000,
    upload_timeout_ms: 60_000,
    keepalive_minutes: 0.5,
    expiry_minutes: 60.0,
};

/// Captures count as quiet after this long without one.
pub const QUIET_MS: f64 = 300.0;
/// Closing the gates never waits longer than this.
pub const QUIET_DEADLINE_MS: f64 = 2000.0;
/// How often to look again while waiting for quiet.
pub const QUIET_POLL_MS: u32 = 50;

/// While closing the gates: how long to sleep before looking again, or
/// `None` when captures fell quiet or the wait began too long ago.
pub fn quiet_wait(now_ms: f64, began_ms: f64, last_capture_ms: f64) -> Option<u32> {
    (now_ms - last_capture_ms < QUIET_MS && now_ms < began_ms + QUIET_DEADLINE_MS)
        .then_some(QUIET_POLL_MS)
}

/// Health checks after opening the wake deep link, and the pause before each.
pub const WAKE_TRIES: u32 = 10;
pub const WAKE_POLL_MS: u32 = 500;

/// After the deep link: how long to sleep before the next health check,
/// or `None` when the relay is up or it is time to give up.
pub fn wake_wait(tries_done: u32, up: bool) -> Option<u32> {
    (!up && tries_done < WAKE_TRIES).then_some(WAKE_POLL_MS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const BASE: &str = "chrome-extension://abc/";

    fn sender(tab: bool, url: Option<&str>) -> Sender<'_> {
        Sender {
            ours: true,
            tab,
            url,
        }
    }

    #[test]
    fn badge_shows_the_count_while_recording() {
        let b = |status, events| match badge(status, events) {
            Effect::Badge { text, color } => (text, color),
            other => panic!("{other:?}"),
        };
        assert_eq!(b(Status::Active, 12), ("12".into(), BADGE_RECORDING.into()));
        assert_eq!(b(Status::Active, 0), ("0".into(), BADGE_RECORDING.into()));
        assert_eq!(b(Status::Paused, 12), ("||".into(), BADGE_IDLE.into()));
        assert_eq!(b(Status::Idle, 0), (String::new(), BADGE_IDLE.into()));
    }

    #[test]
    fn default_name_is_the_utc_minute() {
        let t = Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 59).unwrap();
        assert_eq!(default_name(t), "Recording 2026-03-04 05:06");
    }

    #[test]
    fn content_scripts_say_hello_and_capture_only() {
        let page = sender(true, Some("https://example.com/"));
        assert_eq!(route(true, Some("hello"), &page, BASE), Route::Hello);
        assert_eq!(route(true, Some("capture"), &page, BASE), Route::Capture);
        for t in [
            "record",
            "pause",
            "resume",
            "stop",
            "toggle",
            "status",
            "retry_now",
            "pair",
        ] {
            assert_eq!(
                route(true, Some(t), &page, BASE),
                Route::Reject { error: "forbidden" },
                "{t}"
            );
        }
        // A page whose URL merely contains ours is still a web page.
        let sneaky = sender(true, Some("https://evil.test/?chrome-extension://abc/"));
        assert_eq!(
            route(true, Some("stop"), &sneaky, BASE),
            Route::Reject { error: "forbidden" }
        );
        assert_eq!(
            route(true, Some("stop"), &sender(true, None), BASE),
            Route::Reject { error: "forbidden" }
        );
    }

    #[test]
    fn extension_pages_send_commands() {
        let popup = sender(false, Some("chrome-extension://abc/popup.html"));
        let viewer_tab = sender(true, Some("chrome-extension://abc/viewer.html#x"));
        for s in [&popup, &viewer_tab] {
            assert_eq!(
                route(true, Some("retry_now"), s, BASE),
                Route::Command {
                    command: MessageType::RetryNow
                }
            );
        }
        assert_eq!(
            route(true, Some("record"), &popup, BASE),
            Route::Command {
                command: MessageType::Record
            }
        );
        // Capture needs a tab, even from our own pages.
        assert_eq!(
            route(true, Some("capture"), &popup, BASE),
            Route::Reject {
                error: "capture comes from a tab"
            }
        );
    }

    #[test]
    fn odd_messages_are_refused() {
        let popup = sender(false, Some("chrome-extension://abc/popup.html"));
        let unknown = Route::Reject {
            error: "unknown message type",
        };
        assert_eq!(route(true, Some("toString"), &popup, BASE), unknown);
        assert_eq!(route(true, Some("constructor"), &popup, BASE), unknown);
        assert_eq!(route(true, None, &popup, BASE), unknown);
        // Unknown is said before forbidden, as to anyone.
        assert_eq!(
            route(true, Some("nope"), &sender(true, None), BASE),
            unknown
        );
        assert_eq!(
            route(false, None, &popup, BASE),
            Route::Reject {
                error: "not a message"
            }
        );
        let foreign = Sender {
            ours: false,
            ..popup
        };
        assert_eq!(route(true, Some("stop"), &foreign, BASE), Route::Ignore);
        assert_eq!(route(true, Some("hello"), &foreign, BASE), Route::Ignore);
    }

    #[test]
    fn routes_serialize_for_the_dispatcher() {
        let j = |r: Route| serde_json::to_string(&r).unwrap();
        assert_eq!(j(Route::Ignore), r#"{"route":"ignore"}"#);
        assert_eq!(
            j(Route::Reject { error: "forbidden" }),
            r#"{"route":"reject","error":"forbidden"}"#
        );
        assert_eq!(
            j(Route::Command {
                command: MessageType::RetryNow
            }),
            r#"{"route":"command","command":"retry_now"}"#
        );
    }

    #[test]
    fn a_401_means_not_paired() {
        assert_eq!(probe(Some(200), true), Probe::Ours);
        assert_eq!(probe(Some(200), false), Probe::Nothing);
        assert_eq!(probe(Some(401), false), Probe::Refused);
        assert_eq!(probe(Some(401), true), Probe::Refused);
        assert_eq!(probe(Some(500), true), Probe::Nothing);
        assert_eq!(probe(None, false), Probe::Nothing);
        assert_eq!(RelayState::of_search(Some(1), true), RelayState::Connected);
        assert_eq!(RelayState::of_search(None, true), RelayState::NotPaired);
        assert_eq!(RelayState::of_search(None, false), RelayState::NotRunning);
        assert_eq!(RelayState::unpaired(true), RelayState::NotPaired);
        assert_eq!(RelayState::unpaired(false), RelayState::NotRunning);
    }

    #[test]
    fn relay_status_is_reused_for_three_seconds() {
        let mut c = RelayStatusCache::default();
        assert_eq!(c.fresh(0.0), None);
        c.note(1000.0, RelayState::Connected, Some(7));
        assert_eq!(c.fresh(1000.0), Some(RelayState::Connected));
        assert_eq!(c.fresh(3999.0), Some(RelayState::Connected));
        assert_eq!(c.fresh(4000.0), None);
        assert_eq!(c.port(), Some(7));
        c.forget();
        assert_eq!(c.fresh(1000.0), None);
        assert_eq!(c.port(), None);
    }

    #[test]
    fn remembered_port_comes_first() {
        let ports = [1, 2, 3];
        assert_eq!(candidate_ports(&ports, None, None), vec![1, 2, 3]);
        assert_eq!(candidate_ports(&ports, Some(2), None), vec![2, 1, 3]);
        assert_eq!(candidate_ports(&ports, Some(9), None), vec![1, 2, 3]);
        assert_eq!(candidate_ports(&ports, Some(2), Some(40000)), vec![40000]);
    }

    #[test]
    fn quiet_wait_ends_on_quiet_or_deadline() {
        // Captures 100 ms ago: wait.
        assert_eq!(quiet_wait(1000.0, 1000.0, 900.0), Some(QUIET_POLL_MS));
        // 300 ms of quiet: done.
        assert_eq!(quiet_wait(1200.0, 1000.0, 900.0), None);
        // Never quiet, but two seconds passed.
        assert_eq!(quiet_wait(2999.0, 1000.0, 2990.0), Some(QUIET_POLL_MS));
        assert_eq!(quiet_wait(3000.0, 1000.0, 2990.0), None);
        // Nothing ever captured.
        assert_eq!(quiet_wait(1000.0, 1000.0, 0.0), None);
    }

    #[test]
    fn wake_polls_ten_times_at_most() {
        assert_eq!(wake_wait(0, false), Some(WAKE_POLL_MS));
        assert_eq!(wake_wait(9, false), Some(WAKE_POLL_MS));
        assert_eq!(wake_wait(10, false), None);
        assert_eq!(wake_wait(3, true), None);
    }
}
