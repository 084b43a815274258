//! The engine pool: engine work (screening shipments, parties and items,
//! with the storage reads a screening's case needs) runs on a fixed set of
//! threads sized to the cores, never on the async workers, so a heavy call
//! cannot stall health checks or other clients, and heavy calls queue
//! instead of oversubscribing the machine.
//!
//! Every job carries a [`Cancel`]: it is cancelled when the call that
//! submitted it goes away (the client cancelled, its deadline passed, the
//! stream ended), because the call's future owns a guard that cancels on
//! drop. A job cancelled before it starts is skipped; a running one sees
//! the flag between parties and items (the engine checks it) and stops
//! burning CPU.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::oneshot;

/// A cancellation flag shared by a call and its job.
#[derive(Clone, Debug, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A flag not yet raised.
    pub fn new() -> Cancel {
        Cancel::default()
    }

    /// Raises the flag.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once raised.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Raises its flag when dropped (the call's future went away).
#[derive(Debug)]
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The answer of a job run with [`EnginePool::run_answering`]: send it
/// once, from any thread. Dropped unanswered, the call fails with an
/// internal error.
#[derive(Debug)]
pub struct Reply<T> {
    tx: oneshot::Sender<T>,
    job: Arc<Finished>,
}

impl<T> Reply<T> {
    /// Answers the call (a caller gone by then is not an error). The job
    /// counts as finished from here: a caller that has its answer sees the
    /// pool's counter without it.
    pub fn send(self, value: T) {
        self.job.finish();
        let _ = self.tx.send(value);
    }
}

/// Takes a job off the pool's counter once: when it answers or when it
/// returns, whichever comes first.
#[derive(Debug)]
struct Finished {
    queued: Arc<AtomicUsize>,
    done: AtomicBool,
}

