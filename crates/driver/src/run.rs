//! Executing a workflow in the browser, one step at a time.
//!
//! Each step: enter the step's frame, wait (bounded) until one of its
//! alternatives finds exactly one attached, visible, enabled element, act on
//! it with WebDriver input (chromedriver dispatches it as trusted input, so
//! pages see `isTrusted` events), then wait for the navigation the recording
//! says the step caused. The first failure stops the run: later steps would
//! act on a page in an unknown state.
//!
//! A role + name is the browser's: `locate.js` only gathers candidates, and
//! WebDriver's Get Computed Role and Get Computed Label say which of them
//! has the recorded role and name (`Runner::aria_match`). The replayer has
//! no accessible-name algorithm of its own.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use clawtrail_steps::{Action, Alternative, AlternativeKind, Entry, Segment, Step, Workflow};
use fantoccini::Client;
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MOUSE_BUTTON_LEFT, MOUSE_BUTTON_MIDDLE, MOUSE_BUTTON_RIGHT,
    MouseActions, PointerAction,
};
use fantoccini::elements::{Element, ElementRef};
use fantoccini::key::Key;
use fantoccini::wd::{WebDriverCompatibleCommand, WindowHandle};
use serde_json::{Value, json};
use workflow_format::{Modifier, Modifiers, MouseButton};

use crate::report::{Attempt, FinalCheck, Report, StepStatus, kind_name};

const LOCATE_JS: &str = include_str!("locate.js");
/// How often a step re-checks the page while it waits.
const POLL: Duration = Duration::from_millis(100);
/// WebDriver's name for an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// At most this many candidates of a role + name are put to the browser in
/// one poll (a WebDriver round trip each, two for those with the role);
/// with more, the alternative fails as `too_many` rather than guess.
const ARIA_CANDIDATES_MAX: usize = 100;

/// Bounds of the waits.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For a step's element to be attached, visible and enabled.
    pub element: Duration,
    /// For an expected navigation (and a new tab) to happen.
    pub navigation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            element: Duration::from_secs(10),
            navigation: Duration::from_secs(15),
        }
    }
}

/// Why a step failed, for the report.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

pub struct Runner<'a> {
    pub client: &'a Client,
    pub workflow: &'a Workflow,
    pub values: &'a [String],
    pub timeouts: Timeouts,
    pub artifacts_dir: PathBuf,
    /// Window handle of each recorded tab, by tab index.
    handles: Vec<Option<WindowHandle>>,
    current: Option<WindowHandle>,
}

impl<'a> Runner<'a> {
    pub fn new(
        client: &'a Client,
        workflow: &'a Workflow,
        values: &'a [String],
        timeouts: Timeouts,
        artifacts_dir: PathBuf,
    ) -> Self {
        Runner {
            client,
            workflow,
            values,
            timeouts,
            artifacts_dir,
            handles: Vec::new(),
            current: None,
        }
    }

    pub async fn run(mut self, report: &mut Report) {
        let mut failed = false;
        for seg in &self.workflow.segments {
            if let Err(f) = self.enter(seg).await {
                // Charged to the segment's first step, or to the final check.
                if let Some(first) = seg.steps.first() {
                    self.fail(report, first.number, f.0, Vec::new()).await;
                } else {
                    report.final_check = Some(FinalCheck {
                        expected_url: seg.url.clone(),
                        actual_url: self.url().await,
                        ok: false,
                    });
                }
                failed = true;
                break;
            }
            for (i, step) in seg.steps.iter().enumerate() {
                if let Some(why) = step.left_out {
                    // Stop rather than go on without it: what follows
                    // (a paste, a send) would act on the wrong content.
                    if let Some(r) = report.step_mut(step.number) {
                        r.status = StepStatus::LeftOut;
                        r.reason = Some(format!("left out: {}", why.reason()));
                    }
                    failed = true;
                    break;
                }
                let (mut outcome, tried) = self.step(step).await;
                if outcome.is_ok()
                    && let Some(next) = seg.steps.get(i + 1)
                    && let Err(f) = self.saw_next(step, next).await
                {
                    outcome = Err(f);
                }
                match outcome {
                    Ok(used) => {
                        let status = match used {
                            Some(0) | None => StepStatus::Ok,
                            Some(_) => StepStatus::OkWithFallback,
                        };
                        if let Some(r) = report.step_mut(step.number) {
                            r.status = status;
                            r.used = used.and_then(|i| tried.get(i).cloned());
                            r.tried = tried;
                        }
                    }
                    Err(f) => {
                        self.fail(report, step.number, f.0, tried).await;
                        failed = true;
                        break;
                    }
                }
            }
            if failed {
                break;
            }
        }
        // After a failed step the final page says nothing more.
        if !failed && let Some((url, _)) = self.workflow.final_page() {
            let (ok, actual) = match self.wait_url(url).await {
                Ok(()) => (true, Some(url.to_owned())),
                Err(_) => (false, self.url().await),
            };
            report.final_check = Some(FinalCheck {
                expected_url: url.to_owned(),
                ok,
                actual_url: actual,
            });
        }
        report.settle();
    }

