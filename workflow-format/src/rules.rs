//! Rules that the recorder applies when it captures and that `validate()`
//! checks again when a recording arrives. Keeping them in one place is the
//! point: the content script cannot decide "this field is not sensitive"
//! by a rule the relay does not also enforce.

use crate::model::{Modifiers, RedactionReason, Target};

/// Size limits for one recording. Generous for real use, small enough that a
/// forged recording cannot smuggle megabytes into a skill through one field.
pub mod limits {
    /// A recording's name, in bytes.
    pub const NAME: usize = 200;
    /// URLs (event, tab, navigation), in bytes.
    pub const URL: usize = 8 * 1024;
    /// A captured field value or contenteditable text, in bytes.
    pub const VALUE: usize = 64 * 1024;
    /// Short descriptive strings: visible text, accessible name, label,
    /// placeholder, title, role, tag, attribute values, key names.
    pub const SHORT: usize = 1024;
    /// CSS selectors and XPaths, in bytes.
    pub const SELECTOR: usize = 4 * 1024;
    /// The user agent string.
    pub const USER_AGENT: usize = 1024;
    /// The recorder version string.
    pub const VERSION: usize = 64;
    /// Nesting depth of frames and of shadow roots.
    pub const DEPTH: usize = 32;
    /// Selected options of one `<select multiple>`.
    pub const OPTIONS: usize = 1024;
    /// Tabs in one recording.
    pub const TABS: usize = 1024;
    /// Events in one recording.
    pub const EVENTS: usize = 1_000_000;
    /// Coordinates (px) beyond which a position is considered garbage.
    pub const COORD: f64 = 1.0e7;
}

/// Whether a field's value must never be captured, and why.
///
/// `input_type` and `autocomplete` are attribute values as found in the DOM
/// (any case); `was_password` is true for a field that was
/// `type=password` at any point while recorded (show-password toggles).
pub fn redaction_reason(
    tag: &str,
    input_type: Option<&str>,
    autocomplete: Option<&str>,
    was_password: bool,
) -> Option<RedactionReason> {
    if was_password {
        return Some(RedactionReason::Password);
    }
    if tag.eq_ignore_ascii_case("input") {
        match input_type.map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("password") => {
                return Some(RedactionReason::Password);
            }
            Some(t) if t.eq_ignore_ascii_case("hidden") => return Some(RedactionReason::Hidden),
            _ => {}
        }
    }
    // `autocomplete` is a space-separated token list such as
    // "section-pay billing cc-number"; any sensitive token decides.
    if let Some(ac) = autocomplete {
        for token in ac.split_ascii_whitespace() {
            let token = token.to_ascii_lowercase();
            if token == "one-time-code" {
                return Some(RedactionReason::OneTimeCode);
            }
            if token.starts_with("cc-") {
                return Some(RedactionReason::CardData);
            }
            if token == "current-password" || token == "new-password" {
                return Some(RedactionReason::Password);
            }
        }
    }
    None
}

impl Target {
    /// [`redaction_reason`] for this element.
    pub fn redaction_reason(&self) -> Option<RedactionReason> {
        redaction_reason(
            &self.tag,
            self.input_type.as_deref(),
            self.autocomplete.as_deref(),
            self.was_password,
        )
    }
}

/// Named keys recorded on their own (without a modifier).
const NAMED_KEYS: &[&str] = &[
    "Enter",
    "Escape",
    "Tab",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "PageUp",
    "PageDown",
    "Home",
    "End",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
];

/// Keys that are only modifiers: pressing them alone is never an event.
const MODIFIER_KEYS: &[&str] = &[
    "Alt", "AltGraph", "Control", "Meta", "Shift", "CapsLock", "OS", "Super", "Hyper", "Fn",
];

/// ARIA roles whose accessible name may come from the element's content
/// (WAI-ARIA 1.2 "Name From: contents"). Other roles are named only by
/// `aria-label`, `aria-labelledby`, a `<label>` or a placeholder: a
/// textbox is not named after what was typed into it, nor a listbox after
/// all its options.
pub const NAME_FROM_CONTENT_ROLES: &[&str] = &[
    "button",
    "cell",
    "checkbox",
    "columnheader",
    "gridcell",
    "heading",
    "link",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "row",
    "rowheader",
    "switch",
    "tab",
    "tooltip",
    "treeitem",
];

/// Whether an element of `role` may be named after its content.
pub fn name_from_content(role: &str) -> bool {
    NAME_FROM_CONTENT_ROLES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(role))
}

