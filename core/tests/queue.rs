#![cfg(feature = "runtime")]
//! The job queue contract: the same scenarios in process (always) and on Redis (TEST_REDIS_URL,
//! required under CI=true; each test works under a key prefix of its own, deleted at the end).

use pronoturf_core::queue::{Enqueued, Failed, JobQueue, MemoryQueue, QueueConfig, RedisQueue};
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

static COUNTER: AtomicU32 = AtomicU32::new(0);

fn config(prefix: String) -> QueueConfig {
    QueueConfig {
        prefix,
        visibility_timeout: Duration::from_millis(400),
        max_attempts: 3,
        retry_base: Duration::from_millis(50),
        retry_max: Duration::from_secs(1),
    }
}

/// A queue under test, and the Redis prefix to delete after it.
struct Backend {
    name: &'static str,
    queue: JobQueue,
    /// A second handle, standing for another process (a separate Redis consumer).
    other: JobQueue,
    redis: Option<(String, String)>,
}

impl Backend {
    async fn cleanup(self) {
        if let Some((url, prefix)) = self.redis {
            let client = redis::Client::open(url).expect("client");
            let mut conn = client
                .get_multiplexed_async_connection()
                .await
                .expect("connect");
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{prefix}:*"))
                .query_async(&mut conn)
                .await
                .expect("keys");
            for key in keys {
                let _: () = redis::cmd("DEL")
                    .arg(key)
                    .query_async(&mut conn)
                    .await
                    .expect("del");
            }
        }
    }
}

fn backends() -> Vec<Backend> {
    let memory = MemoryQueue::new(config(String::new()));
    let mut all = vec![Backend {
        name: "memory",
        queue: JobQueue::Memory(memory.clone()),
        other: JobQueue::Memory(memory),
        redis: None,
    }];
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => {
            let prefix = format!(
                "test:queue:{}:{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let queue = |p: &str| {
                JobQueue::Redis(RedisQueue::new(&url, config(p.to_string())).expect("client"))
            };
            all.push(Backend {
                name: "redis",
                queue: queue(&prefix),
                other: queue(&prefix),
                redis: Some((url.clone(), prefix)),
            });
        }
        _ => assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs TEST_REDIS_URL"
        ),
    }
    all
}

const SHORT: Duration = Duration::from_millis(50);

