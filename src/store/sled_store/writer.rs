//! The one writer of the embedded backend: a dedicated thread that owns every
//! write, with group commit.
//!
//! Callers submit an operation (a closure over a [`Txn`]) and get an
//! [`Ack`]. The thread takes every operation waiting (up to
//! [`MAX_BATCH`]), runs them one after another against one [`Txn`] (each
//! sees the writes of those before it; a failed one leaves nothing),
//! commits the batch in one atomic batch of the engine and hands it to a flusher
//! thread, which flushes once for every committed batch waiting (a
//! synchronous `flush`: never `flush_async`) and only then answers each
//! operation. An answer therefore leaves only after the flush that covers
//! its write; under load one fsync covers many writes, and the next batch
//! is applied while the disk works: throughput grows with concurrency
//! instead of being bounded by fsyncs.
//!
//! Nothing else in the process writes to the database, so there are no
//! transaction conflicts, and no storage call runs on the async runtime. The
//! thread also expires old idempotency keys, a bounded number per batch.
//! Its progress ([`Stats`]) feeds the health watchdog.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tracing::{debug, error, info};

use super::screenings;
use super::txn::{T, Trees, Txn};
use crate::store::kv::Val;
use crate::store::{Ack, AckSender, StoreError, WriterHealth};

/// Most operations committed together.
pub const MAX_BATCH: usize = 1024;
/// Stop adding operations to a batch once it writes this many bytes (a
/// list import is one operation, whatever its size).
const MAX_BATCH_BYTES: usize = 32 << 20;
/// How often expired idempotency keys are removed.
const SWEEP_EVERY: Duration = Duration::from_secs(60);
/// Most expired idempotency keys removed per sweep.
const SWEEP_LIMIT: usize = 1000;

/// An operation: runs against the batch's view, returns what to do once
/// the batch is committed (or failed).
type Job = Box<dyn FnOnce(&mut Txn<'_>) -> Done + Send>;
/// Answers an operation given the batch's commit result.
type Done = Box<dyn FnOnce(Result<(), &StoreError>) + Send>;

enum Msg {
    Job(Job),
    Close(AckSender<()>),
}

/// Progress counters (read by [`Writer::health`]).
#[derive(Debug)]
pub struct Stats {
    started: Instant,
    submitted: AtomicU64,
    completed: AtomicU64,
    batches: AtomicU64,
    flushes: AtomicU64,
    flush_micros: AtomicU64,
    /// Milliseconds since `started` of the writer's last sign of life: a
    /// batch started or finished, or work handed to it while it was idle.
    progress_ms: AtomicU64,
    /// The last batch failed to commit or to flush.
    failing: AtomicBool,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            started: Instant::now(),
            submitted: AtomicU64::new(0),
            completed: AtomicU64::new(0),
            batches: AtomicU64::new(0),
            flushes: AtomicU64::new(0),
            flush_micros: AtomicU64::new(0),
            progress_ms: AtomicU64::new(0),
            failing: AtomicBool::new(false),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// The handle of the writer thread.
#[derive(Debug)]
pub struct Writer {
    tx: Mutex<Option<mpsc::Sender<Msg>>>,
    stats: Arc<Stats>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    /// Starts the writer thread over `trees`.
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the thread cannot be started.
    pub fn start(trees: Trees) -> Result<Writer, StoreError> {
        let (tx, rx) = mpsc::channel();
        let stats = Arc::new(Stats::new());
        let thread_stats = Arc::clone(&stats);
        let handle = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&trees, &rx, &thread_stats))
            .map_err(|e| StoreError::Backend(format!("starting the writer thread: {e}")))?;
        Ok(Writer {
            tx: Mutex::new(Some(tx)),
            stats,
            handle: Mutex::new(Some(handle)),
        })
    }

    /// Submits an operation; the answer comes once the batch holding it is
    /// durable. `E` is the operation's error type.
    pub fn submit<V, E>(
        &self,
        op: impl FnOnce(&mut Txn<'_>) -> Result<V, E> + Send + 'static,
    ) -> Ack<V, E>
    where
        V: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (sender, ack) = Ack::channel();
        self.submit_to(op, sender);
        ack
    }

    /// [`Writer::submit`], answering through `sender`.
    pub fn submit_to<V, E>(
        &self,
        op: impl FnOnce(&mut Txn<'_>) -> Result<V, E> + Send + 'static,
        sender: AckSender<V, E>,
    ) where
        V: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let job: Job = Box::new(move |txn: &mut Txn<'_>| -> Done {
            let result = op(txn);
            txn.end_op(result.is_ok());
            Box::new(move |commit: Result<(), &StoreError>| {
                sender.send(match (result, commit) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Ok(_), Err(e)) => Err(E::from(e.duplicate())),
                    (Err(e), _) => Err(e),
                });
            })
        });
        let guard = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        match guard.as_ref() {
            Some(tx) => {
                let before = self.stats.submitted.fetch_add(1, Ordering::Relaxed);
                if before == self.stats.completed.load(Ordering::Relaxed) {
                    // Idle until now: the wait for this write starts here.
                    self.stats
                        .progress_ms
                        .store(self.stats.now_ms(), Ordering::Relaxed);
                }
                if tx.send(Msg::Job(job)).is_err() {
                    // The thread is gone: the job (and its sender) dropped.
                    self.stats.completed.fetch_add(1, Ordering::Relaxed);
                }
            }
            // Closed: dropping the job answers WriterStopped.
            None => drop(job),
        }
    }

    /// Stops accepting operations; the answer comes once those submitted
    /// are durable and the thread has stopped.
    pub fn close(&self) -> Ack<()> {
        let (sender, ack) = Ack::channel();
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        match tx {
            Some(tx) => {
                if let Err(mpsc::SendError(Msg::Close(sender))) = tx.send(Msg::Close(sender)) {
                    sender.send(Ok(()));
                }
            }
            None => {
                // Closed before: wait for the thread if it is still running.
                let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
                std::thread::spawn(move || {
                    if let Some(h) = handle {
                        let _ = h.join();
                    }
                    sender.send(Ok(()));
                });
            }
        }
        ack
    }

    /// Pending work and time since the last progress.
    pub fn health(&self) -> WriterHealth {
        let submitted = self.stats.submitted.load(Ordering::Relaxed);
        let completed = self.stats.completed.load(Ordering::Relaxed);
        let now = self.stats.now_ms();
        WriterHealth {
            pending: submitted.saturating_sub(completed),
            idle_millis: now.saturating_sub(self.stats.progress_ms.load(Ordering::Relaxed)),
            completed,
            batches: self.stats.batches.load(Ordering::Relaxed),
            flushes: self.stats.flushes.load(Ordering::Relaxed),
            flush_micros: self.stats.flush_micros.load(Ordering::Relaxed),
            failing: self.stats.failing.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Dropping the sender ends the thread once its queue is empty; wait
        // for it, so that the database is released when the store is.
        self.tx.lock().unwrap_or_else(|p| p.into_inner()).take();
        let handle = self.handle.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(h) = handle {
            if h.thread().id() != std::thread::current().id() {
                let _ = h.join();
            }
        }
    }
}

