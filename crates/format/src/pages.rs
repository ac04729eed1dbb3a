//! How people read a workflow: "what happened on which page". Shared by
//! `clawtrail show` and the viewer so both group and label events alike.

use std::collections::HashMap;
use std::ops::Range;

use crate::model::{
    ContentEditEvent, EventKind, FieldValue, InputEvent, NavigateEvent, Recording, TabId,
};

/// A run of consecutive events on one page of one tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageGroup {
    pub tab_id: TabId,
    /// The page's URL and title when the group starts (the tab's initial
    /// page, or the target of the navigation that started the group).
    pub url: String,
    pub title: String,
    /// Indices into `Recording::events`.
    pub events: Range<usize>,
}

/// Splits the events into page groups: a navigation in a tab's top frame
/// starts a new group, and so does an event in another tab than the
/// previous one (a tab switch lands on the page that tab showed last).
/// One pass, no copies of events: fine for 10,000-event recordings.
pub fn page_groups(rec: &Recording) -> Vec<PageGroup> {
    let mut page_of: HashMap<TabId, (String, String)> = rec
        .tabs
        .iter()
        .map(|t| (t.tab_id, (t.initial_url.clone(), t.title.clone())))
        .collect();
    let mut out: Vec<PageGroup> = Vec::new();
    for (i, ev) in rec.events.iter().enumerate() {
        let top_nav = match &ev.kind {
            EventKind::Navigate(NavigateEvent { title, .. }) if ev.frame_path.is_empty() => {
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

/// `+m:ss.mmm`: an event's time since the recording started.
pub fn format_offset(ms: i64) -> String {
    let ms = ms.max(0);
    format!("+{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

impl EventKind {
    /// Whether the event stands for a value that was deliberately never
    /// captured (a password, a one-time code, card data).
    pub fn is_redacted(&self) -> bool {
        matches!(
            self,
            EventKind::Input(InputEvent {
                value: FieldValue::Redacted { .. },
                ..
            }) | EventKind::ContentEdit(ContentEditEvent {
                text: FieldValue::Redacted { .. },
                ..
            })
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Recording {
        let path = format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
        crate::from_json_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    #[test]
    fn groups_cover_every_event_once_in_order() {
        for name in [
            "multi-page-form",
            "iframes-and-shadow-dom",
            "redacted-fields",
        ] {
            let rec = example(name);
            let groups = page_groups(&rec);
            let mut next = 0;
            for g in &groups {
                assert_eq!(g.events.start, next, "{name}: groups are contiguous");
                assert!(g.events.end > g.events.start);
                next = g.events.end;
            }
            assert_eq!(next, rec.events.len(), "{name}: every event is in a group");
        }
    }

    #[test]
    fn a_top_frame_navigation_or_a_tab_switch_starts_a_group() {
        let rec = example("multi-page-form");
        let groups = page_groups(&rec);
        for g in &groups[1..] {
            let first = &rec.events[g.events.start];
            let prev = &rec.events[g.events.start - 1];
            let nav = matches!(first.kind, EventKind::Navigate(_)) && first.frame_path.is_empty();
            assert!(
                nav || first.tab_id != prev.tab_id,
                "group at {} has a reason",
                g.events.start
            );
        }
        assert!(
            groups.len() >= 3,
            "the multi-page example spans several pages"
        );
    }

    #[test]
    fn offsets_and_redaction() {
        assert_eq!(format_offset(0), "+0:00.000");
        assert_eq!(format_offset(61_005), "+1:01.005");
        assert_eq!(format_offset(-5), "+0:00.000");
        let rec = example("redacted-fields");
        assert!(rec.events.iter().any(|e| e.kind.is_redacted()));
        let plain = example("iframes-and-shadow-dom");
        assert!(plain.events.iter().all(|e| !e.kind.is_redacted()));
    }
}
