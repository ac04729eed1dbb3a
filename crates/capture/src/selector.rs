//! CSS selectors and XPaths built from an element's ancestry.
//!
//! The DOM glue walks from the target up to the top of its root (the
//! document or a shadow root) and records one [`Step`] per element; these
//! functions only look at those steps, so every rule here is testable
//! without a browser. Selectors prefer stable anchors (authored ids, test
//! ids, names, labels) over positions, because a replay weeks later meets a
//! page that has changed; values that look generated at run time
//! ([`stable::looks_generated`]) are never anchors, because the next session
//! gives the element another one.

use workflow_format::limits;

use crate::stable;

/// One element on the way from the target (first) up to the topmost element
/// of its root (last).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// Lower-case tag name.
    pub tag: String,
    pub id: Option<String>,
    /// A test id attribute as `(attribute, value)`: the first of
    /// `data-testid`, `data-test-id`, `data-test`, `data-cy`, `data-qa`
    /// whose value is stable, else the first present.
    pub test_id: Option<(&'static str, String)>,
    /// 1-based position among the parent's children with the same tag.
    pub nth_of_type: u32,
    /// How many of the parent's children (this one included) have this tag.
    pub of_type_count: u32,
    /// The `name` attribute: `form[name="checkout"]` anchors what is inside.
    pub name: Option<String>,
    /// The `aria-label` attribute: `nav[aria-label="Primary"]`.
    pub aria_label: Option<String>,
    /// The `role` attribute, verbatim: `div[role="dialog"]`.
    pub role: Option<String>,
    /// `placeholder`, `title`, `alt` and the raw `href` attribute: the
    /// element's own descriptive selectors (`input[placeholder="City"]`,
    /// `a[href="/pricing"]`). Read for every step, used for the first.
    pub placeholder: Option<String>,
    pub title: Option<String>,
    pub alt: Option<String>,
    pub href: Option<String>,
    /// Set by [`measure_anchors`] on the nearest ancestor one of whose
    /// [`Step::anchor_forms`] matched exactly it in its root: that form.
    pub unique_anchor: Option<String>,
}

/// Elements that are usually one per root and say what a region is:
/// unique, they anchor a path without any attribute.
const LANDMARK_TAGS: &[&str] = &[
    "main", "nav", "header", "footer", "aside", "form", "dialog", "search",
];

/// `role` values of regions and widgets that contain others, for
/// `tag[role=...]` anchors of ancestors.
const CONTAINER_ROLES: &[&str] = &[
    "main",
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "form",
    "region",
    "dialog",
    "alertdialog",
    "toolbar",
    "menubar",
    "menu",
    "tablist",
    "tabpanel",
    "tree",
    "grid",
    "listbox",
];

fn stable(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|v| stable::is_stable(v))
}

impl Step {
    /// The positional form of this step, e.g. `li:nth-of-type(3)`.
    fn positional_css(&self) -> String {
        if self.of_type_count > 1 {
            format!("{}:nth-of-type({})", css_ident(&self.tag), self.nth_of_type)
        } else {
            css_ident(&self.tag)
        }
    }

    /// `#id` when the id is stable.
    fn id_css(&self) -> Option<String> {
        stable(&self.id).map(|id| format!("#{}", css_ident(id)))
    }

    /// `tag[data-testid="..."]` when the test id is stable.
    fn test_id_css(&self) -> Option<String> {
        self.test_id
            .as_ref()
            .filter(|(_, v)| stable::is_stable(v))
            .map(|(attr, v)| self.attr_css(attr, v))
    }

    fn attr_css(&self, attr: &str, value: &str) -> String {
        format!("{}[{attr}={}]", css_ident(&self.tag), css_string(value))
    }

    /// The strong anchor of this step, used without any uniqueness
    /// measure (by [`css`], the best guess when nothing was unique): its
    /// stable id, else its stable test id.
    fn strong_anchor(&self) -> Option<String> {
        self.id_css().or_else(|| self.test_id_css())
    }

