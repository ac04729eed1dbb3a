//! What a replay did, step by step: a table for people, JSON for programs.

use std::fmt::Write as _;
use std::path::PathBuf;

use clawtrail_steps::{Action, AlternativeKind, Step, Workflow};
use serde::Serialize;

/// The outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Done with the step's first alternative.
    Ok,
    /// Done, but only a later alternative found the element: the page has
    /// changed and the recording should be refreshed.
    OkWithFallback,
    Failed,
    /// Not attempted because an earlier step failed or was left out.
    Skipped,
    /// Not done because the user did not allow it (a clipboard shortcut);
    /// the replay stops here.
    LeftOut,
}

impl StepStatus {
    pub fn label(self) -> &'static str {
        match self {
            StepStatus::Ok => "ok",
            StepStatus::OkWithFallback => "ok (fallback)",
            StepStatus::Failed => "FAILED",
            StepStatus::Skipped => "skipped",
            StepStatus::LeftOut => "LEFT OUT",
        }
    }
}

/// One alternative tried while looking for a step's element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    pub kind: AlternativeKind,
    /// The selector in a readable form, e.g. `button "Send"` or `#send`.
    pub selector: String,
    /// `found`, `no match`, `2 matches`, `hidden`, `disabled`, ...
    pub outcome: String,
}

/// The report line of one step.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub number: usize,
    /// What the step does, e.g. `click button "Send"`.
    pub action: String,
    pub status: StepStatus,
    /// The alternative that found the element (`None` for steps without a
    /// target or that failed).
    pub used: Option<Attempt>,
    /// Every alternative with its last outcome, in the order tried.
    pub tried: Vec<Attempt>,
    /// Why the step failed.
    pub reason: Option<String>,
    /// A PNG of the page when the step failed.
    pub screenshot: Option<PathBuf>,
}

/// Whether the run ended where the recording did.
#[derive(Debug, Clone, Serialize)]
pub struct FinalCheck {
    pub expected_url: String,
    pub actual_url: Option<String>,
    pub ok: bool,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub recording_id: String,
    pub title: String,
    /// True only when every step passed and the final page was reached.
    pub passed: bool,
    pub steps: Vec<StepReport>,
    pub final_check: Option<FinalCheck>,
}

impl Report {
    /// A fresh report with every step `skipped`; the runner fills it in.
    pub fn planned(recording_id: String, workflow: &Workflow) -> Report {
        Report {
            recording_id,
            title: workflow.title.clone(),
            passed: false,
            steps: workflow
                .steps()
                .map(|s| StepReport {
                    number: s.number,
                    action: describe(s, workflow),
                    status: StepStatus::Skipped,
                    used: None,
                    tried: Vec::new(),
                    reason: None,
                    screenshot: None,
                })
                .collect(),
            final_check: None,
        }
    }

    /// Sets `passed` from the steps and the final check.
    pub fn settle(&mut self) {
        self.passed = self
            .steps
            .iter()
            .all(|s| matches!(s.status, StepStatus::Ok | StepStatus::OkWithFallback))
            && self.final_check.as_ref().is_none_or(|f| f.ok);
    }

    pub fn step_mut(&mut self, number: usize) -> Option<&mut StepReport> {
        self.steps.iter_mut().find(|s| s.number == number)
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a report always serializes");
        s.push('\n');
        s
    }

    /// A fixed-width table; page-provided text is flattened to one line so
    /// that a hostile label cannot forge extra rows.
    pub fn render_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:>4}  {:<13}  {:<40}  {:<24}  DETAIL",
            "STEP", "STATUS", "ACTION", "FOUND BY"
        );
        for s in &self.steps {
            let found = s
                .used
                .as_ref()
                .map(|a| format!("{} {}", kind_name(a.kind), a.selector))
                .unwrap_or_else(|| "-".to_owned());
            let mut detail = s.reason.clone().unwrap_or_default();
            if let Some(p) = &s.screenshot {
                let _ = write!(detail, " (screenshot: {})", p.display());
            }
            let _ = writeln!(
                out,
                "{:>4}  {:<13}  {:<40}  {:<24}  {}",
                s.number,
                s.status.label(),
                clip(&s.action, 40),
                clip(&found, 24),
                one_line(&detail)
            );
        }
        if let Some(f) = &self.final_check {
            let _ = writeln!(
                out,
                "final page: {} (expected {}, now {})",
                if f.ok { "ok" } else { "NOT REACHED" },
                one_line(&f.expected_url),
                one_line(f.actual_url.as_deref().unwrap_or("unknown"))
            );
        }
        let fallback = self
            .steps
            .iter()
            .filter(|s| s.status == StepStatus::OkWithFallback)
            .count();
        let _ = writeln!(
            out,
            "{}: {} step(s), {} with a fallback selector",
            if self.passed { "PASSED" } else { "FAILED" },
            self.steps.len(),
            fallback
        );
        out
    }
}

