//! CSS selectors and XPaths built from an element's ancestry.
//!
//! The DOM glue walks from the target up to the top of its root (the
//! document or a shadow root) and records one [`Step`] per element; these
//! functions only look at those steps, so every rule here is testable
//! without a browser. Selectors prefer stable anchors (ids, test ids) over
//! positions, because a replay weeks later meets a page that has changed.

use workflow_format::limits;

/// One element on the way from the target (first) up to the topmost element
/// of its root (last).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// Lower-case tag name.
    pub tag: String,
    pub id: Option<String>,
    /// `data-testid`, else `data-test`, as `(attribute, value)`.
    pub test_id: Option<(&'static str, String)>,
    /// 1-based position among the parent's children with the same tag.
    pub nth_of_type: u32,
    /// How many of the parent's children (this one included) have this tag.
    pub of_type_count: u32,
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

    /// The anchored form, when the element carries a stable identifier.
    fn anchor_css(&self) -> Option<String> {
        if let Some(id) = self.id.as_deref().filter(|id| !id.trim().is_empty()) {
            return Some(format!("#{}", css_ident(id)));
        }
        self.test_id
            .as_ref()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(attr, v)| format!("{}[{attr}={}]", css_ident(&self.tag), css_string(v)))
    }
}

/// Attributes of the target element itself that can name it on their own,
/// without any ancestor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnAnchors {
    /// The `name` attribute (form controls).
    pub name: Option<String>,
    /// The `value` attribute: radio buttons of one group share a `name`.
    pub value: Option<String>,
    /// The `aria-label` attribute.
    pub aria_label: Option<String>,
}

/// Selectors for `chain[0]` in order of preference: the element's id, its
/// test id, its `name` (plus `value` for radios), its `aria-label`, then the
/// nearest anchored ancestor with positional steps, then pure positions.
///
/// The caller keeps the first one that matches exactly one element in the
/// root (a page may reuse ids or names); if none does, the last anchored
/// path is still the best guess. Labels cannot be expressed in CSS (it
/// cannot match text), so they travel in `Target::label` and the ARIA name.
/// Every candidate fits in [`limits::SELECTOR`]; empty when nothing does.
pub fn candidates(chain: &[Step], own: &OwnAnchors) -> Vec<String> {
    let Some(first) = chain.first() else {
        return Vec::new();
    };
    let tag = css_ident(&first.tag);
    let mut out = Vec::new();
    if let Some(anchor) = first.anchor_css() {
        out.push(anchor);
    }
    let nonblank = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
    if let Some(name) = nonblank(&own.name) {
        let by_name = format!("{tag}[name={}]", css_string(&name));
        if let Some(value) = own.value.as_deref() {
            out.push(format!("{by_name}[value={}]", css_string(value)));
        }
        out.push(by_name);
    }
    if let Some(label) = nonblank(&own.aria_label) {
        out.push(format!("{tag}[aria-label={}]", css_string(&label)));
    }
    // The element's own anchor is already first; this one is for when it
    // is not unique but an ancestor's id is.
    out.extend(build_css_from(chain, true, 1));
    out.extend(build_css(chain, false));
    out.retain(|s| s.len() <= limits::SELECTOR);
    let mut seen = Vec::new();
    out.retain(|s| {
        let new = !seen.contains(s);
        seen.push(s.clone());
        new
    });
    out
}

/// A CSS selector for `chain[0]`, valid inside its root: the nearest anchored
/// ancestor (or the element itself) followed by positional child steps.
///
/// `None` when the chain is empty or no selector fits in
/// [`limits::SELECTOR`]: an event the relay would reject is better dropped
/// here than sent.
pub fn css(chain: &[Step]) -> Option<String> {
    let anchored = build_css(chain, true);
    if anchored
        .as_ref()
        .is_some_and(|s| s.len() <= limits::SELECTOR)
    {
        return anchored;
    }
    // A huge id or test id can push the anchored form over the limit; the
    // purely positional form may still fit.
    build_css(chain, false).filter(|s| s.len() <= limits::SELECTOR)
}

fn build_css(chain: &[Step], use_anchors: bool) -> Option<String> {
    build_css_from(chain, use_anchors, 0)
}

/// Like [`build_css`], but anchors only from `chain[first_anchor]` upwards.
fn build_css_from(chain: &[Step], use_anchors: bool, first_anchor: usize) -> Option<String> {
    if chain.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for (i, step) in chain.iter().enumerate() {
        if use_anchors
            && i >= first_anchor
            && let Some(anchor) = step.anchor_css()
        {
            parts.push(anchor);
            break;
        }
        parts.push(step.positional_css());
    }
    parts.reverse();
    Some(parts.join(" > "))
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
        let chain = [input, form, step("body", 1, 1), step("html", 1, 1)];
        let own = OwnAnchors {
            name: Some("email".into()),
            value: None,
            aria_label: Some("E-mail".into()),
        };
        assert_eq!(
            candidates(&chain, &own),
            vec![
                r#"input[data-testid="email-field"]"#,
                r#"input[name="email"]"#,
                r#"input[aria-label="E-mail"]"#,
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
}
