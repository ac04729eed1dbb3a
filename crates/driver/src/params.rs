//! Values for a workflow's inputs, settled before any browser starts.
//!
//! A missing secret discovered half-way through a replay would leave a form
//! half filled in a real account, so every check happens up front: names
//! given on the command line must exist, every required input must have a
//! value, and no value may carry characters that WebDriver would read as key
//! presses.

use std::collections::BTreeMap;

use clawtrail_steps::{Parameter, Workflow};

/// Why the inputs of a replay are not usable.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ParamError {
    /// `--param` was not written `name=value`.
    #[error("--param {0:?} is not of the form name=value")]
    Malformed(String),
    /// The same name was given twice with different values.
    #[error("--param {0} was given twice")]
    Duplicate(String),
    /// A name the workflow does not have: most likely a typo, which would
    /// otherwise silently replay the recorded default.
    #[error("unknown parameter {name:?}; this workflow takes: {known}")]
    Unknown { name: String, known: String },
    /// Required inputs (secrets) without a value.
    #[error(
        "missing required parameter(s): {}; pass them as --param NAME=VALUE",
        .0.iter().map(|m| format!("{} ({})", m.name, m.field)).collect::<Vec<_>>().join(", ")
    )]
    Missing(Vec<MissingParam>),
    /// WebDriver's "send keys" reads U+E000..U+F8FF as special keys (Enter,
    /// Control, ...): a value containing them would press keys the user
    /// never typed.
    #[error(
        "the value of parameter {0:?} contains characters from U+E000..U+F8FF, which WebDriver would send as special keys"
    )]
    ControlKeys(String),
}

/// A required input nobody supplied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingParam {
    pub name: String,
    /// What the field is, e.g. `password field 'Password'`.
    pub field: String,
}

/// Splits `name=value` (the value may itself contain `=`).
pub fn parse_param_arg(raw: &str) -> Result<(String, String), ParamError> {
    match raw.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.to_owned()))
        }
        _ => Err(ParamError::Malformed(raw.to_owned())),
    }
}

/// The value of every parameter of `workflow`, by index: the given value,
/// else the recorded default.
pub fn resolve(workflow: &Workflow, given: &[(String, String)]) -> Result<Vec<String>, ParamError> {
    let mut by_name: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in given {
        if let Some(prev) = by_name.insert(name, value)
            && prev != value
        {
            return Err(ParamError::Duplicate(name.clone()));
        }
    }
    for name in by_name.keys() {
        if !workflow.params.iter().any(|p| p.name == *name) {
            return Err(ParamError::Unknown {
                name: (*name).to_owned(),
                known: known_names(&workflow.params),
            });
        }
    }
    let mut missing = Vec::new();
    let mut values = Vec::with_capacity(workflow.params.len());
    for p in &workflow.params {
        let value = by_name
            .get(p.name.as_str())
            .map(|v| (*v).to_owned())
            .or_else(|| p.default.clone());
        match value {
            Some(v) => {
                if has_webdriver_keys(&v) {
                    return Err(ParamError::ControlKeys(p.name.clone()));
                }
                values.push(v);
            }
            None => {
                missing.push(MissingParam {
                    name: p.name.clone(),
                    field: p.field.clone(),
                });
                values.push(String::new());
            }
        }
    }
    if missing.is_empty() {
        Ok(values)
    } else {
        Err(ParamError::Missing(missing))
    }
}

fn known_names(params: &[Parameter]) -> String {
    if params.is_empty() {
        return "(no parameters)".to_owned();
    }
    params
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// True when `s` has a character WebDriver maps to a key (its "normalized
/// key value" table lives in the Private Use Area).
pub fn has_webdriver_keys(s: &str) -> bool {
    s.chars().any(|c| ('\u{E000}'..='\u{F8FF}').contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_args_split_at_the_first_equals_sign() {
        assert_eq!(
            parse_param_arg("q=a=b").unwrap(),
            ("q".to_owned(), "a=b".to_owned())
        );
        assert_eq!(
            parse_param_arg("empty=").unwrap(),
            ("empty".to_owned(), String::new())
        );
        assert_eq!(
            parse_param_arg("novalue"),
            Err(ParamError::Malformed("novalue".into()))
        );
        assert_eq!(
            parse_param_arg("=x"),
            Err(ParamError::Malformed("=x".into()))
        );
    }

    #[test]
    fn private_use_characters_are_webdriver_keys() {
        assert!(has_webdriver_keys("a\u{E007}"));
        assert!(!has_webdriver_keys("plain ascii & ünïcode ✓"));
    }
}
