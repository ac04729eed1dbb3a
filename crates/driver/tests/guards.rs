//! Everything that must stop a replay before a browser starts. The browser
//! options point at a chromedriver that does not exist, so any of these
//! tests that reached the launch would fail with a launch error instead.

mod common;

use clawtrail_driver::{ParamError, ReplayError, prepare, replay};
use common::*;
use workflow_format::{EventKind, FieldValue, InputEvent, RedactionReason};

fn login(value: FieldValue) -> workflow_format::Recording {
    let u = "http://127.0.0.1:9/p/login".to_owned();
    let pw = workflow_format::Target {
        input_type: Some("password".into()),
        autocomplete: Some("current-password".into()),
        ..textbox("Password", "#pw")
    };
    recording(
        "Log in",
        vec![
            (1, u.clone(), load("Log in")),
            (1, u.clone(), input(textbox("User", "#user"), "ada")),
            (
                1,
                u.clone(),
                EventKind::Input(InputEvent { target: pw, value }),
            ),
            (1, u.clone(), click(button("Log in", "#go"))),
        ],
    )
}

fn redacted() -> FieldValue {
    FieldValue::Redacted {
        reason: RedactionReason::Password,
    }
}

fn no_browser(dir: &std::path::Path, params: &[(&str, &str)]) -> clawtrail_driver::ReplayOptions {
    let mut o = options(dir, params);
    o.browser.chromedriver = "/nonexistent/chromedriver".into();
    o
}

#[tokio::test]
async fn a_missing_secret_is_named_before_the_browser_starts() {
    let dir = tempfile::tempdir().unwrap();
    let err = replay(&login(redacted()), &no_browser(dir.path(), &[]))
        .await
        .unwrap_err();
    let ReplayError::Params(ParamError::Missing(missing)) = &err else {
        panic!("expected a missing-parameter error, got {err}");
    };
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].name, "current_password");
    let msg = err.to_string();
    assert!(msg.contains("current_password"), "{msg}");
    assert!(msg.contains("--param"), "{msg}");
}

#[tokio::test]
async fn with_every_secret_given_the_replay_gets_as_far_as_the_browser() {
    // The control for the test above: same recording, secret given, and
    // now the (missing) chromedriver is what stops it.
    let dir = tempfile::tempdir().unwrap();
    let err = replay(
        &login(redacted()),
        &no_browser(dir.path(), &[("current_password", "pw")]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ReplayError::Launch(_)), "{err}");
    assert!(
        err.to_string().contains("/nonexistent/chromedriver"),
        "{err}"
    );
}

#[test]
fn unknown_and_duplicate_parameter_names_are_refused() {
    let rec = login(redacted());
    let err = prepare(&rec, &[("pasword".into(), "x".into())]).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("unknown parameter \"pasword\""), "{msg}");
    assert!(msg.contains("current_password"), "{msg}");
    let err = prepare(
        &rec,
        &[
            ("user".into(), "a".into()),
            ("user".into(), "b".into()),
            ("current_password".into(), "x".into()),
        ],
    )
    .unwrap_err();
    assert!(
        matches!(err, ReplayError::Params(ParamError::Duplicate(_))),
        "{err}"
    );
}

#[test]
fn values_that_webdriver_would_press_as_keys_are_refused() {
    let rec = login(redacted());
    let err = prepare(&rec, &[("current_password".into(), "pw\u{E007}".into())]).unwrap_err();
    assert!(
        matches!(&err, ReplayError::Params(ParamError::ControlKeys(n)) if n == "current_password"),
        "{err}"
    );
    // The same smuggled in through a recorded default.
    let err = prepare(
        &login_with_user("ada\u{E009}a"),
        &[("current_password".into(), "p".into())],
    )
    .unwrap_err();
    assert!(
        matches!(err, ReplayError::Params(ParamError::ControlKeys(_))),
        "{err}"
    );
}

fn login_with_user(user: &str) -> workflow_format::Recording {
    let mut rec = login(redacted());
    if let EventKind::Input(InputEvent { value, .. }) = &mut rec.events[1].kind {
        *value = FieldValue::text(user);
    }
    rec
}

#[tokio::test]
async fn a_forged_recording_with_a_password_value_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let forged = login(FieldValue::text("hunter2"));
    let err = replay(
        &forged,
        &no_browser(dir.path(), &[("current_password", "x")]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ReplayError::Invalid(_)), "{err}");
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[test]
fn defaults_fill_in_what_was_not_given() {
    let (workflow, values) = prepare(
        &login(redacted()),
        &[("current_password".into(), "pw".into())],
    )
    .unwrap();
    let user = workflow
        .params
        .iter()
        .position(|p| p.name == "user")
        .unwrap();
    assert_eq!(values[user], "ada");
}
