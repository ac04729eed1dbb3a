//! The step model: raw events in, replayable steps out.
//!
//! The recorder logs what happened; a replayer needs what to *do*. The
//! differences, each handled below:
//!
//! - A field's edits become one "type" step with the final value, and a click
//!   that only focused the field before typing is dropped (typing focuses).
//! - Key events that are part of typed text (Enter inside a textarea or a
//!   contenteditable region) are dropped; Tab only moves focus and is dropped
//!   too, because every later step names its own element. Enter on a button
//!   or link is the keyboard way to click it and becomes a click. Other
//!   keys (Enter in a field, Escape, arrows, shortcuts) are kept, and a key
//!   aimed at an element that the previous step did not touch gets a focusing
//!   step first, since a key press goes to whatever has focus.
//! - Consecutive scrolls of the same scroller collapse into the last one.
//! - A `submit` that follows the click or key press that caused it is part of
//!   that step.
//! - A main-frame navigation is attached to the step that caused it and
//!   starts a new page [`Segment`]; so does switching tabs. Frame loads inside
//!   a page are not navigations of the page and are ignored.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use serde::Serialize;
use workflow_format::{
    CheckboxEvent, ContentEditEvent, Event, EventKind, FieldValue, FramePath, InputEvent, KeyEvent,
    Modifiers, MouseButton, NavigateEvent, NavigationCause, Point, RadioEvent, Recording,
    ScrollEvent, SelectEvent, SubmitEvent, TabId, TabOpenedEvent, Target,
};

use crate::params::{ParamTable, Parameter, field_key};
use crate::selectors::{Alternative, AlternativeKind, alternatives};

/// A recording turned into replayable steps.
#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    /// The recording's name.
    pub title: String,
    pub params: Vec<Parameter>,
    pub segments: Vec<Segment>,
}

impl Workflow {
    /// Puts the clipboard shortcuts back in (`--allow-clipboard`): the user
    /// has read what they copy and paste and wants it replayed.
    pub fn allow_clipboard(&mut self) {
        for seg in &mut self.segments {
            for step in &mut seg.steps {
                if step.left_out == Some(LeftOut::Clipboard) {
                    step.left_out = None;
                }
            }
        }
    }

    /// Steps left out of replays and exports.
    pub fn left_out(&self) -> impl Iterator<Item = &Step> {
        self.steps().filter(|s| s.left_out.is_some())
    }

    /// All steps in order.
    pub fn steps(&self) -> impl Iterator<Item = &Step> {
        self.segments.iter().flat_map(|s| s.steps.iter())
    }

    /// Where a successful run ends: the last segment's URL and title.
    pub fn final_page(&self) -> Option<(&str, &str)> {
        self.segments
            .last()
            .map(|s| (s.url.as_str(), s.title.as_str()))
    }
}

/// How soon after a step a new tab must open to count as opened by it
/// (`target=_blank`, `window.open`).
const OPENED_BY_STEP_WITHIN: Duration = Duration::seconds(5);

/// How a segment's page is reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Entry {
    /// Open this URL (the first page, a typed URL, or a back/forward
    /// whose history entry the recording did not see).
    Open { url: String },
    /// The browser's Reload button: the tab shows this URL again.
    Reload { url: String },
    /// The browser's Back button, to this URL (the entry before the tab's
    /// current one, as the recording saw its history).
    Back { url: String },
    /// The browser's Forward button, to this URL.
    Forward { url: String },
    /// The previous segment's last step navigated here.
    Arrived,
    /// The step with this number opened a new tab showing this page.
    NewTab { opened_by: Option<usize> },
    /// Switch back to a tab seen earlier.
    SwitchTab,
}

/// Which way a back/forward navigation went in the tab's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Traversal {
    Back,
    Forward,
}

/// A run of steps on one page of one tab.
#[derive(Debug, Clone, Serialize)]
pub struct Segment {
    pub tab_id: TabId,
    /// 0 for the first tab of the recording, 1 for the next one, ...
    pub tab_index: usize,
    pub entry: Entry,
    /// The page's URL when the segment starts.
    pub url: String,
    /// The page's title, when known (may be empty).
    pub title: String,
    pub steps: Vec<Step>,
}

/// A navigation a step is expected to cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedNavigation {
    pub url: String,
    pub title: String,
}

/// One replayable action.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// 1-based, across the whole workflow.
    pub number: usize,
    pub action: Action,
    /// The element acted on, `None` for page-level keys and window scrolls.
    pub target: Option<Target>,
    /// Ways to find `target`, most robust first.
    pub alternatives: Vec<Alternative>,
    /// Frame path of the element (empty for the top frame).
    pub frame_path: FramePath,
    /// The tab's top-level URL when the step happened.
    pub page_url: String,
    /// Main-frame navigation this step caused; it ends its segment.
    pub navigates_to: Option<ExpectedNavigation>,
    /// URL of a tab this step opened.
    pub opens_tab: Option<String>,
    /// The recording events folded into this step.
    pub seqs: Vec<u64>,
    /// Why no replayer or export does this step, unless the user allows it
    /// (see [`Workflow::allow_clipboard`]).
    pub left_out: Option<LeftOut>,
}

