//! The browser side: web-sys listeners that read the DOM and feed the pure
//! modules, plus the small API `content.js` calls.
//!
//! Compiled only for wasm32. Everything that decides what an event looks
//! like lives in the pure modules; this file reads, forwards and never
//! panics (a trap would leave the module's state borrowed for good).
//!
//! Every listener is registered once, in the capture phase on the window
//! (page handlers cannot hide events from us by stopping propagation),
//! passive (we never cancel anything), and its first statement asks the
//! gate: when not recording, an event costs one branch.

use std::cell::{Cell, RefCell};

use js_sys::{Array, Function, JsString, Reflect, WeakSet};
use wasm_bindgen::prelude::*;
use web_sys::{
    AddEventListenerOptions, Document, Element, Event, HtmlElement, KeyboardEvent, MouseEvent,
    MutationObserver, MutationObserverInit, MutationRecord, NodeList, ShadowRoot, Window,
};
use workflow_format::{CapturedEvent, EventKind, FramePath, Modifiers, Point, Rect, limits};

use crate::capture::{self, ClickKind, ElementFacts, FieldKind};
use crate::envelope::captured;
use crate::gate::Gate;
use crate::hold::{Holds, Out};
use crate::outbox::{Outbox, Reply};
use crate::secrets::{self, NearbyPassword, Removed, Swaps};
use crate::selector::{OwnAnchors, Step};

thread_local! {
    // A content script is single-threaded JS; thread-locals are simply the
    // module's globals.
    static GATE: Cell<Gate> = Cell::new(Gate::default());
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// What `start` set up for this frame.
struct State {
    window: Window,
    document: Document,
    /// Called (with no arguments) when the outbox has something to send.
    /// Never called while `STATE` is borrowed: it re-enters this module.
    notify: Function,
    /// Computed once: a frame does not move within its parent.
    frame_path: FramePath,
    holds: Holds<Element>,
    outbox: Outbox,
    /// Every element seen with `type=password` while recording, so that a
    /// show-password toggle does not expose its value, and every input
    /// that took the place of one (see [`crate::secrets`]). Weak: the
    /// page's elements must stay collectable.
    passwords: WeakSet,
    /// Whether `passwords` got anything yet: until then removed nodes
    /// need no look.
    any_password: bool,
    /// The password inputs of `passwords` that were on screen at some
    /// point while recording.
    shown: WeakSet,
    /// Password inputs removed from the DOM, waiting for the text input a
    /// show-password toggle puts in their place.
    swaps: Swaps<web_sys::Node>,
    /// Watches `type` attribute changes and added and removed nodes while
    /// recording.
    observer: Option<MutationObserver>,
    /// The pending `setTimeout` for held clicks and scrolls: (handle, due).
    timer: Option<(i32, f64)>,
    tick: Closure<dyn FnMut()>,
    /// The URL of the last navigation seen, for `from_url`.
    last_url: String,
    /// Whether this document's load has been recorded.
    load_recorded: bool,
    /// When Enter last went down (ms); see [`capture::is_key_activation`].
    enter_down_at: f64,
    /// The checkbox or radio that a click on its wrapping `<label>` is
    /// about to toggle, and when (ms): its `change` then says `via_label`.
    label_click: Option<(Element, f64)>,
    /// Shadow roots that got our `change` and `submit` listeners (see
    /// [`watch_shadow_roots`]). Weak, like `passwords`.
    shadow_roots: WeakSet,
    /// Those listeners: one function for every root.
    shadow_change: Closure<dyn FnMut(Event)>,
    shadow_submit: Closure<dyn FnMut(Event)>,
}

/// Starts the recorder in this frame and registers its listeners.
/// `notify` is called when captured events wait in the outbox; `instance`
/// is a random id for this document (cids); `frame_path` is this frame's
/// index path from the top frame (e.g. `[1, 0]`). `content.js` computes the path itself,
/// because it must answer `hello` and `ping` before (and usually without)
/// this module ever being evaluated; taking it from there keeps one
/// definition of it. Calling `start` again does nothing.
#[wasm_bindgen]
pub fn start(notify: Function, instance: String, frame_path: Vec<u32>) -> Result<(), JsValue> {
    if STATE.with(|s| s.borrow().is_some()) {
        return Ok(());
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))?;
    if frame_path.len() > limits::DEPTH {
        return Err(JsValue::from_str("frames nested too deeply"));
    }
    let tick = Closure::<dyn FnMut()>::new(on_tick);
    let last_url = window.location().href().unwrap_or_default();
    let top = frame_path.is_empty();
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            window: window.clone(),
            document,
            notify,
            frame_path,
            holds: Holds::default(),
            outbox: Outbox::new(instance),
            passwords: WeakSet::new(),
            any_password: false,
            shown: WeakSet::new(),
            swaps: Swaps::default(),
            observer: None,
            timer: None,
            tick,
            last_url,
            load_recorded: false,
            enter_down_at: f64::NEG_INFINITY,
            label_click: None,
            shadow_roots: WeakSet::new(),
            shadow_change: Closure::<dyn FnMut(Event)>::new(on_shadow_change),
            shadow_submit: Closure::<dyn FnMut(Event)>::new(on_shadow_submit),
        })
    });

    listen(&window, "click", on_click)?;
    listen(&window, "auxclick", on_aux_click)?;
    listen(&window, "dblclick", on_double_click)?;
    listen(&window, "contextmenu", on_context_menu)?;
    listen(&window, "input", on_input)?;
    listen(&window, "change", on_change)?;
    listen(&window, "focusin", on_focus_in)?;
    listen(&window, "focusout", on_focus_out)?;
    listen(&window, "keydown", on_key_down)?;
    listen(&window, "submit", on_submit)?;
    listen(&window, "scroll", on_scroll)?;
    listen(&window, "pagehide", on_page_hide)?;
    // Same-document navigations are recorded in the top frame only: a
    // replay reloads iframes with their parent, and the click that changed
    // an iframe's route is recorded anyway.
    if top {
        // A page restored from the back/forward cache runs no script again,
        // so no load is recorded for it: its `pageshow` says it came back.
        listen(&window, "pageshow", on_page_show)?;
        let navigation = Reflect::get(&window, &JsValue::from_str("navigation"))?;
        if navigation.is_object() {
            // The Navigation API reports pushState/replaceState, fragment
            // changes and traversals, and its events reach listeners in
            // the isolated world (patching `history` would not: the page's
            // `history` calls run in the main world).
            listen(
                navigation.unchecked_ref(),
                "currententrychange",
                on_entry_change,
            )?;
        } else {
            listen(&window, "popstate", on_pop_or_hash)?;
            listen(&window, "hashchange", on_pop_or_hash)?;
        }
    }
    Ok(())
}

fn listen(target: &web_sys::EventTarget, kind: &str, handler: fn(Event)) -> Result<(), JsValue> {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    listen_with(target, kind, closure.as_ref().unchecked_ref())?;
    // The listener lives as long as the frame; there is nothing to free it
    // into, so hand its memory to the JS side for good.
    closure.forget();
    Ok(())
}

/// Registers `handler` for `kind` on `target`, in the capture phase and
/// passive, like every listener of the recorder.
fn listen_with(
    target: &web_sys::EventTarget,
    kind: &str,
    handler: &Function,
) -> Result<(), JsValue> {
    let options = AddEventListenerOptions::new();
    options.set_capture(true);
    options.set_passive(true);
    target.add_event_listener_with_callback_and_add_event_listener_options(kind, handler, &options)
}

/// `change` and `submit` are not composed: fired inside a shadow root (the
/// checkbox inside a web component, a form in one), they never reach the
/// window, so the listeners there miss them. Every shadow root an event
/// passes through on its way to the window (a click, a focus, an input:
/// all composed, and all before the change they lead to) gets listeners
/// of its own, once.
fn watch_shadow_roots(st: &State, event: &Event) {
    for node in event.composed_path().iter() {
        let Some(root) = node.dyn_ref::<ShadowRoot>() else {
            continue;
        };
        if st.shadow_roots.has(root.unchecked_ref()) {
            continue;
        }
        st.shadow_roots.add(root.unchecked_ref());
        let _ = listen_with(root, "change", st.shadow_change.as_ref().unchecked_ref());
        let _ = listen_with(root, "submit", st.shadow_submit.as_ref().unchecked_ref());
    }
}

