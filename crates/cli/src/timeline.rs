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
use workflow_format::{Event, EventKind, Recording};

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
        EventKind::Input(_)
        | EventKind::ContentEdit(_)
        | EventKind::Select(_)
        | EventKind::Checkbox(_)
        | EventKind::Radio(_) => AnsiColor::Green,
        EventKind::Submit(_) | EventKind::Key(_) => AnsiColor::Magenta,
        EventKind::Navigate(_) => AnsiColor::Blue,
        EventKind::TabOpened(_) | EventKind::TabActivated | EventKind::TabClosed => {
            AnsiColor::Yellow
        }
        EventKind::Scroll(_) => return DIM,
    };
    Style::new().fg_color(Some(color.into()))
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
    for group in workflow_format::page_groups(rec) {
        let title = if group.title.is_empty() {
            "(untitled)"
        } else {
            group.title.as_str()
        };
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "{}  {}",
            paint(BOLD, &format!("── tab {} · {title}", group.tab_id)),
            paint(DIM, &group.url)
        );
        for ev in &rec.events[group.events.clone()] {
            line(&mut out, rec, ev, &group.url, tab_width);
        }
    }
    out
}

/// One aligned timeline row.
fn line(out: &mut String, rec: &Recording, ev: &Event, page_url: &str, tab_width: usize) {
    let ms = (ev.at - rec.started_at).num_milliseconds();
    let what = ev.kind.describe();
    let what = if ev.kind.is_redacted() {
        paint(Style::new().fg_color(Some(AnsiColor::Red.into())), &what)
    } else {
        what
    };
    // Show the event's URL only when it is not the page's (an iframe, or a
    // navigation's target already in the header).
    let url = if ev.url != page_url {
        format!("  {}", paint(DIM, &ev.url))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {}  {}  {}  {what}{url}",
        paint(DIM, &format!("{:>10}", workflow_format::format_offset(ms))),
        paint(DIM, &format!("{:>tab_width$}", ev.tab_id)),
        paint(
            kind_style(&ev.kind),
            &format!("{:<KIND_WIDTH$}", ev.kind.type_name())
        ),
    );
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
            "/../format/examples/multi-page-form.json"
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
