//! Key names in `chrome.storage.local`. One recording is one meta key plus
//! one key per flushed chunk, so a flush writes O(new events) and deleting a
//! delivered recording touches only its own keys.

use uuid::Uuid;

/// Prefix of every key that holds recorded data.
pub const PREFIX: &str = "rec:";

pub fn meta(id: Uuid) -> String {
    format!("{PREFIX}{id}:meta")
}

pub fn chunk(id: Uuid, index: u32) -> String {
    format!("{PREFIX}{id}:c:{index}")
}

/// Every key a recording with `chunks` chunks occupies, meta last.
pub fn all(id: Uuid, chunks: u32) -> Vec<String> {
    let mut keys: Vec<String> = (0..chunks).map(|i| chunk(id, i)).collect();
    keys.push(meta(id));
    keys
}

/// The recording id of a meta key, for enumerating pending recordings.
pub fn parse_meta(key: &str) -> Option<Uuid> {
    let rest = key.strip_prefix(PREFIX)?.strip_suffix(":meta")?;
    Uuid::parse_str(rest).ok()
}

/// The meta keys among `stored` (every key in `chrome.storage.local`) of
/// recordings waiting for delivery: all but the one being recorded.
pub fn pending_metas(stored: &[String], active: Option<Uuid>) -> Vec<String> {
    stored
        .iter()
        .filter(|k| parse_meta(k).is_some_and(|id| Some(id) != active))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let id = Uuid::from_u128(42);
        assert_eq!(parse_meta(&meta(id)), Some(id));
        assert_eq!(parse_meta(&chunk(id, 0)), None);
        assert_eq!(parse_meta("token"), None);
        assert_eq!(all(id, 2), vec![chunk(id, 0), chunk(id, 1), meta(id)]);
    }

    #[test]
    fn pending_metas_skip_the_active_recording() {
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let stored = vec![
            meta(a),
            chunk(a, 0),
            "relay_key".to_owned(),
            meta(b),
            chunk(b, 0),
        ];
        assert_eq!(pending_metas(&stored, None), vec![meta(a), meta(b)]);
        assert_eq!(pending_metas(&stored, Some(b)), vec![meta(a)]);
    }
}
