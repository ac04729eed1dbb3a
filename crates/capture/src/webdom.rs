//! The page's DOM as [`clawtrail_accname`] reads it: plain DOM and CSSOM
//! reads over web-sys, no decisions (those are in the accname crate, under
//! `cargo test`, and held to Chromium by the e2e conformance test).

use clawtrail_accname::{Dom, Internals, Shown, Transform, css_content_text};
use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, Event, Node, NodeList, ShadowRoot, Window};

/// Children looked at per element, at most (the name walk has a node
/// budget too; this bounds one huge list's copy).
const CHILDREN_MAX: u32 = 2_000;

pub struct WebDom {
    window: Window,
}

impl WebDom {
    pub fn new() -> Option<WebDom> {
        Some(WebDom {
            window: web_sys::window()?,
        })
    }

    fn style(&self, el: &Element, pseudo: Option<&str>) -> Option<web_sys::CssStyleDeclaration> {
        match pseudo {
            None => self.window.get_computed_style(el).ok().flatten(),
            Some(p) => self
                .window
                .get_computed_style_with_pseudo_elt(el, p)
                .ok()
                .flatten(),
        }
    }

    fn display(&self, el: &Element) -> String {
        self.style(el, None)
            .and_then(|s| s.get_property_value("display").ok())
            .unwrap_or_default()
    }
}

fn element(node: &Node) -> Option<&Element> {
    node.dyn_ref::<Element>()
}

fn nodes(list: &NodeList) -> Vec<Node> {
    (0..list.length().min(CHILDREN_MAX))
        .filter_map(|i| list.get(i))
        .filter(|n| matches!(n.node_type(), Node::ELEMENT_NODE | Node::TEXT_NODE))
        .collect()
}

impl Dom for WebDom {
    type Node = Node;

    fn text(&self, node: &Node) -> Option<String> {
        (node.node_type() == Node::TEXT_NODE).then(|| node.node_value().unwrap_or_default())
    }

    fn tag(&self, el: &Node) -> String {
        element(el)
            .map(|e| e.local_name().to_ascii_lowercase())
            .unwrap_or_default()
    }

    fn attr(&self, el: &Node, name: &str) -> Option<String> {
        element(el)?.get_attribute(name)
    }

    fn children(&self, el: &Node) -> Vec<Node> {
        let Some(e) = element(el) else {
            return Vec::new();
        };
        if let Some(shadow) = e.shadow_root() {
            return nodes(&shadow.child_nodes());
        }
        if e.local_name().eq_ignore_ascii_case("slot") {
            // assignedNodes({flatten: true}): nested slots resolved, and a
            // slot with nothing assigned gives its fallback content.
            let options = js_sys::Object::new();
            let _ = Reflect::set(&options, &"flatten".into(), &JsValue::TRUE);
            if let Some(list) = Reflect::get(e, &JsValue::from_str("assignedNodes"))
                .ok()
                .and_then(|f| f.dyn_into::<Function>().ok())
                .and_then(|f| f.call1(e, &options).ok())
                .and_then(|a| a.dyn_into::<js_sys::Array>().ok())
            {
                return list
                    .iter()
                    .take(CHILDREN_MAX as usize)
                    .filter_map(|n| n.dyn_into::<Node>().ok())
                    .filter(|n| matches!(n.node_type(), Node::ELEMENT_NODE | Node::TEXT_NODE))
                    .collect();
            }
        }
        nodes(&e.child_nodes())
    }

    fn by_id(&self, el: &Node, id: &str) -> Option<Node> {
        let root = el.get_root_node();
        let found = if let Some(doc) = root.dyn_ref::<Document>() {
            doc.get_element_by_id(id)
        } else {
            root.dyn_ref::<ShadowRoot>()?.get_element_by_id(id)
        };
        found.map(Node::from)
    }

    fn labels(&self, el: &Node) -> Vec<Node> {
        // Only labelable elements have `labels`; reading it generically
        // avoids one web-sys feature per control type.
        Reflect::get(el, &JsValue::from_str("labels"))
            .ok()
            .and_then(|l| l.dyn_into::<NodeList>().ok())
            .map(|l| nodes(&l))
            .unwrap_or_default()
    }

