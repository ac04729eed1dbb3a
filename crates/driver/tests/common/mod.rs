//! A local test site and recordings of workflows on it, built in code.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Path, State};
use axum::response::Html;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use clawtrail_driver::{BrowserOptions, ReplayOptions, Timeouts};
use workflow_format::{
    AriaRef, Event, EventKind, FieldValue, InputEvent, Modifiers, MouseButton, NavigateEvent,
    NavigationCause, Point, Pointer, RecorderInfo, Recording, TabInfo, Target,
};

/// What the pages reported (synchronous XHR to `/log`), in order.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

pub struct Site {
    pub base: String,
    pub log: Log,
}

/// Shared by every page: report a line to the test synchronously, so it
/// has arrived before the action that caused it returns.
const LOG_JS: &str = r#"<script>
function log(s){const x=new XMLHttpRequest();x.open('POST','/log',false);x.send(s);}
</script>"#;

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>{title}</title>{LOG_JS}</head><body>{body}</body></html>"
    ))
}

fn pages(name: &str) -> Option<Html<String>> {
    Some(match name {
        "form" => page(
            "Sign up",
            r#"<form method="post" action="/signup">
<label for="name">Full name</label><input id="name" name="name" autocomplete="name">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
<label for="pw">Password</label><input id="pw" name="pw" type="password" autocomplete="new-password">
<label><input type="checkbox" id="news" name="news"> Newsletter</label>
<label for="country">Country</label>
<select id="country" name="country"><option value="de">Germany</option><option value="fr">France</option></select>
<button id="go" type="submit">Create account</button>
</form>
<script>document.getElementById('go').addEventListener('click', e => log('click go trusted=' + e.isTrusted));</script>"#,
        ),
        "a" => page(
            "Page A",
            r#"<h1>A</h1><p><a id="next" href="/p/b">Next page</a></p>"#,
        ),
        "b" => page(
            "Page B",
            r#"<h1>B</h1><input id="q" aria-label="Search">
<script>document.getElementById('q').addEventListener('keydown', e => {
  if (e.key === 'Enter') { log('enter trusted=' + e.isTrusted); location.href = '/p/c?q=' + encodeURIComponent(e.target.value); }
});</script>"#,
        ),
        "c" => page(
            "Page C",
            r#"<h1 id="h">Results</h1><script>log('results ' + new URLSearchParams(location.search).get('q'));</script>"#,
        ),
        "spa" => page(
            "SPA",
            r#"<nav><a id="to-settings" href="/p/spa-settings">Settings</a></nav><main id="view">Home</main>
<script>
document.getElementById('to-settings').addEventListener('click', e => {
  e.preventDefault();
  history.pushState({}, '', '/p/spa/settings');
  // The view renders later, as frameworks do after a route change.
  setTimeout(() => {
    document.getElementById('view').innerHTML =
      '<input id="nick" aria-label="Nickname"><button id="save">Save</button><p id="out"></p>';
    document.getElementById('save').addEventListener('click', ev => {
      log('saved nick=' + document.getElementById('nick').value + ' trusted=' + ev.isTrusted);
    });
  }, 300);
});
</script>"#,
        ),
        "frames" => page(
            "Frames",
            r#"<h1>Outer</h1><iframe src="/p/inner" width="400" height="200"></iframe>"#,
        ),
        "inner" => page(
            "Inner",
            r#"<input id="msg" aria-label="Message"><button id="send">Send</button>
<script>document.getElementById('send').addEventListener('click', e =>
  log('frame msg=' + document.getElementById('msg').value + ' trusted=' + e.isTrusted));</script>"#,
        ),
        "shadow" => page(
            "Shadow",
            r#"<x-app></x-app>
<script>
class XPanel extends HTMLElement {
  connectedCallback() {
    const r = this.attachShadow({mode: 'open'});
    r.innerHTML = '<input id="lang" aria-label="Language"><button id="apply">Apply</button>';
    r.getElementById('apply').addEventListener('click', e =>
      log('shadow lang=' + r.getElementById('lang').value + ' trusted=' + e.isTrusted));
  }
}
class XApp extends HTMLElement {
  connectedCallback() {
    this.attachShadow({mode: 'open'}).innerHTML = '<p>App</p><x-panel id="panel"></x-panel>';
  }
}
customElements.define('x-panel', XPanel);
customElements.define('x-app', XApp);
</script>"#,
        ),
        "opener" => page(
            "Opener",
            r#"<a id="details" href="/p/popup" target="_blank">Open details</a>"#,
        ),
        "popup" => page(
            "Popup",
            r#"<button id="confirm">Confirm</button>
<script>document.getElementById('confirm').addEventListener('click', e => log('confirmed trusted=' + e.isTrusted));</script>"#,
        ),
        // The "send" page after a redesign: new id, new accessible name,
        // same visible text.
        "send" => page(
            "Send",
            r#"<input id="msg" aria-label="Message"><button id="send">Send</button>
<script>document.getElementById('send').addEventListener('click', () => log('sent ' + document.getElementById('msg').value));</script>"#,
        ),
        "send-v2" => page(
            "Send",
            r#"<input id="message-v2" aria-label="Message"><button id="submit-v2" aria-label="Send now">Send</button>
<script>document.getElementById('submit-v2').addEventListener('click', () => log('sent ' + document.getElementById('message-v2').value));</script>"#,
        ),
        // A menu the button opens; on "menu-broken" the button does
        // nothing (a script error, a changed handler).
        "menu" | "menu-broken" => page(
            "Menu",
            &format!(
                r#"<button id="open">Open menu</button>
<ul id="menu" role="menu" hidden><li><button id="settings" role="menuitem">Settings</button></li></ul>
<script>
{}
document.getElementById('settings').addEventListener('click', e => log('settings trusted=' + e.isTrusted));
</script>"#,
                if name == "menu" {
                    "document.getElementById('open').addEventListener('click', () => { document.getElementById('menu').hidden = false; });"
                } else {
                    ""
                }
            ),
        ),
        // Where a forged recording pastes what it copied elsewhere.
        "paste" => page(
            "Contact",
            r#"<textarea id="msg" aria-label="Message"></textarea><button id="send">Send</button>
<script>document.getElementById('send').addEventListener('click', () => log('sent ' + document.getElementById('msg').value));</script>"#,
        ),
        "download" => page(
            "Download",
            r#"<a id="get" href="/download">Get the file</a>"#,
        ),
        _ => return None,
    })
}

