//! The recording in progress, as the service worker holds it.
//!
//! The worker can be stopped by Chromium at any moment, so a [`Session`] is
//! only ever a cache of what is in `chrome.storage.local`: its [`Meta`] is
//! written together with every chunk, and [`Session::restore`] rebuilds the
//! same session from it when the worker starts again.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use workflow_format::{
    CapturedEvent, Event, EventKind, FORMAT_VERSION, RecorderInfo, Recording, TabId, TabInfo,
    ValidationError,
};

use crate::storage_keys;

/// Recording state, as kept in `chrome.storage.session` and reported to
/// the extension's pages.
pub use clawtrail_protocol::messages::RecordingStatus as Status;

/// How many capture ids are remembered to drop resent duplicates. A content
/// script resends only what the worker did not acknowledge, i.e. at most the
/// events of the flush that was interrupted, so a small window suffices.
const RECENT_CIDS: usize = 256;

/// Everything about a recording except its events: stored as
/// `rec:<id>:meta` next to its chunks, rewritten on every flush (it stays
/// small: no events in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    pub id: Uuid,
    pub name: String,
    pub started_at: DateTime<Utc>,
    /// Set at Stop. `None` while recording, or for a recording interrupted
    /// by a browser restart (its session state was lost).
    pub ended_at: Option<DateTime<Utc>>,
    pub recorder: RecorderInfo,
    pub tabs: Vec<TabInfo>,
    /// The seq the next accepted event gets; also the event count.
    pub next_seq: u64,
    /// Chunks written so far: keys `rec:<id>:c:0` .. `rec:<id>:c:<chunks-1>`.
    pub chunks: u32,
    /// Capture ids of recently accepted events (see [`RECENT_CIDS`]).
    pub recent_cids: VecDeque<String>,
    pub delivery: Delivery,
}

/// Upload attempts of a finished recording.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    pub attempts: u32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The tab an event came from, as `chrome.runtime.MessageSender.tab` says.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct TabContext {
    pub tab_id: TabId,
    pub opener_tab_id: Option<TabId>,
    pub url: String,
    pub title: String,
}

/// What happened to an event handed to [`Session::accept`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Accepted {
    /// Buffered with this seq; durable after the next flush.
    Stored { seq: u64 },
    /// Already accepted earlier (a resend); nothing to do.
    Duplicate,
    /// The session is paused or stopped: dropped by design.
    NotRecording,
    /// Breaks a format rule; dropped so that it cannot make the whole
    /// recording undeliverable.
    Invalid { reason: String },
    /// Not part of a workflow (a tab showing an extension page or a browser
    /// page that never joined the recording).
    Ignored,
}

/// One `chrome.storage.local.set` call: key -> JSON string. The chunk and
/// the meta go in the same call, so storage never holds a chunk that the
/// meta does not count, or the reverse.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flush {
    pub writes: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("stored recording metadata is unreadable: {0}")]
    BadMeta(serde_json::Error),
    #[error("chunk {index} of recording {id} is unreadable: {source}")]
    BadChunk {
        id: Uuid,
        index: usize,
        source: serde_json::Error,
    },
    #[error("expected {expected} chunks, got {got}")]
    ChunkCount { expected: u32, got: usize },
    #[error("the assembled recording is invalid: {0}")]
    Invalid(#[from] ValidationError),
}

/// The recording in progress.
#[derive(Debug)]
pub struct Session {
    meta: Meta,
    status: Status,
    /// Accepted but not yet flushed.
    buffer: Vec<Event>,
}

/// A recording `id` started and stopped at `start` with no events: the
/// fixture the delivery, sweep and step-machine tests share.
#[cfg(test)]
pub(crate) fn finished(id: Uuid, start: DateTime<Utc>) -> (Meta, Flush) {
    Session::start(
        id,
        "x".into(),
        workflow_format::RecorderInfo {
            version: "0.1.0".into(),
            user_agent: "UA".into(),
        },
        start,
    )
    .stop(start)
}

impl Session {
    /// A new recording, started by the user at `now`.
    pub fn start(id: Uuid, name: String, recorder: RecorderInfo, now: DateTime<Utc>) -> Self {
        Session {
            meta: Meta {
                id,
                name,
                started_at: now,
                ended_at: None,
                recorder,
                tabs: Vec::new(),
                next_seq: 0,
                chunks: 0,
                recent_cids: VecDeque::new(),
                delivery: Delivery::default(),
            },
            status: Status::Active,
            buffer: Vec::new(),
        }
    }

