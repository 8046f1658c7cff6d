//! The pages over the model's output against the fixture store: Performance (simulated bets),
//! Modèle (registry, scores against the market, calibration, importance, drift, data quality)
//! and the predictions shown on Vue d'ensemble and Course, with the confidence and value
//! filters and the CSV exports. Every figure checked here is worked out by hand in a comment.

mod support;

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use ndarray::{Array1, array};
use pronoturf_core::domain::RaceKey;
use pronoturf_core::store::{
    DayPredictions, RacePrediction, RacePronostic, RunnerPrediction, SimBet,
};
use pronoturf_ml::registry::{ChampionDecision, ModelMetrics, Registry};
use pronoturf_ml::serving::FORMAT_VERSION;
use pronoturf_ml::{FeatureSet, FittedConditionalLogit, ModelSpec, ServingModel};
use support::{App, day};

fn key(d: u32, meeting: u32) -> RaceKey {
    RaceKey {
        date: day(d),
        meeting,
        race: 1,
    }
}

fn predicted(number: u32, p_win: f64, odds: f64, rank: u32) -> RunnerPrediction {
    RunnerPrediction {
        number,
        p_win,
        p_place: p_win,
        p_model: p_win,
        rank,
        odds: Some(odds),
        edge: Some(p_win * odds - 1.0),
        kelly: Some(0.05),
        explanation: serde_json::json!({
            "up": [{"feature": "win_rate", "value": 0.5}],
            "down": [{"feature": "age", "value": -0.25}]
        }),
    }
}

fn pronostic(confidence: &str, pick: u32, p: f64) -> RacePronostic {
    RacePronostic {
        kind: "gagnant".into(),
        selection: vec![pick],
        probability: p,
        probability_in_order: p,
        confidence: confidence.into(),
    }
}

fn bet(strategy: &str, d: u32, meeting: u32, number: u32, stake: f64, returned: f64) -> SimBet {
    SimBet {
        strategy: strategy.into(),
        key: key(d, meeting),
        bet_type: "SIMPLE_GAGNANT".into(),
        number,
        stake,
        odds: None,
        model_version: "m-test".into(),
        status: if returned > 0.0 { "won" } else { "lost" }.into(),
        returned: Some(returned),
    }
}

/// The fixture with predictions at its morning odds: 1 January (morning odds 3.9 and 5.0), n° 1
/// at 27 % (edge 0.053) and n° 2 BRAVO at 73 % (edge 2.65), BRAVO won; 2 January (3.0 and 6.0),
/// n° 1 ALPHA at 34 % (edge 0.02) and n° 2 at 66 % (edge 2.96), ALPHA won. Bets: the top pick
/// 1 € on n° 2 each day (won 3.10, lost); value 5 € on BRAVO (won 15.50), 2 € on n° 1 of
/// 1 January (lost) and 4 € on n° 2 of 2 January (lost).
async fn with_model_output() -> App {
    let app = App::with_fixture().await;
    let store = app.store();
    for (d, meeting, runners, confidence) in [
        (
            1,
            1,
            [predicted(1, 0.27, 3.9, 2), predicted(2, 0.73, 5.0, 1)],
            "high",
        ),
        (
            2,
            2,
            [predicted(1, 0.34, 3.0, 2), predicted(2, 0.66, 6.0, 1)],
            "medium",
        ),
    ] {
        let day_predictions = DayPredictions {
            date: day(d),
            model_version: "m-test".into(),
            races: vec![RacePrediction {
                key: key(d, meeting),
                pronostics: vec![pronostic(confidence, 2, runners[1].p_win)],
                runners: runners.to_vec(),
            }],
        };
        store
            .replace_predictions(&day_predictions)
            .await
            .expect("predictions");
    }
    let bets = [
        (
            1,
            vec![
                bet("top_pick_win_flat", 1, 1, 2, 1.0, 3.1),
                bet("value_win_kelly", 1, 1, 2, 5.0, 15.5),
                bet("value_win_kelly", 1, 1, 1, 2.0, 0.0),
            ],
        ),
        (
            2,
            vec![
                bet("top_pick_win_flat", 2, 2, 2, 1.0, 0.0),
                bet("value_win_kelly", 2, 2, 2, 4.0, 0.0),
            ],
        ),
    ];
    for (d, bets) in bets {
        store.replace_sim_bets(day(d), &bets).await.expect("bets");
    }
    app
}

