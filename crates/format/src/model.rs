//! The data types of a recording, format version 1.
//!
//! Every struct denies unknown fields: a recording is an input that may later
//! be turned into a skill an agent executes, so the relay accepts exactly the
//! shape documented in `docs/FORMAT.md` and nothing more. Adding a field is a
//! format change (see the versioning rule there).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "schema")]
use schemars::JsonSchema;

/// A browser tab id as Chromium reports it (`chrome.tabs.Tab.id`).
pub type TabId = u32;

/// Path of iframe indices from the top frame to the frame an event came from.
///
/// `[]` is the top frame, `[1]` the second child frame of the top document,
/// `[1, 0]` the first child frame inside that one. Indices follow
/// `window.frames` order, which is also what the DevTools Recorder uses.
pub type FramePath = Vec<u32>;

/// One complete recording: what the extension POSTs to the relay on Stop and
/// what the relay stores on disk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// Always [`crate::FORMAT_VERSION`] for this crate.
    pub format_version: u32,
    /// Created by the extension when the user presses Record.
    pub id: Uuid,
    /// Shown in lists; the user may rename it.
    pub name: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub recorder: RecorderInfo,
    /// Every tab that produced at least one event, in the order it joined.
    pub tabs: Vec<TabInfo>,
    /// Ordered by `seq`, which runs 0, 1, 2, ... without gaps.
    pub events: Vec<Event>,
}

/// Which recorder produced a recording, and in which browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RecorderInfo {
    /// The extension version (manifest.json `version`).
    pub version: String,
    /// `navigator.userAgent` of the recording browser.
    pub user_agent: String,
}

/// A tab involved in a recording.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TabInfo {
    pub tab_id: TabId,
    /// The tab that opened this one (`target=_blank`, `window.open`), if any.
    pub opener_tab_id: Option<TabId>,
    /// The URL the tab showed when it joined the recording.
    pub initial_url: String,
    /// Its title at that moment (may be empty).
    pub title: String,
}

/// One captured event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// 0 for the first event, then +1 each: gapless within a recording.
    pub seq: u64,
    /// When the event happened (UTC).
    pub at: DateTime<Utc>,
    pub tab_id: TabId,
    /// Where the event happened; see [`FramePath`].
    pub frame_path: FramePath,
    /// The URL of the page (of the frame) the event happened in. For a
    /// navigation it is the URL navigated *to*.
    pub url: String,
    pub kind: EventKind,
}

/// What happened. Serialized with a `type` tag, e.g. `{"type": "click", ...}`.
// `remote = "Self"`: the derives write inherent `EventKind::serialize` and
// `EventKind::deserialize` instead of the trait impls. `tagged.rs` writes
// the impls: `Deserialize` reads a tag-first object straight into the
// variant's payload and hands anything else to the derived function, which
// buffers every member first. Each payload is its own struct so that the
// fast path can call that struct's derived `Deserialize`. The inherent
// functions are public and win over the traits in a path call, so
// `EventKind::deserialize(d)` always buffers; `serde_json::from_*` and
// `<EventKind as Deserialize>::deserialize` take the fast path. (A `//`
// comment: doc comments end up in the published schema.)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(remote = "Self")]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum EventKind {
    /// A primary-button (or other-button) single click.
    Click(Pointer),
    DoubleClick(Pointer),
    /// A right click that opened (or would open) a context menu.
    ContextClick(Pointer),
    Input(InputEvent),
    Select(SelectEvent),
    Checkbox(CheckboxEvent),
    Radio(RadioEvent),
    ContentEdit(ContentEditEvent),
    Submit(SubmitEvent),
    Key(KeyEvent),
    Scroll(ScrollEvent),
    Navigate(NavigateEvent),
    TabOpened(TabOpenedEvent),
    /// The user switched to this tab.
    TabActivated,
    /// The tab was closed.
    TabClosed,
}

/// The final value of a text field after the user typed into it. Typing
/// is merged: one event per field edit, never one per keystroke.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct InputEvent {
    pub target: Target,
    pub value: FieldValue,
}

/// A `<select>` changed; `values` are the selected options' values and
/// `labels` their visible texts, in the same order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SelectEvent {
    pub target: Target,
    pub values: Vec<String>,
    pub labels: Vec<String>,
}

