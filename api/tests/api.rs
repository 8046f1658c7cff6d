//! The API black-box, over HTTP on port 0: health contract, race data, errors, CORS, headers and
//! documentation, against SQLite always and against MariaDB and Redis when TEST_MYSQL_URL and
//! TEST_REDIS_URL are set.

mod support;

use chrono::NaiveDate;
use pronoturf_api::{AppState, serve};
use pronoturf_core::domain::*;
use pronoturf_core::settings::{DatabaseUrl, Settings};
use pronoturf_core::store::{self, MySqlStore, Store};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct App {
    base: String,
    state: AppState,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl App {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .expect("request")
    }

    async fn json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("json body"))
    }
}

fn settings(vars: &[(&str, &str)]) -> Settings {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Settings::from_lookup(|k| map.get(k).cloned()).expect("settings")
}

async fn sqlite(dir: &tempfile::TempDir) -> Arc<dyn Store> {
    let url = format!("sqlite://{}/api.db", dir.path().display());
    store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
        .await
        .expect("store")
}

async fn spawn_app_with(
    store: Arc<dyn Store>,
    vars: &[(&str, &str)],
    dir: tempfile::TempDir,
) -> App {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(store, settings(vars)).expect("state");
    tokio::spawn(serve(listener, state.clone(), std::future::pending()));
    App {
        base,
        state,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

async fn spawn_app() -> (App, Arc<dyn Store>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sqlite(&dir).await;
    store.upsert_race_cards(&fixture()).await.expect("fixture");
    (spawn_app_with(store.clone(), &[], dir).await, store)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).expect("date")
}

/// Two races at Vincennes (one finished) and one at Pau.
fn fixture() -> Vec<RaceCard> {
    let card = |meeting: u32, track: &str, number: u32, discipline: Discipline, finished: bool| {
        let mut race = Race::new(number, discipline);
        race.name = Some(format!("PRIX {track} {number}"));
        race.is_final = finished;
        let runners: Vec<Runner> = (1..=3)
            .map(|n| {
                let mut r = Runner::new(n, Horse::named(format!("HORSE {meeting}{number}{n}")));
                if finished {
                    r.status = RunnerStatus::Ran;
                    r.finish = Some(n);
                }
                r.odds_final = Some(2.0 + f64::from(n));
                r.jockey = Some(format!("JOCKEY {n}"));
                r.trainer = Some(format!("TRAINER {track}"));
                r
            })
            .collect();
        race.arrival = finished.then(|| vec![vec![1], vec![2], vec![3]]);
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
            payouts: vec![],
        }
    };
    vec![
        card(1, "VINCENNES", 1, Discipline::Attele, true),
        card(1, "VINCENNES", 2, Discipline::Monte, false),
        card(2, "PAU", 1, Discipline::Haie, false),
    ]
}

#[tokio::test]
async fn liveness_and_every_health_endpoint_answer_up_on_the_embedded_setup() {
    let (app, _) = spawn_app().await;
    let (status, body) = app.json("/health").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, db) = app.json("/api/v1/health/db").await;
    assert_eq!(status, 200, "{db}");
    assert_eq!(db["status"], "up");
    assert_eq!(db["backend"], "sqlite");
    assert!(db["latency_ms"].as_f64().is_some());
    // Every migration of the SQLite tree is applied, however many there are.
    let migrations = std::fs::read_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../core/migrations/sqlite"
    ))
    .expect("migrations folder")
    .count();
    assert_eq!(db["migrations"], migrations);
    let (status, redis) = app.json("/api/v1/health/redis").await;
    assert_eq!((status, redis["backend"].as_str()), (200, Some("embedded")));
    let (status, all) = app.json("/api/v1/health/all").await;
    assert_eq!((status, all["status"].as_str()), (200, Some("up")));
}

