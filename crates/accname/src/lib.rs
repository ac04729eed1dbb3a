//! An element's ARIA role and accessible name, computed the way Chromium
//! computes them (WAI-ARIA 1.2 role rules, HTML-AAM for native elements,
//! accname 1.2 for names), over any DOM behind the [`Dom`] trait.
//!
//! This is the one implementation in clawtrail. The recorder runs it on the
//! page's real DOM (recorder-wasm's `dom.rs` implements [`Dom`] over
//! web-sys); the tests here run it on a small in-memory tree; and an e2e
//! conformance test (`tests/e2e/accname-conformance.test.js`) holds its
//! answers to Chromium's own accessibility tree, case by case. Where the
//! two disagree the browser is right and this crate is wrong. The replayer
//! does not compute names at all: it asks the browser (WebDriver's Get
//! Computed Role / Label), so a recorded name only has to be the browser's.
//!
//! One deliberate difference from the browser: the value a user typed into
//! a text field is never part of another element's name (accname 2E would
//! put it there for a field embedded in a label). A recording must not
//! carry typed text outside the redaction rules.

use workflow_format::{is_aria_role, name_from_content};

/// How an element is rendered, as far as names are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shown {
    /// Not rendered (`display: none`, the `hidden` attribute): it and all
    /// its content are left out of names.
    No,
    /// `visibility: hidden` (or `collapse`): its own text is left out, but
    /// a descendant can make itself visible again.
    Invisible,
    Yes,
}

/// The computed `text-transform` of an element: Chromium's accessibility
/// tree names by the text as rendered, so `text-transform: uppercase`
/// makes Django's "Add group" link "ADD GROUP".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Transform {
    #[default]
    None,
    Uppercase,
    Lowercase,
    Capitalize,
}

impl Transform {
    /// `text` as rendered under this transform. `Capitalize` uppercases the
    /// first letter of each word (a word starting after whitespace).
    pub fn apply(self, text: &str) -> String {
        match self {
            Transform::None => text.to_owned(),
            Transform::Uppercase => text.to_uppercase(),
            Transform::Lowercase => text.to_lowercase(),
            Transform::Capitalize => {
                let mut out = String::with_capacity(text.len());
                let mut start = true;
                for c in text.chars() {
                    if start && c.is_alphabetic() {
                        out.extend(c.to_uppercase());
                    } else {
                        out.push(c);
                    }
                    start = c.is_whitespace();
                }
                out
            }
        }
    }
}

/// The defaults a custom element gave itself through `ElementInternals`
/// (`internals.role`, `internals.ariaLabel`). Only the element's own class
/// holds that object; the DOM glue learns them from a main-world helper.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Internals {
    pub role: Option<String>,
    pub label: Option<String>,
}

/// Read access to a DOM, in the flat tree (shadow roots and slots
/// resolved). Every method is a plain DOM or CSSOM read; every decision is
/// in this crate.
pub trait Dom {
    type Node: Clone + PartialEq;
    /// The data of a text node; `None` for an element.
    fn text(&self, node: &Self::Node) -> Option<String>;
    /// Lower-case local name of an element.
    fn tag(&self, el: &Self::Node) -> String;
    fn attr(&self, el: &Self::Node, name: &str) -> Option<String>;
    /// Children in the flat tree, elements and text nodes only: a shadow
    /// host's shadow-root children (not its light children), a slot's
    /// flattened assigned nodes (its own children when none are assigned).
    fn children(&self, el: &Self::Node) -> Vec<Self::Node>;
    /// The element with this id in `el`'s tree scope (its document or its
    /// shadow root), as `getElementById` finds it.
    fn by_id(&self, el: &Self::Node, id: &str) -> Option<Self::Node>;
    /// `el.labels`, in document order (empty for elements without).
    fn labels(&self, el: &Self::Node) -> Vec<Self::Node>;
    fn shown(&self, el: &Self::Node) -> Shown;
    /// Whether the computed `display` is inline-level: inline content
    /// joins its neighbours without a space, a block is set apart.
    fn inline(&self, el: &Self::Node) -> bool;
    /// The computed `text-transform`, which applies to its text children.
    fn transform(&self, el: &Self::Node) -> Transform;
    /// The text of the `::before` (or `::after`) pseudo-element when its
    /// computed `content` is text.
    fn pseudo_text(&self, el: &Self::Node, after: bool) -> Option<String>;
    /// The `value` IDL attribute. Asked only of input buttons (their
    /// caption), ranges and spin buttons: never of a field a user types in.
    fn value(&self, el: &Self::Node) -> String;
    /// The texts of a `<select>`'s selected options.
    fn selected_texts(&self, el: &Self::Node) -> Vec<String>;
    fn internals(&self, el: &Self::Node) -> Internals;
    /// Whether the element can take focus (a `role="none"` on it is then
    /// ignored, as ARIA's conflict resolution says).
    fn focusable(&self, el: &Self::Node) -> bool;
}

