//! The rules on an in-memory tree. Browser truth lives in the e2e
//! conformance test; these pin the algorithm's structure (each case here
//! is one the browser answered the same way on the conformance page).

use super::*;

#[derive(Debug, Clone, Default)]
struct El {
    tag: String,
    attrs: Vec<(String, String)>,
    children: Vec<usize>,
    shadow: Option<Vec<usize>>,
    text: Option<String>,
    shown: Option<Shown>,
    block: bool,
    transform: Transform,
    before: Option<String>,
    internals: Internals,
    value: String,
    selected: Vec<String>,
    parent: Option<usize>,
}

#[derive(Default)]
struct Tree {
    nodes: Vec<El>,
}

/// A node under construction.
enum B {
    E(&'static str, Vec<(&'static str, &'static str)>, Vec<B>),
    T(&'static str),
    /// A host with (shadow children, light children).
    Host(
        &'static str,
        Vec<(&'static str, &'static str)>,
        Vec<B>,
        Vec<B>,
    ),
    /// Any node with a tweak applied after it is built.
    With(Box<B>, fn(&mut El)),
}

fn e(tag: &'static str, attrs: &[(&'static str, &'static str)], kids: Vec<B>) -> B {
    B::E(tag, attrs.to_vec(), kids)
}
fn t(s: &'static str) -> B {
    B::T(s)
}
fn with(b: B, f: fn(&mut El)) -> B {
    B::With(Box::new(b), f)
}

impl Tree {
    fn add(&mut self, b: B, parent: Option<usize>) -> usize {
        match b {
            B::T(s) => {
                self.nodes.push(El {
                    text: Some(s.to_owned()),
                    parent,
                    ..El::default()
                });
                self.nodes.len() - 1
            }
            B::E(tag, attrs, kids) => {
                let id = self.push_el(tag, attrs, parent);
                for k in kids {
                    let c = self.add(k, Some(id));
                    self.nodes[id].children.push(c);
                }
                id
            }
            B::Host(tag, attrs, shadow, light) => {
                let id = self.push_el(tag, attrs, parent);
                let mut sh = Vec::new();
                for k in shadow {
                    let c = self.add(k, Some(id));
                    sh.push(c);
                }
                self.nodes[id].shadow = Some(sh);
                for k in light {
                    let c = self.add(k, Some(id));
                    self.nodes[id].children.push(c);
                }
                id
            }
            B::With(b, f) => {
                let id = self.add(*b, parent);
                f(&mut self.nodes[id]);
                id
            }
        }
    }

    fn push_el(&mut self, tag: &str, attrs: Vec<(&str, &str)>, parent: Option<usize>) -> usize {
        let block = matches!(tag, "div" | "p" | "li" | "h2" | "fieldset" | "legend");
        self.nodes.push(El {
            tag: tag.to_owned(),
            attrs: attrs
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            block,
            parent,
            ..El::default()
        });
        self.nodes.len() - 1
    }

    fn find(&self, id: &str) -> usize {
        (0..self.nodes.len())
            .find(|&i| self.attr(&i, "id").as_deref() == Some(id))
            .unwrap_or_else(|| panic!("no #{id}"))
    }

    /// The host whose shadow tree holds `n`, if any (the tree scope).
    fn scope(&self, n: usize) -> Option<usize> {
        let mut cur = n;
        while let Some(p) = self.nodes[cur].parent {
            if self.nodes[p]
                .shadow
                .as_ref()
                .is_some_and(|s| s.contains(&cur))
            {
                return Some(p);
            }
            cur = p;
        }
        None
    }
}

impl Dom for Tree {
    type Node = usize;
    fn text(&self, n: &usize) -> Option<String> {
        self.nodes[*n].text.clone()
    }
    fn tag(&self, n: &usize) -> String {
        self.nodes[*n].tag.clone()
    }
    fn attr(&self, n: &usize, name: &str) -> Option<String> {
        self.nodes[*n]
            .attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }
    fn children(&self, n: &usize) -> Vec<usize> {
        let el = &self.nodes[*n];
        if let Some(sh) = &el.shadow {
            return sh.clone();
        }
        if el.tag == "slot" {
            // Assigned: the light children of the host whose `slot`
            // attribute names this slot.
            let name = self.attr(n, "name").unwrap_or_default();
            if let Some(host) = self.scope(*n) {
                let assigned: Vec<usize> = self.nodes[host]
                    .children
                    .iter()
                    .copied()
                    .filter(|c| self.attr(c, "slot").unwrap_or_default() == name)
                    .collect();
                if !assigned.is_empty() {
                    return assigned;
                }
            }
        }
        el.children.clone()
    }
    fn by_id(&self, n: &usize, id: &str) -> Option<usize> {
        let scope = self.scope(*n);
        (0..self.nodes.len()).find(|&i| {
            self.nodes[i].text.is_none()
                && self.attr(&i, "id").as_deref() == Some(id)
                && self.scope(i) == scope
        })
    }
    fn labels(&self, n: &usize) -> Vec<usize> {
        let id = self.attr(n, "id");
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].tag == "label")
            .filter(|&i| match self.attr(&i, "for") {
                Some(f) => Some(f) == id,
                None => self.contains(i, *n),
            })
            .collect()
    }
    fn shown(&self, n: &usize) -> Shown {
        if self.attr(n, "hidden").is_some() {
            return Shown::No;
        }
        self.nodes[*n].shown.unwrap_or(Shown::Yes)
    }
    fn inline(&self, n: &usize) -> bool {
        !self.nodes[*n].block
    }
    fn transform(&self, n: &usize) -> Transform {
        self.nodes[*n].transform
    }
    fn pseudo_text(&self, n: &usize, after: bool) -> Option<String> {
        (!after).then(|| self.nodes[*n].before.clone()).flatten()
    }
    fn value(&self, n: &usize) -> String {
        let el = &self.nodes[*n];
        if el.value.is_empty() {
            self.attr(n, "value").unwrap_or_default()
        } else {
            el.value.clone()
        }
    }
    fn selected_texts(&self, n: &usize) -> Vec<String> {
        self.nodes[*n].selected.clone()
    }
    fn internals(&self, n: &usize) -> Internals {
        self.nodes[*n].internals.clone()
    }
    fn focusable(&self, n: &usize) -> bool {
        matches!(
            self.nodes[*n].tag.as_str(),
            "button" | "input" | "select" | "textarea"
        ) || self.attr(n, "tabindex").is_some()
    }
}

