//! The application layer: what the service does, independent of gRPC.
//!
//! - [`Screening`]: screen a shipment and record it with its case
//!   ([`Screening::screen_and_record`]), screen a party or an item, read a
//!   stored screening.
//! - [`Lists`]: import, edit and replay (`retire` comes with the web
//!   console), and the lists' history (versions, entries, diffs).
//! - [`Cases`]: officers' commands (claim, request information, decide,
//!   mark, schedule and record checks), the queue, a case with its
//!   screenings a page at a time, suppressions, reports, the audit trail.
//! - [`Webhooks`]: subscriptions, their delivery log, and the background
//!   delivery of case and list events.
//!
//! Each method returns the crate's [`Error`](crate::Error) and owns two
//! decisions callers never make: what runs where (engine work on the
//! engine pool sized to the cores, storage reads on the blocking pool,
//! writes handed to the store's writer; nothing blocking on the async
//! workers) and the transaction boundary (one atomic store write per
//! command). The gRPC handlers in `src/api` check the caller, convert,
//! call one method and convert the answer back; the command line's offline
//! commands, `eval` and tests call these services directly.
//!
//! One [`Snapshot`] (the engine and the lists it was built from) is live
//! at a time and swapped once per list version.

mod cases;
mod engine_pool;
mod events;
mod intake;
mod lists;
pub mod refresh;
mod rescreen;
mod scope;
mod screening;
pub mod seed;
mod snapshot;
pub mod webhooks;

use std::sync::Arc;

use arc_swap::ArcSwap;

pub use cases::{CaseView, Cases, DEFAULT_MEMBERS_PAGE, MAX_MEMBERS_PAGE};
pub use engine_pool::{Cancel, EnginePool, Reply};
pub use events::CaseEvents;
pub use lists::{
    Committed, EditInfo, EntryEdit, EntryView, ImportRequest, Lists, NewVersion, Replay,
    VersionDiff, VersionInfo,
};
pub use rescreen::Runs;
pub use scope::Scope;
pub use screening::{
    ItemScreening, PartyScreening, ScreenRequest, Screened, Screening, planner as intake_planner,
};
pub use snapshot::{CurrentLists, Snapshot};
pub use webhooks::Webhooks;

use crate::engine::reference::ReferenceFiles;
use crate::engine::{Engine, EngineError, LoadedList};
use crate::shutdown::Tasks;
use crate::store::SharedStore;

/// Milliseconds since the Unix epoch.
pub fn now_unix_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Default look-back window of re-screening after a denial-list change.
pub const DEFAULT_RESCREEN_DAYS: u32 = 90;

/// What every service shares: the store, the live snapshot, the reference
/// configuration, the engine pool, case events, and the owner of
/// background tasks.
#[derive(Debug)]
pub struct Core {
    store: SharedStore,
    snapshot: ArcSwap<Snapshot>,
    /// Serialises list changes (the next snapshot is built from the current).
    change: tokio::sync::Mutex<()>,
    reference: Arc<ReferenceFiles>,
    events: CaseEvents,
    list_events: webhooks::ListEvents,
    pool: EnginePool,
    tasks: Tasks,
    rescreen_days: u32,
    rescreens: Arc<Runs>,
}

impl Core {
    /// The store.
    pub fn store(&self) -> &SharedStore {
        &self.store
    }

    /// The live snapshot (a list change does not affect one taken).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The live engine.
    pub fn engine(&self) -> Arc<Engine> {
        Arc::clone(&self.snapshot.load().engine)
    }

    /// The reference configuration engines are built with.
    pub fn reference(&self) -> &Arc<ReferenceFiles> {
        &self.reference
    }

    /// Case events (consoles) and entry fingerprints.
    pub fn events(&self) -> &CaseEvents {
        &self.events
    }

    /// Committed list versions (webhooks).
    pub fn list_events(&self) -> &webhooks::ListEvents {
        &self.list_events
    }

    /// The pool engine work runs on.
    pub fn pool(&self) -> &EnginePool {
        &self.pool
    }

    /// The owner of background tasks.
    pub fn tasks(&self) -> &Tasks {
        &self.tasks
    }

    /// The look-back window of re-screening in days (0: off).
    pub fn rescreen_days(&self) -> u32 {
        self.rescreen_days
    }
}

/// The services, sharing one [`Core`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Services {
    core: Arc<Core>,
    /// Screening shipments, parties and items.
    pub screening: Screening,
    /// Lists and their versions.
    pub lists: Lists,
    /// The case workflow and the audit trail.
    pub cases: Cases,
    /// Webhook subscriptions and their deliveries.
    pub webhooks: Webhooks,
}

/// How the services run.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Look-back window in days of re-screening (0: off).
    pub rescreen_days: u32,
    /// Threads of the engine pool (0: one per core).
    pub engine_threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rescreen_days: DEFAULT_RESCREEN_DAYS,
            engine_threads: 0,
        }
    }
}

impl Services {
    /// Builds the first engine from `lists` (on a blocking thread) and the
    /// services over `store`.
    ///
    /// # Errors
    /// [`EngineError`] when the configuration or a list is unusable.
    pub async fn start(
        store: SharedStore,
        reference: ReferenceFiles,
        lists: Vec<LoadedList>,
        options: Options,
    ) -> Result<Services, EngineError> {
        let reference = Arc::new(reference);
        let snapshot = {
            let reference = Arc::clone(&reference);
            tokio::task::spawn_blocking(move || Snapshot::build(lists, &reference))
                .await
                .map_err(|e| EngineError::Build(format!("engine build task failed: {e}")))??
        };
        let threads = match options.engine_threads {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        };
        let core = Arc::new(Core {
            store,
            snapshot: ArcSwap::from_pointee(snapshot),
            change: tokio::sync::Mutex::new(()),
            reference,
            events: CaseEvents::new(),
            list_events: webhooks::ListEvents::default(),
            pool: EnginePool::new(threads),
            tasks: Tasks::new(),
            rescreen_days: options.rescreen_days,
            rescreens: Arc::default(),
        });
        Ok(Services {
            screening: Screening::new(Arc::clone(&core)),
            lists: Lists::new(Arc::clone(&core)),
            cases: Cases::new(Arc::clone(&core)),
            webhooks: Webhooks::new(Arc::clone(&core)),
            core,
        })
    }

    /// What the services share.
    pub fn core(&self) -> &Arc<Core> {
        &self.core
    }

    /// The store.
    pub fn store(&self) -> &SharedStore {
        &self.core.store
    }

    /// The live snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.core.snapshot()
    }

    /// The live engine.
    pub fn engine(&self) -> Arc<Engine> {
        self.core.engine()
    }

    /// Waits until every re-screening started so far has finished.
    pub async fn rescreen_idle(&self) {
        self.core.rescreens.idle().await;
    }
}

/// Runs `f` on the blocking pool (storage reads, parsing) and waits for it.
///
/// # Errors
/// `f`'s error, or [`crate::Error::Internal`] when the task panicked.
pub async fn blocking<T, F>(f: F) -> Result<T, crate::Error>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, crate::Error> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| crate::Error::Internal(format!("background task failed: {e}")))?
}
