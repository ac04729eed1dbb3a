//! Replays in a real Chromium (chromedriver + /usr/bin/chromium) against a
//! local test site; the pages report what happened (and whether the input
//! was trusted) to the site's /log.

mod common;

use clawtrail_driver::{Report, StepStatus, prepare, replay};
use clawtrail_steps::AlternativeKind;
use common::*;
use workflow_format::{
    CheckboxEvent, EventKind, FieldValue, InputEvent, KeyEvent, NavigationCause, RedactionReason,
    SelectEvent, TabOpenedEvent, Target,
};

fn statuses(r: &Report) -> Vec<StepStatus> {
    r.steps.iter().map(|s| s.status).collect()
}

fn assert_passed(r: &Report, final_url: &str) {
    assert!(r.passed, "replay failed:\n{}", r.render_table());
    let f = r.final_check.as_ref().expect("a final check");
    assert!(f.ok);
    assert_eq!(f.actual_url.as_deref(), Some(final_url));
}

fn form_recording(base: &str) -> workflow_format::Recording {
    let u = format!("{base}/p/form");
    let name = workflow_format::Target {
        autocomplete: Some("name".into()),
        name: Some("name".into()),
        ..textbox("Full name", "#name")
    };
    let email = workflow_format::Target {
        input_type: Some("email".into()),
        autocomplete: Some("email".into()),
        ..textbox("Email", "#email")
    };
    let pw = workflow_format::Target {
        input_type: Some("password".into()),
        autocomplete: Some("new-password".into()),
        ..textbox("Password", "#pw")
    };
    let news = workflow_format::Target {
        input_type: Some("checkbox".into()),
        ..with_aria(el("input", "#news"), "checkbox", "Newsletter")
    };
    let country = with_aria(el("select", "#country"), "combobox", "Country");
    recording(
        "Sign up",
        vec![
            (1, u.clone(), load("Sign up")),
            (1, u.clone(), input(name, "Ada Lovelace")),
            (1, u.clone(), input(email, "ada@example.com")),
            (
                1,
                u.clone(),
                EventKind::Input(InputEvent {
                    target: pw,
                    value: FieldValue::Redacted {
                        reason: RedactionReason::Password,
                    },
                }),
            ),
            (1, u.clone(), click(news.clone())),
            (
                1,
                u.clone(),
                EventKind::Checkbox(CheckboxEvent {
                    target: news,
                    checked: true,
                    via_label: false,
                }),
            ),
            (
                1,
                u.clone(),
                EventKind::Select(SelectEvent {
                    target: country,
                    values: vec!["fr".into()],
                    labels: vec!["France".into()],
                }),
            ),
            (1, u.clone(), click(button("Create account", "#go"))),
            (1, format!("{base}/signup"), load("Welcome")),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn form_workflow_fills_submits_and_substitutes_parameters() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let rec = form_recording(&site.base);
    let (workflow, _) = prepare(&rec, &[("new_password".into(), "x".into())]).unwrap();
    let secret = workflow
        .params
        .iter()
        .find(|p| p.secret.is_some())
        .expect("the password is a required parameter");
    assert_eq!(secret.name, "new_password");

    let report = replay(
        &rec,
        &options(
            dir.path(),
            &[("new_password", "s3cret=Value!"), ("name", "Grace Hopper")],
        ),
    )
    .await
    .unwrap();
    assert_passed(&report, &format!("{}/signup", site.base));
    assert!(statuses(&report).iter().all(|s| *s == StepStatus::Ok));
    let log = site.log.lines();
    assert!(log.contains(&"click go trusted=true".to_owned()), "{log:?}");
    assert!(
        log.contains(
            &"signup name=Grace Hopper email=ada@example.com pw=s3cret=Value! news=on country=fr"
                .to_owned()
        ),
        "{log:?}"
    );
    // Nothing was written besides failure screenshots, and there were none.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // The report names parameters, never their values.
    assert!(!report.to_json().contains("s3cret"));
    assert!(!report.render_table().contains("s3cret"));
}

#[tokio::test(flavor = "multi_thread")]
async fn multi_page_workflow_follows_links_and_key_navigation() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        format!("{}/p/a", site.base),
        format!("{}/p/b", site.base),
        format!("{}/p/c?q=rust", site.base),
    );
    let q = textbox("Search", "#q");
    let rec = recording(
        "Search",
        vec![
            (1, a.clone(), load("Page A")),
            (1, a.clone(), click(link("Next page", "#next"))),
            (1, b.clone(), load("Page B")),
            (1, b.clone(), input(q.clone(), "rust")),
            (
                1,
                b.clone(),
                EventKind::Key(KeyEvent {
                    key: "Enter".into(),
                    code: "Enter".into(),
                    modifiers: Default::default(),
                    target: Some(q),
                }),
            ),
            (1, c.clone(), load("Page C")),
        ],
    );
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &c);
    assert_eq!(report.steps.len(), 3, "{}", report.render_table());
    let log = site.log.lines();
    assert!(log.contains(&"enter trusted=true".to_owned()), "{log:?}");
    assert!(log.contains(&"results rust".to_owned()), "{log:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn spa_route_change_waits_for_the_new_view() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let (home, settings) = (
        format!("{}/p/spa", site.base),
        format!("{}/p/spa/settings", site.base),
    );
    let rec = recording(
        "SPA settings",
        vec![
            (1, home.clone(), load("SPA")),
            (1, home.clone(), click(link("Settings", "#to-settings"))),
            (1, settings.clone(), nav(NavigationCause::PushState, "SPA")),
            (
                1,
                settings.clone(),
                input(textbox("Nickname", "#nick"), "neo"),
            ),
            (1, settings.clone(), click(button("Save", "#save"))),
        ],
    );
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &settings);
    let log = site.log.lines();
    assert!(
        log.contains(&"saved nick=neo trusted=true".to_owned()),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn iframe_steps_run_inside_the_frame() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let (outer, inner) = (
        format!("{}/p/frames", site.base),
        format!("{}/p/inner", site.base),
    );
    let in_frame = |mut t: workflow_format::Target| {
        t.frame_path = vec![0];
        t
    };
    let rec = recording(
        "Frame",
        vec![
            (1, outer.clone(), load("Frames")),
            (
                1,
                inner.clone(),
                input(in_frame(textbox("Message", "#msg")), "hello"),
            ),
            (1, inner.clone(), click(in_frame(button("Send", "#send")))),
        ],
    );
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &outer);
    let log = site.log.lines();
    assert!(
        log.contains(&"frame msg=hello trusted=true".to_owned()),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn shadow_dom_targets_are_reached_through_their_hosts() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let u = format!("{}/p/shadow", site.base);
    let hosts = vec!["x-app".to_owned(), "x-panel#panel".to_owned()];
    // No ARIA and no text: only the CSS chain through both shadow roots.
    let lang = workflow_format::Target {
        shadow_hosts: hosts.clone(),
        ..el("input", "#lang")
    };
    let apply = workflow_format::Target {
        shadow_hosts: hosts,
        ..button("Apply", "#apply")
    };
    let rec = recording(
        "Shadow",
        vec![
            (1, u.clone(), load("Shadow")),
            (1, u.clone(), input(lang, "fr")),
            (1, u.clone(), click(apply)),
        ],
    );
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &u);
    assert_eq!(
        report.steps[0].used.as_ref().unwrap().kind,
        AlternativeKind::Css
    );
    assert_eq!(
        report.steps[1].used.as_ref().unwrap().kind,
        AlternativeKind::Aria
    );
    let log = site.log.lines();
    assert!(
        log.contains(&"shadow lang=fr trusted=true".to_owned()),
        "{log:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_link_that_opens_a_new_tab_is_followed_into_it() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let (opener, popup) = (
        format!("{}/p/opener", site.base),
        format!("{}/p/popup", site.base),
    );
    let rec = recording(
        "New tab",
        vec![
            (1, opener.clone(), load("Opener")),
            (1, opener.clone(), click(link("Open details", "#details"))),
            (
                2,
                popup.clone(),
                EventKind::TabOpened(TabOpenedEvent {
                    opener_tab_id: Some(1),
                }),
            ),
            (2, popup.clone(), load("Popup")),
            (2, popup.clone(), click(button("Confirm", "#confirm"))),
        ],
    );
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &popup);
    let log = site.log.lines();
    assert!(
        log.contains(&"confirmed trusted=true".to_owned()),
        "{log:?}"
    );
}

