//! The sync job as the worker runs it against a PMU server that misbehaves: 500, 429, truncated
//! JSON, wrong types, or no answer at all. The job is retried, then dead-lettered, every attempt
//! is recorded in job_runs with the reason, and no race of the failed part is stored. (The
//! client's own handling of each fault is tested in pmu/tests/client.rs; this is the job level.)

mod common;

use chrono::NaiveDate;
use common::pmu::{read, shared_pmu};
use common::{fast_config, sqlite_store};
use pronoturf_core::cache::Cache;
use pronoturf_core::domain::RaceKey;
use pronoturf_core::queue::{JobQueue, MemoryQueue};
use pronoturf_core::store::Store;
use pronoturf_jobs::handlers::{JobDeps, standard_registry};
use pronoturf_jobs::notify::Notifier;
use pronoturf_jobs::sync::Source;
use pronoturf_jobs::worker::{Outcome, WorkerCtx, process_one};
use pronoturf_pmu::client::{ClientConfig, Endpoint, TurfinfoClient};
use pronoturf_pmu::mock::{MockResponse, MockTurfinfo};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn nov5() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 11, 5).expect("date")
}

/// A worker with the production handlers, on an in-process queue that gives up after 3
/// attempts, and a PMU client that waits at most 300 ms per attempt and retries twice.
fn worker(mock: &MockTurfinfo, store: Arc<dyn Store>, models: &std::path::Path) -> WorkerCtx {
    let mut config = ClientConfig::new(mock.base_url());
    config.timeout = Duration::from_millis(300);
    config.backoff_base = Duration::from_millis(5);
    config.backoff_max = Duration::from_millis(20);
    config.max_retries = 2;
    let deps = JobDeps {
        store: store.clone(),
        source: Source::Network(TurfinfoClient::new(config).expect("client")),
        concurrency: 4,
        notifier: Notifier::off(),
        models_dir: models.to_path_buf(),
        cache: Arc::new(Cache::new(None).expect("memory cache")),
    };
    WorkerCtx {
        queue: JobQueue::Memory(MemoryQueue::new(fast_config(String::new()))),
        store,
        registry: Arc::new(standard_registry(&deps)),
        notifier: Notifier::off(),
        poll: Duration::from_secs(2),
        shutdown_grace: Duration::from_secs(2),
    }
}

/// Enqueues `sync` of 2025-11-05 and runs the worker until the job is given up; returns the
/// dead-letter error and the error recorded for each attempt.
async fn sync_until_dead_lettered(worker: &WorkerCtx) -> (String, Vec<Option<String>>) {
    worker
        .queue
        .enqueue("sync", json!({"date": "2025-11-05"}))
        .await
        .expect("enqueue");
    for attempt in 1..=2 {
        let outcome = process_one(worker).await.expect("process");
        assert!(
            matches!(outcome, Outcome::Retrying(ref job, _) if job.attempt == attempt),
            "attempt {attempt}: {outcome:?}"
        );
    }
    let outcome = process_one(worker).await.expect("process");
    let Outcome::DeadLettered(job, error) = outcome else {
        panic!("third attempt: {outcome:?}")
    };
    assert_eq!(job.attempt, 3);
    let runs = worker.store.list_job_runs(10).await.expect("runs");
    assert!(
        runs.iter().all(|r| r.job == "sync" && r.status == "failed"),
        "{runs:?}"
    );
    (error, runs.into_iter().map(|r| r.error).collect())
}

#[tokio::test]
async fn a_programme_the_pmu_server_fails_to_give_is_retried_then_recorded_and_nothing_is_stored() {
    let Some(dir) = shared_pmu() else { return };
    let programme = read(&dir, "programme_2025-11-05.json");
    // The same real programme with one course number turned into text.
    let mut wrong: serde_json::Value = serde_json::from_slice(&programme).expect("json");
    wrong["programme"]["reunions"][0]["courses"][0]["numOrdre"] = json!("un");
    let faults: [(&str, MockResponse, &str); 5] = [
        ("500", MockResponse::status(500), "HTTP 500"),
        (
            "429",
            MockResponse::status(429).with_retry_after(0),
            "HTTP 429",
        ),
        (
            "truncated JSON",
            MockResponse::ok(programme[..programme.len() / 2].to_vec()),
            "invalid programme payload",
        ),
        (
            "wrong types",
            MockResponse::ok(wrong.to_string()),
            "invalid programme payload",
        ),
        (
            "no answer",
            MockResponse::ok(programme.clone()).with_delay(Duration::from_secs(30)),
            "gave up",
        ),
    ];
    for (name, response, reason) in faults {
        // Arrange: every programme request of the day gets the fault (3 tries x 3 attempts).
        let mock = MockTurfinfo::start().await;
        let path = Endpoint::Programme { date: nov5() }.path();
        mock.script(&path, vec![response; 9]);
        let (store, tmp) = sqlite_store().await;
        let worker = worker(&mock, store.clone(), tmp.path());

        // Act
        let (error, recorded) = sync_until_dead_lettered(&worker).await;

        // Assert: the reason is named in the dead letter and in each of the 3 recorded runs.
        assert!(error.contains(reason), "{name}: {error}");
        assert_eq!(recorded.len(), 3, "{name}");
        for run_error in &recorded {
            let run_error = run_error.as_deref().unwrap_or_default();
            assert!(
                run_error.contains("2025-11-05 programme") && run_error.contains(reason),
                "{name}: {run_error}"
            );
        }
        let transport_retries = if reason.contains("invalid") { 1 } else { 3 };
        assert_eq!(mock.hits(&path), 3 * transport_retries, "{name}");
        let stats = store.stats().await.expect("stats");
        assert_eq!(
            (stats.meetings, stats.races, stats.runners, stats.payouts),
            (0, 0, 0, 0),
            "{name}: nothing of the day is stored"
        );
    }
}

#[tokio::test]
async fn a_race_whose_participants_keep_failing_fails_the_job_and_is_not_stored_at_all() {
    let Some(dir) = shared_pmu() else { return };
    // Arrange: a good programme; R1C1's participants answer 503 to every request.
    let mock = MockTurfinfo::start().await;
    mock.serve(
        &Endpoint::Programme { date: nov5() }.path(),
        read(&dir, "programme_2025-11-05.json"),
    );
    let participants = Endpoint::Participants {
        date: nov5(),
        meeting: 1,
        race: 1,
    }
    .path();
    mock.script(&participants, vec![MockResponse::status(503); 9]);
    let (store, tmp) = sqlite_store().await;
    let worker = worker(&mock, store.clone(), tmp.path());

    // Act
    let (error, recorded) = sync_until_dead_lettered(&worker).await;

    // Assert: the failed race is named, absent from the store; the 62 others are there.
    assert!(
        error.contains("2025-11-05 R1C1") && error.contains("HTTP 503"),
        "{error}"
    );
    assert!(
        recorded
            .iter()
            .all(|e| e.as_deref().is_some_and(|e| e.contains("R1C1"))),
        "{recorded:?}"
    );
    let r1c1 = RaceKey {
        date: nov5(),
        meeting: 1,
        race: 1,
    };
    assert_eq!(store.race_card(r1c1).await.expect("read"), None);
    let keys = store.list_race_keys(nov5()).await.expect("keys");
    assert_eq!(keys.len(), 62);
    assert_eq!(store.stats().await.expect("stats").runners, 0);
}
