//! The append-only audit trail: every screening, decision, suppression and
//! list change as a record chained by hash, so that a changed, removed or
//! inserted record is detectable. This module holds the records and the
//! chain's rules; a backend stores them (the sled backend in
//! `store/sled/audit.rs`).
//!
//! Record `n` stores `hash = sha256(prev_hash | seq | time | actor | action
//! | subject | reason | details)` where `prev_hash` is record `n-1`'s hash
//! (64 zeros for the first). A backend appends a record in the same
//! transaction as the change it describes, and keeps the head (last
//! sequence number and hash) with it, so the chain never forks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::actions::AuditAction;
use crate::ids::Actor;

/// Hash that precedes the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// 1, 2, 3 ... in append order.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub at_unix_ms: i64,
    /// Who did it (principal, `seed`, `system` ...).
    pub actor: String,
    /// What was done.
    pub action: AuditAction,
    /// What it was done to: a screening, case or list-version id.
    pub subject: String,
    /// Why (free text given by the actor; may be empty).
    pub reason: String,
    /// Structured details (decision, versions, counts ...).
    pub details: serde_json::Value,
    /// Hash of the previous record.
    pub prev_hash: String,
    /// Hash of this record (see the module documentation).
    pub hash: String,
}

/// A record to append (sequence, time and hashes are assigned).
#[derive(Clone, Debug)]
pub struct NewAudit {
    /// Who.
    pub actor: Actor,
    /// What.
    pub action: AuditAction,
    /// To what.
    pub subject: String,
    /// Why.
    pub reason: String,
    /// Details.
    pub details: serde_json::Value,
}

/// The result of checking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every record links to its predecessor and hashes to its stored hash.
    Intact {
        /// Number of records checked.
        records: u64,
    },
    /// The first record that does not check out.
    Broken {
        /// Its sequence number (or the missing one).
        seq: u64,
        /// What is wrong.
        problem: String,
    },
}

/// The last record of the chain: what the next record links to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    /// Its sequence number (0 before the first record).
    pub seq: u64,
    /// Its hash ([`GENESIS`] before the first record).
    pub hash: String,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

/// The hash of a record's content given its predecessor's hash.
///
/// Each part is hashed after its length (8 bytes, big-endian); numbers as
/// decimal text, the details as compact JSON, the digest as lowercase hex.
pub fn record_hash(r: &AuditRecord) -> String {
    record_hash_with(r, &serde_json::to_vec(&r.details).unwrap_or_default())
}

/// [`record_hash`] given the details as compact JSON (`details_json`, the
/// bytes `serde_json::to_vec(&r.details)` gives), so that a backend that
/// stores them serialises them once.
fn record_hash_with(r: &AuditRecord, details_json: &[u8]) -> String {
    let mut h = Sha256::new();
    let mut part = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    part(r.prev_hash.as_bytes());
    part(itoa::Buffer::new().format(r.seq).as_bytes());
    part(itoa::Buffer::new().format(r.at_unix_ms).as_bytes());
    part(r.actor.as_bytes());
    part(r.action.as_str().as_bytes());
    part(r.subject.as_bytes());
    part(r.reason.as_bytes());
    part(details_json);
    let mut hex = [0u8; 64];
    // 32 bytes always fit 64 hex digits.
    let _ = hex::encode_to_slice(h.finalize(), &mut hex);
    hex.iter().map(|&b| char::from(b)).collect()
}

/// The record that follows `head`, at time `at_unix_ms`, with its hash
/// (backends use [`next_record_encoded`], which also gives its bytes).
#[cfg(test)]
pub fn next_record(head: &Head, new: NewAudit, at_unix_ms: i64) -> AuditRecord {
    let details = serde_json::to_vec(&new.details).unwrap_or_default();
    next_record_with(head, new, at_unix_ms, &details)
}

