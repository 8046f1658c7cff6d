//! The job queue, with one interface over Redis Streams (shared by every process) and an
//! in-process queue (the embedded setup, no Redis). Delivery is at least once: a job taken by a
//! worker that dies becomes visible again after the visibility timeout, a failed job is retried
//! with exponential backoff, and after `max_attempts` it lands in the dead-letter list with its
//! error. Identical jobs (same name and parameters) waiting to be taken are enqueued once.
//! Design notes: jobs/README.md.

mod memory;
mod redis;

pub use self::memory::MemoryQueue;
pub use self::redis::RedisQueue;

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A unit of work: a job name (sync, odds, predict, results, retrain, report) and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// Unique id, kept across retries and redeliveries (handlers may key idempotency on it).
    pub id: String,
    /// Job name: which handler runs it.
    pub name: String,
    /// Parameters, e.g. `{"date": "2026-12-06"}`.
    pub params: serde_json::Value,
    /// Attempt number, from 1; a retry or a redelivery after a lost worker counts as one more.
    pub attempt: u32,
    /// When it was first enqueued.
    pub enqueued_at: DateTime<Utc>,
}

impl Job {
    /// A new job at attempt 1.
    pub fn new(name: &str, params: serde_json::Value) -> Self {
        Self {
            id: new_id(),
            name: name.to_string(),
            params,
            attempt: 1,
            enqueued_at: Utc::now(),
        }
    }

    /// What makes two jobs identical: name and parameters. serde_json keeps object keys sorted,
    /// so equal parameters always print the same.
    pub fn dedup_key(&self) -> String {
        format!("{}:{}", self.name, self.params)
    }
}

/// A job handed to a worker, to be settled with `ack` or `fail`.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The job, with the attempt number of this delivery.
    pub job: Job,
    /// Backend handle of this delivery (stream entry id on Redis).
    pub receipt: String,
}

/// A job that failed `max_attempts` times, or could not be run at all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The job, at its last attempt.
    pub job: Job,
    /// The last error.
    pub error: String,
    /// When it was given up.
    pub failed_at: DateTime<Utc>,
}

/// What `enqueue` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    /// The job was added, with this id.
    Added(String),
    /// An identical job is already waiting; nothing was added.
    Duplicate,
}

/// What `fail` did with a failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// It will be delivered again, as the next attempt, at this time.
    RetryAt(DateTime<Utc>),
    /// It went to the dead-letter list.
    DeadLettered,
}

/// Tuning shared by both backends.
#[derive(Debug, Clone)]
pub struct QueueConfig {
    /// Key prefix on Redis (`pronoturf:jobs`); tests use their own.
    pub prefix: String,
    /// A delivery not acknowledged nor kept alive (`heartbeat`) for this long is delivered again.
    pub visibility_timeout: Duration,
    /// Attempts before a job is dead-lettered.
    pub max_attempts: u32,
    /// Delay before the first retry; doubled at each attempt.
    pub retry_base: Duration,
    /// Longest delay between retries.
    pub retry_max: Duration,
}

impl Default for QueueConfig {
    fn default() -> Self {
        Self {
            prefix: "pronoturf:jobs".into(),
            visibility_timeout: Duration::from_secs(120),
            max_attempts: 5,
            retry_base: Duration::from_secs(30),
            retry_max: Duration::from_secs(3600),
        }
    }
}

impl QueueConfig {
    /// Delay before retrying a job that failed at `attempt`: base, 2 base, 4 base... capped.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }
}

/// Failures of the queue.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Redis refused a command or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    /// Redis did not answer in time.
    #[error("redis did not answer in time ({0})")]
    Timeout(&'static str),
    /// A stored job could not be read back.
    #[error("malformed job in the queue: {0}")]
    Malformed(String),
}

/// The queue, in process or on Redis. Cheap to clone: clones share the same queue, so one
/// process can hand it to its API, worker and scheduler tasks.
#[derive(Clone)]
pub enum JobQueue {
    /// In process: the embedded `serve`.
    Memory(MemoryQueue),
    /// Redis Streams: shared by every process.
    Redis(RedisQueue),
}

