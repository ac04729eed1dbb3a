//! From what the DOM glue read to `workflow_format` types.
//!
//! The glue copies attributes and geometry into [`ElementFacts`] and calls
//! these functions; every decision (which name, how much text, which button)
//! is made here, where `cargo test` can check it.

use workflow_format::{
    AriaRef, CheckboxEvent, ContentEditEvent, EventKind, FieldFacts, FieldValue, FramePath,
    InputEvent, KeyEvent, Modifiers, MouseButton, NavigateEvent, NavigationCause, Point, Pointer,
    RadioEvent, Rect, ScrollEvent, SelectEvent, SubmitEvent, Target, is_significant_key, limits,
};

use crate::selector::{self, OwnAnchors, Step};

/// Everything the glue read about one element, raw from the DOM. Never a
/// field's value: values are read (or not) by the event builders below,
/// after the redaction decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementFacts {
    /// The element first, then its ancestors up to the top of its root.
    pub chain: Vec<Step>,
    /// Attributes that may name the element on their own.
    pub own: OwnAnchors,
    /// Selectors of the shadow hosts from the document down, already built.
    pub shadow_hosts: Vec<String>,
    pub input_type: Option<String>,
    /// The role `clawtrail_accname::role` computed (what Chromium's
    /// accessibility tree says), `None` for a generic element.
    pub role: Option<String>,
    /// The accessible name `clawtrail_accname::name` computed.
    pub accessible_name: Option<String>,
    /// Text of the `aria-labelledby` targets, else of the first associated
    /// `<label>`: what the page wrote next to a field, which the redaction
    /// rule reads and `Target::label` keeps.
    pub label_text: Option<String>,
    pub placeholder: Option<String>,
    pub autocomplete: Option<String>,
    /// The element was seen with `type=password` at some point, or took
    /// the place of an element that was (see [`replaces_password`]).
    pub was_password: bool,
    /// Its computed `-webkit-text-security` is not `none` (see
    /// [`is_masked`]).
    pub masked: bool,
    /// `innerText` (or `textContent`) as read.
    pub text: Option<String>,
    pub bounds: Rect,
}

impl Default for ElementFacts {
    fn default() -> Self {
        ElementFacts {
            chain: Vec::new(),
            own: OwnAnchors::default(),
            shadow_hosts: Vec::new(),
            input_type: None,
            role: None,
            accessible_name: None,
            label_text: None,
            placeholder: None,
            autocomplete: None,
            was_password: false,
            masked: false,
            text: None,
            bounds: Rect {
                x: 0.0,
                y: 0.0,
                width: 0.0,
                height: 0.0,
            },
        }
    }
}