impl Tree {
    fn contains(&self, ancestor: usize, mut n: usize) -> bool {
        while let Some(p) = self.nodes[n].parent {
            if p == ancestor {
                return true;
            }
            n = p;
        }
        false
    }
}

fn page(body: Vec<B>) -> Tree {
    let mut tree = Tree::default();
    tree.add(e("body", &[], body), None);
    tree
}

fn rn(tree: &Tree, id: &str) -> (Option<String>, String) {
    let n = tree.find(id);
    (role(tree, &n), name(tree, &n))
}

fn is(tree: &Tree, id: &str, want_role: Option<&str>, want_name: &str) {
    assert_eq!(
        rn(tree, id),
        (want_role.map(str::to_owned), want_name.to_owned()),
        "#{id}"
    );
}

#[test]
fn labels_wrap_and_point_and_skip_the_control_itself() {
    let tree = page(vec![
        e(
            "label",
            &[],
            vec![
                t("Email "),
                e("input", &[("id", "c1"), ("type", "email")], vec![]),
            ],
        ),
        e("label", &[("for", "c2")], vec![t("First name")]),
        e("input", &[("id", "c2")], vec![]),
        e(
            "label",
            &[],
            vec![
                t("Country "),
                with(e("select", &[("id", "c3")], vec![]), |el| {
                    el.selected = vec!["Peru".into()]
                }),
            ],
        ),
        e(
            "label",
            &[],
            vec![
                e("input", &[("id", "c4"), ("type", "checkbox")], vec![]),
                t(" Send "),
                with(e("select", &[], vec![]), |el| {
                    el.selected = vec!["daily".into()]
                }),
                t(" mails"),
            ],
        ),
    ]);
    is(&tree, "c1", Some("textbox"), "Email");
    is(&tree, "c2", Some("textbox"), "First name");
    is(&tree, "c3", Some("combobox"), "Country");
    is(&tree, "c4", Some("checkbox"), "Send daily mails");
}

