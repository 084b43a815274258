//! Per-thread memo of whole item classifications.
//!
//! An exporter's items come from its item master: the same description,
//! declared code and parameters are screened shipment after shipment. An
//! item's classification is a pure function of the item and of the engine
//! (its control lists and word tables), so each thread keeps the last few
//! thousand classifications here, tagged with the engine that computed them
//! (an engine built later, after a list change, never reads another's).
//!
//! The memo is bounded: two generations of at most [`PER_GENERATION`] items
//! each. When the current generation is full it becomes the previous one
//! and the older one is dropped; an item found in the previous generation
//! moves to the current one, so items screened often stay. Items with long
//! descriptions are not kept (they are rare and would hold memory).
//!
//! A look-up hashes the item's fields and compares the item kept under that
//! hash with the query field by field: two different items never share an
//! answer (a hash collision is a miss), and a hit allocates nothing.

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHasher};

use super::ItemAssessment;
use crate::model::Item;

/// Items kept per generation (two generations per thread).
pub(crate) const PER_GENERATION: usize = 2048;

/// Longest description (bytes) that is kept: an ERP item line is far
/// shorter; longer texts are classified every time.
const MAX_DESCRIPTION: usize = 1024;

struct Kept {
    item: Item,
    assessment: Arc<ItemAssessment>,
}

#[derive(Default)]
struct Memo {
    engine: u64,
    current: FxHashMap<u64, Kept>,
    previous: FxHashMap<u64, Kept>,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The hash of every field of `item` (floats by their bits).
fn item_hash(item: &Item) -> u64 {
    let mut h = FxHasher::default();
    item.description.hash(&mut h);
    item.declared_code.hash(&mut h);
    item.quantity.to_bits().hash(&mut h);
    item.unit.hash(&mut h);
    for (k, v) in &item.parameters {
        k.hash(&mut h);
        v.to_bits().hash(&mut h);
    }
    h.finish()
}

/// True when `a` and `b` are the same item, floats compared by their bits
/// (so that a NaN parameter, which the API rejects anyway, still matches
/// itself and -0.0 does not match 0.0).
fn same_item(a: &Item, b: &Item) -> bool {
    a.description == b.description
        && a.declared_code == b.declared_code
        && a.quantity.to_bits() == b.quantity.to_bits()
        && a.unit == b.unit
        && a.parameters.len() == b.parameters.len()
        && a.parameters
            .iter()
            .zip(&b.parameters)
            .all(|((ka, va), (kb, vb))| ka == kb && va.to_bits() == vb.to_bits())
}

/// The classification of `item` by engine `engine`, memoised on this
/// thread, computed by `compute` on a miss. `compute` runs outside the
/// memo's borrow.
pub(crate) fn get_or_compute(
    engine: u64,
    item: &Item,
    compute: impl FnOnce() -> ItemAssessment,
) -> Arc<ItemAssessment> {
    if item.description.len() > MAX_DESCRIPTION {
        return Arc::new(compute());
    }
    let hash = item_hash(item);
    let hit = MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.engine != engine {
            return None;
        }
        if let Some(k) = m.current.get(&hash) {
            return same_item(&k.item, item).then(|| Arc::clone(&k.assessment));
        }
        let kept = m.previous.remove(&hash)?;
        if !same_item(&kept.item, item) {
            return None;
        }
        let assessment = Arc::clone(&kept.assessment);
        insert(&mut m, hash, kept);
        Some(assessment)
    });
    if let Some(a) = hit {
        return a;
    }
    let assessment = Arc::new(compute());
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.engine != engine {
            *m = Memo {
                engine,
                ..Memo::default()
            };
        }
        insert(
            &mut m,
            hash,
            Kept {
                item: item.clone(),
                assessment: Arc::clone(&assessment),
            },
        );
    });
    assessment
}

/// Keeps `kept` in the current generation, turning a full one into the
/// previous generation first.
fn insert(m: &mut Memo, hash: u64, kept: Kept) {
    if m.current.len() >= PER_GENERATION && !m.current.contains_key(&hash) {
        m.previous = std::mem::take(&mut m.current);
    }
    m.current.insert(hash, kept);
}

/// Items kept on this thread for `engine` (both generations): for tests.
#[cfg(test)]
pub(crate) fn kept(engine: u64) -> usize {
    MEMO.with(|m| {
        let m = m.borrow();
        if m.engine == engine {
            m.current.len() + m.previous.len()
        } else {
            0
        }
    })
}
