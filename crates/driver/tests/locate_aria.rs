//! Finding an element by role and accessible name takes the browser's word
//! for both (WebDriver's Get Computed Role and Label), in a real Chromium.
//!
//! Every recording here can only find its elements by role + name: the
//! recorded CSS selector and XPath match nothing on the page. Each page is
//! one where a page script's guess at the name goes wrong and the
//! browser's name is the one the recorder saw.

mod common;

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::{get, post};
use clawtrail_driver::{Report, StepStatus, replay};
use clawtrail_steps::AlternativeKind;
use common::{click, el, load, options, recording, with_aria};
use workflow_format::{EventKind, Recording, SelectEvent, Target};

/// What the pages reported (synchronous XHR to `/log`), in order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

const HEAD: &str = r#"<meta charset=utf-8><style>
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
</style><script>
function log(s){const x=new XMLHttpRequest();x.open('POST','/log',false);x.send(s);}
</script>"#;

/// A 1x1 GIF.
const GIF: &str = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

fn body(name: &str) -> Option<String> {
    Some(match name {
        // The icon is aria-hidden; the words are there for screen readers
        // only. The browser's name: "Close dialog" (the page's text is
        // "✕ Close dialog").
        "close" => r#"<div id="dialog">Dialog body</div>
<button id="x"><span aria-hidden="true">✕</span><span class="sr-only">Close dialog</span></button>
<script>document.getElementById('x').addEventListener('click', e => {
  document.getElementById('dialog').remove(); log('closed trusted=' + e.isTrusted);
});</script>"#
            .into(),
        // Role and name from ElementInternals: no attribute says either.
        "internals" => r#"<x-launch id="rocket" tabindex="0">🚀</x-launch>
<script>
customElements.define('x-launch', class extends HTMLElement {
  constructor() {
    super();
    const internals = this.attachInternals();
    internals.role = 'button';
    internals.ariaLabel = 'Launch';
    this.addEventListener('click', e => log('launched trusted=' + e.isTrusted));
  }
});
</script>"#
            .into(),
        // An image button is named by its alt, whatever its title says.
        "image" => format!(
            r#"<form id="f"><input id="go" type="image" alt="Go" title="Start the search" src="{GIF}" width="40" height="20"></form>
<script>document.getElementById('f').addEventListener('submit', e => {{
  e.preventDefault(); log('searched');
}});</script>"#
        ),
        // The label wraps the select, and its text around the select is
        // the name; the options are not part of it.
        "select" => r#"<label>Country <select id="c"><option value="de">Germany</option><option value="fr">France</option></select> (required)</label>
<script>document.getElementById('c').addEventListener('change', e => log('country=' + e.target.value));</script>"#
            .into(),
        // Two ids: the first is named by its aria-label (not its emoji),
        // the second has text the browser does not show.
        "labelledby" => r#"<span id="l1" aria-label="Shipping">🚚</span> <span id="l2">address <span style="display:none">(old)</span></span>
<button id="edit" aria-labelledby="l1 l2">→</button>
<script>document.getElementById('edit').addEventListener('click', () => log('edit shipping'));</script>"#
            .into(),
        // Two buttons the browser names "Remove" alike.
        "twins" => r#"<button id="a"><span aria-hidden="true">🗑</span> Remove</button>
<button id="b">Remove</button>
<script>for (const b of document.querySelectorAll('button')) b.addEventListener('click', () => log('removed ' + b.id));</script>"#
            .into(),
        // More elements that could carry the name than the browser is
        // asked about in one poll.
        "crowd" => {
            let mut s = String::from("<ul>");
            for i in 0..120 {
                s.push_str(&format!("<li><button id=\"i{i}\">Item</button></li>"));
            }
            s.push_str("</ul>");
            s
        }
        _ => return None,
    })
}

async fn serve_page(Path(name): Path<String>) -> Result<Html<String>, axum::http::StatusCode> {
    let b = body(&name).ok_or(axum::http::StatusCode::NOT_FOUND)?;
    Ok(Html(format!(
        "<!doctype html><html><head><title>{name}</title>{HEAD}</head><body>{b}</body></html>"
    )))
}

async fn record_log(State(log): State<Log>, body: String) {
    log.0.lock().unwrap().push(body);
}

/// Starts the pages on an ephemeral loopback port.
async fn site() -> (String, Log) {
    let log = Log::default();
    let app = axum::Router::new()
        .route("/p/{name}", get(serve_page))
        .route("/log", post(record_log))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, log)
}