#[test]
fn a_text_field_embedded_in_a_label_lends_no_typed_value() {
    // The browser would say "Ship to Alice Street"; a recording never
    // carries typed text outside the redaction rules.
    let tree = page(vec![e(
        "label",
        &[],
        vec![
            e("input", &[("id", "box"), ("type", "checkbox")], vec![]),
            t(" Ship to "),
            with(e("input", &[], vec![]), |el| {
                el.value = "Alice Street".into()
            }),
        ],
    )]);
    is(&tree, "box", Some("checkbox"), "Ship to");
}

#[test]
fn labelledby_joins_ids_follows_hidden_targets_and_itself_once() {
    let tree = page(vec![
        e("span", &[("id", "l1")], vec![t("Billing")]),
        e("span", &[("id", "l2")], vec![t("address")]),
        e(
            "input",
            &[("id", "c5"), ("aria-labelledby", "l1 l2")],
            vec![],
        ),
        e(
            "span",
            &[("id", "hid"), ("hidden", "")],
            vec![t("Secret name")],
        ),
        e(
            "button",
            &[("id", "c6"), ("aria-labelledby", "hid")],
            vec![t("X")],
        ),
        e(
            "button",
            &[("id", "c42"), ("aria-labelledby", "c42 dfile")],
            vec![t("Download")],
        ),
        e("span", &[("id", "dfile")], vec![t("report.pdf")]),
        e(
            "button",
            &[("id", "c56"), ("aria-labelledby", "nope")],
            vec![t("Missing reference")],
        ),
        // Two elements naming each other do not loop.
        e(
            "span",
            &[("id", "a"), ("role", "button"), ("aria-labelledby", "b")],
            vec![t("A")],
        ),
        e(
            "span",
            &[("id", "b"), ("aria-labelledby", "a")],
            vec![t("B")],
        ),
    ]);
    is(&tree, "c5", Some("textbox"), "Billing address");
    is(&tree, "c6", Some("button"), "Secret name");
    is(&tree, "c42", Some("button"), "Download report.pdf");
    is(&tree, "c56", Some("button"), "Missing reference");
    is(&tree, "a", Some("button"), "B");
}

#[test]
fn aria_label_title_alt_and_placeholder_in_html_aam_order() {
    let tree = page(vec![
        e(
            "button",
            &[("id", "c7"), ("aria-label", "Close")],
            vec![t("×")],
        ),
        e(
            "button",
            &[("id", "c38"), ("aria-label", "  ")],
            vec![t("Real name")],
        ),
        e(
            "button",
            &[("id", "c8"), ("title", "Settings")],
            vec![e("svg", &[("aria-hidden", "true")], vec![])],
        ),
        e("input", &[("id", "c9"), ("title", "Search terms")], vec![]),
        e("img", &[("id", "c10"), ("alt", "Company logo")], vec![]),
        e(
            "a",
            &[("id", "c11"), ("href", "/home")],
            vec![e("img", &[("alt", "Home")], vec![])],
        ),
        e(
            "input",
            &[("id", "c32"), ("placeholder", "Search docs")],
            vec![],
        ),
        e(
            "input",
            &[
                ("id", "c50"),
                ("aria-label", "Code"),
                ("placeholder", "x"),
                ("title", "y"),
            ],
            vec![],
        ),
        e(
            "input",
            &[
                ("id", "c53"),
                ("type", "search"),
                ("placeholder", "Filter"),
                ("title", "Filter rows"),
            ],
            vec![],
        ),
        e(
            "button",
            &[("id", "c52"), ("title", "Tooltip only")],
            vec![t("Text wins")],
        ),
        e(
            "a",
            &[("id", "c54"), ("href", "/t"), ("title", "Terms of service")],
            vec![],
        ),
        e("img", &[("id", "deco"), ("alt", "")], vec![]),
    ]);
    is(&tree, "c7", Some("button"), "Close");
    is(&tree, "c38", Some("button"), "Real name");
    is(&tree, "c8", Some("button"), "Settings");
    is(&tree, "c9", Some("textbox"), "Search terms");
    is(&tree, "c10", Some("image"), "Company logo");
    is(&tree, "c11", Some("link"), "Home");
    is(&tree, "c32", Some("textbox"), "Search docs");
    is(&tree, "c50", Some("textbox"), "Code");
    is(&tree, "c53", Some("searchbox"), "Filter rows");
    is(&tree, "c52", Some("button"), "Text wins");
    is(&tree, "c54", Some("link"), "Terms of service");
    is(&tree, "deco", None, "");
}

