//! The recording list: the relay's summaries, searched and formatted.

use crate::fmt;

/// The relay's own types (clawtrail-protocol), read back as it wrote them.
pub use clawtrail_protocol::{Listing, RecordingSummary as Summary};

/// The text of one list row, column by column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub name: String,
    pub date: String,
    pub duration: String,
    pub events: String,
    pub tabs: String,
}

/// What the list shows of a summary.
pub trait Shown {
    fn row(&self) -> Row;
    fn matches(&self, query: &str) -> bool;
}

impl Shown for Summary {
    fn row(&self) -> Row {
        Row {
            id: self.id.to_string(),
            name: self.name.clone(),
            date: fmt::date(self.started_at),
            duration: fmt::duration((self.ended_at - self.started_at).num_milliseconds()),
            events: self.event_count.to_string(),
            tabs: self.tab_count.to_string(),
        }
    }

    /// Whether the search box text `query` selects this recording: every
    /// whitespace-separated word must occur (case-insensitively) in the
    /// name, the id or the date.
    fn matches(&self, query: &str) -> bool {
        let hay = format!(
            "{} {} {}",
            self.name.to_lowercase(),
            self.id,
            fmt::date(self.started_at)
        );
        query
            .split_whitespace()
            .all(|w| hay.contains(&w.to_lowercase()))
    }
}

/// Newest first (the relay lists oldest first), filtered by `query`.
pub fn visible<'a>(all: &'a [Summary], query: &str) -> Vec<&'a Summary> {
    let mut v: Vec<&Summary> = all.iter().filter(|s| s.matches(query)).collect();
    v.sort_by_key(|s| std::cmp::Reverse((s.started_at, s.id)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    fn summary(name: &str, start: &str, secs: i64) -> Summary {
        let started_at = DateTime::parse_from_rfc3339(start)
            .unwrap()
            .with_timezone(&Utc);
        Summary {
            id: Uuid::new_v4(),
            name: name.into(),
            started_at,
            ended_at: started_at + chrono::Duration::seconds(secs),
            event_count: 12,
            tab_count: 2,
            size_bytes: 999,
        }
    }

    #[test]
    fn search_matches_every_word_case_insensitively() {
        let all = vec![
            summary("Sign in to Billing", "2025-01-01T10:00:00Z", 30),
            summary("Export report", "2025-02-01T10:00:00Z", 90),
            summary("billing export", "2025-03-01T10:00:00Z", 5),
        ];
        let names =
            |q: &str| -> Vec<String> { visible(&all, q).iter().map(|s| s.name.clone()).collect() };
        // Newest first.
        assert_eq!(
            names(""),
            ["billing export", "Export report", "Sign in to Billing"]
        );
        assert_eq!(names("BILLING"), ["billing export", "Sign in to Billing"]);
        assert_eq!(names("export billing"), ["billing export"]);
        assert_eq!(names("2025-02"), ["Export report"]);
        assert!(names("nothing-like-this").is_empty());
        let id = all[1].id.to_string();
        assert_eq!(names(&id[..8]), ["Export report"]);
    }

    #[test]
    fn rows_show_date_duration_and_counts() {
        let s = summary("A", "2025-01-01T10:00:00Z", 185);
        let r = s.row();
        assert_eq!(r.date, "2025-01-01 10:00 UTC");
        assert_eq!(r.duration, "3 min 05 s");
        assert_eq!((r.events.as_str(), r.tabs.as_str()), ("12", "2"));
    }
}
