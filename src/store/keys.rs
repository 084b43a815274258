//! Key encoding and record ids: the byte layout of every key lives here.
//!
//! - list versions and contents: `list_id 0x00 version(u64 big-endian)`, so
//!   a prefix scan over `list_id 0x00` yields one list's versions in order
//!   (list ids cannot contain 0x00);
//! - the open-case index: `len(exporter) (u32 big-endian) exporter reference`,
//!   unambiguous whatever bytes the two strings hold;
//! - screening and case ids: a prefix and sled's monotonic id as 16 hex
//!   digits (`scr-000000000000002a`), so ids sort in creation order;
//! - the case queue (priority index): `status code (1 byte) | u32::MAX -
//!   priority score (u32 big-endian) | created at (i64 with the sign bit
//!   flipped, big-endian) | case id`, so one status's cases sort by
//!   priority (highest first), then age (oldest first); the part after the
//!   status byte is a *queue position*, comparable across statuses;
//! - the active-suppression index: `len(party key) (u32 big-endian) party
//!   key len(list id) (u32 big-endian) list id entry id`.

use super::StoreError;

/// Prefix of screening ids.
pub const SCREENING_PREFIX: &str = "scr-";
/// Prefix of case ids.
pub const CASE_PREFIX: &str = "case-";

/// True when `id` follows the list naming rule `^[a-z0-9][a-z0-9-]{0,63}$`.
pub fn is_valid_list_id(id: &str) -> bool {
    let b = id.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Checks a list id, as the store requires before writing.
pub fn check_list_id(id: &str) -> Result<(), StoreError> {
    if is_valid_list_id(id) {
        Ok(())
    } else {
        Err(StoreError::InvalidListId {
            list_id: id.to_string(),
        })
    }
}

/// `list_id 0x00`: the prefix of one list's version keys.
pub fn version_prefix(list_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(list_id.len() + 1);
    k.extend_from_slice(list_id.as_bytes());
    k.push(0);
    k
}

/// `list_id 0x00 version`.
pub fn version_key(list_id: &str, version: u64) -> Vec<u8> {
    let mut k = version_prefix(list_id);
    k.extend_from_slice(&version.to_be_bytes());
    k
}

/// Splits a version key into list id and version.
pub fn parse_version_key(key: &[u8]) -> Option<(&str, u64)> {
    let (id, rest) = key.split_at(key.iter().position(|b| *b == 0)?);
    let v: [u8; 8] = rest.get(1..)?.try_into().ok()?;
    Some((std::str::from_utf8(id).ok()?, u64::from_be_bytes(v)))
}

/// Key of the open-case index for an exporter and a shipment reference.
pub fn case_index_key(exporter: &str, reference: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + exporter.len() + reference.len());
    // Lengths beyond u32 cannot reach the store (requests are far smaller);
    // saturating keeps the encoding total anyway.
    let len = u32::try_from(exporter.len()).unwrap_or(u32::MAX);
    k.extend_from_slice(&len.to_be_bytes());
    k.extend_from_slice(exporter.as_bytes());
    k.extend_from_slice(reference.as_bytes());
    k
}

/// `scr-` + 16 hex digits.
pub fn screening_id(n: u64) -> String {
    format!("{SCREENING_PREFIX}{n:016x}")
}

/// `case-` + 16 hex digits.
pub fn case_id(n: u64) -> String {
    format!("{CASE_PREFIX}{n:016x}")
}

/// Prefix of suppression ids.
pub const SUPPRESSION_PREFIX: &str = "sup-";

/// `sup-` + 16 hex digits.
pub fn suppression_id(n: u64) -> String {
    format!("{SUPPRESSION_PREFIX}{n:016x}")
}

/// Length of a queue position's fixed part (priority and time).
const QUEUE_FIXED: usize = 12;

/// The queue position of a case: priority (highest first), creation time
/// (oldest first), case id.
pub fn queue_position(priority_score: u32, created_at_unix_ms: i64, case_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(QUEUE_FIXED + case_id.len());
    k.extend_from_slice(&(u32::MAX - priority_score).to_be_bytes());
    k.extend_from_slice(&((created_at_unix_ms as u64) ^ (1 << 63)).to_be_bytes());
    k.extend_from_slice(case_id.as_bytes());
    k
}