#[test]
fn input_buttons_fieldsets_and_selects() {
    let tree = page(vec![
        e(
            "input",
            &[("id", "c12"), ("type", "submit"), ("value", "Apply")],
            vec![],
        ),
        e("input", &[("id", "c13"), ("type", "reset")], vec![]),
        e("input", &[("id", "c15"), ("type", "SUBMIT")], vec![]),
        e(
            "input",
            &[("id", "c16"), ("type", "image"), ("alt", "Go")],
            vec![],
        ),
        e(
            "fieldset",
            &[("id", "c17")],
            vec![e("legend", &[], vec![t("Shipping")])],
        ),
        e(
            "select",
            &[("id", "c19"), ("multiple", ""), ("aria-label", "Toppings")],
            vec![],
        ),
        e(
            "select",
            &[("id", "c20"), ("size", "3")],
            vec![e("option", &[("id", "c21")], vec![t("Small")])],
        ),
        with(
            e(
                "select",
                &[("id", "c39")],
                vec![e("option", &[], vec![t("Two")])],
            ),
            |el| el.selected = vec!["Two".into()],
        ),
        e("textarea", &[("id", "c31")], vec![t("print(6*7)")]),
    ]);
    is(&tree, "c12", Some("button"), "Apply");
    is(&tree, "c13", Some("button"), "Reset");
    is(&tree, "c15", Some("button"), "Submit");
    is(&tree, "c16", Some("button"), "Go");
    is(&tree, "c17", Some("group"), "Shipping");
    is(&tree, "c19", Some("listbox"), "Toppings");
    is(&tree, "c20", Some("listbox"), "");
    is(&tree, "c21", Some("option"), "Small");
    // A select is not named after its options, a textarea not after what
    // it holds.
    is(&tree, "c39", Some("combobox"), "");
    is(&tree, "c31", Some("textbox"), "");
}

#[test]
fn content_skips_hidden_parts_and_spaces_blocks_not_inlines() {
    let tree = page(vec![
        e(
            "button",
            &[("id", "c18")],
            vec![
                e("span", &[("aria-hidden", "true")], vec![t("✕")]),
                e("span", &[("class", "sr-only")], vec![t("Close dialog")]),
            ],
        ),
        e(
            "a",
            &[("id", "c33"), ("href", "/more")],
            vec![t("Read "), e("b", &[], vec![t("more")])],
        ),
        e(
            "a",
            &[("id", "c34"), ("href", "/p")],
            vec![
                e("div", &[], vec![t("Pricing")]),
                e("div", &[], vec![t("plans")]),
            ],
        ),
        e(
            "button",
            &[("id", "c35")],
            vec![t("Save"), e("span", &[], vec![t("all")])],
        ),
        with(e("button", &[("id", "c36")], vec![t("Checkout")]), |el| {
            el.before = Some("Cart: ".into())
        }),
        e(
            "button",
            &[("id", "c37")],
            vec![t("  Many\n   spaces   here ")],
        ),
        e(
            "button",
            &[("id", "c40")],
            vec![
                t("Go"),
                with(e("span", &[], vec![t(" hidden")]), |el| {
                    el.shown = Some(Shown::No)
                }),
            ],
        ),
        e(
            "div",
            &[("id", "c57"), ("role", "link"), ("tabindex", "0")],
            vec![
                with(e("span", &[], vec![t("Invisible ")]), |el| {
                    el.shown = Some(Shown::Invisible)
                }),
                t("Visible"),
            ],
        ),
        e(
            "h2",
            &[("id", "c48")],
            vec![t("Account "), e("small", &[], vec![t("settings")])],
        ),
    ]);
    is(&tree, "c18", Some("button"), "Close dialog");
    is(&tree, "c33", Some("link"), "Read more");
    is(&tree, "c34", Some("link"), "Pricing plans");
    is(&tree, "c35", Some("button"), "Saveall");
    is(&tree, "c36", Some("button"), "Cart: Checkout");
    is(&tree, "c37", Some("button"), "Many spaces here");
    is(&tree, "c40", Some("button"), "Go");
    is(&tree, "c57", Some("link"), "Visible");
    is(&tree, "c48", Some("heading"), "Account settings");
}

