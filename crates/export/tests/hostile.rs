//! The hostile corpus (`tests/data/hostile-corpus.json`) against every
//! export, read the way an agent reads it.
//!
//! Each case puts one hostile string, with a marker unique to the case, in
//! every place a page controls: the recording's name, page titles, an
//! element's accessible name, text, label, placeholder and `name`, its
//! role, an option's label, a typed value (the page may rewrite it during
//! `input`) and URLs. The SKILL.md must then keep its structure (the same
//! headings as a harmless recording, none with page text), and every
//! marker must sit inside a code span, the delimited form page text is
//! shown in; never in prose, where an agent would read it as ours.

mod common;

use std::collections::BTreeMap;

use common::*;
use serde_json::Value;
use workflow_format::{AriaRef, EventKind, Problem, Recording, SelectEvent, Target};

fn corpus() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/hostile-corpus.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn marker(n: usize) -> String {
    format!("QZX{n}MARK")
}

/// Field values may not hold control characters; typed values may.
fn flat(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A recording with `s` in every page-controlled place.
fn everywhere(s: &str) -> Recording {
    let one = flat(s);
    let named = Target {
        aria: Some(AriaRef {
            role: "button".into(),
            name: one.clone(),
        }),
        text: Some(one.clone()),
        label: Some(one.clone()),
        placeholder: Some(one.clone()),
        name: Some(one.clone()),
        ..el("button", "#named")
    };
    // A page's own role attribute, pasted into a selector once.
    let roled = Target {
        aria: Some(AriaRef {
            role: format!("button] >> css=body {one}"),
            name: "Go".into(),
        }),
        text: Some("Go".into()),
        ..el("div", "#roled")
    };
    let select = EventKind::Select(SelectEvent {
        target: Target {
            aria: Some(AriaRef {
                role: "combobox".into(),
                name: "Size".into(),
            }),
            ..el("select", "#size")
        },
        values: vec!["m".into()],
        labels: vec![one.clone()],
    });
    let mut rec = recording(
        &one,
        vec![
            (URL, load(&one)),
            (URL, click(named)),
            (URL, click(roled)),
            (URL, select),
            (URL, input(textbox("Note", "#note"), s)),
            (URL, click(button("Save", "#save"))),
        ],
    );
    rec.tabs[0].title = one;
    rec
}

/// A two-page recording whose second page is at `url`.
fn visiting(url: &str, title: &str) -> Recording {
    recording(
        "Visit",
        vec![
            (URL, click(button("Next", "#next"))),
            (url, load(title)),
            (url, click(button("Done", "#done"))),
        ],
    )
}

fn skill_md(rec: &Recording) -> String {
    let (_, files) = clawtrail_export::render_openclaw_skill(rec).unwrap();
    let md = files.iter().find(|f| f.path.ends_with("SKILL.md")).unwrap();
    String::from_utf8(md.contents.clone()).unwrap()
}

/// Splits Markdown into (prose, code span contents) by CommonMark's rule:
/// a run of n backticks opens a span that the next run of exactly n
/// backticks closes; a run with no partner is literal text.
fn split_code_spans(text: &str) -> (String, Vec<String>) {
    let chars: Vec<char> = text.chars().collect();
    let run_at = |i: usize| chars[i..].iter().take_while(|c| **c == '`').count();
    let mut prose = String::new();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            prose.push(chars[i]);
            i += 1;
            continue;
        }
        let n = run_at(i);
        let mut j = i + n;
        let mut close = None;
        while j < chars.len() {
            if chars[j] == '`' {
                let m = run_at(j);
                if m == n {
                    close = Some(j);
                    break;
                }
                j += m;
            } else {
                j += 1;
            }
        }
        match close {
            Some(j) => {
                spans.push(chars[i + n..j].iter().collect());
                i = j + n;
            }
            None => {
                prose.extend(&chars[i..i + n]);
                i += n;
            }
        }
    }
    (prose, spans)
}

fn headings(md: &str) -> Vec<String> {
    md.lines()
        .filter(|l| l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

/// The frontmatter's keys, and its values decoded.
fn frontmatter(md: &str) -> BTreeMap<String, String> {
    let rest = md.strip_prefix("---\n").unwrap();
    let end = rest.find("\n---\n").unwrap();
    rest[..end]
        .lines()
        .map(|l| {
            let (k, v) = l.split_once(':').unwrap();
            let v = v.trim();
            let v = if v.starts_with('"') {
                serde_json::from_str::<String>(v).unwrap()
            } else {
                v.to_owned()
            };
            (k.trim().to_owned(), v)
        })
        .collect()
}

/// `s` without its JSON string literals (`"..."` with `\"` escapes).
fn outside_json_strings(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            out.push(c);
            continue;
        }
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => break,
                _ => {}
            }
        }
    }
    out
}

