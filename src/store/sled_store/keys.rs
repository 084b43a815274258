//! Key encoding of the sled backend: the byte layout of every key lives
//! here.
//!
//! - list versions and contents: `list_id 0x00 version(u64 big-endian)`, so
//!   a prefix scan over `list_id 0x00` yields one list's versions in order
//!   (list ids cannot contain 0x00);
//! - the open-case index: `len(exporter) (u32 big-endian) exporter reference`,
//!   unambiguous whatever bytes the two strings hold;
//! - a case's screenings: `case_id 0x00 seq (u32 big-endian)`, so a range
//!   scan reads a page of them in joining order; the reverse index
//!   `screening_id 0x00 case_id`;
//! - the case queue (priority index): `status code (1 byte) | u32::MAX -
//!   priority score (u32 big-endian) | created at (i64 with the sign bit
//!   flipped, big-endian) | case id`, so one status's cases sort by
//!   priority (highest first), then age (oldest first); the part after the
//!   status byte is a *queue position*, comparable across statuses;
//! - the active-suppression index: `len(party key) (u32 big-endian) party
//!   key len(list id) (u32 big-endian) list id entry id`;
//! - idempotency keys: `len(exporter) (u32 big-endian) exporter request_id`,
//!   and their expiry index `time (i64, sign bit flipped) key`.

use crate::ids::{CaseId, ListId, ScreeningId};
use crate::store::StoreError;

