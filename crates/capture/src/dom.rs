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

use crate::actionable::{self, PathElement};
use crate::capture::{self, ClickKind, ElementFacts, FieldKind};
use crate::envelope::captured;
use crate::gate::Gate;
use crate::hold::{Holds, Out};
use crate::outbox::{Outbox, Reply, ReplyFields, settled_cids};
use crate::secrets::{self, NearbyPassword, Removed, Swaps};
use crate::selector::{self, OwnAnchors, Step};
use crate::stable;
use crate::webdom::WebDom;

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
    /// The element of the last pointer click that toggles a checkbox or
    /// radio, held in `holds` until that control's `change` withdraws it
    /// (see [`pointer_event`]).
    toggle_click: Option<Element>,
    /// Shadow roots that got our `change` and `submit` listeners (see
    /// [`watch_shadow_roots`]). Weak, like `passwords`.
    shadow_roots: WeakSet,
    /// Those listeners: one function for every root.
    shadow_change: Closure<dyn FnMut(Event)>,
    shadow_submit: Closure<dyn FnMut(Event)>,
    shadow_input: Closure<dyn FnMut(Event)>,
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
            toggle_click: None,
            shadow_roots: WeakSet::new(),
            shadow_change: Closure::<dyn FnMut(Event)>::new(on_shadow_change),
            shadow_submit: Closure::<dyn FnMut(Event)>::new(on_shadow_submit),
            shadow_input: Closure::<dyn FnMut(Event)>::new(on_shadow_input),
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
/// window, so the listeners there miss them; nor does an `input` event a
/// component makes itself (`new Event('input')` is not composed either).
/// The recorder relies on no other uncomposed event (`select`, `toggle`:
/// neither is recorded). Every shadow root an event
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
        // A component may fire its own, uncomposed `input`.
        let _ = listen_with(root, "input", st.shadow_input.as_ref().unchecked_ref());
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

fn on_shadow_input(event: Event) {
    if !event.composed() {
        on_input(event);
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
    let settled = settled_cids(reply.is_object().then_some(&ReplyObject(&reply)));
    with_state(|st| match st.outbox.reply(settled, js_sys::Date::now()) {
        Reply::Settled { .. } => 0.0,
        Reply::Retry { retry_in_ms } => retry_in_ms,
    })
    .unwrap_or(0.0)
}

/// The reply object's members, read off the object itself (see
/// `outbox::ReplyFields`).
struct ReplyObject<'a>(&'a JsValue);

