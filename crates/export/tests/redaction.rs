//! Secrets the rules find by a field's style, name, label or place (a
//! masked PIN, `name=cardnumber`, "Kontonummer", the text input a
//! show-password toggle swapped in) become required inputs without a
//! default, in the SKILL.md, the plans and the DevTools flow alike.

mod common;

use clawtrail_export::{build_workflow, render_openclaw_skill, to_devtools_json};
use common::*;
use workflow_format::{RedactionReason, Target};

/// The fields, each sensitive by one of the newer rules only.
fn secret_fields() -> Vec<(Target, RedactionReason)> {
    let neutral = |css: &str, name: &str| Target {
        name: Some(name.into()),
        ..el("input", css)
    };
    vec![
        (
            Target {
                masked: true,
                ..neutral("#a1", "field1")
            },
            RedactionReason::Masked,
        ),
        (neutral("#a2", "cardnumber"), RedactionReason::CardData),
        (
            Target {
                label: Some("Kontonummer".into()),
                ..neutral("#a4", "field4")
            },
            RedactionReason::BankAccount,
        ),
        (
            Target {
                input_type: Some("text".into()),
                was_password: true,
                ..neutral("#a7", "field2")
            },
            RedactionReason::Password,
        ),
    ]
}

#[test]
fn secrets_found_by_the_newer_rules_have_no_default_anywhere() {
    let canary = "canary-plain@example.com";
    let mut events = vec![
        (URL, input(textbox("Email", "#email"), canary)),
        // The bug report: `{{password}}` "never recorded", then the text
        // input the toggle put in its place as `{{password_2}}` with the
        // password as its default.
        (URL, redacted(password("#a6"), RedactionReason::Password)),
    ];
    for (target, reason) in secret_fields() {
        assert_eq!(target.redaction_reason(), Some(reason), "{target:?}");
        events.push((URL, redacted(target, reason)));
    }
    let rec = recording("Pay", events);
    rec.validate().unwrap();

    let wf = build_workflow(&rec);
    let secrets: Vec<_> = wf.params.iter().filter(|p| p.secret.is_some()).collect();
    assert_eq!(secrets.len(), 5, "{:?}", wf.params);
    for p in &secrets {
        assert_eq!(p.default, None, "{p:?}");
        assert!(p.is_required());
    }

    let (_, files) = render_openclaw_skill(&rec).unwrap();
    let md = files
        .iter()
        .find(|f| f.path.to_string_lossy() == "SKILL.md")
        .map(|f| String::from_utf8(f.contents.clone()).unwrap())
        .unwrap();
    assert!(
        md.contains(canary),
        "control: the plain value is a default\n{md}"
    );
    let inputs = md
        .split("\n## Inputs\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .unwrap_or_else(|| panic!("an Inputs section in\n{md}"));
    for p in &secrets {
        let line = inputs
            .lines()
            .find(|l| l.starts_with(&format!("- `{}`", p.placeholder())))
            .unwrap_or_else(|| panic!("{} listed in\n{inputs}", p.placeholder()));
        assert!(line.contains("required, ask the user"), "{line}");
        assert!(!line.contains("default"), "{line}");
    }
    let flow = to_devtools_json(&rec).unwrap();
    for p in &secrets {
        assert!(flow.contains(&p.placeholder()), "{flow}");
    }
}

#[test]
fn a_forged_value_on_such_a_field_never_becomes_a_default() {
    // Not validated: the exporter's own guard, should a validator bug let
    // a value through.
    let mut events = Vec::new();
    for (i, (target, _)) in secret_fields().into_iter().enumerate() {
        events.push((URL, input(target, &format!("forged-secret-{i}"))));
    }
    let rec = recording("Forged", events);
    assert!(rec.validate().is_err());
    let wf = build_workflow(&rec);
    assert_eq!(wf.params.len(), 4, "{:?}", wf.params);
    for p in &wf.params {
        assert!(p.secret.is_some(), "{p:?}");
        assert_eq!(p.default, None, "{p:?}");
    }
    assert!(!format!("{wf:?}").contains("forged-secret"), "{wf:?}");
}
