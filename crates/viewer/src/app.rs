//! The page: wiring between the DOM, the relay and the service worker.
//!
//! State lives in one `Rc<RefCell<State>>`. No borrow is ever held across
//! an `.await`: handlers copy what they need, await, then borrow again.
//! Clicks in the list are handled by one delegated listener on the table
//! body, so re-rendering rows never leaks listeners.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::{Interval, Timeout};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::spawn_local;
use web_sys::{
    Blob, BlobPropertyBag, Element, HtmlAnchorElement, HtmlInputElement, IntersectionObserver,
    IntersectionObserverEntry, KeyboardEvent, Url,
};
use workflow_format::Recording;

use crate::chrome;
use crate::dom::{append, by_id, clear, document, el, set_hidden};
use crate::fmt;
use crate::listing::{self, Shown, Summary};
use crate::pending::Describe;
use crate::relay::Relay;
use crate::skill_zip;
use crate::timeline::{self, CHUNK, PageGroup};

/// How often the pending-uploads section asks the worker again.
const PENDING_REFRESH_MS: u32 = 3_000;

#[derive(Default)]
struct State {
    relay: Option<Relay>,
    summaries: Vec<Summary>,
    open: Option<Open>,
}

/// The recording shown in the timeline view and how much of it is in the DOM.
struct Open {
    rec: Rc<Recording>,
    groups: Vec<PageGroup>,
    /// Events rendered so far (a prefix of the recording).
    rendered: usize,
    /// Index of the group the next rendered event belongs to.
    group: usize,
    /// The `<ol>` of the group being filled.
    list: Option<Element>,
}

type Shared = Rc<RefCell<State>>;

#[wasm_bindgen(start)]
pub fn start() {
    let state: Shared = Rc::default();
    wire(&state);
    let s = state.clone();
    spawn_local(async move { connect(&s).await });
    refresh_pending();
    Interval::new(PENDING_REFRESH_MS, refresh_pending).forget();
}

fn show_error(msg: &str) {
    let e = by_id("error");
    e.set_text_content(Some(msg));
    set_hidden(&e, msg.is_empty());
}

async fn connect(state: &Shared) {
    let settings = match chrome::settings().await {
        Ok(s) => s,
        Err(e) => return show_error(&format!("cannot read the extension settings: {e}")),
    };
    let Some(key) = settings.key else {
        by_id("recordings-status").set_text_content(Some("not paired"));
        return show_error(
            "Not paired with the relay: run `clawtrail pair` and enter the code in the clawtrail popup.",
        );
    };
    let relay = match Relay::new(settings.port, &key) {
        Ok(r) => r,
        Err(e) => return show_error(&e),
    };
    state.borrow_mut().relay = Some(relay);
    reload(state).await;
}

/// Fetches the list again (the relay is the source of truth) and renders it.
async fn reload(state: &Shared) {
    let Some(relay) = state.borrow().relay.clone() else {
        return;
    };
    match relay.list().await {
        Ok(listing) => {
            state.borrow_mut().summaries = listing.recordings;
            show_error("");
            render_list(state);
        }
        Err(e) => show_error(&e),
    }
}

