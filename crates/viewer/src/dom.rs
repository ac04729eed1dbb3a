//! Small DOM helpers. Text always goes in through `textContent`, never as
//! HTML: names, URLs and titles come from recorded pages and must not be
//! able to inject markup into an extension page.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("an extension page has a document")
}

/// The element with `id`; the ids are in crates/viewer/index.html.
pub fn by_id(id: &str) -> Element {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("crates/viewer/index.html lacks #{id}"))
}

/// `<tag class="class">text</tag>`.
pub fn el(tag: &str, class: &str, text: &str) -> Element {
    let e = document().create_element(tag).expect("a valid tag name");
    if !class.is_empty() {
        e.set_class_name(class);
    }
    if !text.is_empty() {
        e.set_text_content(Some(text));
    }
    e
}

pub fn append(parent: &Element, child: &Element) {
    parent.append_child(child).expect("appending to an element");
}

pub fn set_hidden(e: &Element, hidden: bool) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        h.set_hidden(hidden);
    }
}

pub fn clear(e: &Element) {
    e.set_text_content(None);
}
