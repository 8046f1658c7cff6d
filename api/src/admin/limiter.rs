//! The admin rate limit (a token bucket per client IP, in memory) and the constant-time token
//! comparison.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;
use subtle::ConstantTimeEq;

/// Requests a client may make at once.
pub const BURST: f64 = 10.0;
/// Tokens given back per second (one request every two seconds, sustained).
pub const REFILL_PER_S: f64 = 0.5;
/// Clients tracked at most: beyond, idle (full) buckets are forgotten.
const MAX_CLIENTS: usize = 10_000;

/// Token buckets keyed by client IP. Behind a reverse proxy every client shares the proxy's
/// address: forwarded headers are not trusted, since any client could forge them.
pub struct RateLimiter {
    burst: f64,
    refill_per_s: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(BURST, REFILL_PER_S)
    }
}

impl RateLimiter {
    /// Buckets of `burst` tokens, refilled at `refill_per_s` tokens a second.
    pub fn new(burst: f64, refill_per_s: f64) -> Self {
        Self {
            burst,
            refill_per_s,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `ip`, or says in how many whole seconds one will be there.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.check_at(ip, Instant::now())
    }

    fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        // A panic while holding the lock leaves consistent buckets: keep using them.
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&ip) {
            let (burst, rate) = (self.burst, self.refill_per_s);
            buckets.retain(|_, (tokens, at)| refilled(*tokens, *at, now, burst, rate) < burst);
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(ip).or_insert((self.burst, now));
        let available = refilled(*tokens, *at, now, self.burst, self.refill_per_s);
        *at = now;
        if available >= 1.0 {
            *tokens = available - 1.0;
            Ok(())
        } else {
            *tokens = available;
            let wait = (1.0 - available) / self.refill_per_s;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

fn refilled(tokens: f64, at: Instant, now: Instant, burst: f64, rate: f64) -> f64 {
    let elapsed = now.saturating_duration_since(at).as_secs_f64();
    (tokens + elapsed * rate).min(burst)
}

/// Equality whose time does not depend on where the inputs differ (only on their lengths), so
/// that timing does not reveal how much of a guessed token is right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_until_refilled() {
        let limiter = RateLimiter::new(3.0, 0.5);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.check_at(ip, t0), Ok(()));
        }
        assert_eq!(limiter.check_at(ip, t0), Err(2), "one token takes 2 s");
        let other: IpAddr = [10, 0, 0, 2].into();
        assert_eq!(limiter.check_at(other, t0), Ok(()), "buckets are per IP");
        assert_eq!(limiter.check_at(ip, t0 + Duration::from_secs(2)), Ok(()));
        assert!(limiter.check_at(ip, t0 + Duration::from_secs(2)).is_err());
    }

    #[test]
    fn the_token_comparison_is_plain_equality() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokem"));
        assert!(!constant_time_eq(b"secret-token", b"secret"));
        assert!(!constant_time_eq(b"", b"x"));
        assert!(constant_time_eq(b"", b""));
    }
}
