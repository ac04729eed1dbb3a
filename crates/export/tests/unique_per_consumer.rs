//! Issue 11, items 5 and 6, through the real exports: an alternative goes
//! into an export only if it finds exactly the recorded element under that
//! export's consumer's rules (Puppeteer's for the DevTools flow,
//! Playwright's strict mode for OpenClaw plans), and no export gets an
//! XPath for an element inside a shadow root.

mod common;

use clawtrail_export::{build_workflow, devtools_flow, render_openclaw_skill};
use common::*;
use serde_json::Value;
use workflow_format::{Recording, Target};

/// Every selector of every DevTools step that has selectors, flattened.
fn devtools_selectors(rec: &Recording) -> Vec<Vec<String>> {
    let flow = devtools_flow(rec).unwrap();
    flow["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["type"] == "click")
        .map(|s| {
            s["selectors"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|a| a.as_array().unwrap().iter())
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        })
        .collect()
}

/// The selector of every plan action that clicks.
fn plan_clicks(rec: &Recording) -> Vec<String> {
    let (_, files) = render_openclaw_skill(rec).expect("renders");
    files
        .iter()
        .filter(|f| f.path.to_string_lossy().starts_with("references/plan-"))
        .flat_map(|f| serde_json::from_slice::<Vec<Value>>(&f.contents).unwrap())
        .filter(|a| a["kind"] == "click")
        .map(|a| a["selector"].as_str().unwrap().to_owned())
        .collect()
}

/// The plan tile "Pro" (a `div` without a role) under the heading "Pro
/// plan": Playwright's whole-text `text=` finds the tile alone, Puppeteer's
/// `text/Pro` (the innermost elements containing "Pro") finds the heading
/// first.
fn pro_tile() -> Target {
    Target {
        text: Some("Pro".into()),
        text_unique: Some(true),
        text_contains_unique: Some(false),
        css_pierce_unique: Some(true),
        xpath: "/html/body/form/div[2]".into(),
        ..el("div", r#"div[data-plan="pro"]"#)
    }
}

#[test]
fn the_devtools_flow_races_no_text_puppeteer_finds_elsewhere() {
    let rec = recording("plans", vec![(URL, click(pro_tile()))]);
    let clicks = devtools_selectors(&rec);
    assert_eq!(clicks.len(), 1);
    assert!(
        !clicks[0].iter().any(|s| s.starts_with("text/")),
        "{:?}",
        clicks[0]
    );
    assert!(clicks[0].contains(&r#"div[data-plan="pro"]"#.to_owned()));
    // The plan, in Playwright's strict mode, keeps the whole-text match.
    assert_eq!(plan_clicks(&rec), [r"text=/^\s*Pro\s*$/i"]);
}

#[test]
fn css_measured_not_unique_is_left_out_of_the_race_and_the_plan() {
    // `#save` is unique in the document, but a web component elsewhere
    // has a `#save` in its open shadow root: `pierce/#save` and
    // Playwright's `css=#save` find both.
    let save = Target {
        css_pierce_unique: Some(false),
        xpath: "/html/body/main/span".into(),
        ..el("span", "#save")
    };
    let rec = recording("save", vec![(URL, click(save))]);
    let clicks = devtools_selectors(&rec);
    assert!(
        !clicks[0].iter().any(|s| s.starts_with("pierce/")),
        "{:?}",
        clicks[0]
    );
    assert!(clicks[0].contains(&"#save".to_owned()), "{:?}", clicks[0]);
    assert_eq!(plan_clicks(&rec), ["xpath=/html/body/main/span"]);

    // A CSS selector that matched two elements in the document, beside a
    // unique role and name: only the name and the XPath race.
    let twice = Target {
        aria_unique: Some(true),
        css_unique: false,
        ..button("Save draft", "form > button")
    };
    let rec = recording("twice", vec![(URL, click(twice))]);
    let clicks = devtools_selectors(&rec);
    assert_eq!(
        clicks[0],
        [
            r#"aria/Save draft[role="button"]"#.to_owned(),
            r#"xpath///*[@data-css="form > button"]"#.to_owned(),
        ]
    );
}

#[test]
fn no_export_gets_an_xpath_inside_a_shadow_root() {
    let inner = Target {
        shadow_hosts: vec!["doc-app".into(), "settings-panel#settings".into()],
        css_chain_unique: Some(true),
        ..button("Language", "#language")
    };
    let rec = recording("shadow", vec![(URL, click(inner))]);
    let wf = build_workflow(&rec);
    let step = wf.steps().next().unwrap();
    assert!(
        step.alternatives
            .iter()
            .all(|a| a.kind != clawtrail_export::AlternativeKind::Xpath),
        "{:?}",
        step.alternatives
    );
    let clicks = devtools_selectors(&rec);
    assert!(
        !clicks[0].iter().any(|s| s.starts_with("xpath")),
        "{:?}",
        clicks[0]
    );
    let (_, files) = render_openclaw_skill(&rec).unwrap();
    let skill_md = files
        .iter()
        .find(|f| f.path.to_string_lossy() == "SKILL.md")
        .unwrap();
    let md = String::from_utf8_lossy(&skill_md.contents);
    assert!(!md.contains("xpath="), "{md}");
}