/// A checkbox was toggled to `checked`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckboxEvent {
    pub target: Target,
    pub checked: bool,
    /// The user clicked the `<label>` wrapping the checkbox, not the
    /// checkbox itself. Custom checkboxes (a web component's, a CSS
    /// framework's) hide the real input under a box drawn in the label,
    /// so the input cannot take a click and a replay must click the
    /// label, as the user did. Absent (false) in older recordings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub via_label: bool,
}

/// A radio button was selected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RadioEvent {
    pub target: Target,
    pub value: String,
    /// As for [`EventKind::Checkbox`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub via_label: bool,
}

/// A `contenteditable` region's text after an edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ContentEditEvent {
    pub target: Target,
    pub text: FieldValue,
}

/// A form was submitted (button, Enter in a field, or script).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SubmitEvent {
    pub target: Target,
}

/// A key that matters for replay: Enter, Escape, Tab, arrows, and
/// shortcuts with Ctrl/Meta/Alt. Ordinary typing is never a `key` event;
/// see [`crate::is_significant_key`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyEvent {
    /// `KeyboardEvent.key`, e.g. `"Enter"` or `"k"`.
    pub key: String,
    /// `KeyboardEvent.code`, e.g. `"KeyK"`.
    pub code: String,
    pub modifiers: Modifiers,
    /// The focused element, if it is not the document body.
    pub target: Option<Target>,
}

/// Final scroll position after the user stopped scrolling (debounced).
/// `target` is `None` for the window itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ScrollEvent {
    pub target: Option<Target>,
    pub x: f64,
    pub y: f64,
}

/// The page (or the SPA route) changed. The event's `url` is the new URL.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct NavigateEvent {
    pub cause: NavigationCause,
    pub title: String,
    /// The URL before, when known.
    pub from_url: Option<String>,
}

/// A tab joined the recording (it was opened during it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TabOpenedEvent {
    pub opener_tab_id: Option<TabId>,
}

/// The details shared by the click kinds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Pointer {
    pub target: Target,
    pub button: MouseButton,
    pub modifiers: Modifiers,
    /// Where inside the target's bounding box the pointer was, in CSS px
    /// from its top-left corner.
    pub offset: Point,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MouseButton {
    Primary,
    Auxiliary,
    Secondary,
    Back,
    Forward,
}

/// Modifier keys held during a click or key press.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Modifiers {
    pub alt: bool,
    pub ctrl: bool,
    pub meta: bool,
    pub shift: bool,
}

impl Modifiers {
    /// True when a modifier that turns a key into a shortcut is held
    /// (Shift alone only changes the character typed).
    pub fn is_shortcut(&self) -> bool {
        self.alt || self.ctrl || self.meta
    }

    /// Whether `m` is held.
    pub fn has(&self, m: Modifier) -> bool {
        match m {
            Modifier::Ctrl => self.ctrl,
            Modifier::Alt => self.alt,
            Modifier::Meta => self.meta,
            Modifier::Shift => self.shift,
        }
    }

    /// The held modifiers, always in the order of [`Modifier::ALL`]. Every
    /// place that names, presses or releases modifiers goes through this,
    /// so exports, replays and descriptions agree on the order.
    pub fn held(&self) -> impl DoubleEndedIterator<Item = Modifier> + use<> {
        let m = *self;
        Modifier::ALL.into_iter().filter(move |k| m.has(*k))
    }

    /// `key` with the held modifiers before it, by their
    /// `KeyboardEvent.key` names: `Control+Shift+k`, as Playwright's
    /// `press` takes it. `key` may be empty (`Control+`).
    pub fn key_combo(&self, key: &str) -> String {
        self.combo(Modifier::key, key)
    }

    /// The same for people: `Ctrl+Shift+k`.
    pub fn label_combo(&self, key: &str) -> String {
        self.combo(Modifier::label, key)
    }

    fn combo(&self, name: fn(Modifier) -> &'static str, key: &str) -> String {
        let mut out = String::new();
        for m in self.held() {
            out.push_str(name(m));
            out.push('+');
        }
        out.push_str(key);
        out
    }
}

