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
//!   is split into several plans;
//! - a click takes no position, only `clickCoords` does, with numbers a
//!   static plan cannot know (where the element is depends on the layout
//!   at replay time), and a batch returns no `evaluate` result. So a click
//!   whose position matters (a double click selecting the word under the
//!   pointer) ends its plan: the plan scrolls the element into view, and
//!   SKILL.md tells the agent to run `references/point-NN.js` (it returns
//!   the recorded point in the tab's viewport) and `click-coords` there.

use serde::Serialize;
use workflow_format::{Modifier, MouseButton, Point, Target};

use clawtrail_steps::selectors::{Alternative, preferred};
use clawtrail_steps::text::{braces_escaped, css_without_placeholders, js_string};
use clawtrail_steps::{Action, Entry, Segment, Step, Workflow, is_activatable};

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
    /// The click the agent does by coordinates once the batch is done.
    pub then: Option<PointClick>,
    /// Whether the plan before this one (same segment) ended with `then`.
    pub after_point: bool,
}

impl Plan {
    pub fn file_name(&self) -> String {
        format!("plan-{:02}.json", self.number)
    }

    /// `references/` file of `then`'s function.
    pub fn point_file_name(&self) -> String {
        format!("point-{:02}.js", self.number)
    }
}

/// A click at a recorded point, which OpenClaw can only do by viewport
/// coordinates (`click-coords`).
#[derive(Debug, Clone, PartialEq)]
pub struct PointClick {
    /// The step it does.
    pub step: usize,
    /// From the element's top-left corner, CSS pixels.
    pub offset: Point,
    pub count: u8,
    /// JavaScript function source for `openclaw browser evaluate`: returns
    /// `{x, y}`, the point in the tab's viewport, or `null`.
    pub function: String,
}

/// The click of `step` when where it lands matters and OpenClaw must do it
/// by coordinates: a double click selects the word under the pointer, in
/// text or an editor. A double click on a control (a button, a link, a
/// list option) does the same wherever it lands, so it stays a `click`.
fn point_click(step: &Step) -> Option<PointClick> {
    let Action::Click { count, offset, .. } = &step.action else {
        return None;
    };
    let target = step.target.as_ref()?;
    if *count < 2 || is_activatable(target) {
        return None;
    }
    Some(PointClick {
        step: step.number,
        offset: *offset,
        count: *count,
        function: point_function(&step.frame_path, target, *offset),
    })
}

/// The function that finds the recorded point of `target` in the top
/// page's viewport: through each iframe on `frame_path` (by its window,
/// which is what the index path counts), each shadow host, then the
/// element's own box, with the offset kept inside it. `null` when the
/// element is missing or in a cross-origin frame (a page cannot look
/// inside one). Page text enters only as JSON string literals.
fn point_function(frame_path: &[u32], target: &Target, offset: Point) -> String {
    let path = serde_json::to_string(frame_path).expect("numbers serialize");
    let hosts =
        braces_escaped(&serde_json::to_string(&target.shadow_hosts).expect("strings serialize"));
    let css = js_string(&target.css);
    let (ox, oy) = (offset.x.max(0.0), offset.y.max(0.0));
    format!(
        r#"() => {{
  const path = {path}, hosts = {hosts}, css = {css}, at = {{ x: {ox}, y: {oy} }};
  let win = window, left = 0, top = 0;
  try {{
    for (const i of path) {{
      const doc = win.document;
      const frame = [...doc.querySelectorAll('iframe, frame')].find((f) => f.contentWindow === win.frames[i]);
      if (!frame) return null;
      const r = frame.getBoundingClientRect(), s = doc.defaultView.getComputedStyle(frame);
      left += r.left + frame.clientLeft + parseFloat(s.paddingLeft);
      top += r.top + frame.clientTop + parseFloat(s.paddingTop);
      win = win.frames[i];
    }}
    let root = win.document;
    for (const h of hosts) {{
      root = root.querySelector(h)?.shadowRoot;
      if (!root) return null;
    }}
    const el = root.querySelector(css);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {{
      x: left + r.left + Math.min(at.x, Math.max(r.width - 1, 0)),
      y: top + r.top + Math.min(at.y, Math.max(r.height - 1, 0)),
    }};
  }} catch (e) {{
    return null;
  }}
}}"#
    )
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
///
/// Never one that spells `{{`: the agent fills a plan by replacing every
/// `{{name}}`, so page text that looks like a placeholder would receive an
/// input's value (a secret, even). Role and text selectors escape braces
/// already; a CSS or XPath alternative with one is passed over, and the
/// last resort, the CSS selector, has its braces CSS-escaped.
fn selector(step: &Step) -> Option<String> {
    let target = step.target.as_ref()?;
    let alts: Vec<Alternative> = step
        .alternatives
        .iter()
        .filter(|a| {
            clawtrail_steps::selectors::playwright(a, target).is_some_and(|s| !s.contains("{{"))
        })
        .cloned()
        .collect();
    preferred(&alts, target)
        .map(|(_, s)| s)
        .or_else(|| Some(format!("css={}", css_without_placeholders(&target.css))))
}

