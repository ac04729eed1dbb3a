//! `clawtrail show`: a recording as a readable timeline. Values come from
//! `workflow_format`'s describe functions, so redacted fields read
//! `[redacted: password]` here exactly as in every other view.

use std::fmt::Write;

use workflow_format::Recording;

pub fn render(rec: &Recording) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", rec.id, rec.name);
    let _ = writeln!(
        out,
        "started {}  ended {}  {} events  {} tabs  recorder {}",
        rec.started_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rec.ended_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        rec.events.len(),
        rec.tabs.len(),
        rec.recorder.version,
    );
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{:>10}  {:>5}  {:<14} {:<50} URL",
        "TIME", "TAB", "KIND", "WHAT"
    );
    for ev in &rec.events {
        let ms = (ev.at - rec.started_at).num_milliseconds().max(0);
        let time = format!("+{}:{:02}.{:03}", ms / 60_000, (ms / 1000) % 60, ms % 1000);
        let _ = writeln!(
            out,
            "{:>10}  {:>5}  {:<14} {:<50} {}",
            time,
            ev.tab_id,
            ev.kind.type_name(),
            ev.kind.describe(),
            ev.url
        );
    }
    out
}