#[tokio::test]
async fn an_acknowledged_job_is_delivered_once_with_its_parameters() {
    for b in backends() {
        // Arrange
        let params = json!({"date": "2026-12-06"});
        let id = match b
            .queue
            .enqueue("sync", params.clone())
            .await
            .expect("enqueue")
        {
            Enqueued::Added(id) => id,
            Enqueued::Duplicate => panic!("{}: first enqueue is not a duplicate", b.name),
        };
        // Act
        let d = b
            .other
            .reserve(SHORT)
            .await
            .expect("reserve")
            .expect("a job");
        b.other.ack(&d).await.expect("ack");
        // Assert
        assert_eq!(
            (d.job.id.as_str(), d.job.name.as_str()),
            (id.as_str(), "sync")
        );
        assert_eq!(
            (d.job.params.clone(), d.job.attempt),
            (params, 1),
            "{}",
            b.name
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            b.queue.reserve(SHORT).await.expect("reserve").is_none(),
            "{}",
            b.name
        );
        assert_eq!(b.queue.queued().await.expect("queued"), 0, "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn an_identical_waiting_job_is_not_enqueued_twice() {
    for b in backends() {
        let p = json!({"date": "2026-12-06"});
        assert!(matches!(
            b.queue.enqueue("odds", p.clone()).await,
            Ok(Enqueued::Added(_))
        ));
        assert_eq!(
            b.other.enqueue("odds", p.clone()).await.expect("enqueue"),
            Enqueued::Duplicate,
            "{}",
            b.name
        );
        let other_day = b.queue.enqueue("odds", json!({"date": "2026-12-07"})).await;
        assert!(
            matches!(other_day, Ok(Enqueued::Added(_))),
            "other parameters"
        );
        // Once taken, the job is running, not waiting: the next refresh may be enqueued.
        let d = b.queue.reserve(SHORT).await.expect("reserve").expect("job");
        assert_eq!(d.job.params, p);
        assert!(
            matches!(b.queue.enqueue("odds", p).await, Ok(Enqueued::Added(_))),
            "{}",
            b.name
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_dropped_by_a_dead_worker_is_redelivered_after_the_visibility_timeout() {
    for b in backends() {
        b.queue
            .enqueue("results", json!({}))
            .await
            .expect("enqueue");
        let lost = b.queue.reserve(SHORT).await.expect("reserve").expect("job");
        drop(lost.receipt); // the worker dies: no ack, no heartbeat
        assert!(
            b.other.reserve(SHORT).await.expect("reserve").is_none(),
            "{}: still invisible",
            b.name
        );
        tokio::time::sleep(Duration::from_millis(450)).await;
        let again = b
            .other
            .reserve(SHORT)
            .await
            .expect("reserve")
            .expect("redelivered");
        assert_eq!(again.job.id, lost.job.id, "{}", b.name);
        assert_eq!(
            again.job.attempt, 2,
            "{}: a redelivery is one more attempt",
            b.name
        );
        b.other.ack(&again).await.expect("ack");
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_heartbeat_keeps_a_long_job_from_being_redelivered() {
    for b in backends() {
        b.queue
            .enqueue("retrain", json!({}))
            .await
            .expect("enqueue");
        let d = b.queue.reserve(SHORT).await.expect("reserve").expect("job");
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(200)).await;
            b.queue.heartbeat(&d).await.expect("heartbeat");
            assert!(
                b.other
                    .reserve(Duration::from_millis(1))
                    .await
                    .expect("reserve")
                    .is_none(),
                "{}",
                b.name
            );
        }
        b.queue.ack(&d).await.expect("ack");
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_dead_lettered_with_its_error() {
    for b in backends() {
        b.queue
            .enqueue("report", json!({"date": "2026-12-06"}))
            .await
            .expect("enqueue");
        let mut retries = Vec::new();
        for attempt in 1..=3 {
            let d = b
                .queue
                .reserve(Duration::from_secs(2))
                .await
                .expect("reserve")
                .expect("job");
            assert_eq!(d.job.attempt, attempt, "{}", b.name);
            let outcome = b
                .queue
                .fail(&d, &format!("boom {attempt}"), true)
                .await
                .expect("fail");
            retries.push(outcome);
        }
        assert!(
            matches!(retries[0], Failed::RetryAt(_)) && matches!(retries[1], Failed::RetryAt(_))
        );
        assert_eq!(retries[2], Failed::DeadLettered, "{}", b.name);
        assert!(
            b.queue
                .reserve(Duration::from_millis(300))
                .await
                .expect("reserve")
                .is_none()
        );
        let dead = b.other.dead_letters(10).await.expect("dead");
        assert_eq!(dead.len(), 1, "{}", b.name);
        assert_eq!(
            (dead[0].job.name.as_str(), dead[0].error.as_str()),
            ("report", "boom 3")
        );
        assert_eq!(dead[0].job.attempt, 3);
        // Retrying a dead letter enqueues it afresh, at attempt 1.
        assert!(b.other.retry_dead(&dead[0].job.id).await.expect("retry"));
        assert!(
            !b.other.retry_dead(&dead[0].job.id).await.expect("retry"),
            "taken once"
        );
        let d = b
            .queue
            .reserve(SHORT)
            .await
            .expect("reserve")
            .expect("job again");
        assert_eq!(
            (d.job.id.clone(), d.job.attempt),
            (dead[0].job.id.clone(), 1)
        );
        assert!(
            b.queue.dead_letters(10).await.expect("dead").is_empty(),
            "{}",
            b.name
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_that_cannot_run_is_dead_lettered_at_once() {
    for b in backends() {
        b.queue.enqueue("nope", json!({})).await.expect("enqueue");
        let d = b.queue.reserve(SHORT).await.expect("reserve").expect("job");
        let outcome = b
            .queue
            .fail(&d, "no handler for job nope", false)
            .await
            .expect("fail");
        assert_eq!(outcome, Failed::DeadLettered, "{}", b.name);
        assert_eq!(
            b.queue.dead_letters(5).await.expect("dead")[0].error,
            "no handler for job nope"
        );
        b.cleanup().await;
    }
}

#[test]
fn the_backoff_doubles_and_is_capped() {
    let c = QueueConfig {
        retry_base: Duration::from_secs(30),
        retry_max: Duration::from_secs(100),
        ..QueueConfig::default()
    };
    let delays: Vec<u64> = (1..=4).map(|a| c.backoff(a).as_secs()).collect();
    assert_eq!(delays, vec![30, 60, 100, 100]);
}
