//! Which element a click meant.
//!
//! `composedPath()[0]` is the innermost node under the pointer: the `<img>`
//! inside a launcher tile, the `<span>` label of a dialog button, the
//! `<slot>` a web component shows its text through. None of these is what
//! a user clicked in their own eyes, and a replayer looking for them fails
//! (an image with no name, a slot with no box, whose click the host
//! "intercepts"). The element meant is the nearest actionable one along the
//! composed path: a native control or link, an element with an interactive
//! role, an editing host, or a custom-element host that names itself. The
//! recorded offset is then taken inside that element's box, so a replay
//! still clicks the same spot.

/// What the glue read about one element of the composed path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathElement {
    /// Lower-case local name.
    pub tag: String,
    /// Its role as `clawtrail_accname::role` computes it.
    pub role: Option<String>,
    /// `<input type=hidden>`: never a click target.
    pub hidden_input: bool,
    /// `<a>`/`<area>` with `href`.
    pub has_href: bool,
    /// The root of a contenteditable region (a rich-text editor's body).
    pub editing_host: bool,
    /// `aria-label`, `aria-labelledby` or an ElementInternals label.
    pub labelled: bool,
}

/// Roles a user acts on: WAI-ARIA's widget roles (and `tab`, `treeitem`,
/// `gridcell`, which are widgets too).
const INTERACTIVE_ROLES: &[&str] = &[
    "button",
    "checkbox",
    "combobox",
    "gridcell",
    "link",
    "listbox",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "scrollbar",
    "searchbox",
    "slider",
    "spinbutton",
    "switch",
    "tab",
    "textbox",
    "treeitem",
];

/// Whether a user acts on `el` itself when clicking inside it.
pub fn is_actionable(el: &PathElement) -> bool {
    let native = match el.tag.as_str() {
        "button" | "select" | "textarea" | "summary" | "option" => true,
        "input" => !el.hidden_input,
        "a" | "area" => el.has_href,
        _ => false,
    };
    let interactive = el
        .role
        .as_deref()
        .is_some_and(|r| INTERACTIVE_ROLES.contains(&r));
    let named_host = el.tag.contains('-') && (el.labelled || el.role.is_some());
    native || interactive || el.editing_host || named_host
}

/// The index in `path` (innermost first, up to the document's top element)
/// of the element a click meant: the first actionable one, or the
/// innermost element when none is (a click on plain text).
pub fn meant(path: &[PathElement]) -> usize {
    path.iter().position(is_actionable).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(tag: &str) -> PathElement {
        PathElement {
            tag: tag.into(),
            ..PathElement::default()
        }
    }

    fn with_role(tag: &str, role: &str) -> PathElement {
        PathElement {
            role: Some(role.into()),
            ..el(tag)
        }
    }

    #[test]
    fn an_image_in_a_tile_button_means_the_button() {
        let path = [
            el("img"),
            el("div"),
            with_role("button", "button"),
            el("body"),
        ];
        assert_eq!(meant(&path), 2);
    }

    #[test]
    fn a_label_div_in_a_dialog_button_means_the_button() {
        let path = [
            el("div"),
            with_role("div", "button"),
            with_role("div", "dialog"),
            el("body"),
        ];
        assert_eq!(meant(&path), 1);
    }

    #[test]
    fn slotted_text_means_the_shadow_button_or_the_option_host() {
        // <sl-button>Submit</sl-button>: slot → shadow <button> → host.
        let path = [
            el("slot"),
            with_role("button", "button"),
            el("sl-button"),
            el("form"),
        ];
        assert_eq!(meant(&path), 1);
        // <sl-option role=option>Pro</sl-option>: slot → divs → host.
        let path = [
            el("slot"),
            el("div"),
            el("div"),
            with_role("sl-option", "option"),
            el("div"),
        ];
        assert_eq!(meant(&path), 3);
    }

    #[test]
    fn a_labelled_custom_host_is_actionable_an_unnamed_one_is_not() {
        let mut host = el("x-tile");
        assert!(!is_actionable(&host));
        host.labelled = true;
        assert!(is_actionable(&host));
        assert_eq!(meant(&[el("span"), host, el("body")]), 1);
    }

    #[test]
    fn links_need_href_inputs_must_not_be_hidden() {
        let mut a = el("a");
        assert!(!is_actionable(&a));
        a.has_href = true;
        assert!(is_actionable(&a));
        let mut input = el("input");
        assert!(is_actionable(&input));
        input.hidden_input = true;
        assert!(!is_actionable(&input));
    }

    #[test]
    fn a_click_in_an_editor_means_its_editing_host() {
        let host = PathElement {
            editing_host: true,
            ..el("div")
        };
        assert_eq!(meant(&[el("span"), el("p"), host, el("body")]), 2);
        // CodeMirror's content element has role textbox.
        let cm = with_role("div", "textbox");
        assert_eq!(meant(&[el("span"), el("div"), cm, el("div")]), 2);
    }

    #[test]
    fn plain_text_stays_the_innermost_element() {
        assert_eq!(meant(&[el("span"), el("p"), el("main"), el("body")]), 0);
        assert_eq!(meant(&[el("p"), with_role("nav", "navigation")]), 0);
        assert_eq!(meant(&[]), 0);
    }

    #[test]
    fn the_innermost_actionable_wins() {
        // A button inside a clickable card link: the button.
        let path = [
            el("span"),
            with_role("button", "button"),
            with_role("a", "link"),
            el("li"),
        ];
        assert_eq!(meant(&path), 1);
    }
}