/// A composed `change` or `submit` (a page can make one) reaches the
/// window's listener as well; only the others are handled here.
fn on_shadow_change(event: Event) {
    if !event.composed() {
        on_change(event);
    }
}

fn on_shadow_submit(event: Event) {
    if !event.composed() {
        on_submit(event);
    }
}

/// Opens or closes the recording gate (the service worker decides). Closing
/// it first emits whatever is held, so the last edit is not lost.
#[wasm_bindgen]
pub fn set_recording(on: bool) {
    let was = GATE.with(|g| g.get().is_recording());
    GATE.with(|g| {
        let mut gate = g.get();
        gate.set_recording(on);
        g.set(gate);
    });
    if was == on {
        return;
    }
    with_state(|st| {
        if on {
            st.last_url = st.window.location().href().unwrap_or_default();
            st.observe_types();
        } else {
            let outs = st.holds.flush_all();
            st.emit(outs);
            if let Some(observer) = st.observer.take() {
                observer.disconnect();
            }
        }
    });
}

/// The worker's answer to `hello`: this document loaded while a recording
/// runs, so besides opening the gate the top frame records the load.
#[wasm_bindgen]
pub fn hello_reply(recording: bool) {
    set_recording(recording);
    if !recording {
        return;
    }
    let loading = with_state(|st| {
        if !st.frame_path.is_empty() || st.load_recorded {
            return None;
        }
        Some(st.document.ready_state() == "loading")
    })
    .flatten();
    match loading {
        // Wait for the parser: the title is not known before.
        Some(true) => {
            let once = AddEventListenerOptions::new();
            once.set_once(true);
            let closure = Closure::<dyn FnMut()>::new(record_load);
            let _ = with_state(|st| {
                st.document
                    .add_event_listener_with_callback_and_add_event_listener_options(
                        "DOMContentLoaded",
                        closure.as_ref().unchecked_ref(),
                        &once,
                    )
            });
            closure.forget();
        }
        Some(false) => record_load(),
        None => {}
    }
}

fn record_load() {
    if !is_recording() {
        return;
    }
    with_state(|st| {
        if st.load_recorded {
            return;
        }
        st.load_recorded = true;
        let cause = capture::load_cause(&navigation_timing_type(&st.window));
        let title = st.document.title();
        // The page that linked or posted here (cut to its origin across
        // sites); empty for a typed URL, a bookmark or a no-referrer link.
        // The step model uses it to tell a navigation the user caused in
        // the page from one made with the browser's own controls.
        let referrer = st.document.referrer();
        let outs = st.holds.flush_all();
        st.emit(outs);
        st.push(capture::navigate(
            cause,
            &title,
            Some(referrer.as_str()).filter(|r| !r.is_empty()),
        ));
    });
}

#[wasm_bindgen]
pub fn is_recording() -> bool {
    GATE.with(|g| g.get().is_recording())
}

/// The next `capture` message (JSON text) to send, if one may go now.
#[wasm_bindgen]
pub fn outbox_take() -> Option<String> {
    with_state(|st| st.outbox.take(js_sys::Date::now())).flatten()
}

/// The last `capture` message of a document that is going away, if any
/// events wait behind the one in flight (see `Outbox::unload_message`).
#[wasm_bindgen]
pub fn outbox_unload_message() -> Option<String> {
    with_state(|st| st.outbox.unload_message()).flatten()
}

/// The worker's answer (the reply object, `undefined` when the listener
/// sent nothing) to the message in flight. Returns the delay in ms before
/// the next `outbox_take`: 0 to go on at once.
#[wasm_bindgen]
pub fn outbox_reply(reply: JsValue) -> f64 {
    let settled = settled_cids(&reply);
    with_state(|st| match st.outbox.reply(settled, js_sys::Date::now()) {
        Reply::Settled { .. } => 0.0,
        Reply::Retry { retry_in_ms } => retry_in_ms,
    })
    .unwrap_or(0.0)
}

/// `Some(acked cids)` for `{ok: true, acked: [...]}`, else `None`. A cid
/// that is not a string cannot be one of ours and is skipped.
fn settled_cids(reply: &JsValue) -> Option<Vec<String>> {
    if !reply.is_object() {
        return None;
    }
    let ok = Reflect::get(reply, &JsValue::from_str("ok")).ok()?;
    if ok.as_bool() != Some(true) {
        return None;
    }
    let acked = Reflect::get(reply, &JsValue::from_str("acked")).ok()?;
    let acked = acked.dyn_into::<Array>().ok()?;
    Some(acked.iter().filter_map(|c| c.as_string()).collect())
}

/// The send failed; returns the delay before the retry.
#[wasm_bindgen]
pub fn outbox_failed() -> f64 {
    with_state(|st| match st.outbox.failed(js_sys::Date::now()) {
        Reply::Retry { retry_in_ms } => retry_in_ms,
        Reply::Settled { .. } => 0.0,
    })
    .unwrap_or(0.0)
}

/// Events captured but not yet acknowledged by the worker.
#[wasm_bindgen]
pub fn outbox_len() -> u32 {
    with_state(|st| st.outbox.len() as u32).unwrap_or(0)
}

/// Runs `f` on the state, then tells JS if the outbox has work. The notify
/// call happens after the borrow ends, because it re-enters this module.
fn with_state<T>(f: impl FnOnce(&mut State) -> T) -> Option<T> {
    let (out, notify) = STATE.with(|s| {
        let mut guard = s.try_borrow_mut().ok()?;
        let st = guard.as_mut()?;
        let before = st.outbox.len();
        let out = f(st);
        st.schedule_tick();
        let notify = (st.outbox.len() > before).then(|| st.notify.clone());
        Some((out, notify))
    })?;
    if let Some(notify) = notify {
        // A failing callback (extension context gone) must not break the
        // page's own event handling.
        let _ = notify.call0(&JsValue::NULL);
    }
    Some(out)
}

/// The gate check every listener starts with.
fn admitted(event: &Event) -> bool {
    GATE.with(|g| g.get().admits(event.is_trusted()))
}

impl State {
    fn now(&self) -> f64 {
        js_sys::Date::now()
    }

    fn url(&self) -> String {
        self.window.location().href().unwrap_or_default()
    }

    /// Queues a finished event; drops it if the format would refuse it.
    fn push(&mut self, kind: EventKind) {
        let now = self.now();
        self.push_at(now, kind);
    }

    fn captured(&self, kind: EventKind) -> Option<CapturedEvent> {
        captured(self.now(), &self.url(), &self.frame_path, kind)
    }

    /// Like [`State::push`] for an event that happened at `at` (ms), earlier
    /// than now: a held edit or scroll, read when it was released.
    fn push_at(&mut self, at: f64, kind: EventKind) {
        if let Some(event) = captured(at, &self.url(), &self.frame_path, kind) {
            self.outbox.push(&event);
        }
    }

    /// Turns released holds into events, reading final values now.
    fn emit(&mut self, outs: Vec<Out<Element>>) {
        for out in outs {
            match out {
                Out::Event(event) => {
                    self.outbox.push(&event);
                }
                Out::Typing(el, at) => {
                    let Some(target) = self.target(&el) else {
                        continue;
                    };
                    let kind = if field_kind(&el) == Some(FieldKind::ContentEditable) {
                        capture::content_edit(target, || inner_text(&el))
                    } else {
                        capture::input(target, || read_string(&el, "value"))
                    };
                    self.push_at(at, kind);
                }
                Out::Scroll(None, at) => {
                    let x = self.window.scroll_x().unwrap_or(0.0);
                    let y = self.window.scroll_y().unwrap_or(0.0);
                    self.push_at(at, capture::scroll(None, x, y));
                }
                Out::Scroll(Some(el), at) => {
                    let (x, y) = (f64::from(el.scroll_left()), f64::from(el.scroll_top()));
                    let target = self.target(&el);
                    if target.is_some() {
                        self.push_at(at, capture::scroll(target, x, y));
                    }
                }
            }
        }
    }

