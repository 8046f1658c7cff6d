//! The worker against the in-process queue and Redis (TEST_REDIS_URL): a worker killed in the
//! middle of a job, a job that always fails, an unknown job, graceful shutdown.

mod common;

use common::{fake_telegram, queues, sqlite_store};
use pronoturf_core::queue::JobQueue;
use pronoturf_core::store::Store;
use pronoturf_jobs::notify::Notifier;
use pronoturf_jobs::worker::{Outcome, Registry, WorkerCtx, handler_fn, process_one};
use secrecy::SecretString;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn ctx(
    queue: JobQueue,
    store: Arc<dyn Store>,
    registry: Registry,
    notifier: Notifier,
) -> WorkerCtx {
    WorkerCtx {
        queue,
        store,
        registry: Arc::new(registry),
        notifier,
        poll: Duration::from_secs(2),
        shutdown_grace: Duration::from_secs(2),
    }
}

#[tokio::test]
async fn a_job_whose_worker_dies_mid_run_is_redelivered_and_its_effect_happens_once() {
    for q in queues() {
        // Arrange: the first delivery hangs (the worker is then killed); later ones do the work.
        let (store, _dir) = sqlite_store().await;
        let effects: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let started_tx = Arc::new(Mutex::new(Some(started_tx)));
        let mut registry = Registry::default();
        let seen = effects.clone();
        registry.register(
            "results",
            handler_fn(move |job| {
                let seen = seen.clone();
                let started = started_tx.clone();
                async move {
                    if job.attempt == 1 {
                        if let Some(tx) = started.lock().expect("lock").take() {
                            let _ = tx.send(());
                        }
                        std::future::pending::<()>().await;
                    }
                    *seen.lock().expect("lock").entry(job.id).or_default() += 1;
                    Ok(json!({"payouts": 3}))
                }
            }),
        );
        let doomed = ctx(
            q.queue.clone(),
            store.clone(),
            registry.clone(),
            Notifier::off(),
        );
        let survivor = ctx(q.other.clone(), store.clone(), registry, Notifier::off());
        q.queue
            .enqueue("results", json!({"date": "2026-12-06"}))
            .await
            .expect("enqueue");

        // Act: kill the first worker once it is inside the job.
        let running = tokio::spawn(async move { process_one(&doomed).await });
        started_rx.await.expect("the job started");
        running.abort();
        let outcome = process_one(&survivor).await.expect("process");

        // Assert
        let Outcome::Done(job) = outcome else {
            panic!("{}: {outcome:?}", q.name)
        };
        assert_eq!(job.attempt, 2, "{}", q.name);
        assert_eq!(
            *effects.lock().expect("lock"),
            HashMap::from([(job.id.clone(), 1)])
        );
        assert_eq!(
            process_one(&WorkerCtx {
                poll: Duration::from_millis(700),
                ..survivor
            })
            .await
            .expect("process"),
            Outcome::Empty,
            "{}: once",
            q.name
        );
        let runs = store.list_job_runs(10).await.expect("runs");
        let statuses: Vec<(&str, u32)> = runs
            .iter()
            .map(|r| (r.status.as_str(), r.attempt))
            .collect();
        // The dead worker's run is closed by the redelivery, as abandoned.
        assert_eq!(
            statuses,
            vec![("succeeded", 2), ("failed", 1)],
            "{}",
            q.name
        );
        assert!(
            runs[1]
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("abandoned:")),
            "{}",
            q.name
        );
        assert_eq!(runs[0].counts, Some(json!({"payouts": 3})));
        q.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_that_always_fails_is_dead_lettered_with_its_error_recorded_and_notified() {
    for q in queues() {
        // Arrange
        let (store, _dir) = sqlite_store().await;
        let (telegram, fake) = fake_telegram().await;
        let notifier =
            Notifier::telegram(&telegram, &SecretString::from("123:abc"), "42").expect("notifier");
        let mut registry = Registry::default();
        registry.register(
            "odds",
            handler_fn(|_job| async { anyhow::bail!("PMU answered 503") }),
        );
        let worker = ctx(q.queue.clone(), store.clone(), registry, notifier);
        q.queue
            .enqueue("odds", json!({"date": "2026-12-06"}))
            .await
            .expect("enqueue");

        // Act
        let mut outcomes = Vec::new();
        for _ in 0..3 {
            outcomes.push(process_one(&worker).await.expect("process"));
        }

        // Assert
        assert!(
            matches!(outcomes[0], Outcome::Retrying(..)),
            "{}: {outcomes:?}",
            q.name
        );
        assert!(matches!(outcomes[1], Outcome::Retrying(..)), "{}", q.name);
        let Outcome::DeadLettered(job, error) = &outcomes[2] else {
            panic!("{}: {outcomes:?}", q.name)
        };
        assert_eq!((job.attempt, error.as_str()), (3, "PMU answered 503"));
        let dead = q.other.dead_letters(10).await.expect("dead letters");
        assert_eq!(dead.len(), 1, "{}", q.name);
        assert_eq!(dead[0].error, "PMU answered 503");
        let runs = store.list_job_runs(10).await.expect("runs");
        assert_eq!(runs.len(), 3);
        assert!(
            runs.iter()
                .all(|r| r.status == "failed" && r.error.as_deref() == Some("PMU answered 503"))
        );
        let received = fake.lock().expect("lock").received.clone();
        assert_eq!(
            received.len(),
            1,
            "{}: one notification, at the end",
            q.name
        );
        assert_eq!(received[0].0, "bot123:abc/sendMessage");
        assert_eq!(received[0].1["chat_id"], "42");
        let text = received[0].1["text"].as_str().expect("text");
        assert!(
            text.contains("odds") && text.contains("PMU answered 503"),
            "{text}"
        );
        q.cleanup().await;
    }
}

#[tokio::test]
async fn a_job_nobody_handles_is_dead_lettered_at_once_naming_the_known_jobs() {
    for q in queues() {
        let (store, _dir) = sqlite_store().await;
        let mut registry = Registry::default();
        registry.register("sync", handler_fn(|_job| async { Ok(json!({})) }));
        let worker = ctx(q.queue.clone(), store, registry, Notifier::off());
        q.queue
            .enqueue("predict", json!({}))
            .await
            .expect("enqueue");
        let outcome = process_one(&worker).await.expect("process");
        let Outcome::DeadLettered(job, error) = outcome else {
            panic!("{}: {outcome:?}", q.name)
        };
        assert_eq!(job.attempt, 1, "no retry: it cannot succeed");
        assert!(
            error.contains("\"predict\"") && error.contains("sync"),
            "{error}"
        );
        q.cleanup().await;
    }
}

#[tokio::test]
async fn a_panicking_handler_is_a_failed_run_not_a_dead_worker() {
    let q = queues().remove(0);
    let (store, _dir) = sqlite_store().await;
    let mut registry = Registry::default();
    registry.register("report", handler_fn(|_job| async { panic!("bad data") }));
    let worker = ctx(q.queue.clone(), store.clone(), registry, Notifier::off());
    q.queue.enqueue("report", json!({})).await.expect("enqueue");
    let outcome = process_one(&worker).await.expect("process");
    assert!(matches!(outcome, Outcome::Retrying(..)), "{outcome:?}");
    let runs = store.list_job_runs(1).await.expect("runs");
    assert_eq!(runs[0].error.as_deref(), Some("the job panicked: bad data"));
}

#[tokio::test]
async fn the_run_loop_finishes_the_current_job_then_stops_on_shutdown() {
    let q = queues().remove(0);
    let (store, _dir) = sqlite_store().await;
    let done = Arc::new(Mutex::new(Vec::new()));
    let mut registry = Registry::default();
    let log = done.clone();
    registry.register(
        "sync",
        handler_fn(move |job| {
            let log = log.clone();
            async move {
                tokio::time::sleep(Duration::from_millis(300)).await;
                log.lock().expect("lock").push(job.id);
                Ok(json!({}))
            }
        }),
    );
    let worker = ctx(q.queue.clone(), store, registry, Notifier::off());
    q.queue.enqueue("sync", json!({})).await.expect("enqueue");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(pronoturf_jobs::worker::run(worker, async move {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await; // the job is running
    stop_tx.send(()).expect("stop");
    tokio::time::timeout(Duration::from_secs(5), handle)
        .await
        .expect("stops")
        .expect("join");
    assert_eq!(
        done.lock().expect("lock").len(),
        1,
        "the running job was finished"
    );
}

#[tokio::test]
async fn a_job_still_running_after_the_shutdown_grace_is_abandoned_and_redelivered() {
    let q = queues().remove(0);
    let (store, _dir) = sqlite_store().await;
    let mut registry = Registry::default();
    registry.register(
        "retrain",
        handler_fn(|job| async move {
            if job.attempt == 1 {
                std::future::pending::<()>().await;
            }
            Ok(json!({"attempt": job.attempt}))
        }),
    );
    let mut worker = ctx(q.queue.clone(), store, registry, Notifier::off());
    worker.shutdown_grace = Duration::from_millis(100);
    q.queue
        .enqueue("retrain", json!({}))
        .await
        .expect("enqueue");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(pronoturf_jobs::worker::run(worker.clone(), async move {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop_tx.send(()).expect("stop");
    tokio::time::timeout(Duration::from_secs(2), handle)
        .await
        .expect("stops within the grace")
        .expect("join");
    let outcome = process_one(&worker).await.expect("process");
    assert!(
        matches!(outcome, Outcome::Done(ref job) if job.attempt == 2),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_job_whose_workers_keep_dying_is_dead_lettered_without_running_again() {
    for q in queues() {
        let (store, _dir) = sqlite_store().await;
        let ran = Arc::new(Mutex::new(0));
        let mut registry = Registry::default();
        let count = ran.clone();
        registry.register(
            "retrain",
            handler_fn(move |_job| {
                let count = count.clone();
                async move {
                    *count.lock().expect("lock") += 1;
                    Ok(json!({}))
                }
            }),
        );
        let worker = ctx(q.other.clone(), store, registry, Notifier::off());
        q.queue
            .enqueue("retrain", json!({}))
            .await
            .expect("enqueue");
        // Three workers take it and die (max_attempts is 3).
        for attempt in 1..=3 {
            let d = q
                .queue
                .reserve(Duration::from_secs(2))
                .await
                .expect("reserve")
                .expect("job");
            assert_eq!(d.job.attempt, attempt, "{}", q.name);
        }
        let outcome = process_one(&worker).await.expect("process");
        let Outcome::DeadLettered(job, error) = outcome else {
            panic!("{}: {outcome:?}", q.name)
        };
        assert_eq!(job.attempt, 4);
        assert!(error.contains("taken 3 times"), "{error}");
        assert_eq!(
            *ran.lock().expect("lock"),
            0,
            "{}: not run a fourth time",
            q.name
        );
        assert_eq!(q.queue.dead_letters(5).await.expect("dead").len(), 1);
        q.cleanup().await;
    }
}
