//! Admission of cache fills: one fill per key at a time, and a few keys at once.
//!
//! Filling a cache entry (a dashboard page, an API answer) holds database connections. Under a
//! burst at a cache expiry, every request for the expired entry filled it at once: the dashboard
//! emptied the pool (shared with the API in `serve`) and its late requests failed after the
//! pool's wait; the API's answers for one race waited up to 1.8 s at 256 connections. Behind
//! the gate, requests for a key being filled wait for that fill and then find it cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedMutexGuard, Semaphore, SemaphorePermit};

/// Size of the key map at which entries nobody holds are swept.
const SWEEP_AT: usize = 256;

/// The gate; one per server.
pub struct FillGate {
    permits: Semaphore,
    /// One lock per key being filled or awaited; removed by the last holder (or swept), so the
    /// map holds about the keys in flight whatever URIs clients invent.
    pages: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl FillGate {
    /// A gate letting `concurrent` keys fill at once.
    pub fn new(concurrent: usize) -> Self {
        Self {
            permits: Semaphore::new(concurrent),
            pages: Mutex::default(),
        }
    }
}

/// The right to fill one key; dropping it lets the next request for the key in.
pub struct Admission<'a> {
    gate: &'a FillGate,
    key: String,
    page: Option<OwnedMutexGuard<()>>,
    _permit: SemaphorePermit<'a>,
}

impl FillGate {
    /// Waits until no other request fills `key`, then for a permit.
    pub async fn admit(&self, key: &str) -> Admission<'_> {
        let lock = {
            let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
            // A request cancelled while waiting (timeout, client gone) can leave its page's
            // entry behind; sweep those before the map grows.
            if pages.len() >= SWEEP_AT {
                pages.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            pages.entry(key.to_string()).or_default().clone()
        };
        let page = lock.lock_owned().await;
        // Never closed, so acquiring cannot fail.
        let permit = self
            .permits
            .acquire()
            .await
            .expect("the fill semaphore is never closed");
        Admission {
            gate: self,
            key: key.to_string(),
            page: Some(page),
            _permit: permit,
        }
    }
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        let mut pages = self.gate.pages.lock().unwrap_or_else(|e| e.into_inner());
        self.page.take();
        // Only the map holds it now: nobody waits for this page.
        if pages
            .get(&self.key)
            .is_some_and(|l| Arc::strong_count(l) == 1)
        {
            pages.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn the_map_forgets_a_key_once_its_last_request_is_done() {
        let gate = FillGate::new(4);
        let first = gate.admit("a").await;
        let gate_ref = &gate;
        let waiter = async move {
            let _second = gate_ref.admit("a").await;
        };
        let release = async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            assert_eq!(gate_ref.pages.lock().expect("lock").len(), 1);
            drop(first);
        };
        tokio::join!(waiter, release);
        assert!(gate.pages.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn different_keys_fill_side_by_side_up_to_the_limit() {
        let gate = FillGate::new(4);
        let mut held = Vec::new();
        for n in 0..4 {
            held.push(gate.admit(&n.to_string()).await);
        }
        let blocked = tokio::time::timeout(Duration::from_millis(30), gate.admit("one more")).await;
        assert!(blocked.is_err(), "a fifth key waits for a permit");
        held.pop();
        tokio::time::timeout(Duration::from_secs(1), gate.admit("one more"))
            .await
            .expect("admitted once a fill ends");
    }
}