    fn target(&mut self, el: &Element) -> Option<workflow_format::Target> {
        self.note_password(el);
        self.note_replacement(el);
        build_target(el, &self.frame_path, &self.passwords)
    }

    /// Remembers `element` if it is a password field right now. It is on
    /// screen: the user is acting on it.
    fn note_password(&mut self, element: &Element) {
        if is_password_input(element) {
            self.passwords.add(element.unchecked_ref());
            self.shown.add(element.unchecked_ref());
            self.any_password = true;
        }
    }

    /// Remembers every password input of the document, and which are on
    /// screen. Runs when recording starts and before each click reaches
    /// the page, so that an eye button that hides the password input
    /// (and shows a text input instead) finds it already known as shown.
    fn note_passwords(&mut self) {
        let Ok(list) = self.document.query_selector_all("input[type=password i]") else {
            return;
        };
        for i in 0..list.length() {
            let Some(el) = list.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            self.passwords.add(el.unchecked_ref());
            self.any_password = true;
            if is_rendered(&el) {
                self.shown.add(el.unchecked_ref());
            }
        }
    }

    /// Marks `element` as a password field if it took the place of one
    /// that a show-password toggle hid ([`secrets::replaces_hidden_password`]):
    /// a password input within its parent or grandparent, shown while
    /// recording and hidden now.
    fn note_replacement(&mut self, element: &Element) {
        if !self.any_password || self.passwords.has(element.unchecked_ref()) {
            return;
        }
        let tag = element.local_name();
        let input_type = element.get_attribute("type");
        let takes_text = workflow_format::takes_text(&tag, input_type.as_deref())
            && !input_type
                .as_deref()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden"));
        if !takes_text {
            return;
        }
        let mut nearby = Vec::new();
        let parent = element.parent_element();
        let grandparent = parent.as_ref().and_then(|p| p.parent_element());
        for scope in [parent, grandparent].into_iter().flatten() {
            // The whole page is not "next to" a field.
            if matches!(scope.local_name().as_str(), "body" | "html") {
                break;
            }
            let Ok(list) = scope.query_selector_all("input") else {
                continue;
            };
            for i in 0..list.length() {
                let Some(other) = list.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                if other == *element || !self.passwords.has(other.unchecked_ref()) {
                    continue;
                }
                nearby.push(NearbyPassword {
                    shown: self.shown.has(other.unchecked_ref()),
                    rendered: is_rendered(&other),
                });
            }
        }
        if secrets::replaces_hidden_password(true, &nearby) {
            self.passwords.add(element.unchecked_ref());
        }
    }

    /// One batch of `childList` mutation records: password inputs that
    /// left, then text inputs added in their place
    /// ([`secrets::Swaps`]). Removals first: a toggle may insert the new
    /// input before it removes the old one.
    fn note_swaps(&mut self, records: &[MutationRecord]) {
        if !self.any_password {
            return;
        }
        let now = self.now();
        for record in records {
            let Some(parent) = record.target() else {
                continue;
            };
            let removed = record.removed_nodes();
            for i in 0..removed.length() {
                let Some(el) = removed.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let mut summary = Removed {
                    elements: 1,
                    ..Removed::default()
                };
                for input in inputs_in(&el) {
                    if self.passwords.has(input.unchecked_ref()) {
                        summary.passwords += 1;
                    } else if is_text_field(&input) {
                        summary.other_fields += 1;
                    }
                }
                if summary.passwords > 0 {
                    summary.elements += el
                        .query_selector_all("*")
                        .map_or(0, |l| l.length() as usize);
                    self.swaps.removed(&parent, summary, now);
                }
            }
        }
        if self.swaps.is_empty() {
            return;
        }
        for record in records {
            let Some(parent) = record.target() else {
                continue;
            };
            if !self.swaps.waiting(&parent, now) {
                continue;
            }
            let added = record.added_nodes();
            for i in 0..added.length() {
                let Some(el) = added.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                    continue;
                };
                let fields: Vec<web_sys::Node> = inputs_in(&el)
                    .into_iter()
                    .filter(|input| {
                        !self.passwords.has(input.unchecked_ref()) && is_text_field(input)
                    })
                    .map(Into::into)
                    .collect();
                let elements = 1 + el
                    .query_selector_all("*")
                    .map_or(0, |l| l.length() as usize);
                for field in self.swaps.added(&parent, fields, elements, now) {
                    self.passwords.add(&field);
                }
            }
        }
    }

    /// Watches `type` changes in the document while recording: a field
    /// that stops being `type=password` (show-password toggle) is
    /// remembered before anyone types into it in clear. Fields in shadow
    /// roots are caught at focus and input time instead.
    fn observe_types(&mut self) {
        if self.observer.is_some() {
            return;
        }
        let callback = Closure::<dyn FnMut(Array)>::new(|records: Array| {
            with_state(|st| {
                let records: Vec<MutationRecord> =
                    records.iter().map(JsCast::unchecked_into).collect();
                let (children, attributes): (Vec<_>, Vec<_>) =
                    records.into_iter().partition(|r| r.type_() == "childList");
                for record in attributes {
                    let Some(el) = record.target().and_then(|t| t.dyn_into::<Element>().ok())
                    else {
                        continue;
                    };
                    if record
                        .old_value()
                        .is_some_and(|v| v.trim().eq_ignore_ascii_case("password"))
                    {
                        st.passwords.add(el.unchecked_ref());
                        st.any_password = true;
                    }
                    // Not `note_password`: a type change is no sign that
                    // the field is on screen.
                    if is_password_input(&el) {
                        st.passwords.add(el.unchecked_ref());
                        st.any_password = true;
                    }
                }
                st.note_swaps(&children);
            });
        });
        let Ok(observer) = MutationObserver::new(callback.as_ref().unchecked_ref()) else {
            return;
        };
        callback.forget();
        let init = MutationObserverInit::new();
        init.set_attributes(true);
        init.set_attribute_old_value(true);
        init.set_subtree(true);
        init.set_attribute_filter(&Array::of1(&JsValue::from_str("type")));
        // Show-password toggles that swap the element instead of its type.
        init.set_child_list(true);
        if observer.observe_with_options(&self.document, &init).is_ok() {
            // Fields that are password fields right now, before any toggle.
            self.note_passwords();
            self.observer = Some(observer);
        }
    }

    /// Keeps one timeout armed for the earliest held deadline.
    fn schedule_tick(&mut self) {
        let Some(due) = self.holds.next_deadline() else {
            return;
        };
        if let Some((handle, at)) = self.timer {
            if at <= due {
                return;
            }
            self.window.clear_timeout_with_handle(handle);
        }
        let wait = (due - self.now()).max(0.0).ceil() as i32;
        if let Ok(handle) = self
            .window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                self.tick.as_ref().unchecked_ref(),
                wait,
            )
        {
            self.timer = Some((handle, due));
        }
    }
}

fn on_tick() {
    with_state(|st| {
        st.timer = None;
        let outs = st.holds.tick(st.now());
        st.emit(outs);
    });
}

/// The [`workflow_format::Target`] of `el`, its uniqueness measured.
fn build_target(
    el: &Element,
    frame_path: &FramePath,
    passwords: &WeakSet,
) -> Option<workflow_format::Target> {
    let facts = element_facts(el, passwords);
    let mut target = capture::target(&facts, frame_path, |css| is_unique(el, css))?;
    let named = target.aria.as_ref().filter(|a| !a.name.trim().is_empty());
    let text = target.text.as_deref().filter(|t| !t.trim().is_empty());
    if named.is_none() && text.is_none() {
        return Some(target);
    }
    let Some(roots) = open_roots(el) else {
        return Some(target);
    };
    if let Some(aria) = named {
        target.aria_unique = aria_unique(el, aria, &roots, passwords);
    } else if let Some(text) = text {
        target.text_unique = text_unique(el, text, &roots);
    }
    Some(target)
}