/// Why a step is left out of a replay or an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LeftOut {
    /// A clipboard shortcut (copy, cut, paste, or the select-all before a
    /// copy or cut): replayed, it carries page content from one page to
    /// another, and a forged recording can make that a local file's.
    Clipboard,
}

impl LeftOut {
    /// Why, in a sentence a person or an agent reads.
    pub fn reason(self) -> &'static str {
        match self {
            LeftOut::Clipboard => {
                "a clipboard shortcut: replaying it would carry page content from one page to another, so it is left out unless the user allows clipboard shortcuts (--allow-clipboard)"
            }
        }
    }
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    Click {
        button: MouseButton,
        modifiers: Modifiers,
        offset: Point,
        /// 2 for a double click.
        count: u8,
        /// Set when the user activated the element with this key instead.
        via_key: Option<String>,
    },
    /// Put the keyboard focus on the target before a key press.
    Focus,
    /// Type a parameter's value into a field or contenteditable region.
    Type {
        param: usize,
        content_editable: bool,
    },
    /// Choose options of a `<select>`; `param` is set when the choice was
    /// redacted (card expiry month, ...).
    Select {
        values: Vec<String>,
        labels: Vec<String>,
        param: Option<usize>,
    },
    Check {
        checked: bool,
        /// Click the `<label>` wrapping the control, as the user did: the
        /// control itself may not take the pointer (see
        /// `EventKind::Checkbox::via_label`).
        via_label: bool,
    },
    Radio {
        value: String,
        via_label: bool,
    },
    Press {
        key: String,
        code: String,
        modifiers: Modifiers,
    },
    Scroll {
        x: f64,
        y: f64,
    },
    /// A form submitted without a recorded click or key (by script).
    Submit,
}

/// How soon a page must load after a step, with no referrer to go by, to
/// count as that step's doing. Typing a URL or picking a bookmark takes
/// longer than this after the last click; a link or a submit loads sooner.
const CAUSED_WITHOUT_REFERRER_WITHIN: Duration = Duration::seconds(3);
/// With a referrer from the step's own site, a slow server may take this
/// long and the load still counts as the step's.
const CAUSED_WITH_REFERRER_WITHIN: Duration = Duration::seconds(60);

/// Whether `nav`, a main-frame navigation of `cause`, was caused by `last`,
/// the tab's latest step (done at `last_at`), rather than by the browser's
/// own controls (a typed URL, a bookmark, a link from outside the page).
///
/// Same-document navigations (SPA routes, hash changes) only ever come from
/// the page, so they belong to the step before them (unless that was a
/// scroll). For a document load
/// the evidence is the step's kind (only an activation can navigate), the
/// time since it, and the new document's referrer (`from_url`): empty for
/// a typed URL or a bookmark; the linking page, or its origin across
/// sites, for a link or a form.
fn caused_by(
    last: &Step,
    last_at: Option<DateTime<Utc>>,
    nav: &Event,
    cause: NavigationCause,
    referrer: Option<&str>,
) -> bool {
    if matches!(last.action, Action::Scroll { .. }) {
        return false;
    }
    if cause != NavigationCause::Load {
        return true;
    }
    // A document load needs an activation: typing or focusing a field
    // does not load a page.
    if !matches!(
        last.action,
        Action::Click { .. }
            | Action::Press { .. }
            | Action::Submit
            | Action::Select { .. }
            | Action::Check { .. }
            | Action::Radio { .. }
    ) {
        return false;
    }
    let Some(gap) = last_at.map(|at| nav.at - at) else {
        return false;
    };
    match referrer {
        Some(from) => same_origin(from, &last.page_url) && gap <= CAUSED_WITH_REFERRER_WITHIN,
        None => gap <= CAUSED_WITHOUT_REFERRER_WITHIN,
    }
}

/// Whether two URLs share scheme, host and port (a cross-site referrer is
/// cut to its origin, so the origin is what can be compared).
fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.origin() == b.origin() && a.origin().is_tuple(),
        _ => false,
    }
}

/// Roles and tags that Enter activates like a click.
pub fn is_activatable(t: &Target) -> bool {
    let role = t.aria.as_ref().map(|a| a.role.as_str());
    if matches!(
        role,
        Some("button" | "link" | "menuitem" | "tab" | "checkbox" | "radio" | "switch" | "option")
    ) {
        return true;
    }
    match t.tag.as_str() {
        "button" | "a" | "summary" => true,
        "input" => matches!(
            t.input_type.as_deref(),
            Some("submit" | "button" | "reset" | "image" | "checkbox" | "radio")
        ),
        _ => false,
    }
}

