//! Orderly shutdown, mini-redis style: one [`Tasks`] owns every background
//! task of the server (scheduled refresh, re-screening, the metrics
//! endpoint, console streams), each task holds a [`Shutdown`] and returns
//! when it fires, and the server awaits its tasks before it stops, instead
//! of aborting them. A task that does not return within the allowed time
//! is named in the log as abandoned.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::{debug, warn};

/// A task's view of shutdown: [`Shutdown::recv`] resolves once the server
/// is shutting down.
#[derive(Clone, Debug)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// True once shutdown has begun.
    pub fn is_shutdown(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once shutdown has begun (at once if it has).
    pub async fn recv(&mut self) {
        // The sender lives in `Tasks`; if it is gone, so is the server.
        let _ = self.rx.wait_for(|down| *down).await;
    }
}

struct Owned {
    name: String,
    handle: JoinHandle<()>,
}

/// The owner of the server's background tasks (see the module documentation).
#[derive(Debug)]
pub struct Tasks {
    trigger: watch::Sender<bool>,
    running: Mutex<Vec<Owned>>,
}

impl std::fmt::Debug for Owned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Owned").field("name", &self.name).finish()
    }
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks::new()
    }
}

impl Tasks {
    /// No tasks yet, not shutting down.
    pub fn new() -> Tasks {
        Tasks {
            trigger: watch::channel(false).0,
            running: Mutex::new(Vec::new()),
        }
    }

    /// A handle that tells when shutdown begins.
    pub fn shutdown(&self) -> Shutdown {
        Shutdown {
            rx: self.trigger.subscribe(),
        }
    }

    /// Spawns and owns a task named `name` (for the log). The task should
    /// hold a [`Shutdown`] and return when it fires.
    pub fn spawn(&self, name: impl Into<String>, task: impl Future<Output = ()> + Send + 'static) {
        let handle = tokio::spawn(task);
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.retain(|t| !t.handle.is_finished());
        running.push(Owned {
            name: name.into(),
            handle,
        });
    }

    /// Begins shutdown: every [`Shutdown`] fires.
    pub fn trigger(&self) {
        self.trigger.send_replace(true);
    }

    /// True once shutdown has begun.
    pub fn is_shutdown(&self) -> bool {
        *self.trigger.borrow()
    }

    /// Waits until every owned task has returned, at most `within`;
    /// returns the names of those still running then (abandoned: they are
    /// left to end with the process).
    pub async fn wait(&self, within: Duration) -> Vec<String> {
        let deadline = tokio::time::Instant::now() + within;
        let mut abandoned = Vec::new();
        loop {
            let owned: Vec<Owned> =
                std::mem::take(&mut *self.running.lock().unwrap_or_else(|p| p.into_inner()));
            if owned.is_empty() {
                break;
            }
            for mut t in owned {
                match tokio::time::timeout_at(deadline, &mut t.handle).await {
                    Ok(Ok(())) => debug!(task = %t.name, "task finished"),
                    Ok(Err(e)) => warn!(task = %t.name, error = %e, "task failed"),
                    Err(_) => {
                        warn!(task = %t.name, "task did not stop in time: abandoned");
                        abandoned.push(t.name);
                    }
                }
            }
            // Tasks may have spawned others while we waited.
            if tokio::time::Instant::now() >= deadline {
                let left =
                    std::mem::take(&mut *self.running.lock().unwrap_or_else(|p| p.into_inner()));
                abandoned.extend(
                    left.into_iter()
                        .filter(|t| !t.handle.is_finished())
                        .map(|t| t.name),
                );
                break;
            }
        }
        abandoned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tasks_stop_when_shutdown_fires_and_stragglers_are_named() {
        let tasks = Tasks::new();
        let mut s = tasks.shutdown();
        assert!(!s.is_shutdown());
        let (done_tx, mut done_rx) = tokio::sync::mpsc::channel::<&str>(2);
        tasks.spawn("polite", async move {
            s.recv().await;
            let _ = done_tx.send("polite").await;
        });
        tasks.spawn("stuck", async {
            std::future::pending::<()>().await;
        });
        tasks.trigger();
        assert!(tasks.is_shutdown());
        let abandoned = tasks.wait(Duration::from_millis(200)).await;
        assert_eq!(abandoned, vec!["stuck".to_string()]);
        assert_eq!(done_rx.recv().await, Some("polite"));
        // A Shutdown made after the trigger fires at once.
        let mut late = tasks.shutdown();
        tokio::time::timeout(Duration::from_secs(1), late.recv())
            .await
            .unwrap();
    }
}