/// The act requests for one step (none for steps a batch need not replay).
fn step_actions(step: &Step, wf: &Workflow) -> Vec<PlanAction> {
    if step.left_out.is_some() {
        return Vec::new();
    }
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
            let mods: Vec<&'static str> = modifiers.held().map(Modifier::key).collect();
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
            // A Playwright key combination, e.g. `Control+s`.
            a.key = Some(modifiers.key_combo(key));
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

fn wait_selector(selector: String) -> PlanAction {
    let mut a = PlanAction::on("wait", selector);
    a.timeout_ms = Some(PAGE_TIMEOUT_MS);
    a
}

fn wait_href(url: &str) -> PlanAction {
    let mut a = PlanAction::new("wait");
    a.function = Some(format!("() => location.href === {}", js_string(url)));
    a.timeout_ms = Some(PAGE_TIMEOUT_MS);
    a
}

fn wait_title(title: &str) -> PlanAction {
    let mut a = PlanAction::new("wait");
    a.function = Some(format!("() => document.title === {}", js_string(title)));
    a.timeout_ms = Some(PAGE_TIMEOUT_MS);
    a
}

/// An action with the number of the step it does (0: none, a wait).
type Numbered = (usize, PlanAction);

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
        // Groups of actions, each ending where the agent must click by
        // coordinates (the group's `PointClick`), the last one at the end.
        let mut groups: Vec<(Vec<Numbered>, Option<PointClick>)> = Vec::new();
        let mut items: Vec<Numbered> = vec![(0, first)];
        let mut changed = false;
        for step in &seg.steps {
            // After a click or a key press that stayed on the page, the
            // element the user acted on next must appear: a batch that
            // went astray stops right after the step that did (the wait is
            // numbered with the next step, so a batch split keeps them
            // together).
            if std::mem::take(&mut changed)
                && step.target.is_some()
                && let Some(sel) = selector(step)
            {
                items.push((step.number, wait_selector(sel)));
            }
            changed = matches!(step.action, Action::Click { .. } | Action::Press { .. })
                && step.left_out.is_none()
                && step.navigates_to.is_none()
                && step.opens_tab.is_none();
            if let (Some(point), Some(sel)) = (point_click(step), selector(step)) {
                // Waits for the element and brings it into view, so the
                // point is measured where it will be clicked.
                items.push((step.number, PlanAction::on("scrollIntoView", sel)));
                groups.push((std::mem::take(&mut items), Some(point)));
                continue;
            }
            for a in step_actions(step, wf) {
                items.push((step.number, a));
            }
        }
        if si == last_segment && !seg.title.is_empty() && !ends_with_navigation(seg) {
            items.push((0, wait_title(&seg.title)));
        }
        if !items.is_empty() || groups.is_empty() {
            groups.push((items, None));
        }
        let mut part = 0;
        let mut after_point = false;
        for (items, point) in groups {
            let pieces = chunks(items);
            let last = pieces.len().saturating_sub(1);
            for (i, chunk) in pieces.into_iter().enumerate() {
                let mut steps: Vec<usize> =
                    chunk.iter().map(|(n, _)| *n).filter(|n| *n > 0).collect();
                steps.dedup();
                out.push(Plan {
                    number: out.len() + 1,
                    segment: si,
                    part,
                    steps,
                    actions: chunk.into_iter().map(|(_, a)| a).collect(),
                    then: if i == last { point.clone() } else { None },
                    after_point: after_point && i == 0,
                });
                part += 1;
            }
            after_point = point.is_some();
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
