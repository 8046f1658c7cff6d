//! What the dashboard's page tests share: an app over a fresh SQLite store in a temp dir (with
//! its own model registry folder), requests through the router, and the race fixture.
#![allow(dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use http_body_util::BodyExt;
use pronoturf_core::domain::*;
use pronoturf_core::settings::{DatabaseUrl, Settings};
use pronoturf_core::store::{self, Store};
use pronoturf_dashboard::{AppState, router};
use std::sync::Arc;
use tower::ServiceExt;

pub struct App {
    pub state: AppState,
    pub dir: tempfile::TempDir,
}

pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub csp: Option<String>,
    pub body: String,
}

impl App {
    pub async fn new(api_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/dash.db", dir.path().display());
        let store = store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
            .await
            .expect("open");
        let api_url = api_url.to_string();
        let models = dir.path().join("ml_models").display().to_string();
        let settings = Settings::from_lookup(|k| match k {
            "DATABASE_URL" => Some(url.clone()),
            "API_URL" => Some(api_url.clone()),
            "ML_MODELS_DIR" => Some(models.clone()),
            _ => None,
        })
        .expect("settings");
        Self {
            state: AppState::new(store, settings).expect("state"),
            dir,
        }
    }

    pub async fn with_fixture() -> Self {
        let app = Self::new("http://127.0.0.1:9").await;
        app.store()
            .upsert_race_cards(&fixture())
            .await
            .expect("write");
        app
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    pub async fn get(&self, uri: &str) -> Answer {
        let response = router(self.state.clone())
            .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
            .await
            .expect("response");
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(header::CONTENT_TYPE).unwrap_or_default();
        let csp = header(header::CONTENT_SECURITY_POLICY);
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            content_type,
            csp,
            body: String::from_utf8(bytes.to_vec()).expect("utf-8"),
        }
    }

    /// The first link in `page` to `prefix` followed by an id.
    pub async fn first_link(&self, page: &str, prefix: &str) -> String {
        let body = self.get(page).await.body;
        let start = body.find(&format!("href=\"{prefix}")).expect(prefix) + 6;
        let end = start + body[start..].find('"').expect("closing quote");
        body[start..end].replace("&#38;", "&")
    }
}

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).expect("date")
}

pub fn at(d: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, d, hour, minute, 0)
        .single()
        .expect("instant")
}

pub fn runner(number: u32, horse: &str, finish: Option<u32>, odds: f64) -> Runner {
    let mut r = Runner::new(number, Horse::named(horse));
    r.jockey = Some("J. Dupont".into());
    r.trainer = Some("P. Martin".into());
    r.status = RunnerStatus::Ran;
    r.finish = finish;
    r.odds_reference = Some(odds + 1.0);
    r.odds_final = Some(odds);
    r
}

pub fn card(d: u32, meeting: u32, track: &str, name: &str, runners: Vec<Runner>) -> RaceCard {
    let mut race = Race::new(1, Discipline::Attele);
    race.name = Some(name.into());
    race.start_time = Some(at(d, 12, 50));
    race.distance_m = Some(2700);
    let mut placed: Vec<(u32, u32)> = runners
        .iter()
        .filter_map(|r| r.finish.map(|f| (f, r.number)))
        .collect();
    placed.sort_unstable();
    race.arrival = Some(placed.into_iter().map(|(_, n)| vec![n]).collect());
    let odds = runners
        .iter()
        .flat_map(|r| {
            [
                OddsSnapshot {
                    runner: r.number,
                    kind: OddsKind::Reference,
                    odds: r.odds_reference.unwrap_or(2.0),
                    taken_at: at(d, 7, 0),
                },
                OddsSnapshot {
                    runner: r.number,
                    kind: OddsKind::Final,
                    odds: r.odds_final.unwrap_or(2.0),
                    taken_at: at(d, 12, 50),
                },
            ]
        })
        .collect();
    RaceCard {
        meeting: Meeting {
            date: day(d),
            number: meeting,
            track: Track {
                name: track.into(),
                code: None,
                country: None,
            },
            nature: None,
            audience: None,
            status: None,
            weather: None,
        },
        race,
        runners,
        odds,
        payouts: vec![Payout {
            bet_type: "SIMPLE_GAGNANT".into(),
            combination: "2".into(),
            label: Some("Simple gagnant".into()),
            dividend_per_euro: 3.1,
            winners: None,
            refunded: false,
        }],
    }
}

/// Vincennes on 1 January: the favourite (n° 1 at 2.9) finishes second behind n° 2 at 4.0; a
/// non-runner. Pau on 2 January: the favourite wins. A horse whose name carries markup.
pub fn fixture() -> Vec<RaceCard> {
    let mut non_runner = runner(3, "<b>GRAS</b>", None, 20.0);
    non_runner.status = RunnerStatus::NonRunner;
    non_runner.odds_final = None;
    non_runner.odds_reference = None;
    vec![
        card(
            1,
            1,
            "VINCENNES",
            "PRIX \"L'ÉTÉ\", A",
            vec![
                runner(1, "ALPHA", Some(2), 2.9),
                runner(2, "BRAVO", Some(1), 4.0),
                non_runner,
            ],
        ),
        card(
            2,
            2,
            "PAU",
            "PRIX DE PAU",
            vec![
                runner(1, "ALPHA", Some(1), 2.0),
                runner(2, "CHARLIE", Some(2), 5.0),
            ],
        ),
    ]
}