impl Finished {
    fn finish(&self) {
        if !self.done.swap(true, Ordering::Relaxed) {
            self.queued.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

/// A fixed pool of engine threads (see the module documentation).
#[derive(Debug)]
pub struct EnginePool {
    tx: crossbeam_channel::Sender<Job>,
    threads: usize,
    queued: Arc<AtomicUsize>,
}

impl EnginePool {
    /// A pool of `threads` threads (at least one).
    pub fn new(threads: usize) -> EnginePool {
        let threads = threads.max(1);
        // A channel with many receivers: each idle thread waits on it
        // itself, so a job wakes one thread (a receiver shared behind a
        // mutex would wake a second one, to wait for the lock, per job).
        let (tx, rx) = crossbeam_channel::unbounded::<Job>();
        for i in 0..threads {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("engine-{i}"))
                .spawn(move || {
                    // Until the pool is gone (every sender dropped). A
                    // panicking job answers its caller with an error (its
                    // result sender is dropped) and the thread stays in
                    // the pool.
                    while let Ok(job) = rx.recv() {
                        let _ = std::panic::catch_unwind(AssertUnwindSafe(job));
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "an engine thread could not be started");
            }
        }
        EnginePool {
            tx,
            threads,
            queued: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Threads in the pool.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Jobs submitted and not yet finished.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Runs `f` on the pool and waits for its result. `f` gets the call's
    /// [`Cancel`] and should stop early once it is raised. If this future
    /// is dropped, the job is cancelled.
    ///
    /// # Errors
    /// [`crate::Error::Internal`] when the job panicked or the pool is gone.
    pub async fn run<T, F>(&self, f: F) -> Result<T, crate::Error>
    where
        T: Send + 'static,
        F: FnOnce(&Cancel) -> T + Send + 'static,
    {
        self.run_answering(move |cancel, reply| reply.send(f(cancel)))
            .await
    }

    /// Runs `f` on the pool and waits for the answer `f` gives through its
    /// [`Reply`], now or later from another thread (`f` may hand the reply
    /// on, to the store's writer say, so that the answer does not come
    /// back through this thread). `f` gets the call's [`Cancel`] as with
    /// [`EnginePool::run`].
    ///
    /// # Errors
    /// [`crate::Error::Internal`] when the job panicked, the reply was
    /// dropped unanswered, or the pool is gone.
    pub async fn run_answering<T, F>(&self, f: F) -> Result<T, crate::Error>
    where
        T: Send + 'static,
        F: FnOnce(&Cancel, Reply<T>) + Send + 'static,
    {
        let cancel = Cancel::new();
        let guard = CancelOnDrop(cancel.clone());
        let (tx, rx) = oneshot::channel();
        let queued = Arc::clone(&self.queued);
        queued.fetch_add(1, Ordering::Relaxed);
        let job: Job = Box::new(move || {
            // Finished when the job returns (or unwinds), if it has not
            // answered before.
            struct Done(Arc<Finished>);
            impl Drop for Done {
                fn drop(&mut self) {
                    self.0.finish();
                }
            }
            let finished = Arc::new(Finished {
                queued,
                done: AtomicBool::new(false),
            });
            let _done = Done(Arc::clone(&finished));
            if cancel.is_cancelled() {
                return;
            }
            f(&cancel, Reply { tx, job: finished });
        });
        let sent = self.tx.send(job);
        if sent.is_err() {
            self.queued.fetch_sub(1, Ordering::Relaxed);
            return Err(crate::Error::Internal("the engine pool has stopped".into()));
        }
        let result = rx
            .await
            .map_err(|_| crate::Error::Internal("an engine job failed".into()));
        drop(guard);
        result
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[tokio::test]
    async fn jobs_run_on_the_pool_and_answer() {
        // One thread: a job after a panicking one proves the thread lived on.
        let pool = EnginePool::new(1);
        let name = pool
            .run(|_c| std::thread::current().name().map(str::to_string))
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("engine-"));
        let panicked = pool.run(|_c| -> u32 { panic!("boom") }).await;
        assert!(matches!(panicked, Err(crate::Error::Internal(_))));
        // The pool's one thread survives a panicking job.
        let after = tokio::time::timeout(Duration::from_secs(10), pool.run(|_c| 7)).await;
        assert_eq!(after.expect("the thread died with the job").unwrap(), 7);
    }

    #[tokio::test]
    async fn a_reply_handed_on_answers_from_another_thread() {
        let pool = EnginePool::new(1);
        let answered = pool
            .run_answering(|_c, reply| {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(20));
                    reply.send(std::thread::current().name().is_none());
                });
            })
            .await
            .unwrap();
        assert!(answered, "answered from the other (unnamed) thread");
        assert_eq!(pool.queued(), 0);
        // A reply dropped unanswered fails the call.
        let dropped = pool
            .run_answering(|_c, reply: Reply<u32>| drop(reply))
            .await;
        assert!(matches!(dropped, Err(crate::Error::Internal(_))));
    }

    #[tokio::test]
    async fn a_dropped_call_stops_its_job_and_frees_the_thread() {
        let pool = Arc::new(EnginePool::new(1));
        let (seen_tx, seen_rx) = std::sync::mpsc::channel::<Duration>();
        let started = Instant::now();
        let call = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move |cancel| {
                    // Work that checks the flag between steps, as the engine does.
                    while !cancel.is_cancelled() && started.elapsed() < Duration::from_secs(20) {
                        std::thread::sleep(Duration::from_millis(1));
                    }
                    let _ = seen_tx.send(started.elapsed());
                })
                .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        call.abort();
        // The runtime drops the aborted call's future.
        assert!(call.await.unwrap_err().is_cancelled());
        let stopped_after = seen_rx.recv_timeout(Duration::from_secs(5)).unwrap();
        assert!(stopped_after < Duration::from_secs(2), "{stopped_after:?}");
        // The one thread is free again.
        let t = Instant::now();
        pool.run(|_c| ()).await.unwrap();
        assert!(t.elapsed() < Duration::from_secs(2));
        assert_eq!(pool.queued(), 0);
    }
}