    async fn fail(&self, report: &mut Report, number: usize, reason: String, tried: Vec<Attempt>) {
        let screenshot = self.screenshot(number).await;
        if let Some(r) = report.step_mut(number) {
            r.status = StepStatus::Failed;
            r.reason = Some(reason);
            r.tried = tried;
            r.screenshot = screenshot;
        }
    }

    async fn screenshot(&self, number: usize) -> Option<PathBuf> {
        let png = self.client.screenshot().await.ok()?;
        // A screenshot shows what the page showed: private, like the recording.
        let name = format!("step-{number:03}-failed.png");
        clawtrail_fs::write_file(&self.artifacts_dir, &name, &png).ok()
    }

    async fn url(&self) -> Option<String> {
        self.client.current_url().await.ok().map(|u| u.to_string())
    }

    /// Reaches the page a segment starts on.
    async fn enter(&mut self, seg: &Segment) -> Result<(), Failure> {
        if self.handles.len() <= seg.tab_index {
            self.handles.resize(seg.tab_index + 1, None);
        }
        match &seg.entry {
            Entry::Open { url } => {
                let handle = match self.handles[seg.tab_index].clone() {
                    Some(h) => h,
                    None if self.current.is_none() => self.client.window().await?,
                    None => self.client.new_window(true).await?.handle,
                };
                self.switch(&handle).await?;
                self.handles[seg.tab_index] = Some(handle);
                self.client
                    .goto(url)
                    .await
                    .map_err(|e| Failure(format!("could not open {url}: {e}")))?;
                Ok(())
            }
            Entry::Reload { url } => {
                // Reload, not a new load: a reload revalidates the cache
                // and keeps what the page keeps across reloads
                // (sessionStorage, the scroll position, form state).
                let handle = self.handles[seg.tab_index]
                    .clone()
                    .ok_or_else(|| Failure("reload of a tab that was never opened".into()))?;
                self.switch(&handle).await?;
                self.client.refresh().await?;
                self.wait_url(url).await
            }
            Entry::Back { url } | Entry::Forward { url } => {
                // The button the user pressed, not a new load of the URL:
                // history keeps what a fresh load would not (form state,
                // the back/forward cache, session-dependent pages).
                let handle = self.handles[seg.tab_index].clone().ok_or_else(|| {
                    Failure("back or forward in a tab that was never opened".into())
                })?;
                self.switch(&handle).await?;
                if matches!(seg.entry, Entry::Back { .. }) {
                    self.client.back().await?;
                } else {
                    self.client.forward().await?;
                }
                self.wait_url(url).await
            }
            Entry::Arrived => Ok(()),
            Entry::SwitchTab => {
                let handle = self.handles[seg.tab_index]
                    .clone()
                    .ok_or_else(|| Failure("switch to a tab that was never opened".into()))?;
                self.switch(&handle).await
            }
            Entry::NewTab { .. } => {
                let known: Vec<WindowHandle> = self.handles.iter().flatten().cloned().collect();
                let deadline = Instant::now() + self.timeouts.navigation;
                let handle = loop {
                    let all = self.client.windows().await?;
                    if let Some(h) = all.into_iter().find(|h| !known.contains(h)) {
                        break h;
                    }
                    if Instant::now() >= deadline {
                        return Err(Failure(format!(
                            "expected a new tab showing {}, but none opened",
                            seg.url
                        )));
                    }
                    tokio::time::sleep(POLL).await;
                };
                self.switch(&handle).await?;
                self.handles[seg.tab_index] = Some(handle);
                self.wait_url(&seg.url).await
            }
        }
    }

    async fn switch(&mut self, handle: &WindowHandle) -> Result<(), Failure> {
        self.client.switch_to_window(handle.clone()).await?;
        self.current = Some(handle.clone());
        Ok(())
    }

    /// Back to the top document of the current tab (Switch To Window resets
    /// the frame), then down the frame path.
    async fn enter_frames(&self, path: &[u32]) -> Result<(), Failure> {
        if let Some(h) = &self.current {
            self.client.switch_to_window(h.clone()).await?;
        }
        for (depth, &i) in path.iter().enumerate() {
            let index =
                u16::try_from(i).map_err(|_| Failure(format!("frame index {i} too large")))?;
            self.client
                .enter_frame(index)
                .await
                .map_err(|_| Failure(format!("frame {:?} is not there", &path[..=depth])))?;
        }
        Ok(())
    }

