//! A bounded per-thread memo of answers the engine computed before, for
//! inputs that recur: an exporter's item master lines and its regular
//! consignees are screened shipment after shipment, and what the engine
//! answers for them is a pure function of the input and of the engine.
//!
//! [`TwoGen`] keeps two generations of at most `per_generation` answers,
//! tagged with the engine that computed them (an engine built later, after
//! a list change, never reads another's answers: the memo is emptied when
//! another engine uses it). When the current generation is full it becomes
//! the previous one and the older one is dropped; an answer found in the
//! previous generation moves to the current one, so inputs screened often
//! stay. A look-up goes by a hash of the input and then compares the kept
//! input with the query in full: a hash collision is a miss, never another
//! input's answer, and a hit allocates nothing.
//!
//! The item memo (`item/memo.rs`) and the party memo (`party/answers.rs`)
//! are two of these.

use std::cell::RefCell;
use std::thread::LocalKey;

use rustc_hash::FxHashMap;

/// The answer kept in the thread's `memo` for the input hashed to `hash`
/// (`same` compares the kept input with the query) by engine `engine`;
/// on a miss, `compute` answers (outside the memo's borrow) and `key`
/// makes the input to keep with the answer.
pub(crate) fn get_or_compute<K: 'static, V: Clone + 'static>(
    memo: &'static LocalKey<RefCell<TwoGen<K, V>>>,
    engine: u64,
    hash: u64,
    same: impl Fn(&K) -> bool,
    key: impl FnOnce() -> K,
    compute: impl FnOnce() -> V,
) -> V {
    if let Some(v) = memo.with(|m| m.borrow_mut().get(engine, hash, same)) {
        return v;
    }
    let v = compute();
    memo.with(|m| m.borrow_mut().put(engine, hash, key(), v.clone()));
    v
}

/// Two generations of kept answers, keyed by a hash of their input.
pub(crate) struct TwoGen<K, V> {
    engine: u64,
    per_generation: usize,
    current: FxHashMap<u64, (K, V)>,
    previous: FxHashMap<u64, (K, V)>,
}

impl<K, V: Clone> TwoGen<K, V> {
    /// An empty memo of at most `per_generation` answers per generation.
    pub(crate) fn new(per_generation: usize) -> TwoGen<K, V> {
        TwoGen {
            engine: 0,
            per_generation,
            current: FxHashMap::default(),
            previous: FxHashMap::default(),
        }
    }

    /// The answer kept for the input hashed to `hash` by engine `engine`,
    /// if `same` says the kept input is the query.
    pub(crate) fn get(&mut self, engine: u64, hash: u64, same: impl Fn(&K) -> bool) -> Option<V> {
        if self.engine != engine {
            return None;
        }
        if let Some((k, v)) = self.current.get(&hash) {
            return same(k).then(|| v.clone());
        }
        let (k, v) = self.previous.remove(&hash)?;
        if !same(&k) {
            return None;
        }
        let answer = v.clone();
        self.insert(hash, k, v);
        Some(answer)
    }

    /// Keeps `value` for `key` (hashed to `hash`), computed by `engine`.
    pub(crate) fn put(&mut self, engine: u64, hash: u64, key: K, value: V) {
        if self.engine != engine {
            self.engine = engine;
            self.current.clear();
            self.previous.clear();
        }
        self.insert(hash, key, value);
    }

    fn insert(&mut self, hash: u64, key: K, value: V) {
        if self.current.len() >= self.per_generation && !self.current.contains_key(&hash) {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(hash, (key, value));
    }

    /// Answers kept for `engine` (both generations).
    #[cfg(test)]
    pub(crate) fn len(&self, engine: u64) -> usize {
        if self.engine == engine {
            self.current.len() + self.previous.len()
        } else {
            0
        }
    }
}