    /// The session as it was at its last flush, after a worker restart.
    pub fn restore(meta: Meta, status: Status) -> Self {
        Session {
            meta,
            status,
            buffer: Vec::new(),
        }
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    pub fn status(&self) -> Status {
        self.status
    }

    /// Accepted events so far, flushed or not.
    pub fn event_count(&self) -> u64 {
        self.meta.next_seq
    }

    pub fn pause(&mut self) {
        if self.status == Status::Active {
            self.status = Status::Paused;
        }
    }

    pub fn resume(&mut self) {
        if self.status == Status::Paused {
            self.status = Status::Active;
        }
    }

    /// Places one captured event: checks it, gives it the next seq and the
    /// sender's tab, and buffers it until [`Session::flush`].
    ///
    /// `cid` is the content script's capture id; a resend of an event that
    /// was already accepted is reported as a duplicate.
    pub fn accept(
        &mut self,
        cid: Option<&str>,
        tab: &TabContext,
        captured: CapturedEvent,
    ) -> Accepted {
        if self.status != Status::Active {
            return Accepted::NotRecording;
        }
        if let Some(cid) = cid {
            if self.meta.recent_cids.iter().any(|c| c == cid) {
                return Accepted::Duplicate;
            }
        }
        let mut event = captured.into_event(self.meta.next_seq, tab.tab_id);
        // Clocks of different frames agree (one machine), but an event can
        // be stamped a moment before Start reached its frame.
        if event.at < self.meta.started_at {
            event.at = self.meta.started_at;
        }
        if let Err(e) = event.validate_alone() {
            return Accepted::Invalid {
                reason: e.to_string(),
            };
        }
        self.note_tab(tab, &event);
        if let Some(cid) = cid {
            if self.meta.recent_cids.len() == RECENT_CIDS {
                self.meta.recent_cids.pop_front();
            }
            self.meta.recent_cids.push_back(cid.to_owned());
        }
        let seq = event.seq;
        self.meta.next_seq += 1;
        self.buffer.push(event);
        Accepted::Stored { seq }
    }

    /// A tab event observed by the worker itself (`chrome.tabs`).
    ///
    /// Tabs showing extension pages (the popup or the viewer opened in a
    /// tab, DevTools) are never part of a workflow. A browser page
    /// (`chrome://settings`) counts only once it is in the recording; a
    /// new, still empty tab does (the user is about to type a URL).
    pub fn accept_tab_event(
        &mut self,
        tab: &TabContext,
        kind: EventKind,
        now: DateTime<Utc>,
    ) -> Accepted {
        let scheme = tab.url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        let known = self.meta.tabs.iter().any(|t| t.tab_id == tab.tab_id);
        let recordable =
            workflow_format::check_url(&tab.url, workflow_format::UrlPolicy::Web).is_ok();
        let blank_new_tab = matches!(kind, EventKind::TabOpened(_))
            && (tab.url.is_empty() || tab.url.starts_with("chrome://newtab"));
        match scheme.as_deref() {
            Some("chrome-extension" | "devtools") => return Accepted::Ignored,
            _ if !known && !recordable && !blank_new_tab => return Accepted::Ignored,
            _ => {}
        }
        let captured = CapturedEvent {
            at: now,
            frame_path: Vec::new(),
            url: recordable_url(&tab.url),
            kind,
        };
        self.accept(None, tab, captured)
    }

    fn note_tab(&mut self, tab: &TabContext, event: &Event) {
        if self.meta.tabs.iter().any(|t| t.tab_id == tab.tab_id) {
            return;
        }
        let opener_tab_id = match &event.kind {
            EventKind::TabOpened(workflow_format::TabOpenedEvent { opener_tab_id }) => {
                *opener_tab_id
            }
            _ => tab.opener_tab_id,
        };
        self.meta.tabs.push(TabInfo {
            tab_id: tab.tab_id,
            opener_tab_id,
            initial_url: recordable_url(if tab.url.is_empty() {
                &event.url
            } else {
                &tab.url
            }),
            title: truncate(&tab.title, workflow_format::limits::SHORT),
        });
    }

    /// The writes that make every buffered event durable, or `None` when
    /// there is nothing new. Costs O(buffered events): earlier chunks are
    /// never rewritten.
    pub fn flush(&mut self) -> Option<Flush> {
        if self.buffer.is_empty() {
            return None;
        }
        let chunk = serde_json::to_string(&self.buffer).expect("events always serialize");
        let key = storage_keys::chunk(self.meta.id, self.meta.chunks);
        self.meta.chunks += 1;
        self.buffer.clear();
        Some(Flush {
            writes: vec![(key, chunk), self.meta_write()],
        })
    }

    /// Ends the recording at `now`: the final flush, with `ended_at` set.
    pub fn stop(mut self, now: DateTime<Utc>) -> (Meta, Flush) {
        let mut writes = self.flush().map(|f| f.writes).unwrap_or_default();
        self.meta.ended_at = Some(now.max(self.meta.started_at));
        // The flush above wrote the meta without `ended_at`; replace it.
        writes.retain(|(k, _)| *k != storage_keys::meta(self.meta.id));
        writes.push(self.meta_write());
        (self.meta, Flush { writes })
    }

    fn meta_write(&self) -> (String, String) {
        (
            storage_keys::meta(self.meta.id),
            serde_json::to_string(&self.meta).expect("meta always serializes"),
        )
    }
}

/// Replaces URLs a recording may not hold (`chrome://newtab`, empty) with
/// `about:blank`, so that a tab event is never refused for its URL.
fn recordable_url(url: &str) -> String {
    if workflow_format::check_url(url, workflow_format::UrlPolicy::Web).is_ok()
        && url.len() <= workflow_format::limits::URL
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        url.to_owned()
    } else {
        "about:blank".to_owned()
    }
}

