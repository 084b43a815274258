//! Times on the command line: RFC 3339 everywhere, in the local time zone
//! for people (`2026-11-28T10:56:04+01:00`) and in UTC for JSON
//! (`2026-11-28T09:56:04Z`). The server speaks Unix milliseconds; 0 means
//! "not set" and shows as nothing.

use chrono::{DateTime, Local, SecondsFormat, Utc};

fn at(ms: i64) -> Option<DateTime<Utc>> {
    (ms != 0)
        .then(|| DateTime::from_timestamp_millis(ms))
        .flatten()
}

/// Unix milliseconds as RFC 3339 in the local time zone, to the second
/// (empty for 0).
pub fn local(ms: i64) -> String {
    match at(ms) {
        Some(t) => t
            .with_timezone(&Local)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        None if ms == 0 => String::new(),
        None => ms.to_string(),
    }
}

/// Unix milliseconds as RFC 3339 in UTC (`...Z`), for JSON (empty for 0).
pub fn utc(ms: i64) -> String {
    match at(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::Millis, true),
        None if ms == 0 => String::new(),
        None => ms.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_3339() {
        let ms = 1_764_323_764_000; // 2025-11-28T09:56:04Z
        assert_eq!(utc(ms), "2025-11-28T09:56:04.000Z");
        let l = local(ms);
        let parsed = DateTime::parse_from_rfc3339(&l).unwrap();
        assert_eq!(parsed.timestamp_millis(), ms, "{l}");
        assert_eq!(local(0), "");
        assert_eq!(utc(0), "");
    }
}