pub fn kind_name(k: AlternativeKind) -> &'static str {
    match k {
        AlternativeKind::Aria => "aria",
        AlternativeKind::Text => "text",
        AlternativeKind::Css => "css",
        AlternativeKind::Xpath => "xpath",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, max: usize) -> String {
    let s = one_line(s);
    if s.chars().count() <= max {
        return s;
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// A short description of a step. Typed values are never shown, only the
/// parameter name: the report may be shared, and a value may be a secret.
pub fn describe(step: &Step, workflow: &Workflow) -> String {
    let what = step
        .target
        .as_ref()
        .map(|t| t.describe())
        .unwrap_or_else(|| "the page".to_owned());
    match &step.action {
        Action::Click { count: 2, .. } => format!("double-click {what}"),
        Action::Click {
            via_key: Some(k), ..
        } => format!("activate {what} ({k})"),
        Action::Click { .. } => format!("click {what}"),
        Action::Focus => format!("focus {what}"),
        Action::Type { param, .. } => {
            let name = workflow
                .params
                .get(*param)
                .map(|p| p.name.as_str())
                .unwrap_or("?");
            format!("type {{{{{name}}}}} into {what}")
        }
        Action::Select { param: Some(_), .. } => format!("select (parameter) in {what}"),
        Action::Select { labels, .. } => format!("select {:?} in {what}", labels.join(", ")),
        Action::Check { checked, .. } => {
            format!("{} {what}", if *checked { "check" } else { "uncheck" })
        }
        Action::Radio { .. } => format!("choose {what}"),
        Action::Press { key, modifiers, .. } => format!("press {}", modifiers.key_combo(key)),
        Action::Scroll { x, y } => format!("scroll {what} to {x},{y}"),
        Action::Submit => format!("submit {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(statuses: &[StepStatus], final_ok: Option<bool>) -> Report {
        Report {
            recording_id: "id".into(),
            title: "t".into(),
            passed: false,
            steps: statuses
                .iter()
                .enumerate()
                .map(|(i, st)| StepReport {
                    number: i + 1,
                    action: "click\nbutton".into(),
                    status: *st,
                    used: None,
                    tried: vec![],
                    reason: Some("line one\nFORGED ROW".into()),
                    screenshot: None,
                })
                .collect(),
            final_check: final_ok.map(|ok| FinalCheck {
                expected_url: "http://x/".into(),
                actual_url: None,
                ok,
            }),
        }
    }

    #[test]
    fn passes_only_when_every_step_and_the_final_page_pass() {
        use StepStatus::*;
        let mut r = report(&[Ok, OkWithFallback], Some(true));
        r.settle();
        assert!(r.passed);
        let mut r = report(&[Ok, OkWithFallback], Some(false));
        r.settle();
        assert!(!r.passed);
        let mut r = report(&[Ok, Failed, Skipped], Some(true));
        r.settle();
        assert!(!r.passed);
        let mut r = report(&[Skipped], None);
        r.settle();
        assert!(!r.passed);
    }

    #[test]
    fn table_rows_stay_on_one_line() {
        let mut r = report(&[StepStatus::Failed], None);
        r.settle();
        let table = r.render_table();
        // Header, one row, summary.
        assert_eq!(table.lines().count(), 3, "{table}");
        assert!(table.contains("line one FORGED ROW"));
        assert!(table.lines().last().unwrap().starts_with("FAILED"));
    }

    #[test]
    fn json_names_statuses_in_snake_case() {
        let mut r = report(&[StepStatus::OkWithFallback], Some(true));
        r.settle();
        let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(v["steps"][0]["status"], "ok_with_fallback");
        assert_eq!(v["passed"], true);
    }
}