/// At most this many nodes are visited for one name: a click on a
/// container the size of the page must not walk all of it (and the name
/// is cut to a short string anyway).
pub const NODE_BUDGET: u32 = 2_000;
/// Names are built up to this many bytes before whitespace is collapsed.
const RAW_MAX: usize = 4_096;
/// `aria-labelledby` ids followed, at most.
const IDREFS_MAX: usize = 32;

/// Roles that are not worth recording: the element has no semantics of its
/// own. Chromium reports `generic` (a `<div>`, an `<a>` without `href`) or
/// `none`.
fn meaningful(role: &str) -> bool {
    !matches!(role, "generic" | "none" | "presentation")
}

/// The element's role as Chromium reports it, or `None` when it has none
/// worth recording (generic containers, elements Chromium gives an
/// internal, non-ARIA role such as a `<label>` or a `<summary>`).
pub fn role<D: Dom>(dom: &D, el: &D::Node) -> Option<String> {
    if let Some(explicit) = dom.attr(el, "role").as_deref().and_then(first_role) {
        let presentational = explicit == "none";
        // ARIA's conflict resolution: a focusable element (or one with a
        // global ARIA property) keeps its implicit role.
        if !(presentational && (dom.focusable(el) || has_global_aria(dom, el))) {
            return meaningful(&explicit).then_some(explicit);
        }
    } else if let Some(own) = dom.internals(el).role.as_deref().and_then(first_role) {
        return meaningful(&own).then_some(own);
    }
    implicit_role(dom, el).map(str::to_owned)
}

/// The first token of a role list that is a real ARIA role: a browser
/// skips the ones it does not know (`role="switch checkbox"` on an old
/// browser is a checkbox), and a page's `role="button] >> css=body"` never
/// becomes one. `presentation` is the old name of `none`.
fn first_role(list: &str) -> Option<String> {
    list.split_ascii_whitespace()
        .map(str::to_ascii_lowercase)
        .find(|t| is_aria_role(t) && !ABSTRACT_ROLES.contains(&t.as_str()))
        .map(|t| match t.as_str() {
            "presentation" => "none".to_owned(),
            "img" => "image".to_owned(),
            _ => t,
        })
}

/// Abstract roles: authors may not use them, and browsers ignore them.
const ABSTRACT_ROLES: &[&str] = &[
    "command",
    "composite",
    "input",
    "landmark",
    "range",
    "roletype",
    "section",
    "sectionhead",
    "select",
    "structure",
    "widget",
    "window",
];

fn has_global_aria<D: Dom>(dom: &D, el: &D::Node) -> bool {
    [
        "aria-label",
        "aria-labelledby",
        "aria-describedby",
        "aria-live",
    ]
    .iter()
    .any(|a| dom.attr(el, a).is_some())
}

