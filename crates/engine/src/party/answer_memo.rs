//! Per-thread memo of a shipment party's list matches
//! ([`crate::memo::TwoGen`]): an exporter's consignees, end users and its
//! own name recur shipment after shipment, and their matches are a pure
//! function of the party (name, address, country as sent), of the number
//! of candidates asked for, and of the engine. Parties with long names or
//! addresses are not kept (they are rare and would hold memory).
//!
//! (`memo.rs` beside this file keeps the expansions of single unknown
//! words, for every query; this one keeps whole answers.)

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHasher;

use super::{PartyMatch, PartyQuery};
use crate::memo::TwoGen;

/// Parties kept per generation (two generations per thread).
pub(crate) const PER_GENERATION: usize = 2048;

/// Longest name plus address (bytes) that is kept.
const MAX_TEXT: usize = 1024;

/// A kept party: what was asked.
struct Asked {
    name: Box<str>,
    address: Box<str>,
    country: Box<str>,
    limit: usize,
}

impl Asked {
    fn is(&self, q: &PartyQuery<'_>, limit: usize) -> bool {
        self.limit == limit
            && *self.name == *q.name
            && *self.address == *q.address
            && *self.country == *q.country
    }
}

type Answer = Arc<Vec<PartyMatch>>;

thread_local! {
    static MEMO: RefCell<TwoGen<Asked, Answer>> = RefCell::new(TwoGen::new(PER_GENERATION));
}

fn query_hash(q: &PartyQuery<'_>, limit: usize) -> u64 {
    let mut h = FxHasher::default();
    q.name.hash(&mut h);
    q.address.hash(&mut h);
    q.country.hash(&mut h);
    limit.hash(&mut h);
    h.finish()
}

/// The best-per-list matches of `q` (asking `limit` candidates) by engine
/// `engine`, memoised on this thread, computed by `compute` on a miss.
/// `compute` runs outside the memo's borrow.
pub(crate) fn get_or_compute(
    engine: u64,
    q: &PartyQuery<'_>,
    limit: usize,
    compute: impl FnOnce() -> Vec<PartyMatch>,
) -> Answer {
    if q.name.len() + q.address.len() > MAX_TEXT {
        return Arc::new(compute());
    }
    crate::memo::get_or_compute(
        &MEMO,
        engine,
        query_hash(q, limit),
        |k| k.is(q, limit),
        || Asked {
            name: q.name.into(),
            address: q.address.into(),
            country: q.country.into(),
            limit,
        },
        || Arc::new(compute()),
    )
}

/// Parties kept on this thread for `engine` (both generations): for tests.
#[cfg(test)]
pub(crate) fn kept(engine: u64) -> usize {
    MEMO.with(|m| m.borrow().len(engine))
}
