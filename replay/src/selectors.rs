//! The ways to find a step's element again, and how each replayer spells
//! them.
//!
//! Order matters: pages change their markup more often than their visible
//! wording, so ARIA role + accessible name comes first, then visible text,
//! then the recorder's CSS selector, then its XPath (the most positional).
//! The recorder measured the uniqueness of the CSS selector and of the role
//! and name (`Target::aria_unique`); an alternative measured *not* unique is
//! kept but flagged, because OpenClaw hands selectors to Playwright in
//! strict mode, where a selector matching two elements is an error, and
//! `@puppeteer/replay` acts on the first match, which may be the wrong one.
//! Text equal to a name that is not unique is flagged too: the elements
//! sharing the name show the same words.

use serde::Serialize;
use workflow_format::Target;

/// Visible text longer than this is not used as a selector: long texts are
/// paragraphs, not controls, and they change often.
const TEXT_SELECTOR_MAX: usize = 80;

/// Which kind of alternative, in order of robustness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlternativeKind {
    Aria,
    Text,
    Css,
    Xpath,
}

/// One way to find an element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alternative {
    pub kind: AlternativeKind,
    /// ARIA role (only for [`AlternativeKind::Aria`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The accessible name, the text, the CSS selector or the XPath.
    pub value: String,
    /// `Some(false)` when the recorder saw this selector match more than one
    /// element; `None` when uniqueness was not measured.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unique: Option<bool>,
}

impl Alternative {
    pub fn is_flagged_not_unique(&self) -> bool {
        self.unique == Some(false)
    }
}

/// The alternatives of `t`, most robust first, except that those measured
/// not unique come after all others: every replayer then tries first what
/// can only find the recorded element, and a step found that way is not
/// reported as needing a fallback.
pub fn alternatives(t: &Target) -> Vec<Alternative> {
    let mut out = candidates(t);
    // Stable: the robustness order holds within each group.
    out.sort_by_key(Alternative::is_flagged_not_unique);
    out
}

fn candidates(t: &Target) -> Vec<Alternative> {
    let mut out = Vec::new();
    // A role that is not an ARIA role is page text (`button] >> css=body`
    // would end the selector and start another): no selector carries it.
    if let Some(aria) = &t.aria
        && !aria.name.trim().is_empty()
        && workflow_format::is_aria_role(&aria.role)
    {
        out.push(Alternative {
            kind: AlternativeKind::Aria,
            role: Some(aria.role.clone()),
            value: aria.name.trim().to_owned(),
            unique: t.aria_unique,
        });
    }
    // Form controls and editable regions (a code editor's textbox) show
    // their value, not a label, as "text": it changes with what is typed.
    let is_field = matches!(t.tag.as_str(), "input" | "textarea" | "select")
        || t.aria
            .as_ref()
            .is_some_and(|a| workflow_format::is_value_role(&a.role));
    if let Some(text) = &t.text {
        let text = text.trim();
        if !is_field && !text.is_empty() && text.chars().count() <= TEXT_SELECTOR_MAX {
            let shares_a_duplicate_name = t.aria_unique == Some(false)
                && t.aria
                    .as_ref()
                    .is_some_and(|a| workflow_format::names_match(&a.name, text));
            out.push(Alternative {
                kind: AlternativeKind::Text,
                role: None,
                value: text.to_owned(),
                unique: t.text_unique.or(shares_a_duplicate_name.then_some(false)),
            });
        }
    }
    if !t.css.trim().is_empty() {
        out.push(Alternative {
            kind: AlternativeKind::Css,
            role: None,
            value: t.css.clone(),
            unique: Some(t.css_unique),
        });
    }
    if !t.xpath.trim().is_empty() {
        out.push(Alternative {
            kind: AlternativeKind::Xpath,
            role: None,
            value: t.xpath.clone(),
            unique: None,
        });
    }
    out
}