    /// Every form that could anchor a path at this step, best first: its
    /// stable id, test id, `name`, `aria-label`, a container `role`, then
    /// the bare tag of a landmark (`main`). Only a form that matches
    /// exactly this element in its root may anchor (see
    /// [`measure_anchors`]).
    pub fn anchor_forms(&self) -> Vec<String> {
        let mut out: Vec<String> = self.id_css().into_iter().collect();
        out.extend(self.test_id_css());
        if let Some(name) = stable(&self.name) {
            out.push(self.attr_css("name", name));
        }
        if let Some(label) = stable(&self.aria_label) {
            out.push(self.attr_css("aria-label", label));
        }
        if let Some(role) = self.role.as_deref().map(str::trim)
            && CONTAINER_ROLES.contains(&role)
        {
            out.push(self.attr_css("role", role));
        }
        if LANDMARK_TAGS.contains(&self.tag.as_str()) {
            out.push(css_ident(&self.tag));
        }
        dedup(&mut out);
        out
    }
}

/// Attributes of the target element itself that can name it on their own,
/// without any ancestor. Where a field is `None` the first [`Step`]'s copy
/// of the attribute is used.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnAnchors {
    /// The `name` attribute (form controls).
    pub name: Option<String>,
    /// The `value` attribute: radio buttons of one group share a `name`.
    pub value: Option<String>,
    /// The `aria-label` attribute.
    pub aria_label: Option<String>,
}

/// Marks the nearest ancestor of `chain[0]` that has a unique anchor:
/// walks up from `chain[1]`, asks `unique(i, css)` (does `css` match
/// exactly `chain[i]` and nothing else in the root?) for each of its
/// [`Step::anchor_forms`], and stores the first that is in
/// [`Step::unique_anchor`]. Stops there: only the nearest one is used, so
/// higher ancestors cost no query.
pub fn measure_anchors(chain: &mut [Step], mut unique: impl FnMut(usize, &str) -> bool) {
    for step in chain.iter_mut() {
        step.unique_anchor = None;
    }
    for (i, step) in chain.iter_mut().enumerate().skip(1) {
        let found = step
            .anchor_forms()
            .into_iter()
            .filter(|css| css.len() <= limits::SELECTOR)
            .find(|css| unique(i, css));
        if found.is_some() {
            step.unique_anchor = found;
            return;
        }
    }
}

/// Selectors for `chain[0]` in order of preference:
///
/// 1. its own stable anchors: id, test id, `name` (plus `value` for
///    radios), `aria-label`;
/// 2. its own descriptive attributes: `placeholder`, `title`, `alt`, a
///    link's path `href` ([`stable::is_stable_href`]);
/// 3. each of those below the nearest ancestor with a unique anchor
///    ([`measure_anchors`]), e.g. `form[name="login"] input[name="email"]`
///    when two forms have an `email` field;
/// 4. its own `role` or landmark tag (`div[role="dialog"]`, `form`);
/// 5. the positional path below that ancestor anchor, e.g.
///    `form[name="checkout"] > div > button`;
/// 6. last, the positional path from the top of the root.
///
/// Generated-looking values ([`stable::looks_generated`]) appear nowhere.
/// The caller keeps the first one that matches exactly one element in the
/// root; if none does, [`css`] is the best guess. Labels cannot be
/// expressed in CSS (it cannot match text), so they travel in
/// `Target::label` and the ARIA name. Every candidate fits in
/// [`limits::SELECTOR`]; empty when the chain is.
pub fn candidates(chain: &[Step], own: &OwnAnchors) -> Vec<String> {
    let Some(first) = chain.first() else {
        return Vec::new();
    };
    // The element's own attribute selectors after its id; each is also
    // tried below an ancestor's anchor.
    let mut attrs: Vec<String> = first.test_id_css().into_iter().collect();
    let name = stable(&own.name).or_else(|| stable(&first.name));
    if let Some(name) = name {
        let by_name = first.attr_css("name", name);
        if let Some(value) = own.value.as_deref().filter(|v| !stable::looks_generated(v)) {
            attrs.push(format!("{by_name}[value={}]", css_string(value)));
        }
        attrs.push(by_name);
    }
    let label = stable(&own.aria_label).or_else(|| stable(&first.aria_label));
    if let Some(label) = label {
        attrs.push(first.attr_css("aria-label", label));
    }
    for (attr, value) in [
        ("placeholder", &first.placeholder),
        ("title", &first.title),
        ("alt", &first.alt),
    ] {
        if let Some(value) = stable(value) {
            attrs.push(first.attr_css(attr, value));
        }
    }
    if matches!(first.tag.as_str(), "a" | "area")
        && let Some(href) = first.href.as_deref().filter(|h| stable::is_stable_href(h))
    {
        attrs.push(first.attr_css("href", href));
    }

    let ancestor = chain
        .iter()
        .enumerate()
        .skip(1)
        .find_map(|(i, s)| s.unique_anchor.as_deref().map(|a| (i, a)));
    let mut out: Vec<String> = first.id_css().into_iter().collect();
    out.extend(attrs.iter().cloned());
    if let Some((_, anchor)) = ancestor {
        out.extend(attrs.iter().map(|own| format!("{anchor} {own}")));
    }
    if let Some(role) = first
        .role
        .as_deref()
        .and_then(|r| r.split_ascii_whitespace().next())
        .filter(|r| r.bytes().all(|b| b.is_ascii_alphabetic()))
    {
        out.push(first.attr_css("role", role));
    }
    if LANDMARK_TAGS.contains(&first.tag.as_str()) {
        out.push(css_ident(&first.tag));
    }
    if let Some((at, anchor)) = ancestor {
        out.push(path_below(chain, at, anchor));
    }
    out.push(path_below(chain, chain.len(), ""));
    out.retain(|s| s.len() <= limits::SELECTOR);
    dedup(&mut out);
    out
}