/// One modifier key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Modifier {
    Ctrl,
    Alt,
    Meta,
    Shift,
}

impl Modifier {
    /// Every modifier, in the one order they are named and pressed in:
    /// Ctrl, Alt, Meta, Shift (released in reverse).
    pub const ALL: [Modifier; 4] = [
        Modifier::Ctrl,
        Modifier::Alt,
        Modifier::Meta,
        Modifier::Shift,
    ];

    /// Its `KeyboardEvent.key` value (`Control`, `Alt`, `Meta`, `Shift`):
    /// the name Playwright's key combos and modifier lists, the DevTools
    /// Recorder's `keyDown`/`keyUp` steps and WebDriver's key table use.
    pub fn key(self) -> &'static str {
        match self {
            Modifier::Ctrl => "Control",
            Modifier::Alt => "Alt",
            Modifier::Meta => "Meta",
            Modifier::Shift => "Shift",
        }
    }

    /// Its name for people, as keyboards label it (`Ctrl`, `Alt`, `Meta`,
    /// `Shift`).
    pub fn label(self) -> &'static str {
        match self {
            Modifier::Ctrl => "Ctrl",
            Modifier::Alt => "Alt",
            Modifier::Meta => "Meta",
            Modifier::Shift => "Shift",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A bounding box in CSS px, relative to the frame's viewport at capture.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

/// What the user put into a field: the text, or a marker saying it was
/// deliberately not captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldValue {
    Text {
        text: String,
    },
    /// The field was filled, but its value is sensitive and was never read.
    /// Replay must ask for it.
    Redacted {
        reason: RedactionReason,
    },
}

impl FieldValue {
    pub fn text(s: impl Into<String>) -> Self {
        FieldValue::Text { text: s.into() }
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text { text } => Some(text),
            FieldValue::Redacted { .. } => None,
        }
    }
}

/// Why a value was not captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum RedactionReason {
    /// `input[type=password]`, a field that was one before a show-password
    /// toggle (or took its place), `autocomplete=current-password|new-password`,
    /// or a field whose name, id, label or placeholder says password, PIN or
    /// secret (`rules::PASSWORD_WORDS`).
    Password,
    /// `autocomplete=one-time-code`, or a field named for a one-time code
    /// (`otp`, `TAN`, `verification code`, ...).
    OneTimeCode,
    /// `autocomplete=cc-*` (card number, expiry, CSC, holder name, ...), or
    /// a field named for card data (`cardnumber`, `cvv`, ...).
    CardData,
    /// `input[type=hidden]`: never something the user typed.
    Hidden,
    /// A field named for a bank account number (`IBAN`, `Kontonummer`, ...).
    BankAccount,
    /// A field the page masks with `-webkit-text-security` (see
    /// `Target::masked`) and that no other rule names.
    Masked,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum NavigationCause {
    /// A document load (typed URL, link, form post, redirect).
    Load,
    /// `history.pushState` (SPA route change).
    PushState,
    /// `history.replaceState`.
    ReplaceState,
    /// `popstate` without a more specific cause.
    PopState,
    HashChange,
    /// The browser's back or forward button.
    BackForward,
    Reload,
}