fn center(t: &Target) -> Point {
    Point {
        x: (t.bounds.width / 2.0).max(0.0),
        y: (t.bounds.height / 2.0).max(0.0),
    }
}

/// Parameter index of a step whose parameter is not assigned yet.
const UNASSIGNED: usize = usize::MAX;

/// Gives every typing step (and redacted select) its parameter, in step
/// order, from the *last* event folded into the step: intermediate values
/// of a field edited several times must not become inputs of their own.
fn assign_params(rec: &Recording, segments: &mut [Segment]) -> Vec<Parameter> {
    let mut table = ParamTable::default();
    let event = |seq: u64| rec.events.iter().find(|e| e.seq == seq);
    for step in segments.iter_mut().flat_map(|s| s.steps.iter_mut()) {
        let last_value = step
            .seqs
            .iter()
            .rev()
            .find_map(|&seq| match &event(seq)?.kind {
                EventKind::Input(InputEvent { target, value })
                | EventKind::ContentEdit(ContentEditEvent {
                    target,
                    text: value,
                }) => Some((target, value)),
                _ => None,
            });
        match &mut step.action {
            Action::Type { param, .. } => {
                if let Some((target, value)) = last_value {
                    let (text, reason) = match value {
                        FieldValue::Text { text } => (Some(text.as_str()), None),
                        FieldValue::Redacted { reason } => (None, Some(*reason)),
                    };
                    *param = table.intern(target, text, reason);
                }
            }
            Action::Select {
                param: Some(param), ..
            } => {
                if let Some(target) = &step.target {
                    *param = table.intern(target, None, target.redaction_reason());
                }
            }
            _ => {}
        }
    }
    table.into_vec()
}

/// A content-editable region the user typed into (a rich-text editor's
/// body, a code editor): where it is, by its recorded XPath in its root.
struct EditedRegion<'a> {
    frame_path: &'a FramePath,
    shadow_hosts: &'a [String],
    xpath: &'a str,
}

impl EditedRegion<'_> {
    /// Whether `t` is the region or an element inside it (the recorder's
    /// XPath is an absolute path of positions, so a descendant's extends
    /// the region's).
    fn holds(&self, t: &Target) -> bool {
        !self.xpath.is_empty()
            && t.frame_path == *self.frame_path
            && t.shadow_hosts == self.shadow_hosts
            && (t.xpath == self.xpath
                || t.xpath
                    .strip_prefix(self.xpath)
                    .is_some_and(|rest| rest.starts_with('/')))
    }
}

fn edited_regions(rec: &Recording) -> Vec<EditedRegion<'_>> {
    rec.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ContentEdit(ContentEditEvent { target, .. }) => Some(EditedRegion {
                frame_path: &target.frame_path,
                shadow_hosts: &target.shadow_hosts,
                xpath: &target.xpath,
            }),
            _ => None,
        })
        .collect()
}

/// Whether `alt` finds `t` by its text: the visible text, or an accessible
/// name that is that text. Inside an edited region the text is what the
/// user typed, a parameter that a replay with another value changes, so
/// it is no way to find the element (nor the region) again.
fn is_from_content(alt: &Alternative, t: &Target) -> bool {
    match alt.kind {
        AlternativeKind::Text => true,
        AlternativeKind::Aria => t
            .text
            .as_deref()
            .is_some_and(|text| text.trim() == alt.value),
        _ => false,
    }
}

/// State while walking the events in order.
struct Builder {
    segments: Vec<Segment>,
    /// Index of each tab's latest segment.
    tab_segment: BTreeMap<TabId, usize>,
    /// Each tab's top-level URL and title as the recording goes along.
    tab_page: BTreeMap<TabId, (String, String)>,
    /// Opener of tabs that joined during the recording.
    opener: BTreeMap<TabId, Option<TabId>>,
    /// When each tab opened (its `tab_opened` event), and when each tab last
    /// produced a step: a tab counts as opened *by* a step only when it
    /// opened right after one.
    opened_at: BTreeMap<TabId, DateTime<Utc>>,
    last_step_at: BTreeMap<TabId, DateTime<Utc>>,
    /// When each tab produced the step before its latest one.
    prev_step_at: BTreeMap<TabId, DateTime<Utc>>,
    tab_order: Vec<TabId>,
    /// Field keys that received contenteditable text or are textareas:
    /// Enter there may be typing.
    multiline_fields: Vec<String>,
    /// Each tab's session history as the recording saw it, and the index
    /// of the entry it shows: a back/forward navigation is replayed as the
    /// button the user pressed when its URL is the neighbouring entry.
    history: BTreeMap<TabId, (Vec<String>, usize)>,
    /// Seqs of the Enter presses (no Ctrl/Meta/Alt) that are NOT typing: a
    /// multi-line field whose final text holds N newlines got its first N
    /// Enter presses as text; any after those did something else (Shift+
    /// Enter runs a notebook cell, Enter sends a chat message) and must be
    /// replayed.
    effectful_enters: Vec<u64>,
    /// (segment, step index) of the step that opened a tab; until steps
    /// are numbered, `NewTab.opened_by` holds an index into this list
    /// (a packed pair would not fit a 32-bit usize on wasm32).
    openers: Vec<(usize, usize)>,
}

