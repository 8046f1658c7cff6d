//! Redis stopped and restarted under a running worker and scheduler: both recover without a
//! restart and nothing is lost. Uses a private redis-server on a free port (never the shared
//! one), killed and started again on the same port, without persistence.

mod common;

use chrono::{DateTime, Utc};
use common::{PrivateRedis, fast_config, sqlite_store};
use pronoturf_core::queue::{JobQueue, RedisQueue};
use pronoturf_core::settings::ScheduleSetting;
use pronoturf_jobs::notify::Notifier;
use pronoturf_jobs::scheduler::{Clock, Scheduler, SchedulerCtx};
use pronoturf_jobs::worker::{Registry, WorkerCtx, handler_fn};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct FixedClock(DateTime<Utc>);

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        self.0
    }
}

/// Waits until `check` holds, for up to 15 s.
async fn eventually(what: &str, check: impl Fn() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn worker_and_scheduler_ride_out_a_redis_restart_and_nothing_is_lost() {
    if !PrivateRedis::available() {
        return;
    }
    // Arrange: a worker loop recording each job's effect, and a scheduler at 06:00 Paris.
    let mut redis = PrivateRedis::start();
    let queue = JobQueue::Redis(
        RedisQueue::new(&redis.url(), fast_config("restart".into())).expect("client"),
    );
    let (store, _dir) = sqlite_store().await;
    let effects: Arc<Mutex<HashMap<String, serde_json::Value>>> = Arc::default();
    let mut registry = Registry::default();
    for name in ["sync", "odds"] {
        let seen = effects.clone();
        registry.register(
            name,
            handler_fn(move |job| {
                let seen = seen.clone();
                async move {
                    seen.lock()
                        .expect("lock")
                        .insert(job.name.clone(), job.params.clone());
                    Ok(json!({}))
                }
            }),
        );
    }
    let worker = WorkerCtx {
        queue: queue.clone(),
        store: store.clone(),
        registry: Arc::new(registry),
        notifier: Notifier::off(),
        poll: Duration::from_millis(200),
        shutdown_grace: Duration::from_secs(2),
    };
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let worker_task = tokio::spawn(pronoturf_jobs::worker::run(worker, async move {
        let _ = stop_rx.await;
    }));
    let clock = Arc::new(FixedClock("2026-12-06T05:00:00Z".parse().expect("time")));
    let mut scheduler = Scheduler::new(SchedulerCtx {
        queue: queue.clone(),
        store: store.clone(),
        schedules: vec![ScheduleSetting {
            job: "sync",
            variable: "SCHEDULE_SYNC",
            cron: Some("0 6 * * *".parse().expect("cron")),
        }],
        clock,
        owner: "test".into(),
    });
    queue
        .enqueue("odds", json!({"date": "2026-12-06"}))
        .await
        .expect("enqueue");
    eventually("the first job", || {
        effects.lock().expect("lock").contains_key("odds")
    })
    .await;

    // Act: Redis dies; the 06:00 slot comes while it is down; Redis comes back.
    redis.kill();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let fired_while_down = scheduler.tick().await;
    assert!(
        queue.enqueue("odds", json!({})).await.is_err(),
        "Redis is really down"
    );
    redis.restart();
    let started = Instant::now();
    let mut fired = Vec::new();
    while fired.is_empty() && started.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        fired = scheduler.tick().await;
    }

    // Assert: the slot was kept while Redis was down, then enqueued and run.
    assert!(fired_while_down.is_empty(), "{fired_while_down:?}");
    assert_eq!(fired.len(), 1, "the slot fired once Redis was back");
    eventually("the scheduled job", || {
        effects.lock().expect("lock").contains_key("sync")
    })
    .await;
    assert_eq!(
        effects.lock().expect("lock")["sync"],
        json!({"date": "2026-12-06"})
    );
    stop_tx.send(()).expect("stop");
    tokio::time::timeout(Duration::from_secs(5), worker_task)
        .await
        .expect("worker stops")
        .expect("join");
    let runs = store.list_job_runs(10).await.expect("runs");
    let names: Vec<(&str, &str)> = runs
        .iter()
        .map(|r| (r.job.as_str(), r.status.as_str()))
        .collect();
    assert_eq!(names, vec![("sync", "succeeded"), ("odds", "succeeded")]);
}