/// A committed batch on its way to the flusher.
struct Committed {
    /// The commit's result.
    result: Result<Vec<super::txn::Hook>, StoreError>,
    /// The answers of its operations.
    done: Vec<Done>,
}

/// What the writer hands the flusher.
enum Flush {
    Batch(Committed),
    /// The writer has stopped: flush, then answer these.
    Stopped(Vec<AckSender<()>>),
}

/// The thread: batches until the channel closes.
///
/// Commit and flush are pipelined: the writer commits a batch and hands it
/// to the flusher thread, then starts the next batch while the flusher
/// waits for the disk. The flusher takes every committed batch waiting,
/// flushes once, and only then runs their hooks and answers them, in
/// commit order: an answer still leaves only after a flush that began
/// after its batch was committed.
fn run(trees: &Trees, rx: &mpsc::Receiver<Msg>, stats: &Arc<Stats>) {
    let (flush_tx, flush_rx) = mpsc::channel::<Flush>();
    let flusher = {
        let trees = trees.clone();
        let stats = Arc::clone(stats);
        std::thread::Builder::new()
            .name("store-flusher".into())
            .spawn(move || flusher(&trees, &flush_rx, &stats))
    };
    let flusher = match flusher {
        Ok(h) => Some(h),
        Err(e) => {
            error!(error = %e, "starting the flusher thread failed: flushing on the writer");
            None
        }
    };
    let mut closing: Vec<AckSender<()>> = Vec::new();
    let mut last_sweep = Instant::now();
    while let Ok(first) = rx.recv() {
        stats.progress_ms.store(stats.now_ms(), Ordering::Relaxed);
        let mut txn = Txn::new(trees);
        let mut done: Vec<Done> = Vec::new();
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Msg::Job(job) => done.push(job(&mut txn)),
                Msg::Close(ack) => closing.push(ack),
            }
            if done.len() < MAX_BATCH && txn.bytes() < MAX_BATCH_BYTES {
                next = rx.try_recv().ok();
            }
        }
        if last_sweep.elapsed() >= SWEEP_EVERY {
            last_sweep = Instant::now();
            match screenings::sweep_idempotency(
                &mut txn,
                chrono::Utc::now().timestamp_millis(),
                SWEEP_LIMIT,
            ) {
                Ok(n) if n > 0 => debug!(removed = n, "expired request ids removed"),
                Ok(_) => {}
                Err(e) => error!(error = %e, "expiring request ids failed"),
            }
            txn.end_op(true);
        }
        let batch = Committed {
            result: txn.commit(),
            done,
        };
        stats.progress_ms.store(stats.now_ms(), Ordering::Relaxed);
        if flusher.is_some() {
            if let Err(mpsc::SendError(Flush::Batch(batch))) = flush_tx.send(Flush::Batch(batch)) {
                finish(trees, vec![batch], stats);
            }
        } else {
            finish(trees, vec![batch], stats);
        }
    }
    // The channel is closed and empty: everything is committed; the
    // flusher flushes it and answers those who asked to close.
    if let Some(handle) = flusher {
        match flush_tx.send(Flush::Stopped(closing)) {
            Ok(()) => {
                drop(flush_tx);
                let _ = handle.join();
                return;
            }
            Err(mpsc::SendError(msg)) => {
                closing = match msg {
                    Flush::Stopped(c) => c,
                    Flush::Batch(_) => Vec::new(),
                };
            }
        }
    }
    stopped(trees, closing);
}

