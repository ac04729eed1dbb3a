//! Chrome DevTools Recorder user flows (the JSON `@puppeteer/replay` runs
//! and the Recorder panel imports).
//!
//! The flow has no notion of inputs, so a typed value is written as its
//! recorded default and a redacted one as its `{{name}}` placeholder, which
//! the user fills in before replaying: the secret itself was never recorded.

use serde::Serialize;
use workflow_format::{Modifier, Modifiers, MouseButton, Recording};

use crate::{ExportError, ExportOptions};
use clawtrail_steps::selectors::devtools as selectors;
use clawtrail_steps::{Action, Entry, ExpectedNavigation, Step, Workflow};

/// Viewport of the replaying page. The recording does not store the
/// recording window's size; this is the Recorder's usual desktop default.
const VIEWPORT: (u32, u32) = (1280, 720);

#[derive(Debug, Serialize)]
struct Flow {
    title: String,
    steps: Vec<DtStep>,
}

#[derive(Debug, Serialize)]
struct AssertedEvent {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
    title: String,
}

/// One step; the fields each type uses are set, the others skipped.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DtStep {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    selectors: Option<Vec<Vec<String>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset_x: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offset_y: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    button: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    y: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_scale_factor: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_mobile: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    has_touch: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_landscape: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    asserted_events: Option<Vec<AssertedEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression: Option<String>,
}

impl DtStep {
    fn new(kind: &'static str) -> Self {
        DtStep {
            kind,
            target: None,
            frame: None,
            selectors: None,
            offset_x: None,
            offset_y: None,
            button: None,
            value: None,
            key: None,
            x: None,
            y: None,
            url: None,
            width: None,
            height: None,
            device_scale_factor: None,
            is_mobile: None,
            has_touch: None,
            is_landscape: None,
            asserted_events: None,
            expression: None,
        }
    }
}

fn navigation(nav: &ExpectedNavigation) -> Vec<AssertedEvent> {
    vec![AssertedEvent {
        kind: "navigation",
        url: nav.url.clone(),
        title: nav.title.clone(),
    }]
}

fn button(b: MouseButton) -> Option<&'static str> {
    match b {
        MouseButton::Primary => None,
        MouseButton::Auxiliary => Some("auxiliary"),
        MouseButton::Secondary => Some("secondary"),
        MouseButton::Back => Some("back"),
        MouseButton::Forward => Some("forward"),
    }
}

/// The `keyDown` keys of the held modifiers, in the order they go down.
fn modifier_keys(m: &Modifiers) -> Vec<&'static str> {
    m.held().map(Modifier::key).collect()
}

/// Builds the flow, stamping `target`/`frame` on every step.
struct Writer<'w> {
    wf: &'w Workflow,
    steps: Vec<DtStep>,
}