/// Checks a list id, as the store requires before writing.
pub fn check_list_id(id: &str) -> Result<(), StoreError> {
    if ListId::is_valid(id) {
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

/// Two strings, the first prefixed with its length: unambiguous.
fn pair(a: &str, b: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(4 + a.len() + b.len());
    // Lengths beyond u32 cannot reach the store (requests are far smaller);
    // saturating keeps the encoding total anyway.
    let len = u32::try_from(a.len()).unwrap_or(u32::MAX);
    k.extend_from_slice(&len.to_be_bytes());
    k.extend_from_slice(a.as_bytes());
    k.extend_from_slice(b.as_bytes());
    k
}

/// Key of the open-case index for an exporter and a shipment reference.
pub fn case_index_key(exporter: &str, reference: &str) -> Vec<u8> {
    pair(exporter, reference)
}

/// `case_id 0x00`: the prefix of one case's screenings.
pub fn member_prefix(case_id: &CaseId) -> Vec<u8> {
    let mut k = Vec::with_capacity(case_id.as_str().len() + 5);
    k.extend_from_slice(case_id.as_bytes());
    k.push(0);
    k
}

/// `case_id 0x00 seq`.
pub fn member_key(case_id: &CaseId, seq: u32) -> Vec<u8> {
    let mut k = member_prefix(case_id);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// `screening_id 0x00 case_id`: the reverse index of case membership.
pub fn screening_case_key(screening_id: &ScreeningId, case_id: &CaseId) -> Vec<u8> {
    let mut k = Vec::with_capacity(screening_id.as_str().len() + case_id.as_str().len() + 1);
    k.extend_from_slice(screening_id.as_bytes());
    k.push(0);
    k.extend_from_slice(case_id.as_bytes());
    k
}

/// Length of a queue position's fixed part (priority and time).
const QUEUE_FIXED: usize = 12;

/// A time as bytes that sort in time order (sign bit flipped, big-endian).
fn time_bytes(unix_ms: i64) -> [u8; 8] {
    ((unix_ms as u64) ^ (1 << 63)).to_be_bytes()
}

/// The queue position of a case: priority (highest first), creation time
/// (oldest first), case id.
pub fn queue_position(priority_score: u32, created_at_unix_ms: i64, case_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(QUEUE_FIXED + case_id.len());
    k.extend_from_slice(&(u32::MAX - priority_score).to_be_bytes());
    k.extend_from_slice(&time_bytes(created_at_unix_ms));
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

/// Key of the bulk "not a match" index: the match, 0x00, the case id.
pub fn sole_match_key(party_key: &str, list_id: &str, entry_id: &str, case_id: &str) -> Vec<u8> {
    let mut k = sole_match_prefix(party_key, list_id, entry_id);
    k.extend_from_slice(case_id.as_bytes());
    k
}

/// Prefix of [`sole_match_key`] for one match.
pub fn sole_match_prefix(party_key: &str, list_id: &str, entry_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(12 + party_key.len() + list_id.len() + entry_id.len());
    for part in [party_key, list_id, entry_id] {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        k.extend_from_slice(&len.to_be_bytes());
        k.extend_from_slice(part.as_bytes());
    }
    k.push(0);
    k
}

/// Key of an exporter's request id.
pub fn idempotency_key(exporter: &str, request_id: &str) -> Vec<u8> {
    pair(exporter, request_id)
}

/// Key of the expiry index: the time a request id was used, then its key.
pub fn idempotency_time_key(at_unix_ms: i64, key: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + key.len());
    k.extend_from_slice(&time_bytes(at_unix_ms));
    k.extend_from_slice(key);
    k
}

/// The expiry index's bound: keys of request ids used before `unix_ms`
/// sort below it.
pub fn idempotency_time_bound(unix_ms: i64) -> Vec<u8> {
    time_bytes(unix_ms).to_vec()
}

/// `screening_id 0x00 list_id 0x00 version`: a list-change case of a
/// screening.
pub fn change_case_key(screening_id: &ScreeningId, list_id: &str, version: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(screening_id.as_str().len() + list_id.len() + 10);
    k.extend_from_slice(screening_id.as_bytes());
    k.push(0);
    k.extend_from_slice(&version_key(list_id, version));
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
    fn version_keys_round_trip_and_sort_by_version() {
        let k = version_key("ofac-sdn", 258);
        assert_eq!(parse_version_key(&k), Some(("ofac-sdn", 258)));
        assert!(version_key("a", 2) < version_key("a", 10));
        assert!(version_key("a", 255) < version_key("a", 256));
        // One list's prefix never covers another list's keys.
        assert!(!version_key("ofac-sdn2", 1).starts_with(&version_prefix("ofac-sdn")));
        assert_eq!(printable(&k), "ofac-sdn@258");
        assert!(check_list_id("ofac-sdn").is_ok());
        assert!(matches!(
            check_list_id("Bad Id"),
            Err(StoreError::InvalidListId { .. })
        ));
    }

    #[test]
    fn index_keys_are_unambiguous() {
        assert_ne!(case_index_key("ab", "c"), case_index_key("a", "bc"));
        assert_eq!(case_index_key("x", "y"), case_index_key("x", "y"));
        assert_ne!(idempotency_key("ab", "c"), idempotency_key("a", "bc"));
        assert_ne!(
            suppression_index_key("a", "bc", "d"),
            suppression_index_key("ab", "c", "d")
        );
        assert_ne!(
            suppression_index_key("a", "b", "cd"),
            suppression_index_key("a", "bc", "d")
        );
    }

    #[test]
    fn members_sort_in_joining_order_within_their_case() {
        let c = CaseId::from_seq(7);
        let keys: Vec<Vec<u8>> = [1u32, 2, 255, 256, 70_000]
            .iter()
            .map(|n| member_key(&c, *n))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        assert!(keys.iter().all(|k| k.starts_with(&member_prefix(&c))));
        // Another case's members are outside the prefix.
        assert!(!member_key(&CaseId::from_seq(70), 1).starts_with(&member_prefix(&c)));
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
    fn the_expiry_index_sorts_by_time() {
        let k = idempotency_key("ACME", "r-1");
        let early = idempotency_time_key(-1, &k);
        let late = idempotency_time_key(1_700_000_000_000, &k);
        assert!(early < late);
        assert!(early < idempotency_time_bound(0));
        assert!(late >= idempotency_time_bound(1_700_000_000_000));
        assert!(late < idempotency_time_bound(1_700_000_000_001));
    }
}