/// The flusher thread: one flush for every committed batch waiting.
fn flusher(trees: &Trees, rx: &mpsc::Receiver<Flush>, stats: &Stats) {
    let mut closing: Vec<AckSender<()>> = Vec::new();
    while let Ok(first) = rx.recv() {
        let mut batches = Vec::new();
        let mut next = Some(first);
        while let Some(msg) = next.take() {
            match msg {
                Flush::Batch(b) => batches.push(b),
                Flush::Stopped(acks) => closing.extend(acks),
            }
            next = rx.try_recv().ok();
        }
        finish(trees, batches, stats);
    }
    stopped(trees, closing);
}

/// Flushes once (when any batch committed), then runs the hooks and sends
/// the answers of `batches`, in commit order.
fn finish(trees: &Trees, batches: Vec<Committed>, stats: &Stats) {
    let flushed = if batches.iter().any(|b| b.result.is_ok()) {
        let started = Instant::now();
        let flushed = trees.db.flush();
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        stats.flushes.fetch_add(1, Ordering::Relaxed);
        stats.flush_micros.fetch_add(micros, Ordering::Relaxed);
        flushed
    } else {
        Ok(())
    };
    for batch in batches {
        let result = match (batch.result, &flushed) {
            (Ok(hooks), Ok(())) => {
                for h in hooks {
                    h();
                }
                Ok(())
            }
            (Ok(_), Err(e)) => Err(e.duplicate()),
            (Err(e), _) => Err(e),
        };
        if let Err(e) = &result {
            error!(error = %e, writes = batch.done.len(), "commit failed: the batch's writes are refused");
        }
        stats.failing.store(result.is_err(), Ordering::Relaxed);
        // Counted before the answers leave, so that a caller who has its
        // answer sees the writer's progress too.
        stats
            .completed
            .fetch_add(batch.done.len() as u64, Ordering::Relaxed);
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.progress_ms.store(stats.now_ms(), Ordering::Relaxed);
        for d in batch.done {
            d(result.as_ref().map(|_| ()));
        }
    }
}

/// The last flush once the writer has stopped, then the answers to those
/// who asked to close.
fn stopped(trees: &Trees, closing: Vec<AckSender<()>>) {
    if let Err(e) = trees.db.flush() {
        error!(error = %e, "final flush failed");
    }
    if !closing.is_empty() {
        info!("store writer stopped");
    }
    for ack in closing {
        ack.send(Ok(()));
    }
}