/// HTML-AAM's implicit roles, in Chromium's spelling (`image`, not `img`),
/// for the elements that have one worth recording.
fn implicit_role<D: Dom>(dom: &D, el: &D::Node) -> Option<&'static str> {
    let tag = dom.tag(el);
    Some(match tag.as_str() {
        "a" | "area" if dom.attr(el, "href").is_some() => "link",
        "article" => "article",
        "aside" => "complementary",
        "blockquote" => "blockquote",
        "button" => "button",
        "datalist" => "listbox",
        "details" | "fieldset" | "optgroup" => "group",
        "dialog" => "dialog",
        "figure" => "figure",
        "form" => "form",
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => "heading",
        "hr" => "separator",
        "img" => {
            // An empty alt says "decorative".
            if dom.attr(el, "alt").is_some_and(|a| a.is_empty()) {
                return None;
            }
            "image"
        }
        "input" => return input_role(dom, el),
        "li" => "listitem",
        "main" => "main",
        "menu" | "ol" | "ul" => "list",
        "meter" => "meter",
        "nav" => "navigation",
        "option" => "option",
        "output" => "status",
        "p" => "paragraph",
        "progress" => "progressbar",
        "search" => "search",
        "select" => {
            let multiple = dom.attr(el, "multiple").is_some();
            let size = dom
                .attr(el, "size")
                .and_then(|s| s.trim().parse::<u32>().ok())
                .unwrap_or(0);
            if multiple || size > 1 {
                "listbox"
            } else {
                "combobox"
            }
        }
        "table" => "table",
        "tbody" | "thead" | "tfoot" => "rowgroup",
        "td" => "cell",
        "th" => "columnheader",
        "tr" => "row",
        "textarea" => "textbox",
        _ => return None,
    })
}

/// The tags that may have `role` without a `role` attribute (the inverse
/// of [`implicit_role`], for finding every element that could share a
/// recorded role). Inputs are listed as `input`; attributes still decide.
pub fn tags_with_implicit_role(role: &str) -> &'static [&'static str] {
    match role {
        "link" => &["a", "area"],
        "article" => &["article"],
        "complementary" => &["aside"],
        "blockquote" => &["blockquote"],
        "button" | "checkbox" | "radio" | "slider" | "spinbutton" | "searchbox" | "textbox" => {
            &["button", "input", "textarea"]
        }
        "combobox" | "listbox" => &["select", "input", "datalist"],
        "group" => &["details", "fieldset", "optgroup"],
        "dialog" => &["dialog"],
        "figure" => &["figure"],
        "form" => &["form"],
        "heading" => &["h1", "h2", "h3", "h4", "h5", "h6"],
        "separator" => &["hr"],
        "image" => &["img"],
        "listitem" => &["li"],
        "main" => &["main"],
        "list" => &["menu", "ol", "ul"],
        "meter" => &["meter"],
        "navigation" => &["nav"],
        "option" => &["option"],
        "status" => &["output"],
        "paragraph" => &["p"],
        "progressbar" => &["progress"],
        "search" => &["search"],
        "table" => &["table"],
        "rowgroup" => &["tbody", "thead", "tfoot"],
        "cell" => &["td"],
        "columnheader" => &["th"],
        "row" => &["tr"],
        _ => &[],
    }
}

