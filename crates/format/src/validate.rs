//! `Recording::validate`: the consistency rules of format version 1.
//!
//! Parsing (serde) guarantees the *shape*; this module guarantees the
//! *meaning*: seq runs without gaps, times are ordered, strings are bounded,
//! URLs are safe to open, and no sensitive value slipped through. The relay
//! refuses anything that fails here, so exporters may rely on all of it.

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, Utc};

use crate::FORMAT_VERSION;
use crate::model::{
    ContentEditEvent, Event, EventKind, FieldValue, InputEvent, KeyEvent, Modifiers, NavigateEvent,
    Pointer, RadioEvent, Recording, RedactionReason, ScrollEvent, SelectEvent, Target,
};
use crate::rules::{UrlPolicy, UrlProblem, check_url, is_significant_key, limits};

/// Why a recording is inconsistent, and where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct ValidationError {
    /// JSON path of the offending field, e.g. `events[3].kind.target.css`.
    pub field: String,
    /// The `seq` of the offending event, when the field is inside one.
    pub seq: Option<u64>,
    pub problem: Problem,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "{} (event seq {}): {}", self.field, seq, self.problem),
            None => write!(f, "{}: {}", self.field, self.problem),
        }
    }
}

/// The rule a field broke.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("format version {found} is not supported (this build reads version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("must not be the nil UUID")]
    NilId,
    #[error("must not be empty")]
    Empty,
    #[error("is {len} bytes long, the limit is {max}")]
    TooLong { len: usize, max: usize },
    #[error("has {count} entries, the limit is {max}")]
    TooMany { count: usize, max: usize },
    #[error("is nested {depth} deep, the limit is {max}")]
    TooDeep { depth: usize, max: usize },
    #[error("contains a control character")]
    ControlCharacter,
    #[error("URL scheme is not http or https")]
    DisallowedScheme,
    /// See [`UrlProblem::Backslash`].
    #[error("URL contains a backslash")]
    UrlBackslash,
    /// See [`UrlProblem::Credentials`].
    #[error("URL contains a user name or password")]
    UrlCredentials,
    #[error("URL does not parse (WHATWG URL rules)")]
    UrlUnparsable,
    #[error("ends before the recording started")]
    EndsBeforeStart,
    #[error("expected seq {expected}, found {found} (a gap or reordering)")]
    SeqGap { expected: u64, found: u64 },
    #[error("seq {seq} appears twice")]
    SeqDuplicate { seq: u64 },
    #[error("is {at}, before the recording started at {started_at}")]
    BeforeStart {
        at: DateTime<Utc>,
        started_at: DateTime<Utc>,
    },
    #[error("is {at}, after the recording ended at {ended_at}")]
    AfterEnd {
        at: DateTime<Utc>,
        ended_at: DateTime<Utc>,
    },
    #[error("tab {tab_id} is not listed in `tabs`")]
    UnknownTab { tab_id: u32 },
    #[error("tab {tab_id} is listed twice")]
    DuplicateTab { tab_id: u32 },
    #[error("differs from the event's frame_path")]
    FramePathMismatch,
    #[error("is not a finite number")]
    NotFinite,
    #[error("is out of range")]
    OutOfRange,
    #[error("holds a value although the field requires redaction ({reason:?})")]
    RedactionRequired { reason: RedactionReason },
    #[error(
        "is a key event on a sensitive field ({reason:?}); keystrokes there are never recorded"
    )]
    KeyOnSensitiveField { reason: RedactionReason },
    #[error("key {key:?} without Ctrl/Meta/Alt is ordinary typing, not a key event")]
    InsignificantKey { key: String },
    #[error("has {values} values but {labels} labels")]
    LengthMismatch { values: usize, labels: usize },
}

impl Recording {
    /// Checks every rule of format version 1 and returns the first
    /// violation, naming the field and the event.
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.validate_with(UrlPolicy::Web)
    }

    /// [`Recording::validate`], with the URLs `policy` allows. Only a
    /// replay the user explicitly allowed `file:` pages for passes
    /// [`UrlPolicy::WebAndFiles`]; storing and exporting never do.
    pub fn validate_with(&self, policy: UrlPolicy) -> Result<(), ValidationError> {
        Validator {
            urls: policy,
            ..Validator::default()
        }
        .recording(self)
    }
}

