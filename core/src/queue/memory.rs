//! The in-process queue: the same guarantees as the Redis one within a single process (the
//! embedded `serve`), with nothing kept across restarts.

use super::{DeadLetter, Delivery, Enqueued, Failed, Job, QueueConfig};
use chrono::Utc;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

/// Dead letters kept at most; the oldest go first.
const DEAD_CAPACITY: usize = 1000;

/// The in-process queue. Clones share it.
#[derive(Clone)]
pub struct MemoryQueue {
    state: Arc<Mutex<State>>,
    wake: Arc<Notify>,
    config: Arc<QueueConfig>,
}

#[derive(Default)]
struct State {
    ready: VecDeque<Job>,
    /// Retries not yet due, with the time they are.
    delayed: Vec<(Instant, Job)>,
    /// Deliveries not yet settled, by receipt, with the time they become visible again.
    in_flight: HashMap<String, (Job, Instant)>,
    dead: VecDeque<DeadLetter>,
    /// Dedup keys of the jobs in `ready`.
    waiting_keys: HashSet<String>,
    next_receipt: u64,
}

impl MemoryQueue {
    /// An empty queue.
    pub fn new(config: QueueConfig) -> Self {
        Self {
            state: Arc::default(),
            wake: Arc::new(Notify::new()),
            config: Arc::new(config),
        }
    }

    pub(super) fn config(&self) -> &QueueConfig {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update leaves the state consistent, so a panic elsewhere does not spoil it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn enqueue_job(&self, job: Job) -> Enqueued {
        let mut state = self.lock();
        if !state.waiting_keys.insert(job.dedup_key()) {
            return Enqueued::Duplicate;
        }
        let id = job.id.clone();
        state.ready.push_back(job);
        drop(state);
        self.wake.notify_one();
        Enqueued::Added(id)
    }

    pub(super) async fn reserve(&self, wait: Duration) -> Option<Delivery> {
        let deadline = Instant::now() + wait;
        loop {
            // Register for a wake-up before looking, so an enqueue in between is not missed.
            let woken = self.wake.notified();
            let next_event = match self.try_reserve() {
                Ok(delivery) => return Some(delivery),
                Err(next_event) => next_event,
            };
            let now = Instant::now();
            if now >= deadline {
                return None;
            }
            let until = next_event.map_or(deadline, |t| t.min(deadline));
            tokio::select! {
                () = woken => {}
                () = tokio::time::sleep(until.saturating_duration_since(now)) => {}
            }
        }
    }

    /// A delivery, or the next time something becomes due.
    fn try_reserve(&self) -> Result<Delivery, Option<Instant>> {
        let now = Instant::now();
        let mut state = self.lock();
        // Deliveries a worker lost: visible again, as one more attempt (past the last attempt,
        // the worker dead-letters it without running it).
        let expired: Vec<String> = state
            .in_flight
            .iter()
            .filter(|(_, (_, visible_at))| *visible_at <= now)
            .map(|(receipt, _)| receipt.clone())
            .collect();
        for receipt in expired {
            if let Some((mut job, _)) = state.in_flight.remove(&receipt) {
                job.attempt += 1;
                state.ready.push_front(job);
            }
        }
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut state.delayed)
            .into_iter()
            .partition(|(at, _)| *at <= now);
        state.delayed = later;
        state.ready.extend(due.into_iter().map(|(_, job)| job));
        let Some(job) = state.ready.pop_front() else {
            let next = state
                .delayed
                .iter()
                .map(|(at, _)| *at)
                .chain(state.in_flight.values().map(|(_, at)| *at))
                .min();
            return Err(next);
        };
        state.waiting_keys.remove(&job.dedup_key());
        state.next_receipt += 1;
        let receipt = state.next_receipt.to_string();
        let visible_at = now + self.config.visibility_timeout;
        state
            .in_flight
            .insert(receipt.clone(), (job.clone(), visible_at));
        Ok(Delivery { job, receipt })
    }

    pub(super) fn heartbeat(&self, delivery: &Delivery) {
        let visible_at = Instant::now() + self.config.visibility_timeout;
        if let Some(entry) = self.lock().in_flight.get_mut(&delivery.receipt) {
            entry.1 = visible_at;
        }
    }

    pub(super) fn ack(&self, delivery: &Delivery) {
        self.lock().in_flight.remove(&delivery.receipt);
    }

    pub(super) fn settle_failure(&self, delivery: &Delivery, error: &str, outcome: Failed) {
        let mut state = self.lock();
        // A delivery that already timed out and went to another worker is that worker's now.
        if state.in_flight.remove(&delivery.receipt).is_none() {
            return;
        }
        let mut job = delivery.job.clone();
        match outcome {
            Failed::RetryAt(at) => {
                let delay = (at - Utc::now()).to_std().unwrap_or_default();
                job.attempt += 1;
                state.delayed.push((Instant::now() + delay, job));
                drop(state);
                self.wake.notify_one();
            }
            Failed::DeadLettered => push_dead(&mut state, job, error.to_string()),
        }
    }

    pub(super) fn dead_letters(&self, limit: usize) -> Vec<DeadLetter> {
        self.lock().dead.iter().take(limit).cloned().collect()
    }

    pub(super) fn take_dead(&self, id: &str) -> Option<Job> {
        let mut state = self.lock();
        let index = state.dead.iter().position(|d| d.job.id == id)?;
        state.dead.remove(index).map(|d| d.job)
    }

    pub(super) fn queued(&self) -> u64 {
        let state = self.lock();
        (state.ready.len() + state.delayed.len() + state.in_flight.len()) as u64
    }
}

fn push_dead(state: &mut State, job: Job, error: String) {
    tracing::error!(job = %job.name, id = %job.id, attempt = job.attempt, %error, "job dead-lettered");
    state.dead.push_front(DeadLetter {
        job,
        error,
        failed_at: Utc::now(),
    });
    state.dead.truncate(DEAD_CAPACITY);
}
