//! Progress for long CLI operations (prune, export of a large recording).
//!
//! Drawn on stderr only when stderr is a terminal: piped or redirected
//! output, and therefore every test and script, sees nothing of it, and
//! stdout stays clean for `--json`.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `len` items of `what` (e.g. "recordings"), or a hidden
/// one when stderr is not a terminal. Call `finish_and_clear` when done.
pub fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), target());
    let template = format!("{{spinner}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {what}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn target() -> ProgressDrawTarget {
    if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}