/// Builds the step model of `rec`. It assumes `rec` is valid
/// (`Recording::validate`); on an invalid one it still returns a model, but
/// the exporters refuse invalid recordings before calling it.
pub fn build_workflow(rec: &Recording) -> Workflow {
    let mut multiline_fields = Vec::new();
    // Per multi-line field: its final recorded text (None: redacted) and
    // its Enter presses, in order.
    let mut final_text: BTreeMap<String, Option<&str>> = BTreeMap::new();
    let mut enters: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for e in &rec.events {
        if let EventKind::ContentEdit(ContentEditEvent { target, .. }) = &e.kind {
            multiline_fields.push(field_key(target));
        }
        if let Some(t) = e.target()
            && t.tag == "textarea"
        {
            multiline_fields.push(field_key(t));
        }
        match &e.kind {
            EventKind::Input(InputEvent { target, value })
            | EventKind::ContentEdit(ContentEditEvent {
                target,
                text: value,
            }) => {
                let text = match value {
                    FieldValue::Text { text } => Some(text.as_str()),
                    FieldValue::Redacted { .. } => None,
                };
                final_text.insert(field_key(target), text);
            }
            EventKind::Key(KeyEvent {
                key,
                modifiers,
                target: Some(t),
                ..
            }) if key == "Enter" && !modifiers.is_shortcut() => {
                enters.entry(field_key(t)).or_default().push(e.seq);
            }
            _ => {}
        }
    }
    let mut effectful_enters = Vec::new();
    for (field, seqs) in &enters {
        // Unknown text (redacted, or never reported): every Enter is typing,
        // as nothing says otherwise.
        let Some(Some(text)) = final_text.get(field) else {
            continue;
        };
        let newlines = text.matches('\n').count();
        effectful_enters.extend(seqs.iter().skip(newlines));
    }
    let mut b = Builder {
        segments: Vec::new(),
        tab_segment: BTreeMap::new(),
        tab_page: rec
            .tabs
            .iter()
            .map(|t| (t.tab_id, (t.initial_url.clone(), t.title.clone())))
            .collect(),
        opener: rec
            .tabs
            .iter()
            .map(|t| (t.tab_id, t.opener_tab_id))
            .collect(),
        tab_order: Vec::new(),
        multiline_fields,
        history: BTreeMap::new(),
        effectful_enters,
        openers: Vec::new(),
        opened_at: BTreeMap::new(),
        last_step_at: BTreeMap::new(),
        prev_step_at: BTreeMap::new(),
    };
    for e in &rec.events {
        b.event(e);
    }
    let mut number = 0;
    for seg in &mut b.segments {
        for step in &mut seg.steps {
            number += 1;
            step.number = number;
        }
    }
    // `NewTab.opened_by` was recorded as (segment, step index); now that
    // steps are numbered, point at the number instead.
    let numbers: Vec<Vec<usize>> = b
        .segments
        .iter()
        .map(|s| s.steps.iter().map(|st| st.number).collect())
        .collect();
    for seg in &mut b.segments {
        if let Entry::NewTab { opened_by } = &mut seg.entry {
            *opened_by = opened_by.and_then(|k| {
                let (si, st) = *b.openers.get(k)?;
                numbers.get(si).and_then(|v| v.get(st)).copied()
            });
        }
    }
    let edited = edited_regions(rec);
    for step in b.segments.iter_mut().flat_map(|s| s.steps.iter_mut()) {
        if let Some(t) = &step.target
            && edited.iter().any(|r| r.holds(t))
        {
            step.alternatives.retain(|a| !is_from_content(a, t));
        }
    }
    mark_clipboard(&mut b.segments);
    let params = assign_params(rec, &mut b.segments);
    Workflow {
        title: rec.name.clone(),
        params,
        segments: b.segments,
    }
}

