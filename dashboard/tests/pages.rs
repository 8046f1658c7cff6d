//! The dashboard's pages against a small fixture store (SQLite in a temp dir): each test checks
//! the figures shown, the statuses of bad requests and the CSV exports.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use http_body_util::BodyExt;
use pronoturf_core::domain::*;
use pronoturf_core::settings::{DatabaseUrl, Settings};
use pronoturf_core::store::{self, JobOutcome, Store};
use pronoturf_dashboard::{AppState, router};
use std::sync::Arc;
use tower::ServiceExt;

struct App {
    state: AppState,
    _dir: tempfile::TempDir,
}

struct Answer {
    status: StatusCode,
    content_type: String,
    csp: Option<String>,
    body: String,
}

impl App {
    async fn new(api_url: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/dash.db", dir.path().display());
        let store = store::open(&DatabaseUrl::parse("DATABASE_URL", &url).expect("url"))
            .await
            .expect("open");
        let api_url = api_url.to_string();
        let settings = Settings::from_lookup(|k| match k {
            "DATABASE_URL" => Some(url.clone()),
            "API_URL" => Some(api_url.clone()),
            _ => None,
        })
        .expect("settings");
        Self {
            state: AppState::new(store, settings).expect("state"),
            _dir: dir,
        }
    }

    async fn with_fixture() -> Self {
        let app = Self::new("http://127.0.0.1:9").await;
        app.store()
            .upsert_race_cards(&fixture())
            .await
            .expect("write");
        app
    }

    fn store(&self) -> &Arc<dyn Store> {
        &self.state.store
    }

    async fn get(&self, uri: &str) -> Answer {
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
    async fn first_link(&self, page: &str, prefix: &str) -> String {
        let body = self.get(page).await.body;
        let start = body.find(&format!("href=\"{prefix}")).expect(prefix) + 6;
        let end = start + body[start..].find('"').expect("closing quote");
        body[start..end].replace("&#38;", "&")
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).expect("date")
}

fn at(d: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, d, hour, minute, 0)
        .single()
        .expect("instant")
}

fn runner(number: u32, horse: &str, finish: Option<u32>, odds: f64) -> Runner {
    let mut r = Runner::new(number, Horse::named(horse));
    r.jockey = Some("J. Dupont".into());
    r.trainer = Some("P. Martin".into());
    r.status = RunnerStatus::Ran;
    r.finish = finish;
    r.odds_reference = Some(odds + 1.0);
    r.odds_final = Some(odds);
    r
}

fn card(d: u32, meeting: u32, track: &str, name: &str, runners: Vec<Runner>) -> RaceCard {
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
fn fixture() -> Vec<RaceCard> {
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

#[tokio::test]
async fn the_overview_shows_the_days_races_and_the_periods_figures() {
    // Arrange
    let app = App::with_fixture().await;
    // Act
    let page = app.get("/?date=2026-01-02&periode=7j").await;
    // Assert
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.content_type.starts_with("text/html"));
    assert!(page.body.contains("Courses du 02/01/2026"));
    assert!(page.body.contains("R2 · PAU"));
    assert!(
        page.body
            .contains("href=\"/courses/2026-01-02/2/1?periode=7j&#38;date=2026-01-02\"")
    );
    assert!(page.body.contains("du 27/12/2025 au 02/01/2026"));
    // Two races, four runners, one non-runner; one favourite win out of two races.
    assert!(
        page.body
            .contains("<th scope=\"row\">Courses</th><td class=\"num\">2</td>")
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">Partants</th><td class=\"num\">4</td>")
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">Non-partants</th><td class=\"num\">1</td>")
    );
    assert!(
        page.body.contains("<td class=\"num\">50,0\u{a0}%</td>"),
        "favourite win rate"
    );
    assert!(
        page.body
            .contains("aria-label=\"Courses par jour sur la période\"")
    );
}

#[tokio::test]
async fn the_overview_compares_with_the_previous_period_of_the_same_length() {
    let app = App::with_fixture().await;
    // One day: 2 January against 1 January.
    let page = app.get("/?date=2026-01-02&periode=7j").await;
    assert!(
        page.body.contains("<td class=\"num\">—</td>"),
        "nothing the week before"
    );
    let filtered = app
        .get("/?date=2026-01-02&periode=7j&piste=vincennes")
        .await;
    assert!(
        filtered
            .body
            .contains("<th scope=\"row\">Courses</th><td class=\"num\">1</td>")
    );
    assert!(
        filtered.body.contains("<td class=\"num\">0,0\u{a0}%</td>"),
        "Vincennes' favourite lost"
    );
    assert!(
        filtered
            .body
            .contains("Aucune course enregistrée ce jour pour ces filtres")
    );
}

