//! Human formats for times. Everything is computed from timestamps the
//! caller passes in (the page supplies `Date.now()`), so the functions stay
//! pure and testable.

use chrono::{DateTime, Utc};

/// A duration as `42 s`, `3 min 05 s` or `2 h 07 min`.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} min {:02} s", s / 60, s % 60)
    } else {
        format!("{} h {:02} min", s / 3600, (s % 3600) / 60)
    }
}

/// A coarse span for ages and retry times: `12 s`, `5 min`, `3 h`, `2 d`.
pub fn span(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h", s / 3600),
        _ => format!("{} d", s / 86_400),
    }
}

/// `2025-03-14 09:26 UTC`: one unambiguous form for every viewer.
pub fn date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_durations_and_spans() {
        assert_eq!(duration(42_999), "42 s");
        assert_eq!(duration(185_000), "3 min 05 s");
        assert_eq!(duration(7_620_000), "2 h 07 min");
        assert_eq!(span(59_999), "59 s");
        assert_eq!(span(300_000), "5 min");
        assert_eq!(span(3 * 3_600_000), "3 h");
        assert_eq!(span(50 * 3_600_000), "2 d");
        let t = DateTime::parse_from_rfc3339("2025-03-14T09:26:53Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(date(t), "2025-03-14 09:26 UTC");
    }
}
