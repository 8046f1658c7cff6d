//! Scoring of one race, checked by hand.

use super::score;
use chrono::{NaiveDate, Utc};
use pronoturf_core::domain::*;
use pronoturf_core::store::{RacePrediction, RunnerPrediction, StoredRacePrediction};

fn card(finishes: &[(u32, RunnerStatus, Option<u32>, Option<f64>)]) -> RaceCard {
    let date = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
    let runners = finishes
        .iter()
        .map(|&(n, status, finish, odds)| {
            let mut r = Runner::new(n, Horse::named(format!("H{n}")));
            r.status = status;
            r.finish = finish;
            r.odds_final = odds;
            r
        })
        .collect();
    let mut race = Race::new(1, Discipline::Plat);
    race.is_final = true;
    RaceCard {
        meeting: Meeting {
            date,
            number: 1,
            track: Track {
                name: "PAU".into(),
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
        odds: vec![],
        payouts: vec![],
    }
}

fn prediction(card: &RaceCard, p: &[(u32, f64, u32)]) -> StoredRacePrediction {
    StoredRacePrediction {
        model_version: "m1".into(),
        created_at: Utc::now(),
        race: RacePrediction {
            key: card.key(),
            runners: p
                .iter()
                .map(|&(number, p_win, rank)| RunnerPrediction {
                    number,
                    p_win,
                    p_place: p_win,
                    p_model: p_win,
                    rank,
                    odds: None,
                    edge: None,
                    kelly: None,
                    explanation: serde_json::json!({}),
                })
                .collect(),
            pronostics: vec![],
        },
    }
}

#[test]
fn the_winner_is_scored_by_the_model_and_by_the_normalised_final_odds() {
    use RunnerStatus::*;
    // 1/2 + 1/4 + 1/4 = 1: the market gives the winner (2, odds 4) 0.25; the non-runner is out.
    let c = card(&[
        (1, Ran, Some(2), Some(2.0)),
        (2, Ran, Some(1), Some(4.0)),
        (3, Dnf, None, Some(4.0)),
        (4, NonRunner, None, None),
    ]);
    let p = prediction(&c, &[(1, 0.5, 1), (2, 0.3, 2), (3, 0.2, 3)]);
    let (model, market, top) = score(&c, &p).expect("scorable");
    assert!((model - 0.3).abs() < 1e-12);
    assert!((market - 0.25).abs() < 1e-12);
    assert!(!top, "the model's first was runner 1");
}

#[test]
fn dead_heats_missing_odds_and_unpredicted_winners_are_not_scored() {
    use RunnerStatus::*;
    let heat = card(&[(1, Ran, Some(1), Some(2.0)), (2, Ran, Some(1), Some(2.0))]);
    assert!(score(&heat, &prediction(&heat, &[(1, 0.5, 1), (2, 0.5, 2)])).is_none());
    let unpriced = card(&[(1, Ran, Some(1), Some(2.0)), (2, Ran, Some(2), None)]);
    assert!(
        score(
            &unpriced,
            &prediction(&unpriced, &[(1, 0.5, 1), (2, 0.5, 2)])
        )
        .is_none()
    );
    let fine = card(&[(1, Ran, Some(1), Some(2.0)), (2, Ran, Some(2), Some(2.0))]);
    assert!(score(&fine, &prediction(&fine, &[(2, 1.0, 1)])).is_none());
    assert!(score(&fine, &prediction(&fine, &[(1, 0.0, 2), (2, 1.0, 1)])).is_none());
}