fn search_text() -> String {
    by_id("search")
        .dyn_into::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

fn render_list(state: &Shared) {
    let st = state.borrow();
    let query = search_text();
    let shown = listing::visible(&st.summaries, &query);
    let body = by_id("recording-rows");
    clear(&body);
    for s in &shown {
        let r = s.row();
        let tr = el("tr", "recording", "");
        let _ = tr.set_attribute("data-id", &r.id);
        let name = el("td", "name", "");
        append(&name, &el("button", "link open", &r.name));
        let _ = name
            .first_element_child()
            .map(|b| b.set_attribute("data-action", "open"));
        append(&tr, &name);
        for (class, text) in [
            ("date", r.date.as_str()),
            ("duration", r.duration.as_str()),
            ("events num", r.events.as_str()),
            ("tabs num", r.tabs.as_str()),
        ] {
            append(&tr, &el("td", class, text));
        }
        let actions = el("td", "actions", "");
        for (action, label) in [("rename", "Rename"), ("delete", "Delete")] {
            let b = el("button", action, label);
            let _ = b.set_attribute("data-action", action);
            append(&actions, &b);
        }
        append(&tr, &actions);
        append(&body, &tr);
    }
    let total = st.summaries.len();
    let status = if query.trim().is_empty() {
        format!("{total} recording(s)")
    } else {
        format!("{} of {total} recording(s)", shown.len())
    };
    by_id("recordings-status").set_text_content(Some(&status));
    set_hidden(&by_id("empty"), total != 0);
}

/// The row (`tr.recording`) around a clicked element, and its id.
fn row_of(target: &Element) -> Option<(Element, Uuid)> {
    let tr = target.closest("tr.recording").ok().flatten()?;
    let id = Uuid::try_parse(&tr.get_attribute("data-id")?).ok()?;
    Some((tr, id))
}

fn start_rename(tr: &Element) {
    let Some(cell) = tr.query_selector("td.name").ok().flatten() else {
        return;
    };
    let current = cell.text_content().unwrap_or_default();
    clear(&cell);
    let input = el("input", "rename-input", "");
    let _ = input.set_attribute("maxlength", "200");
    let _ = input.set_attribute("aria-label", "New name");
    if let Some(i) = input.dyn_ref::<HtmlInputElement>() {
        i.set_value(&current);
    }
    append(&cell, &input);
    for (action, label) in [("save", "Save"), ("cancel", "Cancel")] {
        let b = el("button", action, label);
        let _ = b.set_attribute("data-action", action);
        append(&cell, &b);
    }
    if let Some(i) = input.dyn_ref::<HtmlInputElement>() {
        let _ = i.focus();
        i.select();
    }
}

fn save_rename(state: &Shared, tr: &Element, id: Uuid) {
    let Some(input) = tr
        .query_selector("input.rename-input")
        .ok()
        .flatten()
        .and_then(|i| i.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    let name = input.value();
    let Some(relay) = state.borrow().relay.clone() else {
        return;
    };
    let state = state.clone();
    spawn_local(async move {
        match relay.rename(id, &name).await {
            // Reloading re-renders the row with the stored name.
            Ok(()) => reload(&state).await,
            // Keep the editor open so the user can fix the name.
            Err(e) => show_error(&e),
        }
    });
}

fn delete(state: &Shared, tr: &Element, button: &Element, id: Uuid) {
    // Two clicks: the first only arms the button, so a stray click does not
    // destroy a recording.
    if button.get_attribute("data-armed").is_none() {
        let _ = button.set_attribute("data-armed", "");
        button.set_text_content(Some("Really delete?"));
        return;
    }
    let Some(relay) = state.borrow().relay.clone() else {
        return;
    };
    let _ = tr.set_attribute("data-busy", "");
    let state = state.clone();
    spawn_local(async move {
        match relay.delete(id).await {
            Ok(()) => reload(&state).await,
            Err(e) => show_error(&e),
        }
    });
}

fn on_list_click(state: &Shared, target: &Element) {
    let Some(button) = target.closest("button[data-action]").ok().flatten() else {
        return;
    };
    let Some((tr, id)) = row_of(&button) else {
        return;
    };
    match button.get_attribute("data-action").as_deref() {
        Some("open") => open(state, id),
        Some("rename") => start_rename(&tr),
        Some("save") => save_rename(state, &tr, id),
        Some("cancel") => render_list(state),
        Some("delete") => delete(state, &tr, &button, id),
        _ => {}
    }
}

fn open(state: &Shared, id: Uuid) {
    let Some(relay) = state.borrow().relay.clone() else {
        return;
    };
    let state = state.clone();
    spawn_local(async move {
        match relay.get(id).await {
            Ok(rec) => show_timeline(&state, rec),
            Err(e) => show_error(&e),
        }
    });
}

fn show_view(timeline: bool) {
    set_hidden(&by_id("list-view"), timeline);
    set_hidden(&by_id("timeline-view"), !timeline);
}

fn show_timeline(state: &Shared, rec: Recording) {
    show_error("");
    by_id("timeline-name").set_text_content(Some(&rec.name));
    let meta = format!(
        "{} · {} · {} events · {} tab(s)",
        fmt::date(rec.started_at),
        fmt::duration((rec.ended_at - rec.started_at).num_milliseconds()),
        rec.events.len(),
        rec.tabs.len()
    );
    by_id("timeline-meta").set_text_content(Some(&meta));
    let tl = by_id("timeline");
    clear(&tl);
    let _ = tl.set_attribute("data-id", &rec.id.to_string());
    let groups = timeline::groups(&rec);
    state.borrow_mut().open = Some(Open {
        rec: Rc::new(rec),
        groups,
        rendered: 0,
        group: 0,
        list: None,
    });
    show_view(true);
    render_more(state);
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}

/// Appends the next [`CHUNK`] steps to the timeline.
fn render_more(state: &Shared) {
    let mut st = state.borrow_mut();
    let Some(open) = st.open.as_mut() else {
        return;
    };
    let tl = by_id("timeline");
    let total = open.rec.events.len();
    let end = (open.rendered + CHUNK).min(total);
    for i in open.rendered..end {
        while open.group < open.groups.len() && open.groups[open.group].events.end <= i {
            open.group += 1;
        }
        let g = &open.groups[open.group];
        if g.events.start == i || open.list.is_none() {
            let section = el("section", "page", "");
            let _ = section.set_attribute("data-tab", &g.tab_id.to_string());
            let header = el("header", "", "");
            append(&header, &el("span", "icon", "▤"));
            let title = if g.title.is_empty() {
                "(untitled page)"
            } else {
                &g.title
            };
            append(&header, &el("span", "page-title", title));
            append(&header, &el("span", "page-url", &g.url));
            append(&header, &el("span", "tab", &format!("tab {}", g.tab_id)));
            append(&section, &header);
            let list = el("ol", "steps", "");
            append(&section, &list);
            append(&tl, &section);
            open.list = Some(list);
        }
        let s = timeline::step(&open.rec, i);
        let li = el("li", if s.redacted { "step redacted" } else { "step" }, "");
        let _ = li.set_attribute("data-kind", s.kind);
        let _ = li.set_attribute("data-seq", &s.seq.to_string());
        append(&li, &el("span", "offset", &s.offset));
        let icon = el("span", "icon", s.icon);
        let _ = icon.set_attribute("title", s.kind);
        append(&li, &icon);
        append(&li, &el("span", "what", &s.what));
        // Always present, empty unless redacted: it is a grid column.
        append(
            &li,
            &el("span", "badge", if s.redacted { "redacted" } else { "" }),
        );
        append(&li, &el("span", "tab", &s.tab));
        append(&li, &el("span", "url", &s.url));
        if let Some(list) = &open.list {
            append(list, &li);
        }
    }
    open.rendered = end;
    let more = by_id("timeline-more");
    set_hidden(&more, end >= total);
    more.set_text_content(Some(&format!("Show more ({end} of {total} steps shown)")));
}

fn back(state: &Shared) {
    // Drop the recording and its rows: a 10,000-event timeline should not
    // keep its memory while the list is shown.
    state.borrow_mut().open = None;
    clear(&by_id("timeline"));
    show_view(false);
}

/// Offers `bytes` as a file download through a Blob URL.
fn download(bytes: &[u8], mime: &str, file_name: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let bag = BlobPropertyBag::new();
    bag.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &bag)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let a: HtmlAnchorElement = document().create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The download has started by then; revoking frees the blob.
    Timeout::new(60_000, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

fn export(state: &Shared, skill: bool) {
    let Some(rec) = state.borrow().open.as_ref().map(|o| o.rec.clone()) else {
        return;
    };
    let result = if skill {
        clawtrail_export::render_openclaw_skill(&rec)
            .map_err(|e| e.to_string())
            .and_then(|(slug, files)| {
                let zip = skill_zip::zip_skill(&slug, &files).map_err(|e| e.to_string())?;
                download(&zip, "application/zip", &format!("{slug}.zip")).map_err(chrome::js_error)
            })
    } else {
        clawtrail_export::to_devtools_json(&rec)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                let name = format!("{}.devtools.json", clawtrail_export::skill_slug(&rec));
                download(json.as_bytes(), "application/json", &name).map_err(chrome::js_error)
            })
    };
    match result {
        Ok(()) => show_error(""),
        Err(e) => show_error(&format!("export failed: {e}")),
    }
}

fn refresh_pending() {
    spawn_local(async {
        let status = match chrome::worker_status().await {
            Ok(s) => s,
            Err(e) => {
                by_id("pending-count").set_text_content(Some("?"));
                return by_id("pending-list").set_text_content(Some(&e));
            }
        };
        if let Some(relay) = &status.relay {
            let r = by_id("relay-status");
            r.set_text_content(Some(&format!("relay: {}", relay.replace('_', " "))));
            let _ = r.set_attribute("data-relay", relay);
        }
        by_id("pending-count").set_text_content(Some(&status.pending.len().to_string()));
        let list = by_id("pending-list");
        clear(&list);
        for p in &status.pending {
            let li = el("li", "pending-item", "");
            let _ = li.set_attribute("data-id", &p.id.to_string());
            append(&li, &el("b", "name", &p.name));
            append(&li, &el("span", "events", &format!("{} events", p.events)));
            append(&li, &el("span", "age", &p.age(status.now_ms)));
            append(&li, &el("span", "next", &p.next_try(status.now_ms)));
            if p.attempts > 0 {
                append(
                    &li,
                    &el("span", "attempts", &format!("{} attempt(s)", p.attempts)),
                );
            }
            if let Some(err) = &p.last_error {
                append(&li, &el("span", "last-error", err));
            }
            append(&list, &li);
        }
        set_hidden(&by_id("pending-empty"), !status.pending.is_empty());
    });
}

fn listen(id: &str, event: &'static str, f: impl FnMut(&web_sys::Event) + 'static) {
    EventListener::new(&by_id(id), event, f).forget();
}

fn wire(state: &Shared) {
    let s = state.clone();
    listen("search", "input", move |_| render_list(&s));
    let s = state.clone();
    listen("refresh", "click", move |_| {
        let s = s.clone();
        spawn_local(async move { reload(&s).await });
        refresh_pending();
    });
    let s = state.clone();
    listen("recording-rows", "click", move |e| {
        if let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
            on_list_click(&s, &t);
        }
    });
    let s = state.clone();
    listen("recording-rows", "keydown", move |e| {
        let Some(k) = e.dyn_ref::<KeyboardEvent>() else {
            return;
        };
        let Some(t) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
            return;
        };
        if !t.class_list().contains("rename-input") {
            return;
        }
        match k.key().as_str() {
            "Enter" => {
                if let Some((tr, id)) = row_of(&t) {
                    save_rename(&s, &tr, id);
                }
            }
            "Escape" => render_list(&s),
            _ => {}
        }
    });
    let s = state.clone();
    listen("back", "click", move |_| back(&s));
    let s = state.clone();
    listen("export-devtools", "click", move |_| export(&s, false));
    let s = state.clone();
    listen("export-skill", "click", move |_| export(&s, true));
    let s = state.clone();
    listen("timeline-more", "click", move |_| render_more(&s));

    // Lazy rendering: when the "Show more" button scrolls into view, the
    // next chunk is appended. Re-observing after each chunk makes the
    // observer report again even if the button never left the viewport.
    let s = state.clone();
    let on_visible = Closure::<dyn FnMut(js_sys::Array, IntersectionObserver)>::new(
        move |entries: js_sys::Array, observer: IntersectionObserver| {
            let seen = entries.iter().any(|e| {
                e.dyn_into::<IntersectionObserverEntry>()
                    .is_ok_and(|e| e.is_intersecting())
            });
            if seen {
                render_more(&s);
                let more = by_id("timeline-more");
                observer.unobserve(&more);
                observer.observe(&more);
            }
        },
    );
    match IntersectionObserver::new(on_visible.as_ref().unchecked_ref()) {
        Ok(observer) => {
            observer.observe(&by_id("timeline-more"));
            // Both live as long as the page.
            std::mem::forget(observer);
            on_visible.forget();
        }
        Err(e) => show_error(&format!(
            "lazy loading is unavailable ({}); use Show more",
            chrome::js_error(e)
        )),
    }
}
