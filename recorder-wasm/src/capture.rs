//! From what the DOM glue read to `workflow_format` types.
//!
//! The glue copies attributes and geometry into [`ElementFacts`] and calls
//! these functions; every decision (which name, how much text, which button)
//! is made here, where `cargo test` can check it.

use workflow_format::{
    AriaRef, EventKind, FramePath, Modifiers, MouseButton, Point, Pointer, Rect, Target, limits,
};

use crate::selector::{self, Step};

/// Everything the glue read about one element, raw from the DOM.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementFacts {
    /// The element first, then its ancestors up to the top of its root.
    pub chain: Vec<Step>,
    /// Selectors of the shadow hosts from the document down, already built.
    pub shadow_hosts: Vec<String>,
    pub input_type: Option<String>,
    pub name: Option<String>,
    pub role: Option<String>,
    pub aria_label: Option<String>,
    /// Text of the first associated `<label>`.
    pub label_text: Option<String>,
    pub placeholder: Option<String>,
    pub autocomplete: Option<String>,
    /// `<a>`/`<area>` with an `href`.
    pub has_href: bool,
    /// `innerText` (or `textContent`) as read.
    pub text: Option<String>,
    pub bounds: Rect,
}

impl Default for ElementFacts {
    fn default() -> Self {
        ElementFacts {
            chain: Vec::new(),
            shadow_hosts: Vec::new(),
            input_type: None,
            name: None,
            role: None,
            aria_label: None,
            label_text: None,
            placeholder: None,
            autocomplete: None,
            has_href: false,
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

/// The ARIA role an element has without a `role` attribute, for the
/// elements a recorded step usually targets.
pub fn implicit_role(tag: &str, input_type: Option<&str>, has_href: bool) -> Option<&'static str> {
    let input_type = input_type.map(str::to_ascii_lowercase);
    Some(match tag {
        "button" => "button",
        "a" | "area" if has_href => "link",
        "select" => "combobox",
        "textarea" => "textbox",
        "input" => match input_type.as_deref().unwrap_or("text") {
            "button" | "submit" | "reset" | "image" => "button",
            "checkbox" => "checkbox",
            "radio" => "radio",
            "range" => "slider",
            "number" => "spinbutton",
            "search" => "searchbox",
            "text" | "email" | "tel" | "url" | "password" => "textbox",
            _ => return None,
        },
        _ => return None,
    })
}

/// Builds the [`Target`] for an element. `is_unique` answers whether a CSS
/// selector matches exactly one element in the element's root (the glue
/// runs `querySelectorAll`). `None` when no valid selector exists.
pub fn target(
    facts: &ElementFacts,
    frame_path: &FramePath,
    is_unique: impl FnOnce(&str) -> bool,
) -> Option<Target> {
    let css = selector::css(&facts.chain)?;
    let xpath = selector::xpath(&facts.chain)?;
    let tag = facts.chain.first()?.tag.clone();
    let css_unique = is_unique(&css);
    let text = short(facts.text.as_deref());
    let label = short(facts.aria_label.as_deref()).or_else(|| short(facts.label_text.as_deref()));
    // An explicit role attribute may be a fallback list ("switch checkbox");
    // the first token is the one a browser honours first.
    let role = facts
        .role
        .as_deref()
        .and_then(|r| r.split_ascii_whitespace().next())
        .and_then(|r| short_text(r, limits::SHORT))
        .or_else(|| {
            implicit_role(&tag, facts.input_type.as_deref(), facts.has_href).map(str::to_owned)
        });
    let aria = role.map(|role| AriaRef {
        role,
        // The accessible name, simplified: aria-label, a <label>, or the
        // element's own text. The lead's full name computation replaces this.
        name: label.clone().or_else(|| text.clone()).unwrap_or_default(),
    });
    Some(Target {
        aria,
        text,
        css,
        css_unique,
        xpath,
        shadow_hosts: facts.shadow_hosts.clone(),
        frame_path: frame_path.clone(),
        tag,
        input_type: short(facts.input_type.as_deref()).map(|t| t.to_ascii_lowercase()),
        name: short(facts.name.as_deref()),
        label,
        placeholder: short(facts.placeholder.as_deref()),
        autocomplete: short(facts.autocomplete.as_deref()).map(|t| t.to_ascii_lowercase()),
        // Tracking show-password toggles needs per-element history the
        // minimal recorder does not keep yet; redaction by type still
        // applies through `type`/`autocomplete`.
        was_password: false,
        bounds: sane_rect(facts.bounds),
    })
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

/// A `click` event: `client` is the pointer position in the frame's
/// viewport, which the format stores relative to the target's box.
pub fn click(
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
    Some(EventKind::Click(Pointer {
        target,
        button,
        modifiers,
        offset,
    }))
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
    fn aria_label_beats_text_and_explicit_role_beats_implicit() {
        let mut f = button_facts();
        f.aria_label = Some("Launch".into());
        f.role = Some("switch checkbox".into());
        let t = target(&f, &vec![], |_| false).unwrap();
        assert!(!t.css_unique);
        assert_eq!(t.label.as_deref(), Some("Launch"));
        let aria = t.aria.unwrap();
        assert_eq!(
            (aria.role.as_str(), aria.name.as_str()),
            ("switch", "Launch")
        );
    }

    #[test]
    fn implicit_roles() {
        assert_eq!(implicit_role("a", None, true), Some("link"));
        assert_eq!(implicit_role("a", None, false), None);
        assert_eq!(implicit_role("input", None, false), Some("textbox"));
        assert_eq!(
            implicit_role("input", Some("CHECKBOX"), false),
            Some("checkbox")
        );
        assert_eq!(implicit_role("input", Some("hidden"), false), None);
        assert_eq!(implicit_role("div", None, false), None);
    }

    #[test]
    fn click_offset_is_relative_to_the_target_box() {
        let t = target(&button_facts(), &vec![], |_| true).unwrap();
        let kind = click(t, 0, Modifiers::default(), Point { x: 15.5, y: 30.0 }).unwrap();
        let EventKind::Click(p) = kind else {
            panic!("not a click: {kind:?}")
        };
        assert_eq!(p.button, MouseButton::Primary);
        assert_eq!(p.offset, Point { x: 5.5, y: 10.0 });
    }

    #[test]
    fn unknown_buttons_are_not_recorded() {
        let t = target(&button_facts(), &vec![], |_| true).unwrap();
        assert!(click(t, 7, Modifiers::default(), Point { x: 0.0, y: 0.0 }).is_none());
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
}