/// True when `pos` has the shape of a queue position (a fixed part and a
/// UTF-8 case id).
pub fn is_queue_position(pos: &[u8]) -> bool {
    pos.len() > QUEUE_FIXED && std::str::from_utf8(&pos[QUEUE_FIXED..]).is_ok()
}

/// `status code | position`.
pub fn queue_key(status_code: u8, position: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + position.len());
    k.push(status_code);
    k.extend_from_slice(position);
    k
}

/// Key of the active-suppression index.
pub fn suppression_index_key(party_key: &str, list_id: &str, entry_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + party_key.len() + list_id.len() + entry_id.len());
    for part in [party_key, list_id] {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        k.extend_from_slice(&len.to_be_bytes());
        k.extend_from_slice(part.as_bytes());
    }
    k.extend_from_slice(entry_id.as_bytes());
    k
}

/// Printable form of a key for error messages.
pub fn printable(key: &[u8]) -> String {
    match parse_version_key(key) {
        Some((id, v)) => format!("{id}@{v}"),
        None => String::from_utf8_lossy(key).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_id_rule() {
        let cases: &[(&str, bool)] = &[
            ("ofac-sdn", true),
            ("mtcr", true),
            ("0list", true),
            ("a", true),
            (&"a".repeat(64), true),
            (&"a".repeat(65), false),
            ("", false),
            ("-sdn", false),
            ("OFAC", false),
            ("ofac_sdn", false),
            ("ofac sdn", false),
            ("ofac/sdn", false),
            ("ofäc", false),
        ];
        for (id, ok) in cases {
            assert_eq!(is_valid_list_id(id), *ok, "{id:?}");
            assert_eq!(check_list_id(id).is_ok(), *ok, "{id:?}");
        }
    }

    #[test]
    fn version_keys_round_trip_and_sort_by_version() {
        let k = version_key("ofac-sdn", 258);
        assert_eq!(parse_version_key(&k), Some(("ofac-sdn", 258)));
        assert!(version_key("a", 2) < version_key("a", 10));
        assert!(version_key("a", 255) < version_key("a", 256));
        // One list's prefix never covers another list's keys.
        assert!(!version_key("ofac-sdn2", 1).starts_with(&version_prefix("ofac-sdn")));
        assert_eq!(printable(&k), "ofac-sdn@258");
    }

    #[test]
    fn case_index_keys_are_unambiguous() {
        assert_ne!(case_index_key("ab", "c"), case_index_key("a", "bc"));
        assert_eq!(case_index_key("x", "y"), case_index_key("x", "y"));
    }

    #[test]
    fn ids_sort_in_numeric_order() {
        let mut ids: Vec<String> = [300u64, 2, 17, 1 << 40]
            .iter()
            .map(|n| screening_id(*n))
            .collect();
        ids.sort();
        assert_eq!(
            ids,
            vec![
                screening_id(2),
                screening_id(17),
                screening_id(300),
                screening_id(1 << 40)
            ]
        );
        assert_eq!(case_id(42), "case-000000000000002a");
        assert_eq!(suppression_id(42), "sup-000000000000002a");
    }

    #[test]
    fn queue_positions_sort_by_priority_then_age_then_id() {
        let ordered = [
            queue_position(3400, 500, "case-9"),
            queue_position(3400, 900, "case-1"),
            queue_position(3400, 900, "case-2"),
            queue_position(2999, -5, "case-0"),
            queue_position(2999, 0, "case-0"),
            queue_position(0, i64::MIN, "case-0"),
            queue_position(0, i64::MAX, "case-0"),
        ];
        for w in ordered.windows(2) {
            assert!(w[0] < w[1], "{:?} < {:?}", w[0], w[1]);
        }
        assert!(ordered.iter().all(|p| is_queue_position(p)));
        assert!(!is_queue_position(&ordered[0][..12]));
        assert!(!is_queue_position(b"short"));
        // The status byte groups keys without changing the order inside.
        assert!(queue_key(1, &ordered[1]) < queue_key(1, &ordered[2]));
        assert!(queue_key(1, &ordered[6]) < queue_key(2, &ordered[0]));
    }

    #[test]
    fn suppression_index_keys_are_unambiguous() {
        assert_ne!(
            suppression_index_key("a", "bc", "d"),
            suppression_index_key("ab", "c", "d")
        );
        assert_ne!(
            suppression_index_key("a", "b", "cd"),
            suppression_index_key("a", "bc", "d")
        );
    }
}