#[tokio::test]
async fn an_empty_database_shows_how_to_fill_it() {
    let app = App::new("http://127.0.0.1:9").await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("La base est vide"));
    assert!(page.body.contains("pronoturf import"));
    assert!(page.body.contains("pronoturf sync --date"));
}

#[tokio::test]
async fn a_race_shows_market_probabilities_odds_movement_result_and_payouts() {
    let app = App::with_fixture().await;
    let page = app.get("/courses/2026-01-01/1/1").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    // 1/2.9 and 1/4.0 normalised: 58.0 % and 42.0 %; the non-runner has none.
    assert!(page.body.contains("<td class=\"num\">58,0\u{a0}%</td>"));
    assert!(page.body.contains("<td class=\"num\">42,0\u{a0}%</td>"));
    assert!(page.body.contains("non-partant"));
    assert!(page.body.contains("PRIX &#34;L&#39;ÉTÉ&#34;, A"));
    assert!(
        page.body
            .contains("aria-label=\"Probabilité de victoire selon le marché (cotes normalisées)\"")
    );
    assert!(
        page.body
            .contains("aria-label=\"Évolution des cotes (favoris du marché)\"")
    );
    assert!(page.body.contains("Arrivée : <strong>2 – 1</strong>"));
    assert!(page.body.contains("3,10\u{a0}€"));
}

#[tokio::test]
async fn user_data_is_escaped_everywhere() {
    let app = App::with_fixture().await;
    let page = app.get("/courses/2026-01-01/1/1").await;
    assert!(!page.body.contains("<b>GRAS</b>"));
    assert!(page.body.contains("&#60;b&#62;GRAS&#60;/b&#62;"));
}

#[tokio::test]
async fn unknown_things_are_404_and_bad_filters_are_400_with_a_french_page() {
    let app = App::with_fixture().await;
    for (uri, status) in [
        ("/courses/2026-01-01/9/1", StatusCode::NOT_FOUND),
        ("/courses/pas-une-date/1/1", StatusCode::NOT_FOUND),
        ("/chevaux/999999", StatusCode::NOT_FOUND),
        ("/jockeys/abc", StatusCode::NOT_FOUND),
        ("/nulle-part", StatusCode::NOT_FOUND),
        ("/?periode=2j", StatusCode::BAD_REQUEST),
        ("/?discipline=golf", StatusCode::BAD_REQUEST),
        ("/chevaux?date=hier", StatusCode::BAD_REQUEST),
        ("/?format=csv&tableau=inconnu", StatusCode::BAD_REQUEST),
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, status, "{uri}");
        assert!(page.content_type.starts_with("text/html"), "{uri}");
        assert!(page.body.contains("<html lang=\"fr\">"), "{uri}");
    }
}

#[tokio::test]
async fn every_page_sends_a_content_security_policy_and_keeps_filters_in_links() {
    let app = App::with_fixture().await;
    let page = app
        .get("/chevaux?periode=7j&piste=PAU&discipline=PLAT")
        .await;
    let csp = page.csp.expect("CSP header");
    assert!(csp.contains("default-src 'none'") && csp.contains("style-src 'self'"));
    assert!(
        page.body
            .contains("href=\"/jockeys?periode=7j&#38;piste=PAU&#38;discipline=PLAT\"")
    );
    assert!(
        page.body
            .contains("href=\"/exploitation?periode=7j&#38;piste=PAU&#38;discipline=PLAT\"")
    );
    let toggled = app.get("/?auto=1").await;
    assert!(
        toggled
            .body
            .contains("<meta http-equiv=\"refresh\" content=\"60\">")
    );
}

#[tokio::test]
async fn a_horse_is_found_by_name_and_its_page_shows_its_races_and_positions() {
    let app = App::with_fixture().await;
    let search = app.get("/chevaux?q=alp").await;
    assert!(search.body.contains(">ALPHA</a>"), "{}", search.body);
    let href = app
        .first_link("/chevaux?q=alp&periode=tout", "/chevaux/")
        .await;
    let page = app.get(&href).await;
    assert_eq!(page.status, StatusCode::OK, "{href}");
    assert!(page.body.contains("<h1>ALPHA</h1>"));
    assert!(page.body.contains("2 course(s), 1 victoire(s), 2 place(s)"));
    assert!(
        page.body
            .contains("aria-label=\"Classement à l'arrivée au fil des courses\"")
    );
    assert!(page.body.contains(">R2C1</a>") && page.body.contains(">R1C1</a>"));
}