/// Recorded on the old "send" page, replayed on its redesign.
fn send_recording(
    base: &str,
    extra_click: Option<workflow_format::Target>,
) -> workflow_format::Recording {
    let u = format!("{base}/p/send-v2");
    let mut events = vec![
        (1, u.clone(), load("Send")),
        (1, u.clone(), input(textbox("Message", "#msg"), "hi")),
    ];
    if let Some(t) = extra_click {
        events.push((1, u.clone(), click(t)));
    }
    events.push((1, u.clone(), click(button("Send", "#send"))));
    recording("Send", events)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_css_selector_passes_with_the_text_fallback_reported() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let rec = send_recording(&site.base, None);
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &format!("{}/p/send-v2", site.base));
    assert_eq!(
        statuses(&report),
        vec![StepStatus::Ok, StepStatus::OkWithFallback]
    );
    let send = &report.steps[1];
    assert_eq!(send.used.as_ref().unwrap().kind, AlternativeKind::Text);
    let outcome = |k| {
        send.tried
            .iter()
            .find(|a| a.kind == k)
            .map(|a| a.outcome.as_str())
            .unwrap()
    };
    assert_eq!(outcome(AlternativeKind::Aria), "no match");
    assert_eq!(outcome(AlternativeKind::Css), "no match");
    assert!(report.render_table().contains("ok (fallback)"));
    assert_eq!(site.log.lines(), vec!["sent hi".to_owned()]);
}