/// How to find an element again. The recorder fills in every way it can;
/// replay tries them in order of robustness (ARIA, text, CSS, XPath).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// ARIA role and accessible name as Chromium's accessibility tree has
    /// them (computed by `clawtrail-accname`), when the element has a role
    /// other than `generic`. Roles are spelled as Chromium spells them
    /// (`image`).
    pub aria: Option<AriaRef>,
    /// Whether another element of the frame's document (open shadow roots
    /// included) had the same role and, ignoring case and whitespace runs,
    /// the same name when recorded: `Some(false)` then. A replayer in
    /// Playwright's strict mode (OpenClaw) fails on such a selector, and
    /// one that takes the first match may act on the wrong element. `None`
    /// when not measured (no name, too many candidates, older recordings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aria_unique: Option<bool>,
    /// Visible text (trimmed, whitespace collapsed, truncated).
    pub text: Option<String>,
    /// Like `aria_unique`, for `text`: `Some(false)` when another element
    /// of the frame's document (open shadow roots included), neither inside
    /// this one nor around it, showed the same text up to case and
    /// whitespace runs. Measured only for elements without a role and name
    /// (whose text is then the best way to find them); `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_unique: Option<bool>,
    /// Whether Puppeteer's `text/` query for `text` (trimmed), which the
    /// DevTools flow writes, yields this element and no other. That query
    /// yields the innermost elements whose text *contains* the string,
    /// case and whitespace exactly: Puppeteer's own text of an element,
    /// which is the value of an `<input>` (not a checkbox, radio or
    /// image), `<textarea>` or `<select>`, skips `<script>`, `<style>` and
    /// `<head>`, and appends an open shadow root's text to its host's
    /// light text; the search enters a shadow host's shadow root and never
    /// its light children, and never yields the host itself. `Some(false)`
    /// also when the query would not yield this element at all (a shadow
    /// host, a slotted element, text shown with CSS `text-transform`).
    /// Measured whenever an export may write a text alternative (an
    /// element that is not a form field, with at most 80 characters of
    /// text); `None` otherwise, when the page was too big to tell within a
    /// click's budget, and in older recordings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_contains_unique: Option<bool>,
    /// A CSS selector, valid inside the element's own root (the document or
    /// the innermost shadow root). Built from authored ids, test ids,
    /// `name`, labels and other stable attributes, then positions below
    /// the nearest stable, unique ancestor; ids that look generated at run
    /// time are never anchors (docs/FORMAT.md says how it is chosen).
    pub css: String,
    /// Whether `css` matched exactly this one element when recorded.
    pub css_unique: bool,
    /// Whether `css` matched exactly this element in the frame's document
    /// and every open shadow root in it, each searched on its own (as
    /// Puppeteer's `pierce/` does, and as Playwright's `css=` does for an
    /// element outside shadow trees: both pierce open shadow roots).
    /// `None` when not measured (a page too big to scan within a click,
    /// older recordings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css_pierce_unique: Option<bool>,
    /// Only for an element in a shadow tree: whether `shadow_hosts`
    /// followed by `css`, each part searched below the previous part's
    /// matches, open shadow roots included (Playwright's
    /// `css=host >> css=inner`), matched exactly this element. Puppeteer's
    /// chain (`host >>>> inner`: each part only inside the previous
    /// match's shadow root) finds a subset of those, so `true` holds for
    /// the DevTools flow's chain too. `None` outside shadow trees (there
    /// `css_unique` and `css_pierce_unique` say it), when not measured,
    /// and in older recordings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub css_chain_unique: Option<bool>,
    /// A positional XPath, valid inside the element's own root. Recorded
    /// for every element, but XPath cannot start inside a shadow root
    /// (`document.evaluate` refuses a shadow root as its context node, and
    /// Playwright's `xpath=` does not pierce), so exports use it only for
    /// elements outside shadow trees (`shadow_hosts` empty).
    pub xpath: String,
    /// CSS selectors of the shadow hosts from the document down to the
    /// element's root, each valid inside the previous root. Empty when the
    /// element is not in a shadow tree.
    pub shadow_hosts: Vec<String>,
    /// The same frame path as the event's.
    pub frame_path: FramePath,
    /// Lower-case tag name, e.g. `"button"`.
    pub tag: String,
    /// `type` attribute of inputs and buttons, lower-case.
    pub input_type: Option<String>,
    /// The `name` attribute.
    pub name: Option<String>,
    /// The `id` attribute. Selectors often carry it too, but only this says
    /// for sure what the page called the field (the redaction rule reads
    /// it: `id="cardNumber"`). Left out when there is none, and in older
    /// recordings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The text of the associated `<label>` or `aria-label`.
    pub label: Option<String>,
    pub placeholder: Option<String>,
    /// The `autocomplete` attribute, verbatim (lower-case).
    pub autocomplete: Option<String>,
    /// The field was a password field earlier (a show-password toggle
    /// changed its type), or it took the place of one: a toggle that swaps
    /// the password `<input>` for a text `<input>` in the same spot (the
    /// old one removed or hidden) marks the new one too. Its value stays
    /// redacted.
    pub was_password: bool,
    /// Its computed `-webkit-text-security` was not `none` when recorded:
    /// the page shows it as dots, as it would a password (PIN fields often
    /// do this without `type=password`). Its value stays redacted. Left
    /// out when false, and in older recordings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub masked: bool,
    pub bounds: Rect,
}