fn input_type<D: Dom>(dom: &D, el: &D::Node) -> String {
    dom.attr(el, "type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

fn input_role<D: Dom>(dom: &D, el: &D::Node) -> Option<&'static str> {
    let list = dom.attr(el, "list").is_some();
    Some(match input_type(dom, el).as_str() {
        "button" | "submit" | "reset" | "image" => "button",
        "checkbox" => "checkbox",
        "radio" => "radio",
        "range" => "slider",
        "number" => "spinbutton",
        "search" if list => "combobox",
        "search" => "searchbox",
        "email" | "tel" | "text" | "url" | "" if list => "combobox",
        "email" | "tel" | "text" | "url" | "password" | "" => "textbox",
        // hidden, and the types Chromium gives roles of its own (color,
        // date, file...): nothing a recording can name by role.
        "hidden" | "color" | "date" | "datetime-local" | "file" | "month" | "time" | "week" => {
            return None;
        }
        // An unknown type is a text input.
        _ => "textbox",
    })
}

/// The element's accessible name, whitespace collapsed and trimmed; empty
/// when it has none.
pub fn name<D: Dom>(dom: &D, el: &D::Node) -> String {
    let role = role(dom, el);
    name_with_role(dom, el, role.as_deref())
}

/// [`name`] for an element whose [`role`] is already known.
pub fn name_with_role<D: Dom>(dom: &D, el: &D::Node, role: Option<&str>) -> String {
    let mut walk = Walk {
        dom,
        root: el.clone(),
        budget: NODE_BUDGET,
    };
    let raw = walk.element(el, role, Mode::ROOT);
    collapse(&raw)
}

/// Where the computation is: at the element being named, or recursing into
/// content, a label or an `aria-labelledby` target.
#[derive(Debug, Clone, Copy)]
struct Mode {
    recursing: bool,
    /// Inside an `aria-labelledby` traversal: not followed again (this is
    /// what keeps two elements naming each other from looping).
    labelledby: bool,
    /// Hidden content counts: an `aria-labelledby` target that is itself
    /// hidden lends its whole text.
    hidden_ok: bool,
}

impl Mode {
    const ROOT: Mode = Mode {
        recursing: false,
        labelledby: false,
        hidden_ok: false,
    };
    fn content(self) -> Mode {
        Mode {
            recursing: true,
            ..self
        }
    }
}

struct Walk<'a, D: Dom> {
    dom: &'a D,
    root: D::Node,
    budget: u32,
}