#[tokio::test]
async fn a_dead_database_answers_503_quickly_and_liveness_stays_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Nothing listens on port 1: every connection attempt fails.
    let store: Arc<dyn Store> =
        Arc::new(MySqlStore::connect_lazy("mysql://root@127.0.0.1:1/none").expect("lazy store"));
    let app = spawn_app_with(store, &[], dir).await;
    let started = Instant::now();
    let (status, db) = app.json("/api/v1/health/db").await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!((status, db["status"].as_str()), (503, Some("down")), "{db}");
    assert!(db["error"].as_str().is_some());
    let (status, all) = app.json("/api/v1/health/all").await;
    assert_eq!(status, 503);
    assert_eq!(all["database"]["status"], "down");
    assert_eq!(all["redis"]["status"], "up");
    assert_eq!(app.json("/health").await.0, 200);
    let (status, problem) = app.json("/api/v1/races?date=2026-03-01").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (503, Some("unavailable")),
        "{problem}"
    );
}

#[tokio::test]
async fn a_dead_redis_answers_503_and_a_live_one_200() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sqlite(&dir).await;
    let app = spawn_app_with(store, &[("REDIS_URL", "redis://127.0.0.1:1")], dir).await;
    let started = Instant::now();
    let (status, redis) = app.json("/api/v1/health/redis").await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        (status, redis["status"].as_str()),
        (503, Some("down")),
        "{redis}"
    );
    assert_eq!(app.json("/api/v1/health/all").await.0, 503);
    // The cache is on the dead Redis too: data is still served, from the database.
    for _ in 0..3 {
        let r = app.get("/api/v1/races?date=2026-03-01").await;
        assert_eq!(
            (r.status().as_u16(), r.headers()["x-cache"].to_str().ok()),
            (200, Some("miss"))
        );
    }

    let Ok(url) = std::env::var("TEST_REDIS_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI needs TEST_REDIS_URL"
        );
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let store = sqlite(&dir).await;
    let app = spawn_app_with(store, &[("REDIS_URL", &url)], dir).await;
    let (status, redis) = app.json("/api/v1/health/redis").await;
    assert_eq!(
        (status, redis["backend"].as_str()),
        (200, Some("redis")),
        "{redis}"
    );
    assert!(redis["version"].as_str().is_some_and(|v| !v.is_empty()));
}

#[tokio::test]
async fn health_reports_mysql_when_it_is_the_backend() {
    // A database of its own: the shared `test` database may hold other branches' migrations.
    let Some(db) = support::MySqlDb::create().await else {
        return;
    };
    let app = spawn_app_with(db.store.clone(), &[], tempfile::tempdir().expect("dir")).await;
    let (status, body) = app.json("/api/v1/health/db").await;
    db.drop_db().await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["backend"], "mysql");
    assert!(
        body["version"]
            .as_str()
            .is_some_and(|v| v.contains("MariaDB") || v.starts_with('8'))
    );
}