#[tokio::test]
async fn the_overview_lists_the_models_picks_and_value_bets_under_the_filters() {
    // Arrange
    let app = with_model_output().await;
    // Act
    let page = app.get("/?date=2026-01-01").await;
    let confident = app.get("/?date=2026-01-01&confiance=75").await;
    let csv = app
        .get("/?date=2026-01-01&format=csv&tableau=pronostics")
        .await;
    // Assert: BRAVO at 73 %, the morning market 0.2 / (1/3.9 + 0.2) = 43.8 %, one value bet.
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<td>2 · BRAVO</td><td class=\"num\">73,0\u{a0}%</td><td class=\"num\">43,8\u{a0}%</td><td>forte</td><td class=\"num\">1</td>"), "{}", page.body);
    assert!(
        page.body.contains("<td class=\"num\">2,65</td>"),
        "BRAVO's edge"
    );
    assert!(
        !page.body.contains("<td class=\"num\">0,05</td>"),
        "n° 1's edge of 0.053 is no value bet"
    );
    assert!(
        confident
            .body
            .contains("Aucune course ne passe ces filtres")
    );
    assert!(
        confident.body.contains("confiance=75"),
        "the filter is kept in links"
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.body);
    assert!(
        lines[1].starts_with("2026-01-01,1,1,m-test,2,0.73,0.438"),
        "{}",
        lines[1]
    );
    assert!(lines[1].ends_with(",high,1"));
}

#[tokio::test]
async fn a_race_shows_the_model_beside_the_market_with_each_runners_explanation() {
    let app = with_model_output().await;
    let page = app.get("/courses/2026-01-01/1/1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("confiance du pronostic gagnant : forte"));
    assert!(page.body.contains("<td class=\"num\">73,0\u{a0}%</td><td class=\"num\">1</td><td class=\"num\">2,65 ★</td>"), "{}", page.body);
    assert!(page.body.contains("↑ win_rate +0,50 · ↓ age -0,25"));
    assert!(
        page.body.contains(
            "aria-label=\"Probabilité de victoire : modèle et marché (cotes normalisées)\""
        )
    );
    assert!(page.body.contains("\nModèle\n</text>"), "legend");
    let csv = app
        .get("/courses/2026-01-01/1/1?format=csv&tableau=partants")
        .await;
    assert!(csv.body.contains(",0.73,1,2.65"), "{}", csv.body);
    let unpredicted = App::with_fixture()
        .await
        .get("/courses/2026-01-01/1/1")
        .await;
    assert!(
        unpredicted
            .body
            .contains("Pas de prédiction enregistrée pour cette course")
    );
}

#[tokio::test]
async fn performance_shows_each_strategys_roi_bankroll_and_breakdowns() {
    // Arrange
    let app = with_model_output().await;
    // Act
    let page = app.get("/performance?periode=tout").await;
    // Assert: top pick staked 2, returned 3.10 (ROI 55 %); value staked 11, returned 15.50
    // (ROI 4.5 / 11 = 40.9 %), from a 100 € bankroll.
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<th scope=\"row\">Favori du modèle, gagnant 1 €</th><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">1 (50,0\u{a0}%)</td><td class=\"num\">2,00\u{a0}€</td><td class=\"num\">1,10\u{a0}€</td><td class=\"num\">55,0\u{a0}%</td><td class=\"num\">101,10\u{a0}€</td>"), "{}", page.body);
    assert!(page.body.contains("<td class=\"num\">4,50\u{a0}€</td><td class=\"num\">40,9\u{a0}%</td><td class=\"num\">104,50\u{a0}€</td>"));
    assert!(
        page.body
            .contains("aria-label=\"Bankroll simulée par stratégie (départ 100 €)\"")
    );
    assert!(
        page.body
            .contains("aria-label=\"Gain net par jour et par stratégie\"")
    );
    // Both days fall in the week of Monday 29 December 2025.
    assert!(page.body.contains("<th scope=\"row\">29/12/2025</th>"));
    assert!(
        page.body.contains("<th scope=\"row\">PAU</th>")
            && page.body.contains("<th scope=\"row\">ATTELE</th>")
    );
    // Value bets at morning odds 5 to 10: 9 € staked, 15.50 back, ROI 72.2 %.
    assert!(page.body.contains("<th scope=\"row\">5 à 10</th><td>Value bets, gagnant Kelly/4</td><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">1 (50,0\u{a0}%)</td><td class=\"num\">9,00\u{a0}€</td><td class=\"num\">6,50\u{a0}€</td><td class=\"num\">72,2\u{a0}%</td>"), "{}", page.body);
}

