//! Typed values become named inputs.
//!
//! A recorded value is only an example: the next run may need another
//! e-mail address or search term. Each field the user typed into becomes a
//! [`Parameter`] named after what the page calls the field (`email`,
//! `search_query`), with the recorded value as its default. A redacted value
//! (password, one-time code, card data) was never captured, so its parameter
//! is required and has no default: the agent has to ask the user.

use serde::Serialize;
use workflow_format::{RedactionReason, Target};

/// Longest parameter name, in characters (before any `_2` suffix).
const NAME_MAX: usize = 40;

/// One input of a workflow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// `snake_case`, unique within the workflow; used as `{{name}}`.
    pub name: String,
    /// What the field is, e.g. `textbox 'Email address'`.
    pub field: String,
    /// The same for Markdown an agent reads, page text shown as data
    /// (`text::element`): ``textbox `"Email address"` ``.
    pub element: String,
    /// The recorded value. Always `None` for a secret.
    pub default: Option<String>,
    /// Why the value was never recorded; `Some` means the parameter is
    /// required and must be asked for.
    pub secret: Option<RedactionReason>,
}

impl Parameter {
    pub fn placeholder(&self) -> String {
        format!("{{{{{}}}}}", self.name)
    }

    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }
}

/// Collects parameters while the steps are built, so that the same field
/// typed with the same value twice (e.g. before and after a show-password
/// toggle) maps to one input.
#[derive(Default)]
pub struct ParamTable {
    params: Vec<Parameter>,
    /// Identity of the field each parameter belongs to.
    fields: Vec<String>,
}

impl ParamTable {
    /// The index of the parameter for `value` typed into `target`.
    ///
    /// `value` is `None` when the value was redacted. A field whose rules say
    /// it must be redacted is treated as secret even if a value is present:
    /// the recording was validated, but an exporter that leaks a password
    /// because of a validator bug would be the worst possible failure.
    pub fn intern(
        &mut self,
        target: &Target,
        value: Option<&str>,
        reason: Option<RedactionReason>,
    ) -> usize {
        let secret = target.redaction_reason().or(reason);
        let default = match secret {
            Some(_) => None,
            None => value.map(str::to_owned),
        };
        let key = field_key(target);
        if let Some(i) = self
            .params
            .iter()
            .zip(&self.fields)
            .position(|(p, k)| *k == key && p.default == default && p.secret == secret)
        {
            return i;
        }
        let base = base_name(target);
        let mut name = base.clone();
        let mut n = 2;
        while self.params.iter().any(|p| p.name == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.params.push(Parameter {
            name,
            field: target.describe(),
            element: crate::text::element(target),
            default,
            secret,
        });
        self.fields.push(key);
        self.params.len() - 1
    }

    pub fn into_vec(self) -> Vec<Parameter> {
        self.params
    }
}

/// What makes two targets "the same field" across events.
pub fn field_key(t: &Target) -> String {
    format!(
        "{:?}|{}|{}|{}",
        t.frame_path,
        t.shadow_hosts.join(" "),
        t.css,
        t.xpath
    )
}

/// The name a field suggests, from the most human source available.
fn base_name(t: &Target) -> String {
    let id = t.css.strip_prefix('#').filter(|rest| {
        rest.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    let autocomplete = t.autocomplete.as_deref().and_then(|ac| {
        ac.split_ascii_whitespace()
            .last()
            .filter(|tok| !matches!(*tok, "on" | "off"))
    });
    // An autocomplete token is the page's own machine-readable name for
    // the field (`email`, `new-password`), so it comes first.
    let candidates = [
        autocomplete,
        t.label.as_deref(),
        t.aria.as_ref().map(|a| a.name.as_str()),
        t.name.as_deref(),
        t.placeholder.as_deref(),
        id,
    ];
    for c in candidates.into_iter().flatten() {
        let s = snake(c);
        if !s.is_empty() {
            return s;
        }
    }
    "value".to_owned()
}

/// `"Search query…"` -> `search_query`; ASCII only, at most [`NAME_MAX`]
/// characters, never starting with a digit.
pub fn snake(s: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            // camelCase boundaries: fullName -> full_name.
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c.to_ascii_lowercase());
        } else {
            prev_lower = false;
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut out = String::new();
    for w in words {
        let extra = if out.is_empty() { w.len() } else { w.len() + 1 };
        if out.len() + extra > NAME_MAX {
            break;
        }
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&w);
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert_str(0, "field_");
        out.truncate(NAME_MAX);
        while out.ends_with('_') {
            out.pop();
        }
    }
    out
}

/// Why a parameter is secret, in words for the SKILL.md.
pub fn secret_reason_text(r: RedactionReason) -> &'static str {
    match r {
        RedactionReason::Password => "a password",
        RedactionReason::OneTimeCode => "a one-time code",
        RedactionReason::CardData => "payment card data",
        RedactionReason::Hidden => "a hidden field value",
        RedactionReason::BankAccount => "a bank account number",
        RedactionReason::Masked => "a value the page masks",
    }
}

#[cfg(test)]
mod tests {
    use super::snake;

    #[test]
    fn names_are_snake_case_ascii() {
        assert_eq!(snake("Search query"), "search_query");
        assert_eq!(snake("E-mail address:"), "e_mail_address");
        assert_eq!(snake("fullName"), "full_name");
        assert_eq!(snake("6-digit code"), "field_6_digit_code");
        assert_eq!(snake("Zoë's notes"), "zo_s_notes");
        assert_eq!(snake("…"), "");
        let long = snake(&"word ".repeat(30));
        assert!(long.len() <= 40, "{long}");
        assert!(!long.ends_with('_'));
    }
}