#[tokio::test(flavor = "multi_thread")]
async fn when_nothing_matches_the_run_fails_at_that_step_with_a_screenshot() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    let rec = send_recording(&site.base, Some(button("Delete", "#delete")));
    let mut opts = options(dir.path(), &[]);
    opts.timeouts.element = std::time::Duration::from_secs(1);
    let report = replay(&rec, &opts).await.unwrap();
    assert!(!report.passed);
    assert_eq!(
        statuses(&report),
        vec![StepStatus::Ok, StepStatus::Failed, StepStatus::Skipped]
    );
    let failed = &report.steps[1];
    let reason = failed.reason.as_deref().unwrap();
    assert!(
        reason.contains("no alternative found the element"),
        "{reason}"
    );
    assert!(reason.contains("#delete: no match"), "{reason}");
    let shot = failed.screenshot.as_ref().expect("a screenshot");
    assert!(shot.starts_with(dir.path()));
    let png = std::fs::read(shot).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // It shows what the page showed: private, whatever the umask.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(shot).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // The step after the failure never ran.
    assert!(site.log.lines().is_empty(), "{:?}", site.log.lines());
    assert!(report.render_table().contains("FAILED"));
}

/// Open a menu, choose its item: recorded on the working page.
fn menu_recording(base: &str, page: &str) -> workflow_format::Recording {
    let u = format!("{base}/p/{page}");
    let item = Target {
        aria: Some(workflow_format::AriaRef {
            role: "menuitem".into(),
            name: "Settings".into(),
        }),
        text: Some("Settings".into()),
        ..el("button", "#settings")
    };
    recording(
        "Menu",
        vec![
            (1, u.clone(), load("Menu")),
            (1, u.clone(), click(button("Open menu", "#open"))),
            (1, u, click(item)),
        ],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_click_without_its_effect_fails_there_not_at_the_next_step() {
    let site = site().await;
    let dir = tempfile::tempdir().unwrap();
    // Control: the menu opens, and the item is clicked.
    let rec = menu_recording(&site.base, "menu");
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_passed(&report, &format!("{}/p/menu", site.base));
    assert_eq!(site.log.lines(), vec!["settings trusted=true".to_owned()]);
    // The button does nothing now: the step that went astray is the click
    // on it, whose effect (the menu item the user clicked next) never came.
    let rec = menu_recording(&site.base, "menu-broken");
    let mut opts = options(dir.path(), &[]);
    opts.timeouts.element = std::time::Duration::from_secs(1);
    let report = replay(&rec, &opts).await.unwrap();
    assert!(!report.passed);
    assert_eq!(
        statuses(&report),
        vec![StepStatus::Failed, StepStatus::Skipped]
    );
    let reason = report.steps[0].reason.as_deref().unwrap();
    assert!(
        reason.starts_with("done, but what came next when recorded did not appear: step 2"),
        "{reason}"
    );
    assert!(reason.contains("#settings: not visible"), "{reason}");
    assert!(report.steps[0].screenshot.is_some());
    assert_eq!(site.log.lines().len(), 1, "the item was never clicked");
}