/// The frame's document and every open shadow root in it (closed ones are
/// out of every replayer's reach as well): the scope of a Playwright
/// selector in strict mode. `None` when the document is too big to walk
/// within a click's budget.
fn open_roots(element: &Element) -> Option<Vec<web_sys::Node>> {
    let document = element.owner_document()?;
    let mut pending: Vec<web_sys::Node> = vec![document.into()];
    let mut roots = Vec::new();
    let mut scanned = 0u32;
    while let Some(root) = pending.pop() {
        let all = query_all(&root, "*")?;
        scanned += all.length();
        if scanned > UNIQUE_SCAN_MAX {
            return None;
        }
        for i in 0..all.length() {
            if let Some(shadow) = all
                .get(i)
                .and_then(|n| n.dyn_into::<Element>().ok())
                .and_then(|e| e.shadow_root())
            {
                pending.push(shadow.into());
            }
        }
        roots.push(root);
    }
    Some(roots)
}

fn query_all(root: &web_sys::Node, css: &str) -> Option<NodeList> {
    if let Some(doc) = root.dyn_ref::<Document>() {
        doc.query_selector_all(css).ok()
    } else {
        root.dyn_ref::<ShadowRoot>()?.query_selector_all(css).ok()
    }
}

/// Text nodes holding the text's first word that are looked at, at most.
const TEXT_CANDIDATES_MAX: u32 = 400;

/// Whether `text` is shown by `element` alone: no other element of
/// `roots`, neither inside `element` nor around it, has it as its whole
/// text (up to case and whitespace). Playwright's `text=` selector takes
/// the innermost such element; the search starts at each text node that
/// holds the text's first word and climbs to the first ancestor whose
/// whole text matches.
fn text_unique(element: &Element, text: &str, roots: &[web_sys::Node]) -> Option<bool> {
    let needle = text.split_whitespace().next()?.to_lowercase();
    let document = element.owner_document()?;
    let longest = text.len() * 4 + 64;
    let mut looked = 0u32;
    for root in roots {
        // NodeFilter.SHOW_TEXT
        let walker = document
            .create_tree_walker_with_what_to_show(root, 4)
            .ok()?;
        while let Ok(Some(node)) = walker.next_node() {
            if !node
                .node_value()
                .unwrap_or_default()
                .to_lowercase()
                .contains(&needle)
            {
                continue;
            }
            looked += 1;
            if looked > TEXT_CANDIDATES_MAX {
                return None;
            }
            let mut current = node.parent_element();
            while let Some(el) = current {
                let shown = el.text_content().unwrap_or_default();
                if shown.len() > longest {
                    break;
                }
                if workflow_format::names_match(&shown, text) {
                    let same = el == *element
                        || element.contains(Some(el.unchecked_ref()))
                        || el.contains(Some(element.unchecked_ref()));
                    if !same {
                        return Some(false);
                    }
                    break;
                }
                current = el.parent_element();
            }
        }
    }
    Some(true)
}

/// Elements that can have a role: an explicit one, or an implicit one
/// (`capture::implicit_role`'s tags).
const ROLE_CANDIDATES: &str = "[role], button, a[href], area[href], select, textarea, input";
/// More elements than this in a document (shadow roots included), or more
/// candidates than [`ROLE_CANDIDATES_MAX`], and uniqueness is not measured:
/// a click must not stall a huge page.
const UNIQUE_SCAN_MAX: u32 = 20_000;
const ROLE_CANDIDATES_MAX: u32 = 400;

/// Whether `aria` (role, and name up to case and whitespace) belongs to
/// `element` alone in `roots` (see [`open_roots`]). `None` when the page
/// has too many candidates to tell within a click's budget.
fn aria_unique(
    element: &Element,
    aria: &workflow_format::AriaRef,
    roots: &[web_sys::Node],
    passwords: &WeakSet,
) -> Option<bool> {
    let mut candidates = 0u32;
    for root in roots {
        let found = query_all(root, ROLE_CANDIDATES)?;
        candidates += found.length();
        if candidates > ROLE_CANDIDATES_MAX {
            return None;
        }
        for i in 0..found.length() {
            let Some(other) = found.get(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
                continue;
            };
            if other == *element {
                continue;
            }
            let tag = other.local_name().to_ascii_lowercase();
            let named = capture::named(&name_facts(&other, passwords), &tag);
            if named.aria.is_some_and(|a| {
                a.role == aria.role && workflow_format::names_match(&a.name, &aria.name)
            }) {
                return Some(false);
            }
        }
    }
    Some(true)
}

/// What the DOM says about `element`, for building its [`workflow_format::Target`].
/// `passwords` holds every element seen as a password field (show-password
/// toggles keep their redaction).
fn element_facts(element: &Element, passwords: &WeakSet) -> ElementFacts {
    let rect = element.get_bounding_client_rect();
    ElementFacts {
        chain: chain(element),
        shadow_hosts: shadow_hosts(element),
        bounds: Rect {
            x: rect.x(),
            y: rect.y(),
            width: rect.width(),
            height: rect.height(),
        },
        ..name_facts(element, passwords)
    }
}

/// The facts that name `element` (no selectors, no box): enough for
/// [`capture::named`].
fn name_facts(element: &Element, passwords: &WeakSet) -> ElementFacts {
    let attr = |name: &str| element.get_attribute(name);
    let tag = element.local_name().to_ascii_lowercase();
    let input_type = attr("type");
    let is_input_button = tag == "input"
        && input_type.as_deref().is_some_and(|t| {
            ["submit", "button", "reset"]
                .iter()
                .any(|b| t.trim().eq_ignore_ascii_case(b))
        });
    let is_radio = tag == "input"
        && input_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("radio"));
    ElementFacts {
        own: OwnAnchors {
            name: attr("name"),
            value: if is_radio { attr("value") } else { None },
            aria_label: attr("aria-label"),
        },
        input_type,
        role: attr("role"),
        // The accessible name's sources in accname order, as the
        // replayer's locator reads them: aria-label (above), then
        // aria-labelledby, then a <label>.
        label_text: labelledby_text(element).or_else(|| first_label_text(element)),
        placeholder: attr("placeholder"),
        // An input button's caption; no other element's value is read here.
        button_value: is_input_button.then(|| read_string(element, "value")),
        autocomplete: attr("autocomplete"),
        was_password: passwords.has(element.unchecked_ref()),
        masked: holds_text(element, &tag) && is_masked(element),
        has_href: (tag == "a" || tag == "area") && element.has_attribute("href"),
        // `innerText` of a form control is not its value (an input
        // has none; a textarea gives its initial text); a sensitive
        // element's text is dropped by `capture::target` anyway.
        text: target_text(element),
        ..ElementFacts::default()
    }
}