#[tokio::test]
async fn jockeys_and_trainers_have_a_record_and_monthly_chart() {
    let app = App::with_fixture().await;
    let jockey = app
        .first_link("/jockeys?q=j.&periode=tout", "/jockeys/")
        .await;
    let page = app.get(&jockey).await;
    assert_eq!(page.status, StatusCode::OK, "{jockey}");
    assert!(page.body.contains("<h1>J. Dupont</h1>"));
    assert!(
        page.body.contains("4 course(s), 2 victoire(s), 4 place(s)"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("aria-label=\"Courses et victoires par mois\"")
    );
    assert!(page.body.contains("\njanv. 2026\n</text>"));
    let trainer = app
        .first_link("/entraineurs?periode=tout", "/entraineurs/")
        .await;
    let page = app.get(&trainer).await;
    assert!(page.body.contains("<h1>P. Martin</h1>"));
    assert!(page.body.contains(">CHARLIE</a>"));
}

#[tokio::test]
async fn tables_download_as_csv_with_the_same_filters() {
    let app = App::with_fixture().await;
    let csv = app
        .get("/?date=2026-01-01&format=csv&tableau=courses")
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"));
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next(),
        Some(
            "date,reunion,course,piste,nom,depart_utc,discipline,distance_m,partants,non_partants,arrivee_connue"
        )
    );
    assert_eq!(
        lines.next(),
        Some(
            "2026-01-01,1,1,VINCENNES,\"PRIX \"\"L'ÉTÉ\"\", A\",2026-01-01T12:50:00+00:00,ATTELE,2700,2,1,true"
        )
    );
    let figures = app
        .get("/?date=2026-01-02&periode=7j&piste=PAU&format=csv&tableau=chiffres")
        .await;
    assert!(figures.body.contains("courses,1,0\n"), "{}", figures.body);
    assert!(
        figures.body.contains("taux_victoire_favori,1,\n"),
        "{}",
        figures.body
    );
    let runners = app.get("/courses/2026-01-01/1/1?format=csv").await;
    assert!(runners.body.starts_with("numero,cheval,"));
    assert!(
        runners
            .body
            .contains("2,BRAVO,J. Dupont,P. Martin,RAN,5,4,0.42")
    );
}

#[tokio::test]
async fn operations_show_job_outcomes_and_the_health_of_each_dependency() {
    // Arrange: an API that answers /health, and job runs of two jobs.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let api_url = format!("http://{}", listener.local_addr().expect("addr"));
    let api = axum::Router::new().route("/health", axum::routing::get(|| async { "ok" }));
    tokio::spawn(async move { axum::serve(listener, api).await });
    let app = App::new(&api_url).await;
    let params = serde_json::json!({});
    let ok = app
        .store()
        .start_job_run("sync", &params, 1)
        .await
        .expect("run");
    app.store()
        .finish_job_run(
            ok,
            JobOutcome::Succeeded,
            Some(&serde_json::json!({"races": 52})),
            None,
        )
        .await
        .expect("finish");
    let ko = app
        .store()
        .start_job_run("import", &params, 1)
        .await
        .expect("run");
    app.store()
        .finish_job_run(ko, JobOutcome::Failed, None, Some("fichier illisible"))
        .await
        .expect("finish");
    // Act
    let page = app.get("/exploitation").await;
    // Assert
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Base de données"));
    assert_eq!(
        page.body.matches("✔ disponible").count(),
        3,
        "db, embedded redis, api: {}",
        page.body
    );
    assert!(page.body.contains("fichier illisible"));
    assert!(
        page.body.contains("{&#34;races&#34;:52}"),
        "counts of the last sync"
    );
    assert!(page.body.contains("<span class=\"ko\">en échec</span>"));
    let down = App::new("http://127.0.0.1:9")
        .await
        .get("/exploitation")
        .await;
    assert!(down.body.contains("✘ indisponible"), "API on a closed port");
    let csv = app.get("/exploitation?format=csv").await;
    assert!(csv.body.lines().count() == 3 && csv.body.contains("fichier illisible"));
    let jobs = app.get("/exploitation?format=csv&tableau=taches").await;
    let lines: Vec<&str> = jobs.body.lines().collect();
    assert_eq!(lines.len(), 3, "header, import, sync: {}", jobs.body);
    assert!(
        lines[1].starts_with("import,—,") && lines[1].ends_with(",fichier illisible,true,false")
    );
}
