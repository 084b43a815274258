//! Per-thread memo of the expansions of query words the lists do not know.
//!
//! A listed word's expansions are kept by the index itself (one slot per
//! token id). A word the lists do not know ("Schneider" in "Anna Schneider
//! GmbH", the joined pair "annaschneider") used to be expanded afresh by
//! every query: one-edit and skeleton neighbourhoods, transcriptions, the
//! two-edit look-up. Those are pure functions of the word and of the index,
//! so each thread keeps the last few thousand of them here, tagged with the
//! index that computed them (an index built later never reads another's).
//! A memo that fills up is emptied whole: its size stays bounded whatever
//! the queries.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

use rustc_hash::FxHashMap;

/// Listed tokens with similarities, sorted by id (as `expand_token` gives).
pub(super) type Exp = Rc<[(u32, f32)]>;

/// Words kept per thread, all kinds together, before the memo is emptied.
const MAX_WORDS: usize = 4096;

/// What is memoised for a word.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// `expand_token(word, false)`.
    Plain = 0,
    /// `expand_token(word, true)` (a consonantal query).
    Consonantal = 1,
    /// The two-edit neighbours of the word, before they are merged.
    TwoEdits = 2,
}

/// A number for each index built, so that a thread's memo knows whose it is.
pub(super) fn next_index_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[derive(Default)]
struct Memo {
    index: u64,
    words: [FxHashMap<Box<str>, Exp>; 3],
    len: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// The memoised value of `kind` for `word` under index `index`, computed by
/// `compute` on a miss. `compute` runs outside the memo's borrow.
pub(super) fn get_or_compute(
    index: u64,
    kind: Kind,
    word: &str,
    compute: impl FnOnce() -> Vec<(u32, f32)>,
) -> Exp {
    let k = kind as usize;
    let hit = MEMO.with(|m| {
        let m = m.borrow();
        if m.index == index {
            m.words[k].get(word).cloned()
        } else {
            None
        }
    });
    if let Some(exp) = hit {
        return exp;
    }
    let exp: Exp = compute().into();
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.index != index || m.len >= MAX_WORDS {
            *m = Memo {
                index,
                ..Memo::default()
            };
        }
        if m.words[k].insert(word.into(), exp.clone()).is_none() {
            m.len += 1;
        }
    });
    exp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_computed_once_per_index_and_kind() {
        let index = next_index_id();
        let mut calls = 0;
        for _ in 0..3 {
            let e = get_or_compute(index, Kind::Plain, "schneider", || {
                calls += 1;
                vec![(7, 0.9)]
            });
            assert_eq!(&*e, &[(7, 0.9)]);
        }
        assert_eq!(calls, 1);
        // Another kind of the same word is its own value.
        let e = get_or_compute(index, Kind::TwoEdits, "schneider", Vec::new);
        assert!(e.is_empty());
        // Another index never reads this one's values.
        let other = next_index_id();
        let e = get_or_compute(other, Kind::Plain, "schneider", || vec![(1, 1.0)]);
        assert_eq!(&*e, &[(1, 1.0)]);
    }

    #[test]
    fn a_full_memo_is_emptied_and_stays_bounded() {
        let index = next_index_id();
        for i in 0..MAX_WORDS + 10 {
            get_or_compute(index, Kind::Plain, &format!("w{i}"), || {
                vec![(i as u32, 1.0)]
            });
        }
        let len = MEMO.with(|m| m.borrow().len);
        assert!(len <= MAX_WORDS, "{len}");
        // The first word was dropped with the rest: computed again.
        let mut again = false;
        get_or_compute(index, Kind::Plain, "w0", || {
            again = true;
            vec![(0, 1.0)]
        });
        assert!(again);
    }
}