/// Marks clipboard shortcuts [`LeftOut::Clipboard`]: copy, cut and paste
/// always, a select-all when the next key press of its tab copies or cuts
/// (alone it only selects).
fn mark_clipboard(segments: &mut [Segment]) {
    use workflow_format::{ClipboardKey, clipboard_key};
    let mut presses: Vec<(TabId, usize, usize, ClipboardKey)> = Vec::new();
    let mut others: Vec<(TabId, usize, usize)> = Vec::new();
    for (si, seg) in segments.iter().enumerate() {
        for (i, step) in seg.steps.iter().enumerate() {
            if let Action::Press { key, modifiers, .. } = &step.action {
                match clipboard_key(key, modifiers) {
                    Some(k) => presses.push((seg.tab_id, si, i, k)),
                    None => others.push((seg.tab_id, si, i)),
                }
            }
        }
    }
    for (n, &(tab, si, i, k)) in presses.iter().enumerate() {
        let copies_next = || {
            // The next clipboard press of the same tab, with no other key
            // press of that tab in between.
            let next = presses[n + 1..].iter().find(|p| p.0 == tab)?;
            let interrupted = others
                .iter()
                .any(|o| o.0 == tab && (o.1, o.2) > (si, i) && (o.1, o.2) < (next.1, next.2));
            (!interrupted).then_some(next.3)
        };
        let left_out = match k {
            ClipboardKey::Copy | ClipboardKey::Cut | ClipboardKey::Paste => true,
            ClipboardKey::SelectAll => {
                matches!(copies_next(), Some(ClipboardKey::Copy | ClipboardKey::Cut))
            }
        };
        if left_out {
            segments[si].steps[i].left_out = Some(LeftOut::Clipboard);
        }
    }
}

impl Builder {
    fn tab_index(&mut self, tab: TabId) -> usize {
        match self.tab_order.iter().position(|t| *t == tab) {
            Some(i) => i,
            None => {
                self.tab_order.push(tab);
                self.tab_order.len() - 1
            }
        }
    }

    fn page(&self, tab: TabId) -> (String, String) {
        self.tab_page.get(&tab).cloned().unwrap_or_default()
    }

    fn push_segment(&mut self, tab: TabId, entry: Entry) -> usize {
        let tab_index = self.tab_index(tab);
        let (url, title) = self.page(tab);
        self.segments.push(Segment {
            tab_id: tab,
            tab_index,
            entry,
            url,
            title,
            steps: Vec::new(),
        });
        let i = self.segments.len() - 1;
        self.tab_segment.insert(tab, i);
        i
    }

    /// A tab's first segment: opened by a step of its opener, or opened
    /// directly.
    ///
    /// A tab whose opener never acted in the recording (it was opened before
    /// Record was pressed), or that opened long after its opener's last step
    /// (the user opened it by hand), is opened directly: no recorded step
    /// can be replayed to open it.
    fn first_segment(&mut self, tab: TabId) -> usize {
        let by_step = self.opener.get(&tab).copied().flatten().filter(|opener| {
            match (self.last_step_at.get(opener), self.opened_at.get(&tab)) {
                (Some(step), Some(opened)) => *opened - *step <= OPENED_BY_STEP_WITHIN,
                // No tab_opened event: trust the opener if it acted at all.
                (Some(_), None) => true,
                (None, _) => false,
            }
        });
        let entry = match by_step {
            Some(opener) => {
                let url = self.page(tab).0;
                let opened_by = self.tab_segment.get(&opener).and_then(|&si| {
                    let seg = &mut self.segments[si];
                    let last = seg.steps.len().checked_sub(1)?;
                    seg.steps[last].opens_tab = Some(url);
                    self.openers.push((si, last));
                    Some(self.openers.len() - 1)
                });
                Entry::NewTab { opened_by }
            }
            None => Entry::Open {
                url: self.page(tab).0,
            },
        };
        self.push_segment(tab, entry)
    }

    /// The segment the next step of `tab` goes into.
    fn segment_for(&mut self, tab: TabId) -> usize {
        match self.tab_segment.get(&tab).copied() {
            None => self.first_segment(tab),
            Some(i) if i == self.segments.len() - 1 => i,
            Some(_) => self.push_segment(tab, Entry::SwitchTab),
        }
    }

    fn push_step(&mut self, e: &Event, action: Action, target: Option<&Target>) {
        let si = self.segment_for(e.tab_id);
        let page_url = self.page(e.tab_id).0;
        let step = Step {
            number: 0,
            action,
            target: target.cloned(),
            alternatives: target.map(alternatives).unwrap_or_default(),
            frame_path: e.frame_path.clone(),
            page_url,
            navigates_to: None,
            opens_tab: None,
            seqs: vec![e.seq],
            left_out: None,
        };
        self.segments[si].steps.push(step);
        if let Some(prev) = self.last_step_at.insert(e.tab_id, e.at) {
            self.prev_step_at.insert(e.tab_id, prev);
        }
    }

    /// The last step of the tab's current segment, if that segment is the
    /// latest one overall (otherwise another tab acted in between).
    fn last_step(&mut self, tab: TabId) -> Option<&mut Step> {
        let si = *self.tab_segment.get(&tab)?;
        if si != self.segments.len() - 1 {
            return None;
        }
        self.segments[si].steps.last_mut()
    }

