//! The Redis queue: a stream read through a consumer group (at-least-once delivery), a sorted
//! set of retries by due time, a dead-letter list and one key per waiting job for de-duplication.
//!
//! Keys under the prefix (`pronoturf:jobs` by default): `:stream` (entries `job` = JSON),
//! `:delayed` (zset, score = due time in ms), `:dead` (list of JSON dead letters, newest first,
//! 1000 kept), `:waiting:<name>:<params>` (the id of the identical job waiting; expires after a
//! day as a safety net). Connections are dropped on any error and made again on the next call,
//! so the queue survives a Redis restart without a process restart.

mod conn;
mod wire;

use self::wire::{ENQUEUE, PROMOTE, RELEASE, from_json, parse_entries, to_json};
use super::{DeadLetter, Delivery, Enqueued, Failed, Job, QueueConfig, QueueError};
use chrono::Utc;
use redis::Value;
use redis::aio::MultiplexedConnection;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::Mutex as AsyncMutex;

const GROUP: &str = "workers";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// Ordinary commands: a healthy Redis answers in microseconds.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest blocking read; the blocking connection's response timeout is this plus a margin
/// (the 500 ms default would cut every blocking read short: STYLE.md pitfalls).
const MAX_BLOCK: Duration = Duration::from_secs(30);
const DEDUP_TTL_SECS: u64 = 24 * 3600;
const DEAD_CAPACITY: isize = 1000;

/// The Redis queue. Clones share connections and the consumer name.
#[derive(Clone)]
pub struct RedisQueue {
    inner: Arc<Inner>,
}

struct Inner {
    client: redis::Client,
    config: QueueConfig,
    consumer: String,
    commands: AsyncMutex<Option<MultiplexedConnection>>,
    blocking: AsyncMutex<Option<MultiplexedConnection>>,
}

impl RedisQueue {
    /// A queue on the Redis at `url`; nothing is contacted until first use.
    pub fn new(url: &str, config: QueueConfig) -> Result<Self, QueueError> {
        static INSTANCE: AtomicU64 = AtomicU64::new(0);
        let consumer = format!(
            "worker-{}-{}",
            std::process::id(),
            INSTANCE.fetch_add(1, Ordering::Relaxed)
        );
        Ok(Self {
            inner: Arc::new(Inner {
                client: redis::Client::open(url)?,
                config,
                consumer,
                commands: AsyncMutex::new(None),
                blocking: AsyncMutex::new(None),
            }),
        })
    }