    /// Waits until the tab's URL is `url`.
    async fn wait_url(&self, url: &str) -> Result<(), Failure> {
        let deadline = Instant::now() + self.timeouts.navigation;
        loop {
            let now = self.url().await;
            if now.as_deref() == Some(url) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Failure(format!(
                    "expected to reach {url} within {:?}; the tab shows {}",
                    self.timeouts.navigation,
                    now.as_deref().unwrap_or("nothing")
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs one step. `Ok(Some(i))`: done with alternative `i`.
    async fn step(&self, step: &Step) -> (Result<Option<usize>, Failure>, Vec<Attempt>) {
        let mut tried = attempts(&step.alternatives);
        let found = if step.target.is_some() && !step.alternatives.is_empty() {
            match self.locate(step, &mut tried).await {
                Ok((i, el)) => Some((i, el)),
                Err(f) => return (Err(f), tried),
            }
        } else {
            if let Err(f) = self.enter_frames(&step.frame_path).await {
                return (Err(f), tried);
            }
            None
        };
        let el = found.as_ref().map(|(_, el)| el);
        if let Err(f) = self.act(step, el).await {
            return (Err(f), tried);
        }
        if let Some(nav) = &step.navigates_to
            && let Err(f) = self.wait_url(&nav.url).await
        {
            return (Err(f), tried);
        }
        (Ok(found.map(|(i, _)| i)), tried)
    }

    /// After a click or a key press that stayed on the page, waits for
    /// what the user saw next: the next step's element. A click can change
    /// a page in any way (open a menu, a dialog, a panel), and when it did
    /// not do what it did when recorded, the replay fails here, at the step
    /// that went astray, not at the next one. Typing, choosing and checking
    /// have their effect checked already; a navigation is waited for.
    async fn saw_next(&self, step: &Step, next: &Step) -> Result<(), Failure> {
        let changes_the_page = matches!(step.action, Action::Click { .. } | Action::Press { .. })
            && step.navigates_to.is_none()
            && step.opens_tab.is_none();
        if !changes_the_page || next.target.is_none() || next.alternatives.is_empty() {
            return Ok(());
        }
        let mut tried = attempts(&next.alternatives);
        match self.locate(next, &mut tried).await {
            Ok(_) => Ok(()),
            Err(f) => Err(Failure(format!(
                "done, but what came next when recorded did not appear: step {} ({}): {}. \
                 This step did not have the effect it had, or the page differs from the recording",
                next.number,
                crate::report::describe(next, self.workflow),
                f.0
            ))),
        }
    }

    /// Polls the alternatives until one finds its element.
    ///
    /// Every alternative is evaluated against the same poll: one run of
    /// `locate.js` answers for all of them. For a role + name (`aria`) it
    /// only gathers candidates, and the browser is asked about each of
    /// them ([`Runner::aria_match`]) before the poll's outcome is decided.
    async fn locate(
        &self,
        step: &Step,
        tried: &mut [Attempt],
    ) -> Result<(usize, Element), Failure> {
        let hosts = step
            .target
            .as_ref()
            .map(|t| t.shadow_hosts.clone())
            .unwrap_or_default();
        let alts: Vec<Value> = step
            .alternatives
            .iter()
            .map(|a| json!({"kind": kind_name(a.kind), "role": a.role, "value": a.value}))
            .collect();
        let spec = json!({"hosts": hosts, "alts": alts, "cap": ARIA_CANDIDATES_MAX});
        let deadline = Instant::now() + self.timeouts.element;
        let mut last_problem = String::new();
        loop {
            match self.enter_frames(&step.frame_path).await {
                Err(f) => last_problem = f.0,
                Ok(()) => match self.client.execute(LOCATE_JS, vec![spec.clone()]).await {
                    Err(e) => last_problem = format!("the page did not answer: {e}"),
                    Ok(Value::Array(mut results)) => {
                        last_problem.clear();
                        for (r, alt) in results.iter_mut().zip(&step.alternatives) {
                            if r["outcome"] == "candidates" {
                                let role = alt.role.as_deref().unwrap_or_default();
                                *r = self.aria_match(role, &alt.value, &r["candidates"]).await;
                            }
                        }
                        for (i, r) in results.iter().enumerate() {
                            if let Some(a) = tried.get_mut(i) {
                                a.outcome = outcome_text(r);
                            }
                        }
                        if let Some((i, el)) = results.iter().enumerate().find_map(|(i, r)| {
                            (r["outcome"] == "found")
                                .then(|| element(self.client, &r["element"]).map(|e| (i, e)))
                                .flatten()
                        }) {
                            return Ok((i, el));
                        }
                    }
                    Ok(other) => last_problem = format!("unexpected locator result {other}"),
                },
            }
            if Instant::now() >= deadline {
                let summary = if last_problem.is_empty() {
                    tried
                        .iter()
                        .map(|a| format!("{} {}: {}", kind_name(a.kind), a.selector, a.outcome))
                        .collect::<Vec<_>>()
                        .join("; ")
                } else {
                    last_problem
                };
                return Err(Failure(format!(
                    "no alternative found the element within {:?} ({summary})",
                    self.timeouts.element
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Which of `candidates` (`[{element, enabled}]` from `locate.js`) the
    /// browser gives `role` and a name matching `name`, as a `locate.js`
    /// result: exactly one is `found` (or `disabled`), more are `many`.
    ///
    /// The role and the name are the browser's: WebDriver's Get Computed
    /// Role for each candidate, and Get Computed Label only for those with
    /// the role. What chromedriver 156 answers (Chromium's accessibility
    /// tree, not the ARIA spec word for word):
    ///   - roles: `button` (also `<input type=image|submit|button|file>`),
    ///     `link` (`<a href>`; an `<a>` without href is `none`), `textbox`
    ///     (text, email, password inputs and `<textarea>`), `combobox`
    ///     (`<select>`), `listbox` (`<select multiple>` or `size` > 1),
    ///     `checkbox`, `radio`, `slider`, `spinbutton`, `searchbox`,
    ///     `heading`, `paragraph`, `cell`, `dialog`...; `image` for `<img
    ///     alt>` and `role=img` (never `img`); `none` for `role=none` and
    ///     `role=presentation` alike, for `<span>`, and for whatever is not
    ///     rendered or is aria-hidden; `generic` for a plain `<div>` or
    ///     `<section>` without a name, and also for a contenteditable
    ///     `<div>` (not `textbox`); Chromium's own names where ARIA has none
    ///     (`LabelText` for `<label>`, `DisclosureTriangle` for `<summary>`,
    ///     `ColorWell`, `Date`). The first role token the browser knows
    ///     wins (`role="bogus button"` is `button`) and case does not
    ///     matter (`role="BUTTON"` is `button`); a role given by
    ///     ElementInternals (`internals.role`) counts.
    ///   - labels: the accessible name, not always trimmed (`" Remove"`
    ///     for `<button><span aria-hidden=true>🗑</span> Remove</button>`,
    ///     hence [`workflow_format::names_match`]): an aria-hidden icon is
    ///     left out and visually hidden (clipped) text is kept;
    ///     aria-labelledby joins its targets' names with a space, taking a
    ///     target's aria-label over its text and leaving out its hidden
    ///     parts; `<input type=image>` is named by its alt before its title;
    ///     a `<select>` in a wrapping `<label>` is named by the label's text
    ///     without the options (`Country (required)`); text slotted into a
    ///     button in a shadow root names it; `<input type=submit>` without
    ///     a value is "Submit"; an unnamed element (an unnamed `<select>`:
    ///     not its selected option) answers "".
    async fn aria_match(&self, role: &str, name: &str, candidates: &Value) -> Value {
        let mut matches = Vec::new();
        for c in candidates.as_array().into_iter().flatten() {
            let Some(el) = element(self.client, &c["element"]) else {
                continue;
            };
            let computed = match self.computed(&el, Computed::Role).await {
                Ok(r) if workflow_format::roles_match(&r, role) => {
                    self.computed(&el, Computed::Label).await
                }
                Ok(_) => continue,
                Err(e) => Err(e),
            };
            match computed {
                Ok(label) if workflow_format::names_match(&label, name) => matches.push(c),
                Ok(_) => {}
                // A candidate that went away (the page re-rendered) is
                // asked about again in the next poll, with the page's new
                // elements.
                Err(e) => {
                    return json!({
                        "outcome": "error",
                        "count": 0,
                        "message": format!("the browser could not name a candidate: {}", e.0),
                    });
                }
            }
        }
        match matches.as_slice() {
            [] => json!({"outcome": "none", "count": 0}),
            [one] if one["enabled"] == false => json!({"outcome": "disabled", "count": 1}),
            [one] => json!({"outcome": "found", "count": 1, "element": one["element"]}),
            many => json!({"outcome": "many", "count": many.len()}),
        }
    }

    /// The browser's computed role or accessible name of `el`.
    async fn computed(&self, el: &Element, what: Computed) -> Result<String, Failure> {
        let v = self
            .client
            .issue_cmd(ComputedCmd {
                element: el.element_id(),
                what,
            })
            .await?;
        match v {
            Value::String(s) => Ok(s),
            Value::Null => Ok(String::new()),
            other => Err(Failure(format!("unexpected {} {other}", what.endpoint()))),
        }
    }

    async fn act(&self, step: &Step, el: Option<&Element>) -> Result<(), Failure> {
        let need = || el.ok_or_else(|| Failure("this step needs an element".into()));
        match &step.action {
            Action::Click {
                button,
                modifiers,
                count,
                offset,
                ..
            } => {
                let el = need()?;
                if *button == MouseButton::Primary
                    && *count == 1
                    && *modifiers == Modifiers::default()
                {
                    // Element Click scrolls the element into view and fails
                    // when something else would receive the click. But
                    // chromedriver hit-tests in the document only: for an
                    // element inside a shadow root the document's hit is its
                    // host, and the click is "intercepted" by the very
                    // component it is in. Then the click goes to the
                    // recorded spot with pointer actions, after a hit test
                    // that looks into shadow roots (`wait_hit`): a real
                    // overlay still makes the step fail.
                    match el.click().await {
                        Ok(()) => {}
                        Err(e) if not_clickable_itself(&e) && in_shadow_tree(step) => {
                            self.pointer_click(el, *button, *modifiers, 1, *offset)
                                .await?;
                        }
                        Err(e) => return Err(e.into()),
                    }
                } else {
                    // A double click selects the word under the pointer and
                    // a right click opens the menu where it is: both happen
                    // where the user clicked, not at the centre.
                    self.pointer_click(el, *button, *modifiers, *count, *offset)
                        .await?;
                }
            }
            Action::Focus => {
                self.client
                    .execute(
                        "arguments[0].focus();",
                        vec![serde_json::to_value(need()?)?],
                    )
                    .await?;
            }
            Action::Type {
                param,
                content_editable,
            } => {
                let el = need()?;
                let value = self
                    .values
                    .get(*param)
                    .ok_or_else(|| Failure(format!("no value for parameter #{param}")))?;
                if *content_editable {
                    // An editor (a rich-text or code editor) keeps its own
                    // model of the text: Element Clear sets innerHTML behind
                    // its back and Element Send Keys puts the caret at the
                    // end. Type over a select-all as the user would.
                    self.client
                        .execute("arguments[0].focus();", vec![serde_json::to_value(el)?])
                        .await?;
                    self.keys(&[Key::Control.into()], &['a', Key::Backspace.into()])
                        .await?;
                    self.type_text(value).await?;
                } else {
                    el.clear().await?;
                    el.send_keys(value).await?;
                }
                // Typed is not done: the field must hold the value now
                // (an editor that swallowed the keys fails here, not at
                // some later step). Values are never put in the report.
                let shown = self.field_text(el, *content_editable).await?;
                if !same_text(&shown, value) {
                    return Err(Failure(format!(
                        "typed the value of parameter #{param}, but the field holds something else"
                    )));
                }
            }
            Action::Select { values, param, .. } => {
                let el = need()?;
                let chosen: Vec<String> = match param {
                    Some(p) => vec![self.values.get(*p).cloned().unwrap_or_default()],
                    None => values.clone(),
                };
                // By the option's value *property*: an option without a
                // value attribute has its text as its value, and
                // `option[value=...]` would not find it. Clicking the
                // option is how WebDriver selects, as trusted input.
                for v in &chosen {
                    let option = self
                        .client
                        .execute(
                            "return Array.from(arguments[0].options).find((o) => o.value === arguments[1]) || null;",
                            vec![serde_json::to_value(el)?, json!(v)],
                        )
                        .await?;
                    element(self.client, &option)
                        .ok_or_else(|| Failure(format!("no option with value {v:?}")))?
                        .click()
                        .await?;
                }
                let selected = self
                    .client
                    .execute(
                        "return Array.from(arguments[0].selectedOptions, (o) => o.value);",
                        vec![serde_json::to_value(el)?],
                    )
                    .await?;
                let selected: Vec<String> = serde_json::from_value(selected)?;
                if !chosen.iter().all(|v| selected.contains(v)) {
                    return Err(Failure(
                        "chose the recorded options, but the select shows others".into(),
                    ));
                }
            }
            Action::Check { checked, via_label } => {
                let el = need()?;
                if el.is_selected().await? != *checked {
                    self.click_toggle(el, *via_label).await?;
                }
                if el.is_selected().await? != *checked {
                    return Err(Failure(format!(
                        "clicked, but the checkbox is still {}",
                        if *checked { "unchecked" } else { "checked" }
                    )));
                }
            }
            Action::Radio { via_label, .. } => {
                let el = need()?;
                if !el.is_selected().await? {
                    self.click_toggle(el, *via_label).await?;
                }
                if !el.is_selected().await? {
                    return Err(Failure(
                        "clicked, but the radio button is not selected".into(),
                    ));
                }
            }
            Action::Press { key, modifiers, .. } => {
                if let Some(el) = el {
                    // A key goes to whatever has focus.
                    self.client
                        .execute(
                            "if (document.activeElement !== arguments[0]) arguments[0].focus();",
                            vec![serde_json::to_value(el)?],
                        )
                        .await?;
                }
                let k = key_char(key)
                    .ok_or_else(|| Failure(format!("cannot replay the key {key:?}")))?;
                self.keys(&modifier_chars(*modifiers), &[k]).await?;
            }
            Action::Scroll { x, y } => {
                // Scrolling needs no trusted input: pages react to the
                // position, not to the wheel.
                match el {
                    Some(el) => {
                        self.client
                            .execute(
                                "arguments[0].scrollTo(arguments[1], arguments[2]);",
                                vec![serde_json::to_value(el)?, json!(x), json!(y)],
                            )
                            .await?
                    }
                    None => {
                        self.client
                            .execute(
                                "window.scrollTo(arguments[0], arguments[1]);",
                                vec![json!(x), json!(y)],
                            )
                            .await?
                    }
                };
            }
            Action::Submit => {
                // A script submitted the form when recorded: there is no
                // user gesture to reproduce, so submit it the same way.
                self.client
                    .execute(
                        "const f = arguments[0].form || arguments[0].closest('form') || arguments[0]; f.requestSubmit ? f.requestSubmit() : f.submit();",
                        vec![serde_json::to_value(need()?)?],
                    )
                    .await?;
            }
        }
        Ok(())
    }

    /// Clicks a checkbox or radio button. One that a web component draws
    /// itself (Shoelace's `<sl-checkbox>`: the real input is transparent
    /// and lets the pointer through, so Element Click says another element
    /// would get the click) is clicked through its `<label>`, which is
    /// what the user clicked and what toggles it. With pointer actions at
    /// the label's centre, not Element Click: the label's own text is
    /// slotted in from the host, and chromedriver counts a click that
    /// lands on it as the host's, not the label's. When the recording says
    /// the user clicked the label (`via_label`), the label is clicked
    /// straight away.
    async fn click_toggle(&self, el: &Element, via_label: bool) -> Result<(), Failure> {
        let err = if via_label {
            Failure("the recorded label of this control is gone".into())
        } else {
            match el.click().await {
                Ok(()) => return Ok(()),
                Err(e) if not_clickable_itself(&e) => e.into(),
                Err(e) => return Err(e.into()),
            }
        };
        let label = self
            .client
            .execute(
                "const l = arguments[0].labels; return l && l.length ? l[0] : null;",
                vec![serde_json::to_value(el)?],
            )
            .await?;
        let Some(label) = element(self.client, &label) else {
            return Err(err);
        };
        let (_, _, width, height) = label.rectangle().await?;
        let centre = workflow_format::Point {
            x: width / 2.0,
            y: height / 2.0,
        };
        self.pointer_click(
            &label,
            MouseButton::Primary,
            Modifiers::default(),
            1,
            centre,
        )
        .await
    }

    /// Presses `keys` one after another while holding `held`, as one
    /// WebDriver key action sequence (trusted input), then lets go.
    async fn keys(&self, held: &[char], keys: &[char]) -> Result<(), Failure> {
        let mut seq = KeyActions::new("keyboard".into());
        for m in held {
            seq = seq.then(KeyAction::Down { value: *m });
        }
        for k in keys {
            seq = seq
                .then(KeyAction::Down { value: *k })
                .then(KeyAction::Up { value: *k });
        }
        for m in held.iter().rev() {
            seq = seq.then(KeyAction::Up { value: *m });
        }
        let pressed = self.client.perform_actions(seq).await;
        let released = self.client.release_actions().await;
        pressed?;
        released?;
        Ok(())
    }

    /// Types `text` at the caret, key by key (a newline is Enter).
    async fn type_text(&self, text: &str) -> Result<(), Failure> {
        let keys: Vec<char> = text
            .chars()
            .map(|c| if c == '\n' { Key::Enter.into() } else { c })
            .collect();
        self.keys(&[], &keys).await
    }

    /// What a field shows: its value, or a content-editable region's text.
    async fn field_text(&self, el: &Element, content_editable: bool) -> Result<String, Failure> {
        let script = if content_editable {
            "return arguments[0].innerText;"
        } else {
            "return arguments[0].value;"
        };
        let v = self
            .client
            .execute(script, vec![serde_json::to_value(el)?])
            .await?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// Waits until the point a pointer action will press belongs to `el`:
    /// the deepest element there (through open shadow roots) is `el`, inside
    /// it, or one of its hosts. Pointer actions, unlike Element Click, do
    /// not check this, and a menu or listbox that is still fading out over
    /// the element (Shoelace's `<sl-select>` over the checkbox below it)
    /// would take the click instead. A person waits for it to go too.
    async fn wait_hit(
        &self,
        el: &Element,
        offset: workflow_format::Point,
        width: f64,
        height: f64,
    ) -> Result<(), Failure> {
        // WebDriver offsets are from the element's centre; the recorded one
        // is from its top-left corner. Kept inside the element as it is now.
        let (dx, dy) = offset_from_centre(offset, width, height);
        const HIT: &str = r#"
            const [el, dx, dy] = arguments;
            const r = el.getBoundingClientRect();
            const x = r.left + r.width / 2 + dx, y = r.top + r.height / 2 + dy;
            let hit = document.elementFromPoint(x, y);
            while (hit && hit.shadowRoot) {
                const inner = hit.shadowRoot.elementFromPoint(x, y);
                if (!inner || inner === hit) break;
                hit = inner;
            }
            const within = (inner, outer) => {
                for (let n = inner; n; n = n.parentNode || n.host) if (n === outer) return true;
                return false;
            };
            return !!hit && (within(hit, el) || within(el, hit));
        "#;
        let deadline = Instant::now() + self.timeouts.element;
        loop {
            let hit = self
                .client
                .execute(HIT, vec![serde_json::to_value(el)?, json!(dx), json!(dy)])
                .await?;
            if hit.as_bool() == Some(true) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Failure(format!(
                    "another element covers the point to click for {:?}",
                    self.timeouts.element
                )));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn pointer_click(
        &self,
        el: &Element,
        button: MouseButton,
        modifiers: Modifiers,
        count: u8,
        offset: workflow_format::Point,
    ) -> Result<(), Failure> {
        let b = match button {
            MouseButton::Primary => MOUSE_BUTTON_LEFT,
            MouseButton::Auxiliary => MOUSE_BUTTON_MIDDLE,
            MouseButton::Secondary => MOUSE_BUTTON_RIGHT,
            MouseButton::Back => 3,
            MouseButton::Forward => 4,
        };
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                vec![serde_json::to_value(el)?],
            )
            .await?;
        let (_, _, width, height) = el.rectangle().await?;
        let (x, y) = offset_from_centre(offset, width, height);
        self.wait_hit(el, offset, width, height).await?;
        let mods = modifier_chars(modifiers);
        if !mods.is_empty() {
            let mut down = KeyActions::new("keyboard".into());
            for m in &mods {
                down = down.then(KeyAction::Down { value: *m });
            }
            self.client.perform_actions(down).await?;
        }
        let mut mouse = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element: el.clone(),
            duration: None,
            x,
            y,
        });
        for _ in 0..count.max(1) {
            mouse = mouse
                .then(PointerAction::Down { button: b })
                .then(PointerAction::Up { button: b });
        }
        let clicked = self.client.perform_actions(mouse).await;
        // Always let go of the modifiers, even when the click failed.
        let released = self.client.release_actions().await;
        clicked?;
        released?;
        Ok(())
    }
}

/// Whether the step's element lives in a shadow root.
fn in_shadow_tree(step: &Step) -> bool {
    step.target
        .as_ref()
        .is_some_and(|t| !t.shadow_hosts.is_empty())
}

/// Element Click refused because the element itself cannot take the
/// pointer there (covered, transparent to it, or without a box).
fn not_clickable_itself(e: &fantoccini::error::CmdError) -> bool {
    use fantoccini::error::{CmdError, ErrorStatus};
    matches!(e, CmdError::Standard(w) if matches!(
        w.error,
        ErrorStatus::ElementClickIntercepted | ErrorStatus::ElementNotInteractable
    ))
}

/// What to ask the browser about an element.
#[derive(Debug, Clone, Copy)]
enum Computed {
    Role,
    Label,
}

impl Computed {
    fn endpoint(self) -> &'static str {
        match self {
            Computed::Role => "computedrole",
            Computed::Label => "computedlabel",
        }
    }
}

/// WebDriver's Get Computed Role and Get Computed Label
/// (`GET /session/{id}/element/{element id}/computedrole|computedlabel`),
/// which fantoccini has no helper for.
#[derive(Debug)]
struct ComputedCmd {
    element: ElementRef,
    what: Computed,
}

impl WebDriverCompatibleCommand for ComputedCmd {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        // Only a new session has no id, and this is never one.
        let session = session_id.ok_or(url::ParseError::RelativeUrlWithoutBase)?;
        let mut u = base_url.clone();
        u.path_segments_mut()
            .map_err(|()| url::ParseError::RelativeUrlWithCannotBeABaseBase)?
            .pop_if_empty()
            .extend([
                "session",
                session,
                "element",
                &self.element,
                self.what.endpoint(),
            ]);
        Ok(u)
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}

fn attempts(alts: &[Alternative]) -> Vec<Attempt> {
    alts.iter()
        .map(|a| Attempt {
            kind: a.kind,
            selector: match (a.kind, &a.role) {
                (AlternativeKind::Aria, Some(role)) => format!("{role} {:?}", a.value),
                (AlternativeKind::Text, _) => format!("{:?}", a.value),
                _ => a.value.clone(),
            },
            outcome: "not tried".into(),
        })
        .collect()
}

fn outcome_text(r: &Value) -> String {
    let count = r["count"].as_u64().unwrap_or(0);
    match r["outcome"].as_str().unwrap_or("error") {
        "found" => "found".into(),
        "none" => "no match".into(),
        "many" => format!("{count} visible matches"),
        "hidden" => "not visible".into(),
        "disabled" => "disabled".into(),
        "no_host" => "shadow host not found".into(),
        "too_many" => format!(
            "{count} candidates for the role and name, more than the {ARIA_CANDIDATES_MAX} the browser is asked about"
        ),
        _ => format!(
            "error: {}",
            r["message"]
                .as_str()
                .unwrap_or("unknown")
                .chars()
                .take(120)
                .collect::<String>()
        ),
    }
}

fn element(client: &Client, v: &Value) -> Option<Element> {
    let id = v.get(ELEMENT_KEY)?.as_str()?;
    Some(Element::from_element_id(
        client.clone(),
        ElementRef::from(id.to_owned()),
    ))
}

/// The recorded click offset (from the top-left corner) as an offset from
/// the centre of an element of `width` x `height`, clamped to stay inside
/// it (less a pixel, so a rounding error does not land on its border).
fn offset_from_centre(offset: workflow_format::Point, width: f64, height: f64) -> (f64, f64) {
    let inside = |v: f64, size: f64| {
        let half = (size / 2.0 - 1.0).max(0.0);
        (v - size / 2.0).clamp(-half, half).trunc()
    };
    (inside(offset.x, width), inside(offset.y, height))
}

/// Whether a field shows `typed`: the same text up to whitespace (an
/// editor adds a trailing newline, `innerText` turns nbsp into spaces) and
/// zero-width characters (rich-text editors keep a caret placeholder in
/// the text: TinyMCE a U+FEFF, others U+200B or U+2060), or the same
/// digits when the field formats them ("5551234" shown as "(555) 1234").
fn same_text(shown: &str, typed: &str) -> bool {
    let zero_width = |c: &char| matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}');
    let squash = |s: &str| {
        s.split_whitespace()
            .flat_map(str::chars)
            .filter(|c| !zero_width(c))
            .collect::<String>()
    };
    if squash(shown) == squash(typed) {
        return true;
    }
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let d = digits(typed);
    !d.is_empty() && d == digits(shown) && !typed.chars().any(char::is_alphabetic)
}

/// The WebDriver keys of the held modifiers, in the order they go down.
fn modifier_chars(m: Modifiers) -> Vec<char> {
    m.held()
        .map(|k| match k {
            Modifier::Ctrl => Key::Control,
            Modifier::Alt => Key::Alt,
            Modifier::Meta => Key::Meta,
            Modifier::Shift => Key::Shift,
        })
        .map(char::from)
        .collect()
}

/// The WebDriver key for a `KeyboardEvent.key` value.
pub fn key_char(key: &str) -> Option<char> {
    let named = match key {
        "Enter" => Key::Enter,
        "Escape" => Key::Escape,
        "Tab" => Key::Tab,
        "Backspace" => Key::Backspace,
        "Delete" => Key::Delete,
        "ArrowLeft" => Key::Left,
        "ArrowRight" => Key::Right,
        "ArrowUp" => Key::Up,
        "ArrowDown" => Key::Down,
        "Home" => Key::Home,
        "End" => Key::End,
        "PageUp" => Key::PageUp,
        "PageDown" => Key::PageDown,
        "Insert" => Key::Insert,
        " " | "Spacebar" => return Some(' '),
        "F1" => Key::F1,
        "F2" => Key::F2,
        "F3" => Key::F3,
        "F4" => Key::F4,
        "F5" => Key::F5,
        "F6" => Key::F6,
        "F7" => Key::F7,
        "F8" => Key::F8,
        "F9" => Key::F9,
        "F10" => Key::F10,
        "F11" => Key::F11,
        "F12" => Key::F12,
        other => {
            let mut chars = other.chars();
            return match (chars.next(), chars.next()) {
                // A printable character, but never one of WebDriver's own
                // key codes smuggled in as a "character".
                (Some(c), None) if !('\u{E000}'..='\u{F8FF}').contains(&c) && !c.is_control() => {
                    Some(c)
                }
                _ => None,
            };
        }
    };
    Some(named.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_webdriver_codes() {
        assert_eq!(key_char("Enter"), Some('\u{E007}'));
        assert_eq!(key_char("Escape"), Some('\u{E00C}'));
        assert_eq!(key_char("ArrowDown"), Some('\u{E015}'));
        assert_eq!(key_char("k"), Some('k'));
        assert_eq!(key_char(" "), Some(' '));
        assert_eq!(key_char("\u{E007}"), None);
        assert_eq!(key_char("Unidentified"), None);
        assert_eq!(key_char("\n"), None);
    }

    #[test]
    fn computed_role_and_label_are_asked_of_the_element_in_the_session() {
        let cmd = |what| ComputedCmd {
            element: ElementRef::from("f.1.d.2.e.3".to_owned()),
            what,
        };
        for base in ["http://127.0.0.1:9515", "http://127.0.0.1:9515/"] {
            let base = url::Url::parse(base).unwrap();
            let u = cmd(Computed::Role).endpoint(&base, Some("abc")).unwrap();
            assert_eq!(
                u.as_str(),
                "http://127.0.0.1:9515/session/abc/element/f.1.d.2.e.3/computedrole"
            );
            let u = cmd(Computed::Label).endpoint(&base, Some("abc")).unwrap();
            assert_eq!(
                u.as_str(),
                "http://127.0.0.1:9515/session/abc/element/f.1.d.2.e.3/computedlabel"
            );
            assert_eq!(
                cmd(Computed::Role).method_and_body(&u),
                (http::Method::GET, None)
            );
        }
        // Under a path prefix, and with an id that is not a plain segment.
        let base = url::Url::parse("http://127.0.0.1:4444/wd/hub/").unwrap();
        let odd = ComputedCmd {
            element: ElementRef::from("a/b?c".to_owned()),
            what: Computed::Role,
        };
        assert_eq!(
            odd.endpoint(&base, Some("s")).unwrap().as_str(),
            "http://127.0.0.1:4444/wd/hub/session/s/element/a%2Fb%3Fc/computedrole"
        );
        assert!(cmd(Computed::Role).endpoint(&base, None).is_err());
    }

    #[test]
    fn modifiers_in_a_stable_order() {
        let m = Modifiers {
            alt: true,
            ctrl: true,
            meta: false,
            shift: true,
        };
        assert_eq!(
            modifier_chars(m),
            vec![
                char::from(Key::Control),
                char::from(Key::Alt),
                char::from(Key::Shift)
            ]
        );
    }

    #[test]
    fn the_recorded_offset_is_taken_from_the_centre_and_kept_inside() {
        let p = |x, y| workflow_format::Point { x, y };
        // A word near the left of a 200 x 20 paragraph.
        assert_eq!(offset_from_centre(p(30.0, 10.0), 200.0, 20.0), (-70.0, 0.0));
        // The element shrank since: still inside it.
        assert_eq!(offset_from_centre(p(180.0, 10.0), 100.0, 20.0), (49.0, 0.0));
        assert_eq!(offset_from_centre(p(-5.0, 50.0), 10.0, 10.0), (-4.0, 4.0));
    }

    #[test]
    fn a_field_holds_the_typed_text_up_to_whitespace_or_formatting() {
        assert!(same_text("print(6*7)\n", "print(6*7)"));
        assert!(same_text("a\u{a0}b", "a b"));
        // TinyMCE's caret placeholder after the last character typed.
        assert!(same_text(
            "Ship the package today\u{feff}",
            "Ship the package today"
        ));
        assert!(same_text("a\u{200b}b", "ab"));
        assert!(!same_text("\u{feff}", "x"));
        assert!(same_text("(555) 123-4567", "5551234567"));
        assert!(!same_text("", "hello"));
        assert!(!same_text("hello", "help"));
        // Digits alone do not match text that has letters.
        assert!(!same_text("12", "a12"));
    }
}