/// Whether `element` is `<input type=password>` right now.
fn is_password_input(element: &Element) -> bool {
    element.local_name().eq_ignore_ascii_case("input")
        && element
            .get_attribute("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("password"))
}

/// A field a user types into: not a hidden input, a button or a box.
fn is_text_field(element: &Element) -> bool {
    let input_type = element.get_attribute("type");
    workflow_format::takes_text(&element.local_name(), input_type.as_deref())
        && !input_type
            .as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden"))
}

/// `element` if it is an `<input>` or `<textarea>`, else the ones inside
/// it.
fn inputs_in(element: &Element) -> Vec<Element> {
    let tag = element.local_name();
    if tag == "input" || tag == "textarea" {
        return vec![element.clone()];
    }
    let Ok(list) = element.query_selector_all("input, textarea") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.get(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// Whether `element` can hold text a user typed, so that its masking is
/// worth a style lookup: form fields and editing hosts.
fn holds_text(element: &Element, tag: &str) -> bool {
    matches!(tag, "input" | "textarea" | "select")
        || element
            .dyn_ref::<HtmlElement>()
            .is_some_and(HtmlElement::is_content_editable)
}

/// Whether the page draws `element`'s text as dots
/// ([`secrets::is_masked`]): its computed `-webkit-text-security`.
fn is_masked(element: &Element) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let value = window
        .get_computed_style(element)
        .ok()
        .flatten()
        .and_then(|style| style.get_property_value("-webkit-text-security").ok())
        .unwrap_or_default();
    secrets::is_masked(&value)
}

/// Whether `element` is on screen: `checkVisibility()` with visibility and
/// opacity taken into account, or (older browsers) any layout box at all.
fn is_rendered(element: &Element) -> bool {
    if let Ok(check) = Reflect::get(element, &JsValue::from_str("checkVisibility")) {
        if let Some(check) = check.dyn_ref::<Function>() {
            let options = js_sys::Object::new();
            let _ = Reflect::set(&options, &"visibilityProperty".into(), &JsValue::TRUE);
            let _ = Reflect::set(&options, &"opacityProperty".into(), &JsValue::TRUE);
            if let Some(visible) = check
                .call1(element, &options)
                .ok()
                .and_then(|v| v.as_bool())
            {
                return visible;
            }
        }
    }
    element.get_client_rects().length() > 0
}

/// `composedPath()[0]`: the real target even inside open shadow roots,
/// where `event.target` has been retargeted to the host; a `<slot>` there
/// stands for the element whose text it shows (see [`unslot`]).
fn deep_target(event: &Event) -> Option<Element> {
    raw_target(event).map(unslot)
}

/// `composedPath()[0]` as it is, a `<slot>` included.
fn raw_target(event: &Event) -> Option<Element> {
    event.composed_path().get(0).dyn_into::<Element>().ok()
}

/// Chromium makes the `<slot>` a click's target when the click hits text
/// slotted into it: `<sl-button>Submit</sl-button>` clicked on its label
/// gives the slot inside the button's shadow root. A slot has no box of
/// its own (`display: contents`), so a replay can neither see nor click
/// it; and the text's element is the host, whose child the text is. A
/// slot showing its fallback content holds that text itself: its parent
/// element stands for it then.
fn unslot(mut el: Element) -> Element {
    for _ in 0..=limits::DEPTH {
        if !el.local_name().eq_ignore_ascii_case("slot") {
            break;
        }
        let assigned = Reflect::get(&el, &JsValue::from_str("assignedNodes"))
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .and_then(|f| f.call0(&el).ok())
            .and_then(|nodes| Reflect::get(&nodes, &JsValue::from_str("length")).ok())
            .and_then(|n| n.as_f64())
            .unwrap_or(0.0);
        let next = if assigned > 0.0 {
            el.get_root_node()
                .dyn_ref::<ShadowRoot>()
                .map(ShadowRoot::host)
        } else {
            el.parent_element()
        };
        match next {
            Some(next) => el = next,
            None => break,
        }
    }
    el
}

fn field_kind(el: &Element) -> Option<FieldKind> {
    let editable = el
        .dyn_ref::<HtmlElement>()
        .is_some_and(HtmlElement::is_content_editable);
    capture::field_kind(
        &el.local_name().to_ascii_lowercase(),
        el.get_attribute("type").as_deref(),
        editable,
    )
}

/// How soon after a click on its label a checkbox's `change` must come to
/// count as that click's doing. The browser sends it within the same task;
/// this only keeps a label click whose toggle never happened (a disabled
/// control) from being credited to a later, unrelated change.
const LABEL_CLICK_WITHIN_MS: f64 = 1000.0;

/// The checkbox or radio a click on `raw` toggles through the `<label>`
/// wrapping it, or `None` when the click hit the control itself (or no
/// such label). Asked of the raw target (a `<slot>` inside a web
/// component's label) and of what it stands for.
fn label_toggled(raw: &Element) -> Option<Element> {
    for el in [raw.clone(), unslot(raw.clone())] {
        if field_kind(&el).is_some() {
            return None;
        }
        let Some(label) = el.closest("label").ok().flatten() else {
            continue;
        };
        let control = Reflect::get(&label, &JsValue::from_str("control"))
            .ok()
            .and_then(|c| c.dyn_into::<Element>().ok())?;
        let wraps = label.contains(Some(&control));
        if wraps
            && matches!(
                field_kind(&control),
                Some(FieldKind::Checkbox | FieldKind::Radio)
            )
        {
            return Some(control);
        }
        return None;
    }
    None
}

/// The field a click changes: the element itself, or the control of the
/// `<label>` it is in (a click on a label toggles its checkbox).
fn clicked_field_kind(el: &Element) -> Option<FieldKind> {
    if el.local_name().eq_ignore_ascii_case("option") {
        return Some(FieldKind::Select);
    }
    field_kind(el).or_else(|| {
        let label = el.closest("label").ok()??;
        let control = Reflect::get(&label, &JsValue::from_str("control")).ok()?;
        field_kind(control.dyn_ref::<Element>()?)
    })
}

fn modifiers(mouse: &MouseEvent) -> Modifiers {
    Modifiers {
        alt: mouse.alt_key(),
        ctrl: mouse.ctrl_key(),
        meta: mouse.meta_key(),
        shift: mouse.shift_key(),
    }
}

/// Builds a pointer event, or `None` for clicks that only flip a
/// checkbox/radio/select (their `change` is the event; see
/// [`capture::click_is_state_change`]).
fn pointer_event(
    st: &mut State,
    event: &Event,
    kind: ClickKind,
) -> Option<(Element, CapturedEvent, i32)> {
    let mouse = event.dyn_ref::<MouseEvent>()?;
    let raw = raw_target(event)?;
    // Asked of the slot itself too: the text of `<sl-checkbox>Send me
    // news</sl-checkbox>` is slotted into a <label> inside its shadow
    // root, and a click on it toggles that label's checkbox, though the
    // host it stands for is in no label.
    if capture::click_is_state_change(clicked_field_kind(&raw)) {
        return None;
    }
    let el = unslot(raw);
    if capture::click_is_state_change(clicked_field_kind(&el)) {
        return None;
    }
    let target = st.target(&el)?;
    let client = Point {
        x: f64::from(mouse.client_x()),
        y: f64::from(mouse.client_y()),
    };
    let kind = capture::click(kind, target, mouse.button(), modifiers(mouse), client)?;
    Some((el, st.captured(kind)?, mouse.detail()))
}

fn on_click(event: Event) {
    if !admitted(&event) {
        return;
    }
    with_state(|st| {
        // Before the checkbox inside a shadow root toggles and fires its
        // uncomposed `change`.
        watch_shadow_roots(st, &event);
        // Before an eye button's handler hides the password input.
        st.note_passwords();
        // Never cleared here: the label's own click is followed by the
        // click the browser sends to its control, then by `change`.
        if let Some(control) = raw_target(&event).and_then(|raw| label_toggled(&raw)) {
            st.label_click = Some((control, st.now()));
        }
        if let Some((el, ev, detail)) = pointer_event(st, &event, ClickKind::Click) {
            let now = st.now();
            if capture::is_key_activation(detail, now - st.enter_down_at) {
                return;
            }
            let outs = st.holds.click(el, detail, ev, now);
            st.emit(outs);
        }
    });
}

/// Middle (and back/forward) button clicks; the right button is
/// `contextmenu`.
fn on_aux_click(event: Event) {
    if !admitted(&event) {
        return;
    }
    if event
        .dyn_ref::<MouseEvent>()
        .is_none_or(|m| m.button() == 2)
    {
        return;
    }
    immediate_pointer(&event, ClickKind::Click);
}

fn on_context_menu(event: Event) {
    if !admitted(&event) {
        return;
    }
    immediate_pointer(&event, ClickKind::Context);
}

fn immediate_pointer(event: &Event, kind: ClickKind) {
    with_state(|st| {
        if let Some((_, ev, _)) = pointer_event(st, event, kind) {
            let outs = st.holds.flush_all();
            st.emit(outs);
            st.outbox.push(&ev);
        }
    });
}

fn on_double_click(event: Event) {
    if !admitted(&event) {
        return;
    }
    with_state(|st| {
        if let Some((el, ev, _)) = pointer_event(st, &event, ClickKind::Double) {
            let outs = st.holds.double_click(&el, ev);
            st.emit(outs);
        }
    });
}

fn on_input(event: Event) {
    if !admitted(&event) {
        return;
    }
    let Some(el) = deep_target(&event) else {
        return;
    };
    // Checkboxes, radios and selects fire `input` too; their `change`
    // records the new state.
    if !matches!(
        field_kind(&el),
        Some(FieldKind::Text | FieldKind::ContentEditable)
    ) {
        return;
    }
    with_state(|st| {
        watch_shadow_roots(st, &event);
        st.note_password(&el);
        let outs = st.holds.input(el, st.now());
        st.emit(outs);
    });
}

fn on_change(event: Event) {
    if !admitted(&event) {
        return;
    }
    let Some(el) = deep_target(&event) else {
        return;
    };
    with_state(|st| match field_kind(&el) {
        Some(FieldKind::Text | FieldKind::ContentEditable) => {
            let outs = st.holds.field_done(&el);
            st.emit(outs);
        }
        Some(kind) => {
            let Some(target) = st.target(&el) else {
                return;
            };
            let outs = st.holds.flush_all();
            st.emit(outs);
            let via_label = st
                .label_click
                .take()
                .is_some_and(|(c, at)| c == el && st.now() - at < LABEL_CLICK_WITHIN_MS);
            let kind = match kind {
                FieldKind::Checkbox => {
                    capture::checkbox(target, read_bool(&el, "checked"), via_label)
                }
                FieldKind::Radio => capture::radio(target, || read_string(&el, "value"), via_label),
                _ => capture::select(target, || selected_options(&el)),
            };
            st.push(kind);
        }
        None => {}
    });
}

fn on_focus_in(event: Event) {
    if !admitted(&event) {
        return;
    }
    with_state(|st| watch_shadow_roots(st, &event));
    if let Some(el) = deep_target(&event) {
        with_state(|st| {
            st.note_password(&el);
            // Typing into the text input a toggle put where the password
            // input was: known before the first keystroke.
            st.note_replacement(&el);
        });
    }
}

/// Leaving a field ends its edit, also when no `change` fires (typing and
/// then deleting back to the old value; contenteditable never fires one).
fn on_focus_out(event: Event) {
    if !admitted(&event) {
        return;
    }
    if let Some(el) = deep_target(&event) {
        with_state(|st| {
            let outs = st.holds.field_done(&el);
            st.emit(outs);
        });
    }
}

fn on_key_down(event: Event) {
    if !admitted(&event) {
        return;
    }
    let Some(key_event) = event.dyn_ref::<KeyboardEvent>() else {
        return;
    };
    let modifiers = Modifiers {
        alt: key_event.alt_key(),
        ctrl: key_event.ctrl_key(),
        meta: key_event.meta_key(),
        shift: key_event.shift_key(),
    };
    let key = key_event.key();
    // Ordinary typing stops here, before any DOM is read.
    if !workflow_format::is_significant_key(&key, &modifiers) {
        return;
    }
    let code = key_event.code();
    if key == "Enter" {
        with_state(|st| st.enter_down_at = st.now());
    }
    let focused = deep_target(&event).filter(|el| {
        let tag = el.local_name();
        !tag.eq_ignore_ascii_case("body") && !tag.eq_ignore_ascii_case("html")
    });
    with_state(|st| {
        let target = match &focused {
            Some(el) => match st.target(el) {
                Some(t) => Some(t),
                None => return,
            },
            None => None,
        };
        // Held edits go first (the input event before the Enter), also
        // when the key itself is not recorded because the field is
        // sensitive.
        let outs = st.holds.flush_all();
        st.emit(outs);
        if let Some(kind) = capture::key(&key, &code, modifiers, target) {
            st.push(kind);
        }
    });
}

fn on_submit(event: Event) {
    if !admitted(&event) {
        return;
    }
    let Some(form) = deep_target(&event) else {
        return;
    };
    with_state(|st| {
        let outs = st.holds.flush_all();
        st.emit(outs);
        if let Some(target) = st.target(&form) {
            st.push(capture::submit(target));
        }
    });
}

fn on_scroll(event: Event) {
    if !admitted(&event) {
        return;
    }
    // The window's scroll is dispatched at the document.
    let target = event.target().and_then(|t| t.dyn_into::<Element>().ok());
    with_state(|st| {
        let now = st.now();
        let outs = st.holds.scroll(target, now);
        st.emit(outs);
    });
}

/// The document is going away (navigation, tab close, bfcache): nothing
/// may stay held.
fn on_page_hide(event: Event) {
    if !admitted(&event) {
        return;
    }
    with_state(|st| {
        let outs = st.holds.flush_all();
        st.emit(outs);
    });
}

/// `pageshow` in the top frame: when `persisted`, back/forward brought the
/// page back from the back/forward cache.
fn on_page_show(event: Event) {
    if !admitted(&event) {
        return;
    }
    let persisted = Reflect::get(&event, &JsValue::from_str("persisted"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    if !persisted {
        return;
    }
    with_state(|st| {
        let title = st.document.title();
        st.push(capture::navigate(
            workflow_format::NavigationCause::BackForward,
            &title,
            None,
        ));
        st.last_url = st.url();
    });
}

/// Navigation API `currententrychange`: a same-document navigation.
fn on_entry_change(event: Event) {
    if !admitted(&event) {
        return;
    }
    let nav_type = Reflect::get(&event, &JsValue::from_str("navigationType"))
        .ok()
        .and_then(|v| v.as_string());
    let from = Reflect::get(&event, &JsValue::from_str("from"))
        .ok()
        .filter(|f| f.is_object())
        .and_then(|f| Reflect::get(&f, &JsValue::from_str("url")).ok())
        .and_then(|u| u.as_string());
    record_same_document(nav_type.as_deref(), from);
}

/// Fallback without the Navigation API.
fn on_pop_or_hash(event: Event) {
    if !admitted(&event) {
        return;
    }
    record_same_document(None, None);
}

fn record_same_document(nav_type: Option<&str>, from: Option<String>) {
    with_state(|st| {
        let to = st.url();
        let from = from.unwrap_or_else(|| st.last_url.clone());
        if from == to && nav_type != Some("reload") {
            return;
        }
        let cause = capture::same_document_cause(nav_type, Some(&from), &to);
        let title = st.document.title();
        let outs = st.holds.flush_all();
        st.emit(outs);
        st.push(capture::navigate(cause, &title, Some(&from)));
        st.last_url = to;
    });
}

fn navigation_timing_type(window: &Window) -> String {
    let get = || -> Option<String> {
        let performance = window.performance()?;
        let entries = performance.get_entries_by_type("navigation");
        Reflect::get(&entries.get(0), &JsValue::from_str("type"))
            .ok()?
            .as_string()
    };
    get().unwrap_or_default()
}

fn read_string(el: &Element, prop: &str) -> String {
    Reflect::get(el, &JsValue::from_str(prop))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn read_bool(el: &Element, prop: &str) -> bool {
    Reflect::get(el, &JsValue::from_str(prop))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// How much of a big element's `textContent` is read for its target
/// (UTF-16 units): `capture::short_text` keeps at most `limits::SHORT`
/// bytes, after collapsing whitespace, which markup has plenty of.
const TEXT_SCAN: u32 = 4 * limits::SHORT as u32;

/// The element's text for `Target::text` and its ARIA name. `innerText` is
/// what a user sees, but it makes the browser lay out and serialise the
/// whole subtree: a click on a page-sized container would cost
/// milliseconds for text cut to 1 KiB anyway. So an element with a lot of
/// text gives a prefix of its `textContent` instead (no layout), passed
/// to Rust already cut, so no long string crosses into the module.
fn target_text(el: &Element) -> Option<String> {
    let raw = Reflect::get(el, &JsValue::from_str("textContent")).ok()?;
    let raw = raw.dyn_into::<JsString>().ok()?;
    if raw.length() <= TEXT_SCAN {
        return Some(inner_text(el));
    }
    Some(String::from(raw.slice(0, TEXT_SCAN)))
}

fn inner_text(el: &Element) -> String {
    match el.dyn_ref::<HtmlElement>() {
        Some(html) => html.inner_text(),
        None => el.text_content().unwrap_or_default(),
    }
}

/// `(value, text)` of each selected option of a `<select>`.
fn selected_options(select: &Element) -> Vec<(String, String)> {
    let Ok(options) = Reflect::get(select, &JsValue::from_str("selectedOptions")) else {
        return Vec::new();
    };
    let len = Reflect::get(&options, &JsValue::from_str("length"))
        .ok()
        .and_then(|l| l.as_f64())
        .unwrap_or(0.0) as u32;
    (0..len.min(limits::OPTIONS as u32))
        .filter_map(|i| Reflect::get_u32(&options, i).ok())
        .filter_map(|o| o.dyn_into::<Element>().ok())
        .map(|o| (read_string(&o, "value"), read_string(&o, "text")))
        .collect()
}

/// The element and its ancestors up to the top of its root. `parentElement`
/// is null at a shadow root's top, which is exactly where a selector valid
/// inside that root must stop.
fn chain(element: &Element) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut current = Some(element.clone());
    while let Some(el) = current {
        steps.push(step(&el));
        current = el.parent_element();
    }
    steps
}

fn step(el: &Element) -> Step {
    let tag = el.local_name().to_ascii_lowercase();
    let same_tag = |other: &Element| other.local_name().eq_ignore_ascii_case(&tag);
    let mut before = 0;
    let mut sibling = el.previous_element_sibling();
    while let Some(s) = sibling {
        before += u32::from(same_tag(&s));
        sibling = s.previous_element_sibling();
    }
    let mut after = 0;
    let mut sibling = el.next_element_sibling();
    while let Some(s) = sibling {
        after += u32::from(same_tag(&s));
        sibling = s.next_element_sibling();
    }
    let test_id = ["data-testid", "data-test"]
        .into_iter()
        .find_map(|a| el.get_attribute(a).map(|v| (a, v)));
    let id = el.id();
    Step {
        tag,
        id: (!id.is_empty()).then_some(id),
        test_id,
        nth_of_type: before + 1,
        of_type_count: before + after + 1,
    }
}

/// Selectors of the shadow hosts around `element`, outermost first, each
/// the best unique one in the host's own root.
fn shadow_hosts(element: &Element) -> Vec<String> {
    let mut hosts = Vec::new();
    let mut root = element.get_root_node();
    while let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
        let host = shadow.host();
        if hosts.len() >= limits::DEPTH {
            break;
        }
        let own = OwnAnchors {
            name: host.get_attribute("name"),
            value: None,
            aria_label: host.get_attribute("aria-label"),
        };
        let css =
            capture::best_css(&chain(&host), &own, |css| is_unique(&host, css)).map(|(css, _)| css);
        // A host without a valid selector still has to occupy its level.
        hosts.push(css.unwrap_or_else(|| host.local_name()));
        root = host.get_root_node();
    }
    hosts.reverse();
    hosts
}

/// The text of the elements `aria-labelledby` names, looked up in the
/// element's own root (a document or a shadow root), joined by spaces.
/// `None` when the attribute is missing or names nothing with text.
fn labelledby_text(element: &Element) -> Option<String> {
    let ids = element.get_attribute("aria-labelledby")?;
    let root = element.get_root_node();
    let by_id = |id: &str| -> Option<Element> {
        if let Some(doc) = root.dyn_ref::<Document>() {
            doc.get_element_by_id(id)
        } else {
            root.dyn_ref::<ShadowRoot>()?.get_element_by_id(id)
        }
    };
    let text = ids
        .split_ascii_whitespace()
        .take(limits::OPTIONS)
        .filter_map(|id| by_id(id)?.text_content())
        .collect::<Vec<_>>()
        .join(" ");
    (!text.trim().is_empty()).then_some(text)
}

fn first_label_text(element: &Element) -> Option<String> {
    // Only form controls have `labels`; reading it generically avoids one
    // web-sys feature per control type.
    let labels = Reflect::get(element, &JsValue::from_str("labels")).ok()?;
    let labels = labels.dyn_into::<NodeList>().ok()?;
    labels.get(0)?.text_content()
}

/// Whether `css` matches exactly this element and nothing else in its root.
fn is_unique(element: &Element, css: &str) -> bool {
    let root = element.get_root_node();
    let found = if let Some(doc) = root.dyn_ref::<Document>() {
        doc.query_selector_all(css)
    } else if let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
        shadow.query_selector_all(css)
    } else {
        return false;
    };
    found
        .map(|list| {
            list.length() == 1
                && list
                    .get(0)
                    .is_some_and(|n| JsValue::from(n) == JsValue::from(element.clone()))
        })
        .unwrap_or(false)
}

/// Target building on a real DOM in headless Chromium (wasm-bindgen-test;
/// `scripts/test` runs them). The pure rules are covered natively; these
/// check what only a browser can: shadow roots, `labels`, layout boxes,
/// uniqueness inside a root.
#[cfg(test)]
mod browser_tests {
    use wasm_bindgen_test::*;
    use web_sys::{ShadowRootInit, ShadowRootMode};

    use super::*;

    wasm_bindgen_test_configure!(run_in_browser);

    fn document() -> Document {
        web_sys::window().unwrap().document().unwrap()
    }

    /// A fresh container in the test page with `html` inside.
    fn fixture(html: &str) -> Element {
        let doc = document();
        let root = doc.create_element("div").unwrap();
        root.set_inner_html(html);
        doc.body().unwrap().append_child(&root).unwrap();
        root
    }

    fn target_of(el: &Element) -> workflow_format::Target {
        build_target(el, &vec![], &WeakSet::new()).expect("a target")
    }

    #[wasm_bindgen_test]
    fn a_click_on_the_label_wrapping_a_checkbox_is_told_from_one_on_the_box() {
        let root = fixture(
            r#"<label id="wrap"><input type="checkbox" id="news"><span id="box"></span> Send news</label>
               <label for="tos" id="apart">Terms</label><input type="checkbox" id="tos">
               <label id="field">Name <input id="name"></label>"#,
        );
        let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
        let news = by_id("news");
        assert_eq!(
            label_toggled(&by_id("box")),
            Some(news.clone()),
            "the drawn box"
        );
        assert_eq!(
            label_toggled(&by_id("wrap")),
            Some(news.clone()),
            "the label's text"
        );
        assert_eq!(label_toggled(&news), None, "the checkbox itself");
        assert_eq!(
            label_toggled(&by_id("apart")),
            None,
            "a label elsewhere is not clicked through"
        );
        assert_eq!(
            label_toggled(&by_id("field")),
            None,
            "a text field's label toggles nothing"
        );
        // Slotted label text inside a component's <label> (Shoelace's
        // <sl-checkbox>): the raw target is the slot.
        let host = fixture(r#"<x-check id="x">Agree</x-check>"#);
        let shadow = host
            .query_selector("#x")
            .unwrap()
            .unwrap()
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap();
        shadow
            .set_inner_html(r#"<label><input type="checkbox"><span><slot></slot></span></label>"#);
        let slot = shadow.query_selector("slot").unwrap().unwrap();
        let input = shadow.query_selector("input").unwrap().unwrap();
        assert_eq!(label_toggled(&slot), Some(input));
    }

    #[wasm_bindgen_test]
    fn a_role_and_name_another_element_shares_is_measured_not_unique() {
        // One "Archive row" button per row (case and spacing differ, which
        // Playwright's match ignores too), a link of that name, and a
        // button whose aria-label names it otherwise.
        let root = fixture(
            r#"<table><tr><td>Ada</td><td><button id="a1">Archive row</button></td></tr>
               <tr><td>Bob</td><td><button id="a2">ARCHIVE  row</button></td></tr></table>
               <a href="/archive">Archive row</a>
               <button id="other" aria-label="Restore row">Archive row</button>
               <button id="solo">Export every row</button>
               <x-panel id="panel"></x-panel><button id="light">Print every row</button>"#,
        );
        let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
        let a1 = target_of(&by_id("a1"));
        assert_eq!(
            a1.aria.as_ref().map(|a| a.name.as_str()),
            Some("Archive row")
        );
        assert_eq!(a1.aria_unique, Some(false), "two buttons of that name");
        assert_eq!(
            target_of(&by_id("other")).aria_unique,
            Some(true),
            "its name is its label"
        );
        assert_eq!(target_of(&by_id("solo")).aria_unique, Some(true));
        // A look-alike inside an open shadow root counts: Playwright's role
        // selector pierces shadow roots.
        let shadow = by_id("panel")
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap();
        shadow.set_inner_html(r#"<div><button>Print every row</button></div>"#);
        assert_eq!(target_of(&by_id("light")).aria_unique, Some(false));
        let inner = shadow.query_selector("button").unwrap().unwrap();
        assert_eq!(target_of(&inner).aria_unique, Some(false));
        // No name, nothing measured.
        let unnamed = fixture(r#"<button id="icon"></button>"#);
        let icon = unnamed.query_selector("#icon").unwrap().unwrap();
        assert_eq!(target_of(&icon).aria_unique, None);
    }

    #[wasm_bindgen_test]
    fn text_shown_by_another_element_is_measured_not_unique() {
        // Clickable spans without a role: their text is what finds them.
        let root = fixture(
            r#"<ul><li><span class="act" id="r1">Mark as read</span></li>
                   <li><span class="act" id="r2">MARK as   read</span></li></ul>
               <div id="wrap"><span id="w1"><b>Pin this note</b></span></div>
               <span id="lone">Snooze every thread</span>
               <x-card id="card"></x-card><span id="dup">Mute every thread</span>"#,
        );
        let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
        let r1 = target_of(&by_id("r1"));
        assert_eq!(r1.aria, None);
        assert_eq!(r1.text_unique, Some(false), "two spans show it");
        // The same text nested inside the element is the element itself.
        assert_eq!(target_of(&by_id("w1")).text_unique, Some(true));
        assert_eq!(target_of(&by_id("lone")).text_unique, Some(true));
        // A look-alike in an open shadow root counts.
        by_id("card")
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap()
            .set_inner_html("<p><i>Mute every thread</i></p>");
        assert_eq!(target_of(&by_id("dup")).text_unique, Some(false));
        // A named element is measured by its name, not its text.
        let named = fixture(r#"<button id="go-only">Go somewhere else</button>"#);
        let go = target_of(&named.query_selector("#go-only").unwrap().unwrap());
        assert_eq!((go.aria_unique, go.text_unique), (Some(true), None));
    }

    #[wasm_bindgen_test]
    fn a_test_id_beats_positions_and_the_label_names_the_field() {
        let root = fixture(
            r#"<form><label for="em">Email address</label>
               <input id="em" name="email" type="email">
               <button type="button">Go</button><button type="button" data-testid="send">Send</button></form>"#,
        );
        let send = root.query_selector("[data-testid=send]").unwrap().unwrap();
        let t = target_of(&send);
        assert_eq!(t.css, r#"button[data-testid="send"]"#);
        assert!(t.css_unique);
        assert_eq!(t.tag, "button");
        assert_eq!(t.text.as_deref(), Some("Send"));
        assert!(
            t.bounds.width > 0.0 && t.bounds.height > 0.0,
            "a laid-out box"
        );
        assert_eq!(
            document()
                .evaluate(&t.xpath, &document())
                .unwrap()
                .iterate_next()
                .unwrap(),
            Some(send.clone().into()),
            "the XPath finds the element again"
        );

        let email = root.query_selector("#em").unwrap().unwrap();
        let t = target_of(&email);
        assert_eq!(t.css, "#em");
        assert_eq!(t.label.as_deref(), Some("Email address"));
        assert_eq!(t.input_type.as_deref(), Some("email"));
        assert_eq!(t.name.as_deref(), Some("email"));
    }

    #[wasm_bindgen_test]
    fn elements_in_open_shadow_roots_name_their_host_chain() {
        let root = fixture(r#"<section id="w"></section>"#);
        let outer_host = root.query_selector("#w").unwrap().unwrap();
        let init = ShadowRootInit::new(ShadowRootMode::Open);
        let outer = outer_host.attach_shadow(&init).unwrap();
        outer.set_inner_html(r#"<inner-card data-testid="card"></inner-card>"#);
        let inner_host = outer.query_selector("inner-card").unwrap().unwrap();
        let inner = inner_host.attach_shadow(&init).unwrap();
        // The same id exists in the light DOM: uniqueness is per root.
        root.insert_adjacent_html("beforeend", r#"<button id="buy">Decoy</button>"#)
            .unwrap();
        inner.set_inner_html(r#"<button id="buy">Buy now</button>"#);
        let buy = inner.query_selector("#buy").unwrap().unwrap();

        let t = target_of(&buy);
        assert_eq!(
            t.shadow_hosts,
            vec![
                "#w".to_owned(),
                r#"inner-card[data-testid="card"]"#.to_owned()
            ]
        );
        assert_eq!(t.css, "#buy");
        assert!(t.css_unique, "unique inside its own shadow root");
        assert_eq!(t.text.as_deref(), Some("Buy now"));
        // Resolving the chain from the document reaches the same element.
        let mut scope: web_sys::ShadowRoot = document()
            .query_selector(&t.shadow_hosts[0])
            .unwrap()
            .unwrap()
            .shadow_root()
            .unwrap();
        for host in &t.shadow_hosts[1..] {
            scope = scope
                .query_selector(host)
                .unwrap()
                .unwrap()
                .shadow_root()
                .unwrap();
        }
        assert_eq!(scope.query_selector(&t.css).unwrap(), Some(buy));
    }

    #[wasm_bindgen_test]
    fn a_slot_stands_for_the_element_whose_text_it_shows() {
        // A web component's button: the label text is slotted in from the
        // light DOM; a click on it has the slot as its deepest target.
        let root = fixture(r#"<x-button id="send">Send</x-button>"#);
        let host = root.query_selector("#send").unwrap().unwrap();
        let shadow = host
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap();
        shadow.set_inner_html(
            r#"<button part="base"><slot name="icon">*</slot><slot></slot></button>"#,
        );
        let slotted = shadow.query_selector("slot:not([name])").unwrap().unwrap();
        assert_eq!(unslot(slotted), host, "slotted text: the host holds it");
        // A slot showing its fallback content: its parent stands for it.
        let fallback = shadow.query_selector("slot[name=icon]").unwrap().unwrap();
        let button = shadow.query_selector("button").unwrap().unwrap();
        assert_eq!(unslot(fallback), button);
        // Anything else is its own target.
        assert_eq!(unslot(button.clone()), button);
        let t = target_of(&host);
        assert_eq!(t.text.as_deref(), Some("Send"));
        assert_eq!(t.css, "#send");
        assert!(t.bounds.width > 0.0, "the host has a box to click");
    }

    #[wasm_bindgen_test]
    fn aria_labelledby_names_a_field_inside_its_shadow_root() {
        // A custom select: the combobox is labelled by a <label> it is not
        // associated with, in the same shadow root (ids are per root).
        let root = fixture(r#"<x-select id="plan"></x-select><span id="label">Decoy</span>"#);
        let host = root.query_selector("#plan").unwrap().unwrap();
        let shadow = host
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap();
        shadow.set_inner_html(
            r#"<label id="label"><slot name="label">Plan</slot></label>
               <input role="combobox" readonly aria-labelledby="label missing" placeholder="Choose a plan">"#,
        );
        let input = shadow.query_selector("input").unwrap().unwrap();
        let t = target_of(&input);
        assert_eq!(t.label.as_deref(), Some("Plan"));
        assert_eq!(
            t.aria,
            Some(workflow_format::AriaRef {
                role: "combobox".into(),
                name: "Plan".into()
            })
        );
        // aria-label still comes first.
        input.set_attribute("aria-label", "Pricing plan").unwrap();
        assert_eq!(target_of(&input).aria.unwrap().name, "Pricing plan");
    }

    #[wasm_bindgen_test]
    fn a_show_password_toggle_keeps_the_field_redacted() {
        let root = fixture(r#"<input id="pw" type="password" autocomplete="off">"#);
        let pw = root.query_selector("#pw").unwrap().unwrap();
        let seen = WeakSet::new();
        seen.add(pw.unchecked_ref());
        pw.set_attribute("type", "text").unwrap();
        let facts = element_facts(&pw, &seen);
        let t = capture::target(&facts, &vec![], |css| is_unique(&pw, css)).unwrap();
        assert!(t.was_password);
        assert_eq!(t.input_type.as_deref(), Some("text"));
        assert_eq!(
            t.redaction_reason(),
            Some(workflow_format::RedactionReason::Password)
        );
        assert_eq!(t.text, None, "a sensitive element's text is never read");
    }
}