/// An ARIA role and accessible name, as in Playwright's `getByRole`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct AriaRef {
    pub role: String,
    pub name: String,
}

impl Event {
    /// The element the event acted on, if it has one.
    pub fn target(&self) -> Option<&Target> {
        self.kind.target()
    }
}

impl EventKind {
    /// The element the event acted on, if it has one.
    pub fn target(&self) -> Option<&Target> {
        match self {
            EventKind::Click(p) | EventKind::DoubleClick(p) | EventKind::ContextClick(p) => {
                Some(&p.target)
            }
            EventKind::Input(InputEvent { target, .. })
            | EventKind::Select(SelectEvent { target, .. })
            | EventKind::Checkbox(CheckboxEvent { target, .. })
            | EventKind::Radio(RadioEvent { target, .. })
            | EventKind::ContentEdit(ContentEditEvent { target, .. })
            | EventKind::Submit(SubmitEvent { target }) => Some(target),
            EventKind::Key(KeyEvent { target, .. })
            | EventKind::Scroll(ScrollEvent { target, .. }) => target.as_ref(),
            EventKind::Navigate(_)
            | EventKind::TabOpened(_)
            | EventKind::TabActivated
            | EventKind::TabClosed => None,
        }
    }

    /// [`EventKind::target`], mutably.
    pub fn target_mut(&mut self) -> Option<&mut Target> {
        match self {
            EventKind::Click(p) | EventKind::DoubleClick(p) | EventKind::ContextClick(p) => {
                Some(&mut p.target)
            }
            EventKind::Input(InputEvent { target, .. })
            | EventKind::Select(SelectEvent { target, .. })
            | EventKind::Checkbox(CheckboxEvent { target, .. })
            | EventKind::Radio(RadioEvent { target, .. })
            | EventKind::ContentEdit(ContentEditEvent { target, .. })
            | EventKind::Submit(SubmitEvent { target }) => Some(target),
            EventKind::Key(KeyEvent { target, .. })
            | EventKind::Scroll(ScrollEvent { target, .. }) => target.as_mut(),
            EventKind::Navigate(_)
            | EventKind::TabOpened(_)
            | EventKind::TabActivated
            | EventKind::TabClosed => None,
        }
    }

    /// The `type` tag, e.g. `"double_click"`.
    pub fn type_name(&self) -> &'static str {
        crate::tagged::type_name(self)
    }
}

/// An event as a content script sees it, before the service worker gives it
/// its place in the recording.
///
/// A content script knows neither its tab id (the worker learns it from the
/// message sender) nor how many events other frames and tabs produced, so
/// the worker assigns `tab_id` and `seq` when it accepts the event. This is
/// the message body, not part of the stored recording.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CapturedEvent {
    pub at: DateTime<Utc>,
    pub frame_path: FramePath,
    pub url: String,
    pub kind: EventKind,
}

impl CapturedEvent {
    /// The stored event, once the worker has placed it.
    pub fn into_event(self, seq: u64, tab_id: TabId) -> Event {
        Event {
            seq,
            at: self.at,
            tab_id,
            frame_path: self.frame_path,
            url: self.url,
            kind: self.kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modifiers_are_named_in_one_order_in_each_spelling() {
        let all = Modifiers {
            alt: true,
            ctrl: true,
            meta: true,
            shift: true,
        };
        assert_eq!(all.key_combo("k"), "Control+Alt+Meta+Shift+k");
        assert_eq!(all.label_combo("k"), "Ctrl+Alt+Meta+Shift+k");
        let alt_shift = Modifiers {
            alt: true,
            shift: true,
            ..Modifiers::default()
        };
        assert_eq!(
            alt_shift
                .held()
                .rev()
                .map(Modifier::key)
                .collect::<Vec<_>>(),
            ["Shift", "Alt"]
        );
        assert_eq!(alt_shift.key_combo(""), "Alt+Shift+");
        assert_eq!(Modifiers::default().key_combo("Enter"), "Enter");
        assert_eq!(Modifiers::default().held().count(), 0);
    }
}