/// Whether two accessible names (or texts) are the same for finding an
/// element: equal up to case and runs of whitespace. This is what an
/// OpenClaw plan's selector matches (`name=/^\s*A\s+B\s*$/i`, see
/// `clawtrail_replay::selectors`), so the recorder measures uniqueness
/// ([`crate::Target::aria_unique`]) with it.
pub fn names_match(a: &str, b: &str) -> bool {
    let mut a = a
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().map(Some)));
    let mut b = b
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().map(Some)));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(None), Some(None)) => {}
            (Some(Some(x)), Some(Some(y))) => {
                if x != y && !x.to_lowercase().eq(y.to_lowercase()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Roles of fields whose content is what the user typed or chose, never a
/// way to find them again.
pub fn is_value_role(role: &str) -> bool {
    ["textbox", "searchbox", "combobox", "listbox", "spinbutton"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(role))
}

/// Whether a key press is worth a `key` event: Enter, Escape, Tab, arrows
/// and the like, or any key with Ctrl/Meta/Alt held. Ordinary typing (a
/// printable character, Backspace, Delete, with or without Shift) is not:
/// it reaches the recording as the field's final value instead.
pub fn is_significant_key(key: &str, modifiers: &Modifiers) -> bool {
    if key.is_empty() || MODIFIER_KEYS.contains(&key) {
        return false;
    }
    if modifiers.is_shortcut() {
        return true;
    }
    NAMED_KEYS.contains(&key)
}

/// URL schemes a recording may contain. Anything else, `javascript:` above
/// all, is refused: an exported skill opens these URLs in an agent's browser.
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https", "file", "about"];

/// Returns the scheme of `url` when it is allowed, or `None`.
pub fn allowed_scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    ALLOWED_SCHEMES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(scheme))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_up_to_case_and_whitespace_runs() {
        assert!(names_match("Add group", "ADD GROUP"));
        assert!(names_match("  Add\n\tgroup ", "add group"));
        assert!(names_match("Ärger", "ärger"));
        assert!(!names_match("Add group", "Add groups"));
        assert!(!names_match("Add group", "Addgroup"));
        assert!(!names_match("Add", "Add group"));
        assert!(names_match("", "  "));
    }

    #[test]
    fn password_fields_are_redacted_in_any_case() {
        assert_eq!(
            redaction_reason("INPUT", Some("PassWord"), None, false),
            Some(RedactionReason::Password)
        );
        assert_eq!(
            redaction_reason("input", Some("text"), None, true),
            Some(RedactionReason::Password)
        );
        assert_eq!(
            redaction_reason("input", Some("text"), Some("current-password"), false),
            Some(RedactionReason::Password)
        );
    }

    #[test]
    fn autocomplete_tokens_decide() {
        assert_eq!(
            redaction_reason("input", Some("text"), Some("one-time-code"), false),
            Some(RedactionReason::OneTimeCode)
        );
        assert_eq!(
            redaction_reason("input", None, Some("section-pay billing CC-NUMBER"), false),
            Some(RedactionReason::CardData)
        );
        assert_eq!(
            redaction_reason("input", Some("hidden"), None, false),
            Some(RedactionReason::Hidden)
        );
        assert_eq!(
            redaction_reason("input", Some("email"), Some("email"), false),
            None
        );
        // `type=password` only means something on an input.
        assert_eq!(
            redaction_reason("button", Some("password"), None, false),
            None
        );
    }

    #[test]
    fn typing_is_not_a_key_event() {
        let none = Modifiers::default();
        let shift = Modifiers {
            shift: true,
            ..none
        };
        let ctrl = Modifiers { ctrl: true, ..none };
        assert!(!is_significant_key("a", &none));
        assert!(!is_significant_key("A", &shift));
        assert!(!is_significant_key("Backspace", &none));
        assert!(!is_significant_key("Shift", &shift));
        assert!(!is_significant_key("Control", &ctrl));
        assert!(is_significant_key("Enter", &none));
        assert!(is_significant_key("Tab", &shift));
        assert!(is_significant_key("ArrowDown", &none));
        assert!(is_significant_key("k", &ctrl));
        assert!(is_significant_key("Backspace", &ctrl));
    }

    #[test]
    fn only_web_and_file_schemes_are_allowed() {
        assert_eq!(allowed_scheme("https://example.com/"), Some("https"));
        assert_eq!(allowed_scheme("HTTP://x"), Some("http"));
        assert_eq!(allowed_scheme("about:blank"), Some("about"));
        assert_eq!(allowed_scheme("javascript:alert(1)"), None);
        assert_eq!(allowed_scheme("data:text/html,x"), None);
        assert_eq!(allowed_scheme("no scheme"), None);
    }
}
