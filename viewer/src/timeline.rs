//! One recording as the viewer shows it: steps grouped by page.
//!
//! A navigation in a tab's top frame starts a new page group, and so does a
//! switch to another tab: "what happened on which page" is how people read
//! a workflow. The model holds only indices into the recording, so building
//! it for 10,000 events costs one pass and no copies; the page renders the
//! rows lazily, [`CHUNK`] at a time.

use std::collections::HashMap;
use std::ops::Range;

use workflow_format::{EventKind, FieldValue, Recording, TabId};

use crate::fmt;

/// Rows added to the page per step of lazy rendering.
pub const CHUNK: usize = 100;

/// A run of consecutive events on one page of one tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageGroup {
    pub tab_id: TabId,
    pub url: String,
    pub title: String,
    /// Indices into `Recording::events`.
    pub events: Range<usize>,
}

/// The text and flags of one step row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepView {
    pub seq: u64,
    /// The format's `type` tag, e.g. `double_click` (a CSS hook).
    pub kind: &'static str,
    pub icon: &'static str,
    /// `Click button 'Sign in'`, from `workflow_format`'s describe.
    pub what: String,
    pub url: String,
    pub tab: String,
    pub offset: String,
    /// A field value that was deliberately never captured.
    pub redacted: bool,
}

/// A symbol per kind, so the eye finds clicks, typing and navigations.
/// Plain Unicode symbols rather than emoji: they render with any text font.
pub fn icon(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Click(_) => "●",
        EventKind::DoubleClick(_) => "●●",
        EventKind::ContextClick(_) => "☰",
        EventKind::Input { .. } => "⌨",
        EventKind::ContentEdit { .. } => "✎",
        EventKind::Select { .. } => "▾",
        EventKind::Checkbox { .. } => "☑",
        EventKind::Radio { .. } => "◉",
        EventKind::Submit { .. } => "⏎",
        EventKind::Key { .. } => "⌘",
        EventKind::Scroll { .. } => "↕",
        EventKind::Navigate { .. } => "➜",
        EventKind::TabOpened { .. } => "+",
        EventKind::TabActivated => "⇆",
        EventKind::TabClosed => "✕",
    }
}

/// Whether the event carries a value that was redacted at capture.
pub fn is_redacted(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Input {
            value: FieldValue::Redacted { .. },
            ..
        } | EventKind::ContentEdit {
            text: FieldValue::Redacted { .. },
            ..
        }
    )
}

/// Splits the events into page groups (see the module docs).
pub fn groups(rec: &Recording) -> Vec<PageGroup> {
    // The page each tab showed last: where a tab switch lands.
    let mut page_of: HashMap<TabId, (String, String)> = rec
        .tabs
        .iter()
        .map(|t| (t.tab_id, (t.initial_url.clone(), t.title.clone())))
        .collect();
    let mut out: Vec<PageGroup> = Vec::new();
    for (i, ev) in rec.events.iter().enumerate() {
        let top_nav = match &ev.kind {
            EventKind::Navigate { title, .. } if ev.frame_path.is_empty() => {
                page_of.insert(ev.tab_id, (ev.url.clone(), title.clone()));
                true
            }
            _ => false,
        };
        let same_tab = out.last().is_some_and(|g| g.tab_id == ev.tab_id);
        if top_nav || !same_tab {
            let (url, title) = page_of
                .get(&ev.tab_id)
                .cloned()
                .unwrap_or_else(|| (ev.url.clone(), String::new()));
            out.push(PageGroup {
                tab_id: ev.tab_id,
                url,
                title,
                events: i..i + 1,
            });
        } else if let Some(g) = out.last_mut() {
            g.events.end = i + 1;
        }
    }
    out
}

/// The row for event `i`.
pub fn step(rec: &Recording, i: usize) -> StepView {
    let ev = &rec.events[i];
    StepView {
        seq: ev.seq,
        kind: ev.kind.type_name(),
        icon: icon(&ev.kind),
        what: ev.kind.describe(),
        url: ev.url.clone(),
        tab: format!("tab {}", ev.tab_id),
        offset: fmt::offset((ev.at - rec.started_at).num_milliseconds()),
        redacted: is_redacted(&ev.kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Recording {
        let path = format!(
            "{}/../workflow-format/examples/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        workflow_format::from_json_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn navigations_and_tab_switches_start_page_groups() {
        let rec = example("multi-page-form");
        let gs = groups(&rec);
        // Every event is in exactly one group, in order.
        let mut next = 0;
        for g in &gs {
            assert_eq!(g.events.start, next);
            assert!(g.events.end > g.events.start);
            next = g.events.end;
        }
        assert_eq!(next, rec.events.len());
        // Each group after the first starts with a top-frame navigation or
        // a change of tab, and carries that page's URL.
        for pair in gs.windows(2) {
            let first = &rec.events[pair[1].events.start];
            let nav =
                matches!(first.kind, EventKind::Navigate { .. }) && first.frame_path.is_empty();
            assert!(nav || first.tab_id != pair[0].tab_id, "{first:?}");
            if nav {
                assert_eq!(pair[1].url, first.url);
            }
        }
        let navs = rec
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Navigate { .. }) && e.frame_path.is_empty())
            .count();
        assert!(
            gs.len() >= navs && navs >= 2,
            "{} groups, {navs} navigations",
            gs.len()
        );
    }

    #[test]
    fn redacted_values_are_flagged_and_never_shown() {
        let rec = example("redacted-fields");
        let steps: Vec<StepView> = (0..rec.events.len()).map(|i| step(&rec, i)).collect();
        let redacted: Vec<&StepView> = steps.iter().filter(|s| s.redacted).collect();
        assert!(!redacted.is_empty());
        for s in &redacted {
            assert!(s.what.contains("[redacted: "), "{}", s.what);
        }
        for s in &steps {
            assert!(!s.icon.is_empty());
            assert!(s.offset.starts_with('+'));
            assert!(s.tab.starts_with("tab "));
        }
    }
}
