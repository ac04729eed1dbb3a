//! The browser side: web-sys listeners that read the DOM into
//! [`ElementFacts`] and hand finished events to a JS callback.
//!
//! Compiled only for wasm32. Everything that decides what a step looks like
//! lives in the pure modules; this file only reads and forwards.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{
    AddEventListenerOptions, Document, Element, Event, HtmlElement, MouseEvent, NodeList,
    ShadowRoot, Window,
};
use workflow_format::{FramePath, Modifiers, Point, Rect, limits};

use crate::capture::{self, ElementFacts};
use crate::envelope::envelope;
use crate::gate::Gate;
use crate::selector::{self, Step};

thread_local! {
    // A content script is single-threaded JS; thread-locals are simply the
    // module's globals.
    static GATE: Cell<Gate> = Cell::new(Gate::default());
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// What `start` set up for this frame.
struct State {
    /// Receives each event as a JSON string (see [`crate::envelope`]).
    sink: Function,
    /// Computed once: a frame does not move within its parent.
    frame_path: FramePath,
}

/// Starts the recorder in this frame: computes the frame path and registers
/// the capture-phase listeners. `sink` is called with one JSON string per
/// recorded event. Calling it again does nothing.
#[wasm_bindgen]
pub fn start(sink: Function) -> Result<(), JsValue> {
    if STATE.with(|s| s.borrow().is_some()) {
        return Ok(());
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let frame_path = compute_frame_path(&window)?;
    STATE.with(|s| *s.borrow_mut() = Some(State { sink, frame_path }));

    let options = AddEventListenerOptions::new();
    // Capture phase on the window: we see the click before any page handler
    // can stop its propagation. Passive: we never cancel anything.
    options.set_capture(true);
    options.set_passive(true);
    let on_click = Closure::<dyn FnMut(Event)>::new(on_click);
    window.add_event_listener_with_callback_and_add_event_listener_options(
        "click",
        on_click.as_ref().unchecked_ref(),
        &options,
    )?;
    // The listener lives as long as the frame; there is nothing to free it
    // into, so hand its memory to the JS side for good.
    on_click.forget();
    Ok(())
}

/// Opens or closes the recording gate (the service worker decides).
#[wasm_bindgen]
pub fn set_recording(on: bool) {
    GATE.with(|g| {
        let mut gate = g.get();
        gate.set_recording(on);
        g.set(gate);
    });
}

#[wasm_bindgen]
pub fn is_recording() -> bool {
    GATE.with(|g| g.get().is_recording())
}

/// This frame's path as JSON (e.g. `[]` or `[1,0]`), `null` before `start`.
#[wasm_bindgen]
pub fn frame_path() -> String {
    STATE.with(|s| match s.borrow().as_ref() {
        Some(state) => serde_json::to_string(&state.frame_path).unwrap_or_else(|_| "null".into()),
        None => "null".into(),
    })
}

fn on_click(event: Event) {
    // The gate comes first: when not recording, a click costs one branch.
    if !GATE.with(|g| g.get().admits(event.is_trusted())) {
        return;
    }
    STATE.with(|s| {
        if let Some(state) = s.borrow().as_ref()
            && let Some(json) = click_json(&event, &state.frame_path)
        {
            // A failing sink (extension reloaded, context gone) must not
            // break the page's own click handling; the event is lost.
            let _ = state.sink.call1(&JsValue::NULL, &JsValue::from_str(&json));
        }
    });
}

fn click_json(event: &Event, frame_path: &FramePath) -> Option<String> {
    let mouse = event.dyn_ref::<MouseEvent>()?;
    // `composedPath()[0]` is the real target even inside (open) shadow
    // roots, where `event.target` has been retargeted to the host.
    let element = event.composed_path().get(0).dyn_into::<Element>().ok()?;
    let facts = element_facts(&element);
    let target = capture::target(&facts, frame_path, |css| is_unique(&element, css))?;
    let modifiers = Modifiers {
        alt: mouse.alt_key(),
        ctrl: mouse.ctrl_key(),
        meta: mouse.meta_key(),
        shift: mouse.shift_key(),
    };
    let client = Point {
        x: f64::from(mouse.client_x()),
        y: f64::from(mouse.client_y()),
    };
    let kind = capture::click(target, mouse.button(), modifiers, client)?;
    let url = web_sys::window()?.location().href().ok()?;
    envelope(js_sys::Date::now(), &url, frame_path, &kind)
}

fn element_facts(element: &Element) -> ElementFacts {
    let attr = |name: &str| element.get_attribute(name);
    let tag = element.local_name().to_ascii_lowercase();
    let rect = element.get_bounding_client_rect();
    let text = match element.dyn_ref::<HtmlElement>() {
        Some(html) => Some(html.inner_text()),
        None => element.text_content(),
    };
    ElementFacts {
        chain: chain(element),
        shadow_hosts: shadow_hosts(element),
        input_type: attr("type"),
        name: attr("name"),
        role: attr("role"),
        aria_label: attr("aria-label"),
        label_text: first_label_text(element),
        placeholder: attr("placeholder"),
        autocomplete: attr("autocomplete"),
        has_href: (tag == "a" || tag == "area") && element.has_attribute("href"),
        text,
        bounds: Rect {
            x: rect.x(),
            y: rect.y(),
            width: rect.width(),
            height: rect.height(),
        },
    }
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

/// Selectors of the shadow hosts around `element`, outermost first.
fn shadow_hosts(element: &Element) -> Vec<String> {
    let mut hosts = Vec::new();
    let mut root = element.get_root_node();
    while let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
        let host = shadow.host();
        if hosts.len() >= limits::DEPTH {
            break;
        }
        // A host without a valid selector still has to occupy its level.
        hosts.push(selector::css(&chain(&host)).unwrap_or_else(|| host.local_name()));
        root = host.get_root_node();
    }
    hosts.reverse();
    hosts
}

fn first_label_text(element: &Element) -> Option<String> {
    // Only form controls have `labels`; reading it generically avoids one
    // web-sys feature per control type.
    let labels = Reflect::get(element, &JsValue::from_str("labels")).ok()?;
    let labels = labels.dyn_into::<NodeList>().ok()?;
    labels.get(0)?.text_content()
}

/// Whether `css` matches exactly one element in `element`'s own root.
fn is_unique(element: &Element, css: &str) -> bool {
    let root = element.get_root_node();
    let found = if let Some(doc) = root.dyn_ref::<Document>() {
        doc.query_selector_all(css)
    } else if let Some(shadow) = root.dyn_ref::<ShadowRoot>() {
        shadow.query_selector_all(css)
    } else {
        return false;
    };
    found.map(|list| list.length() == 1).unwrap_or(false)
}

/// Index path from the top frame, following `window.frames` order. Cross-
/// origin parents still expose `frames`, `length` and `parent`, so this works
/// in every frame the content script is injected into.
fn compute_frame_path(window: &Window) -> Result<FramePath, JsValue> {
    let mut path = Vec::new();
    let mut current: JsValue = window.clone().into();
    loop {
        let parent = Reflect::get(&current, &JsValue::from_str("parent"))?;
        if parent.is_null() || parent.is_undefined() || parent == current {
            break;
        }
        if path.len() >= limits::DEPTH {
            return Err(JsValue::from_str("frames nested too deeply"));
        }
        let frames = Reflect::get(&parent, &JsValue::from_str("frames"))?;
        let len = Reflect::get(&frames, &JsValue::from_str("length"))?
            .as_f64()
            .unwrap_or(0.0) as u32;
        let index = (0..len)
            .find(|&i| Reflect::get_u32(&frames, i).is_ok_and(|f| f == current))
            .ok_or_else(|| JsValue::from_str("frame not found in its parent"))?;
        path.push(index);
        current = parent;
    }
    path.reverse();
    Ok(path)
}
