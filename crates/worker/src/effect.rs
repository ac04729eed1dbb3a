//! What the worker's JavaScript is asked to do. Rust decides; the JS
//! interpreter (`apply` in extension/src/service_worker.js) performs each
//! effect with the matching `chrome.*` call and decides nothing itself.

use std::collections::BTreeMap;

use serde::Serialize;

/// One `chrome.*` call. Serialized externally tagged:
/// `{"set": {key: value}}`, `{"remove": [keys]}`,
/// `{"alarm": {"name", "when_ms"}}`, `{"clear_alarm": name}`,
/// `{"badge": {"text", "color"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// `chrome.storage.local.set`.
    Set(BTreeMap<String, String>),
    /// `chrome.storage.local.remove`.
    Remove(Vec<String>),
    /// `chrome.alarms.create(name, {when})`, `when_ms` on the browser's own
    /// clock (`Date.now()`).
    Alarm { name: String, when_ms: i64 },
    /// `chrome.alarms.clear`.
    ClearAlarm(String),
    /// `chrome.action.setBadgeText` and `setBadgeBackgroundColor`.
    Badge { text: String, color: String },
}

impl Effect {
    /// A single storage write.
    pub fn set(key: String, value: String) -> Effect {
        Effect::Set(BTreeMap::from([(key, value)]))
    }
}

/// The JSON the JS interpreter reads: an array of effects.
pub fn to_json(effects: &[Effect]) -> String {
    serde_json::to_string(effects).expect("effects serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_interpreter_reads_it() {
        let effects = [
            Effect::set("k".into(), "v".into()),
            Effect::Remove(vec!["a".into()]),
            Effect::Alarm {
                name: "retry".into(),
                when_ms: 5,
            },
            Effect::ClearAlarm("retry".into()),
            Effect::Badge {
                text: "||".into(),
                color: "#757575".into(),
            },
        ];
        assert_eq!(
            to_json(&effects),
            r##"[{"set":{"k":"v"}},{"remove":["a"]},{"alarm":{"name":"retry","when_ms":5}},{"clear_alarm":"retry"},{"badge":{"text":"||","color":"#757575"}}]"##
        );
    }
}
