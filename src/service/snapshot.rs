//! The live snapshot: the engine and the exact list versions it was built
//! from, swapped together, once per list version. Readers take an
//! `Arc<Snapshot>` and never wait; a screening in flight keeps the
//! snapshot it started with.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::reference::ReferenceFiles;
use crate::engine::{Engine, EngineError, LoadedList};

/// The current version of every list, by id.
pub type CurrentLists = BTreeMap<String, LoadedList>;

/// An engine and the lists it was built from.
#[derive(Debug)]
pub struct Snapshot {
    /// The engine.
    pub engine: Arc<Engine>,
    /// The list versions it was built from, by id.
    pub lists: CurrentLists,
}

impl Snapshot {
    /// Builds the engine from `lists` but the retired ones (those stay in
    /// the snapshot for replay; slow: call it off the async workers).
    ///
    /// # Errors
    /// [`EngineError`] when the configuration or a list is unusable.
    pub fn build(
        lists: Vec<LoadedList>,
        reference: &ReferenceFiles,
    ) -> Result<Snapshot, EngineError> {
        let screened: Vec<LoadedList> = lists.iter().filter(|l| !l.meta.retired).cloned().collect();
        let engine = Engine::build(&screened, reference)?;
        Ok(Snapshot {
            engine: Arc::new(engine),
            lists: lists
                .into_iter()
                .map(|l| (l.meta.list_id.clone(), l))
                .collect(),
        })
    }
}