impl Writer<'_> {
    /// `target` is the page's URL for steps in any tab but the first one,
    /// which is `"main"` (the default, left out).
    fn push(&mut self, mut s: DtStep, step: &Step, tab_index: usize) {
        if tab_index > 0 {
            s.target = Some(step.page_url.clone());
        }
        if !step.frame_path.is_empty() && s.kind != "keyDown" && s.kind != "keyUp" {
            s.frame = Some(step.frame_path.clone());
        }
        // @puppeteer/replay waits for a step's assertedEvents in the step's
        // own frame. A step inside an iframe that changes the *top* page's
        // URL (a link with target=_top, a postMessage-driven route) must
        // not wait for the iframe to navigate: check the top page's URL in
        // a step of its own instead.
        let top_check = match (&s.frame, s.asserted_events.take()) {
            (Some(_), Some(events)) => events.first().map(|e| e.url.clone()),
            (_, events) => {
                s.asserted_events = events;
                None
            }
        };
        self.steps.push(s);
        if let Some(url) = top_check {
            let mut wait = DtStep::new("waitForExpression");
            wait.expression = Some(format!(
                "location.href === {}",
                serde_json::to_string(&url).expect("a string serializes")
            ));
            if tab_index > 0 {
                wait.target = Some(step.page_url.clone());
            }
            self.steps.push(wait);
        }
    }

    fn keys(&mut self, step: &Step, tab: usize, keys: &[&str], kind: &'static str) {
        for k in keys {
            let mut s = DtStep::new(kind);
            s.key = Some((*k).to_owned());
            self.push(s, step, tab);
        }
    }

    fn step(&mut self, step: &Step, tab: usize, needs_wait: &mut bool) {
        // A step the user did not allow (a clipboard shortcut) is not in
        // the flow at all: a DevTools flow has no place to say why.
        if step.left_out.is_some() {
            return;
        }
        let sels = step
            .target
            .as_ref()
            .map(|t| selectors(&step.alternatives, t));
        if let Some(sels) = &sels
            && *needs_wait
            && !matches!(step.action, Action::Submit)
        {
            // Wait for the page's first element before acting on a page
            // reached by navigation or a tab switch, and for the next
            // element after a click or a key press.
            let mut w = DtStep::new("waitForElement");
            w.selectors = Some(sels.clone());
            self.push(w, step, tab);
            *needs_wait = false;
        }
        let center = step
            .target
            .as_ref()
            .map(|t| {
                (
                    (t.bounds.width / 2.0).max(0.0),
                    (t.bounds.height / 2.0).max(0.0),
                )
            })
            .unwrap_or((0.0, 0.0));
        let mut main: Option<DtStep> = None;
        let mut held: Vec<&'static str> = Vec::new();
        match &step.action {
            Action::Click {
                button: b,
                modifiers,
                offset,
                count,
                ..
            } => {
                let mut s = DtStep::new(if *count >= 2 { "doubleClick" } else { "click" });
                s.selectors = sels.clone();
                s.offset_x = Some(offset.x);
                s.offset_y = Some(offset.y);
                s.button = button(*b);
                held = modifier_keys(modifiers);
                main = Some(s);
            }
            Action::Focus | Action::Check { .. } | Action::Radio { .. } => {
                let mut s = DtStep::new("click");
                s.selectors = sels.clone();
                s.offset_x = Some(center.0);
                s.offset_y = Some(center.1);
                main = Some(s);
            }
            Action::Type { param, .. } => {
                let p = &self.wf.params[*param];
                let mut s = DtStep::new("change");
                s.selectors = sels.clone();
                s.value = Some(p.default.clone().unwrap_or_else(|| p.placeholder()));
                main = Some(s);
            }
            Action::Select { values, param, .. } => {
                // A change step sets one value; a multi-select keeps the
                // first (the DevTools format has no multi-value change).
                let value = match param {
                    Some(p) => Some(self.wf.params[*p].placeholder()),
                    None => values.first().cloned(),
                };
                if let Some(value) = value {
                    let mut s = DtStep::new("change");
                    s.selectors = sels.clone();
                    s.value = Some(value);
                    main = Some(s);
                }
            }
            Action::Press { key, modifiers, .. } => {
                let mods = modifier_keys(modifiers);
                self.keys(step, tab, &mods, "keyDown");
                let mut down = DtStep::new("keyDown");
                down.key = Some(key.clone());
                self.push(down, step, tab);
                let mut up = DtStep::new("keyUp");
                up.key = Some(key.clone());
                up.asserted_events = step.navigates_to.as_ref().map(navigation);
                let rev: Vec<&str> = mods.iter().rev().copied().collect();
                if rev.is_empty() {
                    self.push(up, step, tab);
                } else {
                    let assert = up.asserted_events.take();
                    self.push(up, step, tab);
                    self.keys(step, tab, &rev, "keyUp");
                    if let Some(last) = self.steps.last_mut() {
                        last.asserted_events = assert;
                    }
                }
                *needs_wait = true;
                return;
            }
            Action::Scroll { x, y } => {
                let mut s = DtStep::new("scroll");
                s.selectors = sels.clone();
                s.x = Some(*x);
                s.y = Some(*y);
                main = Some(s);
            }
            Action::Submit => {}
        }
        let Some(mut s) = main else {
            return;
        };
        s.asserted_events = step.navigates_to.as_ref().map(navigation);
        self.keys(step, tab, &held, "keyDown");
        self.push(s, step, tab);
        let rev: Vec<&str> = held.iter().rev().copied().collect();
        self.keys(step, tab, &rev, "keyUp");
        // A click can change the page in any way (a menu, a dialog): the
        // next targeted step first waits for what the user saw next, so a
        // replay that went astray stops right after the step that did.
        if matches!(step.action, Action::Click { .. }) {
            *needs_wait = true;
        }
    }
}

