//! The one duration grammar of the project: humantime (`90s`, `30m`, `12h`,
//! `7d`, `1h 30m`, `2weeks`), used by `--ttl` and `refresh.toml` alike. A
//! bare number without a unit is refused: `90` could mean anything.

use std::time::Duration;

/// Parses a duration.
///
/// # Errors
/// Text humantime does not read, with its message.
pub fn parse(text: &str) -> Result<Duration, humantime::DurationError> {
    humantime::parse_duration(text.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grammar() {
        let table: &[(&str, Option<u64>)] = &[
            ("90s", Some(90)),
            ("30m", Some(1_800)),
            ("12h", Some(43_200)),
            ("7d", Some(604_800)),
            (" 1h 30m ", Some(5_400)),
            ("2weeks", Some(1_209_600)),
            ("90", None),
            ("soon", None),
            ("-1h", None),
        ];
        for (text, secs) in table {
            assert_eq!(parse(text).ok().map(|d| d.as_secs()), *secs, "{text}");
        }
    }
}