    pub(super) fn config(&self) -> &QueueConfig {
        &self.inner.config
    }

    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.inner.config.prefix)
    }

    fn dedup_key(&self, job: &Job) -> String {
        self.key(&format!("waiting:{}", job.dedup_key()))
    }

    pub(super) async fn enqueue_job(&self, job: Job) -> Result<Enqueued, QueueError> {
        let json = to_json(&job)?;
        let added: Option<String> = self
            .query(
                redis::cmd("EVAL")
                    .arg(ENQUEUE)
                    .arg(2)
                    .arg(self.dedup_key(&job))
                    .arg(self.key("stream"))
                    .arg(&job.id)
                    .arg(json)
                    .arg(DEDUP_TTL_SECS),
            )
            .await?;
        Ok(match added {
            Some(_) => Enqueued::Added(job.id),
            None => Enqueued::Duplicate,
        })
    }

    pub(super) async fn reserve(&self, wait: Duration) -> Result<Option<Delivery>, QueueError> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let now_ms = Utc::now().timestamp_millis();
            let next_due: i64 = self
                .query(
                    redis::cmd("EVAL")
                        .arg(PROMOTE)
                        .arg(2)
                        .arg(self.key("delayed"))
                        .arg(self.key("stream"))
                        .arg(now_ms),
                )
                .await?;
            // A few malformed entries may be discarded in a row; each turn removes one.
            for _ in 0..10 {
                match self.reclaim().await? {
                    Reclaimed::Delivery(d) => return Ok(Some(d)),
                    Reclaimed::Discarded => continue,
                    Reclaimed::Nothing => break,
                }
            }
            let remaining = deadline.saturating_duration_since(tokio::time::Instant::now());
            // Wake in time to promote the next retry and to reclaim a lost delivery.
            let mut block = remaining.min(self.inner.config.visibility_timeout);
            if next_due >= 0 {
                let until_due = (next_due - now_ms).max(1) as u64;
                block = block.min(Duration::from_millis(until_due));
            }
            if let Some(d) = self.read_new(block).await? {
                return Ok(Some(d));
            }
            if tokio::time::Instant::now() >= deadline {
                return Ok(None);
            }
        }
    }

    /// Takes over one delivery whose worker went silent for the visibility timeout.
    async fn reclaim(&self) -> Result<Reclaimed, QueueError> {
        let idle = self.inner.config.visibility_timeout.as_millis() as u64;
        let reply: Value = self
            .query(
                redis::cmd("XAUTOCLAIM")
                    .arg(self.key("stream"))
                    .arg(GROUP)
                    .arg(&self.inner.consumer)
                    .arg(idle.max(1))
                    .arg("0-0")
                    .arg("COUNT")
                    .arg(1),
            )
            .await?;
        let entries = match &reply {
            Value::Array(parts) => parts.get(1).map(parse_entries).unwrap_or_default(),
            _ => Vec::new(),
        };
        let Some((receipt, json)) = entries.into_iter().next() else {
            return Ok(Reclaimed::Nothing);
        };
        let Some(mut job) = self.parse_or_discard(&receipt, &json).await? else {
            return Ok(Reclaimed::Discarded);
        };
        // XAUTOCLAIM does not say how often the entry was delivered; XPENDING does.
        let pending: Vec<(String, String, u64, u32)> = self
            .query(
                redis::cmd("XPENDING")
                    .arg(self.key("stream"))
                    .arg(GROUP)
                    .arg(&receipt)
                    .arg(&receipt)
                    .arg(1),
            )
            .await?;
        let deliveries = pending.first().map_or(2, |p| p.3);
        job.attempt += deliveries.saturating_sub(1);
        self.release_dedup(&job).await?;
        tracing::warn!(job = %job.name, id = %job.id, attempt = job.attempt,
            "redelivering a job whose worker went silent");
        // Past the last attempt, the worker dead-letters it without running it.
        Ok(Reclaimed::Delivery(Delivery { job, receipt }))
    }

    /// Waits up to `wait` for a job never delivered before.
    async fn read_new(&self, wait: Duration) -> Result<Option<Delivery>, QueueError> {
        let mut conn = self.connection(true).await?;
        let block = wait.min(MAX_BLOCK).as_millis().max(1) as u64;
        let reply: Result<Value, _> = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(GROUP)
            .arg(&self.inner.consumer)
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(block)
            .arg("STREAMS")
            .arg(self.key("stream"))
            .arg(">")
            .query_async(&mut conn)
            .await;
        let reply = match reply {
            Ok(v) => v,
            Err(e) => {
                self.reset(&e).await;
                return Err(e.into());
            }
        };
        // [[stream, [[id, [field, value]]]]], or nil when the wait ran out.
        let entries = match &reply {
            Value::Array(streams) => streams
                .first()
                .and_then(|s| match s {
                    Value::Array(parts) => parts.get(1).map(parse_entries),
                    _ => None,
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let Some((receipt, json)) = entries.into_iter().next() else {
            return Ok(None);
        };
        let Some(job) = self.parse_or_discard(&receipt, &json).await? else {
            return Ok(None);
        };
        self.release_dedup(&job).await?;
        Ok(Some(Delivery { job, receipt }))
    }

    /// The job of an entry; an entry that is not a job (written by something else) is removed,
    /// or it would block the queue forever.
    async fn parse_or_discard(&self, receipt: &str, json: &str) -> Result<Option<Job>, QueueError> {
        match from_json(json) {
            Ok(job) => Ok(Some(job)),
            Err(e) => {
                tracing::error!(error = %e, receipt, "discarding a stream entry that is not a job");
                let stub = Delivery {
                    job: Job::new("?", serde_json::Value::Null),
                    receipt: receipt.to_string(),
                };
                self.query_pipe(&self.settle(&stub)).await?;
                Ok(None)
            }
        }
    }

    /// The job is no longer waiting: an identical one may be enqueued again.
    async fn release_dedup(&self, job: &Job) -> Result<(), QueueError> {
        let _: i64 = self
            .query(
                redis::cmd("EVAL")
                    .arg(RELEASE)
                    .arg(1)
                    .arg(self.dedup_key(job))
                    .arg(&job.id),
            )
            .await?;
        Ok(())
    }

    pub(super) async fn heartbeat(&self, delivery: &Delivery) -> Result<(), QueueError> {
        // XCLAIM with JUSTID resets the idle time without counting a new delivery.
        let _: Value = self
            .query(
                redis::cmd("XCLAIM")
                    .arg(self.key("stream"))
                    .arg(GROUP)
                    .arg(&self.inner.consumer)
                    .arg(0)
                    .arg(&delivery.receipt)
                    .arg("JUSTID"),
            )
            .await?;
        Ok(())
    }

    fn settle(&self, delivery: &Delivery) -> redis::Pipeline {
        let mut pipe = redis::pipe();
        pipe.atomic()
            .cmd("XACK")
            .arg(self.key("stream"))
            .arg(GROUP)
            .arg(&delivery.receipt)
            .ignore()
            .cmd("XDEL")
            .arg(self.key("stream"))
            .arg(&delivery.receipt)
            .ignore();
        pipe
    }

    pub(super) async fn ack(&self, delivery: &Delivery) -> Result<(), QueueError> {
        self.query_pipe(&self.settle(delivery)).await
    }

    pub(super) async fn settle_failure(
        &self,
        delivery: &Delivery,
        error: &str,
        outcome: Failed,
    ) -> Result<(), QueueError> {
        let mut pipe = self.settle(delivery);
        let mut job = delivery.job.clone();
        match outcome {
            Failed::RetryAt(at) => {
                job.attempt += 1;
                pipe.cmd("ZADD")
                    .arg(self.key("delayed"))
                    .arg(at.timestamp_millis())
                    .arg(to_json(&job)?)
                    .ignore();
            }
            Failed::DeadLettered => {
                tracing::error!(job = %job.name, id = %job.id, attempt = job.attempt, %error, "job dead-lettered");
                let dead = DeadLetter {
                    job,
                    error: error.to_string(),
                    failed_at: Utc::now(),
                };
                let json = serde_json::to_string(&dead)
                    .map_err(|e| QueueError::Malformed(e.to_string()))?;
                pipe.cmd("LPUSH")
                    .arg(self.key("dead"))
                    .arg(json)
                    .ignore()
                    .cmd("LTRIM")
                    .arg(self.key("dead"))
                    .arg(0)
                    .arg(DEAD_CAPACITY - 1)
                    .ignore();
            }
        }
        self.query_pipe(&pipe).await
    }

    pub(super) async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, QueueError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let raw: Vec<String> = self
            .query(
                redis::cmd("LRANGE")
                    .arg(self.key("dead"))
                    .arg(0)
                    .arg(limit as isize - 1),
            )
            .await?;
        raw.iter()
            .map(|s| serde_json::from_str(s).map_err(|e| QueueError::Malformed(e.to_string())))
            .collect()
    }

    pub(super) async fn take_dead(&self, id: &str) -> Result<Option<Job>, QueueError> {
        let raw: Vec<String> = self
            .query(redis::cmd("LRANGE").arg(self.key("dead")).arg(0).arg(-1))
            .await?;
        for entry in raw {
            let Ok(dead) = serde_json::from_str::<DeadLetter>(&entry) else {
                continue;
            };
            if dead.job.id == id {
                // LREM tells whether this caller took it, should two retry at once.
                let removed: i64 = self
                    .query(redis::cmd("LREM").arg(self.key("dead")).arg(1).arg(&entry))
                    .await?;
                return Ok((removed == 1).then_some(dead.job));
            }
        }
        Ok(None)
    }

    pub(super) async fn queued(&self) -> Result<u64, QueueError> {
        let (stream, delayed): (u64, u64) = {
            let mut pipe = redis::pipe();
            pipe.cmd("XLEN")
                .arg(self.key("stream"))
                .cmd("ZCARD")
                .arg(self.key("delayed"));
            let mut conn = self.connection(false).await?;
            match pipe.query_async(&mut conn).await {
                Ok(v) => v,
                Err(e) => {
                    self.reset(&e).await;
                    return Err(e.into());
                }
            }
        };
        Ok(stream + delayed)
    }
}

enum Reclaimed {
    Delivery(Delivery),
    /// An entry that was not a job, removed.
    Discarded,
    Nothing,
}
