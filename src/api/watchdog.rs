//! The health watchdog: twice a second it asks the store's writer how it is
//! doing, and when writes have been waiting without the writer finishing a
//! batch for longer than the allowed stall, or when the writer's last batch
//! could not be made durable (a full disk, a database that refuses
//! writes), it turns health NOT_SERVING (for the server and each service),
//! so a load balancer stops sending work to a process that cannot record
//! it; health returns to SERVING when the writer makes progress again. A
//! task owned by the server.

use std::sync::Arc;
use std::time::Duration;

use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;
use tracing::{info, warn};

use crate::shutdown::Tasks;
use crate::store::{Store, WriterHealth};

/// Default time the writer may make no progress while writes wait.
pub const WRITER_STALL: Duration = Duration::from_secs(5);
/// How often the writer is checked.
const EVERY: Duration = Duration::from_millis(500);

/// True when writes wait and the writer has finished nothing for longer
/// than `stall`.
pub fn stalled(h: &WriterHealth, stall: Duration) -> bool {
    h.pending > 0 && u128::from(h.idle_millis) > stall.as_millis()
}

/// True when the process cannot record screenings: the writer is stalled
/// or its last batch failed.
pub fn down(h: &WriterHealth, stall: Duration) -> bool {
    stalled(h, stall) || h.failing
}

/// Starts the watchdog as a task of `tasks`.
pub fn start(
    tasks: &Tasks,
    store: Arc<dyn Store>,
    health: HealthReporter,
    services: Vec<&'static str>,
    stall: Duration,
) {
    let mut shutdown = tasks.shutdown();
    tasks.spawn("health watchdog", async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut down = false;
        loop {
            tokio::select! {
                () = shutdown.recv() => break,
                _ = tick.tick() => {}
            }
            let h = store.writer_health();
            let now_down = self::down(&h, stall);
            if now_down == down {
                continue;
            }
            down = now_down;
            let status = if down {
                if h.failing {
                    warn!(
                        pending = h.pending,
                        "the store refuses writes (its last batch failed): health NOT_SERVING"
                    );
                } else {
                    warn!(
                        pending = h.pending,
                        idle_millis = h.idle_millis,
                        "the store's writer makes no progress: health NOT_SERVING"
                    );
                }
                ServingStatus::NotServing
            } else {
                info!("the store's writer makes progress again: health SERVING");
                ServingStatus::Serving
            };
            for name in &services {
                health.set_service_status(*name, status).await;
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stall_needs_waiting_writes_and_time() {
        let s = Duration::from_secs(5);
        let h = |pending, idle_millis| WriterHealth {
            pending,
            idle_millis,
            ..WriterHealth::default()
        };
        assert!(!stalled(&h(0, 60_000), s), "idle with nothing to do");
        assert!(!stalled(&h(10, 4_999), s), "busy, not yet stalled");
        assert!(stalled(&h(1, 5_001), s));
    }

    #[test]
    fn a_failing_writer_is_down_at_once() {
        let s = Duration::from_secs(5);
        let failing = WriterHealth {
            failing: true,
            ..WriterHealth::default()
        };
        assert!(down(&failing, s), "the last batch failed");
        assert!(!down(&WriterHealth::default(), s));
        let stalled = WriterHealth {
            pending: 1,
            idle_millis: 5_001,
            ..WriterHealth::default()
        };
        assert!(down(&stalled, s));
    }
}
