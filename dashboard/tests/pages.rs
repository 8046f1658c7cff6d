//! The dashboard's pages against a small fixture store (SQLite in a temp dir): each test checks
//! the figures shown, the statuses of bad requests and the CSV exports.

mod support;

use axum::http::StatusCode;
use pronoturf_core::store::JobOutcome;
use std::sync::Arc;
use support::App;

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
async fn a_burst_of_requests_for_one_page_renders_it_once() {
    let app = App::with_fixture().await;
    let pages = futures::future::join_all((0..24).map(|_| app.get("/?periode=tout"))).await;
    assert!(pages.iter().all(|p| p.status == StatusCode::OK));
    assert!(pages.windows(2).all(|w| w[0].body == w[1].body));
    assert_eq!(
        app.state
            .rendered
            .load(std::sync::atomic::Ordering::Relaxed),
        1,
        "the other 23 found it cached"
    );
}

#[tokio::test]
async fn a_dead_database_gets_a_503_page_that_says_so_not_a_500() {
    let mut app = App::new("http://127.0.0.1:9").await;
    // Nothing listens on port 1: every query fails to connect, as when MariaDB is down.
    app.state.store = Arc::new(
        pronoturf_core::store::MySqlStore::connect_lazy("mysql://root@127.0.0.1:1/none")
            .expect("lazy store"),
    );
    for uri in ["/", "/courses/2026-01-01/1/1", "/performance"] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}");
        assert!(page.body.contains("Base de données indisponible"), "{uri}");
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
