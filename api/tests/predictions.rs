//! Predictions, pronostics, value bets, results and performance, in process through
//! `router(state).oneshot`, on a SQLite store seeded through the Store methods (and on MariaDB
//! when TEST_MYSQL_URL is set).

mod support;

use pronoturf_core::store::Store;
use std::sync::Arc;
use support::*;

/// Every model-output endpoint's happy path on `store` (seeded).
async fn model_output_is_served(store: Arc<dyn Store>) {
    let state = state(store, &[]);

    let race = get(&state, "/api/v1/races/2026-03-01/1/1/predictions").await;
    assert_eq!(race.status, 200, "{}", race.body);
    let body = race.body;
    assert_eq!(body["model_version"], "m1");
    assert_eq!(
        (body["meeting"].as_u64(), body["race"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(body["runners"].as_array().map(Vec::len), Some(3));
    assert_eq!(body["runners"][0]["number"], 1);
    assert_eq!(body["runners"][0]["rank"], 1);
    assert_eq!(body["runners"][0]["p_win"], 0.5);
    assert_eq!(body["runners"][0]["p_place"], 1.0);
    assert_eq!(
        body["runners"][0]["explanation"]["up"][0]["feature"],
        "form"
    );
    assert_eq!(body["pronostics"][0]["kind"], "gagnant");
    assert_eq!(body["pronostics"][0]["selection"], serde_json::json!([1]));

    let pronostics = get(&state, "/api/v1/pronostics?date=2026-03-01").await;
    assert_eq!(pronostics.status, 200);
    let races = pronostics.body["races"].as_array().expect("races").clone();
    assert_eq!(races.len(), 2, "R2C1 has no predictions");
    assert_eq!(
        (races[1]["meeting"].as_u64(), races[1]["race"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(races[0]["favourite"], 1);
    assert_eq!(races[0]["pronostics"][0]["confidence"], "high");

    let value = get(&state, "/api/v1/value-bets?date=2026-03-01&min_edge=0.2").await;
    assert_eq!(value.status, 200, "{}", value.body);
    assert_eq!(value.body["min_edge"], 0.2);
    let bets = value.body["bets"].as_array().expect("bets").clone();
    assert_eq!(bets.len(), 2, "runner 1 of both races, edge 0.5");
    assert!(bets.iter().all(|b| b["number"] == 1 && b["edge"] == 0.5));
    let none = get(&state, "/api/v1/value-bets?date=2026-03-01&min_edge=0.6").await;
    assert_eq!(none.body["bets"].as_array().map(Vec::len), Some(0));
    let default = get(&state, "/api/v1/value-bets?date=2026-03-01").await;
    assert_eq!(default.body["min_edge"], 0.1);

    let results = get(&state, "/api/v1/results?date=2026-03-01").await;
    assert_eq!(results.status, 200);
    assert_eq!(results.body["complete"], false);
    let races = results.body["races"].as_array().expect("races").clone();
    assert_eq!(races.len(), 1, "only R1C1 is run");
    assert_eq!(races[0]["arrival"], serde_json::json!([[2], [1], [3]]));
    assert_eq!(races[0]["payouts"][0]["bet_type"], "SIMPLE_GAGNANT");
    assert_eq!(races[0]["payouts"][0]["dividend_per_euro"], 4.1);
    assert_eq!(results.headers["cache-control"], "no-cache");

    let perf = get(&state, "/api/v1/performance?from=2026-02-01&to=2026-03-31").await;
    assert_eq!(perf.status, 200, "{}", perf.body);
    let strategies = perf.body["strategies"]
        .as_array()
        .expect("strategies")
        .clone();
    assert_eq!(strategies.len(), 2);
    let fav = &strategies[0];
    assert_eq!(fav["strategy"], "favourite");
    assert_eq!(
        (
            fav["bets"].as_u64(),
            fav["won"].as_u64(),
            fav["pending"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    assert_eq!(
        (fav["staked"].as_f64(), fav["returned"].as_f64()),
        (Some(2.0), Some(8.2))
    );
    assert!((fav["roi"].as_f64().expect("roi") - 3.1).abs() < 1e-9);
    assert_eq!(fav["hit_rate"], 1.0);
    assert_eq!(strategies[1]["roi"], -1.0);
    assert_eq!(strategies[1]["hit_rate"], 0.0);
    let bankroll = perf.body["bankroll"].as_array().expect("bankroll").clone();
    assert_eq!(bankroll.len(), 2);
    assert!((bankroll[0]["balance"].as_f64().expect("balance") - 106.2).abs() < 1e-9);
    // One scorable race, R1C1: the winner (2) had p_win 0.3 and market 0.25 (odds 2, 4, 4).
    let cal = &perf.body["calibration"];
    assert_eq!(cal["races"], 1, "{cal}");
    assert!((cal["model_logloss"].as_f64().expect("model") - -(0.3f64.ln())).abs() < 1e-9);
    assert!((cal["market_logloss"].as_f64().expect("market") - -(0.25f64.ln())).abs() < 1e-9);
    assert_eq!(cal["model_top1_hit_rate"], 0.0);
    let empty = get(&state, "/api/v1/performance?from=2025-01-01&to=2025-01-31").await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body["calibration"]["races"], 0);
    assert!(empty.body["calibration"]["model_logloss"].is_null());
}

#[tokio::test]
async fn predictions_pronostics_value_bets_results_and_performance_are_served_from_sqlite() {
    let (store, _dir) = seeded_sqlite().await;
    model_output_is_served(store).await;
}

#[tokio::test]
async fn the_same_model_output_is_served_from_mariadb() {
    let Some(db) = MySqlDb::create().await else {
        return;
    };
    seed(db.store.as_ref()).await;
    model_output_is_served(db.store.clone()).await;
    // Dates MySQL cannot store are still answered, never with a 500.
    let state = state(db.store.clone(), &[]);
    let mut statuses = Vec::new();
    for path in [
        "/api/v1/results?date=%2B262142-12-31",
        "/api/v1/pronostics?date=0001-01-01",
        "/api/v1/value-bets?date=%2B262142-12-31",
        "/api/v1/races/+262142-12-31/1/1/predictions",
        "/api/v1/performance?to=%2B262142-12-31",
        "/api/v1/races?date=%2B262142-12-31",
        "/api/v1/races/+262142-12-31/1/1",
        "/api/v1/meetings?date=%2B262142-12-31",
    ] {
        statuses.push((path, get(&state, path).await.status.as_u16()));
    }
    db.drop_db().await;
    assert!(statuses.iter().all(|(_, s)| *s < 500), "{statuses:?}");
}

#[tokio::test]
async fn missing_races_and_predictions_and_bad_parameters_get_problems() {
    let (store, _dir) = seeded_sqlite().await;
    let state = state(store, &[]);
    for (path, status, code) in [
        ("/api/v1/races/2026-03-01/2/1/predictions", 404, "not_found"),
        ("/api/v1/races/2026-03-01/9/9/predictions", 404, "not_found"),
        (
            "/api/v1/races/2026-03-41/1/1/predictions",
            400,
            "invalid_path",
        ),
        ("/api/v1/pronostics?date=tomorrow", 400, "invalid_query"),
        ("/api/v1/value-bets?min_edge=-0.1", 422, "invalid_min_edge"),
        ("/api/v1/value-bets?min_edge=6", 422, "invalid_min_edge"),
        ("/api/v1/value-bets?min_edge=NaN", 422, "invalid_min_edge"),
        ("/api/v1/value-bets?min_edge=inf", 422, "invalid_min_edge"),
        ("/api/v1/value-bets?min_edge=lots", 400, "invalid_query"),
        ("/api/v1/results?date=2026-02-30", 400, "invalid_query"),
        ("/api/v1/performance?from=x", 400, "invalid_query"),
        ("/api/v1/results?date=%2B262142-12-31", 400, "invalid_query"),
        (
            "/api/v1/races/+262142-12-31/1/1/predictions",
            400,
            "invalid_path",
        ),
    ] {
        let answer = get(&state, path).await;
        assert_eq!(answer.status.as_u16(), status, "{path}: {}", answer.body);
        assert_eq!(
            answer.headers["content-type"], "application/problem+json",
            "{path}"
        );
        assert_eq!(answer.body["code"], code, "{path}: {}", answer.body);
    }
    let unpredicted = get(&state, "/api/v1/races/2026-03-01/2/1/predictions").await;
    assert!(
        unpredicted.body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no predictions")),
        "{}",
        unpredicted.body
    );
    // Periods: a reversed one is empty, a long one is cut to 366 days, extreme dates do not panic.
    let reversed = get(&state, "/api/v1/performance?from=2026-03-02&to=2026-03-01").await;
    assert_eq!(reversed.status, 200);
    assert_eq!(reversed.body["strategies"], serde_json::json!([]));
    let long = get(&state, "/api/v1/performance?from=2000-01-01&to=2026-03-01").await;
    assert_eq!(
        (long.status.as_u16(), long.body["from"].as_str()),
        (200, Some("2025-03-01"))
    );
    assert_eq!(long.body["calibration"]["races"], 1);
    for extreme in ["to=-262143-01-01", "from=+262142-12-31", "to=+262142-12-31"] {
        let r = get(&state, &format!("/api/v1/performance?{extreme}")).await;
        assert!(
            r.status == 200 || r.status == 400,
            "{extreme}: {}",
            r.status
        );
    }
    let today = get(&state, "/api/v1/pronostics").await;
    assert_eq!(today.status, 200, "the date defaults to today");
}

#[tokio::test]
async fn a_complete_day_of_results_is_immutable_with_an_etag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sqlite(&dir).await;
    store
        .upsert_race_cards(&fixture()[..1])
        .await
        .expect("one final race");
    let state = state(store, &[]);
    let first = get(&state, "/api/v1/results?date=2026-03-01").await;
    assert_eq!(first.body["complete"], true);
    assert_eq!(first.headers["cache-control"], "public, max-age=86400");
    let etag = first.headers["etag"].to_str().expect("etag").to_string();
    let again = send(
        &state,
        axum::http::Request::get("/api/v1/results?date=2026-03-01")
            .header("if-none-match", &etag)
            .body(axum::body::Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.headers["etag"].to_str().ok(), Some(etag.as_str()));
}

#[tokio::test]
async fn model_output_is_cached_until_a_prediction_run_bumps_the_data_version() {
    let (store, _dir) = seeded_sqlite().await;
    let state = state(store.clone(), &[]);
    for path in [
        "/api/v1/races/2026-03-01/1/1/predictions",
        "/api/v1/pronostics?date=2026-03-01",
        "/api/v1/value-bets?date=2026-03-01",
        "/api/v1/performance?from=2026-03-01&to=2026-03-01",
    ] {
        assert_eq!(get(&state, path).await.headers["x-cache"], "miss", "{path}");
        assert_eq!(get(&state, path).await.headers["x-cache"], "hit", "{path}");
    }
    // A new run by another model (what predict writes), then the bump predict must make.
    let mut rerun = predictions();
    rerun.model_version = "m2".into();
    store.replace_predictions(&rerun).await.expect("m2");
    let stale = get(&state, "/api/v1/races/2026-03-01/1/1/predictions").await;
    assert_eq!(
        stale.body["model_version"], "m1",
        "served from the cache until the bump"
    );
    state.cache.invalidate().await;
    let fresh = get(&state, "/api/v1/races/2026-03-01/1/1/predictions").await;
    assert_eq!(fresh.headers["x-cache"], "miss");
    assert_eq!(fresh.body["model_version"], "m2");
}