/// The DevTools Recorder flow of `rec`, as a JSON value.
pub fn devtools_flow(rec: &Recording) -> Result<serde_json::Value, ExportError> {
    devtools_flow_with(rec, &ExportOptions::default())
}

/// [`devtools_flow`] with what the user allowed.
pub fn devtools_flow_with(
    rec: &Recording,
    opts: &ExportOptions,
) -> Result<serde_json::Value, ExportError> {
    Ok(serde_json::to_value(flow(rec, opts)?).expect("a flow always serializes"))
}

/// The DevTools Recorder flow of `rec`, pretty-printed with a trailing
/// newline. Field order is fixed, so the same recording always gives the
/// same bytes.
pub fn to_devtools_json(rec: &Recording) -> Result<String, ExportError> {
    to_devtools_json_with(rec, &ExportOptions::default())
}

/// [`to_devtools_json`] with what the user allowed.
pub fn to_devtools_json_with(rec: &Recording, opts: &ExportOptions) -> Result<String, ExportError> {
    let mut s = serde_json::to_string_pretty(&flow(rec, opts)?).expect("a flow always serializes");
    s.push('\n');
    Ok(s)
}

fn flow(rec: &Recording, opts: &ExportOptions) -> Result<Flow, ExportError> {
    let wf = crate::checked_workflow(rec, opts)?;
    let mut w = Writer {
        wf: &wf,
        steps: Vec::new(),
    };
    let mut vp = DtStep::new("setViewport");
    vp.width = Some(VIEWPORT.0);
    vp.height = Some(VIEWPORT.1);
    vp.device_scale_factor = Some(1.0);
    vp.is_mobile = Some(false);
    vp.has_touch = Some(false);
    vp.is_landscape = Some(false);
    w.steps.push(vp);
    // The URL each tab showed last, for `target` of a navigate step.
    let mut tab_urls: Vec<String> = Vec::new();
    for seg in &wf.segments {
        // The DevTools Recorder writes a back/forward as a navigate step to
        // the URL it went to, and so do we.
        if let Entry::Open { url }
        | Entry::Reload { url }
        | Entry::Back { url }
        | Entry::Forward { url } = &seg.entry
        {
            let mut nav = DtStep::new("navigate");
            nav.url = Some(url.clone());
            if seg.tab_index > 0 {
                nav.target = tab_urls.get(seg.tab_index).cloned();
            }
            nav.asserted_events = Some(navigation(&ExpectedNavigation {
                url: seg.url.clone(),
                title: seg.title.clone(),
            }));
            w.steps.push(nav);
        }
        if tab_urls.len() <= seg.tab_index {
            tab_urls.resize(seg.tab_index + 1, String::new());
        }
        tab_urls[seg.tab_index] = seg.url.clone();
        let mut needs_wait = true;
        for step in &seg.steps {
            w.step(step, seg.tab_index, &mut needs_wait);
        }
    }
    Ok(Flow {
        title: wf.title.clone(),
        steps: w.steps,
    })
}