/// Playwright selector for `alt`, or `None` when Playwright cannot express
/// it for this element (XPath does not cross shadow roots).
///
/// Frames are entered with `internal:control=enter-frame`, the selector
/// Playwright's own `frameLocator()` chains build, so that `page.locator()`
/// reaches into iframes.
pub fn playwright(alt: &Alternative, t: &Target) -> Option<String> {
    let inner = match alt.kind {
        // The whole name, as `getByRole(.., {exact: true})`, but without
        // regard to case: the recorder reads what Chromium shows (its
        // accessibility tree and `innerText` apply CSS `text-transform`,
        // so Django's "Add group" link is "ADD GROUP"), while Playwright
        // computes names from the DOM text ("Add group").
        AlternativeKind::Aria => format!(
            "internal:role={}[name={}]",
            alt.role.as_deref().unwrap_or("generic"),
            whole_ignoring_case(&alt.value)
        ),
        // The same for text, which Playwright also reads from the DOM.
        AlternativeKind::Text => format!("text={}", whole_ignoring_case(&alt.value)),
        // Playwright's CSS engine pierces open shadow roots; chaining the
        // hosts with `>>` keeps the match inside the recorded host.
        AlternativeKind::Css => {
            let mut parts: Vec<String> =
                t.shadow_hosts.iter().map(|h| format!("css={h}")).collect();
            parts.push(format!("css={}", alt.value));
            parts.join(" >> ")
        }
        AlternativeKind::Xpath => {
            if !t.shadow_hosts.is_empty() {
                return None;
            }
            format!("xpath={}", alt.value)
        }
    };
    let mut out = String::new();
    for index in &t.frame_path {
        out.push_str(&format!(
            "css=iframe, frame >> nth={index} >> internal:control=enter-frame >> "
        ));
    }
    out.push_str(&inner);
    Some(out)
}

/// A Playwright regex literal matching the whole of `s`, ignoring case,
/// with any run of whitespace matching any run, and any at either end:
/// Playwright normalises whitespace for quoted text but hands a regex the
/// raw text, which for a web component's host includes the whitespace of
/// its shadow root (`<sl-button>Submit</sl-button>` reads " Submit ").
///
/// Escaped: every regex metacharacter; `/`, which would end the literal;
/// quotes, which Playwright's selector parser reads as string delimiters;
/// and `>`, because an unescaped `>>` splits a selector chain. Without the
/// `u` flag a backslash before any of these is an identity escape.
/// Control characters (never in a real name) become `\uXXXX`.
fn whole_ignoring_case(s: &str) -> String {
    let mut out = String::from("/^\\s*");
    let mut in_space = false;
    for c in s.trim().chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push_str("\\s+");
            }
            in_space = true;
            continue;
        }
        in_space = false;
        match c {
            '\\' | '^' | '$' | '.' | '*' | '+' | '?' | '(' | ')' | '[' | ']' | '{' | '}' | '|'
            | '/' | '"' | '\'' | '`' | '>' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push_str("\\s*$/i");
    out
}

/// The alternative a one-selector replayer (an OpenClaw plan) should use:
/// the most robust one, except that a CSS selector known to match several
/// elements comes after everything else.
pub fn preferred<'a>(alts: &'a [Alternative], t: &Target) -> Option<(&'a Alternative, String)> {
    let usable = |a: &&Alternative| !a.is_flagged_not_unique();
    alts.iter()
        .filter(usable)
        .chain(alts.iter().filter(|a| a.is_flagged_not_unique()))
        .find_map(|a| playwright(a, t).map(|s| (a, s)))
}