/// The record that follows `head`, at time `at_unix_ms`, with its hash,
/// given the details as compact JSON (see [`record_hash_with`]).
fn next_record_with(
    head: &Head,
    new: NewAudit,
    at_unix_ms: i64,
    details_json: &[u8],
) -> AuditRecord {
    let NewAudit {
        actor,
        action,
        subject,
        reason,
        details,
    } = new;
    let mut rec = AuditRecord {
        seq: head.seq + 1,
        at_unix_ms,
        actor: actor.as_str().to_string(),
        action,
        subject,
        reason,
        details,
        prev_hash: head.hash.clone(),
        hash: String::new(),
    };
    rec.hash = record_hash_with(&rec, details_json);
    rec
}

/// The record that follows `head` and its stored form: the JSON that
/// `serde_json::to_vec(&record)` gives, with the details serialised once
/// for both the hash and the stored bytes (every screening appends one).
///
/// # Errors
/// [`serde_json::Error`] when the details cannot be serialised.
pub fn next_record_encoded(
    head: &Head,
    new: NewAudit,
    at_unix_ms: i64,
) -> Result<(AuditRecord, Vec<u8>), serde_json::Error> {
    let details = serde_json::to_vec(&new.details)?;
    let rec = next_record_with(head, new, at_unix_ms, &details);
    let mut out = Vec::with_capacity(details.len() + 320);
    let field = |out: &mut Vec<u8>, name: &[u8]| {
        out.extend_from_slice(if out.is_empty() { b"{\"" } else { b",\"" });
        out.extend_from_slice(name);
        out.extend_from_slice(b"\":");
    };
    field(&mut out, b"seq");
    out.extend_from_slice(itoa::Buffer::new().format(rec.seq).as_bytes());
    field(&mut out, b"at_unix_ms");
    out.extend_from_slice(itoa::Buffer::new().format(rec.at_unix_ms).as_bytes());
    field(&mut out, b"actor");
    serde_json::to_writer(&mut out, &rec.actor)?;
    field(&mut out, b"action");
    serde_json::to_writer(&mut out, &rec.action)?;
    field(&mut out, b"subject");
    serde_json::to_writer(&mut out, &rec.subject)?;
    field(&mut out, b"reason");
    serde_json::to_writer(&mut out, &rec.reason)?;
    field(&mut out, b"details");
    out.extend_from_slice(&details);
    field(&mut out, b"prev_hash");
    serde_json::to_writer(&mut out, &rec.prev_hash)?;
    field(&mut out, b"hash");
    serde_json::to_writer(&mut out, &rec.hash)?;
    out.push(b'}');
    Ok((rec, out))
}

