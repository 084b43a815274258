//! Per-thread memo of whole item classifications ([`crate::memo::TwoGen`]):
//! an exporter's item master lines recur shipment after shipment. The key
//! is every field of the item (description, declared code, quantity, unit,
//! parameters); items with long descriptions are not kept (they are rare
//! and would hold memory).

use std::cell::RefCell;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rustc_hash::FxHasher;

use super::ItemAssessment;
use crate::memo::TwoGen;
use crate::model::Item;

/// Items kept per generation (two generations per thread).
pub(crate) const PER_GENERATION: usize = 2048;

/// Longest description (bytes) that is kept: an ERP item line is far
/// shorter; longer texts are classified every time.
const MAX_DESCRIPTION: usize = 1024;

thread_local! {
    static MEMO: RefCell<TwoGen<Item, Arc<ItemAssessment>>> =
        RefCell::new(TwoGen::new(PER_GENERATION));
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
/// (-0.0 is not 0.0 here; either way the answer would be right, only
/// computed once more).
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
    crate::memo::get_or_compute(
        &MEMO,
        engine,
        item_hash(item),
        |k| same_item(k, item),
        || item.clone(),
        || Arc::new(compute()),
    )
}

/// Items kept on this thread for `engine` (both generations): for tests.
#[cfg(test)]
pub(crate) fn kept(engine: u64) -> usize {
    MEMO.with(|m| m.borrow().len(engine))
}