    fn shown(&self, el: &Node) -> Shown {
        let Some(e) = element(el) else {
            return Shown::Yes;
        };
        let Some(style) = self.style(e, None) else {
            return Shown::Yes;
        };
        let get = |p: &str| style.get_property_value(p).unwrap_or_default();
        if get("display") == "none" {
            return Shown::No;
        }
        match get("visibility").as_str() {
            "hidden" | "collapse" => Shown::Invisible,
            _ => Shown::Yes,
        }
    }

    fn inline(&self, el: &Node) -> bool {
        let Some(e) = element(el) else {
            return true;
        };
        let display = self.display(e);
        // `display: contents` has no box: its children join the parent's
        // flow, as inline content would.
        display.starts_with("inline") || display == "contents" || display.is_empty()
    }

    fn transform(&self, el: &Node) -> Transform {
        let value = element(el)
            .and_then(|e| self.style(e, None))
            .and_then(|s| s.get_property_value("text-transform").ok())
            .unwrap_or_default();
        match value.as_str() {
            "uppercase" => Transform::Uppercase,
            "lowercase" => Transform::Lowercase,
            "capitalize" => Transform::Capitalize,
            _ => Transform::None,
        }
    }

    fn pseudo_text(&self, el: &Node, after: bool) -> Option<String> {
        let e = element(el)?;
        let style = self.style(e, Some(if after { "::after" } else { "::before" }))?;
        css_content_text(&style.get_property_value("content").ok()?)
    }

    fn value(&self, el: &Node) -> String {
        Reflect::get(el, &JsValue::from_str("value"))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    }

    fn selected_texts(&self, el: &Node) -> Vec<String> {
        let Ok(options) = Reflect::get(el, &JsValue::from_str("selectedOptions")) else {
            return Vec::new();
        };
        let len = Reflect::get(&options, &JsValue::from_str("length"))
            .ok()
            .and_then(|l| l.as_f64())
            .unwrap_or(0.0) as u32;
        (0..len.min(64))
            .filter_map(|i| Reflect::get_u32(&options, i).ok())
            .filter_map(|o| Reflect::get(&o, &JsValue::from_str("text")).ok())
            .filter_map(|t| t.as_string())
            .collect()
    }

    fn internals(&self, el: &Node) -> Internals {
        match element(el) {
            // Only custom elements (a hyphen in the name) can have them.
            Some(e) if e.local_name().contains('-') => internals_of(e),
            _ => Internals::default(),
        }
    }

    fn focusable(&self, el: &Node) -> bool {
        let Some(e) = element(el) else {
            return false;
        };
        let tag = e.local_name().to_ascii_lowercase();
        e.has_attribute("tabindex")
            || matches!(
                tag.as_str(),
                "button" | "input" | "select" | "textarea" | "summary"
            )
            || (matches!(tag.as_str(), "a" | "area") && e.has_attribute("href"))
            || e.get_attribute("contenteditable")
                .is_some_and(|v| !v.eq_ignore_ascii_case("false"))
    }
}

/// Asks extension/src/internals.js (the main-world helper) for the
/// ElementInternals role and label of `el`: a synchronous event round
/// trip. Nothing answers when the helper is absent (an older extension
/// build, a frame it could not reach): no internals then.
fn internals_of(el: &Element) -> Internals {
    let answer: std::rc::Rc<std::cell::RefCell<Option<String>>> = Default::default();
    let sink = answer.clone();
    let reply = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
        let detail = Reflect::get(&event, &JsValue::from_str("detail"))
            .ok()
            .and_then(|d| d.as_string());
        *sink.borrow_mut() = detail;
    });
    let function: &Function = reply.as_ref().unchecked_ref();
    if el
        .add_event_listener_with_callback("clawtrail-internals-reply", function)
        .is_err()
    {
        return Internals::default();
    }
    if let Ok(query) = Event::new("clawtrail-internals") {
        let _ = el.dispatch_event(&query);
    }
    let _ = el.remove_event_listener_with_callback("clawtrail-internals-reply", function);
    let text = answer.borrow_mut().take();
    let Some(text) = text else {
        return Internals::default();
    };
    // `[role, label]`, each a string or null.
    let parsed: Option<(Option<String>, Option<String>)> = serde_json::from_str(&text).ok();
    let Some((role, label)) = parsed else {
        return Internals::default();
    };
    Internals { role, label }
}