async fn serve_page(Path(name): Path<String>) -> Result<Html<String>, axum::http::StatusCode> {
    pages(&name).ok_or(axum::http::StatusCode::NOT_FOUND)
}

async fn signup(State(log): State<Log>, Form(f): Form<HashMap<String, String>>) -> Html<String> {
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    log.0.lock().unwrap().push(format!(
        "signup name={} email={} pw={} news={} country={}",
        get("name"),
        get("email"),
        get("pw"),
        get("news"),
        get("country")
    ));
    page("Welcome", &format!("<p>Welcome, {}</p>", get("name")))
}

async fn record_log(State(log): State<Log>, body: String) {
    log.0.lock().unwrap().push(body);
}

/// Starts the site on an ephemeral loopback port.
pub async fn site() -> Site {
    let log = Log::default();
    let app = axum::Router::new()
        .route("/p/{name}", get(serve_page))
        // The SPA's route, should the browser load it directly.
        .route("/p/spa/settings", get(|| async { pages("spa").unwrap() }))
        .route("/signup", post(signup))
        .route("/log", post(record_log))
        .route(
            "/download",
            get(|| async {
                (
                    [
                        ("content-type", "application/octet-stream"),
                        (
                            "content-disposition",
                            "attachment; filename=\"payload.bin\"",
                        ),
                    ],
                    "payload",
                )
            }),
        )
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Site { base, log }
}

