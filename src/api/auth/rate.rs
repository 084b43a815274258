//! Per-principal rate limits: a token bucket per principal, refilled at
//! `per_second` up to `burst`. Each call (and each message of a stream)
//! takes one token; ADMIN callers are not limited.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A rate limit; `per_second` 0 turns it off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Sustained calls per second per principal.
    pub per_second: f64,
    /// Calls allowed at once after a quiet period.
    pub burst: f64,
}

impl RateLimit {
    /// No limit.
    pub const OFF: RateLimit = RateLimit {
        per_second: 0.0,
        burst: 0.0,
    };

    /// True when calls are limited.
    pub fn is_on(&self) -> bool {
        self.per_second > 0.0
    }
}

impl Default for RateLimit {
    /// 50 calls per second, bursts of 100.
    fn default() -> Self {
        RateLimit {
            per_second: 50.0,
            burst: 100.0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The buckets of all principals.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Buckets for `limit`.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limit applied.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one token of `principal`'s bucket at `now`; when it is empty,
    /// how long until a token is available.
    ///
    /// # Errors
    /// The wait until the next token, when the bucket is empty.
    pub fn take(&self, principal: &str, now: Instant) -> Result<(), Duration> {
        if !self.limit.is_on() {
            return Ok(());
        }
        let burst = self.limit.burst.max(1.0);
        // A poisoned lock only means another thread panicked mid-update of
        // plain numbers: the map is still usable.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let bucket = buckets.entry(principal.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.limit.per_second).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - bucket.tokens;
            Err(Duration::from_secs_f64(missing / self.limit.per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let r = RateLimiter::new(RateLimit {
            per_second: 10.0,
            burst: 3.0,
        });
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(r.take("a", t0).is_ok(), "call {i} of the burst");
        }
        let wait = r.take("a", t0).unwrap_err();
        assert!(
            wait > Duration::from_millis(90) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        // Another principal has its own bucket.
        assert!(r.take("b", t0).is_ok());
        // 100 ms later one more call is admitted, not two.
        let t1 = t0 + Duration::from_millis(100);
        assert!(r.take("a", t1).is_ok());
        assert!(r.take("a", t1).is_err());
        // After a long pause the bucket is full again, but not fuller.
        let t2 = t1 + Duration::from_secs(60);
        for _ in 0..3 {
            assert!(r.take("a", t2).is_ok());
        }
        assert!(r.take("a", t2).is_err());
    }

    #[test]
    fn off_admits_everything() {
        let r = RateLimiter::new(RateLimit::OFF);
        let t = Instant::now();
        assert!((0..10_000).all(|_| r.take("a", t).is_ok()));
    }
}