impl<D: Dom> Walk<'_, D> {
    fn spend(&mut self) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        true
    }

    /// accname's "compute the text alternative of the current node" for an
    /// element, steps 2A to 2I.
    fn element(&mut self, el: &D::Node, role: Option<&str>, mode: Mode) -> String {
        if !self.spend() {
            return String::new();
        }
        let dom = self.dom;
        let is_root = *el == self.root;
        // 2A: hidden content is not part of a name.
        if !mode.hidden_ok && mode.recursing {
            if dom.shown(el) == Shown::No {
                return String::new();
            }
            if dom
                .attr(el, "aria-hidden")
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
            {
                return String::new();
            }
        }
        // 2B: aria-labelledby, once.
        if !mode.labelledby
            && let Some(ids) = dom.attr(el, "aria-labelledby")
        {
            let mut parts = Vec::new();
            for id in ids.split_ascii_whitespace().take(IDREFS_MAX) {
                let Some(target) = dom.by_id(el, id) else {
                    continue;
                };
                let hidden = dom.shown(&target) == Shown::No;
                let target_role = role_of(dom, &target);
                // An element among its own labels ("Download" in
                // aria-labelledby="self file") gives its own text
                // alternative, as if named directly.
                let part = self.element(
                    &target,
                    target_role.as_deref(),
                    Mode {
                        recursing: target != self.root,
                        labelledby: true,
                        hidden_ok: mode.hidden_ok || hidden,
                    },
                );
                parts.push(part);
            }
            let joined = parts.join(" ");
            if !joined.trim().is_empty() {
                return joined;
            }
        }
        // The element being named, met again inside its own label or
        // content, adds nothing ("Country <select>" names the select
        // "Country").
        if is_root && mode.recursing {
            return String::new();
        }
        // 2E: a control embedded in the name of another element lends its
        // value, not its label.
        if mode.recursing
            && !is_root
            && let Some(value) = self.embedded_value(el, role)
        {
            return value;
        }
        // 2C: aria-label (or the ElementInternals default).
        if let Some(label) = dom
            .attr(el, "aria-label")
            .filter(|l| !l.trim().is_empty())
            .or_else(|| dom.internals(el).label.filter(|l| !l.trim().is_empty()))
        {
            return label;
        }
        // 2D: what the host language says.
        if let Some(native) = self.native(el, mode) {
            return native;
        }
        // 2F: name from content, for the roles that allow it and for
        // everything reached while recursing.
        if mode.recursing || role.is_some_and(name_from_content) {
            let text = self.content(el, mode.content());
            if !text.trim().is_empty() {
                return text;
            }
        }
        // 2I: the tooltip.
        dom.attr(el, "title").unwrap_or_default()
    }

    /// 2E for the controls whose value may be told: a select's choice, a
    /// range's number. A text field's typed value is never read (see the
    /// crate docs): it counts as empty.
    fn embedded_value(&mut self, el: &D::Node, role: Option<&str>) -> Option<String> {
        let dom = self.dom;
        match role? {
            "textbox" | "searchbox" => Some(String::new()),
            "combobox" | "listbox" if dom.tag(el) == "select" => {
                Some(dom.selected_texts(el).join(" "))
            }
            "combobox" | "listbox" => Some(String::new()),
            "slider" | "spinbutton" | "progressbar" | "meter" | "scrollbar" => Some(
                dom.attr(el, "aria-valuetext")
                    .or_else(|| dom.attr(el, "aria-valuenow"))
                    .unwrap_or_else(|| {
                        if dom.tag(el) == "input" {
                            dom.value(el)
                        } else {
                            String::new()
                        }
                    }),
            ),
            _ => None,
        }
    }

    /// 2D: labels, alt, value, legend, caption, title and placeholder, as
    /// HTML-AAM orders them per element. `Some` ends the computation.
    fn native(&mut self, el: &D::Node, mode: Mode) -> Option<String> {
        let dom = self.dom;
        let tag = dom.tag(el);
        let nonempty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        match tag.as_str() {
            "input" => {
                let kind = input_type(dom, el);
                match kind.as_str() {
                    "submit" | "reset" | "button" => {
                        if let Some(v) = nonempty(Some(dom.value(el))) {
                            return Some(v);
                        }
                        return match kind.as_str() {
                            "submit" => Some("Submit".to_owned()),
                            "reset" => Some("Reset".to_owned()),
                            _ => nonempty(dom.attr(el, "title")),
                        };
                    }
                    "image" => {
                        return nonempty(dom.attr(el, "alt"))
                            .or_else(|| nonempty(dom.attr(el, "value")))
                            .or_else(|| nonempty(dom.attr(el, "title")))
                            .or_else(|| Some("Submit".to_owned()));
                    }
                    "hidden" => return Some(String::new()),
                    _ => {}
                }
                self.labelled(el, mode)
                    .or_else(|| nonempty(dom.attr(el, "title")))
                    .or_else(|| nonempty(dom.attr(el, "placeholder")))
                    .or(Some(String::new()))
            }
            "textarea" => self
                .labelled(el, mode)
                .or_else(|| nonempty(dom.attr(el, "title")))
                .or_else(|| nonempty(dom.attr(el, "placeholder")))
                .or(Some(String::new())),
            "select" => self
                .labelled(el, mode)
                .or_else(|| nonempty(dom.attr(el, "title")))
                .or(Some(String::new())),
            // Labels name these as well; their content comes next (2F).
            "button" | "meter" | "output" | "progress" => self.labelled(el, mode),
            // Present, even empty, alt is the whole name: alt="" says
            // "decorative", and a link around such an image is named by
            // its other content.
            "img" | "area" => dom.attr(el, "alt"),
            "fieldset" => self.first_child_named(el, "legend", mode),
            "figure" => self.first_child_named(el, "figcaption", mode),
            "table" => self.first_child_named(el, "caption", mode),
            _ => None,
        }
    }

    /// The text of the element's `<label>`s, joined.
    fn labelled(&mut self, el: &D::Node, mode: Mode) -> Option<String> {
        if mode.recursing {
            return None;
        }
        let labels = self.dom.labels(el);
        let parts: Vec<String> = labels
            .iter()
            .map(|label| self.content(label, mode.content()))
            .collect();
        let joined = parts.join(" ");
        (!joined.trim().is_empty()).then_some(joined)
    }

    fn first_child_named(&mut self, el: &D::Node, tag: &str, mode: Mode) -> Option<String> {
        let dom = self.dom;
        let child = dom
            .children(el)
            .into_iter()
            .find(|c| dom.text(c).is_none() && dom.tag(c) == tag)?;
        let text = self.content(&child, mode.content());
        (!text.trim().is_empty()).then_some(text)
    }

    /// 2F and 2G: the names of the children in the flat tree, with CSS
    /// generated content around them; block-level children are set apart
    /// by spaces, inline ones are not.
    fn content(&mut self, el: &D::Node, mode: Mode) -> String {
        let dom = self.dom;
        let mut out = String::new();
        let shown = dom.shown(el);
        let text_counts = mode.hidden_ok || shown == Shown::Yes;
        let mut transform = None;
        if text_counts && let Some(before) = dom.pseudo_text(el, false) {
            out.push_str(&before);
        }
        for child in dom.children(el) {
            if out.len() > RAW_MAX || self.budget == 0 {
                break;
            }
            if let Some(text) = dom.text(&child) {
                if !self.spend() {
                    break;
                }
                if text_counts {
                    let t = *transform.get_or_insert_with(|| dom.transform(el));
                    out.push_str(&t.apply(&text));
                }
                continue;
            }
            let child_role = role_of(dom, &child);
            let part = self.element(&child, child_role.as_deref(), mode);
            if dom.inline(&child) {
                out.push_str(&part);
            } else {
                out.push(' ');
                out.push_str(&part);
                out.push(' ');
            }
        }
        if text_counts && let Some(after) = dom.pseudo_text(el, true) {
            out.push_str(&after);
        }
        out
    }
}

