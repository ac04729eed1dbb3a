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
}
