//! OpenClaw browser batch plans (`references/plan-NN.json`).
//!
//! A plan is a JSON array of act requests that `openclaw browser batch
//! --actions-file` runs in one go. The batch runner's rules shape the plans:
//!
//! - there is no navigate kind, so each plan starts on a page the agent has
//!   already brought up (the SKILL.md says how), and begins with a `wait` on
//!   that page's URL to prove it;
//! - a batch stops after a main-frame navigation, so a plan never continues
//!   past the step that navigates: the step model already ends a segment
//!   there;
//! - `press` takes only a key and goes to the focused element, so the step
//!   model puts a focusing step before it;
//! - `fill` needs snapshot refs, so fields are filled with `type`;
//! - selectors run through Playwright's strict `page.locator()`;
//! - a batch holds at most [`MAX_BATCH_ACTIONS`] actions, so a long segment
//!   is split into several plans.

use serde::Serialize;
use workflow_format::{Modifiers, MouseButton};

use crate::selectors::{Alternative, preferred};
use crate::steps::{Action, Entry, Segment, Step, Workflow};
use crate::text::quoted;

/// The most actions OpenClaw accepts in one batch.
pub const MAX_BATCH_ACTIONS: usize = 100;

/// How long a plan waits for its page, in milliseconds.
const PAGE_TIMEOUT_MS: u64 = 15_000;

/// One act request. Field names are OpenClaw's (camelCase).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanAction {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub double_click: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub button: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modifiers: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(rename = "fn", skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u64>,
}

impl PlanAction {
    fn new(kind: &'static str) -> Self {
        PlanAction {
            kind,
            selector: None,
            double_click: None,
            button: None,
            modifiers: None,
            text: None,
            values: None,
            key: None,
            url: None,
            function: None,
            timeout_ms: None,
        }
    }

    fn on(kind: &'static str, selector: String) -> Self {
        PlanAction {
            selector: Some(selector),
            ..PlanAction::new(kind)
        }
    }
}

/// One plan file.
#[derive(Debug, Clone)]
pub struct Plan {
    /// 1-based; the file is `plan-{number:02}.json`.
    pub number: usize,
    /// Index into `Workflow::segments`.
    pub segment: usize,
    /// 0 for the plan that starts the segment, 1.. for continuations of a
    /// segment longer than one batch.
    pub part: usize,
    /// Numbers of the steps this plan performs.
    pub steps: Vec<usize>,
    pub actions: Vec<PlanAction>,
}

impl Plan {
    pub fn file_name(&self) -> String {
        format!("plan-{:02}.json", self.number)
    }
}

/// A Playwright URL glob that matches `url`. Glob metacharacters cannot be
/// escaped portably, so the URL is cut before the first one (query strings
/// usually carry per-session values anyway) and `**` matches the rest.
pub fn url_glob(url: &str) -> String {
    match url.find(['?', '#', '*', '[', ']', '{', '}']) {
        Some(i) => format!("{}**", &url[..i]),
        None => url.to_owned(),
    }
}

/// The selector a plan uses for a step.
fn selector(step: &Step) -> Option<String> {
    let target = step.target.as_ref()?;
    let alts: &[Alternative] = &step.alternatives;
    preferred(alts, target)
        .map(|(_, s)| s)
        .or_else(|| Some(format!("css={}", target.css)))
}

fn modifier_names(m: &Modifiers) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (held, name) in [
        (m.alt, "Alt"),
        (m.ctrl, "Control"),
        (m.meta, "Meta"),
        (m.shift, "Shift"),
    ] {
        if held {
            out.push(name);
        }
    }
    out
}

/// Playwright key combination, e.g. `Control+s`.
pub fn key_combo(key: &str, m: &Modifiers) -> String {
    let mut parts = modifier_names(m);
    parts.push(key);
    parts.join("+")
}