impl JobQueue {
    /// Redis when `redis_url` is given, else in process. Nothing is contacted yet.
    pub fn new(redis_url: Option<&SecretString>, config: QueueConfig) -> Result<Self, QueueError> {
        Ok(match redis_url {
            Some(url) => Self::Redis(RedisQueue::new(url.expose_secret(), config)?),
            None => Self::Memory(MemoryQueue::new(config)),
        })
    }

    /// `redis` or `memory`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Memory(_) => "memory",
            Self::Redis(_) => "redis",
        }
    }

    /// The queue's settings.
    pub fn config(&self) -> &QueueConfig {
        match self {
            Self::Memory(q) => q.config(),
            Self::Redis(q) => q.config(),
        }
    }

    /// Adds a job, unless an identical one is waiting.
    pub async fn enqueue(
        &self,
        name: &str,
        params: serde_json::Value,
    ) -> Result<Enqueued, QueueError> {
        self.enqueue_job(Job::new(name, params)).await
    }

    /// Adds `job` as it is (id and attempt kept), unless an identical one is waiting.
    pub async fn enqueue_job(&self, job: Job) -> Result<Enqueued, QueueError> {
        match self {
            Self::Memory(q) => Ok(q.enqueue_job(job)),
            Self::Redis(q) => q.enqueue_job(job).await,
        }
    }

    /// Takes the next job, waiting up to `wait` for one. Jobs due for retry and deliveries
    /// whose visibility timeout expired come first; the latter may come back past
    /// `max_attempts`, for the caller to dead-letter (the worker does, without running them).
    pub async fn reserve(&self, wait: Duration) -> Result<Option<Delivery>, QueueError> {
        match self {
            Self::Memory(q) => Ok(q.reserve(wait).await),
            Self::Redis(q) => q.reserve(wait).await,
        }
    }

    /// Keeps a delivery invisible to other workers for another visibility timeout.
    pub async fn heartbeat(&self, delivery: &Delivery) -> Result<(), QueueError> {
        match self {
            Self::Memory(q) => {
                q.heartbeat(delivery);
                Ok(())
            }
            Self::Redis(q) => q.heartbeat(delivery).await,
        }
    }

    /// The job is done: it is removed for good.
    pub async fn ack(&self, delivery: &Delivery) -> Result<(), QueueError> {
        match self {
            Self::Memory(q) => {
                q.ack(delivery);
                Ok(())
            }
            Self::Redis(q) => q.ack(delivery).await,
        }
    }

    /// The job failed with `error`: retried later with backoff, or dead-lettered when it was
    /// the last attempt or when `retryable` is false.
    pub async fn fail(
        &self,
        delivery: &Delivery,
        error: &str,
        retryable: bool,
    ) -> Result<Failed, QueueError> {
        let config = self.config();
        let attempt = delivery.job.attempt;
        let outcome = if retryable && attempt < config.max_attempts {
            let delay = config.backoff(attempt);
            Failed::RetryAt(Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default())
        } else {
            Failed::DeadLettered
        };
        match self {
            Self::Memory(q) => q.settle_failure(delivery, error, outcome),
            Self::Redis(q) => q.settle_failure(delivery, error, outcome).await?,
        }
        Ok(outcome)
    }

    /// The most recent dead letters, newest first.
    pub async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        match self {
            Self::Memory(q) => Ok(q.dead_letters(limit)),
            Self::Redis(q) => q.dead_letters(limit).await,
        }
    }

    /// Takes the dead letter of job `id` out of the list and enqueues the job again at attempt
    /// 1. False when no dead letter has that id.
    pub async fn retry_dead(&self, id: &str) -> Result<bool, QueueError> {
        let taken = match self {
            Self::Memory(q) => q.take_dead(id),
            Self::Redis(q) => q.take_dead(id).await?,
        };
        let Some(mut job) = taken else {
            return Ok(false);
        };
        job.attempt = 1;
        self.enqueue_job(job).await?;
        Ok(true)
    }

    /// Jobs not yet settled: waiting, being run, or due for a retry later.
    pub async fn queued(&self) -> Result<u64, QueueError> {
        match self {
            Self::Memory(q) => Ok(q.queued()),
            Self::Redis(q) => q.queued().await,
        }
    }
}

/// A unique id: time, process and a counter, so ids from several processes never collide.
fn new_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let micros = Utc::now().timestamp_micros();
    format!("{micros:x}-{:x}-{n:x}", std::process::id())
}