/// A CSS selector for `chain[0]`, valid inside its root, for when no
/// candidate was unique (a page that reuses ids): the positional path
/// below the nearest step with an anchor (the element's own stable id or
/// test id, an ancestor's measured unique anchor, else an ancestor's
/// stable id or test id), else the positional path from the top.
///
/// `None` when the chain is empty or no selector fits in
/// [`limits::SELECTOR`]: an event the relay would reject is better dropped
/// here than sent.
pub fn css(chain: &[Step]) -> Option<String> {
    if chain.is_empty() {
        return None;
    }
    let own = chain[0].strong_anchor().map(|a| (0, a));
    let measured = || {
        chain
            .iter()
            .enumerate()
            .skip(1)
            .find_map(|(i, s)| s.unique_anchor.clone().map(|a| (i, a)))
    };
    let unmeasured = || {
        chain
            .iter()
            .enumerate()
            .skip(1)
            .find_map(|(i, s)| s.strong_anchor().map(|a| (i, a)))
    };
    let anchored = own
        .or_else(measured)
        .or_else(unmeasured)
        .map(|(at, anchor)| path_below(chain, at, &anchor))
        .filter(|s| s.len() <= limits::SELECTOR);
    // A huge anchor can push the anchored form over the limit; the purely
    // positional form may still fit.
    anchored.or_else(|| {
        Some(path_below(chain, chain.len(), "")).filter(|s| s.len() <= limits::SELECTOR)
    })
}

/// `anchor` (standing for `chain[at]`) followed by the positional steps
/// from `chain[at - 1]` down to `chain[0]`; with `at == chain.len()` the
/// positional path from the top of the root.
fn path_below(chain: &[Step], at: usize, anchor: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    if at < chain.len() {
        parts.push(anchor.to_owned());
    }
    parts.extend(
        chain[..at.min(chain.len())]
            .iter()
            .rev()
            .map(Step::positional_css),
    );
    parts.join(" > ")
}

fn dedup(list: &mut Vec<String>) {
    let mut seen = Vec::new();
    list.retain(|s| {
        let new = !seen.contains(s);
        seen.push(s.clone());
        new
    });
}

/// A positional XPath for `chain[0]`, from the top of its root, e.g.
/// `/html/body/div[2]/button`. `None` when empty or too long.
pub fn xpath(chain: &[Step]) -> Option<String> {
    if chain.is_empty() {
        return None;
    }
    let mut out = String::new();
    for step in chain.iter().rev() {
        out.push('/');
        // Tag names are ASCII letters, digits and '-' in HTML; anything else
        // (a hand-built XML island) is not addressable by a plain name test.
        if step
            .tag
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !step.tag.is_empty()
        {
            out.push_str(&step.tag);
        } else {
            out.push('*');
        }
        if step.of_type_count > 1 {
            out.push_str(&format!("[{}]", step.nth_of_type));
        }
    }
    (out.len() <= limits::SELECTOR).then_some(out)
}

