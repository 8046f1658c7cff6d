//! Contract of the stored model output: prediction runs replaced per day and model, read back
//! from the latest run; value bets by edge; simulated bets replaced per day; bankroll history.

use super::{backends, card, date};
use pronoturf_core::domain::RaceKey;
use pronoturf_core::store::{
    DayPredictions, RacePrediction, RacePronostic, RunnerPrediction, SimBet, StoreError,
};

fn runner(number: u32, p_win: f64, rank: u32, edge: f64) -> RunnerPrediction {
    RunnerPrediction {
        number,
        p_win,
        p_place: 1.0,
        p_model: p_win * 0.9,
        rank,
        odds: Some(3.5),
        edge: Some(edge),
        kelly: Some(if edge > 0.0 { 0.25 * edge / 2.5 } else { 0.0 }),
        explanation: serde_json::json!({"up": [{"feature": "mkt_logp", "value": 0.4}], "down": []}),
    }
}

fn day(version: &str, p_first: f64) -> DayPredictions {
    DayPredictions {
        date: date(),
        model_version: version.to_string(),
        races: vec![RacePrediction {
            key: card(1).key(),
            runners: vec![
                runner(1, p_first, 1, 0.2),
                runner(2, 1.0 - p_first, 2, -0.1),
            ],
            pronostics: vec![RacePronostic {
                kind: "gagnant".into(),
                selection: vec![1],
                probability: p_first,
                probability_in_order: p_first,
                confidence: "medium".into(),
            }],
        }],
    }
}

#[tokio::test]
async fn predictions_are_replaced_per_day_and_model_and_read_from_the_latest_run() {
    for b in backends().await {
        // Arrange
        b.store
            .upsert_race_cards(&[card(1), card(2)])
            .await
            .expect("cards");

        // Act
        let written = b
            .store
            .replace_predictions(&day("m1", 0.6))
            .await
            .expect("m1");
        let again = b
            .store
            .replace_predictions(&day("m1", 0.7))
            .await
            .expect("m1 again");
        let read = b.store.day_predictions(date()).await.expect("read");

        // Assert
        assert_eq!((written, again), (2, 2), "{}", b.name);
        assert_eq!(
            read.len(),
            1,
            "{}: the rerun replaced the first run",
            b.name
        );
        assert_eq!(read[0].model_version, "m1");
        assert_eq!(read[0].race, day("m1", 0.7).races[0], "{}", b.name);
        b.store
            .replace_predictions(&day("m2", 0.55))
            .await
            .expect("m2");
        let race = b
            .store
            .race_predictions(card(1).key())
            .await
            .expect("read")
            .expect("predicted");
        assert_eq!(race.model_version, "m2", "{}", b.name);
        assert_eq!(race.race.runners[0].p_win, 0.55);
        assert_eq!(
            b.store.race_predictions(card(2).key()).await.expect("read"),
            None
        );
        let value = b.store.day_value_bets(date(), 0.1).await.expect("value");
        assert_eq!(value.len(), 1, "{}", b.name);
        assert_eq!((value[0].number, value[0].edge), (1, 0.2));
        assert!(
            b.store
                .day_value_bets(date(), 0.3)
                .await
                .expect("none")
                .is_empty()
        );
        b.cleanup().await;
    }
}

#[tokio::test]
async fn predictions_of_an_unknown_race_are_refused_and_change_nothing() {
    for b in backends().await {
        // Arrange
        b.store.upsert_race_cards(&[card(1)]).await.expect("cards");
        b.store
            .replace_predictions(&day("m1", 0.6))
            .await
            .expect("m1");
        let mut bad = day("m1", 0.9);
        bad.races[0].key = RaceKey {
            race: 9,
            ..bad.races[0].key
        };

        // Act
        let err = b
            .store
            .replace_predictions(&bad)
            .await
            .expect_err("refused");

        // Assert
        assert!(matches!(err, StoreError::Invalid(_)), "{}: {err}", b.name);
        let read = b.store.day_predictions(date()).await.expect("read");
        assert_eq!(read[0].race.runners[0].p_win, 0.6, "{}", b.name);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn simulated_bets_are_replaced_per_day_and_make_a_bankroll_history() {
    for b in backends().await {
        // Arrange
        b.store
            .upsert_race_cards(&[card(1), card(2)])
            .await
            .expect("cards");
        let bet = |strategy: &str, race: u32, status: &str, returned: Option<f64>| SimBet {
            strategy: strategy.into(),
            key: card(race).key(),
            bet_type: "SIMPLE_GAGNANT".into(),
            number: 2,
            stake: 1.0,
            odds: returned.filter(|r| *r > 0.0),
            model_version: "m1".into(),
            status: status.into(),
            returned,
        };
        let bets = vec![
            bet("top_pick", 1, "won", Some(3.1)),
            bet("top_pick", 2, "lost", Some(0.0)),
            bet("value", 1, "pending", None),
        ];

        // Act
        let n = b.store.replace_sim_bets(date(), &bets).await.expect("bets");
        let again = b
            .store
            .replace_sim_bets(date(), &bets)
            .await
            .expect("again");
        let read = b.store.day_sim_bets(date()).await.expect("read");
        let history = b.store.bankroll_history(100.0).await.expect("bankroll");

        // Assert
        assert_eq!((n, again), (3, 3), "{}", b.name);
        assert_eq!(read, bets, "{}", b.name);
        assert_eq!(history.len(), 2, "{}", b.name);
        let top = &history[0];
        assert_eq!(
            (top.strategy.as_str(), top.bets, top.pending),
            ("top_pick", 2, 0)
        );
        assert!((top.balance - 101.1).abs() < 1e-9, "{}: {top:?}", b.name);
        assert_eq!((history[1].pending, history[1].balance), (1, 100.0));
        b.cleanup().await;
    }
}