impl Event {
    /// Checks the rules that concern this event alone: strings, URLs,
    /// coordinates, redaction, key significance. Not checked: `seq`, the
    /// time range and the tab list, which depend on the whole recording.
    ///
    /// The service worker runs this when it accepts an event, so that one
    /// bad event is refused on arrival instead of making the finished
    /// recording undeliverable.
    pub fn validate_alone(&self) -> Result<(), ValidationError> {
        let mut v = Validator {
            path: vec!["event".to_owned()],
            seq: Some(self.seq),
            urls: UrlPolicy::Web,
        };
        v.event_body(self)
    }
}

/// Walks a recording, keeping the JSON path of the current field so that an
/// error can name it.
#[derive(Default)]
struct Validator {
    path: Vec<String>,
    seq: Option<u64>,
    urls: UrlPolicy,
}

type Res = Result<(), ValidationError>;

impl Validator {
    fn err(&self, field: &str, problem: Problem) -> ValidationError {
        let mut path = self.path.join(".");
        if !field.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(field);
        }
        ValidationError {
            field: path,
            seq: self.seq,
            problem,
        }
    }

    /// Runs `f` with `segment` appended to the path.
    fn at<T>(&mut self, segment: impl Into<String>, f: impl FnOnce(&mut Self) -> T) -> T {
        self.path.push(segment.into());
        let out = f(self);
        self.path.pop();
        out
    }

    fn recording(&mut self, r: &Recording) -> Res {
        if r.format_version != FORMAT_VERSION {
            return Err(self.err(
                "format_version",
                Problem::UnsupportedVersion {
                    found: r.format_version,
                    supported: FORMAT_VERSION,
                },
            ));
        }
        if r.id.is_nil() {
            return Err(self.err("id", Problem::NilId));
        }
        self.line("name", &r.name, limits::NAME, false)?;
        if r.ended_at < r.started_at {
            return Err(self.err("ended_at", Problem::EndsBeforeStart));
        }
        self.non_empty("recorder.version", &r.recorder.version)?;
        self.line(
            "recorder.version",
            &r.recorder.version,
            limits::VERSION,
            false,
        )?;
        self.line(
            "recorder.user_agent",
            &r.recorder.user_agent,
            limits::USER_AGENT,
            true,
        )?;

        if r.tabs.len() > limits::TABS {
            return Err(self.err(
                "tabs",
                Problem::TooMany {
                    count: r.tabs.len(),
                    max: limits::TABS,
                },
            ));
        }
        let mut tab_ids = HashSet::with_capacity(r.tabs.len());
        for (i, tab) in r.tabs.iter().enumerate() {
            self.at(format!("tabs[{i}]"), |v| {
                if !tab_ids.insert(tab.tab_id) {
                    return Err(v.err("tab_id", Problem::DuplicateTab { tab_id: tab.tab_id }));
                }
                v.url("initial_url", &tab.initial_url)?;
                v.line("title", &tab.title, limits::SHORT, true)
            })?;
        }

        if r.events.len() > limits::EVENTS {
            return Err(self.err(
                "events",
                Problem::TooMany {
                    count: r.events.len(),
                    max: limits::EVENTS,
                },
            ));
        }
        let mut prev_seq = None;
        for (i, event) in r.events.iter().enumerate() {
            self.seq = Some(event.seq);
            self.at(format!("events[{i}]"), |v| {
                v.event(r, event, i as u64, prev_seq, &tab_ids)
            })?;
            prev_seq = Some(event.seq);
        }
        self.seq = None;
        Ok(())
    }

    fn event(
        &mut self,
        r: &Recording,
        e: &Event,
        index: u64,
        prev_seq: Option<u64>,
        tab_ids: &HashSet<u32>,
    ) -> Res {
        if e.seq != index {
            let problem = if prev_seq == Some(e.seq) {
                Problem::SeqDuplicate { seq: e.seq }
            } else {
                Problem::SeqGap {
                    expected: index,
                    found: e.seq,
                }
            };
            return Err(self.err("seq", problem));
        }
        if e.at < r.started_at {
            return Err(self.err(
                "at",
                Problem::BeforeStart {
                    at: e.at,
                    started_at: r.started_at,
                },
            ));
        }
        if e.at > r.ended_at {
            return Err(self.err(
                "at",
                Problem::AfterEnd {
                    at: e.at,
                    ended_at: r.ended_at,
                },
            ));
        }
        if !tab_ids.contains(&e.tab_id) {
            return Err(self.err("tab_id", Problem::UnknownTab { tab_id: e.tab_id }));
        }
        self.event_body(e)
    }

    /// Everything about one event that does not depend on its neighbours.
    fn event_body(&mut self, e: &Event) -> Res {
        self.depth("frame_path", e.frame_path.len())?;
        self.url("url", &e.url)?;
        self.at("kind", |v| v.kind(e))
    }

    fn kind(&mut self, e: &Event) -> Res {
        if let Some(t) = e.kind.target() {
            self.at("target", |v| v.target(t, e))?;
        }
        match &e.kind {
            EventKind::Click(p) | EventKind::DoubleClick(p) | EventKind::ContextClick(p) => {
                self.pointer(p)
            }
            EventKind::Input(InputEvent { target, value }) => {
                self.field_value("value", target, value)
            }
            EventKind::ContentEdit(ContentEditEvent { target, text }) => {
                self.field_value("text", target, text)
            }
            EventKind::Select(SelectEvent {
                target,
                values,
                labels,
            }) => {
                if let Some(reason) = target.redaction_reason() {
                    if !values.is_empty() || !labels.is_empty() {
                        return Err(self.err("values", Problem::RedactionRequired { reason }));
                    }
                }
                if values.len() != labels.len() {
                    return Err(self.err(
                        "labels",
                        Problem::LengthMismatch {
                            values: values.len(),
                            labels: labels.len(),
                        },
                    ));
                }
                if values.len() > limits::OPTIONS {
                    return Err(self.err(
                        "values",
                        Problem::TooMany {
                            count: values.len(),
                            max: limits::OPTIONS,
                        },
                    ));
                }
                for (i, s) in values.iter().enumerate() {
                    self.text(&format!("values[{i}]"), s, limits::SHORT)?;
                }
                for (i, s) in labels.iter().enumerate() {
                    self.text(&format!("labels[{i}]"), s, limits::SHORT)?;
                }
                Ok(())
            }
            EventKind::Radio(RadioEvent { target, value, .. }) => {
                if let Some(reason) = target.redaction_reason() {
                    if !value.is_empty() {
                        return Err(self.err("value", Problem::RedactionRequired { reason }));
                    }
                }
                self.text("value", value, limits::SHORT)
            }
            EventKind::Checkbox(_) | EventKind::Submit(_) => Ok(()),
            EventKind::Key(KeyEvent {
                key,
                code,
                modifiers,
                target,
            }) => self.key(key, code, modifiers, target.as_ref()),
            EventKind::Scroll(ScrollEvent { x, y, .. }) => {
                self.coord("x", *x)?;
                self.coord("y", *y)
            }
            EventKind::Navigate(NavigateEvent {
                title, from_url, ..
            }) => {
                self.line("title", title, limits::SHORT, true)?;
                if let Some(from) = from_url {
                    self.url("from_url", from)?;
                }
                Ok(())
            }
            EventKind::TabOpened(_) | EventKind::TabActivated | EventKind::TabClosed => Ok(()),
        }
    }

    fn key(
        &mut self,
        key: &str,
        code: &str,
        modifiers: &Modifiers,
        target: Option<&Target>,
    ) -> Res {
        self.non_empty("key", key)?;
        self.line("key", key, limits::SHORT, false)?;
        self.line("code", code, limits::SHORT, true)?;
        if let Some(reason) = target.and_then(Target::redaction_reason) {
            return Err(self.err("key", Problem::KeyOnSensitiveField { reason }));
        }
        if !is_significant_key(key, modifiers) {
            return Err(self.err(
                "key",
                Problem::InsignificantKey {
                    key: key.to_owned(),
                },
            ));
        }
        Ok(())
    }

    fn pointer(&mut self, p: &Pointer) -> Res {
        self.coord("offset.x", p.offset.x)?;
        self.coord("offset.y", p.offset.y)
    }

    fn field_value(&mut self, field: &str, target: &Target, value: &FieldValue) -> Res {
        match (target.redaction_reason(), value) {
            (Some(reason), FieldValue::Text { .. }) => {
                Err(self.err(field, Problem::RedactionRequired { reason }))
            }
            (_, FieldValue::Text { text }) => {
                self.text(&format!("{field}.text"), text, limits::VALUE)
            }
            (_, FieldValue::Redacted { .. }) => Ok(()),
        }
    }

    fn target(&mut self, t: &Target, e: &Event) -> Res {
        if let Some(aria) = &t.aria {
            self.non_empty("aria.role", &aria.role)?;
            self.line("aria.role", &aria.role, limits::SHORT, false)?;
            self.line("aria.name", &aria.name, limits::SHORT, true)?;
        }
        for (name, value) in [
            ("text", &t.text),
            ("input_type", &t.input_type),
            ("name", &t.name),
            ("id", &t.id),
            ("label", &t.label),
            ("placeholder", &t.placeholder),
            ("autocomplete", &t.autocomplete),
        ] {
            if let Some(value) = value {
                self.line(name, value, limits::SHORT, true)?;
            }
        }
        self.non_empty("css", &t.css)?;
        self.line("css", &t.css, limits::SELECTOR, false)?;
        self.non_empty("xpath", &t.xpath)?;
        self.line("xpath", &t.xpath, limits::SELECTOR, false)?;
        self.depth("shadow_hosts", t.shadow_hosts.len())?;
        for (i, host) in t.shadow_hosts.iter().enumerate() {
            let field = format!("shadow_hosts[{i}]");
            self.non_empty(&field, host)?;
            self.line(&field, host, limits::SELECTOR, false)?;
        }
        if t.frame_path != e.frame_path {
            return Err(self.err("frame_path", Problem::FramePathMismatch));
        }
        self.non_empty("tag", &t.tag)?;
        self.line("tag", &t.tag, limits::SHORT, false)?;
        self.coord("bounds.x", t.bounds.x)?;
        self.coord("bounds.y", t.bounds.y)?;
        for (name, v) in [
            ("bounds.width", t.bounds.width),
            ("bounds.height", t.bounds.height),
        ] {
            self.coord(name, v)?;
            if v < 0.0 {
                return Err(self.err(name, Problem::OutOfRange));
            }
        }
        Ok(())
    }

    fn non_empty(&self, field: &str, s: &str) -> Res {
        if s.trim().is_empty() {
            return Err(self.err(field, Problem::Empty));
        }
        Ok(())
    }

    /// A single-line string: bounded, no control characters at all.
    fn line(&self, field: &str, s: &str, max: usize, allow_empty: bool) -> Res {
        if !allow_empty {
            self.non_empty(field, s)?;
        }
        self.len(field, s, max)?;
        if s.chars().any(char::is_control) {
            return Err(self.err(field, Problem::ControlCharacter));
        }
        Ok(())
    }

    /// Free text typed by a user: bounded; line breaks and tabs allowed.
    fn text(&self, field: &str, s: &str, max: usize) -> Res {
        self.len(field, s, max)?;
        if s.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(self.err(field, Problem::ControlCharacter));
        }
        Ok(())
    }

    fn len(&self, field: &str, s: &str, max: usize) -> Res {
        if s.len() > max {
            return Err(self.err(field, Problem::TooLong { len: s.len(), max }));
        }
        Ok(())
    }

    fn url(&self, field: &str, url: &str) -> Res {
        self.non_empty(field, url)?;
        self.len(field, url, limits::URL)?;
        if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(self.err(field, Problem::ControlCharacter));
        }
        check_url(url, self.urls).map_err(|p| {
            self.err(
                field,
                match p {
                    UrlProblem::DisallowedScheme => Problem::DisallowedScheme,
                    UrlProblem::Backslash => Problem::UrlBackslash,
                    UrlProblem::Credentials => Problem::UrlCredentials,
                    UrlProblem::Unparsable => Problem::UrlUnparsable,
                },
            )
        })
    }

    fn depth(&self, field: &str, depth: usize) -> Res {
        if depth > limits::DEPTH {
            return Err(self.err(
                field,
                Problem::TooDeep {
                    depth,
                    max: limits::DEPTH,
                },
            ));
        }
        Ok(())
    }

    fn coord(&self, field: &str, v: f64) -> Res {
        if !v.is_finite() {
            return Err(self.err(field, Problem::NotFinite));
        }
        if v.abs() > limits::COORD {
            return Err(self.err(field, Problem::OutOfRange));
        }
        Ok(())
    }
}
