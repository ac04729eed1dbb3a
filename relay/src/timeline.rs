//! `clawtrail show`: a recording as a readable, aligned timeline.
//!
//! Values come from `workflow_format`'s describe functions, so redacted
//! fields read `[redacted: password]` here exactly as in the viewer and the
//! exporters. Steps are grouped under a header line per page (a top-frame
//! navigation or a switch of tab starts one), as the viewer does.
//!
//! [`render`] always emits ANSI styles; callers print through
//! [`anstream`], which strips them unless stdout is a colour terminal (and
//! honours `NO_COLOR` and `CLICOLOR_FORCE`). Styling is applied after
//! padding so the escape codes never upset the column widths.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use workflow_format::{EventKind, FieldValue, Recording, TabId};

const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
/// Width of the KIND column: the longest type tag is `content_edit`.
const KIND_WIDTH: usize = 13;

fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

fn kind_style(kind: &EventKind) -> Style {
    let color = match kind {
        EventKind::Click(_) | EventKind::DoubleClick(_) | EventKind::ContextClick(_) => {
            AnsiColor::Cyan
        }
        EventKind::Input { .. }
        | EventKind::ContentEdit { .. }
        | EventKind::Select { .. }
        | EventKind::Checkbox { .. }
        | EventKind::Radio { .. } => AnsiColor::Green,
        EventKind::Submit { .. } | EventKind::Key { .. } => AnsiColor::Magenta,
        EventKind::Navigate { .. } => AnsiColor::Blue,
        EventKind::TabOpened { .. } | EventKind::TabActivated | EventKind::TabClosed => {
            AnsiColor::Yellow
        }
        EventKind::Scroll { .. } => return DIM,
    };
    Style::new().fg_color(Some(color.into()))
}

fn is_redacted(kind: &EventKind) -> bool {
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

/// `+m:ss.mmm` since the recording started.
fn offset(ms: i64) -> String {
    let ms = ms.max(0);
    format!("+{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000)
}

pub fn render(rec: &Recording) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}",
        paint(BOLD, &rec.name),
        paint(DIM, &rec.id.to_string())
    );
    let _ = writeln!(
        out,
        "{}",
        paint(
            DIM,
            &format!(
                "started {}  ended {}  {} events  {} tabs  recorder {}",
                rec.started_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                rec.ended_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                rec.events.len(),
                rec.tabs.len(),
                rec.recorder.version,
            )
        )
    );
    let tab_width = rec
        .tabs
        .iter()
        .map(|t| t.tab_id.to_string().len())
        .max()
        .unwrap_or(1)
        .max(3);
    let mut page_of: std::collections::HashMap<TabId, (String, String)> = rec
        .tabs
        .iter()
        .map(|t| (t.tab_id, (t.initial_url.clone(), t.title.clone())))
        .collect();
    let mut current: Option<(TabId, String)> = None;
    for ev in &rec.events {
        let top_nav = match &ev.kind {
            EventKind::Navigate { title, .. } if ev.frame_path.is_empty() => {
                page_of.insert(ev.tab_id, (ev.url.clone(), title.clone()));
                true
            }
            _ => false,
        };
        if top_nav || current.as_ref().is_none_or(|(t, _)| *t != ev.tab_id) {
            let (url, title) = page_of
                .get(&ev.tab_id)
                .cloned()
                .unwrap_or_else(|| (ev.url.clone(), String::new()));
            let title = if title.is_empty() {
                "(untitled)".to_owned()
            } else {
                title
            };
            let _ = writeln!(out);
            let _ = writeln!(
                out,
                "{}  {}",
                paint(BOLD, &format!("── tab {} · {title}", ev.tab_id)),
                paint(DIM, &url)
            );
            current = Some((ev.tab_id, url));
        }
        let ms = (ev.at - rec.started_at).num_milliseconds();
        let what = ev.kind.describe();
        let what = if is_redacted(&ev.kind) {
            paint(Style::new().fg_color(Some(AnsiColor::Red.into())), &what)
        } else {
            what
        };
        // Show the event's URL only when it is not the page's (an iframe,
        // or a navigation's target already in the header).
        let page_url = current.as_ref().map(|(_, u)| u.as_str()).unwrap_or("");
        let url = if ev.url != page_url {
            format!("  {}", paint(DIM, &ev.url))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {}  {}  {}  {what}{url}",
            paint(DIM, &format!("{:>10}", offset(ms))),
            paint(DIM, &format!("{:>tab_width$}", ev.tab_id)),
            paint(
                kind_style(&ev.kind),
                &format!("{:<KIND_WIDTH$}", ev.kind.type_name())
            ),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                for c in chars.by_ref() {
                    if c == 'm' {
                        break;
                    }
                }
            } else {
                out.push(c);
            }
        }
        out
    }

    #[test]
    fn columns_align_whatever_the_styles() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../workflow-format/examples/multi-page-form.json"
        );
        let rec = workflow_format::from_json_slice(&std::fs::read(path).unwrap()).unwrap();
        let styled = render(&rec);
        assert!(styled.contains("\x1b["));
        let plain = strip(&styled);
        let rows: Vec<&str> = plain
            .lines()
            .filter(|l| l.starts_with("  ") && l.trim_start().starts_with('+'))
            .collect();
        assert_eq!(rows.len(), rec.events.len());
        // The kind and the description start at the same column on every
        // row (offsets and tab ids are digits; kinds are letters).
        let mut columns = std::collections::BTreeSet::new();
        for (row, ev) in rows.iter().zip(&rec.events) {
            let kind_at = row.find(ev.kind.type_name()).unwrap();
            let at = kind_at + KIND_WIDTH + 2;
            assert!(row[at..].starts_with(&ev.kind.describe()), "{row}");
            columns.insert(kind_at);
        }
        assert_eq!(columns.len(), 1, "{plain}");
        let headers = plain.lines().filter(|l| l.starts_with("── tab ")).count();
        assert!(headers >= 2, "{plain}");
    }
}
