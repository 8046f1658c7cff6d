//! The model pipeline end to end on real data: a slice of the PMU history (../shared/history)
//! goes into a fresh SQLite store; predicting without a champion is refused; training writes a
//! champion; a day is predicted and settled, twice, with the same result.

use chrono::NaiveDate;
use pronoturf_core::history::read_history;
use pronoturf_core::settings::DatabaseUrl;
use pronoturf_core::store::{self, Store};
use pronoturf_jobs::predict::predict_day;
use pronoturf_jobs::settle::{STRATEGIES, settle_day};
use pronoturf_jobs::train::{RetrainOptions, retrain};
use pronoturf_ml::Registry;
use std::path::PathBuf;
use std::sync::Arc;

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
