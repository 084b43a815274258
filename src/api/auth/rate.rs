//! Per-principal rate limits: two token buckets per principal, refilled at
//! their rate up to their burst. Every call (and each message of a stream
//! after the first) takes one token of the *calls* bucket; a shipment also
//! takes its *cost*, its parties and items (at least one), from the *cost*
//! bucket, so that one call with a thousand parties counts for what it
//! costs. ADMIN callers are not limited.
//!
//! A cost larger than the burst is admitted when the bucket is full and
//! leaves it in debt (negative): a big shipment is never refused forever,
//! it only waits longer before the next.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A rate limit; a rate of 0 turns that bucket off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateLimit {
    /// Sustained calls per second per principal.
    pub per_second: f64,
    /// Calls allowed at once after a quiet period.
    pub burst: f64,
    /// Sustained cost (parties and items screened) per second per principal.
    pub cost_per_second: f64,
    /// Cost allowed at once after a quiet period.
    pub cost_burst: f64,
}

impl RateLimit {
    /// No limit.
    pub const OFF: RateLimit = RateLimit {
        per_second: 0.0,
        burst: 0.0,
        cost_per_second: 0.0,
        cost_burst: 0.0,
    };

    /// True when calls are limited.
    pub fn is_on(&self) -> bool {
        self.per_second > 0.0
    }
}

impl Default for RateLimit {
    /// 50 calls per second, bursts of 100; 2,000 parties and items per
    /// second, bursts of 10,000 (five shipments of the largest size).
    fn default() -> Self {
        RateLimit {
            per_second: 50.0,
            burst: 100.0,
            cost_per_second: 2000.0,
            cost_burst: 10_000.0,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One bucket per principal at one rate.
#[derive(Debug)]
struct Buckets {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Buckets {
    fn new(per_second: f64, burst: f64) -> Buckets {
        Buckets {
            per_second,
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes `n` tokens of `principal`'s bucket at `now`: admitted when the
    /// bucket holds `n` (or, for `n` above the burst, is full); otherwise
    /// how long until it does.
    fn take(&self, principal: &str, n: f64, now: Instant) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        // A poisoned lock only means another thread panicked mid-update of
        // plain numbers: the map is still usable.
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let bucket = buckets.entry(principal.to_string()).or_insert(Bucket {
            tokens: self.burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.burst);
        bucket.at = now;
        let needed = n.min(self.burst);
        if bucket.tokens >= needed {
            bucket.tokens -= n;
            Ok(())
        } else {
            let missing = needed - bucket.tokens;
            Err(Duration::from_secs_f64(missing / self.per_second))
        }
    }
}

/// The buckets of all principals.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    calls: Buckets,
    cost: Buckets,
}

impl RateLimiter {
    /// Buckets for `limit`.
    pub fn new(limit: RateLimit) -> RateLimiter {
        RateLimiter {
            limit,
            calls: Buckets::new(limit.per_second, limit.burst),
            cost: Buckets::new(limit.cost_per_second, limit.cost_burst),
        }
    }

    /// The limit applied.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one call of `principal`'s budget at `now`.
    ///
    /// # Errors
    /// The wait until the next call is admitted, when the budget is spent.
    pub fn take(&self, principal: &str, now: Instant) -> Result<(), Duration> {
        self.calls.take(principal, 1.0, now)
    }

    /// Takes `units` of `principal`'s cost budget at `now`.
    ///
    /// # Errors
    /// The wait until the cost is admitted, when the budget is spent.
    pub fn take_cost(&self, principal: &str, units: u64, now: Instant) -> Result<(), Duration> {
        self.cost.take(principal, units as f64, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(per_second: f64, burst: f64) -> RateLimit {
        RateLimit {
            per_second,
            burst,
            cost_per_second: 100.0,
            cost_burst: 300.0,
        }
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        let r = RateLimiter::new(limit(10.0, 3.0));
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
    fn cost_counts_parties_and_items_and_a_big_shipment_leaves_a_debt() {
        let r = RateLimiter::new(limit(1000.0, 1000.0));
        let t0 = Instant::now();
        // 300 units of burst: two shipments of 100, then 150 is too much.
        assert!(r.take_cost("a", 100, t0).is_ok());
        assert!(r.take_cost("a", 100, t0).is_ok());
        let wait = r.take_cost("a", 150, t0).unwrap_err();
        assert!(
            (Duration::from_millis(490)..=Duration::from_millis(500)).contains(&wait),
            "{wait:?}"
        );
        // Calls are a budget of their own.
        assert!(r.take("a", t0).is_ok());
        // A shipment over the burst passes once the bucket is full, and the
        // debt delays the next: 3 s to refill 300 after a 600-unit call.
        let t1 = t0 + Duration::from_secs(10);
        assert!(r.take_cost("a", 600, t1).is_ok());
        let wait = r.take_cost("a", 1, t1).unwrap_err();
        assert!(
            (Duration::from_millis(3000)..=Duration::from_millis(3010)).contains(&wait),
            "{wait:?}"
        );
    }

    #[test]
    fn off_admits_everything() {
        let r = RateLimiter::new(RateLimit::OFF);
        let t = Instant::now();
        assert!((0..10_000).all(|_| r.take("a", t).is_ok()));
        assert!((0..10_000).all(|_| r.take_cost("a", 1000, t).is_ok()));
    }
}