/// The role of an element met during a walk (implicit roles matter there:
/// an embedded `<select>`, an `<img>` with alt).
fn role_of<D: Dom>(dom: &D, el: &D::Node) -> Option<String> {
    role(dom, el)
}

/// Collapses whitespace runs to one space and trims, as Chromium does to
/// a computed name.
pub fn collapse(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of a computed CSS `content` value, when it is made of strings:
/// `"Cart: "` gives `Cart: `; `"★" / "Favourite"` gives the alternative
/// text after the slash, which is what Chromium names it by. Anything
/// else (`none`, `normal`, counters, images) gives `None`.
pub fn css_content_text(content: &str) -> Option<String> {
    let mut strings: Vec<String> = Vec::new();
    let mut alt: Option<Vec<String>> = None;
    let mut chars = content.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' => {
                let mut s = String::new();
                while let Some(d) = chars.next() {
                    if d == c {
                        break;
                    }
                    if d == '\\' {
                        // A hex escape (`\2605 `) or an escaped character.
                        let mut hex = String::new();
                        while hex.len() < 6 && chars.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
                            hex.push(chars.next().unwrap_or_default());
                        }
                        if hex.is_empty() {
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        } else {
                            if chars.peek() == Some(&' ') {
                                chars.next();
                            }
                            if let Some(ch) =
                                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                            {
                                s.push(ch);
                            }
                        }
                        continue;
                    }
                    s.push(d);
                }
                match alt.as_mut() {
                    Some(a) => a.push(s),
                    None => strings.push(s),
                }
            }
            '/' => alt = Some(Vec::new()),
            c if c.is_whitespace() => {}
            // counter(), attr(), url(), open-quote...: not plain text.
            _ => return None,
        }
    }
    let parts = alt.unwrap_or(strings);
    (!parts.is_empty()).then(|| parts.concat())
}

#[cfg(test)]
mod tests;