/// Serializes an identifier as the CSSOM `CSS.escape()` does.
pub fn css_ident(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let chars: Vec<char> = s.chars().collect();
    if chars == ['-'] {
        return "\\-".to_owned();
    }
    for (i, &c) in chars.iter().enumerate() {
        let leading_digit = c.is_ascii_digit() && (i == 0 || (i == 1 && chars[0] == '-'));
        match c {
            '\0' => out.push('\u{FFFD}'),
            '\u{1}'..='\u{1f}' | '\u{7f}' => hex_escape(&mut out, c),
            _ if leading_digit => hex_escape(&mut out, c),
            '-' | '_' | '0'..='9' | 'a'..='z' | 'A'..='Z' => out.push(c),
            _ if c as u32 >= 0x80 => out.push(c),
            _ => {
                out.push('\\');
                out.push(c);
            }
        }
    }
    out
}

/// A double-quoted CSS string literal.
pub fn css_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => hex_escape(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn hex_escape(out: &mut String, c: char) {
    // The trailing space ends the escape, so a following hex digit is not
    // swallowed into it.
    out.push_str(&format!("\\{:x} ", c as u32));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(tag: &str, nth: u32, count: u32) -> Step {
        Step {
            tag: tag.into(),
            nth_of_type: nth,
            of_type_count: count,
            ..Step::default()
        }
    }

    #[test]
    fn positional_path_to_the_root() {
        let chain = [step("button", 2, 3), step("body", 1, 1), step("html", 1, 1)];
        assert_eq!(css(&chain).unwrap(), "html > body > button:nth-of-type(2)");
        assert_eq!(xpath(&chain).unwrap(), "/html/body/button[2]");
    }

    #[test]
    fn an_id_anchors_the_selector() {
        let mut form = step("form", 1, 1);
        form.id = Some("login".into());
        let chain = [
            step("button", 1, 1),
            form,
            step("body", 1, 1),
            step("html", 1, 1),
        ];
        assert_eq!(css(&chain).unwrap(), "#login > button");
        // XPath stays positional: it is the fallback when anchors change.
        assert_eq!(xpath(&chain).unwrap(), "/html/body/form/button");
    }

    #[test]
    fn the_element_own_id_wins() {
        let mut b = step("button", 4, 9);
        b.id = Some("go".into());
        b.test_id = Some(("data-testid", "submit".into()));
        assert_eq!(css(&[b, step("html", 1, 1)]).unwrap(), "#go");
    }

    #[test]
    fn a_test_id_anchors_when_there_is_no_id() {
        let mut b = step("button", 1, 2);
        b.test_id = Some(("data-testid", "say \"hi\"".into()));
        assert_eq!(
            css(&[b, step("html", 1, 1)]).unwrap(),
            r#"button[data-testid="say \"hi\""]"#
        );
    }

    #[test]
    fn blank_ids_are_not_anchors() {
        let mut b = step("button", 1, 1);
        b.id = Some("  ".into());
        assert_eq!(css(&[b, step("html", 1, 1)]).unwrap(), "html > button");
    }

    #[test]
    fn ids_are_escaped_like_css_escape() {
        assert_eq!(css_ident("a.b"), "a\\.b");
        assert_eq!(css_ident("1x"), "\\31 x");
        assert_eq!(css_ident("-2"), "-\\32 ");
        assert_eq!(css_ident("-"), "\\-");
        assert_eq!(css_ident("é_-z9"), "é_-z9");
        assert_eq!(css_ident("a\u{1}b"), "a\\1 b");
        assert_eq!(css_ident("a\0"), "a\u{FFFD}");
        assert_eq!(css_ident("x y:z"), "x\\ y\\:z");
    }

    #[test]
    fn control_characters_never_reach_a_selector() {
        let mut b = step("div", 1, 1);
        b.test_id = Some(("data-test", "a\nb\u{7f}".into()));
        let s = css(&[b]).unwrap();
        assert!(!s.chars().any(char::is_control), "{s:?}");
        assert_eq!(s, r#"div[data-test="a\a b\7f "]"#);
    }

    #[test]
    fn an_oversized_id_falls_back_to_positions() {
        let mut b = step("button", 1, 1);
        b.id = Some("x".repeat(limits::SELECTOR + 1));
        assert_eq!(css(&[b, step("html", 1, 1)]).unwrap(), "html > button");
    }

    #[test]
    fn a_path_too_deep_for_the_limit_is_refused() {
        let chain: Vec<Step> = (0..2000).map(|_| step("div", 2, 2)).collect();
        assert_eq!(css(&chain), None);
        assert_eq!(xpath(&chain), None);
    }

    #[test]
    fn empty_chain_has_no_selector() {
        assert_eq!(css(&[]), None);
        assert_eq!(xpath(&[]), None);
    }

    #[test]
    fn candidates_prefer_id_then_test_id_then_name_then_label_then_paths() {
        let mut input = step("input", 2, 3);
        input.test_id = Some(("data-testid", "email-field".into()));
        let mut form = step("form", 1, 1);
        form.id = Some("signup".into());
        let mut chain = [input, form, step("body", 1, 1), step("html", 1, 1)];
        let own = OwnAnchors {
            name: Some("email".into()),
            value: None,
            aria_label: Some("E-mail".into()),
        };
        measure_anchors(&mut chain, |i, css| i == 1 && css == "#signup");
        assert_eq!(
            candidates(&chain, &own),
            vec![
                r#"input[data-testid="email-field"]"#,
                r#"input[name="email"]"#,
                r#"input[aria-label="E-mail"]"#,
                r#"#signup input[data-testid="email-field"]"#,
                r##"#signup input[name="email"]"##,
                r##"#signup input[aria-label="E-mail"]"##,
                "#signup > input:nth-of-type(2)",
                "html > body > form > input:nth-of-type(2)",
            ]
        );
    }

    #[test]
    fn radios_are_named_by_name_and_value() {
        let chain = [step("input", 1, 2), step("html", 1, 1)];
        let own = OwnAnchors {
            name: Some("size".into()),
            value: Some("L".into()),
            aria_label: None,
        };
        let c = candidates(&chain, &own);
        assert_eq!(c[0], r#"input[name="size"][value="L"]"#);
        assert_eq!(c[1], r#"input[name="size"]"#);
    }

    #[test]
    fn candidates_skip_blank_and_oversized_anchors() {
        let chain = [step("a", 1, 1)];
        let own = OwnAnchors {
            name: Some(" ".into()),
            value: None,
            aria_label: Some("x".repeat(limits::SELECTOR)),
        };
        assert_eq!(candidates(&chain, &own), vec!["a"]);
        assert!(candidates(&[], &own).is_empty());
    }

    #[test]
    fn odd_tag_names_become_wildcards_in_xpath() {
        assert_eq!(xpath(&[step("svg:rect", 1, 1)]).unwrap(), "/*");
    }

    /// `html > body > ...` around `inner`, innermost first.
    fn in_page(inner: Vec<Step>) -> Vec<Step> {
        let mut chain = inner;
        chain.push(step("body", 1, 1));
        chain.push(step("html", 1, 1));
        chain
    }

    /// A uniqueness oracle: `css` is unique for `chain[i]` when listed.
    fn only(unique: &[(usize, &str)]) -> impl FnMut(usize, &str) -> bool {
        move |i, css| unique.iter().any(|&(j, u)| i == j && u == css)
    }

    #[test]
    fn a_generated_id_gives_way_to_the_nearest_stable_ancestor() {
        // <form name="checkout"><div><button id="headlessui-menu-button-:r1:">
        let mut button = step("button", 1, 1);
        button.id = Some("headlessui-menu-button-:r1:".into());
        let mut form = step("form", 1, 1);
        form.name = Some("checkout".into());
        let mut chain = in_page(vec![button, step("div", 1, 1), form]);
        measure_anchors(&mut chain, only(&[(2, r#"form[name="checkout"]"#)]));
        let c = candidates(&chain, &OwnAnchors::default());
        assert_eq!(
            c,
            [
                r#"form[name="checkout"] > div > button"#,
                "html > body > form > div > button"
            ]
        );
        assert_eq!(css(&chain).unwrap(), c[0], "the best guess too");
    }

    #[test]
    fn a_generated_ancestor_id_is_skipped_for_a_unique_landmark() {
        // <main><div id="ember342"><ul><li/><li><button>
        let mut div = step("div", 1, 1);
        div.id = Some("ember342".into());
        let mut chain = in_page(vec![
            step("button", 1, 1),
            step("li", 2, 2),
            step("ul", 1, 1),
            div,
            step("main", 1, 1),
        ]);
        let mut asked = Vec::new();
        measure_anchors(&mut chain, |i, css| {
            asked.push((i, css.to_owned()));
            css == "main"
        });
        // Nothing is asked of the generated id, and nothing above `main`.
        assert_eq!(asked, [(4, "main".to_owned())]);
        assert_eq!(
            candidates(&chain, &OwnAnchors::default())[0],
            "main > div > ul > li:nth-of-type(2) > button"
        );
    }

    #[test]
    fn a_uuid_id_gives_way_to_the_name() {
        let mut input = step("input", 1, 1);
        input.id = Some("550e8400-e29b-41d4-a716-446655440000".into());
        let chain = in_page(vec![input]);
        let own = OwnAnchors {
            name: Some("email".into()),
            ..OwnAnchors::default()
        };
        let c = candidates(&chain, &own);
        assert_eq!(c[0], r#"input[name="email"]"#);
        assert!(c.iter().all(|s| !s.contains("550e8400")), "{c:?}");
        assert_eq!(css(&chain).unwrap(), "html > body > input");
    }

    #[test]
    fn an_authored_id_still_wins_where_a_generated_one_does_not() {
        let mut login = step("button", 1, 2);
        login.id = Some("login".into());
        login.test_id = Some(("data-testid", "login-button".into()));
        let mut form = step("form", 1, 1);
        form.id = Some("mat-form-3".into());
        let chain = in_page(vec![login.clone(), form.clone()]);
        assert_eq!(candidates(&chain, &OwnAnchors::default())[0], "#login");
        assert_eq!(css(&chain).unwrap(), "#login");
        // Its sibling in the same form has only the form's generated id
        // above it: positions from the root, not `#mat-form-3`.
        let chain = in_page(vec![step("button", 2, 2), form]);
        assert_eq!(
            candidates(&chain, &OwnAnchors::default()),
            ["html > body > form > button:nth-of-type(2)"]
        );
        assert_eq!(
            css(&chain).unwrap(),
            "html > body > form > button:nth-of-type(2)"
        );
    }

    #[test]
    fn generated_test_ids_and_names_are_not_anchors_either() {
        let mut row = step("tr", 3, 9);
        row.test_id = Some(("data-testid", "row-8f3a2c91".into()));
        row.name = Some(":r7:".into());
        let mut table = step("table", 1, 1);
        table.test_id = Some(("data-testid", "orders".into()));
        let mut chain = in_page(vec![step("td", 2, 4), row, step("tbody", 1, 1), table]);
        measure_anchors(&mut chain, only(&[(3, r#"table[data-testid="orders"]"#)]));
        let c = candidates(&chain, &OwnAnchors::default());
        assert_eq!(
            c[0],
            r#"table[data-testid="orders"] > tbody > tr:nth-of-type(3) > td:nth-of-type(2)"#
        );
        assert!(
            c.iter().all(|s| !s.contains("8f3a") && !s.contains(":r7")),
            "{c:?}"
        );
        // The cell's own generated test id: positions below the table.
        chain[0].test_id = Some(("data-test", "cell-1q2w3e".into()));
        assert!(
            candidates(&chain, &OwnAnchors::default())
                .iter()
                .all(|s| !s.contains("1q2w3e"))
        );
    }

    #[test]
    fn an_ancestor_anchor_is_used_only_when_unique() {
        // <nav aria-label="Primary"><form name="search"><button> where
        // another form is named "search" too.
        let mut form = step("form", 1, 1);
        form.name = Some("search".into());
        let mut nav = step("nav", 1, 1);
        nav.aria_label = Some("Primary".into());
        let mut chain = in_page(vec![step("button", 1, 1), form, nav]);
        measure_anchors(&mut chain, only(&[(2, r#"nav[aria-label="Primary"]"#)]));
        assert_eq!(chain[1].unique_anchor, None);
        assert_eq!(
            chain[2].unique_anchor.as_deref(),
            Some(r#"nav[aria-label="Primary"]"#)
        );
        assert_eq!(
            candidates(&chain, &OwnAnchors::default())[0],
            r#"nav[aria-label="Primary"] > form > button"#
        );
        // Measuring again starts over.
        measure_anchors(&mut chain, |_, _| false);
        assert_eq!(
            candidates(&chain, &OwnAnchors::default()),
            ["html > body > nav > form > button"]
        );
    }

    #[test]
    fn anchor_forms_of_an_ancestor_in_order() {
        let mut s = step("section", 1, 2);
        s.id = Some("pricing".into());
        s.test_id = Some(("data-qa", "plans".into()));
        s.name = Some("plans".into());
        s.aria_label = Some("Plans".into());
        s.role = Some("region".into());
        assert_eq!(
            s.anchor_forms(),
            [
                "#pricing",
                r#"section[data-qa="plans"]"#,
                r#"section[name="plans"]"#,
                r#"section[aria-label="Plans"]"#,
                r#"section[role="region"]"#,
            ]
        );
        // Generated values drop out; a landmark tag stays, a plain one
        // has nothing.
        let mut f = step("form", 1, 1);
        f.id = Some("el-id-1234-5".into());
        f.role = Some("button".into());
        assert_eq!(f.anchor_forms(), ["form"]);
        assert!(step("div", 1, 1).anchor_forms().is_empty());
        assert!(step("body", 1, 1).anchor_forms().is_empty());
    }

    #[test]
    fn descriptive_attributes_name_the_element() {
        let mut link = step("a", 3, 5);
        link.href = Some("/pricing".into());
        link.title = Some("See the plans".into());
        let chain = in_page(vec![link.clone()]);
        assert_eq!(
            candidates(&chain, &OwnAnchors::default())[..2],
            [r#"a[title="See the plans"]"#, r#"a[href="/pricing"]"#]
        );
        // A link with a query or a generated piece is not named by it.
        for href in [
            "/pricing?session=Xk82",
            "/orders/88121",
            "https://x.example/pricing",
        ] {
            link.href = Some(href.into());
            link.title = None;
            let c = candidates(&in_page(vec![link.clone()]), &OwnAnchors::default());
            assert_eq!(c, ["html > body > a:nth-of-type(3)"], "{href}");
        }
        let mut input = step("input", 1, 1);
        input.placeholder = Some("Your city".into());
        assert_eq!(
            candidates(&in_page(vec![input]), &OwnAnchors::default())[0],
            r#"input[placeholder="Your city"]"#
        );
        let mut img = step("img", 1, 1);
        img.alt = Some("Company logo".into());
        assert_eq!(
            candidates(&in_page(vec![img]), &OwnAnchors::default())[0],
            r#"img[alt="Company logo"]"#
        );
        let mut dialog = step("div", 4, 4);
        dialog.role = Some("dialog".into());
        assert_eq!(
            candidates(&in_page(vec![dialog]), &OwnAnchors::default())[0],
            r#"div[role="dialog"]"#
        );
    }

    #[test]
    fn a_shared_name_is_tried_below_the_ancestor_anchor_before_positions() {
        // Login and sign-up forms both have name="email".
        let mut form = step("form", 2, 2);
        form.name = Some("signup".into());
        let mut chain = in_page(vec![step("input", 1, 1), step("div", 1, 1), form]);
        chain[0].name = Some("email".into());
        measure_anchors(&mut chain, only(&[(2, r#"form[name="signup"]"#)]));
        assert_eq!(
            candidates(&chain, &OwnAnchors::default()),
            [
                r#"input[name="email"]"#,
                r#"form[name="signup"] input[name="email"]"#,
                r#"form[name="signup"] > div > input"#,
                "html > body > form:nth-of-type(2) > div > input",
            ]
        );
    }

    #[test]
    fn the_path_from_the_root_comes_last() {
        let mut main = step("main", 1, 1);
        main.id = Some(":R2a:".into());
        let mut chain = in_page(vec![step("p", 2, 3), main]);
        measure_anchors(&mut chain, only(&[(1, "main")]));
        let c = candidates(&chain, &OwnAnchors::default());
        assert_eq!(
            c,
            [
                "main > p:nth-of-type(2)",
                "html > body > main > p:nth-of-type(2)"
            ]
        );
    }
}