fn truncate(s: &str, max: usize) -> String {
    let cleaned: String = s.chars().filter(|c| !c.is_control()).collect();
    if cleaned.len() <= max {
        return cleaned;
    }
    let mut end = max;
    while !cleaned.is_char_boundary(end) {
        end -= 1;
    }
    cleaned[..end].to_owned()
}

/// Builds the finished recording from its meta and its chunks (in order),
/// and checks it with `validate()`.
///
/// A meta without `ended_at` (a recording cut short by a browser restart)
/// ends at its last event.
pub fn assemble(meta: &Meta, chunks: &[String]) -> Result<Recording, SessionError> {
    if chunks.len() != meta.chunks as usize {
        return Err(SessionError::ChunkCount {
            expected: meta.chunks,
            got: chunks.len(),
        });
    }
    let mut events = Vec::with_capacity(meta.next_seq as usize);
    for (index, chunk) in chunks.iter().enumerate() {
        let mut part: Vec<Event> =
            serde_json::from_str(chunk).map_err(|source| SessionError::BadChunk {
                id: meta.id,
                index,
                source,
            })?;
        events.append(&mut part);
    }
    // Stored in arrival order; the recording is in the order the user acted.
    workflow_format::into_causal_order(&mut events);
    let last = events.iter().map(|e| e.at).max();
    let ended_at = [meta.ended_at, last, Some(meta.started_at)]
        .into_iter()
        .flatten()
        .max()
        .expect("non-empty");
    let recording = Recording {
        format_version: FORMAT_VERSION,
        id: meta.id,
        name: meta.name.clone(),
        started_at: meta.started_at,
        ended_at,
        recorder: meta.recorder.clone(),
        tabs: meta.tabs.clone(),
        events,
    };
    recording.validate()?;
    Ok(recording)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    #[cfg(not(target_arch = "wasm32"))]
    use proptest::prelude::{Just, Strategy};
    use workflow_format::{
        FieldValue, Modifiers, MouseButton, NavigationCause, Point, Pointer, RedactionReason,
        Target,
    };

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + s, 0).unwrap()
    }

    fn tab(id: TabId) -> TabContext {
        TabContext {
            tab_id: id,
            opener_tab_id: None,
            url: "http://127.0.0.1:8000/".into(),
            title: "Test".into(),
        }
    }

    fn target(tag: &str, input_type: Option<&str>) -> Target {
        Target::test(tag)
            .css("#x")
            .xpath("//*[@id=\"x\"]")
            .input_type(input_type)
            .build()
    }

    fn click(at: i64) -> CapturedEvent {
        CapturedEvent {
            at: t(at),
            frame_path: vec![],
            url: "http://127.0.0.1:8000/".into(),
            kind: EventKind::Click(Pointer {
                target: target("button", None),
                button: MouseButton::Primary,
                modifiers: Modifiers::default(),
                offset: Point { x: 1.0, y: 2.0 },
            }),
        }
    }

    fn session() -> Session {
        Session::start(
            Uuid::from_u128(7),
            "Test".into(),
            RecorderInfo {
                version: "0.1.0".into(),
                user_agent: "UA".into(),
            },
            t(0),
        )
    }

    fn chunks_of(flushes: &[Flush], id: Uuid) -> Vec<String> {
        flushes
            .iter()
            .flat_map(|f| f.writes.iter())
            .filter(|(k, _)| k.starts_with(&format!("rec:{id}:c:")))
            .map(|(_, v)| v.clone())
            .collect()
    }

    #[test]
    fn seq_is_gapless_across_tabs_and_flushes() {
        let mut s = session();
        let mut flushes = vec![];
        for i in 0..5 {
            let outcome = s.accept(
                Some(&format!("a:{i}")),
                &tab(1 + (i % 2) as u32),
                click(i + 1),
            );
            assert_eq!(outcome, Accepted::Stored { seq: i as u64 });
            if i % 2 == 0 {
                flushes.push(s.flush().unwrap());
            }
        }
        let id = s.meta().id;
        let (meta, last) = s.stop(t(100));
        flushes.push(last);
        let rec = assemble(&meta, &chunks_of(&flushes, id)).unwrap();
        let seqs: Vec<u64> = rec.events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, vec![0, 1, 2, 3, 4]);
        assert_eq!(rec.tabs.len(), 2);
        assert_eq!(rec.ended_at, t(100));
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        /// However the events of several tabs and frames interleave on
        /// their way to the worker (held clicks arrive late), and wherever
        /// the flushes fall, the assembled recording is in the order the
        /// user acted, numbered without gaps.
        #[test]
        fn arrival_order_does_not_change_the_recording(
            order in Just((0..12i64).collect::<Vec<_>>()).prop_shuffle(),
            flush_every in 1usize..5,
        ) {
            let mut s = session();
            let mut flushes = vec![];
            for (n, &i) in order.iter().enumerate() {
                // Event i happened at i + 1 s, in tab 1 or 2.
                s.accept(Some(&format!("c:{i}")), &tab(1 + (i % 2) as u32), click(i + 1));
                if n % flush_every == 0 {
                    flushes.extend(s.flush());
                }
            }
            let id = s.meta().id;
            let (meta, last) = s.stop(t(100));
            flushes.push(last);
            let rec = assemble(&meta, &chunks_of(&flushes, id)).unwrap();
            let ats: Vec<_> = rec.events.iter().map(|e| e.at).collect();
            let want: Vec<_> = (0..12).map(|i| t(i + 1)).collect();
            proptest::prop_assert_eq!(ats, want);
            let seqs: Vec<u64> = rec.events.iter().map(|e| e.seq).collect();
            proptest::prop_assert_eq!(seqs, (0..12).collect::<Vec<u64>>());
            for e in &rec.events {
                // Each event kept its own tab.
                let i = (e.at - t(1)).num_seconds();
                proptest::prop_assert_eq!(e.tab_id, 1 + (i % 2) as u32);
            }
        }
    }

    #[test]
    fn flush_writes_only_new_events_plus_meta() {
        let mut s = session();
        s.accept(None, &tab(1), click(1));
        let first = s.flush().unwrap();
        assert!(s.flush().is_none(), "nothing new, nothing written");
        s.accept(None, &tab(1), click(2));
        let second = s.flush().unwrap();
        assert_eq!(second.writes.len(), 2);
        assert_eq!(second.writes[0].0, format!("rec:{}:c:1", s.meta().id));
        let events: Vec<Event> = serde_json::from_str(&second.writes[0].1).unwrap();
        assert_eq!(events.len(), 1, "a flush carries only what is new");
        assert_eq!(events[0].seq, 1);
        assert_ne!(first.writes[0].0, second.writes[0].0);
    }

    #[test]
    fn resent_events_are_dropped_even_after_a_restart() {
        let mut s = session();
        assert!(matches!(
            s.accept(Some("f:1"), &tab(1), click(1)),
            Accepted::Stored { .. }
        ));
        let flush = s.flush().unwrap();
        // The worker dies after the flush but before acknowledging; the
        // content script resends to the restarted worker.
        let meta: Meta = serde_json::from_str(&flush.writes[1].1).unwrap();
        let mut restarted = Session::restore(meta, Status::Active);
        assert_eq!(
            restarted.accept(Some("f:1"), &tab(1), click(1)),
            Accepted::Duplicate
        );
        assert_eq!(
            restarted.accept(Some("f:2"), &tab(1), click(2)),
            Accepted::Stored { seq: 1 }
        );
    }

    #[test]
    fn nothing_is_accepted_while_paused() {
        let mut s = session();
        s.pause();
        assert_eq!(s.accept(None, &tab(1), click(1)), Accepted::NotRecording);
        s.resume();
        assert_eq!(
            s.accept(None, &tab(1), click(2)),
            Accepted::Stored { seq: 0 }
        );
    }

    #[test]
    fn an_event_breaking_a_rule_is_refused_on_arrival() {
        let mut s = session();
        let mut e = click(1);
        e.kind = EventKind::Input(workflow_format::InputEvent {
            target: target("input", Some("password")),
            value: FieldValue::text("hunter2"),
        });
        match s.accept(None, &tab(1), e) {
            Accepted::Invalid { reason } => assert!(reason.contains("redaction"), "{reason}"),
            other => panic!("expected Invalid, got {other:?}"),
        }
        assert_eq!(s.event_count(), 0, "a refused event takes no seq");
        let mut ok = click(2);
        ok.kind = EventKind::Input(workflow_format::InputEvent {
            target: target("input", Some("password")),
            value: FieldValue::Redacted {
                reason: RedactionReason::Password,
            },
        });
        assert_eq!(s.accept(None, &tab(1), ok), Accepted::Stored { seq: 0 });
    }

    #[test]
    fn tab_events_with_browser_urls_are_still_recordable() {
        let mut s = session();
        let mut newtab = tab(5);
        newtab.url = "chrome://newtab/".into();
        let out = s.accept_tab_event(
            &newtab,
            EventKind::TabOpened(workflow_format::TabOpenedEvent {
                opener_tab_id: Some(1),
            }),
            t(3),
        );
        assert_eq!(out, Accepted::Stored { seq: 0 });
        assert_eq!(s.meta().tabs[0].initial_url, "about:blank");
        assert_eq!(s.meta().tabs[0].opener_tab_id, Some(1));
    }

    #[test]
    fn extension_pages_and_unknown_browser_pages_are_not_workflow_tabs() {
        let mut s = session();
        let mut popup = tab(9);
        popup.url = "chrome-extension://niodlkgapdgglnicnoobiapimlhakbad/popup.html".into();
        assert_eq!(
            s.accept_tab_event(&popup, EventKind::TabActivated, t(1)),
            Accepted::Ignored
        );
        let mut settings = tab(10);
        settings.url = "chrome://settings/".into();
        assert_eq!(
            s.accept_tab_event(&settings, EventKind::TabActivated, t(1)),
            Accepted::Ignored
        );
        // A page tab joins; later, even its closing (URL no longer known) counts.
        assert_eq!(
            s.accept_tab_event(&tab(1), EventKind::TabActivated, t(2)),
            Accepted::Stored { seq: 0 }
        );
        let mut gone = tab(1);
        gone.url = String::new();
        assert_eq!(
            s.accept_tab_event(&gone, EventKind::TabClosed, t(3)),
            Accepted::Stored { seq: 1 }
        );
        assert_eq!(s.meta().tabs.len(), 1, "only the page tab joined");
    }

    #[test]
    fn early_timestamps_are_clamped_to_the_start() {
        let mut s = session();
        let mut e = click(0);
        e.at = t(-5);
        s.accept(None, &tab(1), e);
        let id = s.meta().id;
        let (meta, flush) = s.stop(t(1));
        let rec = assemble(&meta, &chunks_of(&[flush], id)).unwrap();
        assert_eq!(rec.events[0].at, t(0));
    }

    #[test]
    fn an_interrupted_recording_ends_at_its_last_event() {
        let mut s = session();
        s.accept(None, &tab(1), click(40));
        let flush = s.flush().unwrap();
        let meta: Meta = serde_json::from_str(&flush.writes[1].1).unwrap();
        assert_eq!(meta.ended_at, None);
        let rec = assemble(&meta, &chunks_of(&[flush], meta.id)).unwrap();
        assert_eq!(rec.ended_at, t(40));
    }

    #[test]
    fn assemble_reports_missing_and_corrupt_chunks() {
        let mut s = session();
        s.accept(None, &tab(1), click(1));
        let flush = s.flush().unwrap();
        let meta: Meta = serde_json::from_str(&flush.writes[1].1).unwrap();
        assert!(matches!(
            assemble(&meta, &[]),
            Err(SessionError::ChunkCount {
                expected: 1,
                got: 0
            })
        ));
        assert!(matches!(
            assemble(&meta, &["{not json".into()]),
            Err(SessionError::BadChunk { index: 0, .. })
        ));
    }

    #[test]
    fn navigation_urls_must_be_safe() {
        let mut s = session();
        let mut e = click(1);
        e.url = "javascript:alert(1)".into();
        e.kind = EventKind::Navigate(workflow_format::NavigateEvent {
            cause: NavigationCause::PushState,
            title: String::new(),
            from_url: None,
        });
        assert!(matches!(
            s.accept(None, &tab(1), e),
            Accepted::Invalid { .. }
        ));
    }
}
