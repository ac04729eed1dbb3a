//! One recording as the viewer shows it: steps grouped by page.
//!
//! A navigation in a tab's top frame starts a new page group, and so does a
//! switch to another tab: "what happened on which page" is how people read
//! a workflow. The model holds only indices into the recording, so building
//! it for 10,000 events costs one pass and no copies; the page renders the
//! rows lazily, [`CHUNK`] at a time.

pub use workflow_format::PageGroup;
use workflow_format::{EventKind, Recording};

/// Rows added to the page per step of lazy rendering.
pub const CHUNK: usize = 100;

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
        EventKind::Input(_) => "⌨",
        EventKind::ContentEdit(_) => "✎",
        EventKind::Select(_) => "▾",
        EventKind::Checkbox(_) => "☑",
        EventKind::Radio(_) => "◉",
        EventKind::Submit(_) => "⏎",
        EventKind::Key(_) => "⌘",
        EventKind::Scroll(_) => "↕",
        EventKind::Navigate(_) => "➜",
        EventKind::TabOpened(_) => "+",
        EventKind::TabActivated => "⇆",
        EventKind::TabClosed => "✕",
    }
}

/// Splits the events into page groups (shared with `clawtrail show`).
pub fn groups(rec: &Recording) -> Vec<PageGroup> {
    workflow_format::page_groups(rec)
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
        offset: workflow_format::format_offset((ev.at - rec.started_at).num_milliseconds()),
        redacted: ev.kind.is_redacted(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Recording {
        let path = format!(
            "{}/../format/examples/{name}.json",
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
            let nav = matches!(first.kind, EventKind::Navigate(_)) && first.frame_path.is_empty();
            assert!(nav || first.tab_id != pair[0].tab_id, "{first:?}");
            if nav {
                assert_eq!(pair[1].url, first.url);
            }
        }
        let navs = rec
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Navigate(_)) && e.frame_path.is_empty())
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