/// Checks a chain given its records in sequence order (a record that
/// could not be decoded is an `Err` with why): consecutive sequence
/// numbers, each linking to its predecessor's hash and hashing to its own.
pub fn check_chain(records: impl IntoIterator<Item = Result<AuditRecord, String>>) -> ChainCheck {
    let mut prev = GENESIS.to_string();
    let mut expect = 1u64;
    for r in records {
        let r = match r {
            Ok(r) => r,
            Err(problem) => {
                return ChainCheck::Broken {
                    seq: expect,
                    problem,
                };
            }
        };
        if r.seq != expect {
            return ChainCheck::Broken {
                seq: expect,
                problem: format!("record {expect} is missing (next is {})", r.seq),
            };
        }
        if r.prev_hash != prev {
            return ChainCheck::Broken {
                seq: r.seq,
                problem: "does not link to the previous record's hash".into(),
            };
        }
        if record_hash(&r) != r.hash {
            return ChainCheck::Broken {
                seq: r.seq,
                problem: "content does not match its hash (altered)".into(),
            };
        }
        prev = r.hash;
        expect += 1;
    }
    ChainCheck::Intact {
        records: expect - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(action: AuditAction) -> NewAudit {
        NewAudit {
            actor: Actor::new("alice"),
            action,
            subject: "scr-1".into(),
            reason: "test".into(),
            details: serde_json::json!({"decision": "REVIEW"}),
        }
    }

    fn chain(n: usize) -> Vec<AuditRecord> {
        let mut head = Head::default();
        let mut out = Vec::new();
        for i in 0..n {
            let r = next_record(&head, new(AuditAction::Screening), i as i64);
            head = Head {
                seq: r.seq,
                hash: r.hash.clone(),
            };
            out.push(r);
        }
        out
    }

    #[test]
    fn records_chain_and_verify() {
        let c = chain(3);
        assert_eq!(c[0].prev_hash, GENESIS);
        assert_eq!(c[1].prev_hash, c[0].hash);
        assert_eq!(
            check_chain(c.into_iter().map(Ok)),
            ChainCheck::Intact { records: 3 }
        );
    }

    #[test]
    fn an_altered_missing_or_undecodable_record_breaks_the_chain() {
        let mut altered = chain(3);
        altered[1].reason = "rewritten".into();
        type Case = (
            &'static str,
            Vec<Result<AuditRecord, String>>,
            u64,
            &'static str,
        );
        let table: Vec<Case> = vec![
            (
                "altered",
                altered.into_iter().map(Ok).collect(),
                2,
                "altered",
            ),
            (
                "missing",
                chain(3)
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| *i != 1)
                    .map(|(_, r)| Ok(r))
                    .collect(),
                2,
                "missing",
            ),
            (
                "undecodable",
                vec![Ok(chain(1).remove(0)), Err("not JSON".into())],
                2,
                "not JSON",
            ),
        ];
        for (name, records, seq, problem) in table {
            match check_chain(records) {
                ChainCheck::Broken { seq: s, problem: p } => {
                    assert_eq!(s, seq, "{name}");
                    assert!(p.contains(problem), "{name}: {p}");
                }
                other => panic!("{name}: not detected: {other:?}"),
            }
        }
    }

    /// The formula as the module documentation states it, written plainly:
    /// stored chains were hashed with it.
    fn hash_as_documented(r: &AuditRecord) -> String {
        let mut h = Sha256::new();
        for part in [
            r.prev_hash.as_bytes(),
            r.seq.to_string().as_bytes(),
            r.at_unix_ms.to_string().as_bytes(),
            r.actor.as_bytes(),
            r.action.as_str().as_bytes(),
            r.subject.as_bytes(),
            r.reason.as_bytes(),
            r.details.to_string().as_bytes(),
        ] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        hex::encode(h.finalize())
    }

    #[test]
    fn the_hash_is_the_documented_formula() {
        let mut records = chain(5);
        records[2].details = serde_json::json!({
            "exporter": "Ex \"quoted\" \u{e9}t\u{e9}",
            "list_versions": ["ofac-sdn@2024-01", "un@7"],
            "findings": 3,
            "nested": {"b": [1.5, null, true], "a": "\n"},
        });
        records[3].seq = u64::MAX;
        records[4].at_unix_ms = -1;
        for r in &records {
            assert_eq!(record_hash(r), hash_as_documented(r));
        }
    }

    #[test]
    fn a_record_is_stored_as_serde_would_store_it() {
        let mut head = Head::default();
        for (i, details) in [
            serde_json::json!({}),
            serde_json::json!({"exporter": "Ex \"q\" \u{e9}\n", "n": [1.5, null, -3], "e": {}}),
            serde_json::json!("plain"),
        ]
        .into_iter()
        .enumerate()
        {
            let new = NewAudit {
                actor: Actor::system(),
                action: AuditAction::Screening,
                subject: format!("scr-{i}\u{1f}\\"),
                reason: "why \"not\"".into(),
                details,
            };
            let (rec, bytes) = next_record_encoded(&head, new.clone(), -7).unwrap();
            assert_eq!(rec, next_record(&head, new, -7));
            assert_eq!(bytes, serde_json::to_vec(&rec).unwrap());
            assert_eq!(rec.hash, hash_as_documented(&rec));
            head = Head {
                seq: rec.seq,
                hash: rec.hash,
            };
        }
    }

    #[test]
    fn the_hash_covers_the_stored_action_name() {
        // Records written before actions were an enum hashed the same text.
        let r = chain(1).remove(0);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["action"], "screening");
        let back: AuditRecord = serde_json::from_value(json).unwrap();
        assert_eq!(record_hash(&back), r.hash);
    }
}