    fn event(&mut self, e: &Event) {
        match &e.kind {
            EventKind::Navigate(NavigateEvent {
                cause,
                title,
                from_url,
            }) => self.navigate(e, *cause, title, from_url.as_deref()),
            EventKind::TabOpened(TabOpenedEvent { opener_tab_id }) => {
                self.opener.insert(e.tab_id, *opener_tab_id);
                self.opened_at.insert(e.tab_id, e.at);
            }
            // Switching and closing tabs are not steps: the next step in a
            // tab starts a segment there.
            EventKind::TabActivated | EventKind::TabClosed => {}
            EventKind::Click(p) | EventKind::DoubleClick(p) | EventKind::ContextClick(p) => {
                let count = if matches!(e.kind, EventKind::DoubleClick(_)) {
                    2
                } else {
                    1
                };
                self.push_step(
                    e,
                    Action::Click {
                        button: p.button,
                        modifiers: p.modifiers,
                        offset: p.offset,
                        count,
                        via_key: None,
                    },
                    Some(&p.target),
                );
            }
            EventKind::Input(InputEvent { target, .. }) => self.typed(e, target, false),
            EventKind::ContentEdit(ContentEditEvent { target, .. }) => self.typed(e, target, true),
            EventKind::Select(SelectEvent {
                target,
                values,
                labels,
            }) => {
                let seqs = self.drop_focusing_click(e.tab_id, target);
                // The parameter itself is assigned once all steps exist.
                let param = target.redaction_reason().map(|_| UNASSIGNED);
                self.push_step(
                    e,
                    Action::Select {
                        values: if param.is_some() {
                            Vec::new()
                        } else {
                            values.clone()
                        },
                        labels: if param.is_some() {
                            Vec::new()
                        } else {
                            labels.clone()
                        },
                        param,
                    },
                    Some(target),
                );
                self.absorb(seqs);
            }
            EventKind::Checkbox(CheckboxEvent {
                target,
                checked,
                via_label,
            }) => {
                // The click that toggled it is the same user action.
                let seqs = self.drop_focusing_click(e.tab_id, target);
                self.push_step(
                    e,
                    Action::Check {
                        checked: *checked,
                        via_label: *via_label,
                    },
                    Some(target),
                );
                self.absorb(seqs);
            }
            EventKind::Radio(RadioEvent {
                target,
                value,
                via_label,
            }) => {
                let seqs = self.drop_focusing_click(e.tab_id, target);
                self.push_step(
                    e,
                    Action::Radio {
                        value: value.clone(),
                        via_label: *via_label,
                    },
                    Some(target),
                );
                self.absorb(seqs);
            }
            EventKind::Submit(SubmitEvent { target }) => {
                let frame = e.frame_path.clone();
                if let Some(last) = self.last_step(e.tab_id)
                    && last.frame_path == frame
                    && !matches!(last.action, Action::Scroll { .. })
                    && last.navigates_to.is_none()
                {
                    last.seqs.push(e.seq);
                } else {
                    self.push_step(e, Action::Submit, Some(target));
                }
            }
            EventKind::Key(KeyEvent {
                key,
                code,
                modifiers,
                target,
            }) => self.key(e, key, code, modifiers, target.as_ref()),
            EventKind::Scroll(ScrollEvent { target, x, y }) => {
                let key = target.as_ref().map(field_key);
                if let Some(last) = self.last_step(e.tab_id)
                    && matches!(last.action, Action::Scroll { .. })
                    && last.target.as_ref().map(field_key) == key
                    && last.frame_path == e.frame_path
                {
                    last.action = Action::Scroll { x: *x, y: *y };
                    last.seqs.push(e.seq);
                } else {
                    self.push_step(e, Action::Scroll { x: *x, y: *y }, target.as_ref());
                }
            }
        }
    }

    /// Removes a plain click on `target` that was the tab's last step: it
    /// only focused or toggled what the next event records more precisely.
    fn drop_focusing_click(&mut self, tab: TabId, target: &Target) -> Vec<u64> {
        let key = field_key(target);
        let Some(si) = self.tab_segment.get(&tab).copied() else {
            return Vec::new();
        };
        if si != self.segments.len() - 1 {
            return Vec::new();
        }
        let seg = &mut self.segments[si];
        let droppable = seg.steps.last().is_some_and(|s| {
            matches!(
                s.action,
                Action::Click {
                    button: MouseButton::Primary,
                    modifiers,
                    via_key: None,
                    ..
                } if !modifiers.is_shortcut() && !modifiers.shift
            ) && s.navigates_to.is_none()
                && s.opens_tab.is_none()
                && s.target.as_ref().map(field_key).as_deref() == Some(key.as_str())
        });
        if droppable {
            seg.steps.pop().map(|s| s.seqs).unwrap_or_default()
        } else {
            Vec::new()
        }
    }

