//! Shared test helpers: settings, SQLite and MySQL stores with the race and prediction fixture,
//! in-process requests through `router(state).oneshot`, and a model registry with one trained
//! version.
#![allow(dead_code)] // each test binary uses a different part of it

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, Utc};
use http_body_util::BodyExt;
use pronoturf_api::{AppState, router};
use pronoturf_core::domain::*;
use pronoturf_core::settings::{DatabaseUrl, Settings};
use pronoturf_core::store::{
    self, DayPredictions, RacePrediction, RacePronostic, RunnerPrediction, SimBet, Store,
};
use pronoturf_ml::registry::{ModelMetrics, Registry};
use pronoturf_ml::{ModelSpec, ServingModel};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tower::ServiceExt;

/// Settings from the given variables only.
pub fn settings(vars: &[(&str, &str)]) -> Settings {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("settings")
}

/// The fixture day.
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
}

/// A fresh SQLite store in `dir`.
pub async fn sqlite(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let url = format!("sqlite://{}/api.db", dir.path().display());
    store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("store")
}

/// A MySQL database of its own on the TEST_MYSQL_URL server, dropped by [`MySqlDb::drop_db`].
pub struct MySqlDb {
    server: String,
    name: String,
    /// The store on it, migrated.
    pub store: Arc<dyn Store>,
}

impl MySqlDb {
    /// `None` without TEST_MYSQL_URL (a failure under CI=true).
    pub async fn create() -> Option<Self> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let Ok(server) = std::env::var("TEST_MYSQL_URL") else {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI needs TEST_MYSQL_URL"
            );
            return None;
        };
        let name = format!(
            "pronoturf_api_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        exec(
            &server,
            &format!("create database {name} character set utf8mb4"),
        )
        .await;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        let url = DatabaseUrl::parse("TEST_MYSQL_URL", &format!("{base}/{name}")).expect("url");
        let store = store::open(&url).await.expect("open mysql");
        Some(Self {
            server,
            name,
            store,
        })
    }

    /// The URL of this database, for a pool of the test's own.
    pub fn url(&self) -> String {
        let base = self
            .server
            .rsplit_once('/')
            .map_or(self.server.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }

    /// Drops the database.
    pub async fn drop_db(self) {
        exec(
            &self.server,
            &format!("drop database if exists {}", self.name),
        )
        .await;
    }
}

async fn exec(server: &str, sql: &str) {
    let pool = sqlx::MySqlPool::connect(server).await.expect("connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .expect(sql);
    pool.close().await;
}

/// R1C1 at Vincennes, finished (arrival 2-1-3, final odds, payouts); R1C2 open; R2C1 at Pau open.
pub fn fixture() -> Vec<RaceCard> {
    let card = |meeting: u32, track: &str, number: u32, finished: bool| {
        let mut race = Race::new(number, Discipline::Attele);
        race.name = Some(format!("PRIX {track} {number}"));
        race.is_final = finished;
        let finish = [2, 1, 3];
        let runners: Vec<Runner> = (1..=3)
            .map(|n| {
                let mut r = Runner::new(n, Horse::named(format!("HORSE {meeting}{number}{n}")));
                if finished {
                    r.status = RunnerStatus::Ran;
                    r.finish = Some(finish[n as usize - 1]);
                }
                r.odds_final = Some([2.0, 4.0, 4.0][n as usize - 1]);
                r
            })
            .collect();
        race.arrival = finished.then(|| vec![vec![2], vec![1], vec![3]]);
        let payouts = if finished {
            vec![Payout {
                bet_type: "SIMPLE_GAGNANT".into(),
                combination: "2".into(),
                label: Some("Simple gagnant".into()),
                dividend_per_euro: 4.1,
                winners: None,
                refunded: false,
            }]
        } else {
            vec![]
        };
        RaceCard {
            meeting: Meeting {
                date: day(),
                number: meeting,
                track: Track {
                    name: track.into(),
                    code: None,
                    country: Some("FRA".into()),
                },
                nature: None,
                audience: None,
                status: None,
                weather: None,
            },
            race,
            runners,
            odds: vec![],
            payouts,
        }
    };
    vec![
        card(1, "VINCENNES", 1, true),
        card(1, "VINCENNES", 2, false),
        card(2, "PAU", 1, false),
    ]
}

fn key(meeting: u32, race: u32) -> RaceKey {
    RaceKey {
        date: day(),
        meeting,
        race,
    }
}

/// Predictions of R1C1 (runner 1 first at 0.5, winner 2 at 0.3) and R1C2 by model `m1`.
pub fn predictions() -> DayPredictions {
    let runner = |number: u32, p_win: f64, rank: u32, edge: f64| RunnerPrediction {
        number,
        p_win,
        p_place: (p_win * 2.0).min(1.0),
        p_model: p_win,
        rank,
        odds: Some(3.0),
        edge: Some(edge),
        kelly: Some(edge.max(0.0) / 8.0),
        explanation: serde_json::json!({"up": [{"feature": "form", "value": 0.4}], "down": []}),
    };
    let race = |k: RaceKey| RacePrediction {
        key: k,
        runners: vec![
            runner(1, 0.5, 1, 0.5),
            runner(2, 0.3, 2, -0.1),
            runner(3, 0.2, 3, -0.4),
        ],
        pronostics: vec![RacePronostic {
            kind: "gagnant".into(),
            selection: vec![1],
            probability: 0.5,
            probability_in_order: 0.5,
            confidence: "high".into(),
        }],
    };
    DayPredictions {
        date: day(),
        model_version: "m1".into(),
        races: vec![race(key(1, 1)), race(key(1, 2))],
    }
}

/// Two strategies' bets: "favourite" won on R1C1 and has one pending on R1C2; "value" lost.
pub fn sim_bets() -> Vec<SimBet> {
    let bet =
        |strategy: &str, k: RaceKey, number: u32, status: &str, returned: Option<f64>| SimBet {
            strategy: strategy.into(),
            key: k,
            bet_type: "SIMPLE_GAGNANT".into(),
            number,
            stake: 2.0,
            odds: returned.map(|r| r / 2.0),
            model_version: "m1".into(),
            status: status.into(),
            returned,
        };
    vec![
        bet("favourite", key(1, 1), 2, "won", Some(8.2)),
        bet("favourite", key(1, 2), 1, "pending", None),
        bet("value", key(1, 1), 1, "lost", Some(0.0)),
    ]
}

/// Writes the race fixture, predictions and simulated bets.
pub async fn seed(store: &dyn Store) {
    store.upsert_race_cards(&fixture()).await.expect("cards");
    store
        .replace_predictions(&predictions())
        .await
        .expect("predictions");
    store
        .replace_sim_bets(day(), &sim_bets())
        .await
        .expect("bets");
}

/// A seeded SQLite store and its folder.
pub async fn seeded_sqlite() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sqlite(&dir).await;
    seed(store.as_ref()).await;
    (store, dir)
}