/// DevTools Recorder selectors: a list of alternatives, each a list of
/// selectors descending through shadow roots (one entry when no shadow
/// root is crossed).
pub fn devtools(alts: &[Alternative], t: &Target) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    // @puppeteer/replay races every selector of a step and acts on the
    // first that resolves, so each one must find the recorded element.
    // Its `text/` query matches the innermost element whose text
    // *contains* the string: "Sign in" finds the heading "Sign in" above
    // the button as readily as the button. The ARIA selector says the
    // same thing precisely (role and exact name), so text goes in only
    // when there is no ARIA one.
    //
    // Nor does `text/` find a shadow host: it reads a host's text from
    // its shadow root, never from its own children, so the label slotted
    // into a web component (`<sl-button>Submit</sl-button>`) is matched
    // by the nearest ancestor that has it, the whole form, and the click
    // lands there. A custom element (a name with a hyphen) is the usual
    // shadow host; it keeps its CSS and XPath selectors.
    //
    // A role + name or text measured not unique is left out: the race would
    // take whichever of the look-alikes resolves first. (A CSS selector that
    // was not unique is the recorder's best anchored guess; it stays.)
    let has_aria = alts.iter().any(|a| a.kind == AlternativeKind::Aria);
    let text_finds_it = !has_aria && !t.tag.contains('-');
    for alt in alts
        .iter()
        .filter(|a| text_finds_it || a.kind != AlternativeKind::Text)
        .filter(|a| a.kind == AlternativeKind::Css || !a.is_flagged_not_unique())
    {
        match alt.kind {
            // Puppeteer's aria/ and text/ queries walk the accessibility
            // tree and pierce shadow roots by themselves.
            AlternativeKind::Aria => {
                // `aria/Name[role="x"]` is parsed with a bracket regex, so a
                // name containing brackets cannot be expressed safely.
                if !alt.value.contains(['[', ']']) {
                    let role = alt.role.as_deref().unwrap_or_default();
                    if role.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        out.push(vec![format!("aria/{}[role=\"{role}\"]", alt.value)]);
                    } else {
                        out.push(vec![format!("aria/{}", alt.value)]);
                    }
                }
            }
            AlternativeKind::Text => out.push(vec![format!("text/{}", alt.value)]),
            AlternativeKind::Css => {
                let mut chain = t.shadow_hosts.clone();
                chain.push(alt.value.clone());
                out.push(chain);
            }
            AlternativeKind::Xpath => {
                if t.shadow_hosts.is_empty() {
                    out.push(vec![format!("xpath/{}", alt.value)]);
                }
            }
        }
    }
    if !t.css.trim().is_empty() {
        out.push(vec![format!("pierce/{}", t.css)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use workflow_format::{AriaRef, Rect};

    fn target(tag: &str, aria: Option<(&str, &str)>, text: &str) -> Target {
        Target {
            aria: aria.map(|(role, name)| AriaRef {
                role: role.into(),
                name: name.into(),
            }),
            text: Some(text.into()),
            css: "#x".into(),
            css_unique: true,
            xpath: "/html/body/x".into(),
            shadow_hosts: Vec::new(),
            frame_path: Vec::new(),
            tag: tag.into(),
            input_type: None,
            name: None,
            label: None,
            placeholder: None,
            autocomplete: None,
            was_password: false,
            masked: false,
            id: None,
            aria_unique: None,
            text_unique: None,
            bounds: Rect {
                x: 0.0,
                y: 0.0,
                width: 10.0,
                height: 10.0,
            },
        }
    }

    #[test]
    fn a_name_shared_with_another_element_is_not_what_one_selector_relies_on() {
        // One of two "Delete" buttons (one per row).
        let mut delete = target("button", Some(("button", "Delete")), "Delete");
        delete.css = "tr:nth-of-type(2) > td > button".into();
        delete.aria_unique = Some(false);
        let alts = alternatives(&delete);
        let kinds: Vec<(AlternativeKind, bool)> = alts
            .iter()
            .map(|a| (a.kind, a.is_flagged_not_unique()))
            .collect();
        // Every replayer tries the look-alike names last.
        assert_eq!(
            kinds,
            [
                (AlternativeKind::Css, false),
                (AlternativeKind::Xpath, false),
                (AlternativeKind::Aria, true),
                (AlternativeKind::Text, true),
            ]
        );
        // The plan's one selector is the CSS one, measured unique.
        let (alt, sel) = preferred(&alts, &delete).unwrap();
        assert_eq!(alt.kind, AlternativeKind::Css);
        assert_eq!(sel, "css=tr:nth-of-type(2) > td > button");
        // DevTools leaves out what would race to a look-alike.
        let flat = devtools(&alts, &delete).concat();
        assert!(
            !flat
                .iter()
                .any(|s| s.starts_with("aria/") || s.starts_with("text/")),
            "{flat:?}"
        );
        // A unique name keeps its place; so does text that differs from a
        // shared aria-label.
        delete.aria_unique = Some(true);
        assert_eq!(
            preferred(&alternatives(&delete), &delete).unwrap().0.kind,
            AlternativeKind::Aria
        );
        // A clickable span shown twice: its text is measured itself.
        let mut span = target("span", None, "Mark as read");
        span.text_unique = Some(false);
        let alts = alternatives(&span);
        assert_eq!(
            preferred(&alts, &span).unwrap().0.kind,
            AlternativeKind::Css
        );
        assert!(
            !devtools(&alts, &span)
                .concat()
                .iter()
                .any(|s| s.starts_with("text/"))
        );
        span.text_unique = Some(true);
        assert_eq!(
            preferred(&alternatives(&span), &span).unwrap().0.kind,
            AlternativeKind::Text
        );
        let mut labelled = target("button", Some(("button", "Remove row 2")), "Delete");
        labelled.aria_unique = Some(false);
        let alts = alternatives(&labelled);
        assert_eq!(
            (alts[0].kind, alts[0].is_flagged_not_unique()),
            (AlternativeKind::Text, false)
        );
        assert_eq!(
            preferred(&alts, &labelled).unwrap().0.kind,
            AlternativeKind::Text
        );
    }

    #[test]
    fn playwright_names_match_whole_and_ignoring_case() {
        // Recorded as Chromium shows it (CSS text-transform applied).
        let link = target("a", Some(("link", "ADD GROUP")), "ADD GROUP");
        let alts = alternatives(&link);
        assert_eq!(
            playwright(&alts[0], &link).unwrap(),
            r#"internal:role=link[name=/^\s*ADD\s+GROUP\s*$/i]"#
        );
        assert_eq!(
            playwright(&alts[1], &link).unwrap(),
            r#"text=/^\s*ADD\s+GROUP\s*$/i"#
        );
        // Page text cannot end the literal, start a string, split the
        // chain or widen the match.
        let hostile = target("button", Some(("button", r#"a "q" >> b/c [x] .*"#)), "");
        let sel = playwright(&alternatives(&hostile)[0], &hostile).unwrap();
        assert_eq!(
            sel,
            r#"internal:role=button[name=/^\s*a\s+\"q\"\s+\>\>\s+b\/c\s+\[x\]\s+\.\*\s*$/i]"#
        );
        assert!(!sel.contains(">>"), "{sel}");
    }

    #[test]
    fn devtools_text_selectors_only_where_puppeteer_finds_the_element_by_text() {
        let flat = |t: &Target| devtools(&alternatives(t), t).concat();
        // A plain element without a role: its text is the best selector.
        let span = target("span", None, "Submit");
        assert_eq!(flat(&span)[0], "text/Submit");
        // With an ARIA one, text is left out (it matches substrings).
        let button = target("button", Some(("button", "Submit")), "Submit");
        assert!(!flat(&button).iter().any(|s| s.starts_with("text/")));
        // A web component: puppeteer's text query never yields a shadow
        // host.
        let host = target("sl-button", None, "Submit");
        let sels = flat(&host);
        assert!(!sels.iter().any(|s| s.starts_with("text/")), "{sels:?}");
        assert_eq!(sels[0], "#x");
    }
}