    fn typed(&mut self, e: &Event, target: &Target, content_editable: bool) {
        let param = UNASSIGNED;
        let key = field_key(target);
        // Another edit of the field just typed into: the final value wins.
        if let Some(last) = self.last_step(e.tab_id)
            && matches!(last.action, Action::Type { .. })
            && last.target.as_ref().map(field_key).as_deref() == Some(key.as_str())
            && last.navigates_to.is_none()
        {
            last.action = Action::Type {
                param,
                content_editable,
            };
            last.seqs.push(e.seq);
            return;
        }
        let mut seqs = self.drop_focusing_click(e.tab_id, target);
        // The field's value is reported when it changes, which can be just
        // after a key pressed in it (Enter to search): typing comes first.
        let mut press_after = None;
        if let Some(last) = self.last_step(e.tab_id)
            && matches!(last.action, Action::Press { .. })
            && last.target.as_ref().map(field_key).as_deref() == Some(key.as_str())
            && last.navigates_to.is_none()
        {
            let si = self.segments.len() - 1;
            press_after = self.segments[si].steps.pop();
            // Its focusing step, if any, is no longer needed either.
            seqs.extend(self.drop_focus_step(e.tab_id, &key));
        }
        self.push_step(
            e,
            Action::Type {
                param,
                content_editable,
            },
            Some(target),
        );
        self.absorb(std::mem::take(&mut seqs));
        let si = self.segments.len() - 1;
        if let Some(press) = press_after {
            self.segments[si].steps.push(press);
        }
    }

    /// Adds the events of dropped steps to the step just pushed.
    fn absorb(&mut self, mut seqs: Vec<u64>) {
        if seqs.is_empty() {
            return;
        }
        if let Some(step) = self.segments.last_mut().and_then(|s| s.steps.last_mut()) {
            seqs.append(&mut step.seqs);
            seqs.sort_unstable();
            step.seqs = seqs;
        }
    }