/// Trims, collapses whitespace runs to one space, drops control characters
/// and truncates to `max` bytes on a character boundary. `None` if nothing
/// is left.
pub fn short_text(raw: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    for word in raw.split(|c: char| c.is_whitespace() || c.is_control()) {
        if word.is_empty() {
            continue;
        }
        let extra = usize::from(!out.is_empty()) + word.len();
        if out.len() + extra > max {
            if !out.is_empty() {
                out.push(' ');
            }
            for c in word.chars() {
                if out.len() + c.len_utf8() > max {
                    break;
                }
                out.push(c);
            }
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    let trimmed = out.trim_end();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn short(raw: Option<&str>) -> Option<String> {
    raw.and_then(|s| short_text(s, limits::SHORT))
}

/// Text a user typed, kept as typed (line breaks and tabs included) but
/// without other control characters and cut to `max` bytes on a character
/// boundary, so the event always passes the format's validation.
pub fn typed_text(raw: &str, max: usize) -> String {
    let mut out = String::with_capacity(raw.len().min(max));
    for c in raw.chars() {
        if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
            continue;
        }
        if out.len() + c.len_utf8() > max {
            break;
        }
        out.push(c);
    }
    out
}

/// Builds the [`Target`] for an element. `is_unique` answers whether a CSS
/// selector matches exactly one element in the element's root (the glue
/// runs `querySelectorAll`); the first unique candidate of
/// [`selector::candidates`] wins. `None` when no valid selector exists.
pub fn target(
    facts: &ElementFacts,
    frame_path: &FramePath,
    is_unique: impl FnMut(&str) -> bool,
) -> Option<Target> {
    let (css, css_unique) = best_css(&facts.chain, &facts.own, is_unique)?;
    let xpath = selector::xpath(&facts.chain)?;
    let tag = facts.chain.first()?.tag.clone();
    let Named {
        aria,
        text,
        label,
        placeholder,
        input_type,
        autocomplete,
        name,
        id,
    } = named(facts, &tag);
    Some(Target {
        aria,
        aria_unique: None,
        text_unique: None,
        text_contains_unique: None,
        css_pierce_unique: None,
        css_chain_unique: None,
        text,
        css,
        css_unique,
        xpath,
        shadow_hosts: facts.shadow_hosts.clone(),
        frame_path: frame_path.clone(),
        tag,
        input_type,
        name,
        id,
        label,
        placeholder,
        autocomplete,
        was_password: facts.was_password,
        masked: facts.masked,
        bounds: sane_rect(facts.bounds),
    })
}

/// What names an element, as [`target`] records it.
pub struct Named {
    pub aria: Option<AriaRef>,
    pub text: Option<String>,
    pub label: Option<String>,
    pub placeholder: Option<String>,
    pub input_type: Option<String>,
    pub autocomplete: Option<String>,
    pub name: Option<String>,
    pub id: Option<String>,
}

/// The role, accessible name and texts of an element with tag `tag`. Also
/// asked of the other elements of a page, to tell whether the recorded
/// role and name are unique there: one definition, so both sides agree.
pub fn named(facts: &ElementFacts, tag: &str) -> Named {
    let input_type = short(facts.input_type.as_deref()).map(|t| t.to_ascii_lowercase());
    let autocomplete = short(facts.autocomplete.as_deref()).map(|t| t.to_ascii_lowercase());
    let name = short(facts.own.name.as_deref());
    let id = short(facts.chain.first().and_then(|s| s.id.as_deref()));
    let label =
        short(facts.own.aria_label.as_deref()).or_else(|| short(facts.label_text.as_deref()));
    let placeholder = short(facts.placeholder.as_deref());
    // Decided from exactly what the target will carry, so that
    // `validate()` reaches the same answer from the recording.
    let sensitive = workflow_format::redaction_reason(&FieldFacts {
        tag,
        input_type: input_type.as_deref(),
        autocomplete: autocomplete.as_deref(),
        was_password: facts.was_password,
        masked: facts.masked,
        name: name.as_deref(),
        id: id.as_deref(),
        label: label.as_deref(),
        placeholder: placeholder.as_deref(),
    })
    .is_some();
    // The visible text of a sensitive element (a contenteditable marked
    // cc-number, say) is its value: never copy it into the target.
    let text = if sensitive {
        None
    } else {
        short(facts.text.as_deref())
    };
    // Role and name are the accessibility tree's (`clawtrail_accname`,
    // computed by the glue). A sensitive element's content is its value
    // (a contenteditable marked cc-number): its name is then only what the
    // page wrote about it, never what it holds.
    let aria = facts
        .role
        .as_deref()
        .filter(|r| workflow_format::is_aria_role(r))
        .map(|role| AriaRef {
            name: if sensitive && workflow_format::name_from_content(role) {
                label.clone().unwrap_or_default()
            } else {
                short(facts.accessible_name.as_deref()).unwrap_or_default()
            },
            role: role.to_owned(),
        });
    Named {
        aria,
        text,
        label,
        placeholder,
        input_type,
        autocomplete,
        name,
        id,
    }
}

/// The first candidate selector that is unique in its root, else the
/// ancestor-anchored path (the best guess on a page with duplicate ids).
/// `is_unique` answers for `chain[0]`; ancestors' anchors were measured
/// when the chain was read ([`selector::measure_anchors`]), so a path
/// starts only at an ancestor that is itself unique. Generated-looking ids
/// and test ids are never part of the answer.
pub fn best_css(
    chain: &[Step],
    own: &OwnAnchors,
    mut is_unique: impl FnMut(&str) -> bool,
) -> Option<(String, bool)> {
    let candidates = selector::candidates(chain, own);
    if let Some(found) = candidates.iter().find(|c| is_unique(c)) {
        return Some((found.clone(), true));
    }
    selector::css(chain).map(|css| (css, false))
}

/// How a form control reports what the user did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Typed into: `input` events merged into one `input` event.
    Text,
    /// A `contenteditable` editing host: merged into one `content_edit`.
    ContentEditable,
    Checkbox,
    Radio,
    Select,
}

/// What kind of field an element is, `None` for anything that is not one
/// (buttons, file pickers: a replay cannot choose a file for the user).
pub fn field_kind(
    tag: &str,
    input_type: Option<&str>,
    content_editable: bool,
) -> Option<FieldKind> {
    match tag {
        "textarea" => Some(FieldKind::Text),
        "select" => Some(FieldKind::Select),
        "input" => {
            let t = input_type.map(|t| t.trim().to_ascii_lowercase());
            match t.as_deref() {
                Some("checkbox") => Some(FieldKind::Checkbox),
                Some("radio") => Some(FieldKind::Radio),
                Some("button" | "submit" | "reset" | "image" | "file") => None,
                _ => Some(FieldKind::Text),
            }
        }
        _ if content_editable => Some(FieldKind::ContentEditable),
        _ => None,
    }
}

/// Whether a click on this element only changes a checkbox, radio or select
/// that a `checkbox`/`radio`/`select` event records anyway. Replay applies
/// those as state setters; recording the click too would toggle twice.
pub fn click_is_state_change(kind: Option<FieldKind>) -> bool {
    matches!(
        kind,
        Some(FieldKind::Checkbox | FieldKind::Radio | FieldKind::Select)
    )
}

/// How long after an Enter keydown a keyboard-made click still counts as
/// that key's default action.
pub const KEY_ACTIVATION_MS: f64 = 500.0;

/// Whether a click is the default action of an Enter just recorded: Enter
/// in a form field makes Chromium send a trusted click (`detail` 0) to the
/// form's submit button, and Enter on a button clicks it. Replay presses
/// the recorded Enter, which does the same again; recording the click too
/// would submit twice. Space activates buttons on keyup without any key
/// event being recorded, so such a click (Enter long ago) is kept.
pub fn is_key_activation(detail: i32, ms_since_enter: f64) -> bool {
    detail == 0 && (0.0..=KEY_ACTIVATION_MS).contains(&ms_since_enter)
}

/// The final value of a typed field. For a sensitive field `read_value` is
/// never called: the value is not even read, let alone compared.
pub fn input(target: Target, read_value: impl FnOnce() -> String) -> EventKind {
    let value = field_value(&target, read_value);
    EventKind::Input(InputEvent { target, value })
}

/// The text of a contenteditable region after an edit; redacted like
/// [`input`].
pub fn content_edit(target: Target, read_text: impl FnOnce() -> String) -> EventKind {
    let text = field_value(&target, read_text);
    EventKind::ContentEdit(ContentEditEvent { target, text })
}

fn field_value(target: &Target, read: impl FnOnce() -> String) -> FieldValue {
    match target.redaction_reason() {
        Some(reason) => FieldValue::Redacted { reason },
        None => FieldValue::text(typed_text(&read(), limits::VALUE)),
    }
}

/// A `<select>` change. `read_selected` returns `(value, label)` of each
/// selected option; it is not called for a sensitive select (an expiry
/// month marked `cc-exp-month`), which records no options at all.
pub fn select(target: Target, read_selected: impl FnOnce() -> Vec<(String, String)>) -> EventKind {
    let (mut values, mut labels) = (Vec::new(), Vec::new());
    if target.redaction_reason().is_none() {
        for (value, label) in read_selected().into_iter().take(limits::OPTIONS) {
            values.push(typed_text(&value, limits::SHORT));
            labels.push(typed_text(&label, limits::SHORT));
        }
    }
    EventKind::Select(SelectEvent {
        target,
        values,
        labels,
    })
}

/// A checkbox toggle; `via_label`: the user clicked the `<label>` wrapping
/// it, not the box (see [`EventKind::Checkbox`]).
pub fn checkbox(target: Target, checked: bool, via_label: bool) -> EventKind {
    EventKind::Checkbox(CheckboxEvent {
        target,
        checked,
        via_label,
    })
}

/// A radio selection; the value of a sensitive radio is not read.
pub fn radio(target: Target, read_value: impl FnOnce() -> String, via_label: bool) -> EventKind {
    let value = match target.redaction_reason() {
        Some(_) => String::new(),
        None => typed_text(&read_value(), limits::SHORT),
    };
    EventKind::Radio(RadioEvent {
        target,
        value,
        via_label,
    })
}

pub fn submit(target: Target) -> EventKind {
    EventKind::Submit(SubmitEvent { target })
}

/// A key press worth recording, or `None`: ordinary typing, an unusable
/// key name, or any key on a sensitive field (keystrokes there could spell
/// out the secret).
pub fn key(
    key: &str,
    code: &str,
    modifiers: Modifiers,
    target: Option<Target>,
) -> Option<EventKind> {
    if !is_significant_key(key, &modifiers) || key.len() > limits::SHORT {
        return None;
    }
    if key.chars().any(char::is_control) {
        return None;
    }
    if target
        .as_ref()
        .is_some_and(|t| t.redaction_reason().is_some())
    {
        return None;
    }
    Some(EventKind::Key(KeyEvent {
        key: key.to_owned(),
        code: short_text(code, limits::SHORT).unwrap_or_default(),
        modifiers,
        target,
    }))
}

/// Final scroll position of the window (`target` `None`) or an element.
pub fn scroll(target: Option<Target>, x: f64, y: f64) -> EventKind {
    EventKind::Scroll(ScrollEvent {
        target,
        x: clamp_coord(x),
        y: clamp_coord(y),
    })
}

/// A navigation. `from_url` is dropped when the format would refuse it
/// (a `javascript:` or `data:` page, an 8 KiB URL) rather than losing the
/// whole event.
pub fn navigate(cause: NavigationCause, title: &str, from_url: Option<&str>) -> EventKind {
    EventKind::Navigate(NavigateEvent {
        cause,
        title: short_text(title, limits::SHORT).unwrap_or_default(),
        from_url: from_url.filter(|u| url_ok(u)).map(str::to_owned),
    })
}

/// Whether a URL passes the format's URL rule.
pub fn url_ok(url: &str) -> bool {
    !url.is_empty()
        && url.len() <= limits::URL
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
        && workflow_format::quick_url_ok(url)
}

/// The cause of a document load, from
/// `performance.getEntriesByType('navigation')[0].type`.
pub fn load_cause(navigation_timing_type: &str) -> NavigationCause {
    match navigation_timing_type {
        "reload" => NavigationCause::Reload,
        "back_forward" => NavigationCause::BackForward,
        _ => NavigationCause::Load,
    }
}

/// The cause of a same-document navigation reported by the Navigation API
/// (`currententrychange.navigationType`), or by the popstate/hashchange
/// fallback (`navigation_type` `None`). A push or replace that only changed
/// the fragment is a hash change.
pub fn same_document_cause(
    navigation_type: Option<&str>,
    from_url: Option<&str>,
    to_url: &str,
) -> NavigationCause {
    let only_hash = from_url.is_some_and(|from| {
        let strip = |u: &str| u.split('#').next().unwrap_or("").to_owned();
        strip(from) == strip(to_url) && from != to_url
    });
    match navigation_type {
        Some("push" | "replace") if only_hash => NavigationCause::HashChange,
        Some("push") => NavigationCause::PushState,
        Some("replace") => NavigationCause::ReplaceState,
        Some("reload") => NavigationCause::Reload,
        Some("traverse") => NavigationCause::BackForward,
        _ if only_hash => NavigationCause::HashChange,
        _ => NavigationCause::PopState,
    }
}

/// `MouseEvent.button` to the format's button, `None` for buttons that no
/// replay can press.
pub fn mouse_button(button: i16) -> Option<MouseButton> {
    Some(match button {
        0 => MouseButton::Primary,
        1 => MouseButton::Auxiliary,
        2 => MouseButton::Secondary,
        3 => MouseButton::Back,
        4 => MouseButton::Forward,
        _ => return None,
    })
}

/// The three pointer kinds the recorder emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClickKind {
    Click,
    Double,
    Context,
}

