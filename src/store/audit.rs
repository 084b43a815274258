//! The append-only audit trail: every screening, decision, suppression and
//! list change as a record chained by hash, so that a changed, removed or
//! inserted record is detectable.
//!
//! Record `n` stores `hash = sha256(prev_hash | seq | time | actor | action
//! | subject | reason | details)` where `prev_hash` is record `n-1`'s hash
//! (64 zeros for the first). Records are keyed by their sequence number
//! (big-endian) in the `audit` tree; the head (last sequence and hash) is
//! kept under one key of the `audit_head` tree and updated in the same
//! transaction, so the chain never forks.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sled::Transactional;
use sled::transaction::{ConflictableTransactionError, TransactionError};

use super::{Store, StoreError};

/// Hash that precedes the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const HEAD_KEY: &[u8] = b"head";

/// One audit record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// 1, 2, 3 ... in append order.
    pub seq: u64,
    /// Unix time in milliseconds.
    pub at_unix_ms: i64,
    /// Who did it (principal, `seed`, `system` ...).
    pub actor: String,
    /// What was done: `screening`, `list.import`, `case.decide` ...
    pub action: String,
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
#[derive(Clone, Debug, Default)]
pub struct NewAudit {
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
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

#[derive(Serialize, Deserialize)]
struct Head {
    seq: u64,
    hash: String,
}

/// The hash of a record's content given its predecessor's hash.
pub fn record_hash(r: &AuditRecord) -> String {
    let mut h = Sha256::new();
    for part in [
        r.prev_hash.as_bytes(),
        r.seq.to_string().as_bytes(),
        r.at_unix_ms.to_string().as_bytes(),
        r.actor.as_bytes(),
        r.action.as_bytes(),
        r.subject.as_bytes(),
        r.reason.as_bytes(),
        r.details.to_string().as_bytes(),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    hex::encode(h.finalize())
}

impl Store {
    /// Appends a record at time `at_unix_ms`; returns it with its sequence
    /// number and hash. Durable after the next [`Store::flush`].
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or the head is unreadable.
    pub fn append_audit(&self, new: NewAudit, at_unix_ms: i64) -> Result<AuditRecord, StoreError> {
        let res = (&self.audit, &self.audit_head).transaction(|(audit, head)| {
            let (seq, prev_hash) = match head.get(HEAD_KEY)? {
                Some(v) => {
                    let h: Head = serde_json::from_slice(&v).map_err(|e| {
                        ConflictableTransactionError::Abort(StoreError::Corrupt {
                            key: "audit_head/head".into(),
                            message: e.to_string(),
                        })
                    })?;
                    (h.seq + 1, h.hash)
                }
                None => (1, GENESIS.to_string()),
            };
            let mut rec = AuditRecord {
                seq,
                at_unix_ms,
                actor: new.actor.clone(),
                action: new.action.clone(),
                subject: new.subject.clone(),
                reason: new.reason.clone(),
                details: new.details.clone(),
                prev_hash,
                hash: String::new(),
            };
            rec.hash = record_hash(&rec);
            let value = serde_json::to_vec(&rec).map_err(|cause| {
                ConflictableTransactionError::Abort(StoreError::Encode {
                    what: "audit record",
                    cause,
                })
            })?;
            let head_value = serde_json::to_vec(&Head {
                seq,
                hash: rec.hash.clone(),
            })
            .map_err(|cause| {
                ConflictableTransactionError::Abort(StoreError::Encode {
                    what: "audit head",
                    cause,
                })
            })?;
            audit.insert(&seq.to_be_bytes(), value)?;
            head.insert(HEAD_KEY, head_value)?;
            Ok(rec)
        });
        match res {
            Ok(r) => Ok(r),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(e.into()),
        }
    }

    /// Appends a record inside a transaction over the `audit` and
    /// `audit_head` trees (in that order), so that the record is written
    /// with the change it describes, or not at all.
    ///
    /// # Errors
    /// A conflict (sled retries the transaction) or an abort with
    /// [`StoreError`] when the head is unreadable or a value cannot be encoded.
    pub(crate) fn append_audit_in<E: From<StoreError>>(
        audit: &sled::transaction::TransactionalTree,
        head: &sled::transaction::TransactionalTree,
        new: NewAudit,
        at_unix_ms: i64,
    ) -> Result<AuditRecord, ConflictableTransactionError<E>> {
        let abort = |e: StoreError| ConflictableTransactionError::Abort(E::from(e));
        let (seq, prev_hash) = match head.get(HEAD_KEY)? {
            Some(v) => {
                let h: Head = serde_json::from_slice(&v).map_err(|e| {
                    abort(StoreError::Corrupt {
                        key: "audit_head/head".into(),
                        message: e.to_string(),
                    })
                })?;
                (h.seq + 1, h.hash)
            }
            None => (1, GENESIS.to_string()),
        };
        let NewAudit {
            actor,
            action,
            subject,
            reason,
            details,
        } = new;
        let mut rec = AuditRecord {
            seq,
            at_unix_ms,
            actor,
            action,
            subject,
            reason,
            details,
            prev_hash,
            hash: String::new(),
        };
        rec.hash = record_hash(&rec);
        let value = serde_json::to_vec(&rec).map_err(|cause| {
            abort(StoreError::Encode {
                what: "audit record",
                cause,
            })
        })?;
        let head_value = serde_json::to_vec(&Head {
            seq,
            hash: rec.hash.clone(),
        })
        .map_err(|cause| {
            abort(StoreError::Encode {
                what: "audit head",
                cause,
            })
        })?;
        audit.insert(&seq.to_be_bytes(), value)?;
        head.insert(HEAD_KEY, head_value)?;
        Ok(rec)
    }

    /// Records with `at_unix_ms` in `[from, to)`, in sequence order.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails or a record is unreadable.
    pub fn audit_range(
        &self,
        from_unix_ms: i64,
        to_unix_ms: i64,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        let mut out = Vec::new();
        for kv in self.audit.iter() {
            let (k, v) = kv?;
            let r = decode(&k, &v)?;
            if r.at_unix_ms >= from_unix_ms && r.at_unix_ms < to_unix_ms {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Checks every record: consecutive sequence numbers, each linking to
    /// its predecessor's hash and hashing to its own.
    ///
    /// # Errors
    /// [`StoreError`] when the database fails (a tampered record is a
    /// [`ChainCheck::Broken`], not an error).
    pub fn verify_audit(&self) -> Result<ChainCheck, StoreError> {
        let mut prev = GENESIS.to_string();
        let mut expect = 1u64;
        for kv in self.audit.iter() {
            let (k, v) = kv?;
            let r = match decode(&k, &v) {
                Ok(r) => r,
                Err(e) => {
                    return Ok(ChainCheck::Broken {
                        seq: expect,
                        problem: e.to_string(),
                    });
                }
            };
            if r.seq != expect {
                return Ok(ChainCheck::Broken {
                    seq: expect,
                    problem: format!("record {expect} is missing (next is {})", r.seq),
                });
            }
            if r.prev_hash != prev {
                return Ok(ChainCheck::Broken {
                    seq: r.seq,
                    problem: "does not link to the previous record's hash".into(),
                });
            }
            if record_hash(&r) != r.hash {
                return Ok(ChainCheck::Broken {
                    seq: r.seq,
                    problem: "content does not match its hash (altered)".into(),
                });
            }
            prev = r.hash;
            expect += 1;
        }
        Ok(ChainCheck::Intact {
            records: expect - 1,
        })
    }

    /// Overwrites a stored record as is (tests of tamper detection only).
    #[doc(hidden)]
    pub fn tamper_audit_for_tests(&self, rec: &AuditRecord) -> Result<(), StoreError> {
        let v = serde_json::to_vec(rec).map_err(|cause| StoreError::Encode {
            what: "audit record",
            cause,
        })?;
        self.audit.insert(rec.seq.to_be_bytes(), v)?;
        Ok(())
    }
}

fn decode(k: &[u8], v: &[u8]) -> Result<AuditRecord, StoreError> {
    serde_json::from_slice(v).map_err(|e| StoreError::Corrupt {
        key: format!("audit/{}", hex::encode(k)),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(action: &str) -> NewAudit {
        NewAudit {
            actor: "alice".into(),
            action: action.into(),
            subject: "scr-1".into(),
            reason: "test".into(),
            details: serde_json::json!({"decision": "REVIEW"}),
        }
    }

    #[test]
    fn records_chain_and_verify() {
        let s = Store::temporary().unwrap();
        let a = s.append_audit(new("screening"), 10).unwrap();
        let b = s.append_audit(new("case.decide"), 20).unwrap();
        assert_eq!((a.seq, b.seq), (1, 2));
        assert_eq!(a.prev_hash, GENESIS);
        assert_eq!(b.prev_hash, a.hash);
        assert_eq!(s.verify_audit().unwrap(), ChainCheck::Intact { records: 2 });
        assert_eq!(s.audit_range(15, 30).unwrap(), vec![b]);
    }

    #[test]
    fn an_altered_record_breaks_the_chain() {
        let s = Store::temporary().unwrap();
        for i in 0..3 {
            s.append_audit(new("screening"), i).unwrap();
        }
        let mut r = s.audit_range(1, 2).unwrap().remove(0);
        r.reason = "rewritten".into();
        s.tamper_audit_for_tests(&r).unwrap();
        match s.verify_audit().unwrap() {
            ChainCheck::Broken { seq, problem } => {
                assert_eq!(seq, 2);
                assert!(problem.contains("altered"), "{problem}");
            }
            other => panic!("tampering not detected: {other:?}"),
        }
    }
}