#[tokio::test]
async fn performance_filters_keep_only_confident_or_value_bets_also_in_csv() {
    let app = with_model_output().await;
    // n° 1 of 1 January (27 %, edge 0.053) is dropped by both filters: value staked 9, +6.50.
    for filter in ["confiance=50", "value=1"] {
        let page = app
            .get(&format!("/performance?periode=tout&{filter}"))
            .await;
        assert!(page.body.contains("<td class=\"num\">6,50\u{a0}€</td><td class=\"num\">72,2\u{a0}%</td><td class=\"num\">106,50\u{a0}€</td>"), "{filter}: {}", page.body);
        let csv = app
            .get(&format!(
                "/performance?periode=tout&{filter}&format=csv&tableau=strategies"
            ))
            .await;
        assert!(
            csv.body
                .contains("\"Value bets, gagnant Kelly/4\",value_win_kelly,2,0,1,9,15.5,6.5,"),
            "{filter}: {}",
            csv.body
        );
    }
    let weeks = app
        .get("/performance?periode=tout&format=csv&tableau=semaines")
        .await;
    assert!(
        weeks
            .body
            .contains("2025-12-29,top_pick_win_flat,2,0,1,2,3.1,"),
        "{}",
        weeks.body
    );
}

#[tokio::test]
async fn performance_and_model_pages_explain_what_to_do_on_an_empty_database() {
    let app = App::new("http://127.0.0.1:9").await;
    let performance = app.get("/performance").await;
    assert_eq!(performance.status, StatusCode::OK);
    assert!(
        performance
            .body
            .contains("Aucun pari simulé pour ces filtres")
    );
    assert!(performance.body.contains("pronoturf bets settle --date"));
    let model = app.get("/modele").await;
    assert_eq!(model.status, StatusCode::OK, "{}", model.body);
    assert!(model.body.contains("Aucune version dans le registre"));
    assert!(
        model
            .body
            .contains("Aucune course comparable sur la période")
    );
    assert!(
        model
            .body
            .contains("Pas de champion chargé : importance non calculable.")
    );
}

/// A champion whose first stage weighs two features (0.8 and −1.2 per standard deviation) and
/// whose second stage multiplies ln p_model by 1.0 / 2.0 = 0.5: served weights 0.4 and −0.6.
fn champion(app: &App) -> String {
    let features = FeatureSet {
        odds: pronoturf_ml::OddsChoice::None,
    }
    .names();
    let n = features.len();
    let mut coefficients = Array1::zeros(n);
    coefficients[0] = 0.8;
    coefficients[1] = -1.2;
    let logit = |coefficients: Array1<f64>, scales: Array1<f64>| FittedConditionalLogit {
        means: Array1::zeros(coefficients.len()),
        scales,
        coefficients,
        races: 2,
        iterations: 3,
        converged: true,
        objective: 0.5,
    };
    let model = ServingModel {
        format_version: FORMAT_VERSION,
        spec: ModelSpec::named("clogit-form").expect("spec"),
        features,
        trained_from: day(1),
        trained_until: day(1),
        l2: 0.01,
        stage1: logit(coefficients, Array1::ones(n)),
        stage2: Some(logit(array![1.0, 0.5], array![2.0, 1.0])),
        place_exponents: pronoturf_ml::place::PlaceExponents::BENTER,
    };
    let version = "clogit-form-20260101-test".to_string();
    let registry = Registry::new(&app.state.settings.ml_models_dir);
    let metrics = ModelMetrics {
        version: version.clone(),
        model: "clogit-form".into(),
        created_at: Utc
            .with_ymd_and_hms(2026, 1, 1, 20, 0, 0)
            .single()
            .expect("time"),
        trained_from: day(1),
        trained_until: day(1),
        train_races: 1,
        l2: 0.01,
        stage2_races: 1,
        stage2_coefficients: Some([0.5, 0.5]),
        decision: Some(ChampionDecision {
            from: day(1),
            to: day(2),
            races: Some(1),
            new_logloss: Some(0.6543),
            champion: None,
            champion_logloss: None,
            promoted: true,
            reason: "premier modèle".into(),
        }),
    };
    registry.save(&model, &metrics).expect("save");
    registry.promote(&version).expect("promote");
    version
}