/// A target found only by `role` + `name`: its CSS and XPath find nothing.
fn only_aria(tag: &str, role: &str, name: &str) -> Target {
    with_aria(el(tag, "#recorded-id-that-is-gone"), role, name)
}

/// Open `page`, then do `kind`.
fn on_page(base: &str, page: &str, kinds: Vec<EventKind>) -> (Recording, String) {
    let u = format!("{base}/p/{page}");
    let mut events = vec![(1, u.clone(), load(page))];
    events.extend(kinds.into_iter().map(|k| (1, u.clone(), k)));
    (recording(page, events), u)
}

/// Passed, on `url`, every step found by its role and name.
fn assert_found_by_aria(r: &Report, url: &str) {
    assert!(r.passed, "replay failed:\n{}", r.render_table());
    assert_eq!(
        r.final_check.as_ref().and_then(|f| f.actual_url.as_deref()),
        Some(url)
    );
    for s in &r.steps {
        assert_eq!(s.status, StepStatus::Ok, "{}", r.render_table());
        assert_eq!(
            s.used.as_ref().map(|a| a.kind),
            Some(AlternativeKind::Aria),
            "{}",
            r.render_table()
        );
    }
}

/// Replays `kinds` on `page` and checks that every step was found by its
/// role and name and that the page logged exactly `logged`.
async fn replays_by_aria(page: &str, kinds: Vec<EventKind>, logged: &str) {
    let (base, log) = site().await;
    let dir = tempfile::tempdir().unwrap();
    let (rec, u) = on_page(&base, page, kinds);
    let report = replay(&rec, &options(dir.path(), &[])).await.unwrap();
    assert_found_by_aria(&report, &u);
    assert_eq!(log.lines(), vec![logged.to_owned()]);
}

/// Replays a click on the button named `name` on `page`, which must fail
/// at that step with nothing clicked; the failed step's reason and the
/// role-and-name alternative's outcome.
async fn fails_by_aria(page: &str, name: &str) -> (String, String) {
    let (base, log) = site().await;
    let dir = tempfile::tempdir().unwrap();
    let (rec, _) = on_page(
        &base,
        page,
        vec![click(only_aria("button", "button", name))],
    );
    let mut opts = options(dir.path(), &[]);
    opts.timeouts.element = std::time::Duration::from_secs(1);
    let report = replay(&rec, &opts).await.unwrap();
    assert!(!report.passed, "{}", report.render_table());
    let step = &report.steps[0];
    assert_eq!(step.status, StepStatus::Failed);
    let aria = step
        .tried
        .iter()
        .find(|a| a.kind == AlternativeKind::Aria)
        .unwrap();
    assert!(
        log.lines().is_empty(),
        "nothing was clicked: {:?}",
        log.lines()
    );
    (step.reason.clone().unwrap(), aria.outcome.clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_icon_button_is_named_by_its_hidden_text_not_its_icon() {
    replays_by_aria(
        "close",
        vec![click(only_aria("button", "button", "Close dialog"))],
        "closed trusted=true",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_custom_element_is_found_by_the_role_and_name_its_internals_give() {
    replays_by_aria(
        "internals",
        vec![click(only_aria("x-launch", "button", "Launch"))],
        "launched trusted=true",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_image_button_is_named_by_its_alt() {
    let go = Target {
        input_type: Some("image".into()),
        ..only_aria("input", "button", "Go")
    };
    replays_by_aria("image", vec![click(go)], "searched").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_select_is_named_by_its_wrapping_label_without_the_options() {
    replays_by_aria(
        "select",
        vec![EventKind::Select(SelectEvent {
            target: only_aria("select", "combobox", "Country (required)"),
            values: vec!["fr".into()],
            labels: vec!["France".into()],
        })],
        "country=fr",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn aria_labelledby_with_two_ids_is_named_as_the_browser_names_it() {
    replays_by_aria(
        "labelledby",
        vec![click(only_aria("button", "button", "Shipping address"))],
        "edit shipping",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_elements_with_the_same_role_and_name_fail_the_step_as_many() {
    let (reason, aria) = fails_by_aria("twins", "Remove").await;
    assert_eq!(aria, "2 visible matches");
    assert!(
        reason.contains(r#"aria button "Remove": 2 visible matches"#),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn too_many_candidates_for_the_browser_fail_the_step_rather_than_guess() {
    let (_, aria) = fails_by_aria("crowd", "Item").await;
    assert!(
        aria.contains("candidates for the role and name, more than the 100"),
        "{aria}"
    );
}