    fn drop_focus_step(&mut self, tab: TabId, key: &str) -> Vec<u64> {
        match self.last_step(tab) {
            Some(last)
                if last.action == Action::Focus
                    && last.target.as_ref().map(field_key).as_deref() == Some(key) =>
            {
                let si = self.segments.len() - 1;
                self.segments[si]
                    .steps
                    .pop()
                    .map(|s| s.seqs)
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    fn key(
        &mut self,
        e: &Event,
        key: &str,
        code: &str,
        modifiers: &Modifiers,
        target: Option<&Target>,
    ) {
        let plain = !modifiers.is_shortcut();
        // Focus moves: every later step names its element.
        if plain && key == "Tab" {
            return;
        }
        if let Some(t) = target {
            let fk = field_key(t);
            // A newline typed into a multi-line field is part of its text;
            // an Enter beyond the newlines the text holds is not.
            if plain
                && key == "Enter"
                && self.multiline_fields.contains(&fk)
                && !self.effectful_enters.contains(&e.seq)
            {
                return;
            }
            if plain && !modifiers.shift && key == "Enter" && is_activatable(t) {
                self.push_step(
                    e,
                    Action::Click {
                        button: MouseButton::Primary,
                        modifiers: Modifiers::default(),
                        offset: center(t),
                        count: 1,
                        via_key: Some(key.to_owned()),
                    },
                    Some(t),
                );
                return;
            }
            let focused = self.last_step(e.tab_id).is_some_and(|s| {
                s.navigates_to.is_none()
                    && s.target.as_ref().map(field_key).as_deref() == Some(fk.as_str())
                    && matches!(
                        s.action,
                        Action::Focus
                            | Action::Type { .. }
                            | Action::Press { .. }
                            | Action::Click { .. }
                    )
            });
            if !focused {
                self.push_step(e, Action::Focus, Some(t));
                // The focusing step is synthetic: it stands for no event.
                let si = self.segments.len() - 1;
                if let Some(s) = self.segments[si].steps.last_mut() {
                    s.seqs.clear();
                }
            }
        }
        self.push_step(
            e,
            Action::Press {
                key: key.to_owned(),
                code: code.to_owned(),
                modifiers: *modifiers,
            },
            target,
        );
    }

    /// Moves the tab's history along a main-frame navigation to `url`;
    /// for a back/forward, says which way when `url` is the neighbouring
    /// entry.
    fn walk_history(&mut self, tab: TabId, url: &str, cause: NavigationCause) -> Option<Traversal> {
        let start = self.page(tab).0;
        let (stack, at) = self.history.entry(tab).or_insert_with(|| (vec![start], 0));
        if cause == NavigationCause::BackForward {
            if *at > 0 && stack[*at - 1] == url {
                *at -= 1;
                return Some(Traversal::Back);
            }
            if stack.get(*at + 1).is_some_and(|u| u == url) {
                *at += 1;
                return Some(Traversal::Forward);
            }
        }
        if stack[*at] == url || cause == NavigationCause::ReplaceState {
            // The same page again (a reload, the recorded start page), or
            // an entry replaced in place.
            stack[*at] = url.to_owned();
        } else {
            stack.truncate(*at + 1);
            stack.push(url.to_owned());
            *at += 1;
        }
        None
    }

    fn navigate(&mut self, e: &Event, cause: NavigationCause, title: &str, from_url: Option<&str>) {
        // Frame loads are part of the page, not steps of the workflow.
        if !e.frame_path.is_empty() {
            return;
        }
        let tab = e.tab_id;
        let reloads_same = self.tab_page.get(&tab).is_some_and(|(u, _)| *u == e.url);
        let traversal = self.walk_history(tab, &e.url, cause);
        self.tab_page.insert(tab, (e.url.clone(), title.to_owned()));
        let Some(si) = self.tab_segment.get(&tab).copied() else {
            self.first_segment(tab);
            return;
        };
        let user_initiated = matches!(
            cause,
            NavigationCause::Reload | NavigationCause::BackForward
        );
        let expected = ExpectedNavigation {
            url: e.url.clone(),
            title: title.to_owned(),
        };
        let latest = si == self.segments.len() - 1;
        let last_acted = self.last_step_at.get(&tab).copied();
        let prev_acted = self.prev_step_at.get(&tab).copied();
        if latest && !user_initiated {
            let seg = &mut self.segments[si];
            // A scroll between an activation and the document load it
            // caused (a momentum scroll still running, a page that scrolls
            // as it submits, a scroll-into-view whose event fires in the
            // frame after the click) was on the page being left: the load
            // is the activation's, and the scroll, with nothing left to
            // scroll once the page is gone, is folded into it.
            let n = seg.steps.len();
            if cause == NavigationCause::Load
                && n >= 2
                && matches!(seg.steps[n - 1].action, Action::Scroll { .. })
                && seg.steps[n - 2].navigates_to.is_none()
                && caused_by(&seg.steps[n - 2], prev_acted, e, cause, from_url)
            {
                let scroll = seg.steps.pop().map(|s| s.seqs).unwrap_or_default();
                if let Some(last) = seg.steps.last_mut() {
                    last.seqs.extend(scroll);
                    last.seqs.sort_unstable();
                    last.navigates_to = Some(expected);
                }
                self.push_segment(tab, Entry::Arrived);
                return;
            }
            if let Some(last) = seg.steps.last_mut()
                && last.navigates_to.is_none()
                && caused_by(last, last_acted, e, cause, from_url)
            {
                last.navigates_to = Some(expected);
                self.push_segment(tab, Entry::Arrived);
                return;
            }
            if seg.steps.is_empty() {
                // A redirect or an automatic route change before the user
                // did anything: the same segment, now at its real URL. A
                // typed URL replaces what there was to open.
                seg.url = e.url.clone();
                seg.title = title.to_owned();
                if let Entry::Open { url } = &mut seg.entry
                    && cause == NavigationCause::Load
                    && from_url.is_none()
                {
                    *url = e.url.clone();
                }
                return;
            }
        }
        let entry = match (cause, traversal) {
            (NavigationCause::BackForward, Some(Traversal::Back)) => {
                Entry::Back { url: e.url.clone() }
            }
            (NavigationCause::BackForward, Some(Traversal::Forward)) => {
                Entry::Forward { url: e.url.clone() }
            }
            // A reload is a reload only when the tab was already on that
            // URL; otherwise (a reload of a page the recording never saw
            // loaded) opening it is the same thing.
            (NavigationCause::Reload, _) if reloads_same => Entry::Reload { url: e.url.clone() },
            (NavigationCause::Load | NavigationCause::Reload | NavigationCause::BackForward, _) => {
                Entry::Open { url: e.url.clone() }
            }
            _ => Entry::Arrived,
        };
        if latest && self.segments[si].steps.is_empty() {
            // A page the user only passed through (opened or navigated to,
            // then left before acting) is replaced by where they went. A
            // segment that is itself a browser action (a new tab, a switch,
            // Back, Forward, Reload) must stay, or the replay would skip
            // it: Back then Reload is two presses.
            let seg = &mut self.segments[si];
            let entry = match (&seg.entry, entry) {
                // Reloading the page just opened is opening it.
                (Entry::Open { .. }, Entry::Reload { url }) => Some(Entry::Open { url }),
                (Entry::Open { .. } | Entry::Arrived, entry) => Some(entry),
                (_, entry) => {
                    self.push_segment(tab, entry);
                    None
                }
            };
            if let Some(entry) = entry {
                let seg = &mut self.segments[si];
                seg.url = e.url.clone();
                seg.title = title.to_owned();
                seg.entry = entry;
            }
            return;
        }
        self.push_segment(tab, entry);
    }
}