/// A state on `store` with the given variables.
pub fn state(store: Arc<dyn Store>, vars: &[(&str, &str)]) -> AppState {
    AppState::new(store, settings(vars)).expect("state")
}

/// A response: status, headers and JSON body (`Null` when empty or not JSON).
pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: serde_json::Value,
}

/// Sends `request` through the router in process.
pub async fn send(state: &AppState, request: Request<Body>) -> Answer {
    let response = router(state.clone())
        .oneshot(request)
        .await
        .expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    Answer {
        status,
        headers,
        body,
    }
}

/// GET `path`.
pub async fn get(state: &AppState, path: &str) -> Answer {
    send(
        state,
        Request::get(path).body(Body::empty()).expect("request"),
    )
    .await
}

/// POST `body` as JSON to `path`, with a bearer token when given.
pub async fn post(
    state: &AppState,
    path: &str,
    token: Option<&str>,
    body: serde_json::Value,
) -> Answer {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    send(
        state,
        request.body(Body::from(body.to_string())).expect("request"),
    )
    .await
}

/// A registry in `root` with one small trained version; returns the version.
pub fn trained_version(root: &Path) -> String {
    let registry = Registry::new(root);
    let mut spec = ModelSpec::named("clogit-morning").expect("known");
    spec.l2_grid = vec![0.1];
    let cards = synthetic_history();
    let until = NaiveDate::from_ymd_opt(2026, 1, 12).expect("date");
    let model = ServingModel::train(&cards, until, &spec).expect("trained");
    let version = registry.new_version(&model, Utc::now());
    let metrics = ModelMetrics {
        version: version.clone(),
        model: model.spec.name.clone(),
        created_at: Utc::now(),
        trained_from: model.trained_from,
        trained_until: model.trained_until,
        train_races: model.train_races(),
        l2: model.l2,
        stage2_races: 0,
        stage2_coefficients: None,
        decision: None,
    };
    registry.save(&model, &metrics).expect("saved");
    version
}

/// Twelve days of ten races whose finishing order follows the morning odds, with some noise.
fn synthetic_history() -> Vec<RaceCard> {
    let mut seed = 42u64;
    let mut next = move || {
        // SplitMix64: a deterministic, dependency-free generator.
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut cards = Vec::new();
    for d in 0..12u32 {
        let date = NaiveDate::from_ymd_opt(2026, 1, 1 + d).expect("date");
        for number in 1..=10u32 {
            let field = 6 + number % 5;
            let mut ability: Vec<(f64, u32)> = (1..=field).map(|n| (next() * 3.0, n)).collect();
            let mut runners: Vec<Runner> = ability
                .iter()
                .map(|&(a, n)| {
                    let mut r =
                        Runner::new(n, Horse::named(format!("H{}", (next() * 300.0) as u32)));
                    r.status = RunnerStatus::Ran;
                    r.odds_reference = Some(1.2 + (4.0 - a + next()).exp().min(80.0));
                    r
                })
                .collect();
            ability.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (pos, (_, n)) in ability.iter().enumerate() {
                if let Some(r) = runners.iter_mut().find(|r| r.number == *n) {
                    r.finish = Some(pos as u32 + 1);
                }
            }
            cards.push(RaceCard {
                meeting: Meeting {
                    date,
                    number: 1,
                    track: Track {
                        name: "VINCENNES".into(),
                        code: None,
                        country: None,
                    },
                    nature: None,
                    audience: None,
                    status: None,
                    weather: None,
                },
                race: Race::new(number, Discipline::Attele),
                runners,
                odds: Vec::new(),
                payouts: Vec::new(),
            });
        }
    }
    cards
}