#[tokio::test]
async fn the_model_page_scores_predictions_against_the_market_on_the_same_races() {
    // Arrange
    let app = with_model_output().await;
    let version = champion(&app);
    let names = FeatureSet {
        odds: pronoturf_ml::OddsChoice::None,
    }
    .names();
    // Act
    let page = app.get("/modele?periode=tout").await;
    // Assert
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("★ {version}")));
    assert!(page.body.contains("0,6543 (pas de champion à comparer)"));
    // Log-loss: model (−ln 0.73 − ln 0.34) / 2 = 0.6968; morning market 0.6153; final 0.6016.
    assert!(page.body.contains("<th scope=\"row\">semaine du 29/12/2025</th><td class=\"num\">2</td><td class=\"num\">0,6968</td><td class=\"num\">0,6153</td><td class=\"num\">0,6016</td><td class=\"num\">+0,0951</td><td class=\"num\">50,0\u{a0}%</td>"), "{}", page.body);
    assert!(page.body.contains("aria-label=\"Log-loss par course, chaque semaine : modèle et marché sur les mêmes courses\""));
    // Calibration: 0.73 (won) and 0.66 (lost) share the 50 % bin: predicted 69.5 %, observed 50 %.
    assert!(page.body.contains("<th scope=\"row\">50,0\u{a0}% à 100,0\u{a0}%</th><td class=\"num\">2</td><td class=\"num\">69,5\u{a0}%</td><td class=\"num\">50,0\u{a0}%</td>"), "{}", page.body);
    assert!(page.body.contains(
        "aria-label=\"Calibration : probabilité prédite et fréquence de victoire observée\""
    ));
    // Importance: the second feature first, −1.2 at stage 1, −0.6 served.
    assert!(
        page.body.contains(&format!(
            "<th scope=\"row\">{}</th><td class=\"num\">-1,200</td><td class=\"num\">-0,600</td>",
            names[1]
        )),
        "{}",
        page.body
    );
    assert!(page.body.contains("ln p_modèle (× 0,500)"));
    // Drift: the runners of 2 January, after the training window.
    assert!(
        page.body
            .contains("Partants du 02/01/2026 au 02/01/2026 (2)"),
        "{}",
        page.body
    );
    assert!(
        page.body
            .contains("<th scope=\"row\">Courses passées sans prédiction (avant le")
    );
    let importance = app.get("/modele?format=csv&tableau=importance").await;
    assert!(
        importance.body.contains(&format!("{},-1.2,-0.6", names[1])),
        "{}",
        importance.body
    );
}

#[tokio::test]
async fn data_quality_flags_past_races_without_prediction() {
    let app = App::with_fixture().await;
    let page = app.get("/modele?periode=tout").await;
    // Neither fixture race was predicted: 2 of 2.
    assert!(
        page.body
            .contains("</th><td class=\"num ko\">2</td><td class=\"num ko\">100,0\u{a0}%</td>"),
        "{}",
        page.body
    );
    let csv = app
        .get("/modele?periode=tout&format=csv&tableau=qualite")
        .await;
    assert!(
        csv.body.contains("Courses passées sans prédiction,2,2"),
        "{}",
        csv.body
    );
}
