//! `pronoturf worker` processes killed with SIGKILL in the middle of a retrain and of a sync, on a
//! private Redis queue and an SQLite store: the champion model is untouched, no race is
//! half-written, and a second worker gets the job again (after the visibility timeout) and
//! completes it once.

use crate::harness::{
    Process, eventually, history_slice, pronoturf_with, run_ok, shared, snapshot,
};
use crate::private_redis::PrivateRedis;
use chrono::NaiveDate;
use pronoturf_core::domain::RaceKey;
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, Store};
use pronoturf_pmu::client::Endpoint;
use pronoturf_pmu::mock::{MockResponse, MockTurfinfo};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

/// The variables every process of a test shares: its queue on the private Redis, a visibility
/// timeout of 2 s (a dead worker's job is taken again after that), the PMU base URL.
fn vars(redis: &PrivateRedis, pmu: &str) -> Vec<(String, String)> {
    [
        ("REDIS_URL", redis.url()),
        ("JOBS_VISIBILITY_TIMEOUT_SECS", "2".into()),
        ("JOBS_RETRY_BASE_SECS", "1".into()),
        ("PMU_BASE_URL", pmu.into()),
        ("RUST_LOG", "info".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn command(dir: &Path, vars: &[(String, String)]) -> std::process::Command {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pronoturf_with(dir, &pairs)
}

/// Starts `pronoturf worker` number `n`, its log in `dir/worker-N.log` (read it when a test fails).
fn start_worker(dir: &Path, vars: &[(String, String)], n: u32) -> Process {
    let log = std::fs::File::create(dir.join(format!("worker-{n}.log"))).expect("log file");
    let child = command(dir, vars)
        .arg("worker")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start worker");
    Process(child)
}

/// The store the processes write (`pronoturf.db` in `dir`), read by the test.
async fn open_store(dir: &Path) -> Arc<dyn Store> {
    let url = format!("sqlite://{}/pronoturf.db", dir.display());
    store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("open store")
}

/// (status, attempt) of the recorded runs of `job`, newest first.
async fn runs(store: &dyn Store, job: &str) -> Vec<(String, u32)> {
    store
        .list_job_runs(50)
        .await
        .expect("runs")
        .into_iter()
        .filter(|r| r.job == job)
        .map(|r| (r.status, r.attempt))
        .collect()
}

/// Waits until attempt 1 of `job` runs in worker 1, kills it, and checks it did not finish.
async fn kill_when_running(store: &dyn Store, job: &str, worker: &mut Process, after: Duration) {
    eventually(
        "the job runs in worker 1",
        Duration::from_secs(60),
        || async { runs(store, job).await.contains(&("running".into(), 1)) },
    )
    .await;
    tokio::time::sleep(after).await;
    worker.kill();
    assert_eq!(
        runs(store, job).await,
        vec![("running".into(), 1)],
        "killed mid-run"
    );
}

/// Starts worker 2 and waits until it has completed `job` once, on its second delivery.
async fn completed_by_another_worker(
    dir: &Path,
    vars: &[(String, String)],
    store: &dyn Store,
    job: &str,
) -> Process {
    let second = start_worker(dir, vars, 2);
    eventually(
        "worker 2 completes the job",
        Duration::from_secs(90),
        || async { runs(store, job).await.iter().any(|(s, _)| s == "succeeded") },
    )
    .await;
    // A moment more: a second completion, if any, would show here.
    tokio::time::sleep(Duration::from_secs(3)).await;
    // The killed attempt's run is closed by the redelivery, not left `running` for ever.
    let expected: Vec<(String, u32)> = vec![("succeeded".into(), 2), ("failed".into(), 1)];
    assert_eq!(
        runs(store, job).await,
        expected,
        "redelivered once, completed once, the lost attempt closed"
    );
    second
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retrain_killed_mid_run_leaves_the_champion_untouched_and_completes_on_another_worker() {
    if !PrivateRedis::available() {
        return;
    }
    // Arrange: two months of real races and a champion trained on them.
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(slice) = history_slice(dir.path(), "2026-03-01", "2026-04-30") else {
        return;
    };
    let redis = PrivateRedis::start();
    let vars = vars(&redis, "http://127.0.0.1:9/"); // retrain never calls PMU
    run_ok(command(dir.path(), &vars).arg("import").arg(&slice));
    run_ok(command(dir.path(), &vars).args([
        "train",
        "--until",
        "2026-04-20",
        "--compare-weeks",
        "1",
    ]));
    let models = dir.path().join("ml_models");
    let before = snapshot(&models);
    assert!(before.contains_key("CHAMPION"));
    let store = open_store(dir.path()).await;
    let mut first = start_worker(dir.path(), &vars, 1);
    run_ok(command(dir.path(), &vars).args(["jobs", "enqueue", "retrain", "--date", "2026-05-01"]));

    // Act: kill worker 1 while it reads and trains (seconds, long before it saves).
    kill_when_running(
        store.as_ref(),
        "retrain",
        &mut first,
        Duration::from_millis(300),
    )
    .await;

    // Assert: the registry is byte for byte what it was: champion pointer and files.
    assert_eq!(
        snapshot(&models),
        before,
        "the killed retrain touched the registry"
    );

    // Act: another worker takes the job again.
    let _second = completed_by_another_worker(dir.path(), &vars, store.as_ref(), "retrain").await;

    // Assert: one new, complete version; the old champion's files unchanged.
    let after = snapshot(&models);
    for (name, bytes) in before.iter().filter(|(n, _)| *n != "CHAMPION") {
        assert_eq!(after.get(name), Some(bytes), "{name} changed");
    }
    let mut added: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    added.sort();
    assert_eq!(
        added.len(),
        3,
        "one version: model, features, metrics: {added:?}"
    );
    let version = added[0].split('/').next().expect("folder");
    assert!(
        version.contains("-20260430-"),
        "trained until the day before: {version}"
    );
    for file in ["features.json", "metrics.json", "model.json"] {
        assert!(
            after.contains_key(&format!("{version}/{file}")),
            "{version}/{file}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_run_stores_no_half_race_and_completes_on_another_worker() {
    if !PrivateRedis::available() {
        return;
    }
    let Some(pmu) = shared("pmu") else { return };
    // Arrange: a PMU server with the recorded 2025-11-05; R1C1's participants hang the first time.
    let date = NaiveDate::from_ymd_opt(2025, 11, 5).expect("date");
    let read = |name: &str| std::fs::read(pmu.join(name)).expect("recorded payload");
    let mock = MockTurfinfo::start().await;
    mock.serve(
        &Endpoint::Programme { date }.path(),
        read("programme_2025-11-05.json"),
    );
    let (meeting, race) = (1, 1);
    let participants = Endpoint::Participants {
        date,
        meeting,
        race,
    }
    .path();
    let body = read("participants_2025-11-05_R1C1_NANTES_trot-monte.json");
    mock.serve(&participants, body.clone());
    mock.script(
        &participants,
        vec![MockResponse::ok(body).with_delay(Duration::from_secs(120))],
    );
    mock.serve(
        &Endpoint::Rapports {
            date,
            meeting,
            race,
        }
        .path(),
        read("rapports-definitifs_2025-11-05_R1C1_NANTES_trot-monte.json"),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let redis = PrivateRedis::start();
    let vars = vars(&redis, mock.base_url().as_str());
    run_ok(command(dir.path(), &vars).arg("migrate"));
    let store = open_store(dir.path()).await;
    let mut first = start_worker(dir.path(), &vars, 1);
    run_ok(command(dir.path(), &vars).args(["jobs", "enqueue", "sync", "--date", "2025-11-05"]));

    // Act: kill worker 1 while it waits for R1C1's runners.
    eventually(
        "R1C1's participants requested",
        Duration::from_secs(60),
        || async { mock.hits(&participants) >= 1 },
    )
    .await;
    kill_when_running(
        store.as_ref(),
        "sync",
        &mut first,
        Duration::from_millis(500),
    )
    .await;

    // Assert: R1C1 is not stored at all, and no stored race has runners (only R1C1 has any).
    let r1c1 = RaceKey {
        date,
        meeting,
        race,
    };
    assert_eq!(store.race_card(r1c1).await.expect("read"), None);
    assert_eq!(store.stats().await.expect("stats").runners, 0);

    // Act: another worker takes the job again.
    let _second = completed_by_another_worker(dir.path(), &vars, store.as_ref(), "sync").await;

    // Assert: the whole day, R1C1 with its 14 runners and 19 payout lines.
    let card = store
        .race_card(r1c1)
        .await
        .expect("read")
        .expect("R1C1 stored");
    assert_eq!((card.runners.len(), card.payouts.len()), (14, 19));
    assert_eq!(store.list_race_keys(date).await.expect("keys").len(), 63);
}