#[tokio::test]
async fn races_of_a_day_are_listed_and_filtered() {
    let (app, _) = spawn_app().await;
    let (status, body) = app.json("/api/v1/races?date=2026-03-01").await;
    assert_eq!(status, 200);
    let races = body["races"].as_array().expect("races");
    assert_eq!(races.len(), 3);
    assert_eq!(races[0]["track"], "VINCENNES");
    assert_eq!(races[0]["runners"], 3);
    assert_eq!(races[0]["has_result"], true);
    assert_eq!(races[2]["track"], "PAU");
    let (_, pau) = app.json("/api/v1/races?date=2026-03-01&track=pau").await;
    assert_eq!(pau["races"].as_array().map(Vec::len), Some(1));
    let (_, monte) = app
        .json("/api/v1/races?date=2026-03-01&discipline=MONTE")
        .await;
    assert_eq!(monte["races"][0]["race"], 2);
    let (_, empty) = app.json("/api/v1/races?date=2020-01-01").await;
    assert_eq!(empty["races"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_race_is_served_with_an_etag_once_final() {
    let (app, _) = spawn_app().await;
    let r = app.get("/api/v1/races/2026-03-01/1/1").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "public, max-age=86400");
    let etag = r.headers()["etag"].to_str().expect("etag").to_string();
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["card"]["runners"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        body["card"]["race"]["arrival"],
        serde_json::json!([[1], [2], [3]])
    );
    let again = app
        .http
        .get(format!("{}/api/v1/races/2026-03-01/1/1", app.base))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("request");
    assert_eq!(again.status(), 304);
    let open = app.get("/api/v1/races/2026-03-01/1/2").await;
    assert_eq!(open.headers()["cache-control"], "no-cache");
}

#[tokio::test]
async fn bad_input_gets_a_problem_document_never_a_500() {
    let (app, _) = spawn_app().await;
    for (path, status, code) in [
        ("/api/v1/races/2026-03-01/9/9", 404, "not_found"),
        ("/api/v1/races/2026-13-01/1/1", 400, "invalid_path"),
        ("/api/v1/races/2026-03-01/x/1", 400, "invalid_path"),
        ("/api/v1/races/2026-03-01/-1/1", 400, "invalid_path"),
        ("/api/v1/races?date=yesterday", 400, "invalid_query"),
        (
            "/api/v1/races?date=2026-03-01&track=%27%3B%20drop%20table%20races%3B--",
            200,
            "",
        ),
        ("/api/v1/jobs/runs?limit=0", 400, "invalid_limit"),
        ("/api/v1/jobs/runs?limit=100000", 400, "invalid_limit"),
        ("/api/v1/nope", 404, "not_found"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status().as_u16(), status, "{path}");
        if status != 200 {
            let ct = r.headers()["content-type"]
                .to_str()
                .expect("ct")
                .to_string();
            assert_eq!(ct, "application/problem+json", "{path}");
            let body: serde_json::Value = r.json().await.expect("json");
            assert_eq!(body["code"], code, "{path}: {body}");
            assert_eq!(body["status"], status);
        }
    }
    // The injection attempt changed nothing.
    assert_eq!(app.json("/api/v1/stats").await.1["races"], 3);
}

#[tokio::test]
async fn cors_allows_the_frontend_origin_only() {
    let (app, _) = spawn_app().await;
    let preflight = |origin: &'static str| {
        app.http
            .request(
                reqwest::Method::OPTIONS,
                format!("{}/api/v1/races", app.base),
            )
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let ok = preflight("http://localhost:3000").await.expect("preflight");
    assert_eq!(
        ok.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("http://localhost:3000")
    );
    let other = preflight("http://evil.example").await.expect("preflight");
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn responses_carry_request_ids_and_security_headers() {
    let (app, _) = spawn_app().await;
    let a = app.get("/health").await;
    let b = app.get("/health").await;
    let id = |r: &reqwest::Response| {
        r.headers()["x-request-id"]
            .to_str()
            .expect("id")
            .to_string()
    };
    assert_ne!(id(&a), id(&b));
    assert_eq!(a.headers()["x-content-type-options"], "nosniff");
    assert_eq!(a.headers()["x-frame-options"], "DENY");
    assert!(a.headers().contains_key("content-security-policy"));
    let mine = app
        .http
        .get(format!("{}/health", app.base))
        .header("x-request-id", "client-42")
        .send()
        .await
        .expect("request");
    assert_eq!(
        mine.headers()["x-request-id"],
        "client-42",
        "a client's id is kept"
    );
}

#[tokio::test]
async fn the_openapi_spec_describes_every_route_and_the_docs_page_is_served_offline() {
    let (app, _) = spawn_app().await;
    let (status, spec) = app.json("/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        spec["openapi"]
    );
    let paths = spec["paths"].as_object().expect("paths");
    for path in [
        "/health",
        "/api/v1/health/db",
        "/api/v1/health/redis",
        "/api/v1/health/all",
        "/api/v1/races",
        "/api/v1/races/{date}/{meeting}/{race}",
        "/api/v1/stats",
        "/api/v1/jobs/runs",
        "/api/v1/tracks",
        "/api/v1/meetings",
        "/api/v1/horses",
        "/api/v1/horses/{id}",
        "/api/v1/jockeys",
        "/api/v1/jockeys/{id}",
        "/api/v1/trainers",
        "/api/v1/trainers/{id}",
        "/api/v1/races/{date}/{meeting}/{race}/predictions",
        "/api/v1/pronostics",
        "/api/v1/value-bets",
        "/api/v1/results",
        "/api/v1/performance",
        "/api/v1/models",
        "/api/v1/models/{version}",
        "/api/v1/admin/jobs",
        "/api/v1/admin/models/{version}/promote",
    ] {
        assert!(paths.contains_key(path), "{path} missing from the spec");
    }
    let docs = app.get("/api/v1/docs/").await;
    assert_eq!(docs.status(), 200);
    let html = docs.text().await.expect("html");
    assert!(html.contains("swagger"), "{html}");
    let initializer = app.get("/api/v1/docs/swagger-initializer.js").await;
    assert_eq!(initializer.status(), 200);
    assert!(
        initializer
            .text()
            .await
            .expect("js")
            .contains("/api/v1/openapi.json")
    );
}

#[tokio::test]
async fn stats_and_job_runs_are_served() {
    let (app, store) = spawn_app().await;
    let run = store
        .start_job_run("sync", &serde_json::json!({"date": "2026-03-01"}), 1)
        .await
        .expect("run");
    let (_, stats) = app.json("/api/v1/stats").await;
    assert_eq!(
        (stats["races"].as_i64(), stats["runners"].as_i64()),
        (Some(3), Some(9))
    );
    let (status, runs) = app.json("/api/v1/jobs/runs?limit=5").await;
    assert_eq!(status, 200);
    assert_eq!(runs[0]["id"], run);
    assert_eq!(runs[0]["status"], "running");
}

#[tokio::test]
async fn tracks_meetings_and_horses_are_served() {
    let (app, _) = spawn_app().await;
    let (status, tracks) = app.json("/api/v1/tracks").await;
    assert_eq!(status, 200);
    assert_eq!(tracks[0]["name"], "PAU");
    assert_eq!(tracks[1]["meetings"], 1);
    let (_, meetings) = app.json("/api/v1/meetings?date=2026-03-01").await;
    assert_eq!(meetings.as_array().map(Vec::len), Some(2));
    assert_eq!(meetings[0]["races"], 2);
    let (_, horses) = app.json("/api/v1/horses?q=horse%2011&limit=2").await;
    let horses = horses.as_array().expect("array").clone();
    assert_eq!(horses.len(), 2);
    assert_eq!(horses[0]["name"], "HORSE 111");
    assert_eq!(
        (horses[0]["runs"].as_i64(), horses[0]["wins"].as_i64()),
        (Some(1), Some(1))
    );
    let id = horses[0]["id"].as_i64().expect("id");
    let (status, horse) = app.json(&format!("/api/v1/horses/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(horse["form"][0]["track"], "VINCENNES");
    assert_eq!(horse["form"][0]["finish"], 1);
    assert_eq!(app.json("/api/v1/horses/999999").await.0, 404);
    assert_eq!(app.json("/api/v1/horses?limit=101").await.0, 400);
    assert_eq!(app.json("/api/v1/horses/abc").await.0, 400);
}

/// Jockeys and trainers: search by prefix, record, form newest first, 404 and bad pages.
async fn check_people(app: &App) {
    let (status, jockeys) = app.json("/api/v1/jockeys?q=jockey&limit=2").await;
    assert_eq!(status, 200, "{jockeys}");
    let jockeys = jockeys.as_array().expect("array").clone();
    assert_eq!(jockeys.len(), 2);
    assert_eq!(jockeys[0]["name"], "JOCKEY 1");
    // JOCKEY 1 won the only finished race and rode the two others, not yet run.
    assert_eq!(
        (jockeys[0]["runs"].as_i64(), jockeys[0]["wins"].as_i64()),
        (Some(1), Some(1)),
        "{}",
        jockeys[0]
    );
    assert_eq!(jockeys[0]["win_rate"], 1.0);
    let id = jockeys[0]["id"].as_i64().expect("id");
    let (status, jockey) = app.json(&format!("/api/v1/jockeys/{id}")).await;
    assert_eq!(status, 200, "{jockey}");
    let form = jockey["form"].as_array().expect("form");
    assert_eq!(form.len(), 3);
    assert!(form.iter().all(|ride| ride["jockey"] == "JOCKEY 1"));
    let won = form
        .iter()
        .find(|ride| ride["finish"] == 1)
        .expect("the win");
    assert_eq!(
        (won["track"].as_str(), won["horse"].as_str()),
        (Some("VINCENNES"), Some("HORSE 111"))
    );

    let (_, trainers) = app.json("/api/v1/trainers?q=trainer%20p").await;
    assert_eq!(trainers.as_array().map(Vec::len), Some(1), "{trainers}");
    assert_eq!(trainers[0]["name"], "TRAINER PAU");
    let id = trainers[0]["id"].as_i64().expect("id");
    let (status, trainer) = app.json(&format!("/api/v1/trainers/{id}")).await;
    assert_eq!(status, 200, "{trainer}");
    assert_eq!(trainer["person"]["name"], "TRAINER PAU");
    assert_eq!(trainer["form"].as_array().map(Vec::len), Some(3));
    assert!(
        trainer["form"]
            .as_array()
            .expect("form")
            .iter()
            .all(|r| r["track"] == "PAU")
    );

    for missing in ["/api/v1/jockeys/999999", "/api/v1/trainers/999999"] {
        let (status, body) = app.json(missing).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (404, Some("not_found")),
            "{body}"
        );
    }
    for bad in [
        "/api/v1/jockeys?limit=0",
        "/api/v1/trainers?limit=101",
        "/api/v1/jockeys?offset=100001",
        "/api/v1/trainers/abc",
    ] {
        assert_eq!(app.json(bad).await.0, 400, "{bad}");
    }
    let (_, none) = app.json("/api/v1/jockeys?q=%25").await;
    assert_eq!(
        none.as_array().map(Vec::len),
        Some(0),
        "a % is a letter, not a wildcard"
    );
}

#[tokio::test]
async fn jockeys_and_trainers_are_searched_with_their_form_on_sqlite() {
    let (app, _) = spawn_app().await;
    check_people(&app).await;
}

#[tokio::test]
async fn jockeys_and_trainers_are_searched_with_their_form_on_mysql() {
    let Some(db) = support::MySqlDb::create().await else {
        return;
    };
    db.store
        .upsert_race_cards(&fixture())
        .await
        .expect("fixture");
    let app = spawn_app_with(db.store.clone(), &[], tempfile::tempdir().expect("dir")).await;
    check_people(&app).await;
    db.drop_db().await;
}

#[tokio::test]
async fn responses_are_cached_until_a_write_invalidates_them() {
    let (app, store) = spawn_app().await;
    let list = "/api/v1/races?date=2026-03-01";
    let first = app.get(list).await;
    assert_eq!(first.headers()["x-cache"], "miss");
    let cached = app.get(list).await;
    assert_eq!(cached.headers()["x-cache"], "hit");
    assert_eq!(
        cached.json::<serde_json::Value>().await.expect("json")["races"]
            .as_array()
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(
        app.get("/api/v1/races/2026-03-01/1/1").await.headers()["x-cache"],
        "miss"
    );
    assert_eq!(
        app.get("/api/v1/races/2026-03-01/1/1").await.headers()["x-cache"],
        "hit"
    );

    // A write (what sync and import do) followed by an invalidation shows the new data at once.
    let mut extra = fixture().remove(2);
    extra.race.number = 2;
    store.upsert_race_cards(&[extra]).await.expect("write");
    app.state.cache.invalidate().await;
    let fresh = app.get(list).await;
    assert_eq!(fresh.headers()["x-cache"], "miss");
    let body: serde_json::Value = fresh.json().await.expect("json");
    assert_eq!(body["races"].as_array().map(Vec::len), Some(4));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_requests_missing_one_entry_reads_the_store_once() {
    // Arrange: nothing cached yet, as right after an expiry.
    let (app, _store) = spawn_app().await;
    for path in [
        "/api/v1/races/2026-03-01/1/1",
        "/api/v1/races?date=2026-03-01",
    ] {
        // Act: 32 requests at once.
        let answers = futures::future::join_all((0..32).map(|_| app.get(path))).await;
        // Assert: one filled the entry, the others waited for it and were served from it.
        let misses = answers
            .iter()
            .inspect(|r| assert_eq!(r.status(), 200, "{path}"))
            .filter(|r| r.headers()["x-cache"] == "miss")
            .count();
        assert_eq!(misses, 1, "{path}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let (app, _) = spawn_app().await;
    app.get("/api/v1/races/2026-03-01/1/1").await;
    app.get("/api/v1/races/2026-03-01/1/2").await;
    app.get("/api/v1/no/such/route").await;
    let r = app.get("/metrics").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    let text = r.text().await.expect("text");
    assert!(
        text.contains(
            "pronoturf_http_requests_total{method=\"GET\",route=\"/api/v1/races/{date}/{meeting}/{race}\",status=\"200\"} 2"
        ),
        "{text}"
    );
    assert!(
        !text.contains("/api/v1/no/such/route"),
        "raw paths never become labels"
    );
}