#[test]
fn roles_take_the_first_real_token_and_presentation_yields_to_focus() {
    let tree = page(vec![
        e(
            "div",
            &[("id", "c22"), ("role", "button"), ("tabindex", "0")],
            vec![t("Save draft")],
        ),
        e(
            "span",
            &[("id", "c24"), ("role", "switch checkbox")],
            vec![t("Dark mode")],
        ),
        e(
            "div",
            &[("id", "c25"), ("role", "bogus button")],
            vec![t("Fallback role")],
        ),
        e(
            "button",
            &[("id", "c45"), ("role", "none")],
            vec![t("Focusable")],
        ),
        e(
            "span",
            &[("id", "pres"), ("role", "presentation")],
            vec![t("x")],
        ),
        e(
            "div",
            &[("id", "abstract"), ("role", "widget")],
            vec![t("x")],
        ),
        e("a", &[("id", "c46")], vec![t("No href")]),
        e(
            "div",
            &[("id", "c47"), ("tabindex", "0")],
            vec![t("Clickable div")],
        ),
        e(
            "div",
            &[
                ("id", "c49"),
                ("role", "TEXTBOX"),
                ("aria-label", "Message"),
            ],
            vec![t("Hello")],
        ),
        e(
            "img",
            &[("id", "img"), ("role", "img"), ("alt", "Logo")],
            vec![],
        ),
    ]);
    is(&tree, "c22", Some("button"), "Save draft");
    is(&tree, "c24", Some("switch"), "Dark mode");
    is(&tree, "c25", Some("button"), "Fallback role");
    is(&tree, "c45", Some("button"), "Focusable");
    assert_eq!(rn(&tree, "pres").0, None);
    assert_eq!(rn(&tree, "abstract").0, None);
    is(&tree, "c46", None, "");
    is(&tree, "c47", None, "");
    is(&tree, "c49", Some("textbox"), "Message");
    is(&tree, "img", Some("image"), "Logo");
}

#[test]
fn shadow_roots_slots_and_element_internals() {
    let tree = page(vec![
        B::Host(
            "x-submit",
            vec![("id", "host")],
            vec![e(
                "button",
                &[("id", "inner")],
                vec![e("slot", &[], vec![])],
            )],
            vec![t("Submit order")],
        ),
        B::Host(
            "x-field",
            vec![],
            vec![
                e("label", &[("for", "nick")], vec![t("Nickname")]),
                e("input", &[("id", "nick")], vec![]),
                e("span", &[("id", "hint")], vec![t("Your")]),
                e("span", &[("id", "hint2")], vec![t("city")]),
                e(
                    "input",
                    &[("id", "city"), ("aria-labelledby", "hint hint2")],
                    vec![],
                ),
            ],
            vec![],
        ),
        B::Host(
            "x-card",
            vec![],
            vec![e(
                "div",
                &[("id", "open"), ("role", "button")],
                vec![
                    e("span", &[("aria-hidden", "true")], vec![t("→")]),
                    t(" "),
                    e("slot", &[("name", "title")], vec![t("fallback")]),
                ],
            )],
            vec![e("span", &[("slot", "title")], vec![t("Quarterly report")])],
        ),
        with(e("x-switch", &[("id", "c28")], vec![]), |el| {
            el.internals = Internals {
                role: Some("switch".into()),
                label: Some("Airplane mode".into()),
            }
        }),
        with(e("x-chip", &[("id", "c29")], vec![t("Remove tag")]), |el| {
            el.internals = Internals {
                role: Some("button".into()),
                label: None,
            }
        }),
        // An attribute overrides the internals default.
        with(
            e(
                "x-chip",
                &[("id", "over"), ("role", "link"), ("aria-label", "Own")],
                vec![],
            ),
            |el| {
                el.internals = Internals {
                    role: Some("button".into()),
                    label: Some("Default".into()),
                }
            },
        ),
    ]);
    is(&tree, "inner", Some("button"), "Submit order");
    is(&tree, "nick", Some("textbox"), "Nickname");
    is(&tree, "city", Some("textbox"), "Your city");
    is(&tree, "open", Some("button"), "Quarterly report");
    is(&tree, "c28", Some("switch"), "Airplane mode");
    is(&tree, "c29", Some("button"), "Remove tag");
    is(&tree, "over", Some("link"), "Own");
    // A host without a role of its own is not named after its content.
    is(&tree, "host", None, "");
}