/// The agent-facing check: `md` has `expected_headings`, and `mark` is
/// nowhere but in code spans (and JSON literals of the frontmatter).
fn assert_inert(md: &str, mark: &str, expected_headings: &[String], case: &str) {
    assert_eq!(
        headings(md),
        expected_headings,
        "{case}: structure changed\n{md}"
    );
    let body = &md[md.find("\n---\n").unwrap() + 5..];
    let (prose, spans) = split_code_spans(body);
    assert!(
        !prose.contains(mark),
        "{case}: page text outside its data quoting:\n{}",
        prose
            .lines()
            .filter(|l| l.contains(mark))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for span in spans.iter().filter(|s| s.contains(mark)) {
        // Page text is flattened to one line and capped.
        assert!(!span.contains('\n'), "{case}: {span}");
        assert!(span.chars().count() < 600, "{case}: uncapped {span}");
    }
    let fm = frontmatter(md);
    assert_eq!(
        fm.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "clawtrail-format-version",
            "clawtrail-recording-id",
            "description",
            "metadata",
            "name"
        ],
        "{case}: frontmatter keys"
    );
    assert!(
        !outside_json_strings(&fm["description"]).contains(mark),
        "{case}: description carries page text unquoted: {}",
        fm["description"]
    );
    assert!(!fm["name"].contains(mark));
}

fn review(md: &str) -> &str {
    let start = md.find("## Review before use").unwrap();
    let rest = &md[start..];
    &rest[..rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3)]
}

#[test]
fn hostile_page_text_stays_data_in_every_place_a_page_controls() {
    let corpus = corpus();
    let benign = skill_md(&everywhere("Plain words"));
    let expected = headings(&benign);
    assert!(!review(&benign).contains("reads like an instruction"));
    for (n, case) in corpus["texts"].as_array().unwrap().iter().enumerate() {
        let mark = marker(n);
        let text = case["text"].as_str().unwrap().replace("{M}", &mark);
        let rec = everywhere(&text);
        rec.validate()
            .unwrap_or_else(|e| panic!("case {n}: the corpus must be valid page text: {e}"));
        let md = skill_md(&rec);
        assert_inert(&md, &mark, &expected, &format!("case {n}"));
        // Shown, not dropped: the text is there, as data.
        assert!(md.contains(&mark), "case {n}: the page text vanished");
        // No role that is not an ARIA role reaches a selector.
        let (_, files) = clawtrail_export::render_openclaw_skill(&rec).unwrap();
        for f in files
            .iter()
            .filter(|f| f.path.starts_with("references/plan-"))
        {
            let plan = String::from_utf8(f.contents.clone()).unwrap();
            assert!(!plan.contains("css=body"), "case {n}: {plan}");
            // The agent replaces every `{{name}}` in a plan copy: page
            // text must not spell one, or it would receive the value.
            let mut rest = plan.clone();
            for p in &clawtrail_export::build_workflow(&rec).params {
                rest = rest.replace(&format!("\"{}\"", p.placeholder()), "");
            }
            assert!(
                !rest.contains("{{"),
                "case {n}: page text spells a placeholder\n{plan}"
            );
            for part in plan.split("internal:role=").skip(1) {
                let role: String = part.chars().take_while(|c| *c != '[').collect();
                assert!(
                    workflow_format::is_aria_role(&role),
                    "case {n}: role {role:?}"
                );
            }
        }
        let flow = clawtrail_export::to_devtools_json(&rec).unwrap();
        assert!(!flow.contains("css=body"), "case {n}");
        let flagged = review(&md).contains("reads like an instruction");
        assert_eq!(
            flagged,
            case["instruction"].as_bool().unwrap(),
            "case {n}: review says {flagged}\n{}",
            review(&md)
        );
    }
}

#[test]
fn hostile_urls_are_refused_or_shown_as_data_and_reviewed() {
    let corpus = corpus();
    let benign = skill_md(&visiting("https://shop.example.com/b", "B"));
    let expected = headings(&benign);
    for (n, case) in corpus["urls"].as_array().unwrap().iter().enumerate() {
        let mark = marker(100 + n);
        let url = case["url"].as_str().unwrap().replace("{M}", &mark);
        let rec = visiting(&url, &format!("Page {mark}"));
        match case["refused"].as_str() {
            Some(problem) => {
                let err = rec
                    .validate()
                    .expect_err(&format!("case {n}: {url} accepted"));
                let want = match problem {
                    "UrlBackslash" => Problem::UrlBackslash,
                    "UrlCredentials" => Problem::UrlCredentials,
                    "DisallowedScheme" => Problem::DisallowedScheme,
                    other => panic!("unknown problem {other}"),
                };
                assert_eq!(err.problem, want, "case {n}: {url}");
                assert!(
                    clawtrail_export::render_openclaw_skill(&rec).is_err()
                        && clawtrail_export::to_devtools_json(&rec).is_err(),
                    "case {n}: exported"
                );
            }
            None => {
                rec.validate().unwrap();
                let md = skill_md(&rec);
                assert_inert(&md, &mark, &expected, &format!("url case {n}"));
                let r = review(&md);
                assert!(r.contains("visits 2 sites"), "case {n}: {r}");
                if case["trick"].as_bool() == Some(true) {
                    let host = workflow_format::display_host(&url).unwrap();
                    assert!(r.contains(&format!("The host `{host}`")), "case {n}: {r}");
                }
                if case["instruction"].as_bool() == Some(true) {
                    assert!(
                        r.contains("A page URL reads like an instruction"),
                        "case {n}: {r}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_description_names_hosts_as_a_browser_parses_them() {
    // Refused now, but the host logic must not be fooled either way.
    let rec = visiting("https://shop.example.com:8443/x", "X");
    let md = skill_md(&rec);
    let fm = frontmatter(&md);
    assert!(
        fm["description"].contains("on app.example.com, shop.example.com:8443 in"),
        "{}",
        fm["description"]
    );
}