impl ReplyFields for ReplyObject<'_> {
    fn ok(&self) -> Option<bool> {
        Reflect::get(self.0, &JsValue::from_str("ok"))
            .ok()?
            .as_bool()
    }

    fn acked(&self) -> Option<Vec<String>> {
        let acked = Reflect::get(self.0, &JsValue::from_str("acked")).ok()?;
        let acked = acked.dyn_into::<Array>().ok()?;
        Some(acked.iter().filter_map(|c| c.as_string()).collect())
    }
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
    // Every target's CSS is measured through open shadow roots, so the
    // roots are found for every target (one `querySelectorAll` per root).
    let Some(roots) = open_roots(el) else {
        return Some(target);
    };
    let named = target.aria.as_ref().filter(|a| !a.name.trim().is_empty());
    let text = target.text.as_deref().filter(|t| !t.trim().is_empty());
    if let Some(aria) = named {
        target.aria_unique = aria_unique(el, aria, &roots, passwords);
    } else if let Some(text) = text {
        target.text_unique = text_unique(el, text, &roots);
    }
    if let Some(text) = text_alternative(&target) {
        target.text_contains_unique = text_contains_unique(el, &text, &roots);
    }
    target.css_pierce_unique = css_pierce_unique(el, &target.css, &roots);
    if !target.shadow_hosts.is_empty() {
        target.css_chain_unique = css_chain_unique(el, &target.shadow_hosts, &target.css, &roots);
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

/// Elements that can have a role worth comparing: an explicit one, the
/// usual implicit ones, and focusable elements (a custom element with an
/// ElementInternals role nearly always is). [`role_candidates`] adds the
/// tags whose implicit role is the one recorded.
const ROLE_CANDIDATES: &str =
    "[role], button, a[href], area[href], select, textarea, input, [tabindex]";

/// [`ROLE_CANDIDATES`] and the tags that have `role` implicitly.
fn role_candidates(role: &str) -> String {
    let mut css = ROLE_CANDIDATES.to_owned();
    for tag in clawtrail_accname::tags_with_implicit_role(role) {
        css.push_str(", ");
        css.push_str(tag);
    }
    css
}
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
    let selector = role_candidates(&aria.role);
    let dom = WebDom::new()?;
    for root in roots {
        let found = query_all(root, &selector)?;
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
            // The role first: it costs attribute reads, the name a walk.
            let other_node: &web_sys::Node = other.unchecked_ref();
            if clawtrail_accname::role(&dom, other_node).as_deref() != Some(aria.role.as_str()) {
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

/// Text longer than this is never written as a selector (the exports'
/// `TEXT_SELECTOR_MAX`), so its uniqueness is not measured either.
const TEXT_ALTERNATIVE_MAX: usize = 80;

/// The string an export writes as `target`'s text alternative (trimmed
/// `text`), by the exports' rule: none for form fields and value roles,
/// whose text is what was typed, nor for long text.
fn text_alternative(target: &workflow_format::Target) -> Option<String> {
    let is_field = matches!(target.tag.as_str(), "input" | "textarea" | "select")
        || target
            .aria
            .as_ref()
            .is_some_and(|a| workflow_format::is_value_role(&a.role));
    let text = target.text.as_deref()?.trim();
    (!is_field && !text.is_empty() && text.chars().count() <= TEXT_ALTERNATIVE_MAX)
        .then(|| text.to_owned())
}

/// Nodes Puppeteer's text rule is followed through, at most, before
/// [`text_contains_unique`] gives up: a click must not stall a huge page.
const PUPPETEER_TEXT_STEPS_MAX: u32 = 20_000;
/// Deeper than this, the walk gives up too (a recursion in wasm).
const PUPPETEER_TEXT_DEPTH_MAX: u32 = 256;

/// Whether Puppeteer's `text/<text>` query, which the DevTools flow
/// writes, yields `element` and nothing else; `None` when the page is too
/// big to tell within a click's budget.
///
/// Puppeteer's rule, as its injected `TextQuerySelector.js` and
/// `TextContent.js` (puppeteer-core 25) implement it: from the document,
/// each element child that is not a `SCRIPT` or `STYLE` and not inside
/// `document.head` is searched in turn (a shadow host through its open
/// shadow root only, never its light children); an element whose children
/// yielded nothing is yielded itself when its text *contains* the string,
/// case and whitespace exactly. An element's text is the `value` of an
/// `<input>` (other than checkbox, radio and image), `<textarea>` and
/// `<select>`; otherwise its text nodes and element children in order,
/// then its open shadow root's text. A shadow root is never yielded, so
/// neither is a shadow host: a label slotted into a web component is
/// found as the nearest ancestor of the host.
///
/// Cheap where it can be: the walk only enters elements whose text holds
/// the string (or a `<select>`/`<textarea>`, whose options are searched
/// although its text is its value), and an element with no such control,
/// no script, style or head and no shadow root below reads its text as
/// `textContent`, natively; the others are read node by node, each once.
fn text_contains_unique(element: &Element, text: &str, roots: &[web_sys::Node]) -> Option<bool> {
    let document = element.owner_document()?;
    let mut walk = PuppeteerText::new(element, text, &document, roots)?;
    match walk.search(document.as_ref(), 0) {
        Ok(_) => Some(walk.found_it),
        Err(PuppeteerStop::Another) => Some(false),
        Err(PuppeteerStop::TooBig) => None,
    }
}

enum PuppeteerStop {
    /// The query yields another element than the recorded one.
    Another,
    TooBig,
}

/// The state of [`text_contains_unique`]'s walk.
struct PuppeteerText<'a> {
    element: &'a Element,
    needle: &'a str,
    /// `document.head`: what is inside it is never searched nor read.
    head: Option<web_sys::Node>,
    /// The hosts of open shadow roots and every element around one (across
    /// roots): their `textContent` is not Puppeteer's text.
    around_shadow: js_sys::Set,
    /// Whether any shadow root holds a `<select>` or `<textarea>`.
    shadow_controls: bool,
    /// Texts read node by node, by element.
    memo: js_sys::Map,
    steps: u32,
    found_it: bool,
}

/// What makes an element's `textContent` differ from Puppeteer's text of
/// it (besides shadow roots).
const NOT_PLAIN_TEXT: &str = "input, select, textarea, script, style, head";

impl<'a> PuppeteerText<'a> {
    fn new(
        element: &'a Element,
        needle: &'a str,
        document: &Document,
        roots: &[web_sys::Node],
    ) -> Option<Self> {
        let head = Reflect::get(document, &JsValue::from_str("head"))
            .ok()
            .and_then(|h| h.dyn_into::<web_sys::Node>().ok());
        let around_shadow = js_sys::Set::new(&JsValue::UNDEFINED);
        let mut shadow_controls = false;
        let mut steps = 0u32;
        for root in roots {
            let Some(shadow) = root.dyn_ref::<ShadowRoot>() else {
                continue;
            };
            shadow_controls = shadow_controls
                || shadow
                    .query_selector("select, textarea")
                    .ok()
                    .flatten()
                    .is_some();
            let mut node: Option<web_sys::Node> = Some(shadow.host().into());
            while let Some(n) = node {
                steps += 1;
                if steps > PUPPETEER_TEXT_STEPS_MAX {
                    return None;
                }
                if n.dyn_ref::<Element>().is_some() {
                    around_shadow.add(&n);
                }
                node = match n.parent_node() {
                    Some(p) => match p.dyn_ref::<ShadowRoot>() {
                        Some(r) => Some(r.host().into()),
                        None => Some(p),
                    },
                    None => None,
                };
            }
        }
        Some(PuppeteerText {
            element,
            needle,
            head,
            around_shadow,
            shadow_controls,
            memo: js_sys::Map::new(),
            steps,
            found_it: false,
        })
    }

    fn step(&mut self) -> Result<(), PuppeteerStop> {
        self.steps += 1;
        if self.steps > PUPPETEER_TEXT_STEPS_MAX {
            return Err(PuppeteerStop::TooBig);
        }
        Ok(())
    }

    /// `isSuitableNodeForTextMatching`.
    fn suitable(&self, el: &Element) -> bool {
        let name = el.node_name();
        name != "SCRIPT"
            && name != "STYLE"
            && !self
                .head
                .as_ref()
                .is_some_and(|h| h.contains(Some(el.unchecked_ref())))
    }

    /// The `value` Puppeteer reads as the text of an `<input>` (not a
    /// checkbox, radio or image), `<textarea>` or `<select>`.
    fn value(el: &Element) -> Option<JsString> {
        if el.namespace_uri().as_deref() != Some("http://www.w3.org/1999/xhtml") {
            return None;
        }
        let tag = el.local_name();
        let valued = match tag.as_str() {
            "select" | "textarea" => true,
            "input" => !matches!(
                read_string(el, "type").as_str(),
                "checkbox" | "image" | "radio"
            ),
            _ => false,
        };
        if !valued {
            return None;
        }
        Reflect::get(el, &JsValue::from_str("value"))
            .ok()?
            .dyn_into::<JsString>()
            .ok()
    }

    /// Puppeteer's text of `node`, an element or a shadow root
    /// (`createTextContent(...).full`).
    fn full(&mut self, node: &web_sys::Node, depth: u32) -> Result<JsString, PuppeteerStop> {
        self.step()?;
        if depth > PUPPETEER_TEXT_DEPTH_MAX {
            return Err(PuppeteerStop::TooBig);
        }
        let el = node.dyn_ref::<Element>();
        if let Some(el) = el {
            if !self.suitable(el) {
                return Ok(JsString::from(""));
            }
            if let Some(value) = Self::value(el) {
                return Ok(value);
            }
            let plain = !self.around_shadow.has(el.unchecked_ref())
                && el.query_selector(NOT_PLAIN_TEXT).ok().flatten().is_none();
            if plain {
                return Ok(Reflect::get(el, &JsValue::from_str("textContent"))
                    .ok()
                    .and_then(|t| t.dyn_into::<JsString>().ok())
                    .unwrap_or_else(|| JsString::from("")));
            }
            if let Some(known) = self
                .memo
                .get_checked(el.unchecked_ref())
                .and_then(|t| t.dyn_into::<JsString>().ok())
            {
                return Ok(known);
            }
        }
        let mut out = JsString::from("");
        let mut child = node.first_child();
        while let Some(c) = child {
            self.step()?;
            match c.node_type() {
                web_sys::Node::TEXT_NODE => {
                    if let Ok(data) = Reflect::get(&c, &JsValue::from_str("data")) {
                        out = out.concat(&data);
                    }
                }
                web_sys::Node::ELEMENT_NODE => {
                    out = out.concat(self.full(&c, depth + 1)?.as_ref());
                }
                _ => {}
            }
            child = c.next_sibling();
        }
        if let Some(el) = el {
            if let Some(shadow) = el.shadow_root() {
                out = out.concat(self.full(shadow.as_ref(), depth + 1)?.as_ref());
            }
            self.memo.set(el.unchecked_ref(), &out);
        }
        Ok(out)
    }

    /// Whether the query could yield `el` or anything it is followed into
    /// from `el`: its text holds the string, or it holds a `<select>` or
    /// `<textarea>`, whose children are searched although its text is its
    /// value.
    fn may_yield(&mut self, el: &Element, depth: u32) -> Result<bool, PuppeteerStop> {
        if self.full(el.as_ref(), depth)?.includes(self.needle, 0) {
            return Ok(true);
        }
        let tag = el.local_name();
        Ok(tag == "select"
            || tag == "textarea"
            || el
                .query_selector("select, textarea")
                .ok()
                .flatten()
                .is_some()
            || (self.shadow_controls && self.around_shadow.has(el.unchecked_ref())))
    }

    /// `textQuerySelectorAll(root)`: whether it yielded anything. Stops at
    /// the first element yielded that is not the recorded one.
    fn search(&mut self, root: &web_sys::Node, depth: u32) -> Result<bool, PuppeteerStop> {
        if depth > PUPPETEER_TEXT_DEPTH_MAX {
            return Err(PuppeteerStop::TooBig);
        }
        let mut yielded = false;
        let mut child = root.first_child();
        while let Some(c) = child {
            self.step()?;
            if let Some(el) = c.dyn_ref::<Element>()
                && self.suitable(el)
                && self.may_yield(el, depth + 1)?
            {
                let within: web_sys::Node = match el.shadow_root() {
                    Some(shadow) => shadow.into(),
                    None => c.clone(),
                };
                yielded |= self.search(&within, depth + 1)?;
            }
            child = c.next_sibling();
        }
        if yielded {
            return Ok(true);
        }
        let Some(el) = root.dyn_ref::<Element>() else {
            return Ok(false);
        };
        if !self.suitable(el) || !self.full(root, depth)?.includes(self.needle, 0) {
            return Ok(false);
        }
        if el != self.element {
            return Err(PuppeteerStop::Another);
        }
        self.found_it = true;
        Ok(true)
    }
}

/// Whether `css` matches `element` and nothing else, each of `roots`
/// searched on its own: Puppeteer's `pierce/` (`:scope >>> css`, which
/// `PQuerySelector.js` runs as `querySelectorAll` on the document and on
/// every open shadow root that `pierceAll` in `injected/util.js` walks to),
/// and Playwright's `css=` for an element outside shadow trees. `None` for
/// a selector the browser refuses.
fn css_pierce_unique(element: &Element, css: &str, roots: &[web_sys::Node]) -> Option<bool> {
    let mut seen = false;
    for root in roots {
        let found = query_all(root, css)?;
        for i in 0..found.length() {
            if !found.get(i).is_some_and(|n| element.is_same_node(Some(&n))) || seen {
                return Some(false);
            }
            seen = true;
        }
    }
    Some(seen)
}

/// Matches followed through a chain, at most, before
/// [`css_chain_unique`] gives up.
const CHAIN_MATCHES_MAX: usize = 64;
/// Matches times roots looked at in one step of a chain, at most.
const CHAIN_WORK_MAX: usize = 4096;

/// Adds the nodes of `found` that `next` lacks; `false` once `next` holds
/// more than [`CHAIN_MATCHES_MAX`].
fn add_new(next: &mut Vec<web_sys::Node>, found: &NodeList) -> bool {
    for i in 0..found.length() {
        let Some(n) = found.get(i) else { continue };
        if !next.iter().any(|m| m.is_same_node(Some(&n))) {
            next.push(n);
        }
    }
    next.len() <= CHAIN_MATCHES_MAX
}

/// Whether the chain `hosts` then `css` finds `element` alone, each part
/// searched below the previous part's matches through open shadow roots,
/// as Playwright reads `css=h1 >> css=h2 >> css=inner` (its `css=` pierces
/// open shadow roots). Puppeteer's `h1 >>>> h2 >>>> inner` (each part
/// `querySelectorAll`ed only inside the previous match's shadow root,
/// `pierce` in `injected/util.js`) finds a subset of these, so `true`
/// holds for it as well. `None` when too many elements match on the way.
fn css_chain_unique(
    element: &Element,
    hosts: &[String],
    css: &str,
    roots: &[web_sys::Node],
) -> Option<bool> {
    let document = element.owner_document()?;
    let mut scopes: Vec<web_sys::Node> = vec![document.into()];
    for part in hosts.iter().map(String::as_str).chain([css]) {
        if scopes.len() * roots.len() > CHAIN_WORK_MAX {
            return None;
        }
        let mut next: Vec<web_sys::Node> = Vec::new();
        for scope in &scopes {
            for root in roots {
                // The document, for the document; a shadow root, all of
                // it, when the scope is its host or around it.
                let found = if root.is_same_node(Some(scope)) {
                    query_all(root, part)?
                } else if let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
                    if !composed_contains(scope, &shadow.host()) {
                        continue;
                    }
                    query_all(root, part)?
                } else {
                    continue;
                };
                if !add_new(&mut next, &found) {
                    return None;
                }
            }
            if let Some(el) = scope.dyn_ref::<Element>() {
                // And an element's descendants in its own tree.
                let found = el.query_selector_all(part).ok()?;
                if !add_new(&mut next, &found) {
                    return None;
                }
            }
        }
        scopes = next;
    }
    Some(scopes.len() == 1 && element.is_same_node(Some(&scopes[0])))
}

/// Whether `node` is `scope` or inside it, shadow roots crossed to their
/// hosts. One native `contains` per tree on the way up (the node's own,
/// then each host's), not one hop per ancestor.
fn composed_contains(scope: &web_sys::Node, node: &Element) -> bool {
    let mut current: web_sys::Node = node.clone().into();
    for _ in 0..=limits::DEPTH {
        if scope.contains(Some(&current)) {
            return true;
        }
        let root = current.get_root_node();
        let Some(shadow) = root.dyn_ref::<ShadowRoot>() else {
            return false;
        };
        current = shadow.host().into();
    }
    false
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
    let is_radio = tag == "input"
        && input_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("radio"));
    // Role and name as the accessibility tree has them: the one
    // implementation, clawtrail_accname.
    let (role, accessible_name) = match WebDom::new() {
        Some(dom) => {
            let node: &web_sys::Node = element.unchecked_ref();
            let role = clawtrail_accname::role(&dom, node);
            let name = clawtrail_accname::name_with_role(&dom, node, role.as_deref());
            (role, Some(name))
        }
        None => (None, None),
    };
    ElementFacts {
        own: OwnAnchors {
            name: attr("name"),
            value: if is_radio { attr("value") } else { None },
            aria_label: attr("aria-label"),
        },
        input_type,
        role,
        accessible_name,
        // What the page wrote next to the field, for Target::label and the
        // redaction rule: aria-labelledby's text, else a <label>.
        label_text: labelledby_text(element).or_else(|| first_label_text(element)),
        placeholder: attr("placeholder"),
        autocomplete: attr("autocomplete"),
        was_password: passwords.has(element.unchecked_ref()),
        masked: holds_text(element, &tag) && is_masked(element),
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

/// How soon after a click on a label the click the label sends its control
/// arrives: within the same task, so a few milliseconds at most; a person
/// cannot click twice that fast.
const LABEL_SYNTHETIC_MS: f64 = 50.0;

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
    let kinds = [
        clicked_field_kind(&raw),
        clicked_field_kind(&unslot(raw.clone())),
    ];
    let state_change = kinds.iter().any(|k| capture::click_is_state_change(*k));
    // A click that toggles a checkbox or radio is recorded by the `change`
    // that follows. But `change` is not composed: from a closed shadow
    // root (or any root the recorder could not reach) it never arrives,
    // and the user's "I accept the terms" would be lost. So a pointer
    // click on one is held like any click and withdrawn when its change
    // comes (`on_change`); a keyboard click (detail 0) and a click that
    // opens a select keep being left to their change.
    let toggle = kinds
        .iter()
        .any(|k| matches!(k, Some(FieldKind::Checkbox | FieldKind::Radio)));
    if state_change && !(toggle && kind == ClickKind::Click && mouse.detail() >= 1) {
        return None;
    }
    // The click a `<label>` sends its control, in the same task as the
    // user's click on the label: not the user's.
    if st
        .label_click
        .as_ref()
        .is_some_and(|(control, at)| *control == raw && st.now() - at < LABEL_SYNTHETIC_MS)
    {
        return None;
    }
    let el = meant_element(event).unwrap_or_else(|| unslot(raw));
    let target = st.target(&el)?;
    let client = Point {
        x: f64::from(mouse.client_x()),
        y: f64::from(mouse.client_y()),
    };
    let kind = capture::click(kind, target, mouse.button(), modifiers(mouse), client)?;
    if state_change {
        st.toggle_click = Some(el.clone());
    }
    Some((el, st.captured(kind)?, mouse.detail()))
}

/// The element a pointer event meant ([`actionable::meant`]): the nearest
/// actionable element along the composed path, `None` when there is none
/// (the innermost element then stands).
fn meant_element(event: &Event) -> Option<Element> {
    let dom = WebDom::new()?;
    let mut elements = Vec::new();
    let mut facts = Vec::new();
    for node in event.composed_path().iter() {
        let Ok(el) = node.dyn_into::<Element>() else {
            continue;
        };
        let tag = el.local_name().to_ascii_lowercase();
        if tag == "body" || tag == "html" || elements.len() >= limits::DEPTH {
            break;
        }
        let as_node: &web_sys::Node = el.unchecked_ref();
        let role = clawtrail_accname::role(&dom, as_node);
        let labelled = el.has_attribute("aria-label")
            || el.has_attribute("aria-labelledby")
            || (tag.contains('-')
                && clawtrail_accname::Dom::internals(&dom, as_node)
                    .label
                    .is_some());
        let editing_host = el.dyn_ref::<HtmlElement>().is_some_and(|h| {
            h.is_content_editable()
                && !el
                    .parent_element()
                    .and_then(|p| p.dyn_into::<HtmlElement>().ok())
                    .is_some_and(|p| p.is_content_editable())
        });
        facts.push(PathElement {
            hidden_input: tag == "input"
                && el
                    .get_attribute("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden")),
            has_href: (tag == "a" || tag == "area") && el.has_attribute("href"),
            tag,
            role,
            editing_host,
            labelled,
        });
        elements.push(el);
    }
    let i = actionable::meant(&facts);
    (i > 0 || facts.first().is_some_and(actionable::is_actionable)).then(|| elements.swap_remove(i))
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
            // This change records what the click that caused it did.
            if matches!(kind, FieldKind::Checkbox | FieldKind::Radio)
                && let Some(clicked) = st.toggle_click.take()
            {
                st.holds.withdraw_click(&clicked);
            }
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
/// inside that root must stop. The nearest ancestor with an anchor that is
/// unique in the root is marked ([`selector::measure_anchors`]): only such
/// an anchor may start a path.
fn chain(element: &Element) -> Vec<Step> {
    let mut elements = Vec::new();
    let mut current = Some(element.clone());
    while let Some(el) = current {
        current = el.parent_element();
        elements.push(el);
    }
    let mut steps: Vec<Step> = elements.iter().map(step).collect();
    selector::measure_anchors(&mut steps, |i, css| is_unique(&elements[i], css));
    steps
}

/// Test id attributes, in order of preference.
const TEST_ID_ATTRIBUTES: [&str; 5] = [
    "data-testid",
    "data-test-id",
    "data-test",
    "data-cy",
    "data-qa",
];

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
    let attr = |name: &str| el.get_attribute(name);
    // The first stable test id, else the first present one (which the
    // selector rules then refuse as an anchor, as they refuse its id).
    let test_ids: Vec<(&'static str, String)> = TEST_ID_ATTRIBUTES
        .into_iter()
        .filter_map(|a| attr(a).map(|v| (a, v)))
        .collect();
    let test_id = test_ids
        .iter()
        .find(|(_, v)| stable::is_stable(v))
        .or(test_ids.first())
        .cloned();
    let id = el.id();
    Step {
        tag,
        id: (!id.is_empty()).then_some(id),
        test_id,
        nth_of_type: before + 1,
        of_type_count: before + after + 1,
        name: attr("name"),
        aria_label: attr("aria-label"),
        role: attr("role"),
        placeholder: attr("placeholder"),
        title: attr("title"),
        alt: attr("alt"),
        href: attr("href"),
        unique_anchor: None,
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
        // aria-labelledby comes before aria-label (accname 2B before 2C,
        // as Chromium computes it); aria-label names it once the
        // reference is gone.
        input.set_attribute("aria-label", "Pricing plan").unwrap();
        assert_eq!(target_of(&input).aria.unwrap().name, "Plan");
        input.remove_attribute("aria-labelledby").unwrap();
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

    /// A fresh open shadow root holding `html`, inside a new fixture:
    /// uniqueness is per root, so what other tests left in the document
    /// cannot make these selectors ambiguous.
    fn isolated(html: &str) -> ShadowRoot {
        let host = fixture("<div></div>").first_element_child().unwrap();
        let shadow = host
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap();
        shadow.set_inner_html(html);
        shadow
    }

    #[wasm_bindgen_test]
    fn a_generated_id_gives_way_to_the_form_name() {
        let root = fixture(
            r#"<form name="checkout"><div><button type="button" id="headlessui-menu-button-:r1:">Pay now</button></div></form>"#,
        );
        let button = root.query_selector("button").unwrap().unwrap();
        let t = target_of(&button);
        assert_eq!(t.css, r#"form[name="checkout"] > div > button"#);
        assert!(!t.css.contains("headlessui") && !t.css.contains("r1"));
        assert!(t.css_unique);
        assert!(is_unique(&button, &t.css), "it finds the button alone");
        assert_eq!(
            document()
                .query_selector_all(r#"form[name="checkout"]"#)
                .unwrap()
                .length(),
            1,
            "the anchor itself is unique"
        );
        root.remove();
    }

    #[wasm_bindgen_test]
    fn a_uuid_id_gives_way_to_the_name() {
        let root = isolated(
            r#"<form><input id="550e8400-e29b-41d4-a716-446655440000" name="email" type="email"></form>"#,
        );
        let input = root.query_selector("input").unwrap().unwrap();
        let t = target_of(&input);
        assert_eq!(t.css, r#"input[name="email"]"#);
        assert!(t.css_unique);
        // The id is still recorded as the page had it (the redaction rule
        // reads it); only the selector leaves it out.
        assert_eq!(
            t.id.as_deref(),
            Some("550e8400-e29b-41d4-a716-446655440000")
        );
    }

    #[wasm_bindgen_test]
    fn the_only_stable_ancestor_is_main() {
        let root = isolated(
            r#"<div class="shell"><main><div id="ember342" class="ember-view"><ul>
                 <li><button type="button">One</button></li>
                 <li><button type="button">Two</button></li></ul></div></main></div>"#,
        );
        let two = root
            .query_selector("li:nth-of-type(2) button")
            .unwrap()
            .unwrap();
        let t = target_of(&two);
        assert_eq!(t.css, "main > div > ul > li:nth-of-type(2) > button");
        assert!(t.css_unique);
        assert!(is_unique(&two, &t.css));
    }

    #[wasm_bindgen_test]
    fn an_authored_id_still_wins_and_a_generated_one_does_not() {
        let root = isolated(
            r#"<div><form id="mat-form-7">
                 <button type="submit" id="login">Log in</button>
                 <button type="button" id="cdk-overlay-trigger-2">More</button></form></div>"#,
        );
        let login = root.query_selector("[type=submit]").unwrap().unwrap();
        assert_eq!(target_of(&login).css, "#login");
        let more = root.query_selector("[type=button]").unwrap().unwrap();
        let t = target_of(&more);
        // The form's id is generated too: the form is anchored as the one
        // form of its root, not by `#mat-form-7`, and not from the top.
        assert_eq!(t.css, "form > button:nth-of-type(2)");
        assert!(t.css_unique);
    }

    /// `old` as the next session might number it: every digit redrawn at
    /// random, until the id differs.
    fn next_session(old: &str) -> String {
        loop {
            let new: String = old
                .chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        char::from(b'0' + (js_sys::Math::random() * 10.0) as u8 % 10)
                    } else {
                        c
                    }
                })
                .collect();
            if new != old {
                return new;
            }
        }
    }

    #[wasm_bindgen_test]
    fn a_recorded_selector_survives_the_next_session() {
        let root = fixture(
            r#"<div id="ember1021" class="ember-view">
               <header id=":R1b:"><nav id="radix-:r0:" aria-label="Account menu">
                 <a id="headlessui-menu-button-:r5:" href="/settings/profile">Profile</a></nav></header>
               <form id="el-id-2841-3" name="signup-next-session">
                 <div id="mat-form-field-0"><input id="550e8400-e29b-41d4-a716-446655440000" name="email" type="email"></div>
                 <input id=":r2:" data-testid="row-8f3a2c91" placeholder="Your home city">
                 <div id="cdk-overlay-3"><span id="ui-id-3">Terms</span><button type="submit" id="mui-123">Create account</button></div>
               </form></div>"#,
        );
        let recorded: Vec<workflow_format::Target> =
            ["a", "[name=email]", "[placeholder]", "span", "button"]
                .iter()
                .map(|css| target_of(&root.query_selector(css).unwrap().unwrap()))
                .collect();
        // Every id and the test id in the fixture is generated.
        let all = root.query_selector_all("*").unwrap();
        let mut old_ids = Vec::new();
        let mut html = root.inner_html();
        for i in 0..all.length() {
            let el: Element = all.get(i).unwrap().dyn_into().unwrap();
            for attr in ["id", "data-testid"] {
                if let Some(old) = el.get_attribute(attr) {
                    assert!(stable::looks_generated(&old), "{old:?}");
                    html = html.replace(
                        &format!(r#"{attr}="{old}""#),
                        &format!(r#"{attr}="{}""#, next_session(&old)),
                    );
                    old_ids.push(old);
                }
            }
        }
        assert_eq!(old_ids.len(), 12);
        // The next session: the same page rebuilt, every generated id
        // numbered anew.
        root.set_inner_html(&html);
        for old in &old_ids {
            assert_eq!(
                root.query_selector(&format!("#{}", selector::css_ident(old)))
                    .unwrap(),
                None,
                "{old} is gone, with every selector built on it"
            );
        }
        for t in &recorded {
            // The same element in the new page, found by its position.
            let el: Element = document()
                .evaluate(&t.xpath, &document())
                .unwrap()
                .iterate_next()
                .unwrap()
                .expect("the XPath still finds it")
                .dyn_into()
                .unwrap();
            assert!(
                is_unique(&el, &t.css),
                "{} no longer finds exactly the element",
                t.css
            );
            for old in &old_ids {
                assert!(
                    !t.css.contains(old.as_str()) && !t.css.contains(&selector::css_ident(old)),
                    "{} mentions {old}",
                    t.css
                );
            }
        }
        root.remove();
    }

    #[wasm_bindgen_test]
    fn text_another_element_contains_is_not_unique_for_puppeteer() {
        // A plan picker: "Quokka" is a clickable option in the form, and
        // the heading above says "Quokka plan". Playwright's whole-text
        // `text=` finds the option alone; Puppeteer's `text/Quokka` yields
        // the innermost elements *containing* it, the heading first.
        let root = fixture(
            r#"<h2 id="pp-head">Quokka plan</h2>
               <form id="pp-form"><label>Name <input id="pp-name"></label>
                 <div class="pp-opt" id="pp-basic">Wombat</div>
                 <div class="pp-opt" id="pp-pro">Quokka</div></form>
               <button id="pp-buy" type="button">Numbat now</button>"#,
        );
        let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
        let pro = target_of(&by_id("pp-pro"));
        assert_eq!(pro.text.as_deref(), Some("Quokka"));
        assert_eq!(pro.text_unique, Some(true), "no other element has it whole");
        assert_eq!(
            pro.text_contains_unique,
            Some(false),
            "the heading contains it"
        );
        assert_eq!(
            target_of(&by_id("pp-basic")).text_contains_unique,
            Some(true)
        );
        // Measured for a named element too: its text may race in the flow.
        let buy = target_of(&by_id("pp-buy"));
        assert_eq!(
            (buy.aria_unique, buy.text_contains_unique),
            (Some(true), Some(true))
        );
        // A form field has no text alternative: nothing measured.
        assert_eq!(target_of(&by_id("pp-name")).text_contains_unique, None);
    }

    #[wasm_bindgen_test]
    fn puppeteer_text_reads_values_skips_scripts_and_never_yields_a_host() {
        let root = fixture(
            r#"<span id="pp-wrap"><b id="pp-bold">Dingo</b></span>
               <input id="pp-val" value="Echidna ahead"><span id="pp-e">Echidna</span>
               <script type="text/plain">Bilby</script><span id="pp-bilby">Bilby</span>
               <span id="pp-upper" style="text-transform: uppercase">galah</span>
               <div id="pp-holder"><x-pp-chip id="pp-chip"><span id="pp-slotted">Kookaburra</span></x-pp-chip></div>
               <div id="pp-host"></div>"#,
        );
        let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
        let unique = |id: &str| target_of(&by_id(id)).text_contains_unique;
        // The innermost element is yielded, not the one around it (the
        // click offset is the outer one's).
        assert_eq!(unique("pp-wrap"), Some(false));
        assert_eq!(unique("pp-bold"), Some(true));
        // An input's value is its text.
        assert_eq!(unique("pp-e"), Some(false));
        // A script's text is not.
        assert_eq!(unique("pp-bilby"), Some(true));
        // Case counts: the recorder reads "GALAH", the DOM says "galah".
        assert_eq!(target_of(&by_id("pp-upper")).text.as_deref(), Some("GALAH"));
        assert_eq!(unique("pp-upper"), Some(false));
        // A shadow host is searched through its shadow root only: neither
        // the host nor its slotted child is ever yielded.
        by_id("pp-chip")
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap()
            .set_inner_html("<slot></slot>");
        assert_eq!(unique("pp-slotted"), Some(false));
        assert_eq!(unique("pp-chip"), Some(false));
        // What is in an open shadow root is found.
        let shadow = by_id("pp-host")
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .unwrap();
        shadow.set_inner_html(r#"<p><i id="pp-inner">Platypus</i></p>"#);
        let inner = shadow.query_selector("#pp-inner").unwrap().unwrap();
        assert_eq!(target_of(&inner).text_contains_unique, Some(true));
    }

    #[wasm_bindgen_test]
    fn css_is_measured_through_open_shadow_roots() {
        let root = fixture(
            r#"<span id="pp-go">Go</span><div id="pp-widget"></div><span id="pp-solo">Stay</span>
               <x-pp-card id="pp-c1"></x-pp-card><x-pp-card id="pp-c2"></x-pp-card>
               <x-pp-box id="pp-box"><button id="pp-shade" type="button">Light</button></x-pp-box>"#,
        );
        let by_id = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
        let open = |id: &str, html: &str| {
            let shadow = by_id(id)
                .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
                .unwrap();
            shadow.set_inner_html(html);
            shadow
        };
        // `#pp-go` is unique in the document, not through the widget's
        // shadow root (what `pierce/` and Playwright's `css=` search).
        open("pp-widget", r#"<span id="pp-go">Go too</span>"#);
        let go = target_of(&by_id("pp-go"));
        assert_eq!(go.css, "#pp-go");
        assert!(go.css_unique);
        assert_eq!(
            (go.css_pierce_unique, go.css_chain_unique),
            (Some(false), None)
        );
        assert_eq!(target_of(&by_id("pp-solo")).css_pierce_unique, Some(true));
        // The same button in two cards: its selector alone matches both,
        // the host chain only this one.
        open("pp-c1", r#"<button id="pp-act" type="button">Act</button>"#);
        let c2 = open("pp-c2", r#"<button id="pp-act" type="button">Act</button>"#);
        let act = target_of(&c2.query_selector("#pp-act").unwrap().unwrap());
        assert_eq!(act.shadow_hosts.len(), 1);
        assert!(act.css_unique, "{}", act.css);
        assert_eq!(act.css_pierce_unique, Some(false));
        assert_eq!(
            act.css_chain_unique,
            Some(true),
            "{:?} {}",
            act.shadow_hosts,
            act.css
        );
        // Below the host, Playwright's `css=` also finds the host's light
        // child of that id: the chain is not unique for it.
        let shade = open(
            "pp-box",
            r#"<button id="pp-shade" type="button">Shade</button>"#,
        );
        let t = target_of(&shade.query_selector("#pp-shade").unwrap().unwrap());
        assert!(t.css_unique, "{}", t.css);
        assert_eq!(
            t.css_chain_unique,
            Some(false),
            "{:?} {}",
            t.shadow_hosts,
            t.css
        );
    }

    #[wasm_bindgen_test]
    fn a_host_chain_two_shadow_roots_deep_is_followed_through_both() {
        // Two copies of one widget: an outer host whose shadow root holds
        // an inner host whose shadow root holds the button. Only the chain
        // through the outer host's id tells them apart, and following it
        // means finding the innermost root inside the outer host across
        // two shadow boundaries.
        let root =
            fixture(r#"<x-pp-outer id="pp-o1"></x-pp-outer><x-pp-outer id="pp-o2"></x-pp-outer>"#);
        let mut buttons = Vec::new();
        for id in ["pp-o1", "pp-o2"] {
            let outer = root
                .query_selector(&format!("#{id}"))
                .unwrap()
                .unwrap()
                .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
                .unwrap();
            outer.set_inner_html("<x-pp-inner></x-pp-inner>");
            let inner = outer
                .query_selector("x-pp-inner")
                .unwrap()
                .unwrap()
                .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
                .unwrap();
            inner.set_inner_html(r#"<button id="pp-deep" type="button">Deep</button>"#);
            buttons.push(inner.query_selector("#pp-deep").unwrap().unwrap());
        }
        // Containment across both boundaries, which the chain check uses
        // to search only the roots inside a matched host.
        let outer_host: web_sys::Node = root.query_selector("#pp-o2").unwrap().unwrap().into();
        let other_host: web_sys::Node = root.query_selector("#pp-o1").unwrap().unwrap().into();
        let doc: web_sys::Node = document().into();
        assert!(composed_contains(&outer_host, &buttons[1]));
        assert!(composed_contains(&doc, &buttons[1]));
        assert!(!composed_contains(&other_host, &buttons[1]));
        assert!(composed_contains(&other_host, &buttons[0]));
        let t = target_of(&buttons[1]);
        assert_eq!(t.shadow_hosts.len(), 2, "{:?}", t.shadow_hosts);
        assert_eq!(t.css_pierce_unique, Some(false));
        assert_eq!(
            t.css_chain_unique,
            Some(true),
            "{:?} {}",
            t.shadow_hosts,
            t.css
        );
    }
}