#[test]
fn a_huge_subtree_costs_a_bounded_walk() {
    let mut tree = page(vec![e("button", &[("id", "big")], vec![])]);
    let big = tree.find("big");
    for _ in 0..10_000 {
        let c = tree.add(t("word "), Some(big));
        tree.nodes[big].children.push(c);
    }
    let n = name(&tree, &big);
    assert!(n.len() <= RAW_MAX + 16, "{}", n.len());
    assert!(n.starts_with("word word"));
}

#[test]
fn css_content_strings() {
    assert_eq!(css_content_text("\"Cart: \"").as_deref(), Some("Cart: "));
    assert_eq!(css_content_text("'a' \"b\"").as_deref(), Some("ab"));
    assert_eq!(
        css_content_text("\"\\2605 \" / \"Favourite\"").as_deref(),
        Some("Favourite")
    );
    assert_eq!(css_content_text("\"\\2605 x\"").as_deref(), Some("★x"));
    assert_eq!(css_content_text("none"), None);
    assert_eq!(css_content_text("normal"), None);
    assert_eq!(css_content_text("counter(item)"), None);
    assert_eq!(css_content_text("url(x.png)"), None);
}

#[test]
fn text_is_named_as_rendered_by_text_transform() {
    // Django's admin: `.addlink { text-transform: uppercase }`.
    let tree = page(vec![
        with(
            e(
                "a",
                &[("id", "add"), ("href", "/add")],
                vec![t("Add group")],
            ),
            |el| el.transform = Transform::Uppercase,
        ),
        with(
            e("button", &[("id", "cap")], vec![t("log  out now")]),
            |el| el.transform = Transform::Capitalize,
        ),
        // aria-label is not rendered text: left as written.
        with(
            e(
                "button",
                &[("id", "lab"), ("aria-label", "Keep me")],
                vec![],
            ),
            |el| el.transform = Transform::Uppercase,
        ),
    ]);
    is(&tree, "add", Some("link"), "ADD GROUP");
    is(&tree, "cap", Some("button"), "Log Out Now");
    is(&tree, "lab", Some("button"), "Keep me");
}

#[test]
fn every_implicit_role_lists_its_tags() {
    // The inverse table covers what implicit_role gives, so uniqueness
    // checks see every element that could share a recorded role.
    let tags = [
        "a",
        "area",
        "article",
        "aside",
        "blockquote",
        "button",
        "datalist",
        "details",
        "fieldset",
        "optgroup",
        "dialog",
        "figure",
        "form",
        "h1",
        "h6",
        "hr",
        "img",
        "li",
        "main",
        "menu",
        "ol",
        "ul",
        "meter",
        "nav",
        "option",
        "output",
        "p",
        "progress",
        "search",
        "select",
        "table",
        "tbody",
        "td",
        "th",
        "tr",
        "textarea",
    ];
    for tag in tags {
        let tree = page(vec![e(
            tag,
            &[("id", "x"), ("href", "/"), ("alt", "a")],
            vec![],
        )]);
        let n = tree.find("x");
        let r = role(&tree, &n).unwrap_or_else(|| panic!("{tag} has a role"));
        assert!(tags_with_implicit_role(&r).contains(&tag), "{tag} -> {r}");
    }
    for ty in [
        "text", "checkbox", "radio", "range", "number", "search", "submit",
    ] {
        let tree = page(vec![e("input", &[("id", "x"), ("type", ty)], vec![])]);
        let r = role(&tree, &tree.find("x")).unwrap();
        assert!(
            tags_with_implicit_role(&r).contains(&"input"),
            "{ty} -> {r}"
        );
    }
}