/// A click event: `client` is the pointer position in the frame's
/// viewport, which the format stores relative to the target's box.
pub fn click(
    kind: ClickKind,
    target: Target,
    button: i16,
    modifiers: Modifiers,
    client: Point,
) -> Option<EventKind> {
    let button = mouse_button(button)?;
    let offset = Point {
        x: clamp_coord(client.x - target.bounds.x),
        y: clamp_coord(client.y - target.bounds.y),
    };
    let pointer = Pointer {
        target,
        button,
        modifiers,
        offset,
    };
    Some(match kind {
        ClickKind::Click => EventKind::Click(pointer),
        ClickKind::Double => EventKind::DoubleClick(pointer),
        ClickKind::Context => EventKind::ContextClick(pointer),
    })
}

/// Pages control geometry (huge transforms, NaN from odd layouts); the
/// format refuses values outside ±`limits::COORD`, so clamp rather than
/// lose the event.
fn clamp_coord(v: f64) -> f64 {
    if v.is_finite() {
        v.clamp(-limits::COORD, limits::COORD)
    } else {
        0.0
    }
}

fn sane_rect(r: Rect) -> Rect {
    Rect {
        x: clamp_coord(r.x),
        y: clamp_coord(r.y),
        width: clamp_coord(r.width).max(0.0),
        height: clamp_coord(r.height).max(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workflow_format::RedactionReason;

    fn button_facts() -> ElementFacts {
        ElementFacts {
            chain: vec![
                Step {
                    tag: "button".into(),
                    id: Some("go".into()),
                    nth_of_type: 1,
                    of_type_count: 1,
                    ..Step::default()
                },
                Step {
                    tag: "body".into(),
                    nth_of_type: 1,
                    of_type_count: 1,
                    ..Step::default()
                },
                Step {
                    tag: "html".into(),
                    nth_of_type: 1,
                    of_type_count: 1,
                    ..Step::default()
                },
            ],
            text: Some("  Go\n now ".into()),
            role: Some("button".into()),
            accessible_name: Some("Go now".into()),
            bounds: Rect {
                x: 10.0,
                y: 20.0,
                width: 80.0,
                height: 30.0,
            },
            ..ElementFacts::default()
        }
    }

    #[test]
    fn short_text_collapses_and_truncates_on_char_boundaries() {
        assert_eq!(short_text("  a \t b\n\nc  ", 100).unwrap(), "a b c");
        assert_eq!(short_text(" \n\t ", 100), None);
        assert_eq!(short_text("a\u{7}b", 100).unwrap(), "a b");
        assert_eq!(short_text("héllo wörld", 4).unwrap(), "hél");
        assert_eq!(short_text("ab cd", 4).unwrap(), "ab c");
        let long = "é".repeat(limits::SHORT);
        assert!(short_text(&long, limits::SHORT).unwrap().len() <= limits::SHORT);
    }

    #[test]
    fn button_target_has_role_name_and_selectors() {
        let mut asked = None;
        let t = target(&button_facts(), &vec![1], |css| {
            asked = Some(css.to_owned());
            true
        })
        .unwrap();
        assert_eq!(asked.as_deref(), Some("#go"));
        assert_eq!(t.css, "#go");
        assert!(t.css_unique);
        assert_eq!(t.xpath, "/html/body/button");
        assert_eq!(t.tag, "button");
        assert_eq!(t.text.as_deref(), Some("Go now"));
        assert_eq!(
            t.aria,
            Some(AriaRef {
                role: "button".into(),
                name: "Go now".into()
            })
        );
        assert_eq!(t.frame_path, vec![1]);
    }

    #[test]
    fn the_role_and_name_are_the_accessibility_trees() {
        // Computed by clawtrail_accname in the glue; recorded as they are,
        // whitespace collapsed.
        let mut f = button_facts();
        f.own.aria_label = Some("Launch".into());
        f.role = Some("switch".into());
        f.accessible_name = Some(" Launch\n now".into());
        let t = target(&f, &vec![], |_| false).unwrap();
        assert!(!t.css_unique);
        assert_eq!(t.label.as_deref(), Some("Launch"));
        let aria = t.aria.unwrap();
        assert_eq!(
            (aria.role.as_str(), aria.name.as_str()),
            ("switch", "Launch now")
        );
        // A generic element has no role to record.
        f.role = None;
        assert_eq!(target(&f, &vec![], |_| false).unwrap().aria, None);
        // An unnamed element keeps its role.
        f.role = Some("textbox".into());
        f.accessible_name = None;
        let aria = target(&f, &vec![], |_| false).unwrap().aria.unwrap();
        assert_eq!((aria.role.as_str(), aria.name.as_str()), ("textbox", ""));
    }

    #[test]
    fn a_role_that_is_not_an_aria_role_is_never_recorded() {
        // Whatever the glue hands over, page text posing as a role (it
        // would end a Playwright selector) never becomes one.
        let mut f = button_facts();
        f.role = Some("button] >> css=body".into());
        assert_eq!(target(&f, &vec![], |_| false).unwrap().aria, None);
    }

    #[test]
    fn a_sensitive_element_is_not_named_after_what_it_holds() {
        // A contenteditable card-number field with role button (absurd,
        // but a page decides): its content is its value.
        let mut f = button_facts();
        f.chain[0].tag = "div".into();
        f.autocomplete = Some("cc-number".into());
        f.text = Some("4111 1111 1111 1111".into());
        f.accessible_name = Some("4111 1111 1111 1111".into());
        let t = target(&f, &vec![], |_| true).unwrap();
        assert_eq!(t.aria.unwrap().name, "");
        assert_eq!(t.text, None);
        // What the page wrote about it still names it.
        f.label_text = Some("Card".into());
        assert_eq!(
            target(&f, &vec![], |_| true).unwrap().aria.unwrap().name,
            "Card"
        );
    }

    #[test]
    fn click_offset_is_relative_to_the_target_box() {
        let t = target(&button_facts(), &vec![], |_| true).unwrap();
        let kind = click(
            ClickKind::Click,
            t,
            0,
            Modifiers::default(),
            Point { x: 15.5, y: 30.0 },
        )
        .unwrap();
        let EventKind::Click(p) = kind else {
            panic!("not a click: {kind:?}")
        };
        assert_eq!(p.button, MouseButton::Primary);
        assert_eq!(p.offset, Point { x: 5.5, y: 10.0 });
    }

    #[test]
    fn unknown_buttons_are_not_recorded() {
        let t = target(&button_facts(), &vec![], |_| true).unwrap();
        assert!(
            click(
                ClickKind::Click,
                t,
                7,
                Modifiers::default(),
                Point { x: 0.0, y: 0.0 }
            )
            .is_none()
        );
        assert_eq!(mouse_button(-1), None);
        assert_eq!(mouse_button(4), Some(MouseButton::Forward));
    }

    #[test]
    fn absurd_geometry_is_clamped_not_dropped() {
        let mut f = button_facts();
        f.bounds = Rect {
            x: f64::NAN,
            y: -1e300,
            width: -5.0,
            height: f64::INFINITY,
        };
        let t = target(&f, &vec![], |_| true).unwrap();
        assert_eq!(t.bounds.x, 0.0);
        assert_eq!(t.bounds.y, -limits::COORD);
        assert_eq!(t.bounds.width, 0.0);
        assert_eq!(t.bounds.height, 0.0);
    }

    #[test]
    fn no_chain_no_target() {
        assert!(target(&ElementFacts::default(), &vec![], |_| true).is_none());
    }

    fn field(tag: &str, input_type: Option<&str>, autocomplete: Option<&str>) -> Target {
        let facts = ElementFacts {
            chain: vec![Step {
                tag: tag.into(),
                nth_of_type: 1,
                of_type_count: 1,
                ..Step::default()
            }],
            input_type: input_type.map(Into::into),
            autocomplete: autocomplete.map(Into::into),
            text: Some("visible secret text".into()),
            ..ElementFacts::default()
        };
        target(&facts, &vec![], |_| true).unwrap()
    }

    #[test]
    fn the_first_unique_candidate_wins() {
        let mut f = button_facts();
        f.chain[0].id = Some("dup".into());
        f.own.name = Some("go".into());
        let mut asked = Vec::new();
        let t = target(&f, &vec![], |css| {
            asked.push(css.to_owned());
            css == r#"button[name="go"]"#
        })
        .unwrap();
        assert_eq!(asked, ["#dup", r#"button[name="go"]"#]);
        assert_eq!(t.css, r#"button[name="go"]"#);
        assert!(t.css_unique);
        assert_eq!(t.name.as_deref(), Some("go"));
    }

    #[test]
    fn sensitive_values_are_never_read() {
        for (tag, ty, ac, reason) in [
            ("input", Some("password"), None, RedactionReason::Password),
            (
                "input",
                Some("text"),
                Some("one-time-code"),
                RedactionReason::OneTimeCode,
            ),
            (
                "input",
                Some("tel"),
                Some("cc-number"),
                RedactionReason::CardData,
            ),
            ("input", Some("hidden"), None, RedactionReason::Hidden),
            ("div", None, Some("cc-csc"), RedactionReason::CardData),
        ] {
            let t = field(tag, ty, ac);
            assert_eq!(t.text, None, "the text of a sensitive {tag} is its value");
            let kind = input(t.clone(), || panic!("read the value of {ty:?}/{ac:?}"));
            assert_eq!(
                kind,
                EventKind::Input(InputEvent {
                    target: t.clone(),
                    value: FieldValue::Redacted { reason }
                })
            );
            let kind = content_edit(t.clone(), || panic!("read the text"));
            assert!(matches!(
                kind,
                EventKind::ContentEdit(ContentEditEvent {
                    text: FieldValue::Redacted { .. },
                    ..
                })
            ));
            assert_eq!(
                radio(t.clone(), || panic!("read the value"), false),
                EventKind::Radio(RadioEvent {
                    target: t.clone(),
                    value: String::new(),
                    via_label: false,
                })
            );
            let EventKind::Select(SelectEvent { values, labels, .. }) =
                select(t.clone(), || panic!("read"))
            else {
                panic!()
            };
            assert!(values.is_empty() && labels.is_empty());
            assert_eq!(key("Enter", "Enter", Modifiers::default(), Some(t)), None);
        }
    }

    #[test]
    fn fields_named_for_secrets_and_masked_fields_are_never_read() {
        let base = ElementFacts {
            chain: vec![Step {
                tag: "input".into(),
                nth_of_type: 1,
                of_type_count: 1,
                ..Step::default()
            }],
            input_type: Some("text".into()),
            ..ElementFacts::default()
        };
        let with_id = |id: &str| {
            let mut f = base.clone();
            f.chain[0].id = Some(id.into());
            f
        };
        for (facts, reason) in [
            (
                ElementFacts {
                    own: OwnAnchors {
                        name: Some("cardnumber".into()),
                        ..OwnAnchors::default()
                    },
                    ..base.clone()
                },
                RedactionReason::CardData,
            ),
            (with_id("cvv2"), RedactionReason::CardData),
            (
                ElementFacts {
                    label_text: Some("Mot de passe".into()),
                    ..base.clone()
                },
                RedactionReason::Password,
            ),
            (
                ElementFacts {
                    own: OwnAnchors {
                        aria_label: Some("Kontonummer (IBAN)".into()),
                        ..OwnAnchors::default()
                    },
                    ..base.clone()
                },
                RedactionReason::BankAccount,
            ),
            (
                ElementFacts {
                    masked: true,
                    ..base.clone()
                },
                RedactionReason::Masked,
            ),
        ] {
            let t = target(&facts, &vec![], |_| true).unwrap();
            // What decided is in the target, for `validate()` to check.
            assert_eq!(t.redaction_reason(), Some(reason), "{t:?}");
            assert_eq!(
                input(t.clone(), || panic!("read the value of {t:?}")),
                EventKind::Input(InputEvent {
                    target: t,
                    value: FieldValue::Redacted { reason }
                })
            );
        }
        let t = target(&with_id("cvv2"), &vec![], |_| true).unwrap();
        assert_eq!(t.id.as_deref(), Some("cvv2"));
        let t = target(
            &ElementFacts {
                masked: true,
                ..base.clone()
            },
            &vec![],
            |_| true,
        )
        .unwrap();
        assert!(t.masked);
        // A neutral name is read as usual.
        let t = target(&with_id("spinner"), &vec![], |_| true).unwrap();
        assert_eq!(
            input(t.clone(), || "42".into()),
            EventKind::Input(InputEvent {
                target: t,
                value: FieldValue::text("42")
            })
        );
    }

    #[test]
    fn a_show_password_toggle_still_redacts() {
        let mut facts = ElementFacts {
            chain: vec![Step {
                tag: "input".into(),
                nth_of_type: 1,
                of_type_count: 1,
                ..Step::default()
            }],
            input_type: Some("text".into()),
            was_password: true,
            ..ElementFacts::default()
        };
        let t = target(&facts, &vec![], |_| true).unwrap();
        assert!(t.was_password);
        assert!(matches!(
            input(t, || panic!("read")),
            EventKind::Input(InputEvent {
                value: FieldValue::Redacted {
                    reason: RedactionReason::Password
                },
                ..
            })
        ));
        facts.was_password = false;
        let t = target(&facts, &vec![], |_| true).unwrap();
        assert_eq!(
            input(t.clone(), || "hello".into()),
            EventKind::Input(InputEvent {
                target: t,
                value: FieldValue::text("hello")
            })
        );
    }

    #[test]
    fn typed_values_keep_line_breaks_and_fit_the_limit() {
        assert_eq!(typed_text("a\nb\tc\u{0}d\u{1b}", 100), "a\nb\tcd");
        let long = "ü".repeat(limits::VALUE);
        let t = field("textarea", None, None);
        let EventKind::Input(InputEvent { value, .. }) = input(t, || long.clone()) else {
            panic!()
        };
        let text = value.as_text().unwrap();
        assert!(text.len() <= limits::VALUE && text.len() > limits::VALUE - 2);
    }

    #[test]
    fn select_reads_values_and_labels() {
        let t = field("select", None, None);
        let kind = select(t, || {
            vec![
                ("m".into(), "Medium".into()),
                ("l".into(), "Large\u{7}".into()),
            ]
        });
        let EventKind::Select(SelectEvent { values, labels, .. }) = kind else {
            panic!()
        };
        assert_eq!(values, ["m", "l"]);
        assert_eq!(labels, ["Medium", "Large"]);
    }

    #[test]
    fn only_significant_keys_are_events() {
        let none = Modifiers::default();
        let ctrl = Modifiers { ctrl: true, ..none };
        assert_eq!(key("a", "KeyA", none, None), None);
        assert_eq!(key("Backspace", "Backspace", none, None), None);
        assert_eq!(key("Shift", "ShiftLeft", none, None), None);
        assert!(key("Enter", "Enter", none, Some(field("input", None, None))).is_some());
        let Some(EventKind::Key(KeyEvent {
            key: k,
            code,
            modifiers,
            target,
        })) = key("k", "KeyK", ctrl, None)
        else {
            panic!()
        };
        assert_eq!(
            (k.as_str(), code.as_str(), modifiers, target),
            ("k", "KeyK", ctrl, None)
        );
    }

    #[test]
    fn clicks_made_by_enter_are_not_recorded_twice() {
        assert!(is_key_activation(0, 3.0));
        assert!(
            !is_key_activation(0, KEY_ACTIVATION_MS + 1.0),
            "Space on a button"
        );
        assert!(!is_key_activation(0, f64::INFINITY), "no Enter yet");
        assert!(
            !is_key_activation(1, 3.0),
            "a mouse click right after Enter"
        );
    }

    #[test]
    fn field_kinds() {
        assert_eq!(field_kind("input", None, false), Some(FieldKind::Text));
        assert_eq!(
            field_kind("input", Some("EMAIL"), false),
            Some(FieldKind::Text)
        );
        assert_eq!(
            field_kind("input", Some("checkbox"), false),
            Some(FieldKind::Checkbox)
        );
        assert_eq!(
            field_kind("input", Some("radio"), false),
            Some(FieldKind::Radio)
        );
        assert_eq!(field_kind("input", Some("submit"), false), None);
        assert_eq!(field_kind("input", Some("file"), false), None);
        assert_eq!(field_kind("textarea", None, false), Some(FieldKind::Text));
        assert_eq!(field_kind("select", None, false), Some(FieldKind::Select));
        assert_eq!(
            field_kind("div", None, true),
            Some(FieldKind::ContentEditable)
        );
        assert_eq!(field_kind("div", None, false), None);
        assert!(click_is_state_change(Some(FieldKind::Checkbox)));
        assert!(click_is_state_change(Some(FieldKind::Select)));
        assert!(!click_is_state_change(Some(FieldKind::Text)));
        assert!(!click_is_state_change(None));
    }

    #[test]
    fn navigation_causes() {
        use NavigationCause::*;
        assert_eq!(load_cause("navigate"), Load);
        assert_eq!(load_cause("reload"), Reload);
        assert_eq!(load_cause("back_forward"), BackForward);
        assert_eq!(load_cause("prerender"), Load);
        let cause = |t, from, to| same_document_cause(t, from, to);
        assert_eq!(
            cause(Some("push"), Some("http://x/a"), "http://x/b"),
            PushState
        );
        assert_eq!(
            cause(Some("replace"), Some("http://x/a"), "http://x/a?q"),
            ReplaceState
        );
        assert_eq!(
            cause(Some("push"), Some("http://x/a"), "http://x/a#s"),
            HashChange
        );
        assert_eq!(
            cause(Some("push"), Some("http://x/a#s"), "http://x/a#t"),
            HashChange
        );
        assert_eq!(
            cause(Some("traverse"), Some("http://x/a"), "http://x/b"),
            BackForward
        );
        assert_eq!(cause(None, Some("http://x/a"), "http://x/a#t"), HashChange);
        assert_eq!(cause(None, None, "http://x/a"), PopState);
    }

    #[test]
    fn navigate_drops_a_from_url_the_format_refuses() {
        let EventKind::Navigate(NavigateEvent {
            title, from_url, ..
        }) = navigate(
            NavigationCause::Load,
            " My\n page ",
            Some("javascript:alert(1)"),
        )
        else {
            panic!()
        };
        assert_eq!(title, "My page");
        assert_eq!(from_url, None);
        let EventKind::Navigate(NavigateEvent { from_url, .. }) =
            navigate(NavigationCause::Load, "", Some("https://a/b"))
        else {
            panic!()
        };
        assert_eq!(from_url.as_deref(), Some("https://a/b"));
        assert!(!url_ok(&format!("http://x/{}", "a".repeat(limits::URL))));
    }

    #[test]
    fn scroll_positions_are_clamped() {
        assert_eq!(
            scroll(None, f64::NAN, 1e300),
            EventKind::Scroll(ScrollEvent {
                target: None,
                x: 0.0,
                y: limits::COORD
            })
        );
    }
}