pub fn options(dir: &std::path::Path, params: &[(&str, &str)]) -> ReplayOptions {
    ReplayOptions {
        browser: BrowserOptions {
            headless: true,
            ..BrowserOptions::default()
        },
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        timeouts: Timeouts {
            element: Duration::from_secs(5),
            navigation: Duration::from_secs(10),
        },
        artifacts_dir: dir.to_owned(),
        allow_clipboard: false,
        allow_file_urls: false,
    }
}

// ---- targets -----------------------------------------------------------

pub fn el(tag: &str, css: &str) -> Target {
    Target::test(tag)
        .css(css)
        .xpath(format!("//*[@id={:?}]", css.trim_start_matches('#')))
        .bounds(10.0, 10.0, 80.0, 20.0)
        .build()
}

pub fn with_aria(mut t: Target, role: &str, name: &str) -> Target {
    t.aria = Some(AriaRef {
        role: role.into(),
        name: name.into(),
    });
    t
}

pub fn button(name: &str, css: &str) -> Target {
    Target {
        text: Some(name.into()),
        ..with_aria(el("button", css), "button", name)
    }
}

pub fn link(name: &str, css: &str) -> Target {
    Target {
        text: Some(name.into()),
        ..with_aria(el("a", css), "link", name)
    }
}

pub fn textbox(label: &str, css: &str) -> Target {
    Target {
        label: Some(label.into()),
        input_type: Some("text".into()),
        ..with_aria(el("input", css), "textbox", label)
    }
}

// ---- events ------------------------------------------------------------

pub fn click(t: Target) -> EventKind {
    EventKind::Click(Pointer {
        target: t,
        button: MouseButton::Primary,
        modifiers: Modifiers::default(),
        offset: Point { x: 5.0, y: 5.0 },
    })
}

pub fn input(t: Target, text: &str) -> EventKind {
    EventKind::Input(InputEvent {
        target: t,
        value: FieldValue::text(text),
    })
}

pub fn nav(cause: NavigationCause, title: &str) -> EventKind {
    EventKind::Navigate(NavigateEvent {
        cause,
        title: title.into(),
        from_url: None,
    })
}

pub fn load(title: &str) -> EventKind {
    nav(NavigationCause::Load, title)
}

fn t0() -> DateTime<Utc> {
    "2026-01-10T09:00:00Z".parse().unwrap()
}

/// Builds a recording from `(tab, url, kind)`; tab 1 opened tab 2 when
/// there is one.
pub fn recording(name: &str, events: Vec<(u32, String, EventKind)>) -> Recording {
    let n = events.len() as i64;
    let mut tabs: Vec<TabInfo> = Vec::new();
    for (tab, url, _) in &events {
        if !tabs.iter().any(|t| t.tab_id == *tab) {
            tabs.push(TabInfo {
                tab_id: *tab,
                opener_tab_id: (*tab != 1).then_some(1),
                initial_url: url.clone(),
                title: String::new(),
            });
        }
    }
    let events = events
        .into_iter()
        .enumerate()
        .map(|(i, (tab, url, kind))| Event {
            seq: i as u64,
            at: t0() + chrono::Duration::milliseconds(i as i64 * 100),
            tab_id: tab,
            frame_path: kind
                .target()
                .map(|t| t.frame_path.clone())
                .unwrap_or_default(),
            url,
            kind,
        })
        .collect();
    Recording {
        format_version: 1,
        id: "6f1c2f4e-8a4b-4c1e-9d3a-2b7f5e0a1c3d".parse().unwrap(),
        name: name.into(),
        started_at: t0(),
        ended_at: t0() + chrono::Duration::milliseconds(n * 100 + 1),
        recorder: RecorderInfo {
            version: "0.1.0".into(),
            user_agent: "test".into(),
        },
        tabs,
        events,
    }
}