/// Keys of the tree `t` in `[lo, hi)`, at most `limit` (committed data).
pub(super) fn keys_in(
    trees: &Trees,
    t: T,
    lo: &[u8],
    hi: &[u8],
    limit: usize,
) -> Result<Vec<Val>, StoreError> {
    trees.get(t).range(lo..hi).keys().take(limit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::kv::Db;

    fn writer() -> (Writer, Trees) {
        let trees = Trees::open(Db::temporary().unwrap()).unwrap();
        (Writer::start(trees.clone()).unwrap(), trees)
    }

    #[test]
    fn a_batch_that_cannot_be_made_durable_marks_the_writer_failing_until_one_can() {
        let trees = Trees::open(Db::temporary().unwrap()).unwrap();
        let stats = Stats::new();
        let answered = Arc::new(Mutex::new(Vec::new()));
        let batch = |result: Result<Vec<super::super::txn::Hook>, StoreError>| {
            let answered = Arc::clone(&answered);
            Committed {
                result,
                done: vec![Box::new(move |r: Result<(), &StoreError>| {
                    answered.lock().unwrap().push(r.is_ok());
                })],
            }
        };
        let refused = StoreError::Backend("No space left on device".into());
        finish(&trees, vec![batch(Err(refused))], &stats);
        assert!(stats.failing.load(Ordering::Relaxed));
        finish(&trees, vec![batch(Ok(Vec::new()))], &stats);
        assert!(!stats.failing.load(Ordering::Relaxed));
        assert_eq!(*answered.lock().unwrap(), vec![false, true]);
    }

    #[test]
    fn writes_are_answered_after_their_batch_commits_and_failures_write_nothing() {
        let (w, trees) = writer();
        let ok = w.submit(|txn| {
            txn.insert(T::Meta, b"k".to_vec(), b"v".as_slice());
            Ok::<_, StoreError>(1)
        });
        let refused = w.submit(|txn| {
            txn.insert(T::Meta, b"x".to_vec(), b"lost".as_slice());
            Err::<(), _>(StoreError::InvalidCursor)
        });
        assert_eq!(ok.wait().unwrap(), 1);
        assert!(matches!(refused.wait(), Err(StoreError::InvalidCursor)));
        assert_eq!(
            trees.get(T::Meta).get(b"k").unwrap().as_deref(),
            Some(&b"v"[..])
        );
        assert_eq!(trees.get(T::Meta).get(b"x").unwrap(), None);
        let h = w.health();
        assert_eq!((h.pending, h.completed), (0, 2));
    }

    #[test]
    fn many_concurrent_writes_share_few_batches() {
        let (w, trees) = writer();
        let w = Arc::new(w);
        // A slow first operation lets the others queue behind it.
        let slow = w.submit(|_txn| {
            std::thread::sleep(Duration::from_millis(50));
            Ok::<_, StoreError>(())
        });
        let acks: Vec<_> = (0..200u32)
            .map(|i| {
                w.submit(move |txn| {
                    txn.insert(T::Meta, i.to_be_bytes().to_vec(), b"v".as_slice());
                    Ok::<_, StoreError>(())
                })
            })
            .collect();
        slow.wait().unwrap();
        for a in acks {
            a.wait().unwrap();
        }
        assert_eq!(trees.get(T::Meta).len().unwrap(), 200);
        let h = w.health();
        assert_eq!(h.completed, 201);
        assert!(h.batches <= 3, "{h:?}: group commit");
        assert!(
            (1..=h.batches).contains(&h.flushes),
            "{h:?}: one flush covers one or more batches"
        );
    }

    #[test]
    fn a_function_gets_the_answer_once_durable_or_is_told_the_writer_stopped() {
        let (w, trees) = writer();
        let (tx, rx) = std::sync::mpsc::channel();
        let answered = tx.clone();
        w.submit_to(
            |txn| {
                txn.insert(T::Meta, b"f".to_vec(), b"v".as_slice());
                Ok::<_, StoreError>(5)
            },
            AckSender::to(move |r: Result<u32, StoreError>| {
                let _ = answered.send(r.map_err(|e| e.to_string()));
            }),
        );
        let got = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(got, Ok(5));
        assert!(trees.get(T::Meta).get(b"f").unwrap().is_some());
        let h = w.health();
        assert_eq!((h.completed, h.pending), (1, 0), "{h:?}");
        // Closed: the function is told, not forgotten.
        w.close().wait().unwrap();
        w.submit_to(
            |_txn| Ok::<_, StoreError>(6),
            AckSender::to(move |r: Result<u32, StoreError>| {
                let _ = tx.send(r.map_err(|e| e.to_string()));
            }),
        );
        let refused = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(
            refused.as_ref().is_err_and(|e| e.contains("writer")),
            "{refused:?}"
        );
        assert!(
            rx.recv_timeout(Duration::from_millis(100)).is_err(),
            "answered once"
        );
    }

    #[test]
    fn after_close_writes_are_refused_and_earlier_ones_are_durable() {
        let (w, trees) = writer();
        let before = w.submit(|txn| {
            txn.insert(T::Meta, b"a".to_vec(), b"1".as_slice());
            Ok::<_, StoreError>(())
        });
        w.close().wait().unwrap();
        before.wait().unwrap();
        assert!(trees.get(T::Meta).get(b"a").unwrap().is_some());
        let after = w.submit(|_txn| Ok::<_, StoreError>(()));
        assert!(matches!(after.wait(), Err(StoreError::WriterStopped(_))));
        // Closing twice is fine.
        w.close().wait().unwrap();
    }

    #[test]
    fn keys_in_reads_a_bounded_range() {
        let (_w, trees) = writer();
        for i in 0u8..10 {
            trees.get(T::Meta).insert(&[i], b"").unwrap();
        }
        let k = keys_in(&trees, T::Meta, &[2], &[8], 3).unwrap();
        assert_eq!(k.iter().map(|k| k[0]).collect::<Vec<_>>(), vec![2, 3, 4]);
    }
}
