//! The ways to find a step's element again, and how each replayer spells
//! them.
//!
//! Order matters: pages change their markup more often than their visible
//! wording, so ARIA role + accessible name comes first, then visible text,
//! then the recorder's CSS selector, then its XPath (the most positional,
//! and only outside shadow trees: XPath cannot start inside a shadow root).
//!
//! An alternative is worth using only if it finds exactly the recorded
//! element under the consumer's own rules, and the consumers differ:
//!
//! * OpenClaw hands its one selector per action to Playwright in strict
//!   mode, where a selector matching two elements is an error. Role and
//!   name (`Target::aria_unique`) and whole text (`Target::text_unique`)
//!   are measured that way, and Playwright's `css=` pierces open shadow
//!   roots (`Target::css_pierce_unique`, `Target::css_chain_unique`).
//!   [`Alternative::unique`] holds that reading; an alternative measured
//!   not unique is kept but flagged and goes last.
//! * `@puppeteer/replay` races every selector of a DevTools step and acts
//!   on whichever resolves first, each on its first match: `text/`
//!   matches text *containing* the string (`Target::text_contains_unique`),
//!   a plain CSS selector stays in the document, `pierce/` searches every
//!   open shadow root. [`devtools`] leaves out what is measured not unique
//!   under those rules.
//!
//! Text equal to a name that is not unique is flagged too: the elements
//! sharing the name show the same words. Not measured (`None`: older
//! recordings, pages too big to scan) means what it always did.

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
    /// element as Playwright in strict mode reads it (an OpenClaw plan's
    /// selector, see [`playwright`]); `None` when uniqueness was not
    /// measured. The DevTools flow reads Puppeteer's measurements from the
    /// target instead (see [`devtools`]).
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
        // Playwright's `css=` pierces open shadow roots: a selector unique
        // in the element's own root may also match inside a web component
        // elsewhere. Measured through them when the recorder could.
        let pierced = if t.shadow_hosts.is_empty() {
            t.css_pierce_unique
        } else {
            t.css_chain_unique
        };
        out.push(Alternative {
            kind: AlternativeKind::Css,
            role: None,
            value: t.css.clone(),
            unique: Some(pierced.unwrap_or(t.css_unique)),
        });
    }
    // XPath cannot start inside a shadow root: `document.evaluate` refuses
    // one as its context node and Playwright's `xpath=` does not pierce,
    // so no replayer gets an XPath that can only fail there.
    if !t.xpath.trim().is_empty() && t.shadow_hosts.is_empty() {
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
            playwright_role(alt.role.as_deref().unwrap_or("generic")),
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

/// The recorder writes roles as Chromium spells them (`image`, ARIA 1.3's
/// name); Playwright's role engine knows the ARIA 1.2 name, `img`.
fn playwright_role(role: &str) -> &str {
    if role.eq_ignore_ascii_case("image") {
        "img"
    } else {
        role
    }
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
/// the most robust one that Playwright's strict mode can use, i.e. not
/// measured to match several elements as Playwright reads it
/// ([`Alternative::unique`]: role and name, whole text, CSS through open
/// shadow roots); one measured so comes only when nothing else can be
/// spelled. Not measured (`None`) counts as usable, as it always did.
pub fn preferred<'a>(alts: &'a [Alternative], t: &Target) -> Option<(&'a Alternative, String)> {
    let usable = |a: &&Alternative| !a.is_flagged_not_unique();
    alts.iter()
        .filter(usable)
        .chain(alts.iter().filter(|a| a.is_flagged_not_unique()))
        .find_map(|a| playwright(a, t).map(|s| (a, s)))
}

/// Whether the DevTools flow's spelling of `alt` finds exactly the
/// recorded element under Puppeteer's rules, as the recorder measured it;
/// `None` when not measured.
///
/// * `aria/Name[role="x"]` asks Chromium's accessibility tree for that
///   role and exactly that name (`Accessibility.queryAXTree`): the
///   recorder's `aria_unique` compares names ignoring case and whitespace
///   runs, which finds every element Puppeteer would and perhaps more, so
///   `true` holds here too.
/// * `text/...` is `text_contains_unique`.
/// * A CSS selector alone is `document.querySelectorAll` (`css_unique`);
///   a chain through shadow roots, `css_chain_unique`, measured as
///   Playwright reads it, which finds a superset of Puppeteer's matches.
/// * XPath is positional and only written outside shadow trees: not
///   measured.
fn puppeteer_unique(alt: &Alternative, t: &Target) -> Option<bool> {
    match alt.kind {
        AlternativeKind::Aria => t.aria_unique,
        AlternativeKind::Text => t.text_contains_unique,
        AlternativeKind::Css if t.shadow_hosts.is_empty() => Some(t.css_unique),
        AlternativeKind::Css => Some(t.css_chain_unique.unwrap_or(t.css_unique)),
        AlternativeKind::Xpath => None,
    }
}

/// DevTools Recorder selectors: a list of alternatives, each a list of
/// selectors descending through shadow roots (one entry when no shadow
/// root is crossed).
pub fn devtools(alts: &[Alternative], t: &Target) -> Vec<Vec<String>> {
    // @puppeteer/replay races every selector of a step and acts on the
    // first that resolves, each on its first match (in document order), so
    // every one must find the recorded element: one that can find another
    // element is worse than none, it wins the race as often as not, and the
    // recorded offset then lands on whatever it found. So an alternative
    // measured not unique under Puppeteer's rule (`puppeteer_unique`) is
    // left out.
    //
    // Not measured (older recordings), text goes by the old rules: its
    // `text/` query matches the innermost element whose text *contains*
    // the string, so "Sign in" finds the heading "Sign in" above the
    // button as readily as the button. The ARIA selector says the same
    // thing precisely (role and exact name), so unmeasured text goes in
    // only when there is no ARIA one. Nor does `text/` find a shadow host:
    // it reads a host's text from its shadow root, never from its own
    // children, so the label slotted into a web component
    // (`<sl-button>Submit</sl-button>`) is matched by the nearest ancestor
    // that has it, the whole form. A custom element (a name with a hyphen)
    // is the usual shadow host: no unmeasured text for it either.
    let has_aria = alts.iter().any(|a| a.kind == AlternativeKind::Aria);
    let legacy_text = !has_aria && !t.tag.contains('-');
    // (selectors, measured unique under Puppeteer's rule, is the CSS one)
    let mut written: Vec<(Vec<String>, Option<bool>, bool)> = Vec::new();
    for alt in alts {
        let unique = puppeteer_unique(alt, t);
        // @puppeteer/replay backslash-escapes quotes and parentheses and
        // Puppeteer unescapes every backslash pair, so a backslash in page
        // text would search for other text.
        let spellable = !alt.value.contains('\\');
        match alt.kind {
            // Puppeteer's aria/ and text/ queries walk the accessibility
            // tree and pierce shadow roots by themselves.
            AlternativeKind::Aria => {
                // `aria/Name[role="x"]` is parsed with a bracket regex, so a
                // name containing brackets cannot be expressed safely.
                if spellable && !alt.value.contains(['[', ']']) {
                    let role = alt.role.as_deref().unwrap_or_default();
                    let sel = if role.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                        format!("aria/{}[role=\"{role}\"]", alt.value)
                    } else {
                        format!("aria/{}", alt.value)
                    };
                    written.push((vec![sel], unique, false));
                }
            }
            AlternativeKind::Text => {
                let usable = match unique {
                    Some(measured) => measured,
                    None => legacy_text && !alt.is_flagged_not_unique(),
                };
                if spellable && usable {
                    written.push((vec![format!("text/{}", alt.value)], unique, false));
                }
            }
            AlternativeKind::Css => {
                let mut chain = t.shadow_hosts.clone();
                chain.push(alt.value.clone());
                written.push((chain, unique, true));
            }
            // `xpath/` evaluates from the document; a shadow root cannot be
            // its context (and `alternatives` gives none there anyway).
            AlternativeKind::Xpath => {
                if t.shadow_hosts.is_empty() {
                    written.push((vec![format!("xpath/{}", alt.value)], unique, false));
                }
            }
        }
    }
    // `pierce/` searches the document and every open shadow root, so it
    // finds at least what the selector finds in the element's own root.
    if !t.css.trim().is_empty() {
        let unique = if t.css_unique {
            t.css_pierce_unique
        } else {
            Some(false)
        };
        written.push((vec![format!("pierce/{}", t.css)], unique, false));
    }
    let kept: Vec<Vec<String>> = written
        .iter()
        .filter(|(_, unique, _)| *unique != Some(false))
        .map(|(sels, _, _)| sels.clone())
        .collect();
    if !kept.is_empty() {
        return kept;
    }
    // Everything was measured not unique: a step needs a selector, so the
    // race keeps one best guess, the recorder's CSS (anchored by ids and
    // test ids before positions, and alone it cannot lose a race to a
    // look-alike of another kind). It may find a look-alike first.
    written
        .iter()
        .find(|(_, _, css)| *css)
        .or(written.first())
        .map(|(sels, _, _)| vec![sels.clone()])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(tag: &str, aria: Option<(&str, &str)>, text: &str) -> Target {
        let t = Target::test(tag).text(text).css("#x").xpath("/html/body/x");
        match aria {
            Some((role, name)) => t.aria(role, name),
            None => t,
        }
        .build()
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

    #[test]
    fn devtools_leaves_out_text_that_puppeteer_finds_elsewhere() {
        let flat = |t: &Target| devtools(&alternatives(t), t).concat();
        // A plan tile "Pro" without a role, and the heading "Pro plan"
        // above it: Playwright's whole-text match finds the tile alone,
        // Puppeteer's `text/Pro` (contains) finds the heading first.
        let mut tile = target("div", None, "Pro");
        tile.text_unique = Some(true);
        tile.text_contains_unique = Some(false);
        let sels = flat(&tile);
        assert!(!sels.iter().any(|s| s.starts_with("text/")), "{sels:?}");
        assert_eq!(sels[0], "#x");
        // Playwright still gets its text selector.
        assert_eq!(
            preferred(&alternatives(&tile), &tile).unwrap().0.kind,
            AlternativeKind::Text
        );
        // Measured unique under Puppeteer's rule, text races along even
        // beside a role and name, and for a custom element.
        let mut button = target("button", Some(("button", "Upgrade")), "Upgrade");
        button.aria_unique = Some(true);
        button.text_contains_unique = Some(true);
        let sels = flat(&button);
        assert!(sels.contains(&"text/Upgrade".to_owned()), "{sels:?}");
        let mut host = target("x-chip", None, "Beta");
        host.text_contains_unique = Some(true);
        assert_eq!(flat(&host)[0], "text/Beta");
        // Page text with a backslash: Puppeteer would unescape it.
        let mut odd = target("span", None, r"C:\temp");
        odd.text_contains_unique = Some(true);
        assert!(!flat(&odd).iter().any(|s| s.starts_with("text/")));
    }

    #[test]
    fn devtools_races_only_what_is_unique_for_puppeteer() {
        let sels = |t: &Target| devtools(&alternatives(t), t);
        // A CSS selector that matched two elements when recorded is left
        // out of the race when something else remains.
        let mut b = target("button", Some(("button", "Save")), "Save");
        b.aria_unique = Some(true);
        b.css = "form > button".into();
        b.css_unique = false;
        let all = sels(&b).concat();
        assert!(!all.contains(&"form > button".to_owned()), "{all:?}");
        assert!(!all.iter().any(|s| s.starts_with("pierce/")), "{all:?}");
        assert_eq!(all[0], "aria/Save[role=\"button\"]");
        assert!(all.contains(&"xpath//html/body/x".to_owned()), "{all:?}");
        // `pierce/` measured not unique (a look-alike in a shadow root)
        // goes, the plain CSS selector, unique in the document, stays.
        let mut p = target("span", None, "");
        p.css_unique = true;
        p.css_pierce_unique = Some(false);
        let mut race = sels(&p);
        race.sort();
        assert_eq!(
            race,
            vec![vec!["#x".to_owned()], vec!["xpath//html/body/x".to_owned()]]
        );
        p.css_pierce_unique = Some(true);
        assert_eq!(sels(&p).last().unwrap(), &vec!["pierce/#x".to_owned()]);
        // A shadow chain measured not unique goes too, when a role and
        // name remains.
        let mut inner = target("button", Some(("button", "Close")), "Close");
        inner.shadow_hosts = vec!["x-card".into()];
        inner.aria_unique = Some(true);
        inner.css = "button".into();
        inner.css_chain_unique = Some(false);
        inner.css_pierce_unique = Some(false);
        assert_eq!(
            sels(&inner),
            vec![vec!["aria/Close[role=\"button\"]".to_owned()]]
        );
        // Nothing unique at all: the recorder's CSS is the one guess left.
        inner.aria_unique = Some(false);
        assert_eq!(
            sels(&inner),
            vec![vec!["x-card".to_owned(), "button".to_owned()]]
        );
    }

    #[test]
    fn playwright_reads_css_through_open_shadow_roots() {
        // `#go` is unique in the document, but a web component elsewhere
        // has a `#go` in its shadow root: Playwright's `css=#go` matches
        // both, so the plan uses the positional XPath instead.
        let mut go = target("span", None, "");
        go.css = "#go".into();
        go.css_pierce_unique = Some(false);
        let alts = alternatives(&go);
        let (alt, sel) = preferred(&alts, &go).unwrap();
        assert_eq!(
            (alt.kind, sel.as_str()),
            (AlternativeKind::Xpath, "xpath=/html/body/x")
        );
        // Inside a shadow root, the host chain is what is measured.
        let mut inner = target("button", Some(("button", "Close")), "Close");
        inner.shadow_hosts = vec!["x-card".into()];
        inner.css = "button".into();
        inner.aria_unique = Some(true);
        inner.css_pierce_unique = Some(false);
        inner.css_chain_unique = Some(true);
        let alts = alternatives(&inner);
        let css = alts
            .iter()
            .find(|a| a.kind == AlternativeKind::Css)
            .unwrap();
        assert_eq!(css.unique, Some(true));
        inner.css_chain_unique = Some(false);
        inner.aria_unique = Some(false);
        inner.text_unique = Some(true);
        let alts = alternatives(&inner);
        let (alt, sel) = preferred(&alts, &inner).unwrap();
        assert_eq!(alt.kind, AlternativeKind::Text, "{sel}");
        // Not measured: as before, the own root's answer.
        inner.css_chain_unique = None;
        let alts = alternatives(&inner);
        let css = alts
            .iter()
            .find(|a| a.kind == AlternativeKind::Css)
            .unwrap();
        assert_eq!(css.unique, Some(true));
    }

    #[test]
    fn no_xpath_inside_shadow_roots() {
        let mut inner = target("button", Some(("button", "Close")), "Close");
        inner.shadow_hosts = vec!["x-card".into(), "x-dialog#d".into()];
        let alts = alternatives(&inner);
        assert!(
            !alts.iter().any(|a| a.kind == AlternativeKind::Xpath),
            "{alts:?}"
        );
        assert!(
            !devtools(&alts, &inner)
                .concat()
                .iter()
                .any(|s| s.starts_with("xpath/"))
        );
        // In the light DOM it stays, spelled `xpath//...` for Puppeteer.
        let light = target("button", Some(("button", "Close")), "Close");
        let alts = alternatives(&light);
        assert!(alts.iter().any(|a| a.kind == AlternativeKind::Xpath));
        assert!(
            devtools(&alts, &light)
                .concat()
                .contains(&"xpath//html/body/x".to_owned())
        );
    }

    #[test]
    fn an_image_role_is_spelled_img_for_playwright() {
        let t = target("img", Some(("image", "Logo")), "");
        let alts = alternatives(&t);
        let (_, sel) = preferred(&alts, &t).unwrap();
        assert_eq!(sel, r#"internal:role=img[name=/^\s*Logo\s*$/i]"#);
    }
}
