//! The model pipeline end to end on real data: a slice of the PMU history (../shared/history)
//! goes into a fresh SQLite store; predicting without a champion is refused; training writes a
//! champion; a day is predicted and settled, twice, with the same result. And the Monday retrain
//! as the scheduler enqueues it and the worker runs it.

use chrono::NaiveDate;
use pronoturf_core::cache::Cache;
use pronoturf_core::history::read_history;
use pronoturf_core::queue::{JobQueue, QueueConfig};
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, Store};
use pronoturf_jobs::handlers::{JobDeps, standard_registry};
use pronoturf_jobs::notify::Notifier;
use pronoturf_jobs::predict::predict_day;
use pronoturf_jobs::settle::{STRATEGIES, settle_day};
use pronoturf_jobs::sync::Source;
use pronoturf_jobs::train::{RetrainOptions, retrain};
use pronoturf_jobs::worker::{Outcome, WorkerCtx, process_one};
use pronoturf_ml::Registry;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const PMU: &str = "pmu_fr_2026-01_2026-06-15.csv";

/// The shared history folder beside the workspace (SHARED_DIR overrides it for worktrees laid
/// out elsewhere); its absence fails under CI=true and skips the test otherwise.
fn pmu_history() -> Option<PathBuf> {
    let default = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared"));
    let dir = std::env::var_os("SHARED_DIR").map_or(default, PathBuf::from);
    let path = dir.join("history").join(PMU);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {} is missing: the model pipeline test needs it",
        path.display()
    );
    eprintln!("{} not found: model pipeline test skipped", path.display());
    None
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

async fn store_with_slice(dir: &std::path::Path, from: NaiveDate, to: NaiveDate) -> Arc<dyn Store> {
    let path = pmu_history().expect("checked by the caller");
    let file = std::fs::File::open(path).expect("open");
    let mut cards = read_history(std::io::BufReader::new(file), &mut |_| {})
        .expect("valid history")
        .cards;
    cards.retain(|c| (from..=to).contains(&c.meeting.date));
    let url = format!("sqlite://{}/pipeline.db", dir.display());
    let store = store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("store");
    store.upsert_race_cards(&cards).await.expect("import");
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_history_trains_predicts_and_settles_idempotently() {
    if pmu_history().is_none() {
        return;
    }
    // Arrange: April to mid-May 2026, about 2,000 races.
    let dir = tempfile::tempdir().expect("temp dir");
    let models = dir.path().join("models");
    let (until, target) = (day("2026-05-10"), day("2026-05-11"));
    let store = store_with_slice(dir.path(), day("2026-04-01"), target).await;

    // Act / Assert: no champion, no prediction.
    let refused = predict_day(store.as_ref(), &models, target)
        .await
        .expect_err("refused");
    assert!(refused.to_string().contains("no champion"), "{refused}");

    // Train: the first model becomes champion.
    let options = RetrainOptions {
        compare_weeks: 2,
        ..RetrainOptions::default()
    };
    let trained = retrain(store.as_ref(), &models, until, &options)
        .await
        .expect("train");
    assert!(trained.decision.promoted, "{:?}", trained.decision);
    assert!(trained.decision.new_logloss.is_some());
    assert_eq!(trained.champion.as_deref(), Some(trained.version.as_str()));
    assert_eq!(trained.trained_until, until);
    let metrics = Registry::new(&models)
        .metrics(&trained.version)
        .expect("metrics");
    assert_eq!(metrics.decision, Some(trained.decision.clone()));

    // Predict the next day, twice: the second run replaces the first.
    let first = predict_day(store.as_ref(), &models, target)
        .await
        .expect("predict");
    let second = predict_day(store.as_ref(), &models, target)
        .await
        .expect("predict again");
    assert!(first.races > 20, "{first:?}");
    assert_eq!((first.races, first.runners), (second.races, second.runners));
    let stored = store.day_predictions(target).await.expect("read");
    assert_eq!(stored.len(), first.races);
    for race in &stored {
        let win: f64 = race.race.runners.iter().map(|r| r.p_win).sum();
        let place: f64 = race.race.runners.iter().map(|r| r.p_place).sum();
        let n = race.race.runners.len();
        assert!((win - 1.0).abs() < 1e-9, "{}", race.race.key);
        assert!((place - n.min(3) as f64).abs() < 1e-9, "{}", race.race.key);
        assert_eq!(race.race.runners[0].rank, 1);
        assert!(race.race.pronostics.iter().any(|p| p.kind == "gagnant"));
    }

    // Settle twice: the same bets, settled at final odds (the history has no payouts).
    let settled = settle_day(store.as_ref(), target).await.expect("settle");
    let bets = store.day_sim_bets(target).await.expect("bets");
    let again = settle_day(store.as_ref(), target)
        .await
        .expect("settle again");
    assert_eq!(store.day_sim_bets(target).await.expect("bets"), bets);
    let top = &settled.strategies[STRATEGIES[0]];
    assert_eq!(top.bets, first.races);
    assert_eq!(
        top.won + top.lost + top.void,
        top.bets,
        "every win bet is settled"
    );
    assert_eq!(again.strategies[STRATEGIES[0]].returned, top.returned);
    let bankroll = store.bankroll_history(100.0).await.expect("bankroll");
    let point = bankroll
        .iter()
        .find(|p| p.strategy == STRATEGIES[0])
        .expect("a point");
    assert!((point.balance - (100.0 + top.returned - top.staked)).abs() < 1e-9);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monday_retrain_job_run_by_the_worker_leaves_a_champion() {
    if pmu_history().is_none() {
        return;
    }
    // Arrange: history up to Sunday 2026-05-10, and the job the Monday 02:00 slot enqueues.
    let dir = tempfile::tempdir().expect("temp dir");
    let models = dir.path().join("models");
    let store = store_with_slice(dir.path(), day("2026-03-01"), day("2026-05-10")).await;
    let deps = JobDeps {
        store: store.clone(),
        source: Source::Archive,
        concurrency: 1,
        notifier: Notifier::off(),
        models_dir: models.clone(),
        cache: Arc::new(Cache::new(None).expect("cache")),
    };
    let queue = JobQueue::new(None, QueueConfig::default()).expect("queue");
    let ctx = WorkerCtx {
        queue: queue.clone(),
        store: store.clone(),
        registry: Arc::new(standard_registry(&deps)),
        notifier: Notifier::off(),
        poll: Duration::from_millis(100),
        shutdown_grace: Duration::from_secs(1),
    };
    queue
        .enqueue("retrain", serde_json::json!({ "date": "2026-05-11" }))
        .await
        .expect("enqueue");

    // Act
    let outcome = process_one(&ctx).await.expect("worker");

    // Assert: done, recorded, and a champion trained on the days before Monday.
    assert!(matches!(outcome, Outcome::Done(_)), "{outcome:?}");
    let runs = store.list_job_runs(5).await.expect("runs");
    assert_eq!(runs[0].job, "retrain");
    assert_eq!(runs[0].status, "succeeded", "{:?}", runs[0].error);
    let registry = Registry::new(&models);
    let champion = registry.champion().expect("pointer").expect("a champion");
    let (_, model) = registry
        .load_champion()
        .expect("loads")
        .expect("a champion model");
    assert_eq!(model.trained_until, day("2026-05-10"));
    assert_eq!(
        runs[0].counts.as_ref().and_then(|c| c["champion"].as_str()),
        Some(champion.as_str())
    );
}
