//! Human descriptions of targets and events ("button 'Sign in'"), shared by
//! `clawtrail show`, the viewer and the exporters so they all say the same.

use crate::model::{
    CheckboxEvent, ContentEditEvent, EventKind, FieldValue, InputEvent, KeyEvent, NavigateEvent,
    RadioEvent, ScrollEvent, SelectEvent, SubmitEvent, TabOpenedEvent, Target,
};

/// Longest quoted text in a description, in characters.
const QUOTE_MAX: usize = 60;

fn quote(s: &str) -> String {
    let collapsed: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: String = collapsed.chars().take(QUOTE_MAX).collect();
    if collapsed.chars().count() > QUOTE_MAX {
        out.push('…');
    }
    format!("'{out}'")
}

impl Target {
    /// The words that name this element on its page, raw (page text): its
    /// accessible name, else its label, text, placeholder or `name`.
    pub fn display_name(&self) -> Option<&str> {
        self.aria
            .as_ref()
            .map(|a| a.name.as_str())
            .filter(|n| !n.trim().is_empty())
            .or(self.label.as_deref())
            .or(self.text.as_deref())
            .or(self.placeholder.as_deref())
            .or(self.name.as_deref())
            .filter(|n| !n.trim().is_empty())
    }

    /// What a person would call this element, e.g. `button 'Sign in'`,
    /// `textbox 'Email'`, or `div #main` when nothing better is known.
    pub fn describe(&self) -> String {
        let what = self
            .aria
            .as_ref()
            .map(|a| a.role.clone())
            .unwrap_or_else(|| match (self.tag.as_str(), self.input_type.as_deref()) {
                ("input", Some(t)) => format!("{t} field"),
                ("input", None) => "text field".to_owned(),
                (tag, _) => tag.to_owned(),
            });
        match self.display_name() {
            Some(n) => format!("{what} {}", quote(n)),
            None => format!("{what} {}", self.css),
        }
    }
}

impl FieldValue {
    /// The value as shown to a person: quoted text, or `[redacted: reason]`.
    pub fn describe(&self) -> String {
        match self {
            FieldValue::Text { text } => quote(text),
            FieldValue::Redacted { reason } => format!("[redacted: {reason:?}]").to_lowercase(),
        }
    }
}

impl EventKind {
    /// A one-line description, e.g. `Click button 'Sign in'` or
    /// `Type [redacted: password] into password field 'Password'`.
    pub fn describe(&self) -> String {
        match self {
            EventKind::Click(p) => format!("Click {}", p.target.describe()),
            EventKind::DoubleClick(p) => format!("Double-click {}", p.target.describe()),
            EventKind::ContextClick(p) => format!("Right-click {}", p.target.describe()),
            EventKind::Input(InputEvent { target, value }) => {
                format!("Type {} into {}", value.describe(), target.describe())
            }
            EventKind::ContentEdit(ContentEditEvent { target, text }) => {
                format!("Edit {} to {}", target.describe(), text.describe())
            }
            EventKind::Select(SelectEvent { target, labels, .. }) => {
                let shown: Vec<String> = labels.iter().map(|l| quote(l)).collect();
                format!("Select {} in {}", shown.join(", "), target.describe())
            }
            EventKind::Checkbox(CheckboxEvent {
                target, checked, ..
            }) => format!(
                "{} {}",
                if *checked { "Check" } else { "Uncheck" },
                target.describe()
            ),
            EventKind::Radio(RadioEvent { target, .. }) => format!("Choose {}", target.describe()),
            EventKind::Submit(SubmitEvent { target }) => format!("Submit {}", target.describe()),
            EventKind::Key(KeyEvent { key, modifiers, .. }) => {
                format!("Press {}", modifiers.label_combo(key))
            }
            EventKind::Scroll(ScrollEvent { target, x, y }) => match target {
                Some(t) => format!("Scroll {} to ({x:.0}, {y:.0})", t.describe()),
                None => format!("Scroll page to ({x:.0}, {y:.0})"),
            },
            EventKind::Navigate(NavigateEvent { cause, title, .. }) => {
                let cause = format!("{cause:?}");
                if title.is_empty() {
                    format!("Navigate ({cause})")
                } else {
                    format!("Navigate ({cause}) to {}", quote(title))
                }
            }
            EventKind::TabOpened(TabOpenedEvent { opener_tab_id }) => match opener_tab_id {
                Some(o) => format!("Open tab (from tab {o})"),
                None => "Open tab".to_owned(),
            },
            EventKind::TabActivated => "Switch to tab".to_owned(),
            EventKind::TabClosed => "Close tab".to_owned(),
        }
    }
}