/// The act requests for one step (none for steps a batch need not replay).
fn step_actions(step: &Step, wf: &Workflow) -> Vec<PlanAction> {
    let sel = selector(step);
    match (&step.action, sel) {
        (
            Action::Click {
                button,
                modifiers,
                count,
                ..
            },
            Some(sel),
        ) => {
            let mut a = PlanAction::on("click", sel);
            if *count >= 2 {
                a.double_click = Some(true);
            }
            a.button = match button {
                MouseButton::Secondary => Some("right"),
                MouseButton::Auxiliary => Some("middle"),
                _ => None,
            };
            let mods = modifier_names(modifiers);
            if !mods.is_empty() {
                a.modifiers = Some(mods);
            }
            vec![a]
        }
        // The label wrapping the control, when the user clicked that: a
        // custom checkbox hides its input under a box drawn in the label,
        // and Playwright refuses to click an element another one covers.
        (
            Action::Check {
                via_label: true, ..
            }
            | Action::Radio {
                via_label: true, ..
            },
            Some(sel),
        ) => vec![PlanAction::on(
            "click",
            format!("{sel} >> xpath=ancestor::label[1]"),
        )],
        (Action::Focus | Action::Check { .. } | Action::Radio { .. }, Some(sel)) => {
            vec![PlanAction::on("click", sel)]
        }
        (Action::Type { param, .. }, Some(sel)) => {
            let mut a = PlanAction::on("type", sel);
            a.text = Some(wf.params[*param].placeholder());
            vec![a]
        }
        (Action::Select { values, param, .. }, Some(sel)) => {
            let mut a = PlanAction::on("select", sel);
            a.values = Some(match param {
                Some(p) => vec![wf.params[*p].placeholder()],
                None => values.clone(),
            });
            vec![a]
        }
        (Action::Press { key, modifiers, .. }, _) => {
            let mut a = PlanAction::new("press");
            a.key = Some(key_combo(key, modifiers));
            vec![a]
        }
        // Playwright scrolls an element into view before acting on it, and
        // a script-driven submit needs no action of ours.
        (Action::Scroll { .. } | Action::Submit, _) => Vec::new(),
        // Targeted actions always have a selector (css is never empty in a
        // valid recording).
        (_, None) => Vec::new(),
    }
}

fn wait_url(url: &str) -> PlanAction {
    let mut a = PlanAction::new("wait");
    a.url = Some(url_glob(url));
    a.timeout_ms = Some(PAGE_TIMEOUT_MS);
    a
}

fn wait_href(url: &str) -> PlanAction {
    let mut a = PlanAction::new("wait");
    a.function = Some(format!("() => location.href === {}", quoted(url)));
    a.timeout_ms = Some(PAGE_TIMEOUT_MS);
    a
}

fn wait_title(title: &str) -> PlanAction {
    let mut a = PlanAction::new("wait");
    a.function = Some(format!("() => document.title === {}", quoted(title)));
    a.timeout_ms = Some(PAGE_TIMEOUT_MS);
    a
}

/// Every plan of `wf`, in order.
pub fn plans(wf: &Workflow) -> Vec<Plan> {
    let mut out: Vec<Plan> = Vec::new();
    let last_segment = wf.segments.len().saturating_sub(1);
    for (si, seg) in wf.segments.iter().enumerate() {
        // (step number, action) pairs, so chunks know which steps they do.
        let first = match seg.entry {
            // A page the browser's history brought back may come from the
            // back/forward cache, whose restore Playwright's URL tracking
            // over CDP misses (OpenClaw attaches to a Chromium it started,
            // where that cache is on): `wait url` then times out on the
            // right page. The page itself knows where it is.
            Entry::Back { .. } | Entry::Forward { .. } | Entry::Reload { .. } => {
                wait_href(&seg.url)
            }
            _ => wait_url(&seg.url),
        };
        let mut items: Vec<(usize, PlanAction)> = vec![(0, first)];
        for step in &seg.steps {
            for a in step_actions(step, wf) {
                items.push((step.number, a));
            }
        }
        if si == last_segment && !seg.title.is_empty() && !ends_with_navigation(seg) {
            items.push((0, wait_title(&seg.title)));
        }
        for (part, chunk) in chunks(items).into_iter().enumerate() {
            let mut steps: Vec<usize> = chunk.iter().map(|(n, _)| *n).filter(|n| *n > 0).collect();
            steps.dedup();
            out.push(Plan {
                number: out.len() + 1,
                segment: si,
                part,
                steps,
                actions: chunk.into_iter().map(|(_, a)| a).collect(),
            });
        }
    }
    out
}

fn ends_with_navigation(seg: &Segment) -> bool {
    seg.steps.last().is_some_and(|s| s.navigates_to.is_some())
}

/// Splits a segment's actions into batches of at most [`MAX_BATCH_ACTIONS`],
/// never between a focusing action and the key press that needs it, nor
/// between the actions of one step.
fn chunks(items: Vec<(usize, PlanAction)>) -> Vec<Vec<(usize, PlanAction)>> {
    let mut out: Vec<Vec<(usize, PlanAction)>> = Vec::new();
    let mut cur: Vec<(usize, PlanAction)> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        // The group: this action plus what must stay with it.
        let mut end = i + 1;
        while end < items.len()
            && end - i < MAX_BATCH_ACTIONS
            && (items[end].1.kind == "press" || (items[end].0 != 0 && items[end].0 == items[i].0))
        {
            end += 1;
        }
        let group = &items[i..end];
        if !cur.is_empty() && cur.len() + group.len() > MAX_BATCH_ACTIONS {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend_from_slice(group);
        i = end;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether the plan's page must be opened by URL before the batch runs.
pub fn opens_url(seg: &Segment, part: usize) -> Option<&str> {
    match (&seg.entry, part) {
        (Entry::Open { url }, 0) => Some(url),
        _ => None,
    }
}
